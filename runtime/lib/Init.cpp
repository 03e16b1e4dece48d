//===- Init.cpp - Parameter initialization from manifest rules ------------===//
#include "Init.h"

#include <cmath>

namespace dlnrt {

void initTensor(Tensor &t, const InitSpec &spec, Rng &rng) {
  const double fanIn = static_cast<double>(spec.fanIn);
  const double fanOut = static_cast<double>(spec.fanOut);
  auto fillConstant = [&](double v) {
    for (int64_t i = 0; i < t.size(); ++i)
      t.set(i, v);
  };
  auto fillUniform = [&](double lo, double hi) {
    for (int64_t i = 0; i < t.size(); ++i)
      t.set(i, rng.uniform(lo, hi));
  };
  auto fillNormal = [&](double mean, double std) {
    for (int64_t i = 0; i < t.size(); ++i)
      t.set(i, mean + std * rng.normal());
  };
  switch (spec.kind) {
  case InitKind::Zeros:
    return fillConstant(0);
  case InitKind::Ones:
    return fillConstant(1);
  case InitKind::Constant:
    return fillConstant(spec.value);
  case InitKind::Uniform:
    return fillUniform(spec.a, spec.b);
  case InitKind::Normal:
    return fillNormal(spec.mean, spec.std);
  case InitKind::Bernoulli:
    for (int64_t i = 0; i < t.size(); ++i)
      t.set(i, rng.uniform(0, 1) < spec.p ? 1.0 : 0.0);
    return;
  case InitKind::FanInUniform: { // PyTorch nn.Linear default, biases included
    double bound = 1.0 / std::sqrt(fanIn);
    return fillUniform(-bound, bound);
  }
  case InitKind::LecunUniform: {
    double bound = std::sqrt(3.0 / fanIn);
    return fillUniform(-bound, bound);
  }
  case InitKind::GlorotUniform: {
    double bound = std::sqrt(6.0 / (fanIn + fanOut));
    return fillUniform(-bound, bound);
  }
  case InitKind::GlorotNormal:
    return fillNormal(0, std::sqrt(2.0 / (fanIn + fanOut)));
  case InitKind::HeUniform: {
    double bound = std::sqrt(6.0 / fanIn);
    return fillUniform(-bound, bound);
  }
  case InitKind::HeNormal:
    return fillNormal(0, std::sqrt(2.0 / fanIn));
  case InitKind::LstmBias: {
    double bound = 1.0 / std::sqrt(fanIn);
    fillUniform(-bound, bound);
    int64_t quarter = t.size() / 4;
    for (int64_t i = quarter; i < 2 * quarter; ++i)
      t.set(i, spec.value);
    return;
  }
  }
}

void initParams(std::vector<Tensor> &params,
                const std::vector<ParamSpec> &specs, uint64_t seed) {
  Rng rng(seed, kStreamInit);
  for (size_t i = 0; i < params.size(); ++i)
    initTensor(params[i], specs[i].init, rng);
}

void initState(std::vector<Tensor> &state, const std::vector<ParamSpec> &specs,
               uint64_t seed) {
  Rng rng(seed, kStreamInitState);
  for (size_t i = 0; i < state.size(); ++i)
    initTensor(state[i], specs[i].init, rng);
}

} // namespace dlnrt
