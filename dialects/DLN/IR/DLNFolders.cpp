//===- DLNFolders.cpp - Folds of the dln ops ------------------------------===//
// Autodiff seeds adjoints with ones and fills missing ones with zeros; these
// folds remove the resulting identity and zero arithmetic, so canonicalize
// leaves a backward pass with only the work that matters.
//===----------------------------------------------------------------------===//
#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::dln;

namespace {
/// The splat value of a constant float operand, if it is one.
std::optional<double> splatValue(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseFPElementsAttr>(attr);
  if (!dense || !dense.isSplat())
    return std::nullopt;
  return dense.getSplatValue<APFloat>().convertToDouble();
}

/// The splat value of an operand: a constant (its folded `attr`), or a
/// dynamically shaped splat, a broadcast of a constant scalar.
std::optional<double> splatValue(Attribute attr, Value operand) {
  if (std::optional<double> value = splatValue(attr))
    return value;
  auto broadcast = operand.getDefiningOp<BroadcastOp>();
  Attribute scalar;
  if (!broadcast || !matchPattern(broadcast.getInput(), m_Constant(&scalar)))
    return std::nullopt;
  return splatValue(scalar);
}

/// A splat attribute of `type` holding the splat of `attr`; none for a
/// dynamic shape, which no attribute can have.
Attribute resplat(Attribute attr, Type type) {
  auto dense = dyn_cast_or_null<DenseFPElementsAttr>(attr);
  if (!dense || !dense.isSplat() || !cast<ShapedType>(type).hasStaticShape())
    return {};
  return DenseElementsAttr::get(cast<ShapedType>(type),
                                dense.getSplatValue<APFloat>());
}
} // namespace

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (splatValue(adaptor.getRhs(), getRhs()) == 0.0)
    return getLhs();
  if (splatValue(adaptor.getLhs(), getLhs()) == 0.0)
    return getRhs();
  return {};
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (splatValue(adaptor.getRhs(), getRhs()) == 0.0)
    return getLhs();
  return {};
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (splatValue(adaptor.getRhs(), getRhs()) == 1.0)
    return getLhs();
  if (splatValue(adaptor.getLhs(), getLhs()) == 1.0)
    return getRhs();
  // x * 0 is 0 for the finite values training works with.
  if (splatValue(adaptor.getRhs(), getRhs()) == 0.0)
    return getRhs();
  if (splatValue(adaptor.getLhs(), getLhs()) == 0.0)
    return getLhs();
  return {};
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (splatValue(adaptor.getRhs(), getRhs()) == 1.0)
    return getLhs();
  return {};
}

OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return resplat(adaptor.getInput(), getType());
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    // reshape(reshape(x)) reads x directly.
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  return resplat(adaptor.getInput(), getType());
}
