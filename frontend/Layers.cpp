//===- Layers.cpp - The registry of layer constructors --------------------===//
#include "frontend/Layers.h"

#include "dialects/DLN/IR/DLNComposites.h"
#include "frontend/ConstantEval.h"

using namespace dlnc;
using namespace mlir;

namespace {
/// dense(IN -> OUT [, init = ...] [, bias_init = ...] [, bias = false]):
/// weight [IN, OUT] and bias [OUT] (none with `bias = false`); `init` sets the
/// bias too unless `bias_init` is given (docs/language.md 8).
LogicalResult declareDense(const LayerDeclContext &context,
                           SmallVectorImpl<LayerParam> &params) {
  const CallExpr &call = context.call;
  const Argument *dims = nullptr;
  for (const Argument &arg : call.args) {
    if (!arg.name.empty())
      continue;
    if (dims)
      return context.error(arg.loc)
             << "dense takes one positional argument 'IN -> OUT'";
    dims = &arg;
  }
  auto *arrow = dims ? llvm::dyn_cast<BinaryExpr>(dims->value.get()) : nullptr;
  std::optional<int64_t> in, out;
  if (arrow && arrow->op == "->") {
    in = evaluateInteger(*arrow->lhs, &context.bindings);
    out = evaluateInteger(*arrow->rhs, &context.bindings);
  }
  if (!in || !out || *in <= 0 || *out <= 0)
    return context.error(dims ? dims->loc : call.getLoc())
           << "expected 'IN -> OUT' with positive integer sizes, e.g. "
              "dense(784 -> 256)";
  const Argument *initArg = findNamedArgument(call, "init");
  const Argument *biasArg = findNamedArgument(call, "bias_init");
  bool hasBias = true;
  if (const Argument *flag = findNamedArgument(call, "bias")) {
    std::optional<double> value = evaluateNumber(*flag->value, &context.bindings);
    if (!value || (*value != 0 && *value != 1))
      return context.error(flag->loc) << "'bias' must be true or false";
    hasBias = *value != 0;
    if (!hasBias && biasArg)
      return context.error(biasArg->loc)
             << "'bias_init' has no bias to initialize: the layer has "
                "'bias = false'";
  }
  const Argument *biasSource = biasArg ? biasArg : initArg;
  auto weightInit =
      context.parseInit(initArg ? initArg->value.get() : nullptr, *in, *out);
  auto biasInit = context.parseInit(
      biasSource ? biasSource->value.get() : nullptr, *in, *out);
  if (!weightInit || !biasInit)
    return failure();
  params.push_back({"weight", {*in, *out}, *weightInit});
  if (hasBias)
    params.push_back({"bias", {*out}, *biasInit});
  return success();
}

FailureOr<Value> applyDense(OpBuilder &builder, Location loc, Value input,
                            ArrayRef<Value> params) {
  return dln::dense(builder, loc, input, params[0],
                    params.size() > 1 ? params[1] : Value());
}

const StringLiteral denseOptions[] = {"init", "bias_init", "bias"};

const LayerKind layerKinds[] = {
    {"dense", denseOptions, declareDense, applyDense},
};
} // namespace

const LayerKind *dlnc::lookupLayer(StringRef name) {
  for (const LayerKind &kind : layerKinds)
    if (kind.name == name)
      return &kind;
  return nullptr;
}

ArrayRef<LayerKind> dlnc::allLayers() { return layerKinds; }
