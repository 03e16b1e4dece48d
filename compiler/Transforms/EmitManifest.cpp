//===- EmitManifest.cpp - dln-emit-manifest -------------------------------===//
// Serializes the `dln.*` module attributes into the runtime manifest (format:
// docs/runtime.md). Values are percent-encoded so that paths may hold spaces.
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstdio>
#include <cstdlib>

namespace mlir::dln {
#define GEN_PASS_DEF_EMITMANIFEST
#include "compiler/Transforms/Passes.h.inc"
} // namespace mlir::dln

using namespace mlir;

namespace {
std::string percentEncode(StringRef value) {
  std::string out;
  for (unsigned char c : value) {
    if (c <= ' ' || c == '%' || c == '=' || c >= 0x7f)
      out += llvm::formatv("%{0:X-2}", static_cast<unsigned>(c)).str();
    else
      out += static_cast<char>(c);
  }
  return out;
}

/// Shortest text that reads back as the same double.
std::string exactNumber(double value) {
  char buffer[32];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value)
      break;
  }
  return buffer;
}

std::string shape(ArrayRef<int64_t> dims) {
  return llvm::join(
      llvm::map_range(dims, [](int64_t d) { return std::to_string(d); }), "x");
}

class ManifestWriter {
public:
  explicit ManifestWriter(ModuleOp module) : module(module) {}

  FailureOr<std::string> write() {
    os << "dln-manifest 1\n";
    os << "model " << percentEncode(module.getSymName().value_or("model"))
       << "\n";
    auto dtype = module->getAttrOfType<TypeAttr>("dln.dtype");
    if (!dtype)
      return module.emitError("missing dln.dtype: not a dlnc model"), failure();
    os << "dtype " << (dtype.getValue().isF64() ? "f64" : "f32") << "\n";
    for (StringRef key : {"batch", "epochs", "seed", "log_every"}) {
      auto attr = module->getAttrOfType<IntegerAttr>(("dln." + key).str());
      if (!attr)
        return module.emitError() << "missing dln." << key, failure();
      os << key << " " << attr.getInt() << "\n";
    }
    auto optimizer = module->getAttrOfType<DictionaryAttr>("dln.optimizer");
    if (!optimizer)
      return module.emitError("missing dln.optimizer"), failure();
    os << "optimizer " << optimizer.getAs<StringAttr>("kind").getValue();
    writeFields(optimizer, {"kind"});
    os << "\n";

    auto params = module->getAttrOfType<ArrayAttr>("dln.params");
    if (!params)
      return module.emitError("missing dln.params"), failure();
    for (auto param : params.getAsRange<DictionaryAttr>()) {
      os << "param "
         << percentEncode(param.getAs<StringAttr>("name").getValue()) << " "
         << shape(param.getAs<DenseI64ArrayAttr>("shape").asArrayRef());
      writeFields(param, {"name", "shape"});
      os << "\n";
    }
    auto input = module->getAttrOfType<DictionaryAttr>("dln.input");
    os << "input " << percentEncode(input.getAs<StringAttr>("name").getValue())
       << " " << shape(input.getAs<DenseI64ArrayAttr>("shape").asArrayRef())
       << "\n";
    auto label = module->getAttrOfType<DictionaryAttr>("dln.label");
    os << "label " << percentEncode(label.getAs<StringAttr>("name").getValue());
    if (label.getAs<StringAttr>("kind").getValue() == "class")
      os << " class " << label.getAs<IntegerAttr>("classes").getInt() << "\n";
    else
      os << " real "
         << shape(label.getAs<DenseI64ArrayAttr>("shape").asArrayRef()) << "\n";
    if (failed(writeOutput()))
      return failure();

    auto data = module->getAttrOfType<DictionaryAttr>("dln.data");
    if (!data)
      return module.emitError("missing dln.data"), failure();
    if (auto dir = data.getAs<StringAttr>("dir"))
      os << "data dir " << percentEncode(dir.getValue()) << "\n";
    for (StringRef split : {"train", "test"}) {
      auto source = data.getAs<DictionaryAttr>(split);
      if (!source)
        continue;
      os << "data " << split << " "
         << source.getAs<StringAttr>("kind").getValue();
      writeFields(source, {"kind"});
      os << "\n";
    }
    return os.str();
  }

private:
  /// ` key=value` for every entry but `skip`, in attribute (sorted) order.
  void writeFields(DictionaryAttr dict, ArrayRef<StringRef> skip) {
    for (NamedAttribute field : dict) {
      if (llvm::is_contained(skip, field.getName().strref()))
        continue;
      os << " " << field.getName().strref() << "=";
      Attribute value = field.getValue();
      if (auto str = dyn_cast<StringAttr>(value))
        os << percentEncode(str.getValue());
      else if (auto integer = dyn_cast<IntegerAttr>(value))
        os << integer.getInt();
      else if (auto real = dyn_cast<FloatAttr>(value))
        os << exactNumber(real.getValueAsDouble());
    }
  }

  /// The per-sample output shape, read from the eval step's last result.
  LogicalResult writeOutput() {
    auto eval = module.lookupSymbol<func::FuncOp>("eval_step");
    if (!eval || eval.getNumResults() != 2)
      return module.emitError("missing eval_step function with (loss, output) "
                              "results; run dln-emit-manifest before "
                              "dln-lower-entry-points");
    auto output = dyn_cast<RankedTensorType>(eval.getResultTypes()[1]);
    if (!output || !output.hasStaticShape())
      return eval.emitError("the model output must have a static shape");
    auto name = module->getAttrOfType<StringAttr>("dln.output_name");
    os << "output " << percentEncode(name ? name.getValue() : "output") << " "
       << shape(output.getShape().drop_front()) << "\n";
    return success();
  }

  ModuleOp module;
  std::string text;
  llvm::raw_string_ostream os{text};
};

struct EmitManifestPass : public dln::impl::EmitManifestBase<EmitManifestPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<std::string> manifest = ManifestWriter(module).write();
    if (failed(manifest))
      return signalPassFailure();
    manifest->push_back('\0');
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    auto type = LLVM::LLVMArrayType::get(builder.getI8Type(), manifest->size());
    LLVM::GlobalOp::create(builder, module.getLoc(), type, /*isConstant=*/true,
                           LLVM::Linkage::External, "dln_model_manifest",
                           builder.getStringAttr(*manifest));
  }
};
} // namespace
