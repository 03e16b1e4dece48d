//===- Model.cpp - A compiled model: manifest, entry points, params -------===//
#include "Model.h"

#include "Error.h"
#include "MemRef.h"

#include <algorithm>

namespace dlnrt {

static const char *checkedManifest(const dlnrt_model_abi &abi) {
  if (!abi.manifest)
    fail(DLNRT_INVALID_ARGUMENT, "model ABI has no manifest");
  return abi.manifest;
}

Model::Model(const dlnrt_model_abi &abi, const dlnrt_allocator &allocator,
             const std::string &config)
    : allocator_(allocator), manifest_(parseManifest(checkedManifest(abi))) {
  if (!config.empty())
    selectConfig(manifest_, config);
  if (abi.num_entry_points < 0 ||
      (abi.num_entry_points > 0 && !abi.entry_points))
    fail(DLNRT_INVALID_ARGUMENT, "model ABI has a malformed entry-point table");
  for (int64_t i = 0; i < abi.num_entry_points; ++i) {
    const dlnrt_entry_point &e = abi.entry_points[i];
    if (!e.name || !e.fn)
      fail(DLNRT_INVALID_ARGUMENT, "model ABI entry point " +
                                       std::to_string(i) +
                                       " has no name or no function");
    if (std::any_of(entries_.begin(), entries_.end(), [&](const Entry &seen) {
          return std::string_view(seen.abiName) == e.name;
        }))
      fail(DLNRT_INVALID_ARGUMENT,
           "model ABI has entry point '" + std::string(e.name) + "' twice");
    const EntryPointSpec *spec = manifest_.findAbiEntryPoint(e.name);
    const auto &displaced = manifest_.displacedEntryPoints;
    if (!spec && std::find(displaced.begin(), displaced.end(), e.name) !=
                     displaced.end())
      continue; // the selected configuration brings its own
    if (!spec)
      fail(DLNRT_INVALID_ARGUMENT,
           "entry point '" + std::string(e.name) +
               "' is not described in the manifest's entry_points");
    entries_.push_back({spec->name, e.name, e.fn, spec});
    names_.push_back(spec->name);
  }
  for (const ParamSpec &p : manifest_.params)
    params_.emplace_back(manifest_.dtype, p.shape, allocator_);
  for (const ParamSpec &s : manifest_.state)
    state_.emplace_back(manifest_.dtype, s.shape, allocator_);
  lr_ = Tensor(manifest_.dtype, {}, allocator_);
  loss_ = Tensor(manifest_.dtype, {}, allocator_);
  rng_ = Tensor(DType::I64, {2}, allocator_);
  rngSeed_ = manifest_.seed;
  batch_ = manifest_.batch;
  for (const OptimizerGroupSpec &group : manifest_.optimizerGroups) {
    if (group.lrName == "lr")
      continue;
    Tensor rate(manifest_.dtype, {}, allocator_);
    rate.set(0, group.lr);
    groupLrs_.emplace_back(group.lrName, std::move(rate));
  }
}

bool Model::hasEntryPoint(const std::string &name) const {
  for (const Entry &e : entries_)
    if (e.name == name)
      return true;
  return false;
}

void Model::requireEntryPoints(const std::vector<std::string> &names) const {
  for (const std::string &n : names)
    entry(n);
}

const Model::Entry &Model::entry(const std::string &name) const {
  for (const Entry &e : entries_)
    if (e.name == name)
      return e;
  fail(DLNRT_INVALID_ARGUMENT,
       "model has no entry point '" + name + "' (needed here)");
}

bool Model::takesRole(const std::string &entryPoint, ArgRole role) const {
  const EntryPointSpec *spec = entry(entryPoint).spec;
  return std::any_of(spec->args.begin(), spec->args.end(),
                     [&](const ArgSpec &a) { return a.role == role; });
}

void Model::setRngKey(int64_t step) {
  rng_.as<int64_t>()[0] = static_cast<int64_t>(rngSeed_);
  rng_.as<int64_t>()[1] = step;
}

void Model::setBatch(int64_t batch) {
  if (batch < 1)
    fail(DLNRT_INVALID_ARGUMENT,
         "batch size must be at least 1, got " + std::to_string(batch));
  batch_ = batch;
}

const Tensor &Model::allRows(int64_t rows) {
  if (allRows_.rank() == 0 || allRows_.shape()[0] != rows) {
    allRows_ = Tensor(manifest_.dtype, {rows}, allocator_);
    for (int64_t i = 0; i < rows; ++i)
      allRows_.set(i, 1.0);
  }
  return allRows_;
}

static Shape prepend(int64_t batch, const Shape &s) {
  Shape out{batch};
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

Tensor Model::makeBatchX(int64_t rows) const {
  const SampleSpec &in = manifest_.input();
  if (in.kind == LabelKind::Class)
    return Tensor(DType::I32, {rowsOr(rows)}, allocator_);
  return Tensor(manifest_.dtype, prepend(rowsOr(rows), in.shape), allocator_);
}

Tensor Model::makeBatchY(int64_t rows) const {
  const SampleSpec &l = manifest_.label();
  if (l.kind == LabelKind::Class)
    return Tensor(DType::I32, {rowsOr(rows)}, allocator_);
  return Tensor(manifest_.dtype, prepend(rowsOr(rows), l.shape), allocator_);
}

Tensor Model::makeBatchLosses(int64_t rows) const {
  return Tensor(manifest_.dtype, {rowsOr(rows)}, allocator_);
}

Tensor Model::makeBatchOutputs(int64_t rows) const {
  if (!manifest_.hasOutput())
    return Tensor(manifest_.dtype, {rowsOr(rows), 0}, allocator_);
  return Tensor(manifest_.dtype,
                prepend(rowsOr(rows), manifest_.output().shape), allocator_);
}

std::vector<Tensor> Model::makeBatchMetrics(int64_t rows) const {
  std::vector<Tensor> metrics;
  for (size_t i = 0; i < manifest_.metrics.size(); ++i)
    metrics.emplace_back(manifest_.dtype, Shape{rowsOr(rows)}, allocator_);
  return metrics;
}

std::vector<Tensor> Model::makeGradBuffers() const {
  std::vector<Tensor> grads;
  for (const Tensor &p : params_)
    grads.emplace_back(p.dtype(), p.shape(), allocator_);
  return grads;
}

template <typename T>
static size_t indexOf(const std::vector<T> &specs, const std::string &name) {
  for (size_t i = 0; i < specs.size(); ++i)
    if (specs[i].name == name)
      return i;
  return specs.size();
}

void Model::call(const std::string &name, const CallBindings &b) {
  const Entry &e = entry(name);
  // The batch of this call: x's rows, or the outputs' for a sample block,
  // which takes no x.
  const Tensor *carrier = b.x ? b.x : b.outputs;
  const int64_t rows =
      carrier && carrier->rank() > 0 ? carrier->shape()[0] : 0;
  ArgPack args;
  for (size_t i = 0; i < e.spec->args.size(); ++i) {
    const ArgSpec &a = e.spec->args[i];
    auto where = [&] {
      return "entry point '" + name + "' argument " + std::to_string(i) + " (" +
             argRoleName(a.role) + " '" + a.name + "')";
    };
    auto single = [&](size_t count, const char *what) {
      if (count != 1)
        fail(DLNRT_INVALID_ARGUMENT,
             where() + ": models with more than one " + what +
                 " are not supported by this runtime yet");
    };
    const Tensor *t = nullptr;
    switch (a.role) {
    case ArgRole::Param:
      t = &params_[indexOf(manifest_.params, a.name)];
      break;
    case ArgRole::State:
    case ArgRole::OptimizerState:
      t = &state_[indexOf(manifest_.state, a.name)];
      break;
    case ArgRole::Input:
      single(manifest_.inputs.size(), "input");
      t = b.x;
      break;
    case ArgRole::Label:
      single(manifest_.labels.size(), "label");
      t = b.y;
      break;
    case ArgRole::Output:
      // A model without an output of its own (a GAN) has entry blocks'.
      single(std::max<size_t>(manifest_.outputs.size(), 1), "output");
      t = b.outputs;
      break;
    case ArgRole::Loss:
      single(manifest_.losses.size(), "loss");
      t = b.loss;
      break;
    case ArgRole::Grad:
      if (b.grads && b.grads->size() == params_.size())
        t = &(*b.grads)[indexOf(manifest_.params, a.name)];
      break;
    case ArgRole::Mask:
      t = b.mask ? b.mask : &allRows(rows);
      break;
    case ArgRole::Metric:
      if (b.metrics && b.metrics->size() == manifest_.metrics.size())
        for (size_t k = 0; k < manifest_.metrics.size(); ++k)
          if (manifest_.metrics[k].name == a.name)
            t = &(*b.metrics)[k];
      break;
    case ArgRole::Hyper:
      if (a.name == "lr") {
        t = b.lr;
        break;
      }
      for (const auto &[groupName, rate] : groupLrs_)
        if (groupName == a.name)
          t = &rate;
      if (!t)
        fail(DLNRT_INVALID_ARGUMENT,
             where() + ": unknown hyper-parameter (this runtime binds lr and "
                       "the learning rates of train.optimizer_groups)");
      break;
    case ArgRole::Rng:
      t = &rng_; // set by the caller: trainStep, evalStep, lossAndGrad
      break;
    }
    if (!t)
      fail(DLNRT_INVALID_ARGUMENT,
           where() + ": the runtime has nothing to bind it to in this call");
    // A per-slot state keeps the training batch's rows; a call sees a view
    // of its first `rows` (a partial batch, an evaluation batch).
    const bool prefix = a.role == ArgRole::State && a.batchDim.has_value();
    Shape bound = t->shape();
    if (prefix) {
      const int64_t slots = t->rank() ? t->shape()[0] : 0;
      if (slots < rows)
        fail(DLNRT_INVALID_ARGUMENT,
             where() + ": the state keeps " + std::to_string(slots) +
                 " batch slots (the training batch); this call has " +
                 std::to_string(rows) + " rows: use a batch of at most " +
                 std::to_string(slots));
      bound[0] = rows;
    }
    // The manifest fixed dtype and shape but for the batch, which is x's
    // rows throughout a call; a mismatch here would make the compiled code
    // read or write out of bounds.
    Shape expected = a.shape;
    if (a.batchDim)
      expected[*a.batchDim] = rows;
    if (t->dtype() != a.dtype || bound != expected)
      fail(DLNRT_INVALID_ARGUMENT,
           where() + ": expects " + dtypeName(a.dtype) + " " +
               formatShape(expected) + ", the runtime has " +
               dtypeName(t->dtype()) + " " + formatShape(bound));
    if (prefix) {
      args.add(*t, rows);
      continue;
    }
    args.add(*t);
  }
  e.fn(args.data());
}

void Model::setGroupLr(const std::string &name, double lr) {
  for (auto &[groupName, rate] : groupLrs_)
    if (groupName == name) {
      rate.set(0, lr);
      return;
    }
  fail(DLNRT_INVALID_ARGUMENT, "no optimizer group learning rate '" + name + "'");
}

double Model::trainStep(const std::string &entryPoint, const Tensor &x,
                        const Tensor &y, double lr, const Tensor *mask) {
  lr_.set(0, lr);
  loss_.fillZero();
  CallBindings b;
  b.mask = mask;
  b.x = &x;
  b.y = &y;
  b.lr = &lr_;
  b.loss = &loss_;
  setRngKey(rngStep_++);
  call(entryPoint, b);
  return loss_.get(0);
}

void Model::evalStep(const Tensor &x, const Tensor &y, Tensor &losses,
                     Tensor &outputs, std::vector<Tensor> *metrics) {
  // Callers that ignore metrics still have to give eval_step somewhere to
  // write them.
  std::vector<Tensor> scratch;
  if (!metrics && !manifest_.metrics.empty()) {
    scratch = makeBatchMetrics();
    metrics = &scratch;
  }
  CallBindings b;
  b.metrics = metrics;
  b.x = &x;
  b.y = &y;
  b.loss = &losses;
  b.outputs = &outputs;
  setRngKey(-1 - evalDraws_++);
  call("eval_step", b);
}

void Model::predictStep(const PredictSpec &predict, const Tensor *x,
                        Tensor &outputs) {
  CallBindings b;
  b.x = x;
  b.outputs = &outputs;
  setRngKey(-1 - evalDraws_++);
  call(predict.entryPoint, b);
}

double Model::lossAndGrad(const Tensor &x, const Tensor &y,
                          std::vector<Tensor> &grads) {
  loss_.fillZero();
  CallBindings b;
  b.x = &x;
  b.y = &y;
  b.loss = &loss_;
  b.grads = &grads;
  setRngKey(rngStep_);
  call("loss_and_grad", b);
  return loss_.get(0);
}

} // namespace dlnrt
