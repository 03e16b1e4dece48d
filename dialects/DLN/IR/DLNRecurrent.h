//===- DLNRecurrent.h - Recurrent cell composites ---------------*- C++ -*-===//
//
// One step of PyTorch's recurrent cells on batched rows, from dln.matmul
// (weights [G * H, I] and [G * H, H] used transposed, as torch.nn.RNNCell
// stores them), dln.slice for the gates and element-wise ops; autodiff sees
// only those primitives.
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_DIALECTS_DLN_IR_DLNRECURRENT_H
#define DLNC_DIALECTS_DLN_IR_DLNRECURRENT_H

#include "dialects/DLN/IR/DLNComposites.h"

namespace mlir::dln {

/// The weights of a cell: w_ih [G * H, I], w_hh [G * H, H], and the biases
/// b_ih, b_hh [G * H] (null without biases).
struct CellWeights {
  Value inputWeight, hiddenWeight, inputBias, hiddenBias;
};

/// h' = tanh(x w_ih^T + b_ih + h w_hh^T + b_hh) (torch.nn.RNNCell); `relu`
/// replaces tanh with max(0, .).
FailureOr<Value> rnnCell(OpBuilder &builder, Location loc, Value h, Value x,
                         const CellWeights &weights, bool relu = false);

/// torch.nn.GRUCell: gates r, z, n in that order,
/// n = tanh(x_n + r * (h w_hn^T + b_hn)), h' = (1 - z) * n + z * h.
FailureOr<Value> gruCell(OpBuilder &builder, Location loc, Value h, Value x,
                         const CellWeights &weights);

/// torch.nn.LSTMCell: gates i, f, g, o in that order, c' = f * c + i * g,
/// h' = o * tanh(c'); returns (h', c').
FailureOr<std::pair<Value, Value>> lstmCell(OpBuilder &builder, Location loc,
                                            Value h, Value c, Value x,
                                            const CellWeights &weights);

} // namespace mlir::dln

#endif // DLNC_DIALECTS_DLN_IR_DLNRECURRENT_H
