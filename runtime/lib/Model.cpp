//===- Model.cpp - A compiled model: manifest, entry points, params -------===//
#include "Model.h"

#include "Error.h"
#include "MemRef.h"

namespace dlnrt {

static const dlnrt_model_abi &checkedAbi(const dlnrt_model_abi &abi) {
  if (!abi.manifest)
    fail(DLNRT_INVALID_ARGUMENT, "model ABI has no manifest");
  if (!abi.train_step || !abi.eval_step || !abi.loss_and_grad)
    fail(DLNRT_INVALID_ARGUMENT, "model ABI is missing an entry point "
                                 "(train_step, eval_step and loss_and_grad are "
                                 "all required)");
  return abi;
}

Model::Model(const dlnrt_model_abi &abi, const dlnrt_allocator &allocator)
    : abi_(checkedAbi(abi)), allocator_(allocator),
      manifest_(parseManifest(abi.manifest)) {
  for (const ParamSpec &p : manifest_.params)
    params_.emplace_back(manifest_.dtype, p.shape, allocator_);
  lr_ = Tensor(manifest_.dtype, {}, allocator_);
  loss_ = Tensor(manifest_.dtype, {}, allocator_);
}

static Shape prepend(int64_t batch, const Shape &s) {
  Shape out{batch};
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

Tensor Model::makeBatchX() const {
  return Tensor(manifest_.dtype, prepend(manifest_.batch, manifest_.inputShape),
                allocator_);
}

Tensor Model::makeBatchY() const {
  if (manifest_.label.kind == LabelKind::Class)
    return Tensor(DType::I32, {manifest_.batch}, allocator_);
  return Tensor(manifest_.dtype,
                prepend(manifest_.batch, manifest_.label.shape), allocator_);
}

Tensor Model::makeBatchLosses() const {
  return Tensor(manifest_.dtype, {manifest_.batch}, allocator_);
}

Tensor Model::makeBatchOutputs() const {
  return Tensor(manifest_.dtype,
                prepend(manifest_.batch, manifest_.outputShape), allocator_);
}

std::vector<Tensor> Model::makeGradBuffers() const {
  std::vector<Tensor> grads;
  for (const Tensor &p : params_)
    grads.emplace_back(p.dtype(), p.shape(), allocator_);
  return grads;
}

double Model::trainStep(const Tensor &x, const Tensor &y, double lr) {
  ArgPack args;
  for (const Tensor &p : params_)
    args.add(p);
  args.add(x);
  args.add(y);
  lr_.set(0, lr);
  args.add(lr_);
  loss_.fillZero();
  args.add(loss_);
  abi_.train_step(args.data());
  return loss_.get(0);
}

void Model::evalStep(const Tensor &x, const Tensor &y, Tensor &losses,
                     Tensor &outputs) {
  ArgPack args;
  for (const Tensor &p : params_)
    args.add(p);
  args.add(x);
  args.add(y);
  args.add(losses);
  args.add(outputs);
  abi_.eval_step(args.data());
}

double Model::lossAndGrad(const Tensor &x, const Tensor &y,
                          std::vector<Tensor> &grads) {
  ArgPack args;
  for (const Tensor &p : params_)
    args.add(p);
  args.add(x);
  args.add(y);
  loss_.fillZero();
  args.add(loss_);
  for (const Tensor &g : grads)
    args.add(g);
  abi_.loss_and_grad(args.data());
  return loss_.get(0);
}

} // namespace dlnrt
