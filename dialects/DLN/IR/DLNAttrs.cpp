//===- DLNAttrs.cpp - Attributes of the dln dialect -----------------------===//
#include "dialects/DLN/IR/DLNAttrs.h"
#include "dialects/DLN/IR/DLNDialect.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::dln;

#include "dialects/DLN/IR/DLNAttrEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/DLN/IR/DLNAttrs.cpp.inc"

void DLNDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/DLN/IR/DLNAttrs.cpp.inc"
      >();
}
