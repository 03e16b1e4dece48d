//===- ProductKernels.cpp - What the product kernels share ----------------===//
#include "compiler/Transforms/ProductKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::dln;

std::optional<ProductShape> dln::matchProduct(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 3 ||
      op.getNumReductionLoops() != 1 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto dims =
      [](AffineMap map) -> std::optional<std::pair<unsigned, unsigned>> {
    if (map.getNumResults() != 2 || !map.isProjectedPermutation())
      return std::nullopt;
    return std::make_pair(map.getDimPosition(0), map.getDimPosition(1));
  };
  auto lhs = dims(maps[0]), rhs = dims(maps[1]), out = dims(maps[2]);
  if (!lhs || !rhs || !out)
    return std::nullopt;
  ProductShape shape{out->first, out->second, 0, false, false};
  if (rhs->second == shape.n) {
    shape.k = rhs->first;
  } else if (rhs->first == shape.n) {
    shape.k = rhs->second;
    shape.transposedRhs = true;
  } else {
    return std::nullopt;
  }
  if (op.getIteratorTypesArray()[shape.k] != utils::IteratorType::reduction)
    return std::nullopt;
  if (*lhs == std::make_pair(shape.m, shape.k))
    shape.transposedLhs = false;
  else if (*lhs == std::make_pair(shape.k, shape.m))
    shape.transposedLhs = true;
  else
    return std::nullopt;
  return shape;
}

Value dln::sliceAlong(ImplicitLocOpBuilder &b, Value source, unsigned dim,
            OpFoldResult offset, OpFoldResult size) {
  auto type = cast<MemRefType>(source.getType());
  SmallVector<OpFoldResult> offsets, sizes, strides;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    offsets.push_back(d == dim ? offset : OpFoldResult(b.getIndexAttr(0)));
    sizes.push_back(d == dim ? size
                             : memref::getMixedSize(b, b.getLoc(), source, d));
    strides.push_back(b.getIndexAttr(1));
  }
  return memref::SubViewOp::create(b, source, offsets, sizes, strides);
}

BlockExtent dln::blockExtent(ImplicitLocOpBuilder &b, Value memref,
                             unsigned dim, int64_t block) {
  int64_t size = cast<MemRefType>(memref.getType()).getDimSize(dim);
  if (!ShapedType::isDynamic(size))
    return BlockExtent{b.getIndexAttr(size), b.getIndexAttr(size - size % block),
                       b.getIndexAttr(size % block), size % block != 0};
  Value value = memref::DimOp::create(b, memref, dim);
  Value blockSize = arith::ConstantIndexOp::create(b, block);
  Value full = arith::SubIOp::create(
      b, value, arith::RemUIOp::create(b, value, blockSize));
  return BlockExtent{value, full,
                     arith::SubIOp::create(b, value, full).getResult(), true};
}

bool dln::hasContiguousRows(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1;
}

