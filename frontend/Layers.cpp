//===- Layers.cpp - The registry of layer constructors --------------------===//
#include "frontend/Layers.h"

#include "dialects/DLN/IR/DLNComposites.h"
#include "dialects/DLN/IR/DLNConvolutions.h"
#include "dialects/DLN/IR/DLNNormalization.h"
#include "dialects/DLN/IR/DLNOps.h"
#include "dialects/DLN/IR/DLNRecurrent.h"
#include "frontend/ConstantEval.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/bit.h"

#include <cmath>

using namespace dlnc;
using namespace mlir;

namespace {
/// `IN -> OUT` with positive integer sizes: the one positional argument.
LogicalResult readDims(const LayerDeclContext &context, StringRef kind,
                       int64_t &in, int64_t &out) {
  const CallExpr &call = context.call;
  const Argument *dims = nullptr;
  for (const Argument &arg : call.args) {
    if (!arg.name.empty())
      continue;
    if (dims)
      return context.error(arg.loc)
             << kind << " takes one positional argument 'IN -> OUT'";
    dims = &arg;
  }
  auto *arrow = dims ? llvm::dyn_cast<BinaryExpr>(dims->value.get()) : nullptr;
  std::optional<int64_t> i, o;
  if (arrow && arrow->op == "->") {
    i = evaluateInteger(*arrow->lhs, &context.bindings);
    o = evaluateInteger(*arrow->rhs, &context.bindings);
  }
  if (!i || !o || *i <= 0 || *o <= 0)
    return context.error(dims ? dims->loc : call.getLoc())
           << "expected 'IN -> OUT' with positive integer sizes, e.g. " << kind
           << (kind == "dense"              ? "(784 -> 256)"
               : kind.ends_with("_cell") ? "(28 -> 128)"
                                         : "(1 -> 16, kernel = 3)");
  in = *i;
  out = *o;
  return success();
}

/// `bias = true | false` (default true); `bias_init` needs a bias.
FailureOr<bool> readBiasFlag(const LayerDeclContext &context) {
  const Argument *flag = findNamedArgument(context.call, "bias");
  if (!flag)
    return true;
  std::optional<double> value =
      evaluateNumber(*flag->value, &context.bindings);
  if (!value || (*value != 0 && *value != 1))
    return context.error(flag->loc) << "'bias' must be true or false",
           failure();
  if (*value == 0)
    if (const Argument *biasInit = findNamedArgument(context.call, "bias_init"))
      return context.error(biasInit->loc)
                 << "'bias_init' has no bias to initialize: the layer has "
                    "'bias = false'",
             failure();
  return *value != 0;
}

/// The weight and (unless `bias = false`) bias parameters; `init` sets the
/// bias too unless `bias_init` is given (docs/language.md 8).
LogicalResult declareWeightAndBias(const LayerDeclContext &context,
                                   SmallVector<int64_t> weightShape,
                                   int64_t outputs, int64_t fanIn,
                                   int64_t fanOut,
                                   SmallVectorImpl<LayerParam> &params) {
  FailureOr<bool> hasBias = readBiasFlag(context);
  if (failed(hasBias))
    return failure();
  const Argument *initArg = findNamedArgument(context.call, "init");
  const Argument *biasArg = findNamedArgument(context.call, "bias_init");
  const Argument *biasSource = biasArg ? biasArg : initArg;
  auto weightInit = context.parseInit(initArg ? initArg->value.get() : nullptr,
                                      fanIn, fanOut);
  auto biasInit = context.parseInit(
      biasSource ? biasSource->value.get() : nullptr, fanIn, fanOut);
  if (!weightInit || !biasInit)
    return failure();
  params.push_back({"weight", std::move(weightShape), *weightInit});
  if (*hasBias)
    params.push_back({"bias", {outputs}, *biasInit});
  return success();
}

/// dense(IN -> OUT [, init = ...] [, bias_init = ...] [, bias = false]):
/// weight [IN, OUT] and bias [OUT].
LogicalResult declareDense(const LayerDeclContext &context,
                           SmallVectorImpl<LayerParam> &params, LayerConfig &) {
  int64_t in, out;
  if (failed(readDims(context, "dense", in, out)))
    return failure();
  return declareWeightAndBias(context, {in, out}, out, in, out, params);
}

FailureOr<Value> applyDense(const LayerCall &c) {
  return dln::dense(c.builder, c.loc, c.input, c.params[0],
                    c.params.size() > 1 ? c.params[1] : Value());
}

/// An option that is an integer or a tuple of `n` integers (`kernel = 3`,
/// `stride = (2, 1)`), each at least `minimum`; `fallback` when absent.
FailureOr<SmallVector<int64_t>> readSizes(const LayerDeclContext &context,
                                          StringRef name, int64_t n,
                                          int64_t minimum,
                                          std::optional<int64_t> fallback) {
  const Argument *arg = findNamedArgument(context.call, name);
  if (!arg) {
    if (!fallback)
      return context.error(context.call.getLoc())
                 << "missing argument '" << name << "'",
             failure();
    return SmallVector<int64_t>(n, *fallback);
  }
  SmallVector<const Expr *> items;
  if (auto *tuple = llvm::dyn_cast<TupleExpr>(arg->value.get()))
    for (const ExprPtr &element : tuple->elements)
      items.push_back(element.get());
  else
    items.push_back(arg->value.get());
  if (items.size() != 1 && static_cast<int64_t>(items.size()) != n)
    return context.error(arg->loc)
               << "'" << name << "' takes one integer or " << n
               << " (one per spatial dimension), got " << items.size(),
           failure();
  SmallVector<int64_t> values;
  for (const Expr *item : items) {
    std::optional<int64_t> value = evaluateInteger(*item, &context.bindings);
    if (!value || *value < minimum)
      return context.error(item->getLoc())
                 << "'" << name << "' expects integers >= " << minimum,
             failure();
    values.push_back(*value);
  }
  if (values.size() == 1)
    values.assign(n, values.front());
  return values;
}

/// The layout of a convolution's LayerConfig (output padding: transposed
/// convolutions only).
struct ConvConfig {
  int64_t rank, groups;
  dln::PaddingMode mode;
  dln::WindowOptions window;
  SmallVector<int64_t> outputPadding;

  void store(LayerConfig &config) const {
    config = {rank, groups, static_cast<int64_t>(mode)};
    for (ArrayRef<int64_t> list :
         {ArrayRef<int64_t>(window.window), ArrayRef<int64_t>(window.strides),
          ArrayRef<int64_t>(window.dilations), ArrayRef<int64_t>(window.padLow),
          ArrayRef<int64_t>(window.padHigh), ArrayRef<int64_t>(outputPadding)})
      llvm::append_range(config, list);
  }
  static ConvConfig load(ArrayRef<int64_t> config) {
    ConvConfig c;
    c.rank = config[0];
    c.groups = config[1];
    c.mode = static_cast<dln::PaddingMode>(config[2]);
    auto list = [&](int64_t i) {
      return llvm::to_vector(config.slice(3 + i * c.rank, c.rank));
    };
    c.window.window = list(0);
    c.window.strides = list(1);
    c.window.dilations = list(2);
    c.window.padLow = list(3);
    c.window.padHigh = list(4);
    c.outputPadding = list(5);
    c.window.mode = c.mode;
    return c;
  }
};

/// `padding = p | (p1, p2) | same | valid | circular`, `padding_mode =
/// zeros | circular | reflect | replicate` (docs/language.md 9.1).
LogicalResult readPadding(const LayerDeclContext &context, ConvConfig &conv) {
  int64_t n = conv.rank;
  conv.mode = dln::PaddingMode::Zeros;
  if (const Argument *mode = findNamedArgument(context.call, "padding_mode")) {
    auto *name = llvm::dyn_cast<IdentifierExpr>(mode->value.get());
    std::optional<dln::PaddingMode> parsed;
    if (name)
      parsed = llvm::StringSwitch<std::optional<dln::PaddingMode>>(name->name)
                   .Case("zeros", dln::PaddingMode::Zeros)
                   .Case("circular", dln::PaddingMode::Circular)
                   .Case("reflect", dln::PaddingMode::Reflect)
                   .Case("replicate", dln::PaddingMode::Replicate)
                   .Default(std::nullopt);
    if (!parsed)
      return context.error(mode->loc) << "'padding_mode' is zeros, circular, "
                                         "reflect or replicate";
    conv.mode = *parsed;
  }
  const Argument *padding = findNamedArgument(context.call, "padding");
  auto *word =
      padding ? llvm::dyn_cast<IdentifierExpr>(padding->value.get()) : nullptr;
  if (!word) {
    FailureOr<SmallVector<int64_t>> sizes =
        readSizes(context, "padding", n, 0, 0);
    if (failed(sizes))
      return failure();
    conv.window.padLow = *sizes;
    conv.window.padHigh = *sizes;
    return success();
  }
  if (word->name == "valid") {
    conv.window.padLow.assign(n, 0);
    conv.window.padHigh.assign(n, 0);
    return success();
  }
  if (word->name != "same" && word->name != "circular")
    return context.error(padding->loc)
           << "'padding' is an integer, a tuple, same, valid or circular";
  if (word->name == "circular")
    conv.mode = dln::PaddingMode::Circular;
  // same (stride 1, as PyTorch): the output keeps the input's size, so the
  // pad is what the dilated kernel adds; an odd total puts the extra
  // element at the high end, as PyTorch.
  conv.window.padLow.clear();
  conv.window.padHigh.clear();
  for (int64_t i = 0; i < n; ++i) {
    int64_t span = conv.window.dilations[i] * (conv.window.window[i] - 1);
    if (conv.window.strides[i] != 1)
      return context.error(padding->loc)
             << "padding = " << word->name
             << " needs stride 1 (as PyTorch's); give the padding "
                "explicitly";
    conv.window.padLow.push_back(span / 2);
    conv.window.padHigh.push_back(span - span / 2);
  }
  return success();
}

/// conv1d / conv2d(IN -> OUT, kernel, stride, padding, dilation, groups,
/// bias, padding_mode, init, bias_init): weight [OUT, IN / groups, K...]
/// (PyTorch's layout) and bias [OUT]. The transposed ones (Transposed) take
/// output_padding and keep weight [IN, OUT / groups, K...].
template <int64_t Rank, bool Transposed = false>
LogicalResult declareConv(const LayerDeclContext &context,
                          SmallVectorImpl<LayerParam> &params,
                          LayerConfig &config) {
  StringRef kind = Transposed ? (Rank == 1 ? "conv_transpose1d"
                                           : "conv_transpose2d")
                              : (Rank == 1 ? "conv1d" : "conv2d");
  int64_t in, out;
  if (failed(readDims(context, kind, in, out)))
    return failure();
  ConvConfig conv{Rank, 1, dln::PaddingMode::Zeros, {}};
  FailureOr<SmallVector<int64_t>> kernel =
      readSizes(context, "kernel", Rank, 1, std::nullopt);
  if (failed(kernel))
    return failure();
  FailureOr<SmallVector<int64_t>> strides =
      readSizes(context, "stride", Rank, 1, 1);
  FailureOr<SmallVector<int64_t>> dilations =
      readSizes(context, "dilation", Rank, 1, 1);
  if (failed(strides) || failed(dilations))
    return failure();
  conv.window.window = *kernel;
  conv.window.strides = *strides;
  conv.window.dilations = *dilations;
  if (const Argument *groups = findNamedArgument(context.call, "groups")) {
    std::optional<int64_t> value =
        evaluateInteger(*groups->value, &context.bindings);
    if (!value || *value < 1)
      return context.error(groups->loc) << "'groups' expects a positive integer";
    if (in % *value || out % *value)
      return context.error(groups->loc)
             << "groups = " << *value << " must divide both channel counts ("
             << in << " -> " << out << ")";
    conv.groups = *value;
  }
  if (Transposed) {
    // Zero padding only: it crops the output of a transposed convolution.
    const Argument *padding = findNamedArgument(context.call, "padding");
    if (padding && llvm::isa<IdentifierExpr>(padding->value.get()))
      return context.error(padding->loc)
             << "a transposed convolution's 'padding' crops its output: "
                "an integer or a tuple";
    FailureOr<SmallVector<int64_t>> sizes =
        readSizes(context, "padding", Rank, 0, 0);
    FailureOr<SmallVector<int64_t>> extra =
        readSizes(context, "output_padding", Rank, 0, 0);
    if (failed(sizes) || failed(extra))
      return failure();
    conv.window.padLow = *sizes;
    conv.window.padHigh = *sizes;
    conv.outputPadding = *extra;
  } else {
    if (failed(readPadding(context, conv)))
      return failure();
    conv.outputPadding.assign(Rank, 0);
  }
  conv.store(config);
  int64_t window = 1;
  for (int64_t k : *kernel)
    window *= k;
  // PyTorch's fans: weight.size(1) * window for fan_in.
  SmallVector<int64_t> weightShape{Transposed ? in : out,
                                   (Transposed ? out : in) / conv.groups};
  llvm::append_range(weightShape, *kernel);
  return declareWeightAndBias(context, weightShape, out,
                              weightShape[1] * window,
                              weightShape[0] / conv.groups * window, params);
}

FailureOr<Value> applyConv(const LayerCall &c) {
  ConvConfig conv = ConvConfig::load(c.config);
  return dln::convolution(c.builder, c.loc, c.input, c.params[0],
                          c.params.size() > 1 ? c.params[1] : Value(),
                          conv.window, conv.groups);
}

FailureOr<Value> applyConvTranspose(const LayerCall &c) {
  ConvConfig conv = ConvConfig::load(c.config);
  return dln::convolutionTranspose(c.builder, c.loc, c.input, c.params[0],
                                   c.params.size() > 1 ? c.params[1] : Value(),
                                   conv.window, conv.outputPadding,
                                   conv.groups);
}

/// deform_conv2d(IN -> OUT, kernel, stride, padding, dilation, groups,
/// offset_groups, bias, init, bias_init): conv2d's parameters, zero padding
/// only (samples outside the image read zeros); the configuration is
/// conv2d's followed by offset_groups.
LogicalResult declareDeformConv(const LayerDeclContext &context,
                                SmallVectorImpl<LayerParam> &params,
                                LayerConfig &config) {
  if (failed(declareConv<2>(context, params, config)))
    return failure();
  ConvConfig conv = ConvConfig::load(config);
  if (conv.mode != dln::PaddingMode::Zeros)
    return context.error(findNamedArgument(context.call, "padding")->loc)
           << "deform_conv2d samples zeros outside the image: 'padding' is "
              "an integer, a tuple, same or valid";
  int64_t offsetGroups = 1;
  if (const Argument *arg = findNamedArgument(context.call, "offset_groups")) {
    std::optional<int64_t> value =
        evaluateInteger(*arg->value, &context.bindings);
    int64_t in = params[0].shape[1] * conv.groups;
    if (!value || *value < 1 || in % *value)
      return context.error(arg->loc)
             << "'offset_groups' must be a positive integer dividing the " << in
             << " input channels";
    offsetGroups = *value;
  }
  config.push_back(offsetGroups);
  return success();
}

FailureOr<Value> applyDeformConv(const LayerCall &c) {
  ConvConfig conv = ConvConfig::load(c.config);
  return dln::deformableConvolution(c.builder, c.loc, c.input, c.extraInputs[0],
                                    c.extraInputs[1], c.params[0],
                                    c.params.size() > 1 ? c.params[1] : Value(),
                                    conv.window, conv.groups, c.config.back());
}

/// batch_norm(C [, momentum = 0.1] [, eps = 1e-5] [, affine = true]):
/// gamma [C] (ones) and beta [C] (zeros) unless `affine = false`; states
/// running_mean [C] (zeros) and running_var [C] (ones). Configuration:
/// momentum and eps as the bits of doubles, then affine.
LogicalResult declareBatchNorm(const LayerDeclContext &context,
                               SmallVectorImpl<LayerParam> &params,
                               LayerConfig &config) {
  const CallExpr &call = context.call;
  const Argument *channels = nullptr;
  for (const Argument &arg : call.args)
    if (arg.name.empty()) {
      if (channels)
        return context.error(arg.loc)
               << "batch_norm takes one positional argument, the channel "
                  "count";
      channels = &arg;
    }
  std::optional<int64_t> c =
      channels ? evaluateInteger(*channels->value, &context.bindings)
               : std::nullopt;
  if (!c || *c <= 0)
    return context.error(channels ? channels->loc : call.getLoc())
           << "batch_norm expects a positive integer channel count, e.g. "
              "batch_norm(32)";
  auto number = [&](StringRef name, double fallback) -> std::optional<double> {
    const Argument *arg = findNamedArgument(call, name);
    if (!arg)
      return fallback;
    std::optional<double> value = evaluateNumber(*arg->value, &context.bindings);
    if (!value)
      context.error(arg->loc) << "'" << name << "' must be a number";
    return value;
  };
  std::optional<double> momentum = number("momentum", 0.1);
  std::optional<double> eps = number("eps", 1e-5);
  std::optional<double> affine = number("affine", 1.0);
  if (!momentum || !eps || !affine)
    return failure();
  if (*momentum < 0 || *momentum > 1)
    return context.error(findNamedArgument(call, "momentum")->loc)
           << "batch_norm momentum must be in [0, 1]",
           failure();
  if (*eps <= 0)
    return context.error(findNamedArgument(call, "eps")->loc)
           << "batch_norm eps must be positive",
           failure();
  if (*affine != 0 && *affine != 1)
    return context.error(findNamedArgument(call, "affine")->loc)
           << "'affine' must be true or false",
           failure();
  auto init = [&](StringRef kind) {
    return dln::InitAttr::get(&context.mlirContext, kind, 1, 1, {});
  };
  if (*affine) {
    params.push_back({"gamma", {*c}, init("ones")});
    params.push_back({"beta", {*c}, init("zeros")});
  }
  params.push_back({"running_mean", {*c}, init("zeros"), /*isState=*/true});
  params.push_back({"running_var", {*c}, init("ones"), /*isState=*/true});
  config.push_back(llvm::bit_cast<int64_t>(*momentum));
  config.push_back(llvm::bit_cast<int64_t>(*eps));
  config.push_back(static_cast<int64_t>(*affine));
  return success();
}

FailureOr<Value> applyBatchNorm(const LayerCall &c) {
  double momentum = llvm::bit_cast<double>(c.config[0]);
  double eps = llvm::bit_cast<double>(c.config[1]);
  bool affine = c.config[2] != 0;
  Value gamma = affine ? c.params[0] : Value();
  Value beta = affine ? c.params[1] : Value();
  auto type = cast<RankedTensorType>(c.input.getType());
  if (type.getRank() < 2)
    return emitError(c.loc) << "batch_norm expects per-sample values [C] or "
                               "[C, ...], got a scalar per sample",
           failure();
  int64_t channels = cast<RankedTensorType>(c.states[0].getType()).getDimSize(0);
  if (type.getDimSize(1) != channels)
    return emitError(c.loc) << "batch_norm(" << channels
                            << ") applied to values with " << type.getDimSize(1)
                            << " channels (per-sample shape "
                            << dln::shapeText(type.getShape().drop_front())
                            << ")",
           failure();
  if (!c.training)
    return dln::normalizeChannels(c.builder, c.loc, c.input, c.states[0],
                                  c.states[1], gamma, beta, eps);
  dln::ChannelStatistics stats =
      dln::channelStatistics(c.builder, c.loc, c.input);
  if (c.newStates) {
    // PyTorch: running = (1 - momentum) * running + momentum * batch, with
    // the unbiased variance.
    auto blend = [&](Value running, Value batch) -> Value {
      Value kept = dln::MulOp::create(
          c.builder, c.loc, running,
          dln::splatLike(c.builder, c.loc, running, 1.0 - momentum));
      Value added = dln::MulOp::create(
          c.builder, c.loc, batch,
          dln::splatLike(c.builder, c.loc, batch, momentum));
      return dln::AddOp::create(c.builder, c.loc, kept, added);
    };
    c.newStates->push_back(blend(c.states[0], stats.mean));
    Value unbiased = dln::scale(c.builder, c.loc, stats.variance,
                                stats.besselFactor);
    c.newStates->push_back(blend(c.states[1], unbiased));
  }
  return dln::normalizeChannels(c.builder, c.loc, c.input, stats.mean,
                                stats.variance, gamma, beta, eps);
}

/// A recurrent layer's `I -> H` and its `bias` flag.
struct CellShape {
  int64_t in, hidden;
  bool bias;
};

FailureOr<CellShape> readCellShape(const LayerDeclContext &context,
                                   StringRef kind) {
  CellShape shape;
  if (failed(readDims(context, kind, shape.in, shape.hidden)))
    return failure();
  FailureOr<bool> hasBias = readBiasFlag(context);
  if (failed(hasBias))
    return failure();
  shape.bias = *hasBias;
  return shape;
}

/// A recurrent cell's tensors, as PyTorch names and shapes them:
/// weight_ih<suffix> [G * H, width], weight_hh<suffix> [G * H, H] and, with
/// biases, bias_ih<suffix> (initialized by `inputBias`) and bias_hh<suffix>
/// [G * H].
void declareCellTensors(SmallVectorImpl<LayerParam> &params,
                        const std::string &suffix, int64_t gates,
                        int64_t hidden, int64_t width, bool bias,
                        dln::InitAttr init, dln::InitAttr inputBias) {
  params.push_back({"weight_ih" + suffix, {gates * hidden, width}, init});
  params.push_back({"weight_hh" + suffix, {gates * hidden, hidden}, init});
  if (!bias)
    return;
  params.push_back({"bias_ih" + suffix, {gates * hidden}, inputBias});
  params.push_back({"bias_hh" + suffix, {gates * hidden}, init});
}

/// rnn_cell(I -> H, activation = tanh | relu, bias = true) and
/// gru_cell(I -> H, bias = true): PyTorch's weight_ih [G * H, I], weight_hh
/// [G * H, H], bias_ih and bias_hh [G * H] (G = 1 or 3), all drawn from
/// U(-1/sqrt(H), 1/sqrt(H)) as torch.nn.RNNCell / GRUCell. Config: the
/// activation (0 tanh, 1 relu).
template <int64_t Gates>
LogicalResult declareCell(const LayerDeclContext &context,
                          SmallVectorImpl<LayerParam> &params,
                          LayerConfig &config) {
  StringRef kind = Gates == 1 ? "rnn_cell" : "gru_cell";
  FailureOr<CellShape> shape = readCellShape(context, kind);
  if (failed(shape))
    return failure();
  auto [in, hidden, hasBias] = *shape;
  bool relu = false;
  if (const Argument *activation =
          findNamedArgument(context.call, "activation")) {
    auto *word = dyn_cast<IdentifierExpr>(activation->value.get());
    if (Gates != 1 || !word || (word->name != "tanh" && word->name != "relu"))
      return context.error(activation->loc)
                 << (Gates == 1 ? "'activation' of rnn_cell is tanh or relu"
                                : "gru_cell has no 'activation' option"),
             failure();
    relu = word->name == "relu";
  }
  config.push_back(relu);
  auto init = context.parseInit(nullptr, hidden, hidden);
  if (!init)
    return failure();
  declareCellTensors(params, "", Gates, hidden, in, hasBias, *init, *init);
  return success();
}

/// cell(h, x): the state first, as `l(h, x) -> h'` in docs 9.1.
template <int64_t Gates> FailureOr<Value> applyCell(const LayerCall &c) {
  dln::CellWeights weights{c.params[0], c.params[1],
                           c.params.size() > 2 ? c.params[2] : Value(),
                           c.params.size() > 3 ? c.params[3] : Value()};
  if (Gates == 1)
    return dln::rnnCell(c.builder, c.loc, c.input, c.extraInputs[0], weights,
                        /*relu=*/c.config[0] != 0);
  return dln::gruCell(c.builder, c.loc, c.input, c.extraInputs[0], weights);
}

/// lstm_cell(I -> H, forget_bias = 0, bias = true): torch.nn.LSTMCell's
/// weight_ih [4H, I], weight_hh [4H, H], bias_ih and bias_hh [4H], gates
/// i, f, g, o, all drawn from U(-1/sqrt(H), 1/sqrt(H)); a nonzero
/// `forget_bias` initializes the forget gate's quarter of bias_ih to it
/// (docs 9.1), so the cell starts out remembering.
LogicalResult declareLstmCell(const LayerDeclContext &context,
                              SmallVectorImpl<LayerParam> &params,
                              LayerConfig &config) {
  FailureOr<CellShape> shape = readCellShape(context, "lstm_cell");
  if (failed(shape))
    return failure();
  auto [in, hidden, hasBias] = *shape;
  double forgetBias = 0;
  if (const Argument *arg = findNamedArgument(context.call, "forget_bias")) {
    std::optional<double> value =
        evaluateNumber(*arg->value, &context.bindings);
    if (!value || !std::isfinite(*value))
      return context.error(arg->value->getLoc())
                 << "'forget_bias' of lstm_cell must be a number",
             failure();
    if (!hasBias && *value != 0)
      return context.error(arg->loc)
                 << "'forget_bias' needs the cell's biases (bias = true)",
             failure();
    forgetBias = *value;
  }
  auto init = context.parseInit(nullptr, hidden, hidden);
  if (!init)
    return failure();
  dln::InitAttr inputBias =
      forgetBias == 0
          ? *init
          : dln::InitAttr::get(
                &context.mlirContext, "lstm_bias", hidden, hidden,
                DenseF64ArrayAttr::get(&context.mlirContext, {forgetBias}));
  declareCellTensors(params, "", 4, hidden, in, hasBias, *init, inputBias);
  return success();
}

/// cell((h, c), x) -> (h', c').
FailureOr<SmallVector<Value>> applyLstmCell(const LayerCall &c) {
  dln::CellWeights weights{c.params[0], c.params[1],
                           c.params.size() > 2 ? c.params[2] : Value(),
                           c.params.size() > 3 ? c.params[3] : Value()};
  FailureOr<std::pair<Value, Value>> next = dln::lstmCell(
      c.builder, c.loc, c.input, c.extraInputs[0], c.extraInputs[1], weights);
  if (failed(next))
    return failure();
  return SmallVector<Value>{next->first, next->second};
}

/// rnn(I -> H, layers = 1, bidirectional = false, dropout = 0,
/// activation = tanh, bias = true), lstm(...) and gru(...) (no
/// activation), as torch.nn.RNN / LSTM / GRU with batch_first: per layer
/// and direction the cell's weight_ih_l<k>[_reverse], weight_hh_l<k>...,
/// layers above the first reading the [T, H * directions] states below.
/// Config: SequenceLayerConfig's fields, dropout as its bits.
template <SequenceLayerConfig::Cell Kind>
LogicalResult declareSequenceLayer(const LayerDeclContext &context,
                                   SmallVectorImpl<LayerParam> &params,
                                   LayerConfig &config) {
  StringRef kind = Kind == SequenceLayerConfig::Lstm  ? "lstm"
                   : Kind == SequenceLayerConfig::Gru ? "gru"
                                                      : "rnn";
  FailureOr<CellShape> shape = readCellShape(context, kind);
  if (failed(shape))
    return failure();
  auto [in, hidden, hasBias] = *shape;
  SequenceLayerConfig::Cell cell = Kind;
  int64_t layers = 1, directions = 1;
  double dropout = 0;
  if (const Argument *arg = findNamedArgument(context.call, "layers")) {
    std::optional<double> value = evaluateNumber(*arg->value, &context.bindings);
    if (!value || *value < 1 || *value > 64 || *value != std::floor(*value))
      return context.error(arg->value->getLoc())
                 << "'layers' of " << kind << " must be an integer in [1, 64]",
             failure();
    layers = static_cast<int64_t>(*value);
  }
  if (const Argument *arg = findNamedArgument(context.call, "bidirectional")) {
    std::optional<double> value = evaluateNumber(*arg->value, &context.bindings);
    if (!value || (*value != 0 && *value != 1))
      return context.error(arg->value->getLoc())
                 << "'bidirectional' of " << kind << " is true or false",
             failure();
    directions = *value != 0 ? 2 : 1;
  }
  if (const Argument *arg = findNamedArgument(context.call, "dropout")) {
    std::optional<double> value = evaluateNumber(*arg->value, &context.bindings);
    if (!value || !(*value >= 0 && *value < 1))
      return context.error(arg->value->getLoc())
                 << "'dropout' of " << kind << " must be in [0, 1)",
             failure();
    dropout = *value;
  }
  if (const Argument *arg = findNamedArgument(context.call, "activation")) {
    auto *word = dyn_cast<IdentifierExpr>(arg->value.get());
    if (Kind != SequenceLayerConfig::RnnTanh || !word ||
        (word->name != "tanh" && word->name != "relu"))
      return context.error(arg->loc)
                 << (Kind == SequenceLayerConfig::RnnTanh
                         ? "'activation' of rnn is tanh or relu"
                         : kind.str() + " has no 'activation' option"),
             failure();
    if (word->name == "relu")
      cell = SequenceLayerConfig::RnnRelu;
  }
  int64_t gates = Kind == SequenceLayerConfig::Lstm  ? 4
                  : Kind == SequenceLayerConfig::Gru ? 3
                                                     : 1;
  auto init = context.parseInit(nullptr, hidden, hidden);
  if (!init)
    return failure();
  for (int64_t layer = 0; layer < layers; ++layer)
    for (int64_t direction = 0; direction < directions; ++direction) {
      std::string suffix = "_l" + std::to_string(layer) +
                           (direction ? "_reverse" : "");
      int64_t width = layer == 0 ? in : hidden * directions;
      declareCellTensors(params, suffix, gates, hidden, width, hasBias,
                         *init, *init);
    }
  config.assign({cell, layers, directions, hasBias,
                 llvm::bit_cast<int64_t>(dropout)});
  return success();
}

/// embedding(V -> D, init = normal(0, 1)): weight [V, D], as
/// torch.nn.Embedding; a class index selects its row (one_hot(c) @ weight,
/// so the gradient reaches the rows used). Config: V.
LogicalResult declareEmbedding(const LayerDeclContext &context,
                               SmallVectorImpl<LayerParam> &params,
                               LayerConfig &config) {
  int64_t vocabulary, width;
  if (failed(readDims(context, "embedding", vocabulary, width)))
    return failure();
  const Argument *initArg = findNamedArgument(context.call, "init");
  std::optional<dln::InitAttr> init =
      initArg ? context.parseInit(initArg->value.get(), vocabulary, width)
              : dln::InitAttr::get(
                    &context.mlirContext, "normal", vocabulary, width,
                    DenseF64ArrayAttr::get(&context.mlirContext, {0.0, 1.0}));
  if (!init)
    return failure();
  params.push_back({"weight", {vocabulary, width}, *init});
  config.push_back(vocabulary);
  return success();
}

FailureOr<Value> applyEmbedding(const LayerCall &c) {
  auto ids = cast<RankedTensorType>(c.input.getType());
  auto weight = cast<RankedTensorType>(c.params[0].getType());
  if (!ids.getElementType().isInteger(32) || ids.getRank() != 1)
    return emitError(c.loc) << "embedding expects a class index (class[N]) "
                               "per sample, got "
                            << ids.getElementType() << "["
                            << dln::shapeText(ids.getShape().drop_front())
                                   .substr(1),
           failure();
  Value rows = dln::OneHotOp::create(
      c.builder, c.loc, c.input, c.config[0],
      cast<FloatType>(weight.getElementType()));
  return dln::MatmulOp::create(c.builder, c.loc, rows, c.params[0],
                               /*transpose_lhs=*/false,
                               /*transpose_rhs=*/false)
      .getResult();
}

const StringLiteral denseOptions[] = {"init", "bias_init", "bias"};
const StringLiteral embeddingOptions[] = {"init"};
const StringLiteral rnnCellOptions[] = {"activation", "bias"};
const StringLiteral gruCellOptions[] = {"bias"};
const StringLiteral lstmCellOptions[] = {"forget_bias", "bias"};
const StringLiteral rnnOptions[] = {"layers", "bidirectional", "dropout",
                                    "activation", "bias"};
const StringLiteral gatedSequenceOptions[] = {"layers", "bidirectional",
                                              "dropout", "bias"};
const StringLiteral cellInputs[] = {"x"};
const StringLiteral convOptions[] = {
    "kernel", "stride",  "padding", "dilation",    "groups",
    "bias",   "init",    "bias_init", "padding_mode"};
const StringLiteral convTransposeOptions[] = {
    "kernel", "stride", "padding",   "output_padding", "dilation",
    "groups", "bias",   "init",      "bias_init"};

const StringLiteral deformConvOptions[] = {
    "kernel", "stride", "padding",   "dilation",     "groups",
    "bias",   "init",   "bias_init", "offset_groups"};
const StringLiteral deformConvInputs[] = {"offsets", "mask"};

const StringLiteral batchNormOptions[] = {"momentum", "eps", "affine"};

const LayerKind layerKinds[] = {
    {"dense", denseOptions, declareDense, applyDense},
    {"conv1d", convOptions, declareConv<1>, applyConv, /*needsBatch=*/true},
    {"conv2d", convOptions, declareConv<2>, applyConv, /*needsBatch=*/true},
    {"conv_transpose1d", convTransposeOptions, declareConv<1, true>,
     applyConvTranspose, /*needsBatch=*/true},
    {"conv_transpose2d", convTransposeOptions, declareConv<2, true>,
     applyConvTranspose, /*needsBatch=*/true},
    {"deform_conv2d", deformConvOptions, declareDeformConv, applyDeformConv,
     /*needsBatch=*/true, deformConvInputs, /*requiredExtraInputs=*/1},
    {"batch_norm", batchNormOptions, declareBatchNorm, applyBatchNorm,
     /*needsBatch=*/true},
    {"embedding", embeddingOptions, declareEmbedding, applyEmbedding,
     /*needsBatch=*/true, {}, 0, /*acceptsClass=*/true},
    {"rnn_cell", rnnCellOptions, declareCell<1>, applyCell<1>,
     /*needsBatch=*/true, cellInputs, /*requiredExtraInputs=*/1},
    {"gru_cell", gruCellOptions, declareCell<3>, applyCell<3>,
     /*needsBatch=*/true, cellInputs, /*requiredExtraInputs=*/1},
    {"lstm_cell", lstmCellOptions, declareLstmCell, nullptr,
     /*needsBatch=*/true, cellInputs, /*requiredExtraInputs=*/1,
     /*acceptsClass=*/false, /*stateElements=*/2, applyLstmCell},
    {"rnn", rnnOptions, declareSequenceLayer<SequenceLayerConfig::RnnTanh>,
     nullptr, /*needsBatch=*/true, {}, 0, false, 1, nullptr,
     /*sequenceLayer=*/true},
    {"lstm", gatedSequenceOptions,
     declareSequenceLayer<SequenceLayerConfig::Lstm>, nullptr,
     /*needsBatch=*/true, {}, 0, false, 1, nullptr, /*sequenceLayer=*/true},
    {"gru", gatedSequenceOptions, declareSequenceLayer<SequenceLayerConfig::Gru>,
     nullptr, /*needsBatch=*/true, {}, 0, false, 1, nullptr,
     /*sequenceLayer=*/true},
};
} // namespace

SequenceLayerConfig SequenceLayerConfig::decode(ArrayRef<int64_t> config) {
  return {static_cast<Cell>(config[0]), config[1], config[2], config[3] != 0,
          llvm::bit_cast<double>(config[4])};
}

const LayerKind *dlnc::lookupLayer(StringRef name) {
  for (const LayerKind &kind : layerKinds)
    if (kind.name == name)
      return &kind;
  return nullptr;
}

ArrayRef<LayerKind> dlnc::allLayers() { return layerKinds; }
