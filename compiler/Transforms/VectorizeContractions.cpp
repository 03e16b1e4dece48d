//===- VectorizeContractions.cpp - dln-vectorize-contractions -------------===//
// Register-blocked SIMD kernel for bufferized matrix products whose right
// operand and result are walked along contiguous rows (C[m, n] += A * B[k, n],
// A stored [m, k] or [k, m]): a block of `rows` x (`col-vectors` x lanes)
// accumulators stays in vector registers across the whole k loop, so each
// FMA costs a fraction of a load instead of a load and a store of C.
// Rows and columns that do not fill a block keep the original linalg op on
// subviews, so any shape is handled.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"
#include "compiler/Transforms/ProductKernels.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::dln {
#define GEN_PASS_DEF_VECTORIZECONTRACTIONS
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;
using namespace mlir::dln;

namespace {
struct VectorizeProduct : public OpInterfaceRewritePattern<linalg::LinalgOp> {
  VectorizeProduct(MLIRContext *context, int64_t vectorBytes, int64_t rows,
                   int64_t colVectors)
      : OpInterfaceRewritePattern(context, /*benefit=*/2),
        vectorBytes(vectorBytes), rows(rows), colVectors(colVectors) {}

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (op->hasAttr(kRemainderAttr))
      return rewriter.notifyMatchFailure(op, "a remainder of a kernel");
    std::optional<ProductShape> shape = matchProduct(op);
    if (!shape || shape->transposedRhs)
      return rewriter.notifyMatchFailure(op, "not a row-major product");
    Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
    Value out = op.getDpsInits()[0];
    auto outType = cast<MemRefType>(out.getType());
    auto rhsType = cast<MemRefType>(rhs.getType());
    Type element = outType.getElementType();
    if (!element.isF32() && !element.isF64())
      return rewriter.notifyMatchFailure(op, "f32 and f64 only");
    int64_t lanes = vectorBytes / (element.getIntOrFloatBitWidth() / 8);
    int64_t blockCols = lanes * colVectors;
    // Either size may be dynamic: the batch's rows of a layer, the batch's
    // window positions of a convolution.
    int64_t m = outType.getDimSize(0), n = outType.getDimSize(1);
    if ((!ShapedType::isDynamic(m) && m < rows) ||
        (!ShapedType::isDynamic(n) && n < blockCols))
      return rewriter.notifyMatchFailure(op, "smaller than one block");
    // Contiguous rows of B and C are required by the vector loads.
    if (!hasContiguousRows(outType) || !hasContiguousRows(rhsType))
      return rewriter.notifyMatchFailure(op, "rows are not contiguous");

    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto vectorType = VectorType::get({lanes}, element);
    Value zero = arith::ConstantIndexOp::create(b, 0);
    Value one = arith::ConstantIndexOp::create(b, 1);
    Value depth = memref::DimOp::create(b, rhs, 0);
    auto index = [&](int64_t value) -> Value {
      return arith::ConstantIndexOp::create(b, value);
    };
    auto asValue = [&](OpFoldResult size) {
      return getValueOrCreateConstantIndexOp(b, b.getLoc(), size);
    };
    BlockExtent rowExtent = blockExtent(b, out, 0, rows);
    BlockExtent colExtent = blockExtent(b, out, 1, blockCols);

    // for j (column blocks), i (row blocks): the B panel stays in cache.
    auto colLoop = scf::ForOp::create(b, zero, asValue(colExtent.full),
                                      index(blockCols));
    b.setInsertionPointToStart(colLoop.getBody());
    Value j = colLoop.getInductionVar();
    auto rowLoop =
        scf::ForOp::create(b, zero, asValue(rowExtent.full), index(rows));
    b.setInsertionPointToStart(rowLoop.getBody());
    Value i = rowLoop.getInductionVar();

    SmallVector<Value> rowIndex, colIndex;
    for (int64_t r = 0; r < rows; ++r)
      rowIndex.push_back(arith::AddIOp::create(b, i, index(r)));
    for (int64_t c = 0; c < colVectors; ++c)
      colIndex.push_back(arith::AddIOp::create(b, j, index(c * lanes)));
    SmallVector<Value> accumulators;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < colVectors; ++c)
        accumulators.push_back(vector::LoadOp::create(
            b, vectorType, out, ValueRange{rowIndex[r], colIndex[c]}));

    auto depthLoop = scf::ForOp::create(
        b, zero, depth, one, accumulators,
        [&](OpBuilder &nested, Location loc, Value k, ValueRange acc) {
          ImplicitLocOpBuilder nb(loc, nested);
          SmallVector<Value> rhsVectors;
          for (int64_t c = 0; c < colVectors; ++c)
            rhsVectors.push_back(vector::LoadOp::create(
                nb, vectorType, rhs, ValueRange{k, colIndex[c]}));
          SmallVector<Value> next;
          for (int64_t r = 0; r < rows; ++r) {
            ValueRange at = shape->transposedLhs ? ValueRange{k, rowIndex[r]}
                                                 : ValueRange{rowIndex[r], k};
            Value scalar = memref::LoadOp::create(nb, lhs, at);
            Value splat = vector::BroadcastOp::create(nb, vectorType, scalar);
            for (int64_t c = 0; c < colVectors; ++c)
              next.push_back(vector::FMAOp::create(nb, splat, rhsVectors[c],
                                                   acc[r * colVectors + c]));
          }
          scf::YieldOp::create(nb, next);
        });
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < colVectors; ++c)
        vector::StoreOp::create(b, depthLoop.getResult(r * colVectors + c), out,
                                ValueRange{rowIndex[r], colIndex[c]});

    // Leftover rows (all columns) and leftover columns (full rows) keep the
    // original computation on subviews.
    b.setInsertionPoint(op);
    unsigned lhsRowDim = shape->transposedLhs ? 1 : 0;
    auto cloneOn = [&](Value newLhs, Value newRhs, Value newOut) {
      IRMapping mapping;
      mapping.map(lhs, newLhs);
      mapping.map(rhs, newRhs);
      mapping.map(out, newOut);
      b.clone(*op.getOperation(), mapping)->setAttr(kRemainderAttr,
                                                    b.getUnitAttr());
    };
    b.setInsertionPointAfter(colLoop);
    // Leftover rows (all columns), then leftover columns of the full rows;
    // a dynamic leftover may be empty at run time.
    if (rowExtent.hasLeftover)
      cloneOn(sliceAlong(b, lhs, lhsRowDim, rowExtent.full, rowExtent.left), rhs,
              sliceAlong(b, out, 0, rowExtent.full, rowExtent.left));
    if (colExtent.hasLeftover) {
      Value lhsRows =
          sliceAlong(b, lhs, lhsRowDim, b.getIndexAttr(0), rowExtent.full);
      Value outRows = sliceAlong(b, out, 0, b.getIndexAttr(0), rowExtent.full);
      cloneOn(lhsRows, sliceAlong(b, rhs, 1, colExtent.full, colExtent.left),
              sliceAlong(b, outRows, 1, colExtent.full, colExtent.left));
    }
    rewriter.eraseOp(op);
    return success();
  }

  int64_t vectorBytes, rows, colVectors;
};

/// Products the kernels leave (remainders, small shapes) with a row-major B
/// become loops ordered so that n, contiguous in B and C, is innermost
/// (A B: m, k, n; At B: k, m, n), which lets LLVM vectorize the inner loop.
/// Products with a transposed B keep linalg.matmul's (m, n, k): a dot
/// product of two contiguous rows, whose body gets `reassoc` so that LLVM
/// may vectorize the reduction.
struct OrderProductLoops : public OpRewritePattern<linalg::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<ProductShape> shape =
        matchProduct(cast<linalg::LinalgOp>(op.getOperation()));
    if (!shape)
      return rewriter.notifyMatchFailure(op, "not a 2-D product on buffers");
    FailureOr<linalg::GenericOp> generic =
        linalg::generalizeNamedOp(rewriter, op);
    if (failed(generic))
      return failure();
    auto fast = arith::FastMathFlagsAttr::get(
        rewriter.getContext(),
        arith::FastMathFlags::reassoc | arith::FastMathFlags::contract);
    generic->getBody()->walk([&](Operation *inner) {
      if (isa<arith::AddFOp, arith::MulFOp>(inner))
        inner->setAttr("fastmath", fast);
    });
    if (shape->transposedRhs)
      return success();
    SmallVector<unsigned> order =
        shape->transposedLhs
            ? SmallVector<unsigned>{shape->k, shape->m, shape->n}
            : SmallVector<unsigned>{shape->m, shape->k, shape->n};
    return success(
        succeeded(linalg::interchangeGenericOp(rewriter, *generic, order)));
  }
};

struct VectorizeContractionsPass
    : public dln::impl::VectorizeContractionsBase<VectorizeContractionsPass> {
  using VectorizeContractionsBase::VectorizeContractionsBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<VectorizeProduct>(&getContext(), vectorBytes, rows,
                                   colVectors);
    populateDotProductKernelPatterns(patterns, vectorBytes);
    patterns.add<OrderProductLoops>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
