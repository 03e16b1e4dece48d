//===- Sequences.cpp - scan, last, first over a time axis -----------------===//
//
// docs/language.md 10.1. A sequence is a per-sample tensor whose first axis
// is time (f32[28, 28]: 28 steps of 28 features), so [batch, T, ...] once
// batched. `scan(f, xs, init = c0)` builds one `dln.scan` whose body is f
// applied once to (carry, x_t): a loop in the IR, not T copies of the cell.
// `f` is a layer (a cell), a `fn` helper, a function-valued model parameter
// or a lambda.
//
//===----------------------------------------------------------------------===//
#include "frontend/Builtins.h"
#include "frontend/ModelGen.h"

#include "dialects/DLN/IR/DLNComposites.h"
#include "dialects/DLN/IR/DLNOps.h"

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
      for (const SampleValue &arg : args.drop_front())
        extras.push_back(arg.value);
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

FailureOr<SampleValue> ModelGen::emitScan(const CallExpr &call) {
  const Argument *initArg = findNamedArgument(call, "init");
  SmallVector<const Argument *> positional;
  for (const Argument &arg : call.args) {
    if (arg.name.empty())
      positional.push_back(&arg);
    else if (arg.name != "init")
      return error(arg.loc) << "'scan' has no argument named '" << arg.name
                            << "' (expected init)",
             failure();
  }
  if (positional.size() != 2 || !initArg)
    return error(call.getLoc())
               << "expected scan(f, xs, init = c0): a function of (carry, x), "
                  "a sequence and the first carry",
           failure();
  FailureOr<Callable> step = resolveCallable(*positional[0]->value);
  if (failed(step))
    return failure();
  FailureOr<SampleValue> xs = emitSequence(*positional[1]->value, "'scan'");
  FailureOr<SampleValue> init = emitExpr(*initArg->value);
  if (failed(xs) || failed(init) ||
      failed(requireReal(*init, initArg->value->getLoc(), "a scan's init")))
    return failure();
  Location where = loc(call.getLoc());
  Value carry = init->value;
  if (!init->batched) {
    FailureOr<Value> spread = spreadOverBatch(builder, where, carry, xs->value);
    if (failed(spread))
      return failure();
    carry = *spread;
  }
  auto carryType = cast<RankedTensorType>(carry.getType());
  auto sequenceType = cast<RankedTensorType>(xs->value.getType());
  int64_t length = sequenceType.getDimSize(1);
  auto scan = dln::ScanOp::create(
      builder, where,
      TypeRange{carryType, dln::ScanOp::stackedType(carryType, length)},
      ValueRange{carry}, ValueRange{xs->value}, IntegerAttr(), UnitAttr());

  // The body: f(carry, x_t), yielded as the new carry and the step's output.
  OpBuilder::InsertionGuard guard(builder);
  mlir::Block *body = builder.createBlock(&scan.getBody());
  Value previous = body->addArgument(carryType, where);
  Value element = body->addArgument(dln::ScanOp::stepType(sequenceType), where);
  SmallVector<Value> statesBefore(root->stateValues);
  FailureOr<SampleValue> next =
      (*step)({SampleValue{previous, true}, SampleValue{element, true}},
              call.getLoc());
  if (failed(next))
    return failure();
  if (root->stateValues != statesBefore)
    return error(positional[0]->value->getLoc())
               << "a scan's function cannot use layers that update running "
                  "statistics (batch_norm)",
           failure();
  if (next->value.getType() != carryType) {
    auto nextType = cast<RankedTensorType>(next->value.getType());
    return error(positional[0]->value->getLoc())
               << "the scan's function returns "
               << shapeString(nextType.getElementType(),
                              next->batched ? nextType.getShape().drop_front()
                                            : nextType.getShape())
               << " but its carry (init) is "
               << shapeString(carryType.getElementType(),
                              carryType.getShape().drop_front())
               << ": each step must return a carry like the one it receives",
           failure();
  }
  dln::YieldOp::create(builder, where, ValueRange{next->value, next->value});
  return SampleValue{scan.getResult(1), true};
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
  if (name == "scan")
    return emitScan(call);
  if (name == "last" || name == "first")
    return emitTimeStep(call, name == "last");
  return std::nullopt;
}
