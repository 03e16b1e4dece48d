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

LogicalResult
OptimizerAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      StringRef kind, FloatAttr lr, DictionaryAttr options) {
  if (kind.empty())
    return emitError() << "optimizer kind must not be empty";
  if (!lr.getType().isF64())
    return emitError() << "optimizer lr must be an f64, got " << lr.getType();
  for (NamedAttribute option : options) {
    Attribute value = option.getValue();
    auto number = dyn_cast<FloatAttr>(value);
    if ((number && number.getType().isF64()) ||
        isa<BoolAttr, DenseF64ArrayAttr>(value))
      continue;
    return emitError() << "optimizer option '" << option.getName().strref()
                       << "' must be an f64, a boolean or an f64 array, got "
                       << value;
  }
  return success();
}

double OptimizerAttr::getNumber(StringRef name, double fallback) const {
  if (auto value = getOptions().getAs<FloatAttr>(name))
    return value.getValueAsDouble();
  return fallback;
}

bool OptimizerAttr::getFlag(StringRef name) const {
  auto value = getOptions().getAs<BoolAttr>(name);
  return value && value.getValue();
}

double OptimizerAttr::getArrayElement(StringRef name, unsigned index,
                                      double fallback) const {
  auto value = getOptions().getAs<DenseF64ArrayAttr>(name);
  if (!value || index >= value.asArrayRef().size())
    return fallback;
  return value.asArrayRef()[index];
}

LogicalResult
TableSourceAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        int64_t columns, int64_t label,
                        DenseF64ArrayAttr values) {
  if (columns < 1)
    return emitError() << "a table needs at least one column, got " << columns;
  if (!values || values.empty() || values.size() % columns != 0)
    return emitError() << "a table's values must fill whole rows of "
                       << columns << " columns";
  if (label < -columns || label >= columns)
    return emitError() << "table label column " << label << " is outside "
                       << columns << " columns";
  return success();
}
