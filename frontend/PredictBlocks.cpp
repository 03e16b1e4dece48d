//===- PredictBlocks.cpp - predict, encode, decode and sample blocks ------===//
//
// A predict (encode, decode) block inside the root model declares its own
// input, lets and one output, over the model's layers, params, consts and
// helpers (docs 16.1). It compiles to `predict` (unnamed) or `predict.NAME`
// (`encode.NAME`, ...):
//   (params, x, [rng], [states]) -> output
// in evaluation mode, where x has the block input's type. A sample block
// has no input: its outputs come from random draws, and its entry point
// takes a [B] row mask instead of x, whose size is the number of samples.
//
//===----------------------------------------------------------------------===//

#include "frontend/ModelGen.h"

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

LogicalResult ModelGen::declarePredict(const Stmt &stmt) {
  const Block &block = *stmt.block;
  const std::string &kind = block.keyword;
  if (!isRoot())
    return error(stmt.loc) << "a " << kind
                           << " block belongs to the root model, not to "
                              "sub-model '"
                           << model.name << "'";
  for (const PredictBlock &other : predicts)
    if (other.block->keyword == kind && other.block->name == block.name)
      return error(block.loc)
             << (block.name.empty() ? "an unnamed " + kind + " block"
                                    : kind + " block '" + block.name + "'")
             << " is already defined on line "
             << sourceMgr.getLineAndColumn(other.block->loc).first;
  PredictBlock predict{&block};
  bool sample = kind == "sample";
  if (sample) {
    // sample NAME(n = 64): the default number of samples.
    predict.sampleCount = 16;
    for (const ParamDecl &param : block.params) {
      std::optional<double> value =
          param.name == "n" && param.defaultValue
              ? evaluateNumber(*param.defaultValue, &modelParams)
              : std::nullopt;
      if (!value || *value < 1 || *value != std::floor(*value))
        return error(param.loc) << "a sample block's parameter is the "
                                   "default sample count, e.g. (n = 64)";
      predict.sampleCount = static_cast<int64_t>(*value);
    }
  }
  if ((!sample && !block.params.empty()) || block.resultType)
    return error(block.loc) << "a " << kind
                            << " block takes no parameters or result type: "
                               "declare 'input's and an 'output' inside it";
  for (const Stmt &inner : block.body) {
    switch (inner.kind) {
    case Stmt::Kind::Input:
      if (sample)
        return error(inner.loc) << "a sample block has no input: its values "
                                   "come from random draws";
      if (predict.input)
        return error(inner.loc) << "a " << kind
                                << " block with more than one input is not "
                                   "supported by this compiler version";
      predict.input = &inner;
      break;
    case Stmt::Kind::Output:
      if (predict.output)
        return error(inner.loc) << "a " << kind << " block has one output";
      predict.output = &inner;
      break;
    case Stmt::Kind::Let:
      break;
    default:
      return error(inner.loc) << "a " << kind
                              << " block holds 'input's, 'let's and one "
                                 "'output'";
    }
  }
  if ((!predict.input && !sample) || !predict.output)
    return error(block.loc) << "a " << kind << " block needs "
                            << (sample ? "an 'output'"
                                       : "an 'input' and an 'output'"),
           failure();
  if (sample) {
    predicts.push_back(std::move(predict));
    return success();
  }
  const TypeNode &type = *predict.input->type;
  if (type.name == "class") {
    if (type.args.size() != 1 || type.args[0].kind != TypeArg::Kind::Integer ||
        type.args[0].value != numClasses)
      return error(type.loc)
                 << "a " << kind
                 << " block's class input has the model's class count"
                 << (numClasses ? " (class[" + std::to_string(numClasses) + "])"
                                : ": this model declares no class[N]"),
             failure();
    predict.inputIsClass = true;
  } else {
    FailureOr<Type> element = elementTypeOf(type);
    if (failed(element))
      return failure();
    if (*element != elementType)
      return error(type.loc) << "a " << kind
                             << " block's input has the model's dtype",
             failure();
    FailureOr<SmallVector<int64_t>> shape = staticDims(type);
    if (failed(shape))
      return failure();
    if (shape->empty())
      return error(type.loc) << "a sample is a vector or a tensor (f32[784], "
                                "f32[1, 28, 28]), not a scalar",
             failure();
    predict.inputShape = *shape;
  }
  predicts.push_back(std::move(predict));
  return success();
}

RankedTensorType ModelGen::predictInputType(const PredictBlock &predict) const {
  int64_t batch = ShapedType::kDynamic;
  if (predict.isSample())
    return RankedTensorType::get({batch}, elementType);
  if (predict.inputIsClass)
    return RankedTensorType::get({batch}, IntegerType::get(&context, 32));
  SmallVector<int64_t> shape{batch};
  llvm::append_range(shape, predict.inputShape);
  return RankedTensorType::get(shape, elementType);
}

FailureOr<Value> ModelGen::emitPredictBody(const PredictBlock &predict,
                                           ValueRange paramArgs,
                                           ValueRange stateArgs, Value x,
                                           Value rng) {
  emittingMetrics = false;
  rowMask = nullptr;
  batchCarrier = x;
  stateValues.assign(stateArgs.begin(), stateArgs.end());
  rngKey = rng;
  training = false;
  // The block sees the model's layers, params, consts and helpers, not its
  // input or lets.
  values.clear();
  paramValues.assign(paramArgs.begin(), paramArgs.end());
  if (predict.input)
    values[predict.input->name()] = {x, true};
  for (const Stmt &stmt : predict.block->body) {
    if (stmt.kind == Stmt::Kind::Input)
      continue;
    auto bound = evaluateBinding(stmt);
    if (failed(bound))
      return failure();
    for (auto &[name, value] : *bound)
      if (!values.try_emplace(name, value).second)
        return error(stmt.nameLoc) << "'" << name << "' is already defined",
               failure();
    SampleValue *value = &bound->back().second;
    if (stmt.kind != Stmt::Kind::Output)
      continue;
    if (!value->batched)
      return error(stmt.value->getLoc())
                 << "output '" << stmt.name() << "' does not depend on "
                 << (predict.isSample() ? "a random draw with a shape"
                                        : "the input"),
             failure();
    if (failed(requireReal(*value, stmt.value->getLoc(), "an output")))
      return failure();
    return value->value;
  }
  return error(predict.block->loc)
             << "a " << predict.block->keyword << " block needs an 'output'",
         failure();
}
