//===- ScanPatterns.cpp - dln.scan to an scf.for over time -----------------===//
// The loop carries the scan's carries and one [batch, T, ...] tensor per
// per-step output; each iteration slices step t out of every sequence, runs
// the inlined body and writes its outputs into slot t. One-shot
// bufferization then updates the carries and stacked outputs in place.
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/DLNToLinalg/LinalgBuilders.h"
#include "compiler/Conversion/DLNToLinalg/Patterns.h"
#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
/// Offsets, sizes and strides of time step `t` of a [batch, T, ...] tensor.
struct StepSlice {
  SmallVector<OpFoldResult> offsets, sizes, strides;
};

StepSlice stepSlice(OpBuilder &b, Location loc, Value stacked, Value t) {
  StepSlice slice;
  auto type = cast<RankedTensorType>(stacked.getType());
  slice.sizes = tensor::getMixedSizes(b, loc, stacked);
  slice.offsets.assign(type.getRank(), b.getIndexAttr(0));
  slice.strides.assign(type.getRank(), b.getIndexAttr(1));
  slice.offsets[1] = t;
  slice.sizes[1] = b.getIndexAttr(1);
  return slice;
}

struct ScanLowering : public OpConversionPattern<ScanOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    int64_t staticLength = op.getStaticLength();
    Value length =
        ShapedType::isDynamic(staticLength)
            ? tensor::DimOp::create(b, adaptor.getSequences().front(), 1)
                  .getResult()
            : arith::ConstantIndexOp::create(b, staticLength).getResult();
    // The batch size, for stacked outputs that are dynamic in dimension 0.
    Value batch;
    for (Value operand : adaptor.getOperands())
      if (auto type = cast<RankedTensorType>(operand.getType());
          type.getRank() > 0 && type.isDynamicDim(0)) {
        batch = tensor::DimOp::create(b, operand, 0);
        break;
      }
    SmallVector<Value> iterArgs(adaptor.getInits());
    for (Value stacked : op.getStacked()) {
      auto type = cast<RankedTensorType>(stacked.getType());
      SmallVector<Value> sizes;
      for (int64_t dim = 0; dim < type.getRank(); ++dim) {
        if (!type.isDynamicDim(dim))
          continue;
        if ((dim == 0 && !batch) || dim > 1)
          return rewriter.notifyMatchFailure(
              op, "a stacked output is dynamic beyond batch and time");
        sizes.push_back(dim == 0 ? batch : length);
      }
      iterArgs.push_back(emptyTensor(b, type, sizes));
    }

    Value zero = arith::ConstantIndexOp::create(b, 0);
    Value one = arith::ConstantIndexOp::create(b, 1);
    auto loop = scf::ForOp::create(b, zero, length, one, iterArgs);
    Block *loopBody = loop.getBody();
    rewriter.setInsertionPointToStart(loopBody);
    Location loc = op.getLoc();
    Value t = loop.getInductionVar();
    if (op.getReverse()) {
      Value last = arith::SubIOp::create(rewriter, loc, length, one);
      t = arith::SubIOp::create(rewriter, loc, last, t);
    }
    size_t carries = op.getInits().size();
    SmallVector<Value> bodyArgs(loop.getRegionIterArgs().take_front(carries));
    for (Value sequence : adaptor.getSequences()) {
      StepSlice slice = stepSlice(rewriter, loc, sequence, t);
      bodyArgs.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc,
          ScanOp::stepType(cast<RankedTensorType>(sequence.getType())),
          sequence, slice.offsets, slice.sizes, slice.strides));
    }
    Block &body = op.getBody().front();
    auto yield = cast<YieldOp>(body.getTerminator());
    rewriter.inlineBlockBefore(&body, loopBody, loopBody->end(), bodyArgs);

    rewriter.setInsertionPoint(yield);
    SmallVector<Value> stackedNext;
    for (auto [step, stacked] :
         llvm::zip(yield.getValues().drop_front(carries),
                   loop.getRegionIterArgs().drop_front(carries))) {
      StepSlice slice = stepSlice(rewriter, loc, stacked, t);
      stackedNext.push_back(tensor::InsertSliceOp::create(
          rewriter, loc, step, stacked, slice.offsets, slice.sizes,
          slice.strides));
    }
    // The new carries are copied into the carried buffers once nothing
    // reads the old ones (the outputs above may be the old carries):
    // bufferization then keeps one buffer per carry for the whole loop
    // instead of a new one per step.
    SmallVector<Value> next;
    for (auto [value, carried] :
         llvm::zip(yield.getValues().take_front(carries),
                   loop.getRegionIterArgs().take_front(carries)))
      next.push_back(
          linalg::CopyOp::create(rewriter, loc, value, carried).getResult(0));
    llvm::append_range(next, stackedNext);
    scf::YieldOp::create(rewriter, loc, next);
    rewriter.eraseOp(yield);
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};
} // namespace

void dln::populateScanToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ScanLowering>(patterns.getContext());
}
