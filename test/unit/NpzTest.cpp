//===- NpzTest.cpp - .npy headers and the stored-ZIP container ------------===//
#include "Npz.h"
#include "Error.h"
#include "NpyHeader.h"

#include <cstring>
#include <gtest/gtest.h>

using namespace dlnrt;

namespace {

std::string readError(const std::string &bytes) {
  try {
    readNpz(bytes, "f.npz");
  } catch (const Error &e) {
    return e.what();
  }
  return "";
}

} // namespace

// Headers are byte-for-byte what NumPy writes: dict text, padding to 64.
TEST(NpyHeader, MatchesNumPyLayout) {
  std::string h = formatNpyHeader(NpyType::F32, {3, 4});
  EXPECT_EQ(h.size() % 64, 0u);
  EXPECT_EQ(h.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_EQ(h.substr(10, 59),
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }");
  EXPECT_EQ(h.back(), '\n');
  EXPECT_NE(formatNpyHeader(NpyType::F64, {5}).find("'shape': (5,), }"),
            std::string::npos);
  EXPECT_NE(formatNpyHeader(NpyType::I64, {}).find("'descr': '<i8'"),
            std::string::npos);
  EXPECT_NE(formatNpyHeader(NpyType::I64, {}).find("'shape': (), }"),
            std::string::npos);
}

// Parsing accepts what NumPy writes (any key order) and nothing else.
TEST(NpyHeader, ParsesAndRejects) {
  auto parse = [](const std::string &dict, size_t dataBytes) {
    std::string npy = std::string("\x93NUMPY\x01\x00", 8);
    std::string text = dict + "\n";
    npy += static_cast<char>(text.size());
    npy += '\0';
    npy += text + std::string(dataBytes, '\0');
    NpyType type;
    Shape shape;
    size_t headerBytes;
    std::string why;
    bool ok =
        parseNpyHeader(npy.data(), npy.size(), type, shape, headerBytes, why);
    return ok ? "ok " + formatShape(shape) : why;
  };
  EXPECT_EQ(
      parse("{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}", 24),
      "ok 2x3");
  EXPECT_EQ(parse("{'descr': '<i8', 'fortran_order': False, 'shape': ()}", 8),
            "ok scalar");
  EXPECT_NE(parse("{'descr': '<f4', 'fortran_order': True, 'shape': (2,)}", 8)
                .find("Fortran-order"),
            std::string::npos);
  EXPECT_NE(parse("{'descr': '>f4', 'fortran_order': False, 'shape': (2,)}", 8)
                .find("unsupported dtype '>f4'"),
            std::string::npos);
  EXPECT_NE(parse("{'descr': '<f4', 'fortran_order': False}", 8).find("lacks"),
            std::string::npos);
  // A shape claiming far more data than present is refused before any
  // allocation could be sized from it.
  EXPECT_NE(parse("{'descr': '<f8', 'fortran_order': False, "
                  "'shape': (4000000000, 4000000000)}",
                  8)
                .find("needs more data than the member holds"),
            std::string::npos);
  EXPECT_NE(parse("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}", 8)
                .find("needs more data than the member holds"),
            std::string::npos);
  EXPECT_NE(parse("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 8)
                .find("needs 4 data bytes, member has 8"),
            std::string::npos);
  EXPECT_NE(
      parse("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", 8)
          .find("junk after"),
      std::string::npos);
}

// Arrays survive a write/read cycle with names, types, shapes and bits.
TEST(Npz, RoundTrip) {
  float f[6] = {1, -2, 3.5f, 0, 1e-30f, 7};
  double d[2] = {0.1, -1e300};
  int64_t i = -42;
  std::string bytes = npzBytes({{"w", NpyType::F32, {2, 3}, f},
                                {"b.x", NpyType::F64, {2}, d},
                                {"__n__", NpyType::I64, {}, &i}});
  std::vector<NpyArray> arrays = readNpz(bytes, "f.npz");
  ASSERT_EQ(arrays.size(), 3u);
  EXPECT_EQ(arrays[0].name, "w");
  EXPECT_EQ(arrays[0].shape, (Shape{2, 3}));
  EXPECT_EQ(std::memcmp(arrays[0].data, f, sizeof f), 0);
  EXPECT_EQ(arrays[1].name, "b.x");
  EXPECT_EQ(arrays[1].type, NpyType::F64);
  EXPECT_EQ(std::memcmp(arrays[1].data, d, sizeof d), 0);
  EXPECT_EQ(arrays[2].type, NpyType::I64);
  EXPECT_TRUE(arrays[2].shape.empty());
  EXPECT_EQ(std::memcmp(arrays[2].data, &i, 8), 0);
  // Deterministic output: same arrays, same bytes.
  EXPECT_EQ(bytes, npzBytes({{"w", NpyType::F32, {2, 3}, f},
                             {"b.x", NpyType::F64, {2}, d},
                             {"__n__", NpyType::I64, {}, &i}}));
}

// Names that would make an invalid or ambiguous archive are refused on write.
TEST(Npz, WriterRejectsBadNames) {
  float f = 0;
  EXPECT_THROW(
      npzBytes({{"a", NpyType::F32, {}, &f}, {"a", NpyType::F32, {}, &f}}),
      Error);
  EXPECT_THROW(npzBytes({{"a/b", NpyType::F32, {}, &f}}), Error);
  EXPECT_THROW(npzBytes({{"", NpyType::F32, {}, &f}}), Error);
}

// Structural damage is reported with the file name, never crashes.
TEST(Npz, RejectsForeignAndDamagedArchives) {
  EXPECT_NE(readError("").find("f.npz: truncated or not an .npz archive"),
            std::string::npos);
  EXPECT_NE(readError(std::string(100, 'x')).find("no ZIP end record"),
            std::string::npos);
  float f = 1;
  std::string good = npzBytes({{"a", NpyType::F32, {}, &f}});
  // Junk between the members and the central directory.
  std::string junk = good;
  size_t cd = junk.find("PK\x01\x02");
  ASSERT_NE(cd, std::string::npos);
  EXPECT_NE(readError(junk.insert(cd, "zz")).find("f.npz: "),
            std::string::npos);
  // Trailing junk after the end record.
  EXPECT_NE(readError(good + "zz").find("no ZIP end record"),
            std::string::npos);
  // A compressed (deflate) member, marked in both headers.
  std::string deflated = good;
  deflated[8] = 8;       // local method
  deflated[cd + 10] = 8; // central method
  EXPECT_NE(readError(deflated).find("is compressed (method 8)"),
            std::string::npos);
}
