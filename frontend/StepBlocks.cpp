//===- StepBlocks.cpp - The entry points of `step` blocks -----------------===//
//
// A train block with `step NAME { loss = expr  optimizer = ... }` blocks
// (docs 14.4) gets one `train_step[.CONFIG].step.NAME` per step instead of
// one `train_step`: a private loss function minimizing the step's objective
// over the model's named losses, differentiated only with respect to the
// step's parameter group, whose optimizer state and learning rates carry
// the step's name. The runtime runs them in the schedule's order.
//
//===----------------------------------------------------------------------===//
#include "frontend/EntryPointGen.h"

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

FailureOr<Value> EntryPointGen::stepObjective(const TrainStep &step,
                                              const ForwardValues &forward) {
  for (const auto &[name, value] : forward.namedLosses)
    if (!model.values.try_emplace(name, SampleValue{value, true}).second)
      return model.error(step.objective->getLoc())
                 << "the loss '" << name
                 << "' has the name of another value of model '"
                 << model.model.name << "': rename one of them",
             failure();
  FailureOr<SampleValue> chosen = model.emitExpr(*step.objective);
  if (failed(chosen))
    return failure();
  if (!chosen->batched ||
      cast<RankedTensorType>(chosen->value.getType()).getRank() != 1)
    return model.error(step.objective->getLoc())
               << "step '" << step.name
               << "' must minimize a scalar per sample: a named loss of the "
                  "model, or arithmetic over them",
           failure();
  return chosen->value;
}

FailureOr<SmallVector<unsigned>>
EntryPointGen::stepParams(const TrainStep &step) {
  SmallVector<unsigned> trainable;
  for (unsigned i = 0; i < model.params.size(); ++i)
    trainable.push_back(i);
  FailureOr<SmallVector<SmallVector<unsigned>>> groups =
      groupParams(step.groups, trainable, /*partial=*/true);
  if (failed(groups))
    return failure();
  SmallVector<unsigned> all;
  for (const SmallVector<unsigned> &group : *groups)
    llvm::append_range(all, group);
  llvm::sort(all);
  return all;
}

FailureOr<SmallVector<ParamInfo>>
EntryPointGen::emitSteps(const TrainConfig &config, int64_t batch,
                         StringRef suffix) {
  // Update rules would need their own pass after the iteration's last
  // step (14.4).
  if (!model.updates.empty())
    return model.error(model.updates.front().stmt->loc)
               << "update rules together with step blocks are not supported "
                  "by this compiler version",
           failure();
  SmallVector<ParamInfo> optimizerState;
  SmallVector<Attribute> steps;
  llvm::SmallDenseMap<unsigned, const TrainStep *> updater;
  for (const TrainStep &step : config.steps) {
    std::string stepSuffix = (suffix + ".step." + step.name).str();
    FailureOr<SmallVector<unsigned>> updated = stepParams(step);
    if (failed(updated))
      return failure();
    if (updated->empty())
      return model.error(step.loc) << "step '" << step.name
                                   << "' updates no parameter",
             failure();
    // Two steps moving one parameter is usually a mistyped group.
    for (unsigned i : *updated) {
      auto [it, first] = updater.try_emplace(i, &step);
      if (!first && !step.sharesParams && !it->second->sharesParams)
        return model.error(step.groups.front().loc)
                   << "step '" << step.name << "' updates '"
                   << model.params[i].name << "', which step '"
                   << it->second->name
                   << "' updates too: say 'shares_params = true' in one of "
                      "them if that is intended",
               failure();
    }
    FailureOr<func::FuncOp> lossFunc =
        emitLoss(&config, batch, stepSuffix, &step, *updated);
    if (failed(lossFunc))
      return failure();
    FailureOr<SmallVector<ParamInfo>> state =
        emitTrainStep(config, *lossFunc, batch, stepSuffix, &step);
    if (failed(state))
      return failure();
    llvm::append_range(optimizerState, *state);
    steps.push_back(builder.getDictionaryAttr(
        {builder.getNamedAttr("name", builder.getStringAttr(step.name)),
         builder.getNamedAttr("entry_point",
                              builder.getStringAttr("train_step" + stepSuffix)),
         builder.getNamedAttr("every", builder.getI64IntegerAttr(step.every)),
         builder.getNamedAttr("groups", groupsAttr)}));
  }
  SmallVector<Attribute> order;
  for (unsigned index : config.stepOrder)
    order.push_back(builder.getStringAttr(config.steps[index].name));
  groupsAttr = nullptr;
  stepsAttr = builder.getArrayAttr(steps);
  stepOrderAttr = builder.getArrayAttr(order);
  return optimizerState;
}
