//===- BatchLevelLosses.cpp - Losses over the whole batch -----------------===//
//
// `kl_sparsity(h, rho, beta)` compares each hidden unit's mean activation
// over the batch with a target (docs 13.1). A loss here is per sample, so
// the batch-level value is given to every row: the batch mean over the
// valid rows then reproduces it. Padded rows of a partial last training
// batch are left out of the unit means by the loss function's mask.
//
//===----------------------------------------------------------------------===//

#include "frontend/ModelGen.h"

#include "dialects/DLN/IR/DLNComposites.h"

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

FailureOr<SampleValue> ModelGen::emitKlSparsity(const CallExpr &call) {
  double rho = 0.05, beta = 1.0;
  const Argument *activations = nullptr;
  for (const Argument &arg : call.args) {
    if (arg.name.empty()) {
      if (activations)
        return error(arg.loc) << "'kl_sparsity' expects 1 argument(s) and "
                                 "the options rho, beta",
               failure();
      activations = &arg;
      continue;
    }
    std::optional<double> value = evaluateNumber(*arg.value, &modelParams);
    if (arg.name != "rho" && arg.name != "beta")
      return error(arg.loc) << "'kl_sparsity' has no argument named '"
                            << arg.name << "' (expected rho, beta)",
             failure();
    if (!value)
      return error(arg.loc) << "argument '" << arg.name
                            << "' of 'kl_sparsity' must be a number",
             failure();
    (arg.name == "rho" ? rho : beta) = *value;
  }
  if (!activations)
    return error(call.getLoc()) << "'kl_sparsity' expects 1 argument(s) and "
                                   "the options rho, beta",
           failure();
  if (!(rho > 0 && rho < 1))
    return error(call.getLoc()) << "kl_sparsity: rho must be in (0, 1)",
           failure();
  FailureOr<SampleValue> h = emitExpr(*activations->value);
  if (failed(h) ||
      failed(requireReal(*h, activations->loc, "'kl_sparsity'")))
    return failure();
  if (!h->batched || h->sampleShape().size() != 1)
    return error(activations->loc)
               << "kl_sparsity expects per-sample activations of one vector "
                  "computed from the input, got "
               << shapeString(elementType, h->sampleShape()),
           failure();
  Location where = loc(call.getLoc());
  // rho_hat[j]: the mean of h[:, j] over the valid rows.
  Value rhoHat =
      root->rowMask
          ? batchMean(builder, where, *h, root->rowMask)
          : reduceMean(builder, where, h->value, ArrayRef<int64_t>{0});
  auto scalarOf = [&](double v) { return splatLike(builder, where, rhoHat, v); };
  // rho log(rho / rho_hat) + (1 - rho) log((1 - rho) / (1 - rho_hat)).
  Value oneMinus = SubOp::create(builder, where, scalarOf(1), rhoHat);
  Value kl = AddOp::create(
      builder, where,
      MulOp::create(builder, where, scalarOf(rho),
                    NegOp::create(builder, where,
                                  LogOp::create(builder, where,
                                                DivOp::create(builder, where,
                                                              rhoHat,
                                                              scalarOf(rho))))),
      MulOp::create(
          builder, where, scalarOf(1 - rho),
          NegOp::create(builder, where,
                        LogOp::create(builder, where,
                                      DivOp::create(builder, where, oneMinus,
                                                    scalarOf(1 - rho))))));
  Value total = reduceSum(builder, where, kl, ArrayRef<int64_t>{0});
  Value weighted = MulOp::create(builder, where, total,
                                 scalar(call.getLoc(), beta));
  // The same value for every row of the batch.
  Value rows = dimSize(builder, where, h->value, 0);
  Value perRow = BroadcastOp::create(
      builder, where,
      RankedTensorType::get({ShapedType::kDynamic}, elementType), weighted,
      ValueRange{rows}, builder.getDenseI64ArrayAttr({ShapedType::kDynamic}),
      builder.getDenseI64ArrayAttr({}));
  return SampleValue{perRow, true};
}
