//===- Builtins.h - The registry of builtin functions -----------*- C++ -*-===//
//
// Table-driven dispatch for calls such as `relu(x)` or
// `leaky_relu(x, slope = 0.2)`: each builtin names its positional tensor
// arguments, its named numeric options with defaults, and a builder over the
// dln primitives and composites. MLIRGen checks a call against its entry
// (arity, option names, located errors) and then runs the builder.
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_FRONTEND_BUILTINS_H
#define DLNC_FRONTEND_BUILTINS_H

#include "mlir/IR/Builders.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace dlnc {

/// A named numeric option of a builtin and its default. An option with
/// `words` is written as one of them (`mode = bilinear`), its value the
/// word's index.
struct BuiltinOption {
  llvm::StringLiteral name;
  double defaultValue;
  llvm::ArrayRef<llvm::StringLiteral> words = {};
};

/// One call, checked against its entry and with its operands emitted.
struct BuiltinCall {
  mlir::OpBuilder &builder;
  mlir::Location loc;
  llvm::ArrayRef<mlir::Value> args;
  /// Option values in the entry's order (defaults filled in).
  llvm::ArrayRef<double> options;
  /// Class count of the model's `class[N]` label (0 when it has none).
  int64_t numClasses;
  /// Whether args[0] carries the batch as dimension 0 (a per-sample value):
  /// axis options count the per-sample dimensions.
  bool batched = false;
};

struct Builtin {
  llvm::StringLiteral name;
  unsigned arity;
  llvm::ArrayRef<BuiltinOption> options;
  /// The call's value, or failure after emitting a located error.
  mlir::FailureOr<mlir::Value> (*build)(const BuiltinCall &call);
  /// Losses are per-sample ([batch]) and may appear in a `loss` statement.
  bool isLoss = false;
  /// Pooling looks at dimension 0 as the batch: its argument must be a
  /// per-sample image, which carries one.
  bool needsBatch = false;
};

/// The entry named `name`, or null.
const Builtin *lookupBuiltin(llvm::StringRef name);

/// Every entry, for diagnostics ("expected one of ...") and docs.
llvm::ArrayRef<Builtin> allBuiltins();

} // namespace dlnc

#endif // DLNC_FRONTEND_BUILTINS_H
