//===- BatchMeans.cpp - The batch mean of an update rule's right side -----===//
//
// An update rule's right-hand side is evaluated per sample and averaged
// over the batch's real rows (docs 7.6). Averaging distributes over sums,
// differences and scaling by values that do not depend on the sample, and
// the mean of `outer(a, b)` is one matrix product, (mask * a)^T b / sum(mask):
// so `w + lr * (outer(ph0, v0) - outer(phk, vk))` never materializes a
// [batch, H, V] tensor. Anything else is evaluated per sample and averaged.
//
//===----------------------------------------------------------------------===//

#include "frontend/ModelGen.h"

#include "dialects/DLN/IR/DLNComposites.h"

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

FailureOr<Value> ModelGen::emitBatchMean(const Expr &expr, Value mask) {
  Location where = loc(expr.getLoc());
  auto averaged = [&](const Expr &e) -> FailureOr<Value> {
    FailureOr<SampleValue> value = emitExpr(e);
    if (failed(value))
      return failure();
    return batchMean(builder, where, *value, mask);
  };
  if (auto *binary = dyn_cast<BinaryExpr>(&expr)) {
    bool additive = binary->op == "+" || binary->op == "-";
    if (additive || binary->op == "*") {
      // A product distributes only when one factor is the same for every
      // sample: evaluate the factors, and fall back when both vary.
      if (!additive) {
        FailureOr<SampleValue> lhs = emitExpr(*binary->lhs);
        if (failed(lhs))
          return failure();
        // The factor that varies: the left one when it does, else the right.
        const Expr &other = lhs->batched ? *binary->lhs : *binary->rhs;
        FailureOr<SampleValue> constant =
            lhs->batched ? emitExpr(*binary->rhs) : lhs;
        if (failed(constant))
          return failure();
        if (constant->batched)
          return averaged(expr);
        FailureOr<Value> mean = emitBatchMean(other, mask);
        if (failed(mean))
          return failure();
        return broadcastingBinary<MulOp>(builder, where, constant->value,
                                         *mean);
      }
      FailureOr<Value> lhs = emitBatchMean(*binary->lhs, mask);
      FailureOr<Value> rhs = emitBatchMean(*binary->rhs, mask);
      if (failed(lhs) || failed(rhs))
        return failure();
      return binary->op == "+"
                 ? broadcastingBinary<AddOp>(builder, where, *lhs, *rhs)
                 : broadcastingBinary<SubOp>(builder, where, *lhs, *rhs);
    }
  }
  auto *call = dyn_cast<CallExpr>(&expr);
  if (call && calleeName(*call) == "outer" && call->args.size() == 2 &&
      call->args[0].name.empty() && call->args[1].name.empty() &&
      !functionParams.count("outer")) {
    FailureOr<SampleValue> a = emitExpr(*call->args[0].value);
    FailureOr<SampleValue> b = emitExpr(*call->args[1].value);
    if (failed(a) || failed(b))
      return failure();
    if (a->batched && b->batched && a->sampleShape().size() == 1 &&
        b->sampleShape().size() == 1) {
      // (mask * a)^T b: [H, V], then over the count of real rows.
      FailureOr<Value> weighted = broadcastingBinary<MulOp>(
          builder, where, a->value,
          reshapeInferred(builder, where, mask, {ShapedType::kDynamic, 1}));
      if (failed(weighted))
        return failure();
      Value sum = MatmulOp::create(builder, where, *weighted, b->value,
                                   /*transpose_lhs=*/true,
                                   /*transpose_rhs=*/false);
      Value count = reduceSum(builder, where, mask, {0});
      return broadcastingBinary<DivOp>(builder, where, sum, count);
    }
  }
  return averaged(expr);
}
