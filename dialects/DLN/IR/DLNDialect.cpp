//===- DLNDialect.cpp - dln dialect registration --------------------------===//
#include "dialects/DLN/IR/DLNDialect.h"
#include "dialects/DLN/IR/DLNAttrs.h"
#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace mlir::dln;

#include "dialects/DLN/IR/DLNInterfaces.cpp.inc"
#include "dialects/DLN/IR/DLNOpsDialect.cpp.inc"

namespace {
/// All dln ops are pure tensor computations: inlining the generated adjoint
/// functions lets fusion see forward and backward code together.
struct DLNInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
  bool isLegalToInline(Region *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

/// Folders return splat attributes (zero and identity adjoints); they become
/// arith constants.
Operation *DLNDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != type)
    return nullptr;
  return arith::ConstantOp::create(builder, loc, type, typed);
}

void DLNDialect::initialize() {
  addInterfaces<DLNInlinerInterface>();
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "dialects/DLN/IR/DLNOps.cpp.inc"
      >();
}
