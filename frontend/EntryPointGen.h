//===- EntryPointGen.h - The functions a compiled model exports -*- C++ -*-===//
//
// Private to the frontend: ModelGen::generate drives it, EntryPointGen.cpp
// emits the training and evaluation entry points, StepBlocks.cpp those of
// `step` blocks, PredictBlocks.cpp those of predict, encode, decode and
// sample blocks.
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_FRONTEND_ENTRYPOINTGEN_H
#define DLNC_FRONTEND_ENTRYPOINTGEN_H

#include "frontend/ModelGen.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace dlnc {
// Private to the frontend's entry-point files, which all use MLIR's and the
// dialect's names unqualified.
using namespace mlir;
using namespace mlir::dln;

class EntryPointGen {
public:
  EntryPointGen(ModelGen &model, ModuleOp module)
      : model(model), context(model.context), builder(model.builder),
        module(module) {}

  /// Emits the entry points of `config` (null: evaluation only) at `batch`;
  /// returns the optimizer state the train step keeps.
  FailureOr<SmallVector<ParamInfo>> emit(const TrainConfig *config,
                                         int64_t batch, StringRef suffix);
  /// `predict[.NAME]`, `encode.NAME`, `decode.NAME`: (params, x, [rng],
  /// [states]) -> output; `sample.NAME` takes a row mask instead of x; in
  /// evaluation mode. Appends the block's description (dln.predicts) to
  /// `attrs` (PredictBlocks.cpp).
  LogicalResult emitPredict(const ModelGen::PredictBlock &predict,
                            SmallVectorImpl<Attribute> &attrs);
  /// With several optimizers, one {lr, optimizer, params} dictionary per
  /// group of the last emitted train step; null otherwise.
  ArrayAttr groupsAttr;
  /// With step blocks, one {name, entry_point, every, groups} dictionary
  /// per step of the last emitted configuration and the schedule (step
  /// names); null otherwise.
  ArrayAttr stepsAttr, stepOrderAttr;

private:
  /// (params, x, y, [mask], extraInputs...) -> results, where x, y and the
  /// mask have a dynamic batch dimension B. The mask ([B], 1 for real rows,
  /// 0 for a padded last batch's filler) weighs the batch means of training.
  func::FuncOp createFunction(StringRef name, bool masked,
                              TypeRange extraInputs, TypeRange results);
  /// The data arguments of a function createFunction made: x, y (null for
  /// a model without a label) and the mask (null unless masked).
  struct DataArgs {
    Value x, y, mask, rng;
    ValueRange states;
    /// Params and data arguments: where extra inputs start.
    unsigned end;
  };
  DataArgs dataArgs(func::FuncOp func, bool masked) {
    unsigned next = model.params.size();
    DataArgs data;
    data.x = func.getArgument(next++);
    if (model.hasLabel())
      data.y = func.getArgument(next++);
    if (masked)
      data.mask = func.getArgument(next++);
    if (model.drawsRandomNumbers)
      data.rng = func.getArgument(next++);
    data.states = func.getArguments().slice(next, model.states.size());
    next += model.states.size();
    data.end = next;
    return data;
  }
  void setRole(func::FuncOp func, unsigned index, Role role, StringRef name) {
    func.setArgAttr(index, kArgAttrName, ArgAttr::get(&context, role, name));
  }
  void setResultRole(func::FuncOp func, unsigned index, Role role,
                     StringRef name) {
    func.setResultAttr(index, kArgAttrName, ArgAttr::get(&context, role, name));
  }
  /// The params a `params = [...]` list names, by index: layers and
  /// sub-model instances give all their parameters (only their weights with
  /// `weightsOnly`), members and `param`s themselves. Empty: every param
  /// (weight).
  FailureOr<SmallVector<unsigned>> resolveParams(ArrayRef<ParamRef> refs,
                                                 bool weightsOnly);
  /// The params each optimizer group of `config` updates.
  /// With `partial` (a step block), params no group lists are left out
  /// instead of being an error.
  FailureOr<SmallVector<SmallVector<unsigned>>>
  groupParams(ArrayRef<OptimizerGroup> optimizerGroups,
              ArrayRef<unsigned> optimized, bool partial);
  /// `sum_r l1 * sum(abs(w)) + l2 * sum(w^2)` over the covered params (of
  /// those in `only`, when given: a step's group).
  FailureOr<Value> penalty(const TrainConfig &config, ValueRange params,
                           Location where,
                           std::optional<ArrayRef<unsigned>> only = {});
  /// torch.nn.utils.clip_grad_norm_: every gradient times
  /// min(1, c / (norm + 1e-6)), norm the L2 norm of all of them together.
  void clipByGlobalNorm(MutableArrayRef<Value> grads, double maxNorm,
                        Location where);
  /// The batch mean of every loss, or of a step's objective over the named
  /// losses (then penalized only over `stepParams`).
  FailureOr<func::FuncOp> emitLoss(const TrainConfig *config, int64_t batch,
                                   StringRef suffix,
                                   const TrainStep *step = nullptr,
                                   ArrayRef<unsigned> stepParams = {});
  /// A step's objective per sample: its `loss = expr` with the model's
  /// named losses bound (after the loss function's forward pass).
  FailureOr<Value> stepObjective(const TrainStep &step,
                                 const ForwardValues &forward);
  /// The params a step's optimizers update.
  FailureOr<SmallVector<unsigned>> stepParams(const TrainStep &step);
  /// One train_step entry point per step block, in `stepsAttr`.
  FailureOr<SmallVector<ParamInfo>> emitSteps(const TrainConfig &config,
                                              int64_t batch, StringRef suffix);
  LogicalResult emitEval(int64_t batch, StringRef suffix);
  void emitLossAndGrad(func::FuncOp lossFunc, int64_t batch, StringRef suffix);
  /// `train_step` of `config`, or of one of its `step` blocks; returns
  /// the optimizer state it keeps.
  FailureOr<SmallVector<ParamInfo>>
  emitTrainStep(const TrainConfig &config, func::FuncOp lossFunc,
                int64_t batch, StringRef suffix,
                const TrainStep *step = nullptr);
  Location lossLoc() {
    return model.loc(!model.lossStmts.empty() ? model.lossStmts.front()->loc
                     : model.outputStmt       ? model.outputStmt->loc
                                              : model.model.loc);
  }
  Type scalarType() { return RankedTensorType::get({}, model.elementType); }
  SmallVector<Type> paramTypes() {
    SmallVector<Type> types;
    for (const ParamInfo &param : model.params)
      types.push_back(RankedTensorType::get(param.shape, model.elementType));
    return types;
  }

  ModelGen &model;
  MLIRContext &context;
  OpBuilder &builder;
  ModuleOp module;
};
} // namespace dlnc

#endif // DLNC_FRONTEND_ENTRYPOINTGEN_H
