//===- DivergenceTest.cpp - Finding NaN and infinity in model tensors -----===//
#include "Divergence.h"
#include "FakeModel.h"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>

using namespace dlnrt;

namespace {

template <typename T> void expectFirstNonFinite(DType dtype) {
  // More elements than one scan block, so the block boundary is crossed.
  Tensor t(dtype, {3, 1000}, defaultAllocator());
  EXPECT_EQ(firstNonFinite(t), -1);
  t.as<T>()[2999] = std::numeric_limits<T>::max(); // large is still finite
  t.as<T>()[5] = std::numeric_limits<T>::denorm_min();
  EXPECT_EQ(firstNonFinite(t), -1);
  t.as<T>()[2500] = -std::numeric_limits<T>::infinity();
  EXPECT_EQ(firstNonFinite(t), 2500);
  t.as<T>()[1024] = std::numeric_limits<T>::quiet_NaN();
  EXPECT_EQ(firstNonFinite(t), 1024);
  t.as<T>()[0] = std::numeric_limits<T>::infinity();
  EXPECT_EQ(firstNonFinite(t), 0);
}

} // namespace

// The first NaN or infinity is found wherever it sits, in either float dtype;
// huge and subnormal values are finite, and i32 tensors always are.
TEST(Divergence, FirstNonFinite) {
  expectFirstNonFinite<float>(DType::F32);
  expectFirstNonFinite<double>(DType::F64);
  Tensor ints(DType::I32, {4}, defaultAllocator());
  ints.as<int32_t>()[1] = -1;
  EXPECT_EQ(firstNonFinite(ints), -1);
  EXPECT_EQ(firstNonFinite(Tensor(DType::F32, {0}, defaultAllocator())), -1);
}

// The description names the loss, then the first bad param (in manifest
// order), then the first bad state tensor, with a multi-dimensional index.
TEST(Divergence, NamesFirstBadTensor) {
  fake::Layout momentum;
  momentum.momentum = true;
  std::string manifest = fake::linearManifest("f32", 2, nullptr, momentum);
  dlnrt_model_abi abi =
      fake::linearAbi(false, manifest.c_str(), false, momentum);
  Model model(abi, defaultAllocator());
  const double nan = std::nan(""), inf = HUGE_VAL;
  EXPECT_EQ(describeDivergence(model, 0.5), "");
  EXPECT_EQ(describeDivergence(model, nan), "loss is nan");
  EXPECT_EQ(describeDivergence(model, -inf), "loss is -inf");

  model.state()[1].set(0, -inf); // b.momentum
  EXPECT_EQ(describeDivergence(model, 0.5),
            "optimizer state 'b.momentum' holds a non-finite value (-inf at "
            "index [0])");
  model.params()[1].set(0, inf); // b
  model.params()[0].set(2, nan); // w is [3, 1]
  EXPECT_EQ(describeDivergence(model, 0.5),
            "parameter 'w' holds a non-finite value (nan at index [2, 0])");
  EXPECT_EQ(describeDivergence(model, inf),
            "loss is inf and parameter 'w' holds a non-finite value (nan at "
            "index [2, 0])");
}
