//===- BatcherTest.cpp - Shuffling, full batches and eval padding ---------===//
#include "Batcher.h"
#include "Evaluate.h"
#include "FakeModel.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <numeric>

using namespace dlnrt;

namespace {

/// A class-labelled data set whose row i has features {i, 10*i} and label i
/// % 3.
Dataset rowsDataset(int64_t n) {
  Dataset ds;
  ds.count = n;
  ds.x = Tensor(DType::F32, {n, 2}, defaultAllocator());
  ds.y = Tensor(DType::I32, {n}, defaultAllocator());
  for (int64_t i = 0; i < n; ++i) {
    ds.x.set(2 * i, i);
    ds.x.set(2 * i + 1, 10 * i);
    ds.y.set(i, i % 3);
  }
  return ds;
}

} // namespace

// Same (seed, epoch) -> same order; a different seed or epoch -> a different
// one.
TEST(Batcher, ShuffleIsDeterministic) {
  EXPECT_EQ(shuffledOrder(1000, 42, 1), shuffledOrder(1000, 42, 1));
  EXPECT_NE(shuffledOrder(1000, 42, 1), shuffledOrder(1000, 43, 1));
  EXPECT_NE(shuffledOrder(1000, 42, 1), shuffledOrder(1000, 42, 2));
}

// The shuffle is a permutation of [0, n) and actually moves things.
TEST(Batcher, ShuffleIsAPermutation) {
  std::vector<int64_t> order = shuffledOrder(1000, 7, 1);
  std::vector<int64_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(1000);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(sorted, identity);
  EXPECT_NE(order, identity);
  EXPECT_TRUE(shuffledOrder(0, 1, 1).empty());
  EXPECT_EQ(shuffledOrder(1, 1, 1), std::vector<int64_t>{0});
}

// Training drops the incomplete last batch; evaluation pads it.
TEST(Batcher, BatchCounts) {
  EXPECT_EQ(fullBatchCount(10, 4), 2);
  EXPECT_EQ(fullBatchCount(8, 4), 2);
  EXPECT_EQ(fullBatchCount(3, 4), 0);
  EXPECT_EQ(paddedBatchCount(10, 4), 3);
  EXPECT_EQ(paddedBatchCount(8, 4), 2);
  EXPECT_EQ(paddedBatchCount(0, 4), 0);
}

// Gathered rows follow the index list; rows past `count` are zeroed.
TEST(Batcher, GatherRowsCopiesAndPads) {
  Dataset ds = rowsDataset(10);
  Tensor x(DType::F32, {4, 2}, defaultAllocator()),
      y(DType::I32, {4}, defaultAllocator());
  for (int64_t i = 0; i < x.size(); ++i)
    x.set(i, -1); // stale data that padding must clear
  const int64_t idx[] = {7, 2, 5};
  gatherRows(ds, idx, 3, x, y);
  EXPECT_FLOAT_EQ(x.as<float>()[0], 7);
  EXPECT_FLOAT_EQ(x.as<float>()[1], 70);
  EXPECT_FLOAT_EQ(x.as<float>()[2], 2);
  EXPECT_FLOAT_EQ(x.as<float>()[5], 50);
  EXPECT_FLOAT_EQ(x.as<float>()[6], 0);
  EXPECT_FLOAT_EQ(x.as<float>()[7], 0);
  EXPECT_EQ(y.as<int32_t>()[0], 1);
  EXPECT_EQ(y.as<int32_t>()[2], 2);
  EXPECT_EQ(y.as<int32_t>()[3], 0);
}

TEST(Batcher, CopyRowsPadsAndNullZeroes) {
  const double src[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  Tensor t(DType::F64, {3, 2}, defaultAllocator());
  copyRows(src, 4, 1, t); // rows 2.. of a 2-wide matrix: starts at src[8]
  EXPECT_DOUBLE_EQ(t.get(0), 9);
  EXPECT_DOUBLE_EQ(t.get(1), 10);
  EXPECT_DOUBLE_EQ(t.get(2), 0);
  copyRows(nullptr, 0, 3, t);
  EXPECT_DOUBLE_EQ(t.get(0), 0);
}

// Evaluation over 10 samples with batch 4 calls eval_step 3 times (last one
// padded) and averages over exactly the 10 valid rows.
TEST(Batcher, EvaluateCountsOnlyValidRows) {
  std::string manifest = fake::linearManifest("f64", 4);
  dlnrt_model_abi abi = fake::linearAbi(true, manifest.c_str());
  Model model(abi, defaultAllocator());
  model.params()[0].set(0, 1); // pred = x0 + 1
  model.params()[1].set(0, 1);
  Dataset ds;
  ds.count = 10;
  ds.x = Tensor(DType::F64, {10, 3}, defaultAllocator());
  ds.y = Tensor(DType::F64, {10, 1}, defaultAllocator());
  double expectLoss = 0;
  int64_t expectCorrect = 0;
  for (int64_t i = 0; i < 10; ++i) {
    ds.x.set(3 * i, 0.1 * i - 0.7);
    ds.y.set(i, i % 2);
    double pred = 0.1 * i - 0.7 + 1;
    expectLoss += (pred - i % 2) * (pred - i % 2);
    expectCorrect += ((pred >= 0.5) == (i % 2 >= 0.5)) ? 1 : 0;
  }
  int calls = 0;
  forEachEvalBatch(model, ds.count, ds.x.data(), ds.y.data(),
                   [&](int64_t first, int64_t valid, const Tensor &,
                       const Tensor &, const Tensor &) {
                     EXPECT_EQ(first, calls * 4);
                     EXPECT_EQ(valid, calls < 2 ? 4 : 2);
                     ++calls;
                   });
  EXPECT_EQ(calls, 3);
  EvalResult r = evaluate(model, ds);
  EXPECT_EQ(r.count, 10);
  EXPECT_NEAR(r.meanLoss, expectLoss / 10, 1e-12);
  ASSERT_TRUE(r.accuracy.has_value());
  EXPECT_DOUBLE_EQ(*r.accuracy, expectCorrect / 10.0);
}

// Accuracy rules: argmax for class labels, 0.5 thresholds for real labels.
TEST(Batcher, IsCorrectRules) {
  Manifest cls = parseManifest(fake::bareManifest(
      "f32", 2, 1, R"({"name": "y", "kind": "class", "classes": 3})", 3));
  Tensor out(DType::F32, {2, 3}, defaultAllocator()),
      y(DType::I32, {2}, defaultAllocator());
  const float o[] = {0.1f, 0.7f, 0.2f, 2.0f, -1.0f, 1.5f};
  std::copy(o, o + 6, out.as<float>());
  y.set(0, 1);
  y.set(1, 2);
  EXPECT_TRUE(isCorrect(cls, y, out, 0));
  EXPECT_FALSE(isCorrect(cls, y, out, 1));
  Manifest real = parseManifest(fake::bareManifest(
      "f64", 1, 1, R"({"name": "y", "kind": "real", "shape": [2]})", 2));
  Tensor ro(DType::F64, {1, 2}, defaultAllocator()),
      ry(DType::F64, {1, 2}, defaultAllocator());
  ro.set(0, 0.9);
  ro.set(1, 0.2);
  ry.set(0, 1);
  ry.set(1, 0);
  EXPECT_TRUE(isCorrect(real, ry, ro, 0));
  ry.set(1, 0.6);
  EXPECT_FALSE(isCorrect(real, ry, ro, 0));
}
