//===- PixelPatterns.cpp - gather_pixels, scatter_pixels to linalg/scf ----===//
// gather_pixels is two linalg.generics: the flat pixel index of each
// coordinate (-1 outside the image), then the result, reading the image with
// tensor.extract at those indices (0 at -1). scatter_pixels writes to
// data-dependent places, which no linalg map can express: it is a loop nest
// over (batch, point, channel) on tensors, adding into a zero-filled image;
// bufferization turns its tensor.insert chain into in-place stores.
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/DLNToLinalg/LinalgBuilders.h"
#include "compiler/Conversion/DLNToLinalg/Patterns.h"
#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
/// Whether the float coordinates (row, col) lie inside a height x width
/// image (false for NaN), and their indices, clamped to 0 when outside.
struct PixelIndex {
  Value inside, row, col;
};

PixelIndex pixelIndex(ImplicitLocOpBuilder &b, Value row, Value col,
                      int64_t height, int64_t width) {
  FloatMath f{b};
  Type type = row.getType();
  auto within = [&](Value v, int64_t size) {
    Value low = arith::CmpFOp::create(b, arith::CmpFPredicate::OGE, v,
                                      f.constant(type, 0.0));
    Value high = arith::CmpFOp::create(b, arith::CmpFPredicate::OLE, v,
                                       f.constant(type, double(size - 1)));
    return arith::AndIOp::create(b, low, high);
  };
  Value inside =
      arith::AndIOp::create(b, within(row, height), within(col, width));
  auto index = [&](Value v) -> Value {
    Value safe = arith::SelectOp::create(b, inside, v, f.constant(type, 0.0));
    Value integer = arith::FPToSIOp::create(b, b.getI64Type(), safe);
    return arith::IndexCastOp::create(b, b.getIndexType(), integer);
  };
  return {inside, index(row), index(col)};
}

struct GatherPixelsLowering : public OpConversionPattern<GatherPixelsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherPixelsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getResult().getType());
    auto imageType = cast<RankedTensorType>(adaptor.getImage().getType());
    int64_t height = imageType.getDimSize(2), width = imageType.getDimSize(3);
    if (ShapedType::isDynamic(height) || ShapedType::isDynamic(width))
      return rewriter.notifyMatchFailure(op, "needs a static image size");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value rows = adaptor.getRows();
    auto coordinatesType = cast<RankedTensorType>(rows.getType());
    // First the flat pixel index of each coordinate, -1 outside the image,
    // once per coordinate: [B, N] of i64.
    auto indexType =
        RankedTensorType::get(coordinatesType.getShape(), b.getI64Type());
    Value indices = buildGeneric(
        b, indexType, {rows, adaptor.getCols()},
        {b.getMultiDimIdentityMap(2), b.getMultiDimIdentityMap(2)},
        b.getMultiDimIdentityMap(2),
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        emptyTensor(b, indexType, dynamicSizesFrom(b, indexType, rows, {0, 1})),
        [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
          PixelIndex at = pixelIndex(nb, args[0], args[1], height, width);
          Value flat = arith::AddIOp::create(
              nb,
              arith::MulIOp::create(nb, at.row,
                                    arith::ConstantIndexOp::create(nb, width)),
              at.col);
          Value integer = arith::IndexCastOp::create(nb, nb.getI64Type(), flat);
          return arith::SelectOp::create(
              nb, at.inside, integer,
              arith::ConstantIntOp::create(nb, nb.getI64Type(), -1));
        });
    // Then result[b, n, c] = image[b, c, index[b, n]]: the channel loop is
    // innermost and reads one pixel of each channel.
    Value image = tensor::CollapseShapeOp::create(
        b, adaptor.getImage(),
        SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
    auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
    AffineMap perPoint = AffineMap::get(3, 0, {d(0), d(1)}, b.getContext());
    Value init =
        emptyTensor(b, type, dynamicSizesFrom(b, type, rows, {0, 1, 0}));
    rewriter.replaceOp(
        op,
        buildGeneric(
            b, type, {indices}, {perPoint}, b.getMultiDimIdentityMap(3),
            SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
            init, [&](ImplicitLocOpBuilder &nb, ValueRange args) -> Value {
              Value index = args[0];
              Value inside = arith::CmpIOp::create(
                  nb, arith::CmpIPredicate::sge, index,
                  arith::ConstantIntOp::create(nb, nb.getI64Type(), 0));
              Value safe = arith::IndexCastOp::create(
                  nb, nb.getIndexType(),
                  arith::SelectOp::create(
                      nb, inside, index,
                      arith::ConstantIntOp::create(nb, nb.getI64Type(), 0)));
              Value batch = linalg::IndexOp::create(nb, 0);
              Value channel = linalg::IndexOp::create(nb, 2);
              Value pixel = tensor::ExtractOp::create(
                  nb, image, ValueRange{batch, channel, safe});
              return arith::SelectOp::create(
                  nb, inside, pixel,
                  FloatMath{nb}.constant(pixel.getType(), 0.0));
            }));
    return success();
  }
};

struct ScatterPixelsLowering : public OpConversionPattern<ScatterPixelsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScatterPixelsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getResult().getType());
    int64_t height = op.getSize()[0], width = op.getSize()[1];
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value values = adaptor.getValues(), rows = adaptor.getRows(),
          cols = adaptor.getCols();
    Value init = filledTensor(b, type, 0.0,
                              dynamicSizesFrom(b, type, values, {0, 2, 0, 0}));
    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, v);
    };
    Value zero = index(0), one = index(1);
    Value batches = tensor::DimOp::create(b, values, 0);
    Value points = tensor::DimOp::create(b, values, 1);
    Value channels = tensor::DimOp::create(b, values, 2);
    auto batchLoop = scf::ForOp::create(
        b, zero, batches, one, ValueRange{init},
        [&](OpBuilder &ob, Location loc, Value batch, ValueRange outer) {
          ImplicitLocOpBuilder bb(loc, ob);
          auto pointLoop = scf::ForOp::create(
              bb, zero, points, one, outer,
              [&](OpBuilder &pb, Location loc, Value point, ValueRange acc) {
                ImplicitLocOpBuilder p(loc, pb);
                Value row = tensor::ExtractOp::create(p, rows,
                                                      ValueRange{batch, point});
                Value col = tensor::ExtractOp::create(p, cols,
                                                      ValueRange{batch, point});
                PixelIndex at = pixelIndex(p, row, col, height, width);
                auto add = scf::IfOp::create(
                    p, at.inside,
                    [&](OpBuilder &tb, Location loc) {
                      ImplicitLocOpBuilder t(loc, tb);
                      auto channelLoop = scf::ForOp::create(
                          t, zero, channels, one, acc,
                          [&](OpBuilder &cb, Location loc, Value channel,
                              ValueRange image) {
                            ImplicitLocOpBuilder c(loc, cb);
                            Value value = tensor::ExtractOp::create(
                                c, values, ValueRange{batch, point, channel});
                            SmallVector<Value> where{batch, channel, at.row,
                                                     at.col};
                            Value old =
                                tensor::ExtractOp::create(c, image[0], where);
                            Value sum = FloatMath{c}.add(old, value);
                            Value updated = tensor::InsertOp::create(
                                c, sum, image[0], where);
                            scf::YieldOp::create(c, updated);
                          });
                      scf::YieldOp::create(t, channelLoop.getResults());
                    },
                    [&](OpBuilder &eb, Location loc) {
                      scf::YieldOp::create(eb, loc, acc);
                    });
                scf::YieldOp::create(p, add.getResults());
              });
          scf::YieldOp::create(bb, pointLoop.getResults());
        });
    rewriter.replaceOp(op, batchLoop.getResults());
    return success();
  }
};
} // namespace

void dln::populatePixelToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<GatherPixelsLowering, ScatterPixelsLowering>(
      patterns.getContext());
}
