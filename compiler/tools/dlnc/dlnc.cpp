//===- dlnc.cpp - The dlnc compiler driver --------------------------------===//
//   dlnc model.dln -o model [--emit=ast|dln|linalg|llvm|obj|exe] [-O0..3]
// Frontend and IR diagnostics share one SourceMgr, so every error prints as
// `file:line:col: error: ...` with the offending line and a caret.
//===----------------------------------------------------------------------===//
#include "compiler/Pipelines/DialectRegistration.h"
#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Target/Linker.h"
#include "compiler/Target/ObjectEmitter.h"
#include "compiler/tools/dlnc/OutputGuard.h"
#include "dialects/DLN/IR/DLNAttrs.h"
#include "frontend/Diagnostics.h"
#include "frontend/MLIRGen.h"
#include "frontend/Parser.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class Emit { AST, DLN, Linalg, LLVMIR, Object, Executable };

cl::OptionCategory dlncCategory("dlnc options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.dln>"),
                               cl::Required, cl::cat(dlncCategory));
cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                cl::value_desc("file"), cl::cat(dlncCategory));
cl::opt<Emit> emitAction(
    "emit", cl::desc("What to produce"), cl::init(Emit::Executable),
    cl::values(clEnumValN(Emit::AST, "ast", "the parsed syntax tree"),
               clEnumValN(Emit::DLN, "dln", "the dln dialect from MLIRGen"),
               clEnumValN(Emit::Linalg, "linalg",
                          "linalg on tensors, after autodiff and fusion"),
               clEnumValN(Emit::LLVMIR, "llvm", "optimized LLVM IR"),
               clEnumValN(Emit::Object, "obj", "an object file"),
               clEnumValN(Emit::Executable, "exe",
                          "a training executable (default)")),
    cl::cat(dlncCategory));
cl::opt<unsigned> optLevel("O", cl::desc("Optimization level (0-3)"),
                           cl::Prefix, cl::init(2), cl::cat(dlncCategory));
cl::opt<std::string> targetName("target", cl::desc("Target: cpu"),
                                cl::init("cpu"), cl::cat(dlncCategory));

std::string defaultOutput() {
  llvm::SmallString<128> stem(llvm::sys::path::stem(inputFile));
  switch (emitAction) {
  case Emit::Object:
    return (stem + ".o").str();
  case Emit::Executable:
    return stem.str().str();
  default:
    return "-";
  }
}

/// The files a model's data sources name, resolved against its data dir.
std::vector<std::string> dataFiles(dln::DataAttr data) {
  std::vector<std::string> files;
  auto add = [&](StringRef path) {
    llvm::SmallString<256> full(path);
    if (!llvm::sys::path::is_absolute(path)) {
      full = data.getDir();
      llvm::sys::path::append(full, path);
    }
    files.push_back(full.str().str());
  };
  for (Attribute source : {data.getTrain(), data.getTest()}) {
    if (auto csv = dyn_cast_or_null<dln::CsvSourceAttr>(source))
      add(csv.getPath());
    if (auto idx = dyn_cast_or_null<dln::IdxSourceAttr>(source)) {
      add(idx.getImages());
      add(idx.getLabels());
    }
  }
  return files;
}

/// Prints IR (or text) to the output file.
LogicalResult writeText(llvm::function_ref<void(llvm::raw_ostream &)> print) {
  std::string error;
  std::string path =
      outputFile.empty() ? std::string("-") : outputFile.getValue();
  auto output = openOutputFile(path, &error);
  if (!output) {
    llvm::errs() << "error: " << error << "\n";
    return failure();
  }
  print(output->os());
  output->keep();
  return success();
}

int compile(const char *argv0) {
  if (targetName != "cpu") {
    llvm::errs() << "error: unsupported target '" << targetName
                 << "' (this version supports --target=cpu)\n";
    return 1;
  }
  if (optLevel > 3) {
    llvm::errs() << "error: invalid optimization level -O" << optLevel << "\n";
    return 1;
  }
  // A source is a regular file of bounded size: never read a device or FIFO
  // (/dev/zero would be read until memory runs out).
  constexpr uint64_t kMaxSourceBytes = 16 << 20;
  llvm::sys::fs::file_status sourceStatus;
  if (inputFile != "-" && !llvm::sys::fs::status(inputFile, sourceStatus)) {
    if (sourceStatus.type() != llvm::sys::fs::file_type::regular_file) {
      llvm::errs() << "error: cannot read '" << inputFile
                   << "': not a regular file\n";
      return 1;
    }
    if (sourceStatus.getSize() > kMaxSourceBytes) {
      llvm::errs() << "error: cannot read '" << inputFile
                   << "': " << sourceStatus.getSize()
                   << " bytes is larger than the " << kMaxSourceBytes
                   << "-byte limit for a .dln source\n";
      return 1;
    }
  }
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(inputFile);
  if (std::error_code ec = buffer.getError()) {
    llvm::errs() << "error: cannot read '" << inputFile << "': " << ec.message()
                 << "\n";
    return 1;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());

  // --mlir-timing reports every stage, not just the MLIR passes.
  DefaultTimingManager timing;
  applyDefaultTimingManagerCLOptions(timing);
  TimingScope rootTimer = timing.getRootScope();
  TimingScope stageTimer = rootTimer.nest("Parse");
  std::optional<dlnc::Module> ast = dlnc::parseModule(sourceMgr);
  stageTimer.stop();
  if (!ast)
    return 1;
  // Files an output must never replace: the source, dlnc itself, and (once
  // the recipe is read) the data files.
  std::vector<std::string> inputs{llvm::sys::fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&compile))};
  if (inputFile != "-")
    inputs.push_back(inputFile);
  bool binaryOutput =
      emitAction == Emit::Object || emitAction == Emit::Executable;
  std::string outputPath = !outputFile.empty() ? outputFile.getValue()
                           : binaryOutput      ? defaultOutput()
                                               : std::string("-");
  if (emitAction == Emit::AST &&
      failed(dlnc::checkOutputPath(outputPath, inputs, /*replaces=*/false)))
    return 1;
  if (emitAction == Emit::AST)
    return failed(writeText(
        [&](llvm::raw_ostream &os) { dlnc::dumpAST(*ast, sourceMgr, os); }));

  DialectRegistry registry;
  dln::registerCompilerDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
  dlnc::SourceDiagnosticHandler diagnostics(sourceMgr, &context);

  stageTimer = rootTimer.nest("MLIRGen");
  OwningOpRef<ModuleOp> module = dlnc::mlirGen(context, sourceMgr, *ast);
  if (!module || failed(verify(*module)))
    return 1;
  stageTimer.stop();
  if (auto data = (*module)->getAttrOfType<dln::DataAttr>("dln.data"))
    llvm::append_range(inputs, dataFiles(data));
  if (failed(dlnc::checkOutputPath(outputPath, inputs, binaryOutput)))
    return 1;
  if (emitAction == Emit::DLN)
    return failed(writeText([&](llvm::raw_ostream &os) { module->print(os); }));

  dln::PipelineOptions options;
  options.optLevel = optLevel;
  options.vectorBytes = dln::hostVectorBytes();
  options.exportDefaultModel = emitAction == Emit::Executable;
  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return 1;
  stageTimer = rootTimer.nest("Passes");
  pm.enableTiming(stageTimer);
  dln::buildDLNToLinalgPipeline(pm, options);
  if (emitAction != Emit::Linalg)
    dln::buildLinalgToLLVMPipeline(pm, options);
  if (failed(pm.run(*module)))
    return 1;
  stageTimer.stop();
  if (emitAction == Emit::Linalg)
    return failed(writeText([&](llvm::raw_ostream &os) { module->print(os); }));

  auto machine = dln::createHostTargetMachine(optLevel);
  if (failed(machine))
    return 1;
  llvm::LLVMContext llvmContext;
  stageTimer = rootTimer.nest("LLVM IR translation and optimization");
  auto llvmModule =
      dln::translateAndOptimize(*module, llvmContext, **machine, optLevel);
  if (!llvmModule)
    return 1;
  stageTimer.stop();
  if (emitAction == Emit::LLVMIR)
    return failed(writeText(
        [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); }));

  std::string output = outputFile.empty() ? defaultOutput() : outputFile;
  if (emitAction == Emit::Object)
    return failed(dln::writeObjectFile(*llvmModule, **machine, output));

  llvm::SmallString<128> object;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("dlnc-model", "o", object)) {
    llvm::errs() << "error: cannot create a temporary file: " << ec.message()
                 << "\n";
    return 1;
  }
  llvm::FileRemover removeObject(object);
  stageTimer = rootTimer.nest("Code generation");
  if (failed(dln::writeObjectFile(*llvmModule, **machine, object)))
    return 1;
  stageTimer = rootTimer.nest("Link");
  if (failed(dln::linkExecutable(object, output, argv0)))
    return 1;
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::dln::registerCompilerPasses();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  registerAsmPrinterCLOptions();
  // --help lists dlnc's own options; LLVM's and MLIR's hundreds stay
  // accepted (--mlir-timing, say) and are listed by --help-hidden.
  cl::HideUnrelatedOptions(dlncCategory);
  cl::ParseCommandLineOptions(argc, argv, "dlnc: a deep-learning compiler\n");
  if (emitAction == Emit::Executable && outputFile == "-") {
    llvm::errs() << "error: cannot write an executable to standard output\n";
    return 1;
  }
  return compile(argv[0]);
}
