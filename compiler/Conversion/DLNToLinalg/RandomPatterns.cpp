//===- RandomPatterns.cpp - dln.random to a counter-based hash -----------===//
// Every element is SplitMix64's output for the counter `base + (i + 1) *
// golden`, `i` its row-major index and `base` a hash of (seed, step,
// stream): the same generator the runtime's Rng seeds from, used here
// counter-style so that elements are independent of each other and of how
// the loops are tiled or run in parallel. Row r of a [B, ...] draw has the
// same numbers whatever B is.
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/DLNToLinalg/LinalgBuilders.h"
#include "compiler/Conversion/DLNToLinalg/Patterns.h"
#include "dialects/DLN/IR/DLNOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::dln;

namespace {
constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
constexpr uint64_t kStepSalt = 0xD1B54A32D192ED03ULL;
constexpr uint64_t kStreamSalt = 0xA0761D6478BD642FULL;
constexpr uint64_t kSecondSalt = 0xE7037ED1A0B428DBULL;

/// i64 arithmetic on 64-bit words (wrapping).
struct Words {
  ImplicitLocOpBuilder &b;
  Value constant(uint64_t v) {
    return arith::ConstantOp::create(
        b, b.getI64IntegerAttr(static_cast<int64_t>(v)));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value xorWith(Value x, Value y) { return arith::XOrIOp::create(b, x, y); }
  Value shr(Value x, int64_t n) {
    return arith::ShRUIOp::create(b, x, constant(n));
  }
  /// SplitMix64's finalizer.
  Value mix(Value z) {
    z = mul(xorWith(z, shr(z, 30)), constant(0xBF58476D1CE4E5B9ULL));
    z = mul(xorWith(z, shr(z, 27)), constant(0x94D049BB133111EBULL));
    return xorWith(z, shr(z, 31));
  }
  /// The top `bits` bits of `z` as a float in [0, 1).
  Value unit(Value z, int64_t bits, Type type, int64_t shift) {
    Value top = shr(z, shift);
    if (bits < 64 - shift)
      top = arith::AndIOp::create(b, top, constant((1ULL << bits) - 1));
    Value f = arith::UIToFPOp::create(b, type, top);
    return FloatMath{b}.mul(f, FloatMath{b}.constant(
                                   type, std::ldexp(1.0, -int(bits))));
  }
};

struct RandomLowering : public OpConversionPattern<RandomOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RandomOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getResult().getType());
    Type element = type.getElementType();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Words w{b};
    auto keyWord = [&](int64_t i) -> Value {
      Value index = arith::ConstantIndexOp::create(b, i);
      return tensor::ExtractOp::create(b, adaptor.getKey(), index);
    };
    Value base = w.mix(w.add(keyWord(0), w.constant(kGolden)));
    base = w.mix(w.xorWith(base, w.mul(keyWord(1), w.constant(kStepSalt))));
    base = w.mix(w.xorWith(
        base, w.constant(static_cast<uint64_t>(op.getStream()) * kStreamSalt)));

    unsigned rank = type.getRank();
    Value init = emptyTensor(b, type, adaptor.getDynamicSizes());
    SmallVector<Value> sizes;
    for (unsigned d = 0; d < rank; ++d)
      sizes.push_back(tensor::DimOp::create(b, init, d));
    bool normal = op.getDistribution() == Distribution::normal;
    bool wide = element.getIntOrFloatBitWidth() > 32;
    Value result = buildGeneric(
        b, type, {}, {}, b.getMultiDimIdentityMap(rank),
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        init, [&](ImplicitLocOpBuilder &nb, ValueRange) -> Value {
          Words nw{nb};
          FloatMath f{nb};
          // The row-major index of this element, plus one.
          Value flat = arith::ConstantIndexOp::create(nb, 0);
          for (unsigned d = 0; d < rank; ++d) {
            flat = arith::MulIOp::create(nb, flat, sizes[d]);
            flat = arith::AddIOp::create(nb, flat,
                                         linalg::IndexOp::create(nb, d));
          }
          Value counter = arith::IndexCastUIOp::create(nb, nb.getI64Type(),
                                                       flat);
          counter = nw.add(counter, nw.constant(1));
          Value z = nw.mix(nw.add(base, nw.mul(counter, nw.constant(kGolden))));
          if (!normal)
            return wide ? nw.unit(z, 53, element, 11)
                        : nw.unit(z, 24, element, 40);
          // Box-Muller's cosine half: u1 in (0, 1] so log(u1) is finite.
          Value u1, u2;
          if (wide) {
            u1 = nw.unit(z, 53, element, 11);
            u2 = nw.unit(nw.mix(nw.xorWith(z, nw.constant(kSecondSalt))), 53,
                         element, 11);
          } else {
            u1 = nw.unit(z, 24, element, 40);
            u2 = nw.unit(z, 24, element, 0);
          }
          Value one = f.constant(element, 1.0);
          u1 = f.sub(one, u1);
          Value radius = math::SqrtOp::create(
              nb, f.mul(f.constant(element, -2.0), math::LogOp::create(nb, u1)));
          Value angle = f.mul(f.constant(element, 6.283185307179586), u2);
          return f.mul(radius, math::CosOp::create(nb, angle));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

void dln::populateRandomToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<RandomLowering>(patterns.getContext());
}
