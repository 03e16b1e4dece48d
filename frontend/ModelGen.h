//===- ModelGen.h - A model block's declarations and computation -*- C++ -*-===//
//
// ModelGen reads the root model's declarations once (input, label, params,
// consts, layers, losses, metrics, update rules) and then emits its
// computation wherever an entry point needs it: the forward pass with its
// per-sample losses, and the right-hand sides of update rules. Every op's
// type is inferred as it is built, so shape errors are reported at their
// .dln source locations. EntryPointGen.cpp builds the functions.
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_FRONTEND_MODELGEN_H
#define DLNC_FRONTEND_MODELGEN_H

#include "frontend/AST.h"
#include "frontend/ConstantEval.h"
#include "frontend/Layers.h"
#include "frontend/PerSampleOps.h"
#include "frontend/RecipeGen.h"

#include "dialects/DLN/IR/DLNAttrs.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <functional>
#include <memory>

namespace dlnc {

/// A trainable tensor and how the runtime initializes it.
struct ParamInfo {
  std::string name;
  llvm::SmallVector<int64_t> shape;
  mlir::dln::InitAttr init;
  /// A `state` declared in the model: one copy per batch slot (docs 7.5),
  /// so its tensors lead with the batch dimension.
  bool perSlot = false;
};

/// A layer instance: applying it reuses its parameters (weight sharing).
struct LayerInfo {
  const LayerKind *kind;
  llvm::SmallVector<unsigned> paramIndices;
  LayerConfig config;
  /// Its states (batch norm's running statistics), in the root's `states`.
  llvm::SmallVector<unsigned> stateIndices;
};

/// A `const`: a literal tensor compiled into the code.
struct ConstInfo {
  llvm::SmallVector<int64_t> shape;
  llvm::SmallVector<double> values;
  /// A value computed from constants (`1.0 - eye(96)`), emitted where the
  /// const is used; null for a literal.
  const Expr *expr = nullptr;
};

/// `update TARGET = expr` of a param.
struct UpdateRule {
  const Stmt *stmt;
  /// Index in `params`, or in `states` for a per-slot state target.
  unsigned paramIndex;
  bool isState = false;
};

/// A function-valued model parameter (`model tower(act)`): a builtin's name
/// or a lambda, which is evaluated in the scope that wrote it.
struct FunctionValue {
  std::string builtin;
  const LambdaExpr *lambda = nullptr;
  class ModelGen *scope = nullptr;
  /// A `fn NAME(params) { ... }` helper of the model `scope`.
  const Block *helper = nullptr;
};

/// One element of a `sequential` layer: a layer of the model (by name) or a
/// function.
struct SequentialStage {
  std::string layer;
  FunctionValue function;
};

/// What one forward pass computed.
struct ForwardValues {
  mlir::Value output;        ///< batched
  mlir::Value perSampleLoss; ///< [batch], the sum of all losses; null if none
  /// Each loss statement's per-sample value ([batch]) by name ("loss" for
  /// an unnamed one): the terms `step` blocks choose from.
  llvm::SmallVector<std::pair<std::string, mlir::Value>> namedLosses;
  /// Per-sample values ([batch]) of the `metric` statements, by name.
  llvm::SmallVector<std::pair<std::string, mlir::Value>> metrics;
  /// New values of the update rules' targets (by param index), batch means.
  llvm::SmallVector<std::pair<unsigned, mlir::Value>> updates;
  /// New values of per-slot states with update rules (by index in
  /// `states`), one row per batch slot.
  llvm::SmallVector<std::pair<unsigned, mlir::Value>> stateRuleUpdates;
  /// New values of the model states a training forward pass changed (by
  /// index in `states`).
  llvm::SmallVector<std::pair<unsigned, mlir::Value>> stateUpdates;
};

/// Whether any model block draws random numbers in its computation
/// (dropout, noise, bernoulli, ...): then every entry point takes an rng key.
bool modelsDrawRandomNumbers(const llvm::StringMap<const Block *> &models);

class ModelGen {
public:
  /// The root model; `models` holds every model block of the file by name
  /// (sub-models are instantiated from it).
  ModelGen(mlir::MLIRContext &context, llvm::SourceMgr &sourceMgr,
           const Block &model, const llvm::StringMap<const Block *> &models);

  /// Reads the declarations; fails after a located error.
  mlir::LogicalResult declare();

  /// Emits every entry point of every train configuration (or the eval
  /// entry point alone without one) and the model attributes.
  mlir::LogicalResult generate(mlir::ModuleOp module, const Recipe &recipe);

private:
  friend class EntryPointGen;

  mlir::Location loc(llvm::SMLoc where);
  mlir::InFlightDiagnostic error(llvm::SMLoc where);

  /// A sub-model instance `layer NAME = model_name(args)` of `parent`.
  ModelGen(ModelGen &parent, const Block &model, std::string prefix);
  mlir::LogicalResult declareSubModel(const Stmt &stmt, const CallExpr &call,
                                      const Block &block);
  /// Binds the block parameters of a sub-model instance to the call's
  /// arguments, evaluated in `caller`.
  mlir::LogicalResult bindModelParams(const CallExpr &call, ModelGen &caller);
  /// Emits the instance's computation on `inputs`; returns its output.
  mlir::FailureOr<SampleValue> emitInstance(const CallExpr &call,
                                            llvm::ArrayRef<SampleValue> inputs);
  /// Calls a function-valued parameter.
  mlir::FailureOr<SampleValue> emitFunctionCall(const CallExpr &call,
                                                const FunctionValue &function);
  /// Emits `let`, `output` (and, for the root, `loss`) statements.
  mlir::LogicalResult emitBody(ForwardValues &forward);
  bool isRoot() const { return root == this; }
  llvm::SmallVector<ParamInfo> &allParams() { return root->params; }

  mlir::LogicalResult declareStatement(const Stmt &stmt);
  mlir::LogicalResult declareSample(const Stmt &stmt);
  /// `layer NAME = kind(...)`; `layerName` prefixes its parameters' names.
  mlir::LogicalResult declareLayer(llvm::StringRef layerName,
                                   const Expr &expr);
  /// `layer NAME = sequential(f1, f2, ...)`: its layer constructors become
  /// layers "NAME.<i>".
  mlir::LogicalResult declareSequential(llvm::StringRef layerName,
                                        const CallExpr &call);
  /// Applies layer `info` (at `where`) to `input` and the kind's extra
  /// inputs (null where an optional one is not given).
  mlir::FailureOr<SampleValue>
  applyLayer(const LayerInfo &info, SampleValue input, llvm::SMLoc where,
             llvm::ArrayRef<mlir::Value> extraInputs = {});
  /// `layer(x, ...)`: the input, then the kind's extra inputs, positional or
  /// by name.
  mlir::FailureOr<SampleValue> emitLayerCall(const CallExpr &call,
                                             const LayerInfo &info);
  /// Applies a sequential layer's stages in order.
  mlir::FailureOr<SampleValue>
  applySequential(llvm::ArrayRef<SequentialStage> stages, SampleValue input,
                  llvm::SMLoc where);
  /// `fn NAME(params) [-> type] { ... }` nested in the model (7.8).
  mlir::LogicalResult declareHelper(const Stmt &stmt);
  /// Calls helper `fn` on `args`: its body sees its parameters and the
  /// model's layers, parameters and constants, not the model's `let`s.
  mlir::FailureOr<SampleValue> applyHelper(const Block &fn,
                                           llvm::ArrayRef<SampleValue> args,
                                           llvm::SMLoc where);
  /// Checks `value` against a declared per-sample type (`f32[latent]`).
  mlir::LogicalResult checkSampleType(const TypeNode &type, SampleValue value,
                                      llvm::StringRef what, llvm::SMLoc where);
  /// Calls a function value on `args`.
  mlir::FailureOr<SampleValue> applyFunction(const FunctionValue &function,
                                             llvm::ArrayRef<SampleValue> args,
                                             llvm::SMLoc where);
  mlir::LogicalResult declareParam(const Stmt &stmt);
  mlir::LogicalResult declareConst(const Stmt &stmt);
  mlir::LogicalResult declareUpdate(const Stmt &stmt);
  /// The per-sample value of a `metric` statement: accuracy(z, y) as 0/1
  /// per sample, or any per-sample scalar.
  mlir::FailureOr<mlir::Value> emitMetric(const Stmt &stmt);
  mlir::FailureOr<mlir::Value> emitAccuracy(const CallExpr &call);
  mlir::LogicalResult checkNewName(const Stmt &stmt, llvm::StringRef name);
  std::optional<mlir::dln::InitAttr> parseInit(const Expr *expr, int64_t fanIn,
                                               int64_t fanOut);
  mlir::FailureOr<mlir::Type> elementTypeOf(const TypeNode &type);
  /// The dimensions of `type`: integers, integer model parameters, and with
  /// `allowDynamic` `?` (kDynamic).
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  staticDims(const TypeNode &type, bool allowDynamic = false);

  /// A `predict [NAME]` (`encode`, `decode`) block of the root model
  /// (PredictBlocks.cpp).
  struct PredictBlock {
    const Block *block = nullptr;
    const Stmt *input = nullptr, *output = nullptr;
    bool inputIsClass = false;
    llvm::SmallVector<int64_t> inputShape; // per sample, real inputs
    /// A `sample NAME(n = 64)` block: no input, and n rows by default.
    int64_t sampleCount = 0;
    bool isSample() const { return block->keyword == "sample"; }
  };
  mlir::LogicalResult declarePredict(const Stmt &stmt);
  /// The block input's batched type (dynamic batch).
  mlir::RankedTensorType predictInputType(const PredictBlock &predict) const;
  /// Emits the block in evaluation mode; returns its output.
  mlir::FailureOr<mlir::Value> emitPredictBody(const PredictBlock &predict,
                                               mlir::ValueRange params,
                                               mlir::ValueRange states,
                                               mlir::Value x, mlir::Value rng);

  /// Autoencoders and generators declare no label: their entry points take
  /// no y.
  bool hasLabel() const { return !labelName.empty(); }

  /// The types of the model states (root only).
  llvm::SmallVector<mlir::Type> stateTypes() const;

  /// The batched type of the input or label.
  mlir::RankedTensorType inputType(int64_t batch) const;
  mlir::RankedTensorType labelType(int64_t batch) const;

  /// Emits the forward pass at the builder's insertion point; with
  /// `withUpdates` also the update rules' new values. `rng` is the entry
  /// point's key (null when nothing draws); `training` turns dropout and
  /// noise on.
  /// `mask` ([batch]: 1 for real rows, 0 for padding) weighs the update
  /// rules' batch means; it may be null without `withUpdates`. Metrics are
  /// emitted only `withMetrics` (eval_step reports them).
  mlir::FailureOr<ForwardValues> emitForward(mlir::ValueRange params,
                                             mlir::ValueRange states,
                                             mlir::Value x, mlir::Value y,
                                             mlir::Value rng, bool training,
                                             bool withUpdates,
                                             mlir::Value mask = nullptr,
                                             bool withMetrics = false);
  /// A tensor value; a tuple is a located error.
  mlir::FailureOr<SampleValue> emitExpr(const Expr &expr);
  /// A tensor or a tuple (`(h, c)`, a name bound to one, a call returning
  /// one), where a tuple can go: bindings, function arguments and results,
  /// a scan's carries, a cell's state.
  mlir::FailureOr<SampleValue> emitExprOrTuple(const Expr &expr);
  mlir::FailureOr<SampleValue> emitCall(const CallExpr &call);
  /// `concat(a, b, ..., axis = k)` along a per-sample axis.
  mlir::FailureOr<SampleValue> emitConcat(const CallExpr &call);
  mlir::FailureOr<SampleValue> emitBinary(const BinaryExpr &binary);
  mlir::FailureOr<SampleValue> emitIdentifier(const IdentifierExpr &name);
  /// `layer.w`, `layer.weight`, ...: a layer's parameter value.
  mlir::FailureOr<SampleValue> emitMember(const MemberExpr &member);
  /// `kl_sparsity(h, rho, beta)`: a batch-level loss, given to every row
  /// (BatchLevelLosses.cpp).
  mlir::FailureOr<SampleValue> emitKlSparsity(const CallExpr &call);
  /// The values a `let`/`output` statement binds, by name: one, or one per
  /// element of `let (a, b) = (e1, e2)`.
  mlir::FailureOr<llvm::SmallVector<std::pair<std::string, SampleValue>>>
  evaluateBinding(const Stmt &stmt);
  /// evaluateBinding, then each name defined in `values` (a name defined
  /// before is a located error).
  mlir::FailureOr<llvm::SmallVector<std::pair<std::string, SampleValue>>>
  defineBinding(const Stmt &stmt);
  /// `for i in range(k) { ... }` (BoundedLoops.cpp): the compile-time
  /// bounds, a check of the body at declaration, and the unrolled body.
  mlir::FailureOr<std::pair<int64_t, int64_t>> loopBounds(const Stmt &loop);
  mlir::LogicalResult checkLoopBody(const std::vector<Stmt> &body);
  mlir::LogicalResult emitLoop(const Stmt &loop);
  /// The mean over the batch's real rows (`mask`) of `expr` evaluated per
  /// sample, distributed over sums and constant factors, with outer
  /// products as matrix products (BatchMeans.cpp).
  mlir::FailureOr<mlir::Value> emitBatchMean(const Expr &expr,
                                             mlir::Value mask);
  /// `reshape(x, [d...])` per sample.
  mlir::FailureOr<SampleValue> emitReshape(const CallExpr &call);
  /// `one_hot(c)`: a class index to an f32[N] row.
  mlir::FailureOr<SampleValue> emitOneHot(const CallExpr &call);
  /// A const declared by an expression over constants, emitted at a use.
  mlir::FailureOr<SampleValue> emitConstExpression(llvm::StringRef name,
                                                   const ConstInfo &info,
                                                   llvm::SMLoc use);
  /// `x[i]`, `x[a..b]`, `x[all, j]` with constant indices (Indexing.cpp).
  mlir::FailureOr<SampleValue> emitIndex(const IndexExpr &index);
  /// gibbs, free_energy, pseudo_log_likelihood (EnergyBuiltins.cpp);
  /// std::nullopt for another name.
  static bool isEnergyBuiltin(llvm::StringRef name);
  std::optional<mlir::FailureOr<SampleValue>>
  emitEnergyBuiltin(const CallExpr &call);
  mlir::FailureOr<SampleValue> emitGibbsSweep(const CallExpr &call,
                                              llvm::ArrayRef<SampleValue> operands,
                                              const Argument *clampArg);
  mlir::FailureOr<SampleValue> emitFreeEnergy(SampleValue v, SampleValue w,
                                              SampleValue bv, SampleValue bh,
                                              mlir::Location where);
  /// A uniform draw in [0, 1) shaped like `like`, from the stream of the
  /// call at `site` in the current draw scope, told apart by `tag`
  /// (RandomCalls.cpp).
  mlir::Value drawUniformLike(mlir::Value like, llvm::SMLoc site,
                              llvm::StringRef tag);
  /// The static shape of a `param` or `state` declaration (`what`), whose
  /// element type must be the model's.
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  declaredShape(const Stmt &stmt, llvm::StringRef what);
  /// `state NAME: type = init` (root only; PersistentState.cpp).
  mlir::LogicalResult declareState(const Stmt &stmt);
  /// Makes the per-slot states visible by name, bound to their arguments.
  void bindSlotStates(mlir::ValueRange stateArgs);
  /// The new value of a per-slot state's update rule, checked against its
  /// shape.
  mlir::FailureOr<mlir::Value> emitStateUpdate(const UpdateRule &rule);
  /// `zeros(d...)`, `ones(d...)`, `full(v, d...)`, `eye(n)`: constants,
  /// unbatched (TensorConstructors.cpp).
  static bool isTensorConstructor(llvm::StringRef name);
  mlir::FailureOr<SampleValue> emitTensorConstructor(const CallExpr &call);
  /// A located error when `value` is a class index where `what` needs real
  /// numbers (a layer's input, an operand of arithmetic or a builtin).
  mlir::LogicalResult requireReal(SampleValue value, llvm::SMLoc where,
                                  llvm::StringRef what);
  /// `outer`, `transpose`, `sum`, `mean`, `matmul`: builtins whose meaning
  /// depends on the batch dimension. Null when `call` is none of them.
  std::optional<mlir::FailureOr<SampleValue>>
  emitPerSampleBuiltin(const CallExpr &call);
  /// dropout, noise and random draws (RandomCalls.cpp). Null when `call` is
  /// none of them.
  std::optional<mlir::FailureOr<SampleValue>>
  emitRandomCall(const CallExpr &call);
  mlir::Value scalar(llvm::SMLoc where, double value);

  /// scan, unroll, last, first, reverse (Sequences.cpp); null when `call`
  /// is none of them.
  std::optional<mlir::FailureOr<SampleValue>>
  emitSequenceBuiltin(const CallExpr &call);
  /// A function argument (a layer, fn, function parameter, builtin or
  /// lambda) as something to apply to values.
  using Callable = std::function<mlir::FailureOr<SampleValue>(
      llvm::ArrayRef<SampleValue>, llvm::SMLoc)>;
  mlir::FailureOr<Callable> resolveCallable(const Expr &expr);
  /// A batched real value with a time axis (per-sample axis 0); `what`
  /// names the consumer in errors.
  mlir::FailureOr<SampleValue> emitSequence(const Expr &expr,
                                            llvm::StringRef what);
  /// `scan(f, xs, init = c0)` or `unroll(f, c0, steps = T)`.
  mlir::FailureOr<SampleValue> emitScan(const CallExpr &call);
  /// One dln.scan of `step` (written at `stepLoc`) from `init` over `xs`
  /// (null: `steps` steps without input); returns the carries stacked.
  mlir::FailureOr<SampleValue>
  emitLoopOverTime(const Callable &step, llvm::SMLoc stepLoc,
                   const SampleValue &init, const SampleValue *xs,
                   int64_t steps, llvm::SMLoc where);
  /// An rnn, lstm or gru layer (Layers.h) over the sequence `xs`.
  mlir::FailureOr<SampleValue> applySequenceLayer(const LayerInfo &info,
                                                  SampleValue xs,
                                                  llvm::SMLoc where);
  /// requireReal for every tensor of a (possibly tuple) carry.
  mlir::LogicalResult requireRealLeaves(const SampleValue &value,
                                        llvm::SMLoc where);
  /// `last(xs)` or `first(xs)`.
  mlir::FailureOr<SampleValue> emitTimeStep(const CallExpr &call, bool last);

  mlir::MLIRContext &context;
  llvm::SourceMgr &sourceMgr;
  mlir::OpBuilder ownBuilder;
  mlir::OpBuilder &builder; ///< the root's, shared by its sub-models
  const Block &model;
  ModelGen *root;
  const llvm::StringMap<const Block *> &models;
  /// "" for the root, "down1." for an instance: its params' name prefix.
  std::string prefix;
  llvm::StringMap<std::unique_ptr<ModelGen>> subModels;
  llvm::StringMap<FunctionValue> functionParams;
  /// The helpers being emitted, to reject recursion.
  llvm::SmallPtrSet<const Block *, 4> activeHelpers;

  mlir::Type elementType;
  std::string inputName, labelName, outputName;
  llvm::SmallVector<int64_t> inputShape, labelShape; // per sample
  bool labelIsClass = false;
  /// `input c: class[N]` (root only): the input is a class index, an i32
  /// per sample, that `one_hot(c)` turns into features.
  bool inputIsClass = false;
  /// The label was declared before the input: it binds field 0 of each
  /// sample and the input field 1 (docs/language.md 7.1).
  bool labelFirst = false;
  /// The class count of the model's `class[N]` input or label (one N per
  /// model).
  int64_t numClasses = 0;
  /// Every parameter of the root and its sub-models (root only).
  llvm::SmallVector<ParamInfo> params;
  /// Tensors the forward pass itself updates in training (root only):
  /// batch norm's running statistics. Checkpoints hold them; optimizers do
  /// not touch them.
  llvm::SmallVector<ParamInfo> states;
  llvm::StringMap<unsigned> explicitParams; // `param` name -> global index
  llvm::StringMap<unsigned> explicitStates; // `state` name -> index in states
  /// Consts whose expression is being emitted: a use inside is a cycle.
  llvm::StringSet<> constsInProgress;
  llvm::StringMap<LayerInfo> layers;
  llvm::StringMap<llvm::SmallVector<SequentialStage>> sequentials;
  llvm::StringMap<ConstInfo> consts;
  ConstantBindings modelParams; // `model m(lr = 0.1)`
  llvm::StringMap<llvm::SMLoc> declaredNames;
  const Stmt *outputStmt = nullptr;
  llvm::SmallVector<PredictBlock> predicts; // root only, in source order
  llvm::SmallVector<const Stmt *> lossStmts;
  llvm::SmallVector<UpdateRule> updates;
  /// Root only: entry points take an rng key (modelsDrawRandomNumbers).
  bool drawsRandomNumbers = false;

  // Per-function state of emitForward.
  llvm::StringMap<SampleValue> values;
  bool emittingMetrics = false;
  llvm::SmallVector<mlir::Value> paramValues; // root only
  /// Root only: the states' current values, replaced as training
  /// applications update them.
  llvm::SmallVector<mlir::Value> stateValues;
  mlir::Value rngKey;    // root only: the entry point's (seed, step)
  /// Root only: the loss function's [batch] mask of real rows (null in the
  /// other entry points, whose batches have no padding).
  mlir::Value rowMask;
  /// Root only: a value whose dimension 0 is the entry point's batch size
  /// (x, or a sample block's row mask), for draws with a `shape`.
  mlir::Value batchCarrier;
  /// Root only: where the draws being emitted are (loop iterations, helper
  /// call sites), mixed into their streams so that each draws anew.
  std::string drawScope;
  bool training = false; // root only: dropout and noise are on
};

} // namespace dlnc

#endif // DLNC_FRONTEND_MODELGEN_H
