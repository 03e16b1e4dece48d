//===- DLNOps.td - Operations of the dln dialect -----------*- tablegen -*-===//
// A small primitive set: element-wise, broadcast, reduce, contraction,
// reshape/transpose, one-hot, compare/select, plus the training ops that
// later passes expand. Composite layers (dense, softmax, losses) are built
// from these by dialects/DLN/IR/DLNComposites.h. Every op infers its result
// type when it is built (one shape rule per op, checked again by the
// verifier) and works on ranked tensors of any rank. A `?` dimension is the
// batch size or a multiple of it, known only when an entry point is called:
// ops that create one without an operand to take it from (broadcast,
// reshape) carry its size as an `index` operand.
//===----------------------------------------------------------------------===//
#ifndef DLN_OPS
#define DLN_OPS

include "dialects/DLN/IR/DLNDialect.td"
include "dialects/DLN/IR/DLNInterfaces.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/CallInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def DLN_FloatTensor : RankedTensorOf<[AnyFloat]>;
def DLN_IndexTensor : RankedTensorOf<[I32, I64]>;
def DLN_Scalar : 0DTensorOf<[AnyFloat]>;

//===----------------------------------------------------------------------===//
// Element-wise ops: operands and result share one type.
//===----------------------------------------------------------------------===//

class DLN_ElementwiseOp<string mnemonic, list<Trait> traits = []> :
    DLN_Op<mnemonic, !listconcat(traits, [Pure, SameOperandsAndResultType,
        InferTypeOpInterface])> {
  // ODS derives the result type from SameOperandsAndResultType.
  let results = (outs DLN_FloatTensor:$result);
}

defvar DLN_Differentiable = DeclareOpInterfaceMethods<DifferentiableOpInterface>;

class DLN_UnaryOp<string mnemonic, string formula,
                  list<Trait> traits = [DLN_Differentiable]> :
    DLN_ElementwiseOp<mnemonic, traits> {
  let summary = "element-wise `" # formula # "`";
  let description = [{
    ```mlir
    %y = dln.}] # mnemonic # [{ %x : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def DLN_NegOp : DLN_UnaryOp<"neg", "-x">;
def DLN_ExpOp : DLN_UnaryOp<"exp", "exp(x)">;
def DLN_LogOp : DLN_UnaryOp<"log", "log(x)">;
def DLN_SqrtOp : DLN_UnaryOp<"sqrt", "sqrt(x)">;
def DLN_AbsOp : DLN_UnaryOp<"abs", "|x|">;
def DLN_SignOp : DLN_UnaryOp<"sign", "sign(x), 0 at 0; no gradient", []>;
def DLN_FloorOp : DLN_UnaryOp<"floor", "floor(x); no gradient", []>;
def DLN_TanhOp : DLN_UnaryOp<"tanh", "tanh(x)">;
def DLN_SigmoidOp : DLN_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def DLN_ReluOp : DLN_UnaryOp<"relu", "max(x, 0)">;

class DLN_BinaryOp<string mnemonic, string formula, list<Trait> traits = []> :
    DLN_ElementwiseOp<mnemonic, !listconcat(traits, [DLN_Differentiable])> {
  let summary = "element-wise `" # formula # "`";
  let description = [{
    Both operands have the result's shape; the frontend makes broadcasts
    explicit with `dln.broadcast`.

    ```mlir
    %r = dln.}] # mnemonic # [{ %a, %b : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$lhs, DLN_FloatTensor:$rhs);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def DLN_AddOp : DLN_BinaryOp<"add", "lhs + rhs", [Commutative]> {
  let hasFolder = 1;
}
def DLN_SubOp : DLN_BinaryOp<"sub", "lhs - rhs"> { let hasFolder = 1; }
def DLN_MulOp : DLN_BinaryOp<"mul", "lhs * rhs", [Commutative]> {
  let hasFolder = 1;
}
def DLN_DivOp : DLN_BinaryOp<"div", "lhs / rhs"> { let hasFolder = 1; }
def DLN_MaxOp : DLN_BinaryOp<"max", "max(lhs, rhs)", [Commutative]>;

def DLN_ComparePredicate : I32EnumAttr<"ComparePredicate", "comparison", [
    I32EnumAttrCase<"lt", 0>, I32EnumAttrCase<"le", 1>, I32EnumAttrCase<"gt", 2>,
    I32EnumAttrCase<"ge", 3>, I32EnumAttrCase<"eq", 4>, I32EnumAttrCase<"ne", 5>]> {
  let cppNamespace = "::mlir::dln";
}

def DLN_CompareOp : DLN_ElementwiseOp<"compare"> {
  let summary = "element-wise comparison as a 0/1 tensor";
  let description = [{
    1 where `lhs <predicate> rhs` holds, else 0, in the operands' float type.
    Has no gradient.

    ```mlir
    %m = dln.compare gt, %x, %zero : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DLN_ComparePredicate:$predicate, DLN_FloatTensor:$lhs,
                       DLN_FloatTensor:$rhs);
  let assemblyFormat = "$predicate `,` $lhs `,` $rhs attr-dict `:` type($result)";
}

def DLN_SelectOp : DLN_ElementwiseOp<"select", [DLN_Differentiable]> {
  let summary = "element-wise `condition != 0 ? on_true : on_false`";
  let description = [{
    ```mlir
    %r = dln.select %mask, %a, %b : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$condition, DLN_FloatTensor:$on_true,
                       DLN_FloatTensor:$on_false);
  let assemblyFormat = "$condition `,` $on_true `,` $on_false attr-dict `:` type($result)";
}

def DLN_StopGradientOp : DLN_ElementwiseOp<"stop_gradient"> {
  let summary = "identity whose operand receives no gradient";
  let description = [{
    ```mlir
    %c = dln.stop_gradient %x : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

def DLN_BroadcastOp : DLN_Op<"broadcast", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "copies a tensor along new dimensions";
  let description = [{
    Input dimension `i` becomes result dimension `dims[i]` (strictly
    increasing, same size); the other result dimensions, of sizes taken from
    `shape`, are new. Size-1 stretching is a reshape followed by a broadcast.
    A `?` in `shape` takes its size from the next `dynamic_sizes` operand.

    ```mlir
    %b = dln.broadcast %bias [64, 256] dims [1] : tensor<256xf32> -> tensor<64x256xf32>
    %c = dln.broadcast %bias [%batch, 256] dims [1] : tensor<256xf32> -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input, Variadic<Index>:$dynamic_sizes,
                       DenseI64ArrayAttr:$shape, DenseI64ArrayAttr:$dims);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = [{
    $input custom<DynamicIndexList>($dynamic_sizes, $shape) `dims` $dims
    attr-dict `:` type($input) `->` type($result)
  }];
  let builders = [
    // Static shapes: no size operands.
    OpBuilder<(ins "Value":$input, "ArrayRef<int64_t>":$shape,
                   "ArrayRef<int64_t>":$dims), [{
      build($_builder, $_state, input, ValueRange(), shape, dims);
    }]>
  ];
  let hasFolder = 1;
}

def DLN_ReshapeOp : DLN_Op<"reshape", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "the same elements, in row-major order, under another shape";
  let description = [{
    A `?` in `shape` takes its size from the next `dynamic_sizes` operand;
    the input and the result have dynamic dimensions together or not at all.

    ```mlir
    %f = dln.reshape %x [64, 784] : tensor<64x28x28xf32> -> tensor<64x784xf32>
    %g = dln.reshape %y [%batch, 784] : tensor<?x28x28xf32> -> tensor<?x784xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input, Variadic<Index>:$dynamic_sizes,
                       DenseI64ArrayAttr:$shape);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = [{
    $input custom<DynamicIndexList>($dynamic_sizes, $shape) attr-dict `:`
    type($input) `->` type($result)
  }];
  let builders = [
    // Static shapes: no size operands.
    OpBuilder<(ins "Value":$input, "ArrayRef<int64_t>":$shape), [{
      build($_builder, $_state, input, ValueRange(), shape);
    }]>
  ];
  let hasFolder = 1;
}

def DLN_TransposeOp : DLN_Op<"transpose", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "permutes dimensions: result dim `i` is input dim `permutation[i]`";
  let description = [{
    ```mlir
    %t = dln.transpose %x [1, 0] : tensor<4x8xf32> -> tensor<8x4xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = "$input $permutation attr-dict `:` type($input) `->` type($result)";
}

def DLN_ReverseOp : DLN_Op<"reverse", [Pure, SameOperandsAndResultType,
    InferTypeOpInterface, DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "reverses the order of the elements along `axes`";
  let description = [{
    `result[..., i, ...] = input[..., n - 1 - i, ...]` along each axis of
    `axes` (distinct, in range, of static size): a sequence's time axis, say.

    ```mlir
    %r = dln.reverse %xs [1] : tensor<?x28x8xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = "$input $axes attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def DLN_OneHotOp : DLN_Op<"one_hot", [Pure, InferTypeOpAdaptor]> {
  let summary = "class ids to 0/1 vectors along a new last dimension";
  let description = [{
    `result[..., c] = (labels[...] == c)`, of element type `dtype`. Ids outside
    `[0, num_classes)` give all-zero rows. Has no gradient.

    ```mlir
    %h = dln.one_hot %y classes 10 as f32 : tensor<64xi32> -> tensor<64x10xf32>
    ```
  }];
  let arguments = (ins DLN_IndexTensor:$labels, ConfinedAttr<I64Attr, [IntPositive]>:$num_classes,
                       TypeAttrOf<AnyFloat>:$dtype);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = "$labels `classes` $num_classes `as` $dtype attr-dict `:` type($labels) `->` type($result)";
}

def DLN_PadOp : DLN_Op<"pad", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "pads each dimension with a constant, also between elements";
  let description = [{
    Dimension `d` of size `n` becomes `low[d] + n + (n - 1) * interior[d] +
    high[d]`: `interior[d]` copies of `value` go between consecutive
    elements, as XLA's pad. Zero padding of convolutions, the zeros between
    the rows of a strided slice's gradient. A dynamic dimension (the batch)
    is not padded.

    ```mlir
    %p = dln.pad %x low [0, 0, 1, 1] high [0, 0, 1, 1] interior [0, 0, 0, 0] : tensor<?x3x28x28xf32> -> tensor<?x3x30x30xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high, DenseI64ArrayAttr:$interior,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `low` $low `high` $high `interior` $interior attr-dict `:`
    type($input) `->` type($result)
  }];
  let builders = [
    OpBuilder<(ins "Value":$input, "ArrayRef<int64_t>":$low,
                   "ArrayRef<int64_t>":$high, "ArrayRef<int64_t>":$interior,
                   CArg<"double", "0.0">:$value), [{
      build($_builder, $_state, input, $_builder.getDenseI64ArrayAttr(low),
            $_builder.getDenseI64ArrayAttr(high),
            $_builder.getDenseI64ArrayAttr(interior),
            $_builder.getF64FloatAttr(value));
    }]>
  ];
}

def DLN_SliceOp : DLN_Op<"slice", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "a strided window of a tensor";
  let description = [{
    `result[i...] = input[offsets + i * strides ...]` with `sizes` elements
    per dimension. A dynamic dimension (the batch) is taken whole: offset 0,
    size `?`, stride 1. Its gradient is a `dln.pad`.

    ```mlir
    %s = dln.slice %x offsets [0, 0, 26] sizes [?, 3, 2] strides [1, 1, 1] : tensor<?x3x28xf32> -> tensor<?x3x2xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input, DenseI64ArrayAttr:$offsets,
                       DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$strides);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `offsets` $offsets `sizes` custom<ShapeList>($sizes) `strides` $strides
    attr-dict `:` type($input) `->` type($result)
  }];
}

def DLN_PatchesOp : DLN_Op<"patches", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "the sliding windows of images (im2col)";
  let description = [{
    For an input `[B, C, S1..Sn]` and a window `[K1..Kn]`, the result is
    `[C, K1..Kn, B, O1..On]` with `result[c, k..., b, o...] = input[b, c,
    o_i * strides_i + k_i * dilations_i ...]` and `O_i = (S_i - dilations_i
    * (K_i - 1) - 1) / strides_i + 1`: convolutions multiply it by their
    weights, pooling reduces it over the window. Padding is a `dln.pad`
    before it. Its gradient is `dln.unpatches`.

    ```mlir
    %cols = dln.patches %x window [3, 3] strides [1, 1] dilations [1, 1] : tensor<?x1x28x28xf32> -> tensor<1x3x3x?x26x26xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input, DenseI64ArrayAttr:$window,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `window` $window `strides` $strides `dilations` $dilations attr-dict
    `:` type($input) `->` type($result)
  }];
}

def DLN_UnpatchesOp : DLN_Op<"unpatches", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "sums sliding windows back into images (col2im)";
  let description = [{
    The adjoint of `dln.patches`: for windows `[C, K1..Kn, B, O1..On]` and
    image sizes `spatial = [S1..Sn]`, `result[b, c, s...]` sums every
    `input[c, k..., b, o...]` with `o_i * strides_i + k_i * dilations_i ==
    s_i`. The gradient of patches, and the scatter of transposed
    convolutions.

    ```mlir
    %img = dln.unpatches %cols spatial [28, 28] strides [1, 1] dilations [1, 1] : tensor<1x3x3x?x26x26xf32> -> tensor<?x1x28x28xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input, DenseI64ArrayAttr:$spatial,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = [{
    $input `spatial` $spatial `strides` $strides `dilations` $dilations attr-dict
    `:` type($input) `->` type($result)
  }];
}

def DLN_GatherPixelsOp : DLN_Op<"gather_pixels", [Pure, InferTypeOpAdaptor,
    AllTypesMatch<["rows", "cols"]>,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "reads each image at per-sample pixel coordinates";
  let description = [{
    For images `[B, C, H, W]` and coordinates `rows`, `cols` `[B, N]`
    (floats holding integers), `result[b, n, c] = image[b, c, rows[b, n],
    cols[b, n]]`, or 0 where the coordinate lies outside the image. Channels
    are last so that the work on a coordinate is shared by its channels. The
    coordinates take no gradient; the image's is `dln.scatter_pixels`.
    Deformable convolution samples bilinearly with four of these.

    ```mlir
    %v = dln.gather_pixels %x, %rows, %cols : tensor<?x8x14x14xf32>, tensor<?x1764xf32> -> tensor<?x1764x8xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$image, DLN_FloatTensor:$rows,
                       DLN_FloatTensor:$cols);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = [{
    $image `,` $rows `,` $cols attr-dict `:` type($image) `,` type($rows)
    `->` type($result)
  }];
}

def DLN_ScatterPixelsOp : DLN_Op<"scatter_pixels", [Pure, InferTypeOpAdaptor,
    AllTypesMatch<["rows", "cols"]>,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "adds values into images at per-sample pixel coordinates";
  let description = [{
    The adjoint of `dln.gather_pixels`: for `values` `[B, N, C]` and
    coordinates `rows`, `cols` `[B, N]`, the result `[B, C, size[0],
    size[1]]` holds at each pixel the sum of the values whose coordinate is
    that pixel; values with a coordinate outside the image are dropped.

    ```mlir
    %dx = dln.scatter_pixels %dv, %rows, %cols size [14, 14] : tensor<?x1764x8xf32>, tensor<?x1764xf32> -> tensor<?x8x14x14xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$values, DLN_FloatTensor:$rows,
                       DLN_FloatTensor:$cols, DenseI64ArrayAttr:$size);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = [{
    $values `,` $rows `,` $cols `size` $size attr-dict `:` type($values) `,`
    type($rows) `->` type($result)
  }];
}

def DLN_Distribution : I32EnumAttr<"Distribution", "random distribution", [
    I32EnumAttrCase<"uniform", 0>, I32EnumAttrCase<"normal", 1>]> {
  let cppNamespace = "::mlir::dln";
}

def DLN_RandomOp : DLN_Op<"random", [Pure, InferTypeOpAdaptor]> {
  let summary = "counter-based random numbers: U[0, 1) or N(0, 1) per element";
  let description = [{
    Every element is a hash of (key[0] = the seed, key[1] = the step
    counter, `stream` = which random op, the element's index): the same key
    gives the same numbers, whatever the batch layout or thread count
    (docs/language.md 11). Element `i` of a stream is SplitMix64's output
    for the counter `mix(seed, step, stream) + i * golden`; uniform values
    take its top bits, normal ones are Box-Muller pairs of two uniforms.
    No gradient: the numbers do not depend on anything differentiated.

    ```mlir
    %u = dln.random %key [%batch, 256] uniform stream 3 : tensor<2xi64> -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins 1DTensorOf<[I64]>:$key, Variadic<Index>:$dynamic_sizes,
                       DenseI64ArrayAttr:$shape, DLN_Distribution:$distribution,
                       I64Attr:$stream, TypeAttrOf<AnyFloat>:$dtype);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = [{
    $key custom<DynamicIndexList>($dynamic_sizes, $shape) $distribution
    `stream` $stream `as` $dtype attr-dict `:` type($key) `->` type($result)
  }];
}

def DLN_GibbsSweepOp : DLN_Op<"gibbs_sweep", [Pure, InferTypeOpAdaptor]> {
  let summary = "one sequential Gibbs sweep of a binary Boltzmann machine";
  let description = [{
    For each row of `state` ([B, N] binary units), visits the units i = 0
    .. N-1 in order and sets unit i to `uniform[b, i] < sigmoid(sum_j
    weights[i, j] * s[b, j] + bias[i])`, seeing the units already updated
    in this sweep, except where `clamp[i]` is nonzero (the unit keeps its
    value). `weights` is [N, N] (symmetric with zero diagonal for a
    Boltzmann machine), `bias` and `clamp` [N], `uniform` [B, N] in [0, 1).
    Lowers to a loop over the units, not to N copies of the update. No
    gradient: the result is a sample.

    ```mlir
    %s1 = dln.gibbs_sweep %w, %b, %s, %u, %clamp : tensor<96x96xf32>, tensor<96xf32>, tensor<?x96xf32>, tensor<?x96xf32>, tensor<96xf32> -> tensor<?x96xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$weights, DLN_FloatTensor:$bias,
                       DLN_FloatTensor:$state, DLN_FloatTensor:$uniform,
                       DLN_FloatTensor:$clamp);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = [{
    $weights `,` $bias `,` $state `,` $uniform `,` $clamp attr-dict `:`
    type($weights) `,` type($bias) `,` type($state) `,` type($uniform) `,`
    type($clamp) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Reductions: drop the reduced `axes`.
//===----------------------------------------------------------------------===//

class DLN_ReduceOp<string mnemonic, string what> : DLN_Op<mnemonic, [Pure,
    InferTypeOpAdaptor, DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = what # " over `axes`, dropping them";
  let description = [{
    `axes` are distinct and in range; the result keeps the other dimensions
    in order.

    ```mlir
    %s = dln.}] # mnemonic # [{ %x [1] : tensor<64x10xf32> -> tensor<64xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = "$input $axes attr-dict `:` type($input) `->` type($result)";
}

def DLN_ReduceSumOp : DLN_ReduceOp<"reduce_sum", "sum">;
def DLN_ReduceMaxOp : DLN_ReduceOp<"reduce_max", "maximum">;

//===----------------------------------------------------------------------===//
// Contraction
//===----------------------------------------------------------------------===//

def DLN_MatmulOp : DLN_Op<"matmul", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "batched matrix product with optional transposed operands";
  let description = [{
    `op(lhs) @ op(rhs)` over the last two dimensions, where `op` swaps them
    when the matching flag is set. Leading (batch) dimensions must be equal.

    ```mlir
    %dw = dln.matmul %x, %dy {transpose_lhs} : tensor<64x784xf32>, tensor<64x256xf32> -> tensor<784x256xf32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$lhs, DLN_FloatTensor:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Training
//===----------------------------------------------------------------------===//

def DLN_ValueAndGradOp : DLN_Op<"value_and_grad", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "calls a scalar-valued function and returns its gradients";
  let description = [{
    Calls `callee` and returns its scalar result, then its other results
    unchanged (auxiliary outputs: batch norm's new running statistics, say),
    then the gradient of the scalar with respect to each operand listed in
    `wrt`. `dln-autodiff` replaces it with a call to a generated adjoint
    function.

    ```mlir
    %l, %gw = dln.value_and_grad @loss(%w, %x) {wrt = array<i64: 0>}
        : (tensor<2x1xf32>, tensor<4x2xf32>) -> (tensor<f32>, tensor<2x1xf32>)
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, Variadic<AnyTensor>:$operands,
                       DenseI64ArrayAttr:$wrt);
  // The auxiliary outputs, then one gradient per `wrt` index.
  let results = (outs DLN_Scalar:$value, Variadic<AnyTensor>:$aux_and_gradients);
  let assemblyFormat = [{
    $callee `(` $operands `)` attr-dict `:` functional-type($operands, results)
  }];
  let extraClassDeclaration = [{
    /// The callee's results after the scalar.
    ::mlir::ResultRange getAux() {
      return getAuxAndGradients().drop_back(getWrt().size());
    }
    ::mlir::ResultRange getGradients() {
      return getAuxAndGradients().take_back(getWrt().size());
    }
  }];
  let hasVerifier = 1;
}

// Optimizer updates, one op per torch.optim rule (docs/language.md 14.3).
// Hyperparameters other than the learning rate are attributes, the learning
// rate a runtime scalar (`--lr`). `step` is the step count t from 1, already
// incremented for this step, in the model dtype. State tensors persist across
// steps and start at zero. `dln-expand-optimizers` expands each op into
// element-wise primitives.

class DLN_OptimizerOp<string mnemonic, list<Trait> traits = []> :
    DLN_Op<mnemonic, !listconcat(traits, [Pure])>;

def DLN_SGDUpdateOp : DLN_OptimizerOp<"sgd_update", [
    AllTypesMatch<["param", "grad", "result"]>]> {
  let summary = "one plain SGD step: `param - lr * (grad + weight_decay * param)`";
  let description = [{
    ```mlir
    %w1 = dln.sgd_update %w, %gw, %lr : tensor<2x1xf32>, tensor<f32>
    %w2 = dln.sgd_update %w, %gw, %lr {weight_decay = 1.0e-02 : f64} : tensor<2x1xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$param, DLN_FloatTensor:$grad, DLN_Scalar:$lr,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay);
  let results = (outs DLN_FloatTensor:$result);
  let assemblyFormat = "$param `,` $grad `,` $lr attr-dict `:` type($param) `,` type($lr)";
  let hasVerifier = 1;
}

def DLN_SGDMomentumUpdateOp : DLN_OptimizerOp<"sgd_momentum_update", [
    AllTypesMatch<["param", "grad", "buffer", "new_param", "new_buffer"]>,
    OptionalTypesMatchWith<"step has the learning rate's type", "lr", "step",
                           "$_self">]> {
  let summary = "one SGD step with momentum, as PyTorch's SGD";
  let description = [{
    `g = grad + weight_decay * param`;
    `new_buffer = momentum * buffer + (1 - dampening) * g`, except
    `new_buffer = g` at the first step; `new_param = param - lr * d` with
    `d = g + momentum * new_buffer` (`nesterov`) or `d = new_buffer`.
    Since the buffer starts at zero, only a nonzero dampening needs the step
    count to recognize the first step.

    ```mlir
    %w1, %b1 = dln.sgd_momentum_update %w, %gw, %b, %lr {momentum = 9.0e-01 : f64} : tensor<2x1xf32>, tensor<f32>
    %w2, %b2 = dln.sgd_momentum_update %w, %gw, %b, %lr step %t {momentum = 9.0e-01 : f64, dampening = 1.0e-01 : f64} : tensor<2x1xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$param, DLN_FloatTensor:$grad,
                       DLN_FloatTensor:$buffer, DLN_Scalar:$lr,
                       Optional<DLN_Scalar>:$step, F64Attr:$momentum,
                       DefaultValuedAttr<F64Attr, "0.0">:$dampening,
                       UnitAttr:$nesterov,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay);
  let results = (outs DLN_FloatTensor:$new_param, DLN_FloatTensor:$new_buffer);
  let assemblyFormat = [{
    $param `,` $grad `,` $buffer `,` $lr (`step` $step^)? attr-dict `:` type($param) `,` type($lr)
  }];
  let hasVerifier = 1;
}

def DLN_AdamUpdateOp : DLN_OptimizerOp<"adam_update", [
    AllTypesMatch<["param", "grad", "exp_avg", "exp_avg_sq", "new_param",
                   "new_exp_avg", "new_exp_avg_sq"]>,
    AllTypesMatch<["step", "lr"]>]> {
  let summary = "one Adam or AdamW step, as PyTorch's Adam and AdamW";
  let description = [{
    `g = grad + weight_decay * param` (Adam) or `param *= 1 - lr * weight_decay`
    first (`decoupled`, AdamW); `m = beta1 * exp_avg + (1 - beta1) * g`,
    `v = beta2 * exp_avg_sq + (1 - beta2) * g^2`;
    `new_param = param - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)`.

    ```mlir
    %w1, %m1, %v1 = dln.adam_update %w, %gw, %m, %v, %t, %lr {beta1 = 9.0e-01 : f64, beta2 = 9.990000e-01 : f64, eps = 1.0e-08 : f64} : tensor<2x1xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$param, DLN_FloatTensor:$grad,
                       DLN_FloatTensor:$exp_avg, DLN_FloatTensor:$exp_avg_sq,
                       DLN_Scalar:$step, DLN_Scalar:$lr, F64Attr:$beta1,
                       F64Attr:$beta2, F64Attr:$eps,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay,
                       UnitAttr:$decoupled);
  let results = (outs DLN_FloatTensor:$new_param, DLN_FloatTensor:$new_exp_avg,
                      DLN_FloatTensor:$new_exp_avg_sq);
  let assemblyFormat = [{
    $param `,` $grad `,` $exp_avg `,` $exp_avg_sq `,` $step `,` $lr attr-dict `:` type($param) `,` type($lr)
  }];
  let hasVerifier = 1;
}

def DLN_RMSpropUpdateOp : DLN_OptimizerOp<"rmsprop_update", [
    AllTypesMatch<["param", "grad", "square_avg", "new_param", "new_square_avg"]>]> {
  let summary = "one RMSprop step without momentum, as PyTorch's RMSprop";
  let description = [{
    `g = grad + weight_decay * param`; `v = alpha * square_avg + (1 - alpha) * g^2`;
    `new_param = param - lr * g / (sqrt(v) + eps)`.

    ```mlir
    %w1, %s1 = dln.rmsprop_update %w, %gw, %s, %lr {alpha = 9.900000e-01 : f64, eps = 1.0e-08 : f64} : tensor<2x1xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$param, DLN_FloatTensor:$grad,
                       DLN_FloatTensor:$square_avg, DLN_Scalar:$lr,
                       F64Attr:$alpha, F64Attr:$eps,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay);
  let results = (outs DLN_FloatTensor:$new_param, DLN_FloatTensor:$new_square_avg);
  let assemblyFormat = [{
    $param `,` $grad `,` $square_avg `,` $lr attr-dict `:` type($param) `,` type($lr)
  }];
  let hasVerifier = 1;
}

def DLN_RMSpropMomentumUpdateOp : DLN_OptimizerOp<"rmsprop_momentum_update", [
    AllTypesMatch<["param", "grad", "square_avg", "buffer", "new_param",
                   "new_square_avg", "new_buffer"]>]> {
  let summary = "one RMSprop step with momentum, as PyTorch's RMSprop";
  let description = [{
    As `dln.rmsprop_update`, then `new_buffer = momentum * buffer + g / (sqrt(v) + eps)`
    and `new_param = param - lr * new_buffer`.

    ```mlir
    %w1, %s1, %b1 = dln.rmsprop_momentum_update %w, %gw, %s, %b, %lr {alpha = 9.900000e-01 : f64, eps = 1.0e-08 : f64, momentum = 9.0e-01 : f64} : tensor<2x1xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$param, DLN_FloatTensor:$grad,
                       DLN_FloatTensor:$square_avg, DLN_FloatTensor:$buffer,
                       DLN_Scalar:$lr, F64Attr:$alpha, F64Attr:$eps,
                       F64Attr:$momentum,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay);
  let results = (outs DLN_FloatTensor:$new_param, DLN_FloatTensor:$new_square_avg,
                      DLN_FloatTensor:$new_buffer);
  let assemblyFormat = [{
    $param `,` $grad `,` $square_avg `,` $buffer `,` $lr attr-dict `:` type($param) `,` type($lr)
  }];
  let hasVerifier = 1;
}

def DLN_AdagradUpdateOp : DLN_OptimizerOp<"adagrad_update", [
    AllTypesMatch<["param", "grad", "sum", "new_param", "new_sum"]>]> {
  let summary = "one Adagrad step, as PyTorch's Adagrad (no lr decay)";
  let description = [{
    `g = grad + weight_decay * param`; `s = sum + g^2`;
    `new_param = param - lr * g / (sqrt(s) + eps)`.

    ```mlir
    %w1, %s1 = dln.adagrad_update %w, %gw, %s, %lr {eps = 1.0e-10 : f64} : tensor<2x1xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins DLN_FloatTensor:$param, DLN_FloatTensor:$grad,
                       DLN_FloatTensor:$sum, DLN_Scalar:$lr, F64Attr:$eps,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay);
  let results = (outs DLN_FloatTensor:$new_param, DLN_FloatTensor:$new_sum);
  let assemblyFormat = [{
    $param `,` $grad `,` $sum `,` $lr attr-dict `:` type($param) `,` type($lr)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Loops over time.
//===----------------------------------------------------------------------===//

def DLN_ScanOp : DLN_Op<"scan", [RecursiveMemoryEffects, SingleBlock,
    AttrSizedOperandSegments]> {
  let summary = "a loop over time carrying state, as jax.lax.scan";
  let description = [{
    Runs its body once per time step t = 0 .. T-1 (T-1 .. 0 with `reverse`).
    The body's arguments are the carries, then the step's element of each
    sequence: `sequences` lead with [batch, T, ...] and the body sees
    [batch, ...] (dimension 1 dropped). It yields the new carries, then
    per-step outputs. The results are the final carries (the inits when
    T = 0), then each per-step output stacked along a new dimension 1
    ([batch, T, ...]), stored at its step's index in either direction.
    Without sequences, `steps` gives T. The body may use values defined
    above it (a cell's weights); it is one copy of the computation whatever
    T is, and lowers to a loop.

    ```mlir
    %h, %hs = dln.scan init(%h0 : tensor<?x8xf32>) over(%xs : tensor<?x28x4xf32>) -> (tensor<?x8xf32>, tensor<?x28x8xf32>) {
    ^bb0(%h_prev: tensor<?x8xf32>, %x: tensor<?x4xf32>):
      %h_next = ... : tensor<?x8xf32>
      dln.yield %h_next, %h_next : tensor<?x8xf32>, tensor<?x8xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inits,
                       Variadic<AnyRankedTensor>:$sequences,
                       OptionalAttr<I64Attr>:$steps, UnitAttr:$reverse);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`reverse` $reverse^)? (`init` `(` $inits^ `:` type($inits) `)`)?
    (`over` `(` $sequences^ `:` type($sequences) `)`)? attr-dict `->`
    `(` type($results) `)` $body
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// The final carries, one per init.
    ::mlir::ResultRange getFinals() {
      return getResults().take_front(getInits().size());
    }
    /// The per-step outputs, stacked: [batch, T, ...].
    ::mlir::ResultRange getStacked() {
      return getResults().drop_front(getInits().size());
    }
    /// T when it is known at compile time.
    int64_t getStaticLength();
    /// The type of a per-step output whose stacked type is `stacked`, and
    /// the other way round.
    static ::mlir::RankedTensorType stepType(::mlir::RankedTensorType stacked);
    static ::mlir::RankedTensorType stackedType(::mlir::RankedTensorType step,
                                                int64_t length);
  }];
}

def DLN_YieldOp : DLN_Op<"yield", [Pure, Terminator,
    HasParent<"ScanOp">]> {
  let summary = "the new carries and per-step outputs of a dln.scan step";
  let arguments = (ins Variadic<AnyRankedTensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // DLN_OPS
