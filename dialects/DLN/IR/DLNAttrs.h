//===- DLNAttrs.h - Attributes of the dln dialect ---------------*- C++ -*-===//
#ifndef DLNC_DIALECTS_DLN_IR_DLNATTRS_H
#define DLNC_DIALECTS_DLN_IR_DLNATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "dialects/DLN/IR/DLNAttrEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/DLN/IR/DLNAttrs.h.inc"

namespace mlir::dln {
/// The name of the discardable attribute holding an ArgAttr.
constexpr llvm::StringLiteral kArgAttrName = "dln.arg";
} // namespace mlir::dln

#endif // DLNC_DIALECTS_DLN_IR_DLNATTRS_H
