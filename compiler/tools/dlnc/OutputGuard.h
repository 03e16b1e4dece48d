//===- OutputGuard.h - Refuse outputs that would destroy a file -*- C++ -*-===//
#ifndef DLNC_COMPILER_TOOLS_DLNC_OUTPUTGUARD_H
#define DLNC_COMPILER_TOOLS_DLNC_OUTPUTGUARD_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/LogicalResult.h"

#include <string>

namespace dlnc {

/// Fails with an `error:` line unless writing `output` is safe: it must not be
/// the same file (same device and inode, whatever the spelling) as any of
/// `inputs`, and an existing non-regular file (a device, FIFO, directory) is
/// never replaced. Text written in place (`replaces` false) may go to a
/// character device or FIFO, such as /dev/stdout; "-" is standard output.
llvm::LogicalResult checkOutputPath(llvm::StringRef output,
                                    llvm::ArrayRef<std::string> inputs,
                                    bool replaces);

} // namespace dlnc

#endif // DLNC_COMPILER_TOOLS_DLNC_OUTPUTGUARD_H
