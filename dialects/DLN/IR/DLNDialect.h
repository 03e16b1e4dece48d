//===- DLNDialect.h - The dln dialect ---------------------------*- C++ -*-===//
#ifndef DLNC_DIALECTS_DLN_IR_DLNDIALECT_H
#define DLNC_DIALECTS_DLN_IR_DLNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "dialects/DLN/IR/DLNOpsDialect.h.inc"

#endif // DLNC_DIALECTS_DLN_IR_DLNDIALECT_H
