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

#include "frontend/EntryPointGen.h"

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
  bindSlotStates(stateArgs);
  paramValues.assign(paramArgs.begin(), paramArgs.end());
  if (predict.input)
    values[predict.input->name()] = {x, true};
  for (const Stmt &stmt : predict.block->body) {
    if (stmt.kind == Stmt::Kind::Input)
      continue;
    auto bound = defineBinding(stmt);
    if (failed(bound))
      return failure();
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

LogicalResult EntryPointGen::emitPredict(const ModelGen::PredictBlock &predict,
                                         SmallVectorImpl<Attribute> &attrs) {
  const Block &block = *predict.block;
  std::string name =
      block.name.empty() ? block.keyword : block.keyword + "." + block.name;
  SmallVector<Type> inputs = paramTypes();
  inputs.push_back(model.predictInputType(predict));
  if (model.drawsRandomNumbers)
    inputs.push_back(RankedTensorType::get({2}, builder.getI64Type()));
  llvm::append_range(inputs, model.stateTypes());
  builder.setInsertionPointToEnd(module.getBody());
  Location where = model.loc(block.loc);
  auto func = func::FuncOp::create(builder, where, name,
                                   builder.getFunctionType(inputs, {}));
  for (auto [index, param] : llvm::enumerate(model.params))
    setRole(func, index, Role::param, param.name);
  unsigned next = model.params.size();
  // A sample block's batch is given by a row mask (no input).
  std::string inputName =
      predict.isSample() ? std::string("rows") : predict.input->name();
  setRole(func, next++, predict.isSample() ? Role::mask : Role::input,
          inputName);
  std::optional<unsigned> rngIndex;
  if (model.drawsRandomNumbers) {
    rngIndex = next;
    setRole(func, next++, Role::rng, "rng");
  }
  for (const ParamInfo &state : model.states)
    setRole(func, next++, Role::state, state.name);
  builder.setInsertionPointToStart(func.addEntryBlock());
  auto args = func.getArguments();
  Value rng = rngIndex ? args[*rngIndex] : Value();
  FailureOr<Value> output = model.emitPredictBody(
      predict, args.take_front(model.params.size()),
      args.slice(next - model.states.size(), model.states.size()),
      args[model.params.size()], rng);
  if (failed(output))
    return failure();
  func::ReturnOp::create(builder, where, *output);
  func.setType(builder.getFunctionType(func.getArgumentTypes(),
                                       output->getType()));
  std::string outputName = predict.output->name();
  setResultRole(func, 0, Role::output, outputName);
  auto outputType = cast<RankedTensorType>(output->getType());
  SmallVector<NamedAttribute> fields{
      builder.getNamedAttr("kind", builder.getStringAttr(block.keyword)),
      builder.getNamedAttr("name", builder.getStringAttr(block.name)),
      builder.getNamedAttr("entry_point", builder.getStringAttr(name)),
      builder.getNamedAttr(
          "output", SampleAttr::get(&context, outputName,
                                    outputType.getShape().drop_front()))};
  if (predict.isSample())
    fields.push_back(builder.getNamedAttr(
        "n", builder.getI64IntegerAttr(predict.sampleCount)));
  else
    fields.push_back(builder.getNamedAttr(
        "input", predict.inputIsClass
                     ? Attribute(ClassLabelAttr::get(&context, inputName,
                                                     model.numClasses))
                     : Attribute(SampleAttr::get(&context, inputName,
                                                 predict.inputShape))));
  attrs.push_back(builder.getDictionaryAttr(fields));
  return success();
}
