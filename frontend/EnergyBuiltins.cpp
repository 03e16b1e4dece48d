//===- EnergyBuiltins.cpp - gibbs, free_energy, pseudo_log_likelihood -----===//
//
// The builtins of binary restricted Boltzmann machines (docs 9.7), for a
// weight matrix w: [H, V], visible bias bv: [V], hidden bias bh: [H] and
// per-sample visible vectors v: [V]:
//   free_energy(v, w, bv, bh) = -v.bv - sum_j softplus((w v + bh)_j)
//   gibbs(w, bv, bh, v, k = 1): k steps of block Gibbs sampling,
//     h ~ p(h | v), then v ~ p(v | h); the sample carries no gradient
//   pseudo_log_likelihood(v, w, bv, bh): V * log sigmoid(F(v~) - F(v)), v~
//     being v with one uniformly drawn unit flipped (scikit-learn's
//     BernoulliRBM.score_samples), a stochastic estimate per sample.
// Every draw has its own stream: the call site, the enclosing draw scope
// (loop iteration, helper call) and its place in the builtin.
//
//===----------------------------------------------------------------------===//

#include "frontend/ModelGen.h"

#include "frontend/Builtins.h"
#include "frontend/ConstantEval.h"
#include "frontend/PerSampleOps.h"

#include "dialects/DLN/IR/DLNComposites.h"

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

namespace {

/// `m @ v + bias` per sample.
FailureOr<SampleValue> affine(OpBuilder &builder, Location loc, SampleValue m,
                              SampleValue v, SampleValue bias) {
  FailureOr<SampleValue> product = perSampleMatmul(builder, loc, m, v);
  if (failed(product))
    return failure();
  return perSampleBinary(builder, loc, "+", *product, bias);
}

SampleValue softplus(OpBuilder &builder, Location loc, SampleValue x) {
  const double options[] = {1.0, 20.0};
  Value value = *lookupBuiltin("softplus")->build(
      BuiltinCall{builder, loc, {x.value}, options, 0, x.batched});
  return {value, x.batched};
}
} // namespace

bool ModelGen::isEnergyBuiltin(StringRef name) {
  return name == "gibbs" || name == "gibbs_sweep" || name == "free_energy" ||
         name == "pseudo_log_likelihood";
}

FailureOr<SampleValue> ModelGen::emitFreeEnergy(SampleValue v, SampleValue w,
                                                SampleValue bv, SampleValue bh,
                                                Location where) {
  FailureOr<SampleValue> visible = perSampleBinary(builder, where, "*", v, bv);
  FailureOr<SampleValue> hidden = affine(builder, where, w, v, bh);
  if (failed(visible) || failed(hidden))
    return failure();
  SampleValue sum = perSampleSum(builder, where, *visible);
  SampleValue soft = perSampleSum(builder, where, softplus(builder, where, *hidden));
  FailureOr<SampleValue> total = perSampleBinary(builder, where, "+", sum, soft);
  if (failed(total))
    return failure();
  return SampleValue{NegOp::create(builder, where, total->value),
                     total->batched};
}

std::optional<FailureOr<SampleValue>>
ModelGen::emitEnergyBuiltin(const CallExpr &call) {
  StringRef name = calleeName(call);
  if (!isEnergyBuiltin(name))
    return std::nullopt;
  Location where = loc(call.getLoc());
  SmallVector<SampleValue> operands;
  int64_t steps = 1;
  const Argument *clampArg = nullptr;
  for (const Argument &arg : call.args) {
    if (!arg.name.empty() && name == "gibbs_sweep" && arg.name == "clamp") {
      clampArg = &arg;
      continue;
    }
    if (!arg.name.empty()) {
      std::optional<int64_t> k =
          evaluateInteger(*arg.value, &modelParams);
      if (name != "gibbs" || arg.name != "k")
        return FailureOr<SampleValue>(
            error(arg.loc) << "'" << name << "' has no argument named '"
                           << arg.name << "'"
                           << (name == "gibbs"         ? " (expected k)"
                               : name == "gibbs_sweep" ? " (expected clamp)"
                                                       : ""));
      if (!k || *k < 1 || *k > 64)
        return FailureOr<SampleValue>(
            error(arg.value->getLoc())
            << "'k' of gibbs must be an integer in [1, 64] (the steps are "
               "unrolled)");
      steps = *k;
      continue;
    }
    FailureOr<SampleValue> value = emitExpr(*arg.value);
    if (failed(value) ||
        failed(requireReal(*value, arg.loc, "'" + name.str() + "'")))
      return FailureOr<SampleValue>(failure());
    operands.push_back(*value);
  }
  if (name == "gibbs_sweep")
    return emitGibbsSweep(call, operands, clampArg);
  if (operands.size() != 4)
    return FailureOr<SampleValue>(
        error(call.getLoc())
        << "'" << name << "' expects 4 argument(s) "
        << (name == "gibbs" ? "(w, bv, bh, v)" : "(v, w, bv, bh)") << ", got "
        << operands.size());
  if (name == "free_energy")
    return emitFreeEnergy(operands[0], operands[1], operands[2], operands[3],
                          where);
  if (!root->rngKey)
    return FailureOr<SampleValue>(
        error(call.getLoc()) << "internal error: '" << name
                             << "' outside an entry point with an rng key");
  auto bernoulli = [&](SampleValue p, StringRef tag) -> SampleValue {
    Value u = drawUniformLike(p.value, call.getLoc(), tag);
    return {CompareOp::create(builder, where, ComparePredicate::lt, u, p.value),
            p.batched};
  };
  if (name == "gibbs") {
    SampleValue w = operands[0], bv = operands[1], bh = operands[2],
                v = operands[3];
    FailureOr<SampleValue> wT = perSampleTranspose(builder, where, w);
    if (failed(wT))
      return FailureOr<SampleValue>(failure());
    for (int64_t i = 0; i < steps; ++i) {
      FailureOr<SampleValue> hidden = affine(builder, where, w, v, bh);
      if (failed(hidden))
        return FailureOr<SampleValue>(failure());
      SampleValue h = bernoulli(
          {SigmoidOp::create(builder, where, hidden->value), hidden->batched},
          ("/gibbs" + Twine(i) + "/h").str());
      FailureOr<SampleValue> visible = affine(builder, where, *wT, h, bv);
      if (failed(visible))
        return FailureOr<SampleValue>(failure());
      v = bernoulli(
          {SigmoidOp::create(builder, where, visible->value), visible->batched},
          ("/gibbs" + Twine(i) + "/v").str());
    }
    return v;
  }
  // pseudo_log_likelihood: flip the unit where a uniform draw is largest.
  SampleValue v = operands[0], w = operands[1], bv = operands[2],
              bh = operands[3];
  auto type = cast<RankedTensorType>(v.value.getType());
  if (!v.batched || type.getRank() != 2)
    return FailureOr<SampleValue>(
        error(call.args.front().loc)
        << "pseudo_log_likelihood expects per-sample visible vectors [V]");
  Value u = drawUniformLike(v.value, call.getLoc(), "/pll");
  Value largest = ReduceMaxOp::create(builder, where, u, ArrayRef<int64_t>{1});
  Value pick = CompareOp::create(builder, where, ComparePredicate::ge, u,
                                 expandReduced(builder, where, largest, u, {1}));
  // v + pick * (1 - 2v)
  Value away = SubOp::create(builder, where, splatLike(builder, where, v.value, 1.0),
                             MulOp::create(builder, where,
                                           splatLike(builder, where, v.value, 2.0),
                                           v.value));
  SampleValue flipped{AddOp::create(builder, where, v.value,
                                    MulOp::create(builder, where, pick, away)),
                      true};
  FailureOr<SampleValue> energy = emitFreeEnergy(v, w, bv, bh, where);
  FailureOr<SampleValue> flippedEnergy =
      emitFreeEnergy(flipped, w, bv, bh, where);
  if (failed(energy) || failed(flippedEnergy))
    return FailureOr<SampleValue>(failure());
  // log sigmoid(F~ - F) = -softplus(F - F~), which never overflows.
  FailureOr<SampleValue> gap = perSampleBinary(builder, where, "-", *energy, *flippedEnergy);
  if (failed(gap))
    return FailureOr<SampleValue>(failure());
  Value logSigmoid =
      NegOp::create(builder, where, softplus(builder, where, *gap).value);
  return SampleValue{
      MulOp::create(builder, where, logSigmoid,
                    splatLike(builder, where, logSigmoid,
                              static_cast<double>(type.getDimSize(1)))),
      true};
}

FailureOr<SampleValue>
ModelGen::emitGibbsSweep(const CallExpr &call, ArrayRef<SampleValue> operands,
                         const Argument *clampArg) {
  Location where = loc(call.getLoc());
  if (operands.size() != 3)
    return error(call.getLoc()) << "'gibbs_sweep' expects 3 argument(s) (w, "
                                   "b, s) and the option clamp, got "
                                << operands.size(),
           failure();
  SampleValue w = operands[0], b = operands[1], s = operands[2];
  auto stateType = cast<RankedTensorType>(s.value.getType());
  if (!s.batched || stateType.getRank() != 2 || w.batched || b.batched)
    return error(call.args[2].loc)
               << "gibbs_sweep resamples per-sample unit vectors [N] with "
                  "weights [N, N] and biases [N] that are the same for every "
                  "sample",
           failure();
  int64_t units = stateType.getDimSize(1);
  Value clamp = splatConstant(
      builder, where, RankedTensorType::get({units}, elementType), 0.0);
  if (clampArg) {
    FailureOr<SampleValue> mask = emitExpr(*clampArg->value);
    if (failed(mask))
      return failure();
    if (mask->batched)
      return error(clampArg->loc) << "gibbs_sweep's clamp mask must be the "
                                     "same for every sample (a const)",
             failure();
    clamp = mask->value;
  }
  Value u = drawUniformLike(s.value, call.getLoc(), "/sweep");
  FailureOr<Value> sweep = createChecked<GibbsSweepOp>(
      builder, where, w.value, b.value, s.value, u, clamp);
  if (failed(sweep))
    return failure();
  return SampleValue{*sweep, true};
}
