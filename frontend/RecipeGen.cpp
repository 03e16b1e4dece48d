//===- RecipeGen.cpp - The data, train and eval blocks --------------------===//
#include "frontend/RecipeGen.h"

#include "frontend/ConstantEval.h"
#include "frontend/DataGen.h"
#include "frontend/DatasetProbe.h"
#include "frontend/Optimizers.h"
#include "frontend/Schedules.h"
#include "frontend/SourceLocation.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace dlnc;
using namespace mlir;

namespace {
using Block = dlnc::Block;
using Module = dlnc::Module;

class RecipeGen {
public:
  RecipeGen(MLIRContext &context, llvm::SourceMgr &sourceMgr)
      : context(context), sourceMgr(sourceMgr), builder(&context) {}

  FailureOr<Recipe> generate(const Module &ast);

private:
  InFlightDiagnostic error(llvm::SMLoc where) {
    return emitError(toLocation(context, sourceMgr, where));
  }
  InFlightDiagnostic errorAtFileStart() {
    return emitError(FileLineColLoc::get(
        &context,
        sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
            ->getBufferIdentifier(),
        1, 1));
  }
  FailureOr<TrainConfig> readTrain(const Block &block);
  /// `optimizer = opt` or `[opt(params = [...]), ...]` into `groups`.
  LogicalResult readOptimizers(const Stmt &stmt,
                               std::vector<OptimizerGroup> &groups);
  /// A `step NAME { ... }` block of a train block.
  FailureOr<TrainStep> readStep(const Block &block);
  /// `schedule = [step names]` against the train block's steps.
  LogicalResult readStepOrder(const Stmt &stmt, TrainConfig &config);
  LogicalResult readEval(const Block &block);
  /// `batch = N | all`: sets `batch` or `all`.
  LogicalResult readBatch(const Stmt &stmt, int64_t &batch, bool &all);
  FailureOr<int64_t> nonNegativeInteger(const Stmt &stmt);
  FailureOr<Regularizer> readRegularizer(const Expr &expr);
  /// `params = [fc1, head.weight, w]`.
  LogicalResult readParamList(const Argument &arg,
                              std::vector<ParamRef> &params);
  /// Resolves `batch = all` to the sample count of `source`.
  FailureOr<int64_t> countForBatchAll(Attribute source, llvm::SMLoc where,
                                      StringRef split);
  /// Fails on a setting given twice in one block: the first would be silently
  /// ignored.
  LogicalResult checkUnique(const Stmt &stmt,
                            llvm::StringMap<const Stmt *> &seen);

  MLIRContext &context;
  llvm::SourceMgr &sourceMgr;
  OpBuilder builder;
  Recipe recipe;
  llvm::SMLoc evalBatchLoc;
};

LogicalResult RecipeGen::checkUnique(const Stmt &stmt,
                                     llvm::StringMap<const Stmt *> &seen) {
  auto [it, inserted] = seen.try_emplace(stmt.name(), &stmt);
  if (inserted)
    return success();
  unsigned line = sourceMgr.getLineAndColumn(it->second->nameLoc).first;
  return error(stmt.nameLoc)
         << "'" << stmt.name() << "' is already set on line " << line;
}

FailureOr<int64_t> RecipeGen::nonNegativeInteger(const Stmt &stmt) {
  std::optional<int64_t> value = evaluateInteger(*stmt.value);
  if (!value || *value < 0)
    return error(stmt.value->getLoc())
               << "'" << stmt.name() << "' expects a non-negative integer",
           failure();
  return *value;
}

LogicalResult RecipeGen::readBatch(const Stmt &stmt, int64_t &batch,
                                   bool &all) {
  auto *name = llvm::dyn_cast<IdentifierExpr>(stmt.value.get());
  if (name && name->name == "all") {
    all = true;
    return success();
  }
  std::optional<int64_t> value = evaluateInteger(*stmt.value);
  if (!value || *value <= 0)
    return error(stmt.value->getLoc())
           << "'batch' expects a positive integer or 'all'";
  batch = *value;
  return success();
}

LogicalResult RecipeGen::readParamList(const Argument &arg,
                                       std::vector<ParamRef> &params) {
  auto *list = llvm::dyn_cast<ListExpr>(arg.value.get());
  if (!list || list->elements.empty())
    return error(arg.loc) << "'params' expects a list of layers or "
                             "parameters, e.g. [fc1, fc2.weight]";
  for (const ExprPtr &item : list->elements) {
    std::string path;
    const Expr *at = item.get();
    while (auto *member = llvm::dyn_cast<MemberExpr>(at)) {
      path = "." + member->member + path;
      at = member->base.get();
    }
    auto *name = llvm::dyn_cast<IdentifierExpr>(at);
    if (!name)
      return error(item->getLoc()) << "expected a layer or parameter name";
    params.emplace_back(name->name + path, item->getLoc());
  }
  return success();
}

/// l1(lambda, params = [...]), l2(lambda, params = [...]),
/// elastic_net(l1 = a, l2 = b, params = [...])
FailureOr<Regularizer> RecipeGen::readRegularizer(const Expr &expr) {
  auto *call = llvm::dyn_cast<CallExpr>(&expr);
  Regularizer reg;
  reg.loc = expr.getLoc();
  reg.kind = calleeName(expr).str();
  bool elastic = reg.kind == "elastic_net";
  if (!call || (reg.kind != "l1" && reg.kind != "l2" && !elastic))
    return error(expr.getLoc())
               << "expected a regularizer: l1(lambda, params = [...]), "
                  "l2(lambda, params = [...]) or elastic_net(l1 = a, l2 = b, "
                  "params = [...])",
           failure();
  bool sawLambda = false, sawL1 = false, sawL2 = false;
  for (const Argument &arg : call->args) {
    if (arg.name == "params") {
      if (failed(readParamList(arg, reg.params)))
        return failure();
      continue;
    }
    std::optional<double> value = evaluateNumber(*arg.value);
    if (!value || *value < 0)
      return error(arg.loc) << "a penalty coefficient must be a non-negative "
                               "number",
             failure();
    if (!elastic && arg.name.empty() && !sawLambda) {
      sawLambda = true;
      (reg.kind == "l1" ? reg.l1 : reg.l2) = *value;
    } else if (elastic && (arg.name == "l1" || arg.name == "l2")) {
      (arg.name == "l1" ? sawL1 : sawL2) = true;
      (arg.name == "l1" ? reg.l1 : reg.l2) = *value;
    } else {
      return error(arg.loc)
                 << "unexpected argument" << (arg.name.empty() ? "" : " '")
                 << arg.name << (arg.name.empty() ? "" : "'") << " of "
                 << reg.kind << " (expected "
                 << (elastic ? "l1 = a, l2 = b" : "the coefficient lambda")
                 << " and params = [...])",
             failure();
    }
  }
  if (!elastic && !sawLambda)
    return error(expr.getLoc()) << reg.kind
                                << " needs its coefficient: " << reg.kind
                                << "(1e-4, params = [...])",
           failure();
  if (elastic && (!sawL1 || !sawL2))
    return error(expr.getLoc())
               << "elastic_net needs both coefficients: elastic_net(l1 = a, "
                  "l2 = b, params = [...])",
           failure();
  return reg;
}

FailureOr<int64_t> RecipeGen::countForBatchAll(Attribute source,
                                               llvm::SMLoc where,
                                               StringRef split) {
  if (!source)
    return error(where) << "'batch = all' needs a " << split
                        << " split in the data block",
           failure();
  std::string message;
  std::optional<int64_t> count =
      countSamples(source, recipe.data.getDir(), message);
  if (!count)
    return error(where) << "cannot resolve 'batch = all': " << message,
           failure();
  return *count;
}

FailureOr<TrainConfig> RecipeGen::readTrain(const Block &block) {
  TrainConfig config;
  config.loc = block.loc;
  config.name = block.name;
  llvm::StringMap<const Stmt *> seen;
  llvm::SMLoc batchLoc, scheduleLoc;
  const Stmt *orderStmt = nullptr;
  for (const Stmt &stmt : block.body) {
    if (stmt.kind == Stmt::Kind::Nested && stmt.block &&
        stmt.block->keyword == "step") {
      FailureOr<TrainStep> step = readStep(*stmt.block);
      if (failed(step))
        return failure();
      for (const TrainStep &other : config.steps)
        if (other.name == step->name)
          return error(step->loc)
                     << "step '" << step->name
                     << "' is already defined on line "
                     << sourceMgr.getLineAndColumn(other.loc).first,
                 failure();
      config.steps.push_back(std::move(*step));
      continue;
    }
    if (stmt.kind != Stmt::Kind::Setting)
      return error(stmt.loc) << "this statement is not supported in a train "
                                "block by this compiler version",
             failure();
    if (failed(checkUnique(stmt, seen)))
      return failure();
    StringRef name = stmt.name();
    if (name == "schedule") {
      orderStmt = &stmt;
      continue;
    }
    if (name == "optimizer") {
      if (failed(readOptimizers(stmt, config.groups)))
        return failure();
      config.optimizer = config.groups.front().optimizer;
    } else if (name == "batch") {
      batchLoc = stmt.value->getLoc();
      if (failed(readBatch(stmt, config.batch, config.batchAll)))
        return failure();
    } else if (name == "epochs" || name == "seed" || name == "log_every") {
      auto value = nonNegativeInteger(stmt);
      if (failed(value))
        return failure();
      (name == "epochs" ? config.epochs
       : name == "seed" ? config.seed
                        : config.logEvery) = *value;
    } else if (name == "drop_last") {
      auto *flag = llvm::dyn_cast<BoolExpr>(stmt.value.get());
      if (!flag)
        return error(stmt.value->getLoc())
                   << "'drop_last' expects true or false",
               failure();
      config.dropLast = flag->value;
    } else if (name == "lr_schedule") {
      FailureOr<dln::ScheduleAttr> schedule =
          readSchedule(context, sourceMgr, *stmt.value);
      if (failed(schedule))
        return failure();
      config.schedule = *schedule;
      scheduleLoc = stmt.nameLoc;
    } else if (name == "clip_grad_norm") {
      std::optional<double> value = evaluateNumber(*stmt.value);
      if (!value || *value <= 0)
        return error(stmt.value->getLoc())
                   << "'clip_grad_norm' expects a positive number",
               failure();
      config.clipGradNorm = *value;
    } else if (name == "regularize") {
      SmallVector<const Expr *> items;
      if (auto *list = llvm::dyn_cast<ListExpr>(stmt.value.get()))
        for (const ExprPtr &item : list->elements)
          items.push_back(item.get());
      else
        items.push_back(stmt.value.get());
      for (const Expr *item : items) {
        FailureOr<Regularizer> reg = readRegularizer(*item);
        if (failed(reg))
          return failure();
        config.regularizers.push_back(std::move(*reg));
      }
    } else {
      return error(stmt.nameLoc) << "unknown train setting '" << name
                                 << "' (expected optimizer, batch, epochs, "
                                    "seed, log_every, regularize, clip_grad_norm, lr_schedule, "
                                    "drop_last or schedule)",
             failure();
    }
  }
  if (!config.steps.empty()) {
    // Each step brings its own optimizers (14.4).
    if (config.optimizer)
      return error(config.groups.front().loc)
                 << "with step blocks, each step has its own optimizer: move "
                    "this one into a step",
             failure();
    if (orderStmt) {
      if (failed(readStepOrder(*orderStmt, config)))
        return failure();
    } else {
      for (unsigned i = 0; i < config.steps.size(); ++i)
        config.stepOrder.push_back(i);
    }
  } else if (orderStmt) {
    return error(orderStmt->nameLoc)
               << "'schedule' orders step blocks, and this train block has "
                  "none (a learning-rate schedule is 'lr_schedule')",
           failure();
  }
  // Only an optimizer has a learning rate to schedule.
  if (config.schedule && !config.optimizer && config.steps.empty())
    return error(scheduleLoc) << "'lr_schedule' needs an optimizer: add "
                                 "'optimizer = sgd(lr = ...)' to this train "
                                 "block",
           failure();
  // A model without a data block is meant for embedding: the application
  // feeds it batches (docs/runtime.md), so only `batch = all` needs data.
  if (config.batchAll) {
    FailureOr<int64_t> count =
        countForBatchAll(recipe.data.getTrain(), batchLoc, "train");
    if (failed(count))
      return failure();
    config.batch = *count;
  }
  return config;
}

LogicalResult RecipeGen::readOptimizers(const Stmt &stmt,
                                        std::vector<OptimizerGroup> &groups) {
  SmallVector<const Expr *> items = listItems(*stmt.value);
  if (items.empty())
    return error(stmt.value->getLoc()) << "expected an optimizer";
  for (const Expr *item : items) {
    FailureOr<dln::OptimizerAttr> read =
        readOptimizer(context, sourceMgr, *item);
    if (failed(read))
      return failure();
    OptimizerGroup group{item->getLoc(), *read, {}};
    if (auto *call = llvm::dyn_cast<CallExpr>(item))
      if (const Argument *params = findNamedArgument(*call, "params"))
        if (failed(readParamList(*params, group.params)))
          return failure();
    groups.push_back(std::move(group));
  }
  // At most one group takes "every other parameter".
  const OptimizerGroup *rest = nullptr;
  for (const OptimizerGroup &group : groups) {
    if (!group.params.empty())
      continue;
    if (rest)
      return error(group.loc)
             << "only one optimizer may omit 'params' (it takes every "
                "parameter the others do not list)";
    rest = &group;
  }
  return success();
}

FailureOr<TrainStep> RecipeGen::readStep(const Block &block) {
  TrainStep step;
  step.loc = block.loc;
  step.name = block.name;
  if (step.name.empty())
    return error(block.loc) << "a step block needs a name: 'step NAME { ... }'",
           failure();
  llvm::StringMap<const Stmt *> seen;
  for (const Stmt &stmt : block.body) {
    if (stmt.kind == Stmt::Kind::Loss && stmt.names.empty()) {
      if (step.objective)
        return error(stmt.loc) << "step '" << step.name
                               << "' already has a loss",
               failure();
      step.objective = stmt.value.get();
      continue;
    }
    if (stmt.kind != Stmt::Kind::Setting)
      return error(stmt.loc)
                 << "a step block holds 'loss = ...', 'optimizer = ...' and "
                    "'every = k' (update rules in steps are not supported by "
                    "this compiler version)",
             failure();
    if (failed(checkUnique(stmt, seen)))
      return failure();
    StringRef name = stmt.name();
    if (name == "optimizer") {
      if (failed(readOptimizers(stmt, step.groups)))
        return failure();
      step.optimizer = step.groups.front().optimizer;
    } else if (name == "every") {
      std::optional<int64_t> every = evaluateInteger(*stmt.value);
      if (!every || *every < 1)
        return error(stmt.value->getLoc())
                   << "'every' expects a positive integer",
               failure();
      step.every = *every;
    } else if (name == "shares_params") {
      auto *flag = llvm::dyn_cast<BoolExpr>(stmt.value.get());
      if (!flag)
        return error(stmt.value->getLoc())
                   << "'shares_params' expects true or false",
               failure();
      step.sharesParams = flag->value;
    } else {
      return error(stmt.nameLoc) << "unknown step setting '" << name
                                 << "' (expected optimizer, every or "
                                    "shares_params)",
             failure();
    }
  }
  if (!step.objective)
    return error(block.loc) << "step '" << step.name
                            << "' needs an objective: 'loss = NAME' (a named "
                               "loss of the model, or arithmetic over them)",
           failure();
  if (!step.optimizer)
    return error(block.loc) << "step '" << step.name
                            << "' needs 'optimizer = ...(params = [...])'",
           failure();
  return step;
}

LogicalResult RecipeGen::readStepOrder(const Stmt &stmt, TrainConfig &config) {
  auto *list = llvm::dyn_cast<ListExpr>(stmt.value.get());
  if (!list || list->elements.empty())
    return error(stmt.value->getLoc())
           << "'schedule' expects a list of step names: [d, g]";
  for (const ExprPtr &element : list->elements) {
    auto *name = llvm::dyn_cast<IdentifierExpr>(element.get());
    auto step = name ? llvm::find_if(config.steps,
                                     [&](const TrainStep &s) {
                                       return s.name == name->name;
                                     })
                     : config.steps.end();
    if (step == config.steps.end()) {
      InFlightDiagnostic diag = error(element->getLoc());
      diag << "expected the name of a step block (";
      llvm::interleaveComma(config.steps, diag,
                            [&](const TrainStep &s) { diag << s.name; });
      return diag << ")";
    }
    config.stepOrder.push_back(step - config.steps.begin());
  }
  // A step that never runs is a mistake, not a way to disable it.
  for (auto [i, step] : llvm::enumerate(config.steps))
    if (!llvm::is_contained(config.stepOrder, i))
      return error(step.loc) << "step '" << step.name
                             << "' is not in the train block's schedule";
  return success();
}

LogicalResult RecipeGen::readEval(const Block &block) {
  llvm::StringMap<const Stmt *> seen;
  for (const Stmt &stmt : block.body) {
    if (stmt.kind != Stmt::Kind::Setting)
      return error(stmt.loc) << "an eval block holds settings (batch)";
    if (failed(checkUnique(stmt, seen)))
      return failure();
    if (stmt.name() != "batch")
      return error(stmt.nameLoc)
             << "unknown eval setting '" << stmt.name() << "' (expected batch)";
    evalBatchLoc = stmt.value->getLoc();
    if (failed(readBatch(stmt, recipe.evalBatch, recipe.evalBatchAll)))
      return failure();
  }
  return success();
}

FailureOr<Recipe> RecipeGen::generate(const Module &ast) {
  const Block *dataBlock = nullptr, *evalBlock = nullptr;
  SmallVector<const Block *> trainBlocks;
  for (const Block &block : ast.blocks) {
    if (block.keyword == "data") {
      if (dataBlock)
        return error(block.loc) << "only one data block is supported",
               failure();
      dataBlock = &block;
    } else if (block.keyword == "train") {
      trainBlocks.push_back(&block);
    } else if (block.keyword == "eval") {
      if (evalBlock)
        return error(block.loc) << "only one eval block is supported",
               failure();
      evalBlock = &block;
    } else if (block.keyword != "model") {
      return error(block.loc) << "'" << block.keyword
                              << "' blocks are not supported by this compiler "
                                 "version",
             failure();
    }
  }
  SmallString<256> sourceDir(
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
          ->getBufferIdentifier());
  llvm::sys::fs::make_absolute(sourceDir);
  llvm::sys::path::remove_filename(sourceDir);
  DataLocations locations;
  FailureOr<dln::DataAttr> data =
      generateData(context, sourceMgr, dataBlock, sourceDir, locations);
  if (failed(data))
    return failure();
  recipe.data = *data;
  recipe.oneHotTarget = locations.oneHotTarget;
  recipe.augmentSites = locations.augments;

  // A file without a train or eval block, whose models have no loss or
  // update rule, is an inference model: `predict` with a checkpoint's
  // params, or embedding. One with a loss forgot its train block.
  bool learns = llvm::any_of(ast.blocks, [](const Block &block) {
    return block.keyword == "model" &&
           llvm::any_of(block.body, [](const Stmt &stmt) {
             return stmt.kind == Stmt::Kind::Loss ||
                    stmt.kind == Stmt::Kind::Update;
           });
  });
  recipe.inferenceOnly = trainBlocks.empty() && !evalBlock && !learns;
  if (trainBlocks.empty() && !evalBlock && learns)
    return errorAtFileStart()
               << "no 'train' block: add 'train { optimizer = sgd(lr = 0.1) "
                  "}' to say how to train the model (or an 'eval' block for a "
                  "model that is only evaluated)",
           failure();
  // Several train blocks are configurations picked by name.
  if (trainBlocks.size() > 1)
    for (const Block *block : trainBlocks)
      if (block->name.empty())
        return error(block->loc) << "with several train blocks, each needs a "
                                    "name: 'train NAME { ... }'",
               failure();
  llvm::StringMap<llvm::SMLoc> names;
  for (const Block *block : trainBlocks) {
    if (!block->name.empty() && !names.try_emplace(block->name, block->loc).second)
      return error(block->loc) << "train block '" << block->name
                               << "' is already defined on line "
                               << sourceMgr.getLineAndColumn(names[block->name]).first,
             failure();
    FailureOr<TrainConfig> config = readTrain(*block);
    if (failed(config))
      return failure();
    recipe.configs.push_back(std::move(*config));
  }
  if (!recipe.configs.empty() && !recipe.data.getTrain() && dataBlock)
    return error(trainBlocks.front()->loc)
               << "no training data: add 'train = csv(...)' or "
                  "'train = idx(...)' to the data block",
           failure();
  if (evalBlock) {
    if (failed(readEval(*evalBlock)))
      return failure();
    if (!recipe.configs.empty() && evalBatchLoc.isValid())
      return error(evalBatchLoc) << "an eval block's batch is supported only "
                                    "in a file without train blocks (the "
                                    "training batch is used for evaluation)",
             failure();
    if (!recipe.data.getTest())
      return error(evalBlock->loc) << "an eval block needs test data: add "
                                      "'test = ...' to the data block",
             failure();
    if (recipe.evalBatchAll) {
      FailureOr<int64_t> count =
          countForBatchAll(recipe.data.getTest(), evalBatchLoc, "test");
      if (failed(count))
        return failure();
      recipe.evalBatch = *count;
    }
  }
  return recipe;
}
} // namespace

FailureOr<Recipe> dlnc::generateRecipe(MLIRContext &context,
                                       llvm::SourceMgr &sourceMgr,
                                       const dlnc::Module &ast) {
  return RecipeGen(context, sourceMgr).generate(ast);
}
