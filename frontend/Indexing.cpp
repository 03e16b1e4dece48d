//===- Indexing.cpp - x[i], x[a..b], x[all, j] per sample -----------------===//
//
// Indexing with compile-time integers (docs 7.2): an integer picks one
// element of an axis and drops the axis, `a..b` keeps the half-open range,
// `all` keeps the axis whole; negative numbers count from the end. Axes
// not written are kept. The batch axis is never indexed: a sample sees its
// own row. One `dln.slice`, then a reshape when an axis is dropped.
//
//===----------------------------------------------------------------------===//

#include "frontend/ModelGen.h"

#include "frontend/ConstantEval.h"

#include "dialects/DLN/IR/DLNComposites.h"

using namespace dlnc;
using namespace mlir;
using namespace mlir::dln;

FailureOr<SampleValue> ModelGen::emitIndex(const IndexExpr &index) {
  FailureOr<SampleValue> base = emitExpr(*index.base);
  if (failed(base) ||
      failed(requireReal(*base, index.base->getLoc(), "indexing")))
    return failure();
  Location where = loc(index.getLoc());
  auto type = cast<RankedTensorType>(base->value.getType());
  int64_t lead = base->batched ? 1 : 0;
  ArrayRef<int64_t> sample = type.getShape().drop_front(lead);
  if (index.indices.size() > sample.size())
    return error(index.getLoc())
               << "indexes " << index.indices.size() << " axes of a sample of "
               << shapeString(elementType, sample),
           failure();
  SmallVector<int64_t> offsets(type.getRank(), 0), sizes(type.getShape()),
      strides(type.getRank(), 1), kept;
  if (base->batched)
    kept.push_back(ShapedType::kDynamic);
  // A constant integer of axis `axis`, negative counting from the end;
  // `end` allows the axis size itself (a range's end).
  auto position = [&](const Expr &expr, int64_t axis,
                      bool end) -> FailureOr<int64_t> {
    std::optional<int64_t> value = evaluateInteger(expr, &modelParams);
    if (!value)
      return error(expr.getLoc())
                 << "an index must be a constant integer (indexing by a "
                    "computed class is not supported by this compiler "
                    "version)",
             failure();
    int64_t size = sample[axis];
    int64_t at = *value < 0 ? *value + size : *value;
    if (at < 0 || at > size || (!end && at == size))
      return error(expr.getLoc()) << "index " << *value
                                  << " is out of range for axis " << axis
                                  << " of size " << size,
             failure();
    return at;
  };
  for (auto [axis, arg] : llvm::enumerate(index.indices)) {
    int64_t dim = lead + axis;
    if (!arg.name.empty())
      return error(arg.loc) << "an index takes no name", failure();
    if (auto *word = llvm::dyn_cast<IdentifierExpr>(arg.value.get());
        word && word->name == "all") {
      kept.push_back(sample[axis]);
      continue;
    }
    if (auto *range = llvm::dyn_cast<BinaryExpr>(arg.value.get());
        range && range->op == "..") {
      FailureOr<int64_t> low = position(*range->lhs, axis, /*end=*/true);
      FailureOr<int64_t> high = position(*range->rhs, axis, /*end=*/true);
      if (failed(low) || failed(high))
        return failure();
      if (*low >= *high)
        return error(range->getLoc()) << "the range " << *low << ".." << *high
                                      << " is empty",
               failure();
      offsets[dim] = *low;
      sizes[dim] = *high - *low;
      kept.push_back(sizes[dim]);
      continue;
    }
    FailureOr<int64_t> at = position(*arg.value, axis, /*end=*/false);
    if (failed(at))
      return failure();
    offsets[dim] = *at;
    sizes[dim] = 1;
  }
  for (int64_t axis = index.indices.size(); axis < (int64_t)sample.size();
       ++axis)
    kept.push_back(sample[axis]);
  Value sliced =
      SliceOp::create(builder, where, base->value, offsets, sizes, strides);
  if (kept.size() == static_cast<size_t>(type.getRank()))
    return SampleValue{sliced, base->batched};
  SmallVector<Value> dynamic;
  if (base->batched)
    dynamic.push_back(dimSize(builder, where, sliced, 0));
  return SampleValue{ReshapeOp::create(builder, where, sliced, dynamic, kept),
                     base->batched};
}
