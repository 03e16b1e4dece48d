//===- LossPatterns.cpp - Per-sample losses and their adjoints to linalg --===//
#include "compiler/Conversion/DLNToLinalg/LinalgBuilders.h"
#include "compiler/Conversion/DLNToLinalg/Patterns.h"
#include "dialects/DLN/IR/DLNOps.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
using utils::IteratorType;

/// True where the column index equals the row's integer label.
Value isLabelColumn(ImplicitLocOpBuilder &b, Value label) {
  Value column = linalg::IndexOp::create(b, 1);
  Value labelIndex = arith::IndexCastOp::create(b, b.getIndexType(), label);
  return arith::CmpIOp::create(b, arith::CmpIPredicate::eq, column, labelIndex);
}

RankedTensorType rankedResult(Operation *op) {
  return dyn_cast<RankedTensorType>(op->getResult(0).getType());
}

/// loss[i] = mean_j (p[i, j] - t[i, j])^2
struct MSELowering : public OpConversionPattern<MSEOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MSEOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto matrix = dyn_cast<RankedTensorType>(adaptor.getPrediction().getType());
    if (!matrix || !rankedResult(op))
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    double inverse = 1.0 / static_cast<double>(matrix.getDimSize(1));
    Value loss = buildRowReduction(
        b, matrix, {adaptor.getPrediction(), adaptor.getTarget()}, 0.0,
        [inverse](ImplicitLocOpBuilder &nb, ValueRange args) {
          FloatMath m{nb};
          Value diff = m.sub(args[0], args[1]);
          Value scaled =
              m.mul(m.mul(diff, diff), m.constant(diff.getType(), inverse));
          return m.add(args[2], scaled);
        });
    rewriter.replaceOp(op, loss);
    return success();
  }
};

/// d[i, j] = 2 (p[i, j] - t[i, j]) / n * g[i]
struct MSEGradLowering : public OpConversionPattern<MSEGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MSEGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = rankedResult(op);
    if (!type || type.getRank() != 2)
      return rewriter.notifyMatchFailure(op,
                                         "needs a ranked [batch, n] result");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    double factor = 2.0 / static_cast<double>(type.getDimSize(1));
    Value grad = buildElementwise(
        b, type,
        {adaptor.getPrediction(), adaptor.getTarget(), adaptor.getGrad()},
        [factor](ImplicitLocOpBuilder &nb, ValueRange args) {
          FloatMath m{nb};
          Value diff = m.sub(args[0], args[1]);
          return m.mul(m.mul(diff, m.constant(diff.getType(), factor)),
                       args[2]);
        });
    rewriter.replaceOp(op, grad);
    return success();
  }
};

/// loss[i] = log(sum_j exp(z[i, j] - max_i)) + max_i - z[i, label_i]
struct CrossEntropyLowering : public OpConversionPattern<CrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CrossEntropyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto matrix = dyn_cast<RankedTensorType>(adaptor.getLogits().getType());
    RankedTensorType type = rankedResult(op);
    if (!matrix || !type)
      return rewriter.notifyMatchFailure(op, "needs ranked types");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value z = adaptor.getLogits(), labels = adaptor.getLabels();
    Value rowMax = buildRowMax(b, z);
    Value rowSum = buildRowSumExp(b, z, rowMax);
    Value picked = buildRowReduction(
        b, matrix, {z, labels}, 0.0,
        [](ImplicitLocOpBuilder &nb, ValueRange args) {
          Value hit = isLabelColumn(nb, args[1]);
          FloatMath m{nb};
          return m.add(args[2], Value(arith::SelectOp::create(
                                    nb, hit, args[0],
                                    m.constant(args[0].getType(), 0.0))));
        });
    Value loss = buildElementwise(
        b, type, {rowSum, rowMax, picked},
        [](ImplicitLocOpBuilder &nb, ValueRange args) {
          FloatMath m{nb};
          return m.sub(m.add(m.log(args[0]), args[1]), args[2]);
        });
    rewriter.replaceOp(op, loss);
    return success();
  }
};

/// d[i, j] = (softmax(z)[i, j] - (j == label_i)) * g[i]
struct CrossEntropyGradLowering
    : public OpConversionPattern<CrossEntropyGradOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CrossEntropyGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = rankedResult(op);
    if (!type || type.getRank() != 2)
      return rewriter.notifyMatchFailure(op,
                                         "needs a ranked [batch, n] result");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value z = adaptor.getLogits();
    Value rowMax = buildRowMax(b, z);
    Value rowSum = buildRowSumExp(b, z, rowMax);
    Value grad = buildElementwise(
        b, type, {z, rowMax, rowSum, adaptor.getLabels(), adaptor.getGrad()},
        [](ImplicitLocOpBuilder &nb, ValueRange args) {
          FloatMath m{nb};
          Value probability = m.div(m.exp(m.sub(args[0], args[1])), args[2]);
          Value target =
              arith::SelectOp::create(nb, isLabelColumn(nb, args[3]),
                                      m.constant(args[0].getType(), 1.0),
                                      m.constant(args[0].getType(), 0.0));
          return m.mul(m.sub(probability, target), args[4]);
        });
    rewriter.replaceOp(op, grad);
    return success();
  }
};
} // namespace

void dln::populateLossToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MSELowering, MSEGradLowering, CrossEntropyLowering,
               CrossEntropyGradLowering>(patterns.getContext());
}
