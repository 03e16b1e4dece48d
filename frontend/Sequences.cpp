//===- Sequences.cpp - scan, unroll, last, first, reverse over time -------===//
//
// docs/language.md 10.1. A sequence is a per-sample tensor whose first axis
// is time (f32[28, 28]: 28 steps of 28 features), so [batch, T, ...] once
// batched. `scan(f, xs, init = c0)` and `unroll(f, c0, steps = T)` build
// one `dln.scan` whose body is f applied once to (carry, x_t) or (carry): a
// loop in the IR, not T copies of the cell. `f` is a layer (a cell), a `fn`
// helper, a function-valued model parameter or a lambda; a carry may be a
// tuple, flattened into the scan's carries, and the result is shaped like
// it: each element stacked over time.
//
//===----------------------------------------------------------------------===//
#include "frontend/Builtins.h"
#include "frontend/ModelGen.h"

#include "dialects/DLN/IR/DLNComposites.h"
#include "dialects/DLN/IR/DLNConvolutions.h"
#include "dialects/DLN/IR/DLNOps.h"
#include "dialects/DLN/IR/DLNRecurrent.h"

#include <cmath>

using namespace mlir;
using namespace dlnc;

FailureOr<ModelGen::Callable> ModelGen::resolveCallable(const Expr &expr) {
  if (auto *lambda = dyn_cast<LambdaExpr>(&expr)) {
    FunctionValue function{"", lambda, this, nullptr};
    return Callable([this, function](ArrayRef<SampleValue> args,
                                     llvm::SMLoc where) {
      return applyFunction(function, args, where);
    });
  }
  auto *name = dyn_cast<IdentifierExpr>(&expr);
  if (!name)
    return error(expr.getLoc())
               << "expected a function: a layer, a fn, or fn(c, x) => ...",
           failure();
  auto layer = layers.find(name->name);
  if (layer != layers.end()) {
    const LayerInfo *info = &layer->second;
    return Callable([this, info](ArrayRef<SampleValue> args,
                                 llvm::SMLoc where) -> FailureOr<SampleValue> {
      SmallVector<Value> extras;
      for (const SampleValue &arg : args.drop_front()) {
        if (arg.isTuple() || !arg.batched)
          return error(where) << "layer '" << info->kind->name
                              << "' expects per-sample tensors after its "
                                 "first argument",
                 failure();
        extras.push_back(arg.value);
      }
      if (extras.size() > info->kind->extraInputs.size())
        return error(where) << "layer '" << info->kind->name << "' takes "
                            << 1 + info->kind->extraInputs.size()
                            << " argument(s), got " << args.size(),
               failure();
      return applyLayer(*info, args.front(), where, extras);
    });
  }
  auto function = functionParams.find(name->name);
  if (function != functionParams.end()) {
    FunctionValue value = function->second;
    return Callable([this, value](ArrayRef<SampleValue> args,
                                  llvm::SMLoc where) {
      return applyFunction(value, args, where);
    });
  }
  if (lookupBuiltin(name->name)) {
    FunctionValue value{name->name, nullptr, this, nullptr};
    return Callable([this, value](ArrayRef<SampleValue> args,
                                  llvm::SMLoc where) {
      return applyFunction(value, args, where);
    });
  }
  return error(expr.getLoc()) << "'" << name->name
                              << "' is not a layer or a function",
         failure();
}

FailureOr<SampleValue> ModelGen::emitSequence(const Expr &expr,
                                              StringRef what) {
  FailureOr<SampleValue> xs = emitExpr(expr);
  if (failed(xs) || failed(requireReal(*xs, expr.getLoc(), what)))
    return failure();
  if (!xs->batched || xs->sampleShape().empty())
    return error(expr.getLoc())
               << what << " expects a sequence computed from the input (a "
               << "per-sample tensor whose first axis is time), got "
               << shapeString(elementType, xs->sampleShape()),
           failure();
  return xs;
}

namespace {
/// The tensors of a value, tuples flattened depth first.
void flatten(const SampleValue &value, SmallVectorImpl<SampleValue> &leaves) {
  if (!value.isTuple()) {
    leaves.push_back(value);
    return;
  }
  for (const SampleValue &element : value.elements)
    flatten(element, leaves);
}

/// A value shaped like `structure` whose tensors are `leaves` (batched),
/// consumed in order.
SampleValue rebuild(const SampleValue &structure, ArrayRef<Value> &leaves) {
  if (!structure.isTuple()) {
    SampleValue leaf{leaves.front(), true};
    leaves = leaves.drop_front();
    return leaf;
  }
  SampleValue tuple;
  for (const SampleValue &element : structure.elements)
    tuple.elements.push_back(rebuild(element, leaves));
  return tuple;
}

/// `f32[8]`, `(f32[8], f32[8])`: a carry's per-sample types for errors.
std::string carryText(const SampleValue &value) {
  if (!value.isTuple()) {
    auto type = cast<RankedTensorType>(value.value.getType());
    return shapeString(type.getElementType(), value.batched
                                                  ? type.getShape().drop_front()
                                                  : type.getShape());
  }
  std::string text = "(";
  for (auto [index, element] : llvm::enumerate(value.elements))
    text += (index ? ", " : "") + carryText(element);
  return text + ")";
}
} // namespace

FailureOr<SampleValue>
ModelGen::emitLoopOverTime(const Callable &step, llvm::SMLoc stepLoc,
                           const SampleValue &init, const SampleValue *xs,
                           int64_t steps, llvm::SMLoc where) {
  Location at = loc(where);
  SmallVector<SampleValue> initLeaves;
  flatten(init, initLeaves);
  // Unbatched inits (zeros(H)) start every row of the batch alike.
  Value carrier = xs ? xs->value : Value();
  for (const SampleValue &leaf : initLeaves)
    if (!carrier && leaf.batched)
      carrier = leaf.value;
  if (!carrier)
    carrier = root->batchCarrier;
  SmallVector<Value> carries;
  for (const SampleValue &leaf : initLeaves) {
    Value carry = leaf.value;
    if (!leaf.batched) {
      FailureOr<Value> spread = spreadOverBatch(builder, at, carry, carrier);
      if (failed(spread))
        return failure();
      carry = *spread;
    }
    carries.push_back(carry);
  }
  SmallVector<Type> resultTypes(ValueRange(carries).getTypes());
  int64_t length = steps;
  RankedTensorType sequenceType;
  if (xs) {
    sequenceType = cast<RankedTensorType>(xs->value.getType());
    length = sequenceType.getDimSize(1);
  }
  for (Value carry : carries)
    resultTypes.push_back(dln::ScanOp::stackedType(
        cast<RankedTensorType>(carry.getType()), length));
  auto scan = dln::ScanOp::create(
      builder, at, resultTypes, carries,
      xs ? ValueRange{xs->value} : ValueRange{},
      xs ? IntegerAttr() : builder.getI64IntegerAttr(steps), UnitAttr());

  // The body: f(carry, x_t) (or f(carry)), yielded as the new carry and as
  // the step's outputs.
  OpBuilder::InsertionGuard guard(builder);
  mlir::Block *body = builder.createBlock(&scan.getBody());
  SmallVector<Value> previous;
  for (Value carry : carries)
    previous.push_back(body->addArgument(carry.getType(), at));
  ArrayRef<Value> previousLeaves = previous;
  SmallVector<SampleValue> args{rebuild(init, previousLeaves)};
  if (xs)
    args.push_back(SampleValue{
        body->addArgument(dln::ScanOp::stepType(sequenceType), at), true});
  SmallVector<Value> statesBefore(root->stateValues);
  FailureOr<SampleValue> next = step(args, where);
  if (failed(next))
    return failure();
  if (root->stateValues != statesBefore)
    return error(stepLoc)
               << "a scan's function cannot use layers that update running "
                  "statistics (batch_norm)",
           failure();
  SmallVector<SampleValue> nextLeaves;
  flatten(*next, nextLeaves);
  bool matches = nextLeaves.size() == carries.size() &&
                 (next->isTuple() == init.isTuple());
  SmallVector<Value> yielded;
  for (auto [leaf, carry] : llvm::zip(nextLeaves, carries)) {
    Value value = leaf.value;
    if (matches && !leaf.batched) {
      FailureOr<Value> spread = spreadOverBatch(builder, at, value, carrier);
      if (failed(spread))
        return failure();
      value = *spread;
    }
    matches &= value.getType() == carry.getType();
    yielded.push_back(value);
  }
  if (!matches) {
    ArrayRef<Value> carryLeaves = carries;
    return error(stepLoc)
               << "the " << (xs ? "scan" : "unroll") << "'s function returns "
               << carryText(*next) << " but its carry (init) is "
               << carryText(rebuild(init, carryLeaves))
               << ": each step must return a carry like the one it receives",
           failure();
  }
  SmallVector<Value> outputs(yielded);
  yielded.append(outputs);
  dln::YieldOp::create(builder, at, yielded);
  SmallVector<Value> stackedValues(scan.getStacked().begin(),
                                   scan.getStacked().end());
  ArrayRef<Value> stackedLeaves = stackedValues;
  return rebuild(init, stackedLeaves);
}

FailureOr<SampleValue> ModelGen::emitScan(const CallExpr &call) {
  StringRef name = calleeName(call);
  bool isScan = name == "scan";
  StringRef option = isScan ? "init" : "steps";
  const Argument *optionArg = findNamedArgument(call, option);
  SmallVector<const Argument *> positional;
  for (const Argument &arg : call.args) {
    if (arg.name.empty())
      positional.push_back(&arg);
    else if (arg.name != option)
      return error(arg.loc) << "'" << name << "' has no argument named '"
                            << arg.name << "' (expected " << option << ")",
             failure();
  }
  if (positional.size() != 2 || !optionArg)
    return error(call.getLoc())
               << (isScan ? "expected scan(f, xs, init = c0): a function of "
                            "(carry, x), a sequence and the first carry"
                          : "expected unroll(f, c0, steps = T): a function "
                            "of the carry, the first carry and the number of "
                            "steps"),
           failure();
  FailureOr<Callable> step = resolveCallable(*positional[0]->value);
  if (failed(step))
    return failure();
  if (!isScan) {
    std::optional<double> steps =
        evaluateNumber(*optionArg->value, &modelParams);
    if (!steps || *steps < 1 || *steps != std::floor(*steps) || *steps > 1e6)
      return error(optionArg->value->getLoc())
                 << "'steps' of unroll must be a positive integer",
             failure();
    FailureOr<SampleValue> init = emitExprOrTuple(*positional[1]->value);
    if (failed(init) || failed(requireRealLeaves(*init, positional[1]->value->getLoc())))
      return failure();
    return emitLoopOverTime(*step, positional[0]->value->getLoc(), *init,
                            nullptr,
                            static_cast<int64_t>(*steps), call.getLoc());
  }
  FailureOr<SampleValue> xs = emitSequence(*positional[1]->value, "'scan'");
  if (failed(xs))
    return failure();
  FailureOr<SampleValue> init = emitExprOrTuple(*optionArg->value);
  if (failed(init) || failed(requireRealLeaves(*init, optionArg->value->getLoc())))
    return failure();
  return emitLoopOverTime(*step, positional[0]->value->getLoc(), *init, &*xs,
                          0, call.getLoc());
}

LogicalResult ModelGen::requireRealLeaves(const SampleValue &value,
                                          llvm::SMLoc where) {
  SmallVector<SampleValue> leaves;
  flatten(value, leaves);
  for (const SampleValue &leaf : leaves)
    if (failed(requireReal(leaf, where, "a carry")))
      return failure();
  return success();
}

FailureOr<SampleValue> ModelGen::emitTimeStep(const CallExpr &call,
                                              bool last) {
  StringRef name = last ? "last" : "first";
  if (call.args.size() != 1 || !call.args[0].name.empty())
    return error(call.getLoc()) << "'" << name << "' expects 1 argument(s), got "
                                << call.args.size(),
           failure();
  FailureOr<SampleValue> xs =
      emitSequence(*call.args[0].value, "'" + name.str() + "'");
  if (failed(xs))
    return failure();
  Location where = loc(call.getLoc());
  auto type = cast<RankedTensorType>(xs->value.getType());
  int64_t length = type.getDimSize(1);
  if (ShapedType::isDynamic(length))
    return error(call.getLoc()) << "'" << name
                                << "' needs a sequence of known length",
           failure();
  if (length == 0)
    return error(call.getLoc()) << "'" << name << "' of an empty sequence",
           failure();
  SmallVector<int64_t> offsets(type.getRank(), 0), sizes(type.getShape()),
      strides(type.getRank(), 1);
  offsets[1] = last ? length - 1 : 0;
  sizes[1] = 1;
  Value step = dln::SliceOp::create(builder, where, xs->value, offsets, sizes,
                                    strides);
  SmallVector<int64_t> kept(type.getShape());
  kept.erase(kept.begin() + 1);
  Value rows = dln::dimSize(builder, where, step, 0);
  return SampleValue{
      dln::ReshapeOp::create(builder, where, step, ValueRange{rows}, kept),
      true};
}

std::optional<FailureOr<SampleValue>>
ModelGen::emitSequenceBuiltin(const CallExpr &call) {
  StringRef name = calleeName(call);
  if (name == "scan" || name == "unroll")
    return emitScan(call);
  if (name == "last" || name == "first")
    return emitTimeStep(call, name == "last");
  if (name == "reverse") {
    if (call.args.size() != 1 || !call.args[0].name.empty())
      return error(call.getLoc())
                 << "'reverse' expects 1 argument(s), got " << call.args.size(),
             failure();
    FailureOr<SampleValue> xs = emitSequence(*call.args[0].value, "'reverse'");
    if (failed(xs))
      return failure();
    auto type = cast<RankedTensorType>(xs->value.getType());
    if (type.isDynamicDim(1))
      return error(call.getLoc()) << "'reverse' needs a sequence of known "
                                     "length",
             failure();
    return SampleValue{dln::ReverseOp::create(builder, loc(call.getLoc()),
                                              xs->value, ArrayRef<int64_t>{1}),
                       true};
  }
  return std::nullopt;
}

FailureOr<SampleValue> ModelGen::applySequenceLayer(const LayerInfo &info,
                                                    SampleValue xs,
                                                    llvm::SMLoc where) {
  StringRef kind = info.kind->name;
  if (failed(requireReal(xs, where, "layer '" + kind.str() + "'")))
    return failure();
  if (xs.isTuple() || !xs.batched || xs.sampleShape().size() != 2)
    return error(where) << "'" << kind << "' expects a sequence of vectors "
                        << "([T, features] per sample) computed from the "
                        << "input, got "
                        << (xs.isTuple()
                                ? std::string("a tuple")
                                : shapeString(elementType, xs.sampleShape())),
           failure();
  SequenceLayerConfig config = SequenceLayerConfig::decode(info.config);
  Location at = loc(where);
  unsigned perCell = config.paramsPerCell();
  auto weightsOf = [&](int64_t layer, int64_t direction) {
    unsigned first = (layer * config.directions + direction) * perCell;
    auto param = [&](unsigned i) {
      return i < perCell ? root->paramValues[info.paramIndices[first + i]]
                         : Value();
    };
    return dln::CellWeights{param(0), param(1), param(2), param(3)};
  };
  int64_t hidden =
      cast<RankedTensorType>(weightsOf(0, 0).hiddenWeight.getType())
          .getDimSize(1);
  // Every layer starts from zeros, spread over the batch.
  FailureOr<Value> zeros = spreadOverBatch(
      builder, at,
      dln::splatConstant(builder, at,
                         RankedTensorType::get({hidden}, elementType), 0.0),
      xs.value);
  if (failed(zeros))
    return failure();
  SampleValue zero{*zeros, true};
  SampleValue init = zero;
  if (config.cell == SequenceLayerConfig::Lstm)
    init = SampleValue{Value(), false, {zero, zero}};

  Value input = xs.value;
  for (int64_t layer = 0; layer < config.layers; ++layer) {
    SmallVector<Value> directions;
    for (int64_t direction = 0; direction < config.directions; ++direction) {
      dln::CellWeights weights = weightsOf(layer, direction);
      Callable step = [&, weights](ArrayRef<SampleValue> args,
                                   llvm::SMLoc) -> FailureOr<SampleValue> {
        const SampleValue &carry = args[0];
        Value x = args[1].value;
        switch (config.cell) {
        case SequenceLayerConfig::Lstm: {
          auto next = dln::lstmCell(builder, at, carry.elements[0].value,
                                    carry.elements[1].value, x, weights);
          if (failed(next))
            return failure();
          return SampleValue{Value(),
                             false,
                             {SampleValue{next->first, true},
                              SampleValue{next->second, true}}};
        }
        case SequenceLayerConfig::Gru: {
          FailureOr<Value> next =
              dln::gruCell(builder, at, carry.value, x, weights);
          if (failed(next))
            return failure();
          return SampleValue{*next, true};
        }
        default: {
          FailureOr<Value> next =
              dln::rnnCell(builder, at, carry.value, x, weights,
                           config.cell == SequenceLayerConfig::RnnRelu);
          if (failed(next))
            return failure();
          return SampleValue{*next, true};
        }
        }
      };
      // The reverse direction reads the sequence backwards and its states
      // are put back in time order.
      SampleValue sequence{input, true};
      if (direction == 1)
        sequence.value =
            dln::ReverseOp::create(builder, at, input, ArrayRef<int64_t>{1});
      FailureOr<SampleValue> states =
          emitLoopOverTime(step, where, init, &sequence, 0, where);
      if (failed(states))
        return failure();
      Value hs = states->isTuple() ? states->elements[0].value : states->value;
      if (direction == 1)
        hs = dln::ReverseOp::create(builder, at, hs, ArrayRef<int64_t>{1});
      directions.push_back(hs);
    }
    if (directions.size() == 1) {
      input = directions[0];
    } else {
      FailureOr<Value> joined =
          dln::concatenate(builder, at, directions, /*axis=*/2);
      if (failed(joined))
        return failure();
      input = *joined;
    }
    // PyTorch's dropout: on each layer's outputs but the last, in training.
    if (root->training && config.dropout > 0 && layer + 1 < config.layers) {
      Value u = drawUniformLike(input, where,
                                "/dropout_l" + std::to_string(layer));
      Value keep = dln::CompareOp::create(
          builder, at, dln::ComparePredicate::ge, u,
          dln::splatLike(builder, at, u, config.dropout));
      keep = dln::MulOp::create(
          builder, at, keep,
          dln::splatLike(builder, at, keep, 1.0 / (1.0 - config.dropout)));
      input = dln::MulOp::create(builder, at, input, keep);
    }
  }
  return SampleValue{input, true};
}
