//===- BoundedLoops.cpp - `for i in range(k) { ... }` in a model ----------===//
//
// A bounded loop repeats its body a compile-time number of times (docs
// 7.9). This compiler version unrolls it, up to kMaxUnrolledIterations
// iterations: a `let` of a name bound before the loop rebinds it (the name
// is loop-carried and holds its last value after the loop); names first
// bound in the body are local to one iteration; the loop variable is a
// compile-time integer. Each iteration draws its own random numbers.
//
//===----------------------------------------------------------------------===//

#include "frontend/ModelGen.h"

#include "llvm/Support/SourceMgr.h"

using namespace dlnc;
using namespace mlir;

namespace {
/// Unrolling copies the body: long loops would need a real loop in the IR,
/// which this compiler version does not emit yet.
constexpr int64_t kMaxUnrolledIterations = 64;
} // namespace

FailureOr<std::pair<int64_t, int64_t>>
ModelGen::loopBounds(const Stmt &loop) {
  const Expr &range = *loop.value;
  std::optional<int64_t> low, high;
  if (auto *call = dyn_cast<CallExpr>(&range);
      call && calleeName(*call) == "range" && call->args.size() == 1 &&
      call->args[0].name.empty()) {
    low = 0;
    high = evaluateInteger(*call->args[0].value, &modelParams);
  } else if (auto *binary = dyn_cast<BinaryExpr>(&range);
             binary && binary->op == "..") {
    low = evaluateInteger(*binary->lhs, &modelParams);
    high = evaluateInteger(*binary->rhs, &modelParams);
  }
  if (!low || !high)
    return error(range.getLoc())
               << "a loop runs over range(k) or a..b with compile-time "
                  "integer bounds",
           failure();
  if (*high - *low > kMaxUnrolledIterations)
    return error(range.getLoc())
               << "this loop has " << *high - *low
               << " iterations; this compiler version unrolls loops and "
                  "allows at most "
               << kMaxUnrolledIterations,
           failure();
  return std::make_pair(*low, *high);
}

LogicalResult ModelGen::checkLoopBody(const std::vector<Stmt> &body) {
  for (const Stmt &stmt : body) {
    if (stmt.kind == Stmt::Kind::Let)
      continue;
    if (stmt.kind == Stmt::Kind::For) {
      if (failed(loopBounds(stmt)) || failed(checkLoopBody(stmt.body)))
        return failure();
      continue;
    }
    return error(stmt.loc) << "a loop body holds 'let's and nested 'for's "
                              "in this compiler version";
  }
  return success();
}

LogicalResult ModelGen::emitLoop(const Stmt &loop) {
  FailureOr<std::pair<int64_t, int64_t>> bounds = loopBounds(loop);
  if (failed(bounds))
    return failure();
  const std::string &variable = loop.name();
  if (values.count(variable) || modelParams.count(variable))
    return error(loop.nameLoc) << "loop variable '" << variable
                               << "' is already defined",
           failure();
  auto [line, column] = sourceMgr.getLineAndColumn(loop.loc);
  std::string outerScope = root->drawScope;
  for (int64_t i = bounds->first; i < bounds->second; ++i) {
    modelParams[variable] = static_cast<double>(i);
    root->drawScope = outerScope + "/for" + std::to_string(line) + ":" +
                      std::to_string(column) + "#" + std::to_string(i);
    // Names the body introduces live for one iteration.
    llvm::SmallVector<std::string> locals;
    for (const Stmt &stmt : loop.body) {
      if (stmt.kind == Stmt::Kind::For) {
        if (failed(emitLoop(stmt)))
          return failure();
        continue;
      }
      auto bound = evaluateBinding(stmt);
      if (failed(bound))
        return failure();
      for (auto &[name, value] : *bound) {
        auto [it, inserted] = values.try_emplace(name, value);
        if (inserted) {
          locals.push_back(name);
          continue;
        }
        // A rebinding keeps the carried value's per-sample shape.
        if (it->second.sampleShape() != value.sampleShape())
          return error(stmt.nameLoc)
                     << "'" << name << "' is carried by the loop as "
                     << shapeString(elementType, it->second.sampleShape())
                     << " but rebound to "
                     << shapeString(elementType, value.sampleShape()),
                 failure();
        it->second = value;
      }
    }
    for (const std::string &name : locals)
      values.erase(name);
  }
  modelParams.erase(variable);
  root->drawScope = outerScope;
  return success();
}
