//===- FakeModel.cpp - A hand-written stand-in for a compiled model -------===//
#include "FakeModel.h"

#include <atomic>
#include <cstdint>
#include <vector>

namespace fake {
namespace {

using json = nlohmann::json;

// The entry points are plain C function pointers with no user data, so the
// count is a file-level counter (test code only; the runtime itself keeps no
// globals).
std::atomic<int> violations{0};

/// View of one memref descriptor of rank R: {allocated, aligned, offset,
/// sizes[R], strides[R]}.
struct View {
  int64_t *words;
  int rank;
  void *data() const { return reinterpret_cast<void *>(words[1]); }
  int64_t size(int i) const { return words[3 + i]; }
};

View view(void *arg, int rank, std::vector<int64_t> expectSizes) {
  View v{static_cast<int64_t *>(arg), rank};
  if (v.words[0] != v.words[1] || v.words[2] != 0 || v.words[1] % 64 != 0)
    ++violations;
  int64_t stride = 1;
  for (int i = rank - 1; i >= 0; --i) {
    if (expectSizes[i] >= 0 && v.size(i) != expectSizes[i])
      ++violations;
    if (v.words[3 + rank + i] != stride)
      ++violations;
    stride *= v.size(i);
  }
  return v;
}

template <typename T> struct Args {
  T *w, *b, *x, *y;
  T *vw = nullptr, *vb = nullptr; // momentum state
  int64_t batch;
  int next; // index of the first argument after x and y
};

/// Decodes the leading arguments: w, b, [vw, vb], then x and y in layout order.
template <typename T, bool LabelFirst, bool Momentum>
Args<T> commonArgs(void **args) {
  Args<T> a;
  int i = 2;
  a.w = static_cast<T *>(view(args[0], 2, {kFeatures, 1}).data());
  a.b = static_cast<T *>(view(args[1], 1, {1}).data());
  if (Momentum) {
    a.vw = static_cast<T *>(view(args[2], 2, {kFeatures, 1}).data());
    a.vb = static_cast<T *>(view(args[3], 1, {1}).data());
    i = 4;
  }
  int xi = LabelFirst ? i + 1 : i, yi = LabelFirst ? i : i + 1;
  View x = view(args[xi], 2, {-1, kFeatures});
  a.batch = x.size(0);
  a.x = static_cast<T *>(x.data());
  a.y = static_cast<T *>(view(args[yi], 2, {a.batch, 1}).data());
  a.next = i + 2;
  return a;
}

template <typename T> T predict(const Args<T> &a, int64_t i) {
  T p = a.b[0];
  for (int j = 0; j < kFeatures; ++j)
    p += a.w[j] * a.x[i * kFeatures + j];
  return p;
}

/// Mean loss and gradients (gw[kFeatures], gb).
template <typename T> T lossAndGrad(const Args<T> &a, T *gw, T *gb) {
  T loss = 0;
  for (int j = 0; j < kFeatures; ++j)
    gw[j] = 0;
  *gb = 0;
  for (int64_t i = 0; i < a.batch; ++i) {
    T r = predict(a, i) - a.y[i];
    loss += r * r;
    for (int j = 0; j < kFeatures; ++j)
      gw[j] += 2 * r * a.x[i * kFeatures + j] / static_cast<T>(a.batch);
    *gb += 2 * r / static_cast<T>(a.batch);
  }
  return loss / static_cast<T>(a.batch);
}

template <typename T, bool LabelFirst, bool Momentum>
void trainStep(void **args) {
  Args<T> a = commonArgs<T, LabelFirst, Momentum>(args);
  T lr = *static_cast<T *>(view(args[a.next], 0, {}).data());
  T *loss = static_cast<T *>(view(args[a.next + 1], 0, {}).data());
  T gw[kFeatures], gb;
  *loss = lossAndGrad(a, gw, &gb);
  if (Momentum) {
    for (int j = 0; j < kFeatures; ++j)
      gw[j] = a.vw[j] = static_cast<T>(kMomentum) * a.vw[j] + gw[j];
    gb = a.vb[0] = static_cast<T>(kMomentum) * a.vb[0] + gb;
  }
  for (int j = 0; j < kFeatures; ++j)
    a.w[j] -= lr * gw[j];
  a.b[0] -= lr * gb;
}

template <typename T, bool LabelFirst> void evalStep(void **args) {
  Args<T> a = commonArgs<T, LabelFirst, false>(args);
  T *losses = static_cast<T *>(view(args[a.next], 1, {a.batch}).data());
  T *out = static_cast<T *>(view(args[a.next + 1], 2, {a.batch, 1}).data());
  for (int64_t i = 0; i < a.batch; ++i) {
    out[i] = predict(a, i);
    losses[i] = (out[i] - a.y[i]) * (out[i] - a.y[i]);
  }
}

template <typename T, bool LabelFirst, bool Wrong>
void lossAndGradStep(void **args) {
  Args<T> a = commonArgs<T, LabelFirst, false>(args);
  T *loss = static_cast<T *>(view(args[a.next], 0, {}).data());
  T *gw = static_cast<T *>(view(args[a.next + 1], 2, {kFeatures, 1}).data());
  T *gb = static_cast<T *>(view(args[a.next + 2], 1, {1}).data());
  *loss = lossAndGrad(a, gw, gb);
  if (Wrong)
    gw[1] *= 1.5;
}

/// One static table per variant: the ABI points into it, as into a model
/// object's data.
template <typename T, bool Wrong, bool LabelFirst, bool Momentum>
const dlnrt_entry_point *table() {
  static const dlnrt_entry_point entries[] = {
      {"train_step", trainStep<T, LabelFirst, Momentum>},
      {"eval_step", evalStep<T, LabelFirst>},
      {"loss_and_grad", lossAndGradStep<T, LabelFirst, Wrong>}};
  return entries;
}

template <typename T, bool Wrong> const dlnrt_entry_point *table(Layout l) {
  if (l.labelFirst)
    return l.momentum ? table<T, Wrong, true, true>()
                      : table<T, Wrong, true, false>();
  return l.momentum ? table<T, Wrong, false, true>()
                    : table<T, Wrong, false, false>();
}

json arg(const char *role, const std::string &name, const std::string &dtype,
         json shape, const char *access, bool batched = false) {
  json a = {{"role", role},
            {"name", name},
            {"dtype", dtype},
            {"shape", shape},
            {"access", access}};
  if (batched)
    a["batch_dim"] = 0;
  return a;
}

} // namespace

dlnrt_model_abi linearAbi(bool f64, const char *manifest, bool wrongGradient,
                          Layout layout) {
  const dlnrt_entry_point *entries =
      f64 ? (wrongGradient ? table<double, true>(layout)
                           : table<double, false>(layout))
          : (wrongGradient ? table<float, true>(layout)
                           : table<float, false>(layout));
  return {manifest, 3, entries};
}

json linearManifestJson(const std::string &dtype, int batch, Layout layout) {
  const std::string &d = dtype;
  json params = json::array(), state = json::array();
  params.push_back(
      {{"name", "w"},
       {"shape", {kFeatures, 1}},
       {"init",
        {{"kind", "glorot_uniform"}, {"fan_in", kFeatures}, {"fan_out", 1}}}});
  params.push_back(
      {{"name", "b"},
       {"shape", {1}},
       {"init", {{"kind", "zeros"}, {"fan_in", 0}, {"fan_out", 0}}}});
  if (layout.momentum)
    for (const json &p : params)
      state.push_back(
          {{"name", p["name"].get<std::string>() + ".momentum"},
           {"shape", p["shape"]},
           {"init", {{"kind", "zeros"}, {"fan_in", 0}, {"fan_out", 0}}}});

  auto paramArgs = [&](const char *access, bool withState) {
    json args = json::array();
    for (const json &p : params)
      args.push_back(arg("param", p["name"], d, p["shape"], access));
    if (withState)
      for (const json &s : state)
        args.push_back(
            arg("optimizer_state", s["name"], d, s["shape"], "readwrite"));
    json x = arg("input", "x", d, {-1, kFeatures}, "read", true),
         y = arg("label", "y", d, {-1, 1}, "read", true);
    args.push_back(layout.labelFirst ? y : x);
    args.push_back(layout.labelFirst ? x : y);
    return args;
  };
  json train = paramArgs("readwrite", true);
  train.push_back(arg("hyper", "lr", d, json::array(), "read"));
  train.push_back(arg("loss", "loss", d, json::array(), "write"));
  json eval = paramArgs("read", false);
  eval.push_back(arg("loss", "loss", d, {-1}, "write", true));
  eval.push_back(arg("output", "pred", d, {-1, 1}, "write", true));
  json grad = paramArgs("read", false);
  grad.push_back(arg("loss", "loss", d, json::array(), "write"));
  for (const json &p : params)
    grad.push_back(arg("grad", p["name"], d, p["shape"], "write"));

  json optimizer = {{"kind", "sgd"}, {"lr", 0.05}};
  if (layout.momentum)
    optimizer["momentum"] = kMomentum;
  return {{"format", "dlnc-model"},
          {"version", 3},
          {"model", "linreg"},
          {"dtype", dtype},
          {"batch", batch},
          {"train",
           {{"epochs", 3},
            {"seed", 5},
            {"log_every", 0},
            {"optimizer", optimizer}}},
          {"params", params},
          {"state", state},
          {"inputs", {{{"name", "x"}, {"shape", {kFeatures}}}}},
          {"labels", {{{"name", "y"}, {"kind", "real"}, {"shape", {1}}}}},
          {"outputs", {{{"name", "pred"}, {"shape", {1}}}}},
          {"losses", {{{"name", "loss"}}}},
          {"entry_points",
           {{{"name", "train_step"}, {"args", train}},
            {{"name", "eval_step"}, {"args", eval}},
            {{"name", "loss_and_grad"}, {"args", grad}}}}};
}

std::string linearManifest(const std::string &dtype, int batch,
                           const json &patch, Layout layout) {
  json m = linearManifestJson(dtype, batch, layout);
  if (!patch.is_null())
    m.merge_patch(patch);
  return m.dump();
}

std::string bareManifest(const std::string &dtype, int batch, int64_t inputSize,
                         const std::string &label, int64_t outputSize,
                         const std::string &params) {
  return R"({"format": "dlnc-model", "version": 3, "model": "m", "dtype": ")" +
         dtype + R"(", "batch": )" + std::to_string(batch) + R"(, "params": )" +
         params + R"(, "inputs": [{"name": "x", "shape": [)" +
         std::to_string(inputSize) + R"(]}], "labels": [)" + label +
         R"(], "outputs": [{"name": "o", "shape": [)" +
         std::to_string(outputSize) +
         R"(]}], "losses": [{"name": "loss"}], "entry_points": []})";
}

int abiViolations() { return violations.load(); }
void resetAbiViolations() { violations = 0; }

} // namespace fake
