//===- Layers.h - The registry of layer constructors ------------*- C++ -*-===//
//
// Table-driven dispatch for `layer NAME = KIND(...)`: each entry says which
// named options the constructor takes, how it turns the call into parameter
// declarations (names, shapes, initializers), and how applying the layer
// builds dln ops from its parameters. MLIRGen checks option names against the
// entry before calling it. Adding a layer kind is one entry plus two
// functions.
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_FRONTEND_LAYERS_H
#define DLNC_FRONTEND_LAYERS_H

#include "dialects/DLN/IR/DLNAttrs.h"
#include "frontend/AST.h"
#include "frontend/ConstantEval.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OperationSupport.h"

namespace dlnc {

/// A tensor a layer declares, and how the runtime initializes it: a
/// trainable parameter, or (`isState`) state the layer itself updates in
/// training, such as batch norm's running statistics.
struct LayerParam {
  std::string suffix; ///< "weight": the param is named "<layer>.weight"
  llvm::SmallVector<int64_t> shape;
  mlir::dln::InitAttr init;
  bool isState = false;
};

/// A layer instance's settings that its application needs (a convolution's
/// strides and padding, say), in the kind's own encoding.
using LayerConfig = llvm::SmallVector<int64_t, 16>;

/// What a layer's declare function can use: the call, located errors, and the
/// frontend's initializer parser (`init = glorot_uniform`, ...).
struct LayerDeclContext {
  const CallExpr &call;
  llvm::function_ref<mlir::InFlightDiagnostic(llvm::SMLoc)> error;
  /// Parses an `init` option (null: the default) for the given fans.
  llvm::function_ref<std::optional<mlir::dln::InitAttr>(const Expr *, int64_t,
                                                        int64_t)>
      parseInit;
  /// The model's compile-time parameters (`dense(c_in -> width)`).
  const ConstantBindings &bindings;
  mlir::MLIRContext &mlirContext;
};

/// One application of a layer.
struct LayerCall {
  mlir::OpBuilder &builder;
  mlir::Location loc;
  mlir::Value input;
  /// The kind's extra inputs in order (null: an optional one not given).
  llvm::ArrayRef<mlir::Value> extraInputs;
  /// The layer's parameters and states, each in declared order.
  llvm::ArrayRef<mlir::Value> params, states;
  llvm::ArrayRef<int64_t> config;
  /// Training mode (batch statistics) or evaluation (running ones).
  bool training;
  /// Where a training application puts its states' new values (one per
  /// state, in order); null when they are not wanted.
  llvm::SmallVectorImpl<mlir::Value> *newStates;
};

struct LayerKind {
  llvm::StringLiteral name;
  /// Named options the constructor accepts (the rest is positional).
  llvm::ArrayRef<llvm::StringLiteral> options;
  /// Declares the layer's parameters in order and its configuration, or
  /// fails after an error.
  mlir::LogicalResult (*declare)(const LayerDeclContext &context,
                                 llvm::SmallVectorImpl<LayerParam> &params,
                                 LayerConfig &config);
  /// Applies the layer to the call's input.
  mlir::FailureOr<mlir::Value> (*apply)(const LayerCall &call);
  /// Convolutions read dimension 0 as the batch: their input must be a
  /// per-sample value, which carries one.
  bool needsBatch = false;
  /// Tensor inputs after the first (deform_conv2d's offsets and mask),
  /// positional or named; the first `requiredExtraInputs` must be given.
  llvm::ArrayRef<llvm::StringLiteral> extraInputs = {};
  unsigned requiredExtraInputs = 0;
  /// Its input is a class index (embedding), not real numbers.
  bool acceptsClass = false;
  /// A cell whose state is a tuple of this many tensors (lstm_cell's
  /// (h, c)): applied as `cell((h, c), x)` by `applyState` (instead of
  /// `apply`), which gets h as the input and the rest of the state, then the
  /// extra inputs, as extra inputs, and returns the new state.
  unsigned stateElements = 1;
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> (*applyState)(
      const LayerCall &call) = nullptr;
  /// rnn, lstm, gru: a whole sequence in, the top layer's states out. The
  /// frontend applies them (ModelGen::applySequenceLayer: scans, and
  /// dropout between layers), from the configuration below.
  bool sequenceLayer = false;
};

/// The configuration of a sequence layer, in its LayerConfig.
struct SequenceLayerConfig {
  enum Cell : int64_t { RnnTanh, RnnRelu, Gru, Lstm };
  Cell cell;
  int64_t layers, directions;
  bool bias;
  double dropout;
  static SequenceLayerConfig decode(llvm::ArrayRef<int64_t> config);
  /// The tensors of each (layer, direction) cell, in parameter order.
  unsigned paramsPerCell() const { return bias ? 4 : 2; }
};

/// The entry named `name`, or null.
const LayerKind *lookupLayer(llvm::StringRef name);

/// Every entry, for diagnostics.
llvm::ArrayRef<LayerKind> allLayers();

} // namespace dlnc

#endif // DLNC_FRONTEND_LAYERS_H
