//===- Checkpoint.h - Checkpoints as NumPy .npz archives --------*- C++ -*-===//
//
// A checkpoint is an .npz (see Npz.h) holding named tensors: the params and
// the optimizer state (momentum buffers, ...) under their manifest names, and
// the training counters as 0-d int64 arrays __step__, __epoch__ and __seed__.
// Names starting with "__" are reserved for such runtime state. Loading
// validates the whole archive and every requested name, dtype and shape before
// copying anything, so a bad file never leaves a half-loaded model.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_CHECKPOINT_H
#define DLNRT_LIB_CHECKPOINT_H

#include "Manifest.h"
#include "Tensor.h"

#include <optional>
#include <string>
#include <vector>

namespace dlnrt {

/// Where training stands; resuming continues from here.
struct TrainCounters {
  int64_t step = 0;  // train steps taken
  int64_t epoch = 0; // epochs completed
  uint64_t seed = 0; // shuffle seed of the run
};

/// One array of a checkpoint. The tensor is borrowed; a Tensor is a handle to
/// its buffer, so loading writes through it.
struct NamedTensor {
  std::string name;
  const Tensor *tensor = nullptr;
  /// Loading: a missing array leaves the tensor as is instead of failing.
  bool optional = false;
};

/// The params under their manifest names, in manifest order.
std::vector<NamedTensor> paramTensors(const Manifest &m,
                                      const std::vector<Tensor> &params);
/// The params, then the state tensors (manifest "state" order). Resuming
/// training needs the state (`stateRequired`); evaluation and embedders
/// load it only when the file has it.
std::vector<NamedTensor> modelTensors(const Manifest &m,
                                      const std::vector<Tensor> &params,
                                      const std::vector<Tensor> &state,
                                      bool stateRequired);

std::string serializeCheckpoint(const std::vector<NamedTensor> &tensors,
                                const TrainCounters &counters);

/// Validates `bytes` (read from `fileName`, used in messages) and copies the
/// arrays into `tensors`. Every requested tensor must be present (unless
/// optional) with the same dtype and shape; any other array is an error unless
/// its name is reserved ("__..."). Returns the counters when the file has them.
std::optional<TrainCounters>
deserializeCheckpoint(const std::string &bytes, const std::string &fileName,
                      const std::vector<NamedTensor> &tensors);

/// Atomic save (see AtomicFile.h).
void saveCheckpoint(const std::string &path,
                    const std::vector<NamedTensor> &tensors,
                    const TrainCounters &counters);
/// The final save of a run, which must not lose the run's result: when
/// saving to `path` fails (disk full, permissions, a vanished directory), the
/// tensors are saved to a new file in `rescueDir` instead, and the Error
/// thrown names both the failure and that file (or says the rescue failed
/// too).
void saveCheckpointOrRescue(const std::string &path,
                            const std::vector<NamedTensor> &tensors,
                            const TrainCounters &counters,
                            const std::string &rescueDir);
/// $TMPDIR, or /tmp.
std::string defaultRescueDir();

std::optional<TrainCounters>
loadCheckpoint(const std::string &path,
               const std::vector<NamedTensor> &tensors);

/// `train --init-from FILE[:PARAM=ARRAY,...]`: a param and the array of
/// another checkpoint it starts from.
struct InitSource {
  std::string param, array;
};

/// Parses "FILE" or "FILE:PARAM=ARRAY,..." (the part after the last ':' is a
/// mapping when it contains '='). Throws on an empty or malformed mapping.
std::pair<std::string, std::vector<InitSource>>
parseInitFrom(const std::string &spec);

/// Copies arrays of `bytes` (read from `fileName`) into `params`, as
/// PyTorch's load_state_dict(strict=False): with an empty `mapping`, every
/// param whose name the file has, other arrays ignored; otherwise exactly
/// the mapped params. Validates everything before copying; a mapping naming
/// no param of the model, a missing array, a dtype or shape mismatch, or a
/// file naming no param at all is an error. Returns the params set.
std::vector<std::string>
initFromCheckpointBytes(const std::string &bytes, const std::string &fileName,
                        const std::vector<NamedTensor> &params,
                        const std::vector<InitSource> &mapping);
std::vector<std::string>
initFromCheckpoint(const std::string &path,
                   const std::vector<NamedTensor> &params,
                   const std::vector<InitSource> &mapping);

} // namespace dlnrt

#endif // DLNRT_LIB_CHECKPOINT_H
