//===- ProductKernels.h - Register-blocked matrix product kernels -*- C++ -*-===//
//
// dln-vectorize-contractions rewrites bufferized 2-D products into SIMD
// kernels, one per operand layout: the outer-product kernel for
// C += A B and At B (B rows contiguous, VectorizeContractions.cpp) and the
// dot-product kernel for C += A Bt (A and B rows contiguous along k,
// DotProductKernel.cpp). This header holds what they share.
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_COMPILER_TRANSFORMS_PRODUCTKERNELS_H
#define DLNC_COMPILER_TRANSFORMS_PRODUCTKERNELS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace mlir::dln {

/// Loop positions of a matched product C[m, n] += A[m, k | k, m] *
/// B[k, n | n, k].
struct ProductShape {
  unsigned m, n, k;
  bool transposedLhs, transposedRhs;
};

/// Any 2-D multiply-accumulate contraction on buffers, named (linalg.matmul
/// with its indexing maps) or generic: the contraction interface decides,
/// not the exact form of the body.
std::optional<ProductShape> matchProduct(linalg::LinalgOp op);

/// A view of `source` restricted to [offset, offset + size) in `dim`.
Value sliceAlong(ImplicitLocOpBuilder &b, Value source, unsigned dim,
                 OpFoldResult offset, OpFoldResult size);

/// Marks the products left for the rows and columns a kernel does not cover:
/// their sizes (dynamic rows, say) may look like a kernel's, but they must
/// not be blocked again.
constexpr llvm::StringLiteral kRemainderAttr = "dln.kernel_remainder";

/// A dimension of a kernel's loops: its size, the part that fills whole
/// blocks (size - size % block) and what is left, folded when static.
struct BlockExtent {
  OpFoldResult size, full, left;
  /// Statically false when the blocks cover the size.
  bool hasLeftover;
};
BlockExtent blockExtent(ImplicitLocOpBuilder &b, Value memref, unsigned dim,
                        int64_t block);

/// Whether `type`'s innermost stride is 1 (vector loads along it).
bool hasContiguousRows(MemRefType type);

/// C += A Bt with rows of A and B contiguous along k: blocks of `rows` x
/// `cols` dot products, each a vector accumulator over k.
void populateDotProductKernelPatterns(RewritePatternSet &patterns,
                                      int64_t vectorBytes);

} // namespace mlir::dln

#endif // DLNC_COMPILER_TRANSFORMS_PRODUCTKERNELS_H
