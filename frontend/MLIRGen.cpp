//===- MLIRGen.cpp - Lowering of a .dln file to the dln dialect -----------===//
// Picks the root model (docs/language.md 4.2), reads the recipe (data,
// train and eval blocks) and lets ModelGen emit the model's entry points.
//===----------------------------------------------------------------------===//
#include "frontend/MLIRGen.h"

#include "frontend/ModelGen.h"
#include "frontend/RecipeGen.h"
#include "frontend/SourceLocation.h"

#include "dialects/DLN/IR/DLNOps.h"

using namespace dlnc;
using namespace mlir;

OwningOpRef<ModuleOp> dlnc::mlirGen(MLIRContext &context,
                                    llvm::SourceMgr &sourceMgr,
                                    const dlnc::Module &ast) {
  context.loadDialect<mlir::dln::DLNDialect>();
  OpBuilder builder(&context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(builder.getUnknownLoc());

  SmallVector<const dlnc::Block *> models;
  llvm::StringMap<const dlnc::Block *> modelsByName;
  for (const dlnc::Block &block : ast.blocks) {
    if (block.keyword != "model")
      continue;
    auto [it, inserted] = modelsByName.try_emplace(block.name, &block);
    if (!inserted) {
      emitError(toLocation(context, sourceMgr, block.loc))
          << "model '" << block.name << "' is already defined on line "
          << sourceMgr.getLineAndColumn(it->second->loc).first;
      return nullptr;
    }
    models.push_back(&block);
  }
  if (models.empty()) {
    emitError(FileLineColLoc::get(
        &context,
        sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
            ->getBufferIdentifier(),
        1, 1))
        << "no 'model' block in this file";
    return nullptr;
  }
  // The root model is the last one; the others are its sub-models.
  const dlnc::Block &root = *models.back();
  module->setSymName(root.name);

  FailureOr<Recipe> recipe = generateRecipe(context, sourceMgr, ast);
  if (failed(recipe))
    return nullptr;
  ModelGen model(context, sourceMgr, root, modelsByName);
  if (failed(model.declare()) || failed(model.generate(*module, *recipe)))
    return nullptr;
  return module;
}
