//===- DataSourceTest.cpp - Tables, splits and feature transforms ---------===//
#include "DataSource.h"
#include "Batcher.h"
#include "Error.h"
#include "FakeModel.h"
#include "TempDir.h"
#include "Transforms.h"

#include <cmath>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace dlnrt;
using json = nlohmann::json;

namespace {

/// A manifest with input size `inputs` and 3 classes whose data is `data`.
Manifest classManifest(int64_t inputs, const json &data) {
  json m = json::parse(fake::bareManifest(
      "f64", 4, inputs, R"({"name": "y", "kind": "class", "classes": 3})", 3));
  m["data"] = data;
  return parseManifest(m.dump());
}

json table(const json &rows, int64_t label = -1) {
  return {{"kind", "table"},
          {"columns", rows[0].size()},
          {"label", label},
          {"rows", rows}};
}

std::string loadError(const Manifest &m, const DataSpec &spec) {
  try {
    loadSplit(m, spec, "", defaultAllocator(), "data.train");
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

} // namespace

// Table rows load as CSV lines would: label column anywhere, features in
// order, the same checks with the row as location.
TEST(TableSource, LoadsRowsLikeCsv) {
  Manifest m =
      classManifest(2, {{"train", table({{0, 1.5, 2.5}, {2, -1, 4}}, 0)}});
  Dataset ds = loadSplit(m, *m.train, "", defaultAllocator());
  ASSERT_EQ(ds.count, 2);
  EXPECT_EQ(ds.x.shape(), (Shape{2, 2}));
  EXPECT_EQ(ds.x.get(0), 1.5);
  EXPECT_EQ(ds.x.get(3), 4);
  EXPECT_EQ(ds.y.as<int32_t>()[1], 2);
  EXPECT_TRUE(splitFiles(m, *m.train, "").empty());

  struct Case {
    json data;
    std::string expect;
  } cases[] = {
      {table({{0, 0, 1}, {0, 0, 1.5}}),
       "data: table row 2: class label '1.5' is not an integer in [0, 3)"},
      {table({{0, 0, 0}, {0, 0, 3}}),
       "data: table row 2: class label '3' is not an integer in [0, 3)"},
      {table({{0, 0}}), "data: table row 1: expected 3 columns (2 features + "
                        "1 label), got 2"},
      {table({{0, 0, 0}}, 3), "data: table: label column 3 is outside the 3 "
                              "columns"},
      {table({{0, 1e300, 0}}), ""}, // f64 model: fits
  };
  for (const Case &c : cases) {
    Manifest bad = classManifest(2, {{"train", c.data}});
    EXPECT_NE(loadError(bad, *bad.train).find(c.expect), std::string::npos)
        << c.expect << " got " << loadError(bad, *bad.train);
  }
}

// Splits: deterministic, floor(F * n) samples in part 0, the rest in part 1,
// each in permutation order, together every sample once.
TEST(SplitSource, PartsAreComplementary) {
  json rows = json::array();
  for (int i = 0; i < 10; ++i)
    rows.push_back({i, i % 3});
  json source = table(rows);
  auto split = [&](int part, double fraction = 0.75, uint64_t seed = 7) {
    return json{{"kind", "split"},
                {"source", source},
                {"fraction", fraction},
                {"seed", seed},
                {"part", part}};
  };
  Manifest m = classManifest(1, {{"train", split(0)}, {"test", split(1)}});
  Dataset train = loadSplit(m, *m.train, "", defaultAllocator());
  Dataset test = loadSplit(m, *m.test, "", defaultAllocator());
  ASSERT_EQ(train.count, 7); // floor(0.75 * 10)
  ASSERT_EQ(test.count, 3);
  std::vector<int64_t> order = splitOrder(10, 7);
  std::vector<int> seen(10, 0);
  for (int64_t i = 0; i < 7; ++i) {
    EXPECT_EQ(train.x.get(i), order[i]);
    EXPECT_EQ(train.y.as<int32_t>()[i], order[i] % 3);
    ++seen[static_cast<int>(train.x.get(i))];
  }
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(test.x.get(i), order[7 + i]);
    ++seen[static_cast<int>(test.x.get(i))];
  }
  EXPECT_EQ(seen, std::vector<int>(10, 1));
  // Another seed, another permutation; the same seed, the same one.
  EXPECT_NE(splitOrder(10, 8), order);
  EXPECT_EQ(splitOrder(10, 7), order);
  // Pinned: docs/runtime.md's algorithm, reimplemented in Python, gives these.
  EXPECT_EQ(order, (std::vector<int64_t>{0, 1, 2, 8, 4, 9, 3, 7, 6, 5}));
  EXPECT_EQ(splitOrder(5, 0), (std::vector<int64_t>{2, 1, 3, 0, 4}));

  Manifest empty = classManifest(1, {{"train", split(0, 0.05)}});
  EXPECT_NE(loadError(empty, *empty.train)
                .find("data.train: split part 0 (fraction 0.05, seed 7) of "
                      "data: table has no samples: 0 of its 10 samples go to "
                      "part 0"),
            std::string::npos)
      << loadError(empty, *empty.train);
  // Splits nest, and their source's files are the split's.
  json nested = split(1);
  nested["source"] = split(0);
  nested["source"]["source"] = {{"kind", "csv"}, {"path", "d.csv"}};
  Manifest n = classManifest(1, {{"train", nested}});
  EXPECT_EQ(splitFiles(n, *n.train, "/dir"),
            std::vector<std::string>{"/dir/d.csv"});
}

// standardize fits mean and population std on the training split only and
// applies them to both; a constant feature is only centred.
TEST(Transforms, StandardizeUsesTrainingStatistics) {
  json train = table({{1, 5, 0}, {3, 5, 1}, {5, 5, 2}});
  json test = table({{3, 7, 0}, {7, 5, 1}});
  Manifest m = classManifest(
      2, {{"train", train},
          {"test", test},
          {"transforms",
           {{{"kind", "scale"}, {"factor", 2}}, {{"kind", "standardize"}}}}});
  Splits s = loadSplits(m, true, true, "", defaultAllocator());
  ASSERT_TRUE(s.train && s.test);
  // Feature 0 after scale: 2, 6, 10: mean 6, std sqrt(32/3).
  const double sd = std::sqrt(32.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.train->x.get(0), -4 / sd);
  EXPECT_DOUBLE_EQ(s.train->x.get(2), 0);
  EXPECT_DOUBLE_EQ(s.train->x.get(4), 4 / sd);
  EXPECT_DOUBLE_EQ(s.train->x.get(1), 0); // constant 10: centred only
  EXPECT_DOUBLE_EQ(s.test->x.get(0), 0);  // 6
  EXPECT_DOUBLE_EQ(s.test->x.get(1), 4);  // 14 - 10
  EXPECT_DOUBLE_EQ(s.test->x.get(2), 8 / sd);

  // Evaluation alone still loads the training split for the statistics.
  Splits e = loadSplits(m, false, true, "", defaultAllocator());
  ASSERT_TRUE(e.test);
  EXPECT_DOUBLE_EQ(e.test->x.get(2), 8 / sd);
  // Without a statistics transform it does not.
  Manifest plain = classManifest(2, {{"train", train}, {"test", test}});
  EXPECT_FALSE(loadSplits(plain, false, true, "", defaultAllocator()).train);
}

// scale, normalize and binarize are element-wise, in order.
TEST(Transforms, ElementwiseInOrder) {
  Manifest m =
      classManifest(2, {{"test", table({{1, -2, 0}, {4, 0.5, 1}})},
                        {"transforms",
                         {{{"kind", "normalize"}, {"mean", 1}, {"std", 2}},
                          {{"kind", "scale"}, {"factor", 4}},
                          {{"kind", "binarize"}, {"threshold", 0}}}}});
  Splits s = loadSplits(m, false, true, "", defaultAllocator());
  // (x - 1) / 2 * 4: 0, -6, 6, -1; then > 0.
  EXPECT_EQ(s.test->x.get(0), 0);
  EXPECT_EQ(s.test->x.get(1), 0);
  EXPECT_EQ(s.test->x.get(2), 1);
  EXPECT_EQ(s.test->x.get(3), 0);
  EXPECT_EQ(s.test->y.as<int32_t>()[1], 1);
}

// A label declared before a class input binds the features (field 0) and
// the input the class id (field 1): x holds int32 ids and y the transformed
// features, the generator's targets.
TEST(Fields, LabelFirstSwapsFeaturesAndClassInput) {
  json m = json::parse(fake::bareManifest(
      "f32", 4, 1, R"({"name": "img", "kind": "real", "shape": [2]})", 2));
  m["inputs"] = {{{"name", "c"}, {"kind", "class"}, {"classes", 3}}};
  m["label_first"] = true;
  m["data"] = {{"test", table({{1, -2, 2}, {4, 0.5, 0}})},
               {"transforms", {{{"kind", "scale"}, {"factor", 2}}}}};
  Manifest manifest = parseManifest(m.dump());
  ASSERT_TRUE(manifest.labelFirst);
  EXPECT_EQ(manifest.input().kind, LabelKind::Class);
  Splits s = loadSplits(manifest, false, true, "", defaultAllocator());
  ASSERT_TRUE(s.test);
  EXPECT_EQ(s.test->x.dtype(), DType::I32);
  EXPECT_EQ(s.test->x.shape(), (Shape{2}));
  EXPECT_EQ(s.test->x.as<int32_t>()[0], 2);
  EXPECT_EQ(s.test->x.as<int32_t>()[1], 0);
  EXPECT_EQ(s.test->y.shape(), (Shape{2, 2}));
  EXPECT_EQ(s.test->y.get(0), 2);
  EXPECT_EQ(s.test->y.get(1), -4);
  EXPECT_EQ(s.test->y.get(3), 1);
  // A class id outside the input's classes is the loader's error.
  m["data"] = {{"test", table({{1, -2, 3}})}};
  Manifest bad = parseManifest(m.dump());
  EXPECT_NE(loadError(bad, *bad.test).find("3"), std::string::npos);
}
