//===- RecipeGen.cpp - The training recipe as module attributes -----------===//
#include "frontend/RecipeGen.h"

#include "dialects/DLN/IR/DLNAttrs.h"

#include "frontend/ConstantEval.h"
#include "frontend/DatasetProbe.h"
#include "frontend/Optimizers.h"
#include "frontend/SourceLocation.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace dlnc;
using namespace mlir;

namespace {
using Block = dlnc::Block;
using Module = dlnc::Module;
class RecipeGen {
public:
  RecipeGen(MLIRContext &context, llvm::SourceMgr &sourceMgr, ModuleOp module)
      : context(context), sourceMgr(sourceMgr), builder(&context),
        module(module) {}

  FailureOr<int64_t> generate(const Module &ast);

private:
  InFlightDiagnostic error(llvm::SMLoc where) {
    return emitError(toLocation(context, sourceMgr, where));
  }
  LogicalResult readData(const Block &block);
  LogicalResult readTrain(const Block &block);
  FailureOr<Attribute> readSource(const Expr &expr);
  FailureOr<int64_t> positiveInteger(const Stmt &stmt);
  /// Fails on a setting given twice in one block: the first would be silently
  /// ignored.
  LogicalResult checkUnique(const Stmt &stmt,
                            llvm::StringMap<const Stmt *> &seen);

  MLIRContext &context;
  llvm::SourceMgr &sourceMgr;
  OpBuilder builder;
  ModuleOp module;

  std::string dataDir;
  Attribute trainSource, testSource; // #dln.csv or #dln.idx
  const Stmt *trainSourceStmt = nullptr;
  std::optional<int64_t> batch;
  bool batchAll = false;
  llvm::SMLoc batchLoc;
  int64_t epochs = 1, seed = 0, logEvery = 0;
  dln::OptimizerAttr optimizer;
  bool sawDataBlock = false;
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

FailureOr<int64_t> RecipeGen::positiveInteger(const Stmt &stmt) {
  std::optional<int64_t> value = evaluateInteger(*stmt.value);
  if (!value || *value < 0)
    return error(stmt.value->getLoc())
               << "'" << stmt.name() << "' expects a non-negative integer",
           failure();
  return *value;
}

/// csv(path, label = -1, skip = 0, scale = 1) or
/// idx(images, labels, scale = 1)
FailureOr<Attribute> RecipeGen::readSource(const Expr &expr) {
  auto *call = llvm::dyn_cast<CallExpr>(&expr);
  StringRef kind = calleeName(expr);
  if (!call || (kind != "csv" && kind != "idx"))
    return error(expr.getLoc()) << "expected a data source: csv(\"file.csv\", "
                                   "label = -1) or idx(\"images\", \"labels\")",
           failure();
  SmallVector<std::string> paths;
  double scale = 1.0;
  int64_t label = -1, skip = 0;
  for (const Argument &arg : call->args) {
    if (arg.name.empty()) {
      auto *path = llvm::dyn_cast<StringExpr>(arg.value.get());
      if (!path)
        return error(arg.loc) << "expected a file name string", failure();
      paths.push_back(path->value);
      continue;
    }
    std::optional<double> value = evaluateNumber(*arg.value);
    if (!value)
      return error(arg.loc) << "'" << arg.name << "' expects a number",
             failure();
    // Column numbers are integers: `label = 1.7` must not pick column 1.
    std::optional<int64_t> integer = evaluateInteger(*arg.value);
    bool column = kind == "csv" && (arg.name == "label" || arg.name == "skip");
    if (column && (!integer || *integer < (arg.name == "skip" ? 0 : -1000000) ||
                   *integer > 1000000))
      return error(arg.loc) << "'" << arg.name << "' expects "
                            << (arg.name == "skip" ? "a non-negative integer"
                                                   : "an integer column index")
                            << " (at most 1000000 in magnitude)",
             failure();
    if (arg.name == "scale")
      scale = *value;
    else if (kind == "csv" && arg.name == "label")
      label = *integer;
    else if (kind == "csv" && arg.name == "skip")
      skip = *integer;
    else
      return error(arg.loc)
                 << "unknown argument '" << arg.name << "' of " << kind,
             failure();
  }
  size_t expectedPaths = kind == "csv" ? 1 : 2;
  if (paths.size() != expectedPaths)
    return error(expr.getLoc())
               << kind << " expects " << expectedPaths << " file name(s)"
               << (kind == "idx" ? " (images and labels)" : ""),
           failure();
  FloatAttr scaleAttr = builder.getF64FloatAttr(scale);
  if (kind == "csv")
    return Attribute(
        dln::CsvSourceAttr::get(&context, paths[0], label, skip, scaleAttr));
  return Attribute(
      dln::IdxSourceAttr::get(&context, paths[0], paths[1], scaleAttr));
}

LogicalResult RecipeGen::readData(const Block &block) {
  llvm::StringMap<const Stmt *> seen;
  for (const Stmt &stmt : block.body) {
    if (stmt.kind != Stmt::Kind::Setting)
      return error(stmt.loc) << "a data block holds settings: dir, train, test";
    if (failed(checkUnique(stmt, seen)))
      return failure();
    if (stmt.name() == "dir") {
      auto *path = llvm::dyn_cast<StringExpr>(stmt.value.get());
      if (!path)
        return error(stmt.value->getLoc()) << "'dir' expects a string";
      dataDir = path->value;
    } else if (stmt.name() == "train" || stmt.name() == "test") {
      auto source = readSource(*stmt.value);
      if (failed(source))
        return failure();
      if (stmt.name() == "train") {
        trainSource = *source;
        trainSourceStmt = &stmt;
      } else {
        testSource = *source;
      }
    } else {
      return error(stmt.nameLoc) << "unknown data setting '" << stmt.name()
                                 << "' (expected dir, train or test)";
    }
  }
  return success();
}

LogicalResult RecipeGen::readTrain(const Block &block) {
  llvm::StringMap<const Stmt *> seen;
  for (const Stmt &stmt : block.body) {
    if (stmt.kind != Stmt::Kind::Setting)
      return error(stmt.loc) << "this statement is not supported in a train "
                                "block by this compiler version";
    if (failed(checkUnique(stmt, seen)))
      return failure();
    StringRef name = stmt.name();
    if (name == "optimizer") {
      FailureOr<dln::OptimizerAttr> read =
          readOptimizer(context, sourceMgr, *stmt.value);
      if (failed(read))
        return failure();
      optimizer = *read;
    } else if (name == "batch") {
      batchLoc = stmt.value->getLoc();
      auto *all = llvm::dyn_cast<IdentifierExpr>(stmt.value.get());
      if (all && all->name == "all") {
        batchAll = true;
        continue;
      }
      std::optional<int64_t> value = evaluateInteger(*stmt.value);
      if (!value || *value <= 0)
        return error(batchLoc) << "'batch' expects a positive integer or 'all'";
      batch = *value;
    } else if (name == "epochs" || name == "seed" || name == "log_every") {
      auto value = positiveInteger(stmt);
      if (failed(value))
        return failure();
      (name == "epochs" ? epochs : name == "seed" ? seed : logEvery) = *value;
    } else {
      return error(stmt.nameLoc)
             << "unknown train setting '" << name
             << "' (expected optimizer, batch, epochs, seed or log_every)";
    }
  }
  if (!optimizer)
    return error(block.loc)
           << "the train block needs 'optimizer = sgd(lr = ...)'";
  return success();
}

FailureOr<int64_t> RecipeGen::generate(const Module &ast) {
  const Block *train = nullptr;
  for (const Block &block : ast.blocks) {
    if (block.keyword == "data") {
      sawDataBlock = true;
      if (failed(readData(block)))
        return failure();
    } else if (block.keyword == "train") {
      train = &block;
      if (failed(readTrain(block)))
        return failure();
    } else if (block.keyword != "model") {
      return error(block.loc) << "'" << block.keyword
                              << "' blocks are not supported by this compiler "
                                 "version",
             failure();
    }
  }
  if (!train)
    return emitError(FileLineColLoc::get(
               &context,
               sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
                   ->getBufferIdentifier(),
               1, 1))
               << "no 'train' block: add 'train { optimizer = sgd(lr = 0.1) "
                  "}' to say how to train the model",
           failure();
  // A model without a data block is meant for embedding: the application
  // feeds it batches (docs/runtime.md), so only `batch = all` needs data.
  if (!trainSource && (sawDataBlock || batchAll))
    return error(train->loc) << "no training data: add 'train = csv(...)' or "
                                "'train = idx(...)' to a data block",
           failure();
  if (dataDir.empty()) {
    // Relative data paths are relative to the .dln file, wherever the
    // compiled model later runs (`--data DIR` overrides this).
    SmallString<256> dir(sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
                             ->getBufferIdentifier());
    llvm::sys::fs::make_absolute(dir);
    llvm::sys::path::remove_filename(dir);
    llvm::sys::path::remove_dots(dir, /*remove_dot_dot=*/true);
    dataDir = dir.str().str();
  }
  if (batchAll) {
    // Full-batch training: the batch is the size of the training set.
    std::string message;
    std::optional<int64_t> count = countSamples(trainSource, dataDir, message);
    if (!count)
      return error(batchLoc) << "cannot resolve 'batch = all': " << message,
             failure();
    batch = *count;
  }
  if (!batch)
    batch = 32;

  module->setAttr("dln.batch", builder.getI64IntegerAttr(*batch));
  // The runtime checks that the data still has exactly this many rows.
  if (batchAll)
    module->setAttr("dln.batch_all", builder.getUnitAttr());
  module->setAttr("dln.epochs", builder.getI64IntegerAttr(epochs));
  module->setAttr("dln.seed", builder.getI64IntegerAttr(seed));
  module->setAttr("dln.log_every", builder.getI64IntegerAttr(logEvery));
  module->setAttr("dln.optimizer", optimizer);
  module->setAttr("dln.data", dln::DataAttr::get(&context, dataDir, trainSource,
                                                 testSource));
  return *batch;
}
} // namespace

FailureOr<int64_t> dlnc::generateRecipe(MLIRContext &context,
                                        llvm::SourceMgr &sourceMgr,
                                        const dlnc::Module &ast,
                                        ModuleOp module) {
  return RecipeGen(context, sourceMgr, module).generate(ast);
}
