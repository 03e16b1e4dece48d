//===- DotProductKernel.cpp - C += A Bt as register-blocked dot products --===//
// The weight gradient of a convolution contracts the long batch-and-window
// dimension (dW = dY colsᵀ), and a dense layer's input gradient contracts
// the output features (dX = dY Wᵀ): both read A and B along contiguous rows.
// A block of `rows` rows of A and `cols` rows of B keeps rows x cols vector
// accumulators over k; each ends as one horizontal sum added into C. The
// last partial vector of k is a masked (zero-padded) read.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/ProductKernels.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
struct DotProductKernel : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  DotProductKernel(MLIRContext *context, int64_t vectorBytes)
      : OpInterfaceRewritePattern(context, /*benefit=*/2),
        vectorBytes(vectorBytes) {}

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (op->hasAttr(kRemainderAttr))
      return rewriter.notifyMatchFailure(op, "a remainder of a kernel");
    std::optional<ProductShape> shape = matchProduct(op);
    if (!shape || shape->transposedLhs || !shape->transposedRhs)
      return rewriter.notifyMatchFailure(op, "not A Bt");
    Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
    Value out = op.getDpsInits()[0];
    auto outType = cast<MemRefType>(out.getType());
    Type element = outType.getElementType();
    if ((!element.isF32() && !element.isF64()) ||
        !hasContiguousRows(cast<MemRefType>(lhs.getType())) ||
        !hasContiguousRows(cast<MemRefType>(rhs.getType())))
      return rewriter.notifyMatchFailure(op, "needs f32/f64 rows along k");
    int64_t lanes = vectorBytes / (element.getIntOrFloatBitWidth() / 8);
    // rows x cols accumulators plus rows + cols operand vectors fit the
    // register file: 16 registers with AVX2, 32 with AVX-512.
    int64_t rows = 4, cols = vectorBytes >= 64 ? 4 : 2;
    int64_t m = outType.getDimSize(0), n = outType.getDimSize(1);
    int64_t depth = cast<MemRefType>(lhs.getType()).getDimSize(1);
    // Each block ends in rows x cols horizontal sums: short products (a
    // 10-class layer's input gradient) are faster as plain loops.
    if ((!ShapedType::isDynamic(m) && m < rows) ||
        (!ShapedType::isDynamic(n) && n < cols) ||
        (!ShapedType::isDynamic(depth) && depth < 4 * lanes))
      return rewriter.notifyMatchFailure(op, "smaller than one block");

    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto index = [&](int64_t value) -> Value {
      return arith::ConstantIndexOp::create(b, value);
    };
    auto sizeOf = [&](Value memref, unsigned dim) -> Value {
      return memref::DimOp::create(b, memref, dim);
    };
    // The part of a size that fills whole blocks.
    auto full = [&](Value size, int64_t block) -> Value {
      return arith::SubIOp::create(
          b, size, arith::RemUIOp::create(b, size, index(block)));
    };
    Value zero = index(0);
    BlockExtent mExtent = blockExtent(b, out, 0, rows);
    BlockExtent nExtent = blockExtent(b, out, 1, cols);
    auto asValue = [&](OpFoldResult size) {
      return getValueOrCreateConstantIndexOp(b, b.getLoc(), size);
    };
    Value mFull = asValue(mExtent.full), nFull = asValue(nExtent.full);
    Value kSize = sizeOf(lhs, 1);
    Value kFull = full(kSize, lanes);
    auto vectorType = VectorType::get({lanes}, element);
    Value zeroScalar =
        arith::ConstantOp::create(b, b.getFloatAttr(element, 0.0));
    Value zeroVector =
        arith::ConstantOp::create(b, DenseElementsAttr::get(
                                         vectorType, b.getFloatAttr(element, 0.0)));
    auto fast = arith::FastMathFlagsAttr::get(
        b.getContext(),
        arith::FastMathFlags::reassoc | arith::FastMathFlags::contract);

    auto rowLoop = scf::ForOp::create(b, zero, mFull, index(rows));
    b.setInsertionPointToStart(rowLoop.getBody());
    Value i = rowLoop.getInductionVar();
    auto colLoop = scf::ForOp::create(b, zero, nFull, index(cols));
    b.setInsertionPointToStart(colLoop.getBody());
    Value j = colLoop.getInductionVar();
    SmallVector<Value> rowIndex, colIndex;
    for (int64_t r = 0; r < rows; ++r)
      rowIndex.push_back(arith::AddIOp::create(b, i, index(r)));
    for (int64_t c = 0; c < cols; ++c)
      colIndex.push_back(arith::AddIOp::create(b, j, index(c)));

    // One k step: rows + cols vector reads, rows x cols FMAs. `read` loads
    // the vector of a row at k.
    auto step = [&](OpBuilder &nested, Location loc, ValueRange acc,
                    function_ref<Value(ImplicitLocOpBuilder &, Value, Value)>
                        read) {
      ImplicitLocOpBuilder nb(loc, nested);
      SmallVector<Value> a, bt, next;
      for (int64_t r = 0; r < rows; ++r)
        a.push_back(read(nb, lhs, rowIndex[r]));
      for (int64_t c = 0; c < cols; ++c)
        bt.push_back(read(nb, rhs, colIndex[c]));
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          next.push_back(
              vector::FMAOp::create(nb, a[r], bt[c], acc[r * cols + c]));
      return next;
    };
    SmallVector<Value> initial(rows * cols, zeroVector);
    auto depthLoop = scf::ForOp::create(
        b, zero, kFull, index(lanes), initial,
        [&](OpBuilder &nested, Location loc, Value k, ValueRange acc) {
          SmallVector<Value> next = step(
              nested, loc, acc,
              [&](ImplicitLocOpBuilder &nb, Value memref, Value row) -> Value {
                return vector::LoadOp::create(nb, vectorType, memref,
                                              ValueRange{row, k});
              });
          scf::YieldOp::create(nested, loc, next);
        });
    // The last partial vector: reads past k give zeros.
    auto tail = scf::IfOp::create(
        b, arith::CmpIOp::create(b, arith::CmpIPredicate::ult, kFull, kSize),
        [&](OpBuilder &nested, Location loc) {
          SmallVector<Value> next = step(
              nested, loc, depthLoop.getResults(),
              [&](ImplicitLocOpBuilder &nb, Value memref, Value row) -> Value {
                return vector::TransferReadOp::create(
                    nb, vectorType, memref, ValueRange{row, kFull},
                    zeroScalar, ArrayRef<bool>{false});
              });
          scf::YieldOp::create(nested, loc, next);
        },
        [&](OpBuilder &nested, Location loc) {
          scf::YieldOp::create(nested, loc, depthLoop.getResults());
        });
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        Value sum = vector::ReductionOp::create(
            b, vector::CombiningKind::ADD, tail.getResult(r * cols + c),
            Value(), fast.getValue());
        ValueRange at{rowIndex[r], colIndex[c]};
        Value old = memref::LoadOp::create(b, out, at);
        memref::StoreOp::create(b, arith::AddFOp::create(b, old, sum, fast),
                                out, at);
      }

    // Leftover rows (all columns), then leftover columns of the full rows;
    // either may be empty at run time.
    b.setInsertionPointAfter(rowLoop);
    auto cloneOn = [&](Value newLhs, Value newRhs, Value newOut) {
      IRMapping mapping;
      mapping.map(lhs, newLhs);
      mapping.map(rhs, newRhs);
      mapping.map(out, newOut);
      b.clone(*op.getOperation(), mapping)
          ->setAttr(kRemainderAttr, b.getUnitAttr());
    };
    if (mExtent.hasLeftover)
      cloneOn(sliceAlong(b, lhs, 0, mExtent.full, mExtent.left), rhs,
              sliceAlong(b, out, 0, mExtent.full, mExtent.left));
    if (nExtent.hasLeftover)
      cloneOn(sliceAlong(b, lhs, 0, b.getIndexAttr(0), mExtent.full),
              sliceAlong(b, rhs, 0, nExtent.full, nExtent.left),
              sliceAlong(b, sliceAlong(b, out, 0, b.getIndexAttr(0), mExtent.full),
                         1, nExtent.full, nExtent.left));
    rewriter.eraseOp(op);
    return success();
  }

  int64_t vectorBytes;
};
} // namespace

void dln::populateDotProductKernelPatterns(RewritePatternSet &patterns,
                                           int64_t vectorBytes) {
  patterns.add<DotProductKernel>(patterns.getContext(), vectorBytes);
}
