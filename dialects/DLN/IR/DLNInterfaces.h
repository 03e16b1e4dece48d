//===- DLNInterfaces.h - Shape inference and autodiff interfaces -*- C++
//-*-===//
#ifndef DLNC_DIALECTS_DLN_IR_DLNINTERFACES_H
#define DLNC_DIALECTS_DLN_IR_DLNINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/SmallVector.h"

#include "dialects/DLN/IR/DLNInterfaces.h.inc"

#endif // DLNC_DIALECTS_DLN_IR_DLNINTERFACES_H
