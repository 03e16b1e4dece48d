//===- Manifest.h - The JSON model description a compiled model carries ---===//
//
// dlnc embeds a JSON manifest (format "dlnc-model", version 3; docs/runtime.md)
// describing everything the runtime needs but the compiled code cannot tell
// it: dtype, the program's batch size, params and optimizer state with their init rules,
// inputs/labels/outputs/losses, training hyper-parameters, where the data
// lives, and for every entry point the meaning of each argument. Parsing is
// strict about the keys it knows (every error names the JSON path) and ignores
// unknown keys so newer compilers can add some without breaking older
// runtimes.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_MANIFEST_H
#define DLNRT_LIB_MANIFEST_H

#include "Schedule.h"
#include "Tensor.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dlnrt {

/// The kinds of dlnrt/InitKinds.def, shared with the compiler.
enum class InitKind {
#define DLNRT_INIT_KIND(Enumerator, spelling, argc, arg0, arg1, usesFans)      \
  Enumerator,
#include "dlnrt/InitKinds.def"
};

const char *initKindName(InitKind kind);

struct InitSpec {
  InitKind kind = InitKind::Zeros;
  double value = 0;         // constant
  double a = 0, b = 1;      // uniform bounds
  double mean = 0, std = 1; // normal
  double p = 0.5;           // bernoulli
  int64_t fanIn = 0, fanOut = 0;
};

/// A param or an optimizer-state tensor: both are model-owned, in model dtype.
struct ParamSpec {
  std::string name;
  Shape shape;
  InitSpec init;
};

/// A per-sample tensor of the model interface (output).
struct IoSpec {
  std::string name;
  Shape shape; // per sample
};

enum class LabelKind { Class, Real };

/// An input or label: a real tensor or a class index.
struct SampleSpec {
  std::string name;
  LabelKind kind = LabelKind::Class;
  int64_t numClasses = 0; // class samples only
  Shape shape; // per-sample shape; {} for class samples (one int32 per sample)
};

/// A data source: a file (csv, idx), rows in the manifest (table), or one
/// part of another source (split).
struct DataSpec {
  std::string format; // "idx", "csv", "table" or "split"
  std::string images; // idx
  std::string labels; // idx
  std::string path;   // csv
  double scale = 1.0;
  int64_t labelColumn = -1; // csv, table; negative counts from the end
  std::string labelName;    // csv: the label column's header name, if given
  char delimiter = ',';     // csv: the cell separator
  int64_t skip = 0;         // csv lines before the header
  int64_t columns = 0;      // table: numbers per row
  std::vector<double> rows; // table: row-major, a multiple of columns
  std::shared_ptr<const DataSpec> source; // split: the source it divides
  double fraction = 0.5;                  // split: share of part 0, in (0, 1)
  uint64_t splitSeed = 0;                 // split: seed of the permutation
  int64_t part = 0;                       // split: 0 (first) or 1 (the rest)
};

/// One step of `data.transforms`, applied to the features of every split.
struct TransformSpec {
  enum class Kind { Standardize, Scale, Normalize, Binarize };
  Kind kind = Kind::Scale;
  double factor = 1;        // scale
  double mean = 0, std = 1; // normalize: (x - mean) / std
  double threshold = 0;     // binarize: x > threshold
};

/// One step of `data.augment`: random per training sample and epoch.
struct AugmentSpec {
  enum class Kind { RandomCrop, RandomFlip, Noise };
  enum class PaddingMode { Zeros, Circular, Reflect };
  Kind kind = Kind::Noise;
  int64_t height = 0, width = 0; // random_crop: the window (the input's size)
  int64_t padding = 0;           // random_crop: added on every side first
  PaddingMode mode = PaddingMode::Zeros;
  bool horizontal = true, vertical = false; // random_flip
  double p = 0.5;                           // random_flip: per axis
  double std = 0;                           // noise
};

enum class ArgRole {
  Param,
  State,
  OptimizerState,
  Rng,
  Input,
  Label,
  Output,
  Loss,
  Grad,
  Hyper,
  Metric,
  Mask
};
enum class Access { Read, Write, ReadWrite };

const char *argRoleName(ArgRole role);

/// The batch dimension of an argument's shape: entry points take batches of
/// any size, the same for every batched argument of one call.
inline constexpr int64_t kAnyBatch = -1;

/// One argument of an entry point: args[i] of its `void **args`.
struct ArgSpec {
  ArgRole role = ArgRole::Param;
  std::string name;
  DType dtype = DType::F32;
  Shape shape; // kAnyBatch at batchDim
  std::optional<int64_t> batchDim; // only on batched args
  Access access = Access::Read;
};

/// A `metric` of the model: eval_step returns its per-sample values.
struct MetricSpec {
  std::string name;
  /// "accuracy" (a fraction, printed as a percentage) or "mean".
  std::string kind = "mean";
};

/// A `predict [NAME]` (`encode`, `decode`) block: its entry point maps
/// batches of its own input to its output.
struct PredictSpec {
  std::string kind = "predict"; ///< predict, encode, decode or sample
  std::string name;             ///< "" for the unnamed block
  std::string entryPoint;
  SampleSpec input; ///< none for a sample block
  /// A sample block's default number of samples (its rows are given by a
  /// row mask instead of an input).
  int64_t sampleCount = 0;
  bool isSample() const { return kind == "sample"; }
  IoSpec output;
};

struct EntryPointSpec {
  std::string name;
  /// The name in the ABI table: `name` unless a selected configuration
  /// renamed "train_step.mini_batch" to "train_step".
  std::string abiName;
  std::vector<ArgSpec> args; // in call order
};

/// The standard entry points a training configuration can remap.
inline constexpr const char *kStandardEntryPoints[] = {
    "train_step", "eval_step", "loss_and_grad"};

/// One element of `configs`: a named training configuration. configs[0] is
/// the default, which the top-level batch, train and state also describe.
/// One optimizer of a train block with several (train.optimizer_groups):
/// its learning-rate argument of train_step and the params it updates.
struct OptimizerGroupSpec {
  std::string lrName; ///< "lr" for the first group, "lr.1", ...
  double lr = 0;
  std::string kind;
  std::vector<std::string> params;
};

/// A `step` block of a train block (train.steps, docs 14.4): each training
/// iteration runs the steps of `stepOrder` on one batch, each through its
/// own train_step entry point with its own optimizers.
struct StepSpec {
  std::string name;
  std::string entryPoint; ///< "train_step.step.NAME"
  /// Runs on iterations whose index is a multiple of `every`.
  int64_t every = 1;
  /// The step's optimizers; their rates ("NAME.lr", ...) are also in
  /// optimizerGroups, where the model binds them.
  std::vector<OptimizerGroupSpec> groups;
};

struct ConfigSpec {
  std::string name;
  int64_t batch = 0;
  bool batchCoversDataset = false;
  /// train.drop_last: skip a partial last batch instead of padding it.
  bool dropLast = false;
  /// train.regularized: the objective adds weight penalties to the mean of
  /// eval_step's losses.
  bool regularized = false;
  int64_t epochs = 1;
  uint64_t seed = 0;
  int64_t logEvery = 0;
  std::string optimizer = "sgd";
  std::optional<double> lr;
  std::vector<std::pair<std::string, std::string>> optimizerOptions;
  std::optional<ScheduleSpec> lrSchedule;
  std::vector<OptimizerGroupSpec> optimizerGroups;
  std::vector<StepSpec> steps;
  std::vector<size_t> stepOrder;
  std::vector<ParamSpec> state;
  /// Standard name ("train_step") -> the entry point that implements it in
  /// this configuration ("train_step.mini_batch").
  std::vector<std::pair<std::string, std::string>> entryPoints;
};

struct Manifest {
  int version = 3;
  std::string model;
  DType dtype = DType::F32;
  /// The batch size the program asks for (entry points take any): train and
  /// eval use it unless told otherwise (--batch).
  int64_t batch = 0;
  /// `batch = all`: every training step takes the whole training split
  /// (`batch` is its size when the program was compiled).
  bool batchCoversDataset = false;
  /// train.drop_last: skip a partial last batch instead of padding it.
  bool dropLast = false;
  /// train.regularized: the objective adds weight penalties to the mean of
  /// eval_step's losses.
  bool regularized = false;
  int64_t epochs = 1;
  uint64_t seed = 0;
  int64_t logEvery = 0;
  std::string optimizer = "sgd";
  std::optional<double> lr;
  /// The optimizer's other hyperparameters as `info` prints them
  /// ({"momentum", "0.9"}, {"betas", "(0.9, 0.999)"}), in key order.
  std::vector<std::pair<std::string, std::string>> optimizerOptions;
  /// train.lr_schedule: the learning rate of each epoch from lr.
  std::optional<ScheduleSpec> lrSchedule;
  /// Several optimizers: each group's rate (the first is `lr`), and the
  /// rates of every step block's optimizers.
  std::vector<OptimizerGroupSpec> optimizerGroups;
  /// train.steps and train.step_order: indices into steps, the steps one
  /// iteration runs in order. Empty: one train_step per batch.
  std::vector<StepSpec> steps;
  std::vector<size_t> stepOrder;
  std::vector<ParamSpec> params;
  std::vector<ParamSpec> state;
  std::vector<SampleSpec> inputs;
  std::vector<SampleSpec> labels;
  /// The label binds field 0 of each sample and the input field 1 (the
  /// label was declared first: a generator from class ids to images).
  bool labelFirst = false;
  /// May be empty when the model reports metrics only.
  std::vector<IoSpec> outputs;
  /// Per-sample metric values eval_step returns, averaged over a split.
  std::vector<MetricSpec> metrics;
  /// May be empty: a model trained only by update rules reports no loss.
  std::vector<std::string> losses;
  /// Whether the manifest has a `train` object.
  bool hasTrainBlock = false;
  std::string dataDir;
  std::optional<DataSpec> train, test;
  std::vector<TransformSpec> transforms;
  /// data.augment: applied to training batches only.
  std::vector<AugmentSpec> augments;
  /// data.target_transforms = [one_hot]: the sources hold class ids that the
  /// runtime turns into one-hot rows of the label's size.
  bool oneHotTarget = false;
  std::vector<EntryPointSpec> entryPoints;
  std::vector<PredictSpec> predicts;
  std::vector<ConfigSpec> configs;
  /// The configuration in effect (configs[0] until selectConfig), "" when the
  /// manifest has no configs.
  std::string config;
  /// ABI entry points whose role a selected configuration's entry point took
  /// over: the Model leaves them unbound.
  std::vector<std::string> displacedEntryPoints;

  /// The single input/label/output the train loop, evaluation and C API use
  /// (the first of each; the parser guarantees an input, and an output
  /// unless the model has metrics). A model without a label (an
  /// autoencoder) still loads its sources' targets, as one real value per
  /// sample that no entry point reads: label() describes that.
  const SampleSpec &input() const { return inputs.front(); }
  /// The `kind` block named `name` ("" the unnamed one), or null.
  const PredictSpec *predict(const std::string &kind,
                             const std::string &name) const {
    for (const PredictSpec &p : predicts)
      if (p.kind == kind && p.name == name)
        return &p;
    return nullptr;
  }
  const SampleSpec &label() const {
    static const SampleSpec unused{"", LabelKind::Real, 0, {1}};
    return labels.empty() ? unused : labels.front();
  }
  bool hasLabel() const { return !labels.empty(); }
  const IoSpec &output() const { return outputs.front(); }
  int64_t inputSize() const { return numElements(input().shape); }
  int64_t outputSize() const { return numElements(output().shape); }
  /// Elements per sample of y: 1 for class labels.
  int64_t labelSize() const { return numElements(label().shape); }
  /// The description of entry point `name`, or null.
  const EntryPointSpec *findEntryPoint(std::string_view name) const;
  /// The description of the entry point the ABI table calls `abiName`.
  const EntryPointSpec *findAbiEntryPoint(std::string_view abiName) const;
  bool hasLoss() const { return !losses.empty(); }
  bool hasOutput() const { return !outputs.empty(); }
  /// Whether entry point `name` takes the hyper-parameter `hyper`.
  bool takesHyper(std::string_view name, std::string_view hyper) const;
};

/// Parses and validates manifest JSON; throws Error(DLNRT_INVALID_ARGUMENT,
/// "manifest: <json path>: <what>").
Manifest parseManifest(std::string_view text);

/// Makes configuration `name` the one in effect: its batch, training settings
/// and state replace the top-level ones, and the entry points it maps answer
/// to the standard names (the ones they displace are left unbound). Throws
/// UsageError naming the available configurations when there is no such
/// configuration.
void selectConfig(Manifest &m, const std::string &name);

} // namespace dlnrt

#endif // DLNRT_LIB_MANIFEST_H
