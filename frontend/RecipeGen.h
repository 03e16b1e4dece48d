//===- RecipeGen.h - The data, train and eval blocks ------------*- C++ -*-===//
#ifndef DLNC_FRONTEND_RECIPEGEN_H
#define DLNC_FRONTEND_RECIPEGEN_H

#include "frontend/AST.h"

#include "dialects/DLN/IR/DLNAttrs.h"

#include "mlir/IR/MLIRContext.h"

namespace dlnc {

/// A layer, sub-model, member or `param` name as written in a `params`
/// list, with its location.
using ParamRef = std::pair<std::string, llvm::SMLoc>;

/// A weight penalty of a train block: `l1(lambda, params = [...])`,
/// `l2(...)` or `elastic_net(l1 = a, l2 = b, params = [...])`.
struct Regularizer {
  llvm::SMLoc loc;
  std::string kind;
  double l1 = 0, l2 = 0;
  /// The `params` list as written (layer, `param` or member names with
  /// their locations); empty: every weight.
  std::vector<ParamRef> params;
};

/// One optimizer of a train block and the parameters it updates.
struct OptimizerGroup {
  llvm::SMLoc loc;
  mlir::dln::OptimizerAttr optimizer;
  /// Empty: every trainable parameter no other group lists.
  std::vector<ParamRef> params;
};

/// A `step NAME { loss = expr  optimizer = ...  every = k }` block of a
/// train block (docs 14.4): one full training step with its own objective,
/// optimizers and parameter group.
struct TrainStep {
  llvm::SMLoc loc;
  std::string name;
  /// The step's objective, over the model's named losses.
  const Expr *objective = nullptr;
  mlir::dln::OptimizerAttr optimizer; ///< the first group's
  std::vector<OptimizerGroup> groups;
  /// Runs on iterations whose index is a multiple of `every`.
  int64_t every = 1;
  /// `shares_params = true`: the step may update parameters another step
  /// updates too (otherwise an overlap is an error).
  bool sharesParams = false;
};

/// One `train` block.
struct TrainConfig {
  llvm::SMLoc loc;
  std::string name; ///< empty for an unnamed block
  int64_t batch = 32;
  bool batchAll = false;
  int64_t epochs = 1, seed = 0, logEvery = 0;
  /// The first group's optimizer; null: update rules train the model.
  mlir::dln::OptimizerAttr optimizer;
  /// `optimizer = opt` or `[opt(params = [...]), ...]`.
  std::vector<OptimizerGroup> groups;
  std::vector<Regularizer> regularizers;
  /// `clip_grad_norm = c`: gradients rescaled to global L2 norm at most c.
  std::optional<double> clipGradNorm;
  /// `drop_last = true`: skip an epoch's partial last batch instead of
  /// padding it.
  bool dropLast = false;
  /// `lr_schedule = ...`, null for a constant learning rate.
  mlir::dln::ScheduleAttr schedule;
  /// `step` blocks, in source order; empty: one step over every loss.
  std::vector<TrainStep> steps;
  /// `schedule = [names]`: indices into `steps` run on every iteration, in
  /// order (default: each step once, in source order).
  std::vector<unsigned> stepOrder;
};

/// The training and evaluation recipe of a file.
struct Recipe {
  mlir::dln::DataAttr data;
  /// Where `target_transform = [one_hot()]` was written, if it was: the
  /// label must then be a vector of class scores.
  llvm::SMLoc oneHotTarget;
  /// Where each `augment` entry was written: they must fit the input.
  llvm::SmallVector<llvm::SMLoc> augmentSites;
  /// In source order; the first is the default. Empty without a train block.
  std::vector<TrainConfig> configs;
  /// The static batch of evaluation when there is no train block.
  int64_t evalBatch = 32;
  bool evalBatchAll = false;
  /// No train or eval block and nothing to learn: the params, if any, come
  /// from a checkpoint (`predict --load`).
  bool inferenceOnly = false;
};

/// Reads the `data`, `train` and `eval` blocks. `batch = all` is resolved
/// from the data (the training split, or the test split for `eval`).
mlir::FailureOr<Recipe> generateRecipe(mlir::MLIRContext &context,
                                       llvm::SourceMgr &sourceMgr,
                                       const Module &ast);

} // namespace dlnc

#endif // DLNC_FRONTEND_RECIPEGEN_H
