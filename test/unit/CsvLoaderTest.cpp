//===- CsvLoaderTest.cpp - CSV data sets: parsing and validation ----------===//
#include "DataSource.h"
#include "Error.h"
#include "TempDir.h"
#include "dlnrt/CsvRows.h"

#include <gtest/gtest.h>
#include <zlib.h>

using namespace dlnrt;

namespace {

DataLayout classLayout(int64_t inputs, int64_t classes,
                       DType dtype = DType::F32) {
  DataLayout l;
  l.dtype = dtype;
  l.inputSize = inputs;
  l.labelKind = LabelKind::Class;
  l.numClasses = classes;
  l.labelSize = 1;
  return l;
}

DataLayout realLayout(int64_t inputs) {
  DataLayout l;
  l.dtype = DType::F64;
  l.inputSize = inputs;
  l.labelKind = LabelKind::Real;
  l.labelSize = 1;
  return l;
}

DataSpec csvSpec(int64_t label = -1, int64_t skip = 0, double scale = 1) {
  DataSpec s;
  s.format = "csv";
  s.labelColumn = label;
  s.skip = skip;
  s.scale = scale;
  return s;
}

std::string loadError(const std::string &path, const DataSpec &spec,
                      const DataLayout &layout) {
  try {
    loadCsv(path, spec, layout, defaultAllocator());
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

} // namespace

// XOR-style file with the label last, class labels.
TEST(CsvLoader, LoadsClassLabelsLastColumn) {
  TempDir dir;
  std::string path = dir.write("xor.csv", "0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
  Dataset ds = loadCsv(path, csvSpec(), classLayout(2, 2), defaultAllocator());
  ASSERT_EQ(ds.count, 4);
  EXPECT_EQ(ds.x.shape(), (Shape{4, 2}));
  EXPECT_EQ(ds.y.dtype(), DType::I32);
  EXPECT_FLOAT_EQ(ds.x.as<float>()[2], 0);
  EXPECT_FLOAT_EQ(ds.x.as<float>()[3], 1);
  const int32_t expect[] = {0, 1, 1, 0};
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(ds.y.as<int32_t>()[i], expect[i]);
}

// Label in the first column, a header row skipped, scale applied to features
// only, real labels, CRLF endings, spaces around cells and a trailing blank
// line.
TEST(CsvLoader, LoadsRealLabelsFirstColumnWithHeaderAndScale) {
  TempDir dir;
  std::string path =
      dir.write("r.csv", "y,a,b\r\n0.5, 2, 4\r\n-1.25,6,8\r\n\r\n");
  Dataset ds =
      loadCsv(path, csvSpec(0, 1, 0.5), realLayout(2), defaultAllocator());
  ASSERT_EQ(ds.count, 2);
  EXPECT_EQ(ds.y.dtype(), DType::F64);
  EXPECT_EQ(ds.y.shape(), (Shape{2, 1}));
  EXPECT_DOUBLE_EQ(ds.y.get(0), 0.5);
  EXPECT_DOUBLE_EQ(ds.y.get(1), -1.25);
  EXPECT_DOUBLE_EQ(ds.x.get(0), 1);
  EXPECT_DOUBLE_EQ(ds.x.get(1), 2);
  EXPECT_DOUBLE_EQ(ds.x.get(3), 4);
}

// A non-numeric cell names the file, line and column.
TEST(CsvLoader, RejectsNonNumericCell) {
  TempDir dir;
  std::string path = dir.write("bad.csv", "0,0,0\n0,abc,1\n");
  std::string err = loadError(path, csvSpec(), classLayout(2, 2));
  EXPECT_NE(err.find(path + ":2: non-numeric cell 'abc' in column 2"),
            std::string::npos)
      << err;
  // An empty cell on the first line is a missing value, not a header.
  path = dir.write("empty-cell.csv", "0,,1\n");
  EXPECT_NE(
      loadError(path, csvSpec(), classLayout(2, 2)).find("non-numeric cell ''"),
      std::string::npos);
}

// Rows with too many or too few columns for the model's input size.
TEST(CsvLoader, RejectsWrongColumnCount) {
  TempDir dir;
  std::string path = dir.write("cols.csv", "0,0,0\n0,1,1,5\n");
  std::string err = loadError(path, csvSpec(), classLayout(2, 2));
  EXPECT_NE(err.find(":2: expected 3 columns (2 features + 1 label), got 4"),
            std::string::npos)
      << err;
  path = dir.write("few.csv", "0,0\n");
  EXPECT_NE(loadError(path, csvSpec(), classLayout(2, 2)).find("got 2"),
            std::string::npos);
}

// Class labels must be integers inside [0, C).
TEST(CsvLoader, RejectsClassLabelOutOfRange) {
  TempDir dir;
  std::string path = dir.write("range.csv", "0,0,0\n0,1,2\n");
  std::string err = loadError(path, csvSpec(), classLayout(2, 2));
  EXPECT_NE(err.find(":2: class label '2' is not an integer in [0, 2)"),
            std::string::npos)
      << err;
  path = dir.write("neg.csv", "0,0,-1\n");
  EXPECT_NE(
      loadError(path, csvSpec(), classLayout(2, 2)).find("class label '-1'"),
      std::string::npos);
  path = dir.write("frac.csv", "0,0,0.5\n");
  EXPECT_NE(
      loadError(path, csvSpec(), classLayout(2, 2)).find("class label '0.5'"),
      std::string::npos);
}

// Class labels of a 10-class model: fractions, negatives and 10 itself are
// errors naming file and line; integral spellings of a valid id are fine.
TEST(CsvLoader, RejectsNonIntegerOrOutOfRangeClassOfTen) {
  TempDir dir;
  for (const char *label : {"1.7", "-1", "10", "1e9", "nan"}) {
    std::string path =
        dir.write("ten.csv", std::string("0,0,3\n0,0,") + label + "\n");
    std::string err = loadError(path, csvSpec(), classLayout(2, 10));
    EXPECT_NE(err.find(path + ":2: "), std::string::npos)
        << label << ": " << err;
    EXPECT_NE(err.find(label), std::string::npos) << err;
  }
  std::string ok = dir.write("ok.csv", "0,0,9\n0,0,2.0\n0,0,+1\n");
  Dataset ds = loadCsv(ok, csvSpec(), classLayout(2, 10), defaultAllocator());
  EXPECT_EQ(ds.y.as<int32_t>()[0], 9);
  EXPECT_EQ(ds.y.as<int32_t>()[1], 2);
  EXPECT_EQ(ds.y.as<int32_t>()[2], 1);
}

// A value that does not fit the model dtype (after scaling) is an error naming
// file and line, never a silent inf; non-finite cells are refused outright.
TEST(CsvLoader, RejectsValuesOutsideTheDType) {
  TempDir dir;
  std::string path = dir.write("big.csv", "0,0,0\n1e39,0,1\n");
  std::string err = loadError(path, csvSpec(), classLayout(2, 2));
  EXPECT_NE(err.find(path + ":2: value '1e39' in column 1 does not fit f32"),
            std::string::npos)
      << err;
  // The same cell is fine in f64, but not once scaled past the f32 range.
  EXPECT_EQ(loadError(path, csvSpec(), classLayout(2, 2, DType::F64)), "");
  std::string scaled = dir.write("scaled.csv", "3e38,0,1\n");
  EXPECT_NE(
      loadError(scaled, csvSpec(-1, 0, 10), classLayout(2, 2))
          .find(":1: value '3e38' in column 1 (times scale) does not fit"),
      std::string::npos);
  DataLayout f32Real = realLayout(2);
  f32Real.dtype = DType::F32;
  std::string label = dir.write("label.csv", "0,0,-4e38\n");
  EXPECT_NE(loadError(label, csvSpec(), f32Real)
                .find(":1: value '-4e38' in column 3 does not fit f32"),
            std::string::npos);
  std::string f64 = dir.write("f64.csv", "1e400,0,1\n");
  EXPECT_NE(loadError(f64, csvSpec(), realLayout(2))
                .find(":1: value '1e400' in column 1 does not fit f64"),
            std::string::npos);
  for (const char *cell : {"inf", "-inf", "nan"}) {
    std::string p = dir.write("nf.csv", std::string("0,") + cell + ",1\n");
    EXPECT_NE(loadError(p, csvSpec(), realLayout(2))
                  .find(":1: non-finite value '" + std::string(cell) +
                        "' in column 2"),
              std::string::npos)
        << cell;
  }
  // Underflow rounds to zero: still a number of the dtype.
  std::string tiny = dir.write("tiny.csv", "1e-50,0,1\n");
  Dataset ds = loadCsv(tiny, csvSpec(), f32Real, defaultAllocator());
  EXPECT_EQ(ds.x.as<float>()[0], 0.0f);
}

// Missing files, empty files and out-of-range label columns.
TEST(CsvLoader, RejectsMissingEmptyAndBadLabelColumn) {
  TempDir dir;
  std::string missing = dir.file("nope.csv");
  std::string err = loadError(missing, csvSpec(), classLayout(2, 2));
  EXPECT_NE(err.find(missing + ": cannot open CSV file"), std::string::npos)
      << err;
  std::string empty = dir.write("empty.csv", "header\n");
  EXPECT_NE(
      loadError(empty, csvSpec(-1, 1), classLayout(2, 2)).find("no data rows"),
      std::string::npos);
  std::string ok = dir.write("ok.csv", "0,0,0\n");
  EXPECT_NE(loadError(ok, csvSpec(5), classLayout(2, 2))
                .find("label column 5 is outside"),
            std::string::npos);
}

// Relative paths resolve against --data, else the manifest's data dir, else the
// cwd.
TEST(DataSource, ResolvesRelativePaths) {
  EXPECT_EQ(resolveDataPath("a.csv", "/cli", "/manifest"), "/cli/a.csv");
  EXPECT_EQ(resolveDataPath("a.csv", "", "/manifest/"), "/manifest/a.csv");
  EXPECT_EQ(resolveDataPath("a.csv", "", ""), "a.csv");
  EXPECT_EQ(resolveDataPath("/abs/a.csv", "/cli", "/manifest"), "/abs/a.csv");
}

// `.csv.gz` reads like the plain file (docs/language.md promises every source
// is decompressed transparently); gzip's own errors are reported as data errors.
TEST(CsvLoader, ReadsGzipCompressedFiles) {
  TempDir dir;
  std::string path = dir.path() + "/xor.csv.gz";
  gzFile out = gzopen(path.c_str(), "wb");
  ASSERT_NE(out, nullptr);
  const std::string text = "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0";
  gzwrite(out, text.data(), static_cast<unsigned>(text.size()));
  gzclose(out);
  Dataset ds =
      loadCsv(path, csvSpec(-1, 1), classLayout(2, 2), defaultAllocator());
  ASSERT_EQ(ds.count, 4);
  EXPECT_EQ(ds.x.get(3), 1.0); // row 2, column 2: the last row without '\n'
}

// A huge cell is quoted in part with its length, never echoed whole; a line
// past the limit is refused before it is buffered.
TEST(CsvLoader, QuotesLongCellsInPart) {
  TempDir dir;
  std::string path =
      dir.write("long.csv", "0,0,0\n1," + std::string(100000, '9') + "x,0\n");
  std::string err = loadError(path, csvSpec(), classLayout(2, 2));
  EXPECT_NE(err.find("non-numeric cell '" + std::string(40, '9') +
                     "...' (100001 characters) in column 2"),
            std::string::npos)
      << err;
  EXPECT_LT(err.size(), 300u);
}

// A header is a line with a field that is not a number as the loader reads
// numbers; numbers out of range, non-finite and empty fields are not headers.
TEST(CsvRows, DetectsHeaderLines) {
  EXPECT_TRUE(isCsvHeaderLine("150,4,setosa,versicolor,virginica"));
  EXPECT_TRUE(isCsvHeaderLine("a,b,y"));
  EXPECT_TRUE(isCsvHeaderLine(" x1 , 2\r"));
  EXPECT_TRUE(isCsvHeaderLine(",a,b"));
  EXPECT_TRUE(isCsvHeaderLine("1,2,3x"));
  EXPECT_TRUE(isCsvHeaderLine("0x10,1"));
  EXPECT_FALSE(isCsvHeaderLine("5.1,3.5,1.4,0.2,0"));
  EXPECT_FALSE(isCsvHeaderLine(" -1 , +2.5e-3 ,\t.5\r"));
  EXPECT_FALSE(isCsvHeaderLine("1e999,nan,inf,-inf,1e-400"));
  EXPECT_FALSE(isCsvHeaderLine("0,,1"));
  EXPECT_FALSE(isCsvHeaderLine(""));
  // Fields split at the delimiter the source names.
  EXPECT_TRUE(isCsvHeaderLine("width;species", ';'));
  EXPECT_FALSE(isCsvHeaderLine("0.5;1", ';'));
  EXPECT_TRUE(isCsvHeaderLine("0.5;1"));
}

// Only the first sample line (after `skip`) may be a header: it is dropped,
// while a non-numeric cell further down stays an error.
TEST(CsvLoader, SkipsOneDetectedHeader) {
  TempDir dir;
  std::string path =
      dir.write("h.csv", "\n  \nx0,x1,label\n0,0,0\n0,1,1\n1,0,1\n");
  Dataset ds = loadCsv(path, csvSpec(), classLayout(2, 2), defaultAllocator());
  EXPECT_EQ(ds.count, 3);
  EXPECT_EQ(ds.x.get(3), 1.0);
  // After `skip`, the next line is checked again.
  path = dir.write("two.csv", "# comment\nx0,x1,label\n0,0,0\n");
  EXPECT_EQ(loadCsv(path, csvSpec(-1, 1), classLayout(2, 2), defaultAllocator())
                .count,
            1);
  path = dir.write("late.csv", "a,b,c\n0,0,0\nd,e,f\n");
  EXPECT_NE(loadError(path, csvSpec(), classLayout(2, 2))
                .find(path + ":3: non-numeric cell 'd' in column 1"),
            std::string::npos);
}

// scikit-learn's bundled CSVs start with "n_samples,n_features,class names":
// detected as a header, the rest loads with the label in the last column.
TEST(CsvLoader, LoadsScikitLearnDatasets) {
  const std::string dir =
      "/usr/lib/python3/dist-packages/sklearn/datasets/data/";
  struct Case {
    const char *file;
    int64_t rows, features, classes;
  };
  for (const Case &c :
       {Case{"iris.csv", 150, 4, 3}, Case{"breast_cancer.csv", 569, 30, 2},
        Case{"wine_data.csv", 178, 13, 3}}) {
    if (!fileExists(dir + c.file))
      GTEST_SKIP() << dir + c.file << " is not installed (python3-sklearn)";
    Dataset ds =
        loadCsv(dir + c.file, csvSpec(), classLayout(c.features, c.classes),
                defaultAllocator());
    EXPECT_EQ(ds.count, c.rows) << c.file;
    EXPECT_EQ(ds.x.shape(), (Shape{c.rows, c.features})) << c.file;
    std::vector<int64_t> perClass(c.classes, 0);
    for (int64_t i = 0; i < ds.count; ++i)
      ++perClass[ds.y.as<int32_t>()[i]];
    for (int64_t k = 0; k < c.classes; ++k)
      EXPECT_GT(perClass[k], 0) << c.file << " class " << k;
  }
  Dataset iris = loadCsv(dir + "iris.csv", csvSpec(), classLayout(4, 3),
                         defaultAllocator());
  EXPECT_FLOAT_EQ(static_cast<float>(iris.x.get(0)), 5.1f);
  EXPECT_EQ(iris.y.as<int32_t>()[149], 2);
}
