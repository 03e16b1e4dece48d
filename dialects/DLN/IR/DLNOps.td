//===- DLNOps.td - Operations of the dln dialect -----------*- tablegen -*-===//
#ifndef DLN_OPS
#define DLN_OPS

include "dialects/DLN/IR/DLNDialect.td"
include "dialects/DLN/IR/DLNInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/CallInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def DLN_FloatTensor : TensorOf<[AnyFloat]>;
def DLN_LabelTensor : TensorOf<[AnyFloat, I32]>;
def DLN_Scalar : 0DTensorOf<[AnyFloat]>;

//===----------------------------------------------------------------------===//
// Element-wise ops
//===----------------------------------------------------------------------===//

class DLN_BinaryElementwiseOp<string mnemonic, string desc> : DLN_Op<mnemonic,
    [Pure, DeclareOpInterfaceMethods<ShapeInferenceOpInterface>,
     DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "element-wise " # mnemonic;
  let description = desc # [{

    Both operands have the same shape (once ranked).

    ```mlir
    %r = dln.}] # mnemonic # [{ %a, %b : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$lhs, DLN_FloatTensor:$rhs);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
  let hasVerifier = 1;
}

def DLN_AddOp : DLN_BinaryElementwiseOp<"add", "Computes `lhs + rhs`.">;
def DLN_SubOp : DLN_BinaryElementwiseOp<"sub", "Computes `lhs - rhs`.">;
def DLN_MulOp : DLN_BinaryElementwiseOp<"mul", "Computes `lhs * rhs` (Hadamard product).">;

def DLN_ScaleOp : DLN_Op<"scale", [Pure,
    DeclareOpInterfaceMethods<ShapeInferenceOpInterface>,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "multiplies a tensor by a scalar tensor";
  let description = [{
    ```mlir
    %r = dln.scale %x, %s : tensor<4x8xf32>, tensor<f32> -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input, DLN_Scalar:$factor);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = "$input `,` $factor attr-dict `:` type($input) `,` type($factor) `->` type($result)";
  let hasVerifier = 1;
}

class DLN_UnaryElementwiseOp<string mnemonic, string desc> : DLN_Op<mnemonic,
    [Pure, DeclareOpInterfaceMethods<ShapeInferenceOpInterface>,
     DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "element-wise " # mnemonic # " activation";
  let description = desc # [{

    ```mlir
    %y = dln.}] # mnemonic # [{ %x : tensor<4x8xf32> -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def DLN_SigmoidOp : DLN_UnaryElementwiseOp<"sigmoid", "Computes `1 / (1 + exp(-x))`.">;
def DLN_TanhOp : DLN_UnaryElementwiseOp<"tanh", "Computes `tanh(x)`.">;
def DLN_ReluOp : DLN_UnaryElementwiseOp<"relu", "Computes `max(x, 0)`.">;

def DLN_SoftmaxOp : DLN_UnaryElementwiseOp<"softmax",
  "Computes a numerically stable softmax along the last dimension.">;

// Backward ops: `result = dInput` from the forward value and the result adjoint.
class DLN_ActivationGradOp<string mnemonic, string desc> : DLN_Op<mnemonic,
    [Pure, DeclareOpInterfaceMethods<ShapeInferenceOpInterface>]> {
  let summary = "adjoint of an activation";
  let description = desc # [{

    ```mlir
    %dx = dln.}] # mnemonic # [{ %v, %dy : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$value, DLN_FloatTensor:$grad);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = "$value `,` $grad attr-dict `:` type($value) `,` type($grad) `->` type($result)";
  let hasVerifier = 1;
}

def DLN_SigmoidGradOp : DLN_ActivationGradOp<"sigmoid_grad",
  "Given the sigmoid output `y` and `dy`, computes `dy * y * (1 - y)`.">;
def DLN_TanhGradOp : DLN_ActivationGradOp<"tanh_grad",
  "Given the tanh output `y` and `dy`, computes `dy * (1 - y * y)`.">;
def DLN_ReluGradOp : DLN_ActivationGradOp<"relu_grad",
  "Given the relu input `x` and `dy`, computes `x > 0 ? dy : 0`.">;
def DLN_SoftmaxGradOp : DLN_ActivationGradOp<"softmax_grad",
  "Given the softmax output `y` and `dy`, computes `y * (dy - sum(dy * y, last))`.">;

def DLN_BroadcastOp : DLN_Op<"broadcast", [Pure,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "broadcasts a scalar tensor to a ranked static shape";
  let description = [{
    ```mlir
    %b = dln.broadcast %s : tensor<f32> -> tensor<64xf32>
    ```
  }];
  let arguments = (ins DLN_Scalar:$input);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def DLN_DenseOp : DLN_Op<"dense", [Pure,
    DeclareOpInterfaceMethods<ShapeInferenceOpInterface>,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "fully connected layer: `input @ weight + bias`";
  let description = [{
    `input` is `[batch, in]`, `weight` is `[in, out]`, `bias` is `[out]`.

    ```mlir
    %y = dln.dense %x, %w, %b : tensor<64x784xf32>, tensor<784x256xf32>, tensor<256xf32> -> tensor<64x256xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input, DLN_FloatTensor:$weight, DLN_FloatTensor:$bias);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias attr-dict `:` type($input) `,` type($weight) `,` type($bias) `->` type($result)
  }];
  let hasVerifier = 1;
}

def DLN_MatmulOp : DLN_Op<"matmul", [Pure,
    DeclareOpInterfaceMethods<ShapeInferenceOpInterface>,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "2-D matrix product with optional transposed operands";
  let description = [{
    Computes `op(lhs) @ op(rhs)` where `op` transposes when the matching flag is set.

    ```mlir
    %dw = dln.matmul %x, %dy {transpose_lhs} : tensor<64x784xf32>, tensor<64x256xf32> -> tensor<784x256xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$lhs, DLN_FloatTensor:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

def DLN_ReduceSumOp : DLN_Op<"reduce_sum", [Pure,
    DeclareOpInterfaceMethods<ShapeInferenceOpInterface>]> {
  let summary = "sums a tensor over one dimension, dropping it";
  let description = [{
    ```mlir
    %db = dln.reduce_sum %dy {axis = 0 : i64} : tensor<64x256xf32> -> tensor<256xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input, I64Attr:$axis);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def DLN_MeanOp : DLN_Op<"mean", [Pure,
    DeclareOpInterfaceMethods<ShapeInferenceOpInterface>,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "mean of all elements";
  let description = [{
    ```mlir
    %m = dln.mean %l : tensor<64xf32> -> tensor<f32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input);
  let results = (outs DLN_Scalar:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Losses: per-sample values of shape [batch]
//===----------------------------------------------------------------------===//

def DLN_MSEOp : DLN_Op<"mse", [Pure,
    DeclareOpInterfaceMethods<ShapeInferenceOpInterface>,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "per-sample mean squared error";
  let description = [{
    `result[i] = mean_j (prediction[i, j] - target[i, j])^2`.

    ```mlir
    %l = dln.mse %p, %t : tensor<4x1xf32>, tensor<4x1xf32> -> tensor<4xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$prediction, DLN_FloatTensor:$target);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = "$prediction `,` $target attr-dict `:` type($prediction) `,` type($target) `->` type($result)";
  let hasVerifier = 1;
}

def DLN_CrossEntropyOp : DLN_Op<"cross_entropy", [Pure,
    DeclareOpInterfaceMethods<ShapeInferenceOpInterface>,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "per-sample softmax cross-entropy of logits against class ids";
  let description = [{
    `result[i] = logsumexp(logits[i, :]) - logits[i, labels[i]]`, as PyTorch's
    `CrossEntropyLoss(reduction='none')`.

    ```mlir
    %l = dln.cross_entropy %z, %y : tensor<64x10xf32>, tensor<64xi32> -> tensor<64xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$logits, TensorOf<[I32]>:$labels,
                       OptionalAttr<I64Attr>:$num_classes);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` type($logits) `,` type($labels) `->` type($result)";
  let hasVerifier = 1;
}

def DLN_MSEGradOp : DLN_Op<"mse_grad", [Pure]> {
  let summary = "adjoint of dln.mse with respect to the prediction";
  let description = [{
    `result[i, j] = 2 * (prediction[i, j] - target[i, j]) / n * grad[i]`.

    ```mlir
    %d = dln.mse_grad %p, %t, %dl : tensor<4x1xf32>, tensor<4x1xf32>, tensor<4xf32> -> tensor<4x1xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$prediction, DLN_FloatTensor:$target, DLN_FloatTensor:$grad);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = [{
    $prediction `,` $target `,` $grad attr-dict `:` type($prediction) `,` type($target) `,` type($grad) `->` type($result)
  }];
  let hasVerifier = 1;
}

def DLN_CrossEntropyGradOp : DLN_Op<"cross_entropy_grad", [Pure]> {
  let summary = "adjoint of dln.cross_entropy with respect to the logits";
  let description = [{
    `result[i, j] = (softmax(logits)[i, j] - (j == labels[i])) * grad[i]`.

    ```mlir
    %d = dln.cross_entropy_grad %z, %y, %dl : tensor<64x10xf32>, tensor<64xi32>, tensor<64xf32> -> tensor<64x10xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$logits, TensorOf<[I32]>:$labels, DLN_FloatTensor:$grad);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = [{
    $logits `,` $labels `,` $grad attr-dict `:` type($logits) `,` type($labels) `,` type($grad) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Training
//===----------------------------------------------------------------------===//

def DLN_ValueAndGradOp : DLN_Op<"value_and_grad", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "calls a scalar-valued function and returns its gradients";
  let description = [{
    Calls `callee` and returns its scalar result followed by the gradient of
    that result with respect to each operand listed in `wrt`.
    `dln-autodiff` replaces it with a call to a generated adjoint function.

    ```mlir
    %l, %gw = dln.value_and_grad @loss(%w, %x) {wrt = array<i64: 0>}
        : (tensor<2x1xf32>, tensor<4x2xf32>) -> (tensor<f32>, tensor<2x1xf32>)
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, Variadic<AnyTensor>:$operands,
                       DenseI64ArrayAttr:$wrt);
  let results = (outs DLN_Scalar:$value, Variadic<AnyTensor>:$gradients);
  let assemblyFormat = [{
    $callee `(` $operands `)` attr-dict `:` functional-type($operands, results)
  }];
  let hasVerifier = 1;
}

def DLN_SGDUpdateOp : DLN_Op<"sgd_update", [Pure, AllTypesMatch<["param", "grad", "result"]>]> {
  let summary = "one plain SGD step: `param - lr * grad`";
  let description = [{
    Expanded into element-wise ops by `dln-expand-optimizers`.

    ```mlir
    %w1 = dln.sgd_update %w, %gw, %lr : tensor<2x1xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$param, DLN_FloatTensor:$grad, DLN_Scalar:$lr);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = "$param `,` $grad `,` $lr attr-dict `:` type($param) `,` type($lr)";
}

#endif // DLN_OPS
