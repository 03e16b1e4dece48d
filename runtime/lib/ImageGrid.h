//===- ImageGrid.h - Samples as one PNG image grid --------------*- C++ -*-===//
//
// `./model sample --out FILE.png` tiles the samples, each an image, into a
// grid and encodes it with stb_image_write (Debian's libstb-dev).
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_IMAGEGRID_H
#define DLNRT_LIB_IMAGEGRID_H

#include "Tensor.h"

#include <string>

namespace dlnrt {

/// How one sample of `perSample` elements is an image: [C, H, W] with C 1
/// (gray) or 3 (RGB), [H, W], or a square vector [H * H]. Throws naming the
/// shape when it is none of these.
struct ImageLayout {
  int64_t channels = 1, height = 0, width = 0;
};
ImageLayout imageLayout(const Shape &perSample);

/// The PNG bytes of the first `count` rows of `samples` ([count, ...] in
/// [0, 1], clamped) as a grid of ceil(sqrt(count)) columns with a 1-pixel
/// black border between tiles.
std::string encodeImageGrid(const Tensor &samples, int64_t count,
                            const ImageLayout &layout);

} // namespace dlnrt

#endif // DLNRT_LIB_IMAGEGRID_H
