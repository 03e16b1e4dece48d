//===- NumberParseTest.cpp - Strict whole-token number parsing ------------===//
#include "NumberParse.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace dlnrt;

// The whole token must be the number: no blanks, junk or empty text.
TEST(NumberParse, WholeTokenOnly) {
  int64_t i = 7;
  EXPECT_TRUE(parseInt64("-42", i));
  EXPECT_EQ(i, -42);
  EXPECT_TRUE(parseInt64("+5", i));
  EXPECT_EQ(i, 5);
  for (const char *bad : {"", " 1", "1 ", "1x", "0x10", "+-1", "++1", "1.0",
                          "9223372036854775808"})
    EXPECT_FALSE(parseInt64(bad, i)) << bad;
  uint64_t u;
  EXPECT_TRUE(parseUInt64("18446744073709551615", u));
  EXPECT_EQ(u, UINT64_MAX);
  EXPECT_FALSE(parseUInt64("-1", u));
  EXPECT_FALSE(parseUInt64("18446744073709551616", u));
}

// Doubles: decimal and exponent forms, inf/nan, underflow to zero; overflow
// and junk are errors.
TEST(NumberParse, Doubles) {
  double d = 0;
  EXPECT_TRUE(parseDouble("0.25", d));
  EXPECT_EQ(d, 0.25);
  EXPECT_TRUE(parseDouble("+1e3", d));
  EXPECT_EQ(d, 1000);
  EXPECT_TRUE(parseDouble("-.5", d));
  EXPECT_EQ(d, -0.5);
  EXPECT_TRUE(parseDouble("1e-310", d)); // subnormal
  EXPECT_GT(d, 0);
  EXPECT_TRUE(parseDouble("1e-400", d));
  EXPECT_EQ(d, 0);
  EXPECT_TRUE(parseDouble("-1e-400", d));
  EXPECT_TRUE(d == 0 && std::signbit(d));
  EXPECT_TRUE(parseDouble("inf", d));
  EXPECT_TRUE(std::isinf(d));
  EXPECT_TRUE(parseDouble("nan", d));
  EXPECT_TRUE(std::isnan(d));
  for (const char *bad :
       {"", " 1", "1 ", "1e400", "-1e400", "1.5x", "e5", "0x1p3", "--1"})
    EXPECT_FALSE(parseDouble(bad, d)) << bad;
}
