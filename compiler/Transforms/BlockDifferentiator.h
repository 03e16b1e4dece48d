//===- BlockDifferentiator.h - Reverse mode over one block ------*- C++ -*-===//
//
// `BlockDifferentiator` clones one block's ops (the forward pass), with an
// activity analysis (only values that depend on the differentiated
// arguments get adjoints), then walks them backwards asking each op
// (Differentiable interface) for its operands' adjoints. dln-autodiff uses
// one per differentiated function; a `dln.scan` is differentiated by a
// nested one on its body (ScanAdjoint.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_COMPILER_TRANSFORMS_BLOCKDIFFERENTIATOR_H
#define DLNC_COMPILER_TRANSFORMS_BLOCKDIFFERENTIATOR_H

#include "dialects/DLN/IR/DLNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir::dln {

/// Clones a block and builds the adjoints of its arguments.
class BlockDifferentiator {
public:
  BlockDifferentiator(OpBuilder &builder, IRMapping &mapping)
      : builder(builder), mapping(mapping) {}

  /// Clones the ops of `body` up to its terminator at the builder's
  /// insertion point; values that depend on `activeArgs` become active.
  LogicalResult cloneForward(Block &body, ArrayRef<Value> activeArgs);

  /// Seeds each value's adjoint (seeds of one value add up) and propagates
  /// to every active value.
  LogicalResult propagateBackward(ArrayRef<std::pair<Value, Value>> seeds,
                                  Location loc);

  /// The adjoint of a (mapped) value, zero when nothing flowed into it.
  Value adjointOf(Value value, Location loc);

private:
  /// What the adjoint of a forward scan clone needs.
  struct ScanRecord {
    /// The primal scan's result count; the clone's results after them
    /// stack each step's incoming carries.
    unsigned primalResults;
    /// Values from above that its body uses and that are active.
    SmallVector<Value> captures;
  };

  /// A scan is active when an operand or a value its body uses from above
  /// is.
  bool isActiveScan(ScanOp scan);

  /// Marks `op`'s float tensor results active.
  void markResultsActive(Operation *op);

  /// Clones `scan` with each step's incoming carries as extra stacked
  /// outputs, from which the adjoint scan's step starts.
  void cloneScanForward(ScanOp scan);

  /// The adjoint of a forward scan clone: a scan the other way whose
  /// carries are the adjoints of the float carries and the running sums of
  /// the captures' adjoints, and whose per-step outputs are the adjoints of
  /// the active sequences' steps.
  LogicalResult buildScanAdjoint(ScanOp scan, ArrayRef<Value> resultAdjoints);

  /// The adjoint scan's body: (carry adjoints, capture sums, saved carries,
  /// sequence steps, output adjoints) to (carry adjoints, capture sums,
  /// sequence step adjoints).
  LogicalResult buildScanAdjointBody(ScanOp scan, ScanOp adjointScan,
                                     ArrayRef<unsigned> floatCarries,
                                     ArrayRef<unsigned> activeSequences,
                                     ArrayRef<unsigned> seededOutputs,
                                     ArrayRef<Value> resultAdjoints,
                                     IRMapping &stepMapping,
                                     SmallVectorImpl<Operation *> &recomputed);

  /// Replaces the recomputation of what the adjoint scan's body reads by
  /// per-step outputs of the forward scan: each step-varying value (of rank
  /// at least 1, dynamic only in the batch) that an adjoint rule uses is
  /// stacked by the forward loop and read back as a sequence, so the
  /// backward loop no longer repeats the step's products (about a third of
  /// its work for a recurrent cell). Returns the adjoint scan, rebuilt when
  /// anything was stored; `scan` becomes the rebuilt forward scan.
  ScanOp storeRecomputedValues(ScanOp &scan, ScanOp adjointScan,
                               IRMapping &stepMapping,
                               ArrayRef<Operation *> recomputed);

  /// Only float tensors carry derivatives: sizes (`tensor.dim` of an active
  /// tensor, the counts computed from them) are never active.
  static bool isDifferentiableType(Type type);

  /// dln ops without a gradient rule are piecewise constant (compare, sign,
  /// one_hot, stop_gradient): their results are inactive. Any other op with
  /// an active operand must be differentiable, which propagateBackward checks.
  static bool propagatesActivity(Operation *op);

  /// Adds `contribution` to `target`'s adjoint.
  void accumulate(Value target, Value contribution, Location loc);

  OpBuilder &builder;
  IRMapping &mapping;
  SmallVector<Operation *> forward;
  llvm::DenseMap<Operation *, ScanRecord> scanRecords;
  llvm::DenseSet<Value> active;
  llvm::DenseMap<Value, Value> adjoints;
};

} // namespace mlir::dln

#endif // DLNC_COMPILER_TRANSFORMS_BLOCKDIFFERENTIATOR_H
