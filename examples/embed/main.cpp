// An application that embeds two compiled dlnc models through libdlnrt's C
// API (docs/runtime.md, "Embedding a model"): it trains each on data it holds
// in memory, then serves predictions. Build:
//   dlnc examples/xor.dln --emit=obj -o xor.o
//   dlnc examples/embed/line.dln --emit=obj -o line.o
//   c++ -std=c++17 examples/embed/main.cpp xor.o line.o -Iruntime/include \
//       -Lbuild/lib -ldlnrt -lz -lm -lpthread -o embed
// Every symbol of a compiled model carries its name (dln_<model>_...), so the
// two objects link side by side.
#include "dlnrt/dlnrt.h"

#include <cmath>
#include <cstdio>
#include <vector>

extern "C" const dlnrt_model_abi dln_xor_model;
extern "C" const dlnrt_model_abi dln_line_model;

namespace {
/// Prints and releases a failed status; true on success.
bool check(dlnrt_status status, const char *what) {
  if (!status)
    return true;
  std::fprintf(stderr, "error: %s: %s\n", what, dlnrt_status_message(status));
  dlnrt_status_free(status);
  return false;
}

/// Owns a model created from a compiled object's table.
struct Model {
  dlnrt_model *handle = nullptr;
  explicit Model(const dlnrt_model_abi &abi) {
    check(dlnrt_model_create(&abi, /*allocator=*/nullptr, &handle), "create");
  }
  ~Model() { dlnrt_model_destroy(handle); }
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;
};

/// XOR (f32, batch 4): full-batch gradient descent, then classify.
bool serveXor() {
  Model model(dln_xor_model);
  if (!model.handle || !check(dlnrt_model_init_params(model.handle, 7), "init"))
    return false;
  const float x[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  const float y[4] = {0, 1, 1, 0};
  double loss = 0;
  for (int step = 0; step < 2000; ++step)
    if (!check(dlnrt_model_train_batch(model.handle, 4, x, y, 5.0, &loss),
               "train"))
      return false;
  float p[4];
  if (!check(dlnrt_model_forward(model.handle, 4, x, nullptr, p, nullptr),
             "forward"))
    return false;
  bool correct = true;
  for (int i = 0; i < 4; ++i) {
    std::printf("xor(%g, %g) = %.3f\n", x[i][0], x[i][1], p[i]);
    correct &= (p[i] > 0.5f) == (y[i] > 0.5f);
  }
  std::printf("xor: final loss %.2e, %s\n", loss,
              correct ? "all correct" : "WRONG");
  return correct;
}

/// y = 3x - 2 (f64, batch 8, SGD with momentum), then predict new points.
bool serveLine() {
  Model model(dln_line_model);
  if (!model.handle || !check(dlnrt_model_init_params(model.handle, 1), "init"))
    return false;
  std::vector<double> x(8), y(8);
  for (int i = 0; i < 8; ++i) {
    x[i] = -1.0 + 2.0 * i / 7.0;
    y[i] = 3.0 * x[i] - 2.0;
  }
  double loss = 0;
  for (int step = 0; step < 300; ++step)
    if (!check(dlnrt_model_train_batch(model.handle, 8, x.data(), y.data(), 0.1,
                                       &loss),
               "train"))
      return false;
  const double queries[3] = {-3.0, 0.5, 10.0};
  double predictions[3];
  if (!check(dlnrt_model_forward(model.handle, 3, queries, nullptr, predictions,
                                 nullptr),
             "forward"))
    return false;
  bool close = true;
  for (int i = 0; i < 3; ++i) {
    double expected = 3.0 * queries[i] - 2.0;
    std::printf("line(%g) = %.4f (expected %g)\n", queries[i], predictions[i],
                expected);
    close &= std::fabs(predictions[i] - expected) < 1e-3;
  }
  std::printf("line: final loss %.2e, %s\n", loss, close ? "fits" : "WRONG");
  return close;
}
} // namespace

int main() {
  bool ok = serveXor();
  ok = serveLine() && ok;
  return ok ? 0 : 1;
}
