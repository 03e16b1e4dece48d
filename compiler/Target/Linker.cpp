//===- Linker.cpp - Link a model object with the runtime ------------------===//
#include "compiler/Target/Linker.h"
#include "compiler/Target/Sanitizers.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace mlir;

namespace {
bool hasRuntime(StringRef dir) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, "libdlnrt.a");
  return llvm::sys::fs::exists(path);
}

std::string findRuntimeDir(const char *argv0) {
  if (const char *env = std::getenv("DLNC_RUNTIME_DIR"))
    return env;
  std::string exe = llvm::sys::fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&hasRuntime));
  llvm::SmallString<256> dir(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(dir, "..", "lib");
  if (hasRuntime(dir))
    return dir.str().str();
  return DLNC_RUNTIME_BUILD_DIR;
}
} // namespace

LogicalResult dln::linkExecutable(StringRef objectPath, StringRef outputPath,
                                  const char *argv0) {
  StringRef outputDir = llvm::sys::path::parent_path(outputPath);
  if (!outputDir.empty() && !llvm::sys::fs::is_directory(outputDir)) {
    llvm::errs() << "error: cannot write '" << outputPath << "': directory '"
                 << outputDir << "' does not exist\n";
    return failure();
  }
  std::string runtimeDir = findRuntimeDir(argv0);
  if (!hasRuntime(runtimeDir)) {
    llvm::errs() << "error: cannot find the dlnc runtime (libdlnrt.a) in '"
                 << runtimeDir << "'; set DLNC_RUNTIME_DIR\n";
    return failure();
  }
  LinkDriver driver = runtimeLinkDriver();
  auto compiler = llvm::sys::findProgramByName(driver.program);
  if (!compiler) {
    llvm::errs() << "error: cannot find a C++ compiler driver ('"
                 << driver.program << "') to link\n";
    return failure();
  }
  std::string mainLib = runtimeDir + "/libdlnrt_main.a";
  std::string runtimeLib = runtimeDir + "/libdlnrt.a";
  // Link to a temporary name and rename: never leave a broken executable.
  std::string temporary = (outputPath + ".tmp-link").str();
  SmallVector<StringRef> args{*compiler,   objectPath, mainLib,
                              runtimeLib,  "-lz",      "-lm",
                              "-lpthread", "-o",       temporary};
  llvm::append_range(args, driver.flags);
  std::string message;
  int status = llvm::sys::ExecuteAndWait(*compiler, args, std::nullopt, {}, 0,
                                         0, &message);
  if (status != 0) {
    llvm::sys::fs::remove(temporary);
    llvm::errs() << "error: linking failed"
                 << (message.empty() ? "" : ": " + message) << "\n";
    return failure();
  }
  if (std::error_code ec = llvm::sys::fs::rename(temporary, outputPath)) {
    llvm::sys::fs::remove(temporary);
    llvm::errs() << "error: cannot write '" << outputPath
                 << "': " << ec.message() << "\n";
    return failure();
  }
  return success();
}
