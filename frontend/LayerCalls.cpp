//===- LayerCalls.cpp - Applying a model's layers -------------------------===//
// `layer(x, ...)` calls: the input and the kind's extra inputs (positional or
// by name), a cell's tuple state, sequence layers (Sequences.cpp) and
// `sequential` stages. Layers.cpp holds what each kind declares and builds.
//===----------------------------------------------------------------------===//
#include "frontend/ModelGen.h"

#include "llvm/ADT/StringExtras.h"

using namespace dlnc;
using namespace mlir;

FailureOr<SampleValue> ModelGen::emitLayerCall(const CallExpr &call,
                                               const LayerInfo &info) {
  StringRef name = calleeName(call);
  ArrayRef<StringLiteral> extraNames = info.kind->extraInputs;
  SmallVector<const Expr *> slots(1 + extraNames.size(), nullptr);
  unsigned positional = llvm::count_if(
      call.args, [](const Argument &arg) { return arg.name.empty(); });
  unsigned required = 1 + info.kind->requiredExtraInputs;
  if (positional > slots.size() ||
      (positional < required && extraNames.empty()))
    return error(call.getLoc())
               << "'" << name << "' expects "
               << (slots.size() > required ? "at most " : "") << slots.size()
               << " argument(s), got " << positional,
           failure();
  unsigned next = 0;
  for (const Argument &arg : call.args) {
    if (arg.name.empty()) {
      slots[next++] = arg.value.get();
      continue;
    }
    const StringLiteral *named = llvm::find(extraNames, arg.name);
    if (named == extraNames.end()) {
      InFlightDiagnostic diag = error(arg.loc)
                                << "'" << name << "' has no argument named '"
                                << arg.name << "'";
      if (!extraNames.empty()) {
        diag << " (expected ";
        llvm::interleave(extraNames, diag, ", ");
        diag << ")";
      }
      return failure();
    }
    const Expr *&slot = slots[1 + (named - extraNames.begin())];
    if (slot)
      return error(arg.loc) << "argument '" << arg.name << "' of '" << name
                            << "' is given twice",
             failure();
    slot = arg.value.get();
  }
  for (unsigned i = 0; i < required; ++i)
    if (!slots[i])
      return error(call.getLoc())
                 << "'" << name << "' expects its "
                 << (i == 0 ? StringRef("input") : StringRef(extraNames[i - 1]))
                 << " (arguments: input, " << llvm::join(extraNames, ", ")
                 << ")",
             failure();
  // A cell whose state is a tuple (lstm_cell's (h, c)) takes it whole.
  FailureOr<SampleValue> input = info.kind->stateElements > 1
                                     ? emitExprOrTuple(*slots[0])
                                     : emitExpr(*slots[0]);
  if (failed(input))
    return failure();
  SmallVector<Value> extras;
  for (const Expr *slot : ArrayRef(slots).drop_front()) {
    if (!slot) {
      extras.push_back(Value());
      continue;
    }
    FailureOr<SampleValue> value = emitExpr(*slot);
    if (failed(value))
      return failure();
    // Extra inputs are per-sample like the input: give constants the batch.
    if (!value->batched)
      return error(slot->getLoc()) << "'" << name
                                   << "' expects per-sample values computed "
                                      "from the input here",
             failure();
    extras.push_back(value->value);
  }
  return applyLayer(info, *input, call.getLoc(), extras);
}

FailureOr<SampleValue> ModelGen::applyLayer(const LayerInfo &info,
                                            SampleValue input,
                                            llvm::SMLoc where,
                                            ArrayRef<Value> extraInputs) {
  if (info.kind->sequenceLayer)
    return applySequenceLayer(info, input, where);
  if (input.isTuple() && info.kind->stateElements == 1)
    return error(where) << "layer '" << info.kind->name
                        << "' expects a tensor, got a tuple of "
                        << input.elements.size() << " values",
           failure();
  SmallVector<Value> layerParams;
  for (unsigned index : info.paramIndices)
    layerParams.push_back(root->paramValues[index]);
  if (unsigned count = info.kind->stateElements; count > 1) {
    bool isState = input.isTuple() && input.elements.size() == count &&
                   llvm::all_of(input.elements, [](const SampleValue &e) {
                     return !e.isTuple() && e.batched;
                   });
    if (!isState)
      return error(where) << "'" << info.kind->name << "' takes its state as "
                          << "a tuple of " << count
                          << " per-sample tensors, as (h, c)",
             failure();
    SmallVector<Value> extras;
    for (const SampleValue &element : ArrayRef(input.elements).drop_front())
      extras.push_back(element.value);
    llvm::append_range(extras, extraInputs);
    if (extras.size() < count - 1 + info.kind->requiredExtraInputs)
      return error(where) << "'" << info.kind->name << "' expects its state "
                          << "and an input",
             failure();
    FailureOr<SmallVector<Value>> results = info.kind->applyState(
        LayerCall{builder, loc(where), input.elements.front().value, extras,
                  layerParams, {}, info.config, root->training, nullptr});
    if (failed(results))
      return failure();
    SampleValue state;
    for (Value result : *results)
      state.elements.push_back(SampleValue{result, true});
    return state;
  }
  if (!info.kind->acceptsClass &&
      failed(requireReal(input, where, "layer '" + info.kind->name.str() + "'")))
    return failure();
  if (info.kind->needsBatch && !input.batched)
    return error(where) << "'" << info.kind->name
                        << "' expects a per-sample image computed from the "
                           "input",
           failure();
  if (extraInputs.size() < info.kind->requiredExtraInputs)
    return error(where) << "'" << info.kind->name << "' expects "
                        << 1 + info.kind->requiredExtraInputs
                        << " arguments: it cannot be a stage of a sequential",
           failure();
  SmallVector<Value> extras(extraInputs);
  extras.resize(info.kind->extraInputs.size(), Value());
  SmallVector<Value> layerStates, newStates;
  for (unsigned index : info.stateIndices)
    layerStates.push_back(root->stateValues[index]);
  FailureOr<Value> result = info.kind->apply(
      LayerCall{builder, loc(where), input.value, extras, layerParams,
                layerStates, info.config, root->training, &newStates});
  if (failed(result))
    return failure();
  // A training application updates the states the next one sees.
  for (auto [index, value] : llvm::zip(info.stateIndices, newStates))
    root->stateValues[index] = value;
  return SampleValue{*result, input.batched};
}

FailureOr<SampleValue>
ModelGen::applySequential(ArrayRef<SequentialStage> stages, SampleValue input,
                          llvm::SMLoc where) {
  SampleValue value = input;
  for (const SequentialStage &stage : stages) {
    FailureOr<SampleValue> next;
    if (stage.layer.empty()) {
      next = applyFunction(stage.function, value, where);
    } else if (auto nested = sequentials.find(stage.layer);
               nested != sequentials.end()) {
      next = applySequential(nested->second, value, where);
    } else {
      next = applyLayer(layers.find(stage.layer)->second, value, where);
    }
    if (failed(next))
      return failure();
    value = *next;
  }
  return value;
}
