//===- DLNOps.h - Operations of the dln dialect -----------------*- C++ -*-===//
#ifndef DLNC_DIALECTS_DLN_IR_DLNOPS_H
#define DLNC_DIALECTS_DLN_IR_DLNOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "dialects/DLN/IR/DLNAttrs.h"
#include "dialects/DLN/IR/DLNDialect.h"
#include "dialects/DLN/IR/DLNInterfaces.h"

#include "dialects/DLN/IR/DLNEnums.h.inc"

#define GET_OP_CLASSES
#include "dialects/DLN/IR/DLNOps.h.inc"

namespace mlir::dln {
/// `[2, 3]`, `[?, 3]`: shapes in diagnostics, spelled as the .dln language
/// spells them.
std::string shapeText(ArrayRef<int64_t> shape);
/// One dimension: `3` or `?`.
std::string dimText(int64_t size);
} // namespace mlir::dln

#endif // DLNC_DIALECTS_DLN_IR_DLNOPS_H
