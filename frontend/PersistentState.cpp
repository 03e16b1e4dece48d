//===- PersistentState.cpp - `state` declarations and their updates -------===//
//
// `state NAME: type = init` (docs 7.5) is a non-gradient value with one copy
// per batch slot: the persistent chains of PCD keep one fantasy particle per
// row. It is a model state whose tensors lead with the batch dimension
// (`?` in the entry points; the runtime keeps the training batch's rows and
// passes a call its first rows), read by name like a per-sample value and
// changed only by `update` rules, row by row, in training steps.
//
//===----------------------------------------------------------------------===//

#include "frontend/ModelGen.h"

#include "frontend/PerSampleOps.h"

#include "dialects/DLN/IR/DLNComposites.h"

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

LogicalResult ModelGen::declareState(const Stmt &stmt) {
  if (!isRoot())
    return error(stmt.loc) << "a state in a sub-model is not supported by "
                              "this compiler version: declare it in the "
                              "root model";
  FailureOr<SmallVector<int64_t>> shape = declaredShape(stmt, "state");
  if (failed(shape))
    return failure();
  InitAttr init = InitAttr::get(&context, "zeros", 1, 1, {});
  if (stmt.value) {
    std::optional<InitAttr> parsed = parseInit(stmt.value.get(), 1, 1);
    if (!parsed)
      return failure();
    init = *parsed;
  }
  explicitStates[stmt.name()] = states.size();
  ParamInfo state{stmt.name(), *shape, init};
  state.perSlot = true;
  states.push_back(std::move(state));
  return success();
}

void ModelGen::bindSlotStates(ValueRange stateArgs) {
  for (auto [state, value] : llvm::zip_equal(states, stateArgs))
    if (state.perSlot)
      values[state.name] = {value, true};
}

FailureOr<Value> ModelGen::emitStateUpdate(const UpdateRule &rule) {
  const ParamInfo &state = states[rule.paramIndex];
  FailureOr<SampleValue> value = emitExpr(*rule.stmt->value);
  if (failed(value) ||
      failed(requireReal(*value, rule.stmt->value->getLoc(), "an update")))
    return failure();
  auto type = cast<RankedTensorType>(value->value.getType());
  ArrayRef<int64_t> sample = type.getShape().drop_front(value->batched);
  if (sample != ArrayRef<int64_t>(state.shape))
    return error(rule.stmt->value->getLoc())
               << "update of state '" << state.name << "' ("
               << shapeString(elementType, state.shape)
               << " per batch slot) computes a value of "
               << shapeString(elementType, sample),
           failure();
  if (value->batched)
    return value->value;
  // The same value for every slot.
  return spreadOverBatch(builder, loc(rule.stmt->loc), value->value,
                         batchCarrier);
}
