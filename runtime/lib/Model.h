//===- Model.h - Manifest, entry points and params --------------*- C++ -*-===//
//
// The C++ object behind the opaque dlnrt_model handle. It owns the parameter
// tensors and knows how to lay out the argument list of each compiled entry
// point, so nothing else in the runtime builds memref descriptors by hand.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_MODEL_H
#define DLNRT_LIB_MODEL_H

#include "Manifest.h"
#include "Tensor.h"

#include <vector>

namespace dlnrt {

class Model {
public:
  /// Parses abi.manifest and allocates zeroed parameters; throws on a bad
  /// manifest or ABI.
  Model(const dlnrt_model_abi &abi, const dlnrt_allocator &allocator);

  const Manifest &manifest() const { return manifest_; }
  const dlnrt_allocator &allocator() const { return allocator_; }
  std::vector<Tensor> &params() { return params_; }
  const std::vector<Tensor> &params() const { return params_; }

  /// Buffers shaped for one call of the entry points (batch = manifest batch).
  Tensor makeBatchX() const;
  Tensor makeBatchY() const;
  Tensor makeBatchLosses() const;
  Tensor makeBatchOutputs() const;
  /// One zeroed tensor per param, same shapes: the gradient buffers of
  /// lossAndGrad.
  std::vector<Tensor> makeGradBuffers() const;

  /// dln_train_step: updates params in place, returns the batch mean loss.
  double trainStep(const Tensor &x, const Tensor &y, double lr);
  /// dln_eval_step: per-sample losses [B] and outputs [B, output dims...].
  void evalStep(const Tensor &x, const Tensor &y, Tensor &losses,
                Tensor &outputs);
  /// dln_loss_and_grad: returns the batch mean loss and writes grads (one per
  /// param).
  double lossAndGrad(const Tensor &x, const Tensor &y,
                     std::vector<Tensor> &grads);

private:
  dlnrt_model_abi abi_;
  dlnrt_allocator allocator_;
  Manifest manifest_;
  std::vector<Tensor> params_;
  Tensor lr_, loss_; // rank-0 scratch for train_step/loss_and_grad
};

} // namespace dlnrt

#endif // DLNRT_LIB_MODEL_H
