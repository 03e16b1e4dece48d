//===- ImageGrid.cpp - Samples as one PNG image grid ----------------------===//
#include "ImageGrid.h"
#include "Error.h"

#include <algorithm>
#include <cmath>
#include <vector>

// The one translation unit that compiles stb_image_write's encoder.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#include <stb/stb_image_write.h>

namespace dlnrt {

ImageLayout imageLayout(const Shape &perSample) {
  ImageLayout l;
  if (perSample.size() == 3 && (perSample[0] == 1 || perSample[0] == 3)) {
    l.channels = perSample[0];
    l.height = perSample[1];
    l.width = perSample[2];
  } else if (perSample.size() == 2) {
    l.height = perSample[0];
    l.width = perSample[1];
  } else if (perSample.size() == 1) {
    auto side = static_cast<int64_t>(std::llround(std::sqrt(perSample[0])));
    if (side * side == perSample[0])
      l.height = l.width = side;
  }
  if (l.height <= 0 || l.width <= 0)
    fail(DLNRT_INVALID_ARGUMENT,
         "a PNG grid needs image samples ([C, H, W] with C 1 or 3, [H, W] "
         "or a square vector), not " +
             formatShape(perSample) + ": write CSV instead");
  return l;
}

namespace {
void appendBytes(void *context, void *data, int size) {
  auto *out = static_cast<std::string *>(context);
  out->append(static_cast<const char *>(data), static_cast<size_t>(size));
}
} // namespace

std::string encodeImageGrid(const Tensor &samples, int64_t count,
                            const ImageLayout &layout) {
  const int64_t columns =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(std::sqrt(count))));
  const int64_t rows = (count + columns - 1) / columns;
  const int64_t c = layout.channels, h = layout.height, w = layout.width;
  const int64_t width = columns * (w + 1) + 1, height = rows * (h + 1) + 1;
  if (width > 16384 || height > 16384)
    fail(DLNRT_INVALID_ARGUMENT,
         "the image grid would be " + std::to_string(width) + "x" +
             std::to_string(height) + " pixels: draw fewer samples");
  std::vector<unsigned char> pixels(static_cast<size_t>(width * height * c), 0);
  const int64_t perSample = c * h * w;
  for (int64_t s = 0; s < count; ++s) {
    const int64_t top = 1 + (s / columns) * (h + 1);
    const int64_t left = 1 + (s % columns) * (w + 1);
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          double v = samples.get(s * perSample + (ch * h + y) * w + x);
          v = std::isfinite(v) ? std::clamp(v, 0.0, 1.0) : 0.0;
          pixels[((top + y) * width + left + x) * c + ch] =
              static_cast<unsigned char>(std::lround(v * 255));
        }
  }
  std::string png;
  if (!stbi_write_png_to_func(appendBytes, &png, static_cast<int>(width),
                              static_cast<int>(height), static_cast<int>(c),
                              pixels.data(), static_cast<int>(width * c)))
    fail(DLNRT_IO_ERROR, "PNG encoding failed");
  return png;
}

} // namespace dlnrt
