//===- Model.h - Manifest, entry-point table, params and state --*- C++ -*-===//
//
// The C++ object behind the opaque dlnrt_model handle. It owns the parameter
// and optimizer-state tensors and builds the argument list of every compiled
// entry point generically, by walking the manifest's description of that entry
// point and binding each argument by role; nothing else in the runtime builds
// memref descriptors by hand.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_MODEL_H
#define DLNRT_LIB_MODEL_H

#include "Manifest.h"
#include "Tensor.h"

#include <string>
#include <vector>

namespace dlnrt {

/// The tensors one call supplies; roles whose binding is null are unbound and
/// an entry point asking for them is an error.
struct CallBindings {
  const Tensor *x = nullptr, *y = nullptr;
  const Tensor *lr = nullptr;
  const Tensor *loss = nullptr;
  const Tensor *outputs = nullptr;
  const std::vector<Tensor> *grads = nullptr; // one per param
  const std::vector<Tensor> *metrics = nullptr; // one per manifest metric
  /// [B]: 1 for real rows, 0 for padding (null: every row is real).
  const Tensor *mask = nullptr;
};

class Model {
public:
  /// Parses abi.manifest, selects training configuration `config` (none:
  /// the default, configs[0]), resolves the entry-point table against it and
  /// allocates zeroed params and state; throws on a bad manifest or ABI, and
  /// UsageError on an unknown configuration.
  Model(const dlnrt_model_abi &abi, const dlnrt_allocator &allocator,
        const std::string &config = "");

  const Manifest &manifest() const { return manifest_; }
  const dlnrt_allocator &allocator() const { return allocator_; }
  std::vector<Tensor> &params() { return params_; }
  const std::vector<Tensor> &params() const { return params_; }
  /// Optimizer state (momentum buffers, ...), in manifest "state" order.
  std::vector<Tensor> &state() { return state_; }
  const std::vector<Tensor> &state() const { return state_; }

  /// Entry points present in the ABI table, in table order.
  const std::vector<std::string> &entryPointNames() const { return names_; }
  bool hasEntryPoint(const std::string &name) const;
  /// Name of table entry i as the ABI spells it (borrowed static data).
  const char *entryPointName(size_t i) const { return entries_[i].abiName; }
  /// Throws naming the first of `names` the model does not export.
  void requireEntryPoints(const std::vector<std::string> &names) const;

  /// The batch size B that train and eval use: the manifest's until
  /// setBatch. Entry points take batches of any size.
  int64_t batch() const { return batch_; }
  /// Throws DLNRT_INVALID_ARGUMENT unless `batch` >= 1.
  void setBatch(int64_t batch);

  /// Buffers shaped for one call of the entry points with `rows` samples
  /// (default: batch()).
  Tensor makeBatchX(int64_t rows = 0) const;
  Tensor makeBatchY(int64_t rows = 0) const;
  Tensor makeBatchLosses(int64_t rows = 0) const;
  /// [B, output dims...]; [B, 0] for a model without an output.
  Tensor makeBatchOutputs(int64_t rows = 0) const;
  /// One [B] tensor per manifest metric.
  std::vector<Tensor> makeBatchMetrics(int64_t rows = 0) const;
  /// One zeroed tensor per param, same shapes: the gradient buffers of
  /// lossAndGrad.
  std::vector<Tensor> makeGradBuffers() const;

  /// train_step: updates params and state in place, returns the batch mean
  /// loss (0 for a model without losses). `lr` is passed only when
  /// train_step takes one.
  double trainStep(const Tensor &x, const Tensor &y, double lr,
                   const Tensor *mask = nullptr) {
    return trainStep("train_step", x, y, lr, mask);
  }
  /// The same through `entryPoint`: one step block's train_step.
  double trainStep(const std::string &entryPoint, const Tensor &x,
                   const Tensor &y, double lr, const Tensor *mask = nullptr);
  /// The learning rate of optimizer group `name` ("lr.1", ...) for the
  /// following train steps; they start at the manifest's rates.
  void setGroupLr(const std::string &name, double lr);
  /// eval_step: per-sample losses [B] (left as they are by a model without
  /// losses), outputs [B, output dims...] and, when `metrics` is given,
  /// per-sample metric values (makeBatchMetrics).
  void evalStep(const Tensor &x, const Tensor &y, Tensor &losses,
                Tensor &outputs, std::vector<Tensor> *metrics = nullptr);
  /// A predict (encode, decode) block's entry point: outputs [B, output
  /// dims...] for its input x, drawing as eval_step does; a sample block's
  /// takes no x and draws outputs.shape()[0] samples.
  void predictStep(const PredictSpec &predict, const Tensor *x,
                   Tensor &outputs);
  /// loss_and_grad: returns the batch mean loss and writes grads (one per
  /// param).
  double lossAndGrad(const Tensor &x, const Tensor &y,
                     std::vector<Tensor> &grads);

  /// The key of the random draws (dropout, noise, ...) of the next calls:
  /// train_step and loss_and_grad draw with (seed, step), and each
  /// train_step advances the step; eval_step draws with (seed, -1 - k) for
  /// its k-th call since resetEvalRng, so evaluation is repeatable.
  /// The seed starts as the configuration's.
  void setRngSeed(uint64_t seed) { rngSeed_ = seed; }
  void setRngStep(int64_t step) { rngStep_ = step; }
  int64_t rngStep() const { return rngStep_; }
  void resetEvalRng() { evalDraws_ = 0; }
  /// Whether `entryPoint` takes an argument of `role`: an rng key (it draws
  /// random numbers), model state (batch norm's statistics), ...
  bool takesRole(const std::string &entryPoint, ArgRole role) const;

  /// Calls entry point `name` with arguments bound from `b` and the model's
  /// own params and state. Every batched argument must have the same number
  /// of rows (x's).
  void call(const std::string &name, const CallBindings &b);

private:
  struct Entry {
    std::string name;
    const char *abiName;
    dlnrt_entry_fn fn;
    const EntryPointSpec *spec;
  };
  const Entry &entry(const std::string &name) const;

  dlnrt_allocator allocator_;
  Manifest manifest_;
  std::vector<Entry> entries_;
  std::vector<std::string> names_;
  std::vector<Tensor> params_, state_;
  /// `rows`, or the model's batch when 0.
  int64_t rowsOr(int64_t rows) const { return rows > 0 ? rows : batch_; }
  /// [rows] ones: the mask of a batch without padding.
  const Tensor &allRows(int64_t rows);

  int64_t batch_ = 0;
  Tensor lr_, loss_; // rank-0 scratch for train_step/loss_and_grad
  /// i64 [2]: (seed, step) of the call being made.
  Tensor rng_;
  void setRngKey(int64_t step);
  uint64_t rngSeed_ = 0;
  int64_t rngStep_ = 0, evalDraws_ = 0;
  Tensor allRows_;   // ones, grown to the largest batch seen
  /// The other optimizer groups' learning rates, by argument name.
  std::vector<std::pair<std::string, Tensor>> groupLrs_;
};

} // namespace dlnrt

#endif // DLNRT_LIB_MODEL_H
