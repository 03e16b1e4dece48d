//===- OutputGuard.cpp - Refuse outputs that would destroy a file ---------===//
// Objects and executables are written to a temporary file then renamed over
// the output, so a bad -o would silently replace a source, a data file or a
// device node; text outputs are written in place.
//===----------------------------------------------------------------------===//
#include "OutputGuard.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

LogicalResult dlnc::checkOutputPath(StringRef output,
                                    ArrayRef<std::string> inputs,
                                    bool replaces) {
  if (output == "-")
    return success();
  sys::fs::file_status status;
  if (sys::fs::status(output, status))
    return success(); // Does not exist yet: nothing to destroy.
  for (const std::string &input : inputs) {
    bool same = false;
    if (!sys::fs::equivalent(output, input, same) && same) {
      errs() << "error: refusing to write '" << output
             << "': it is the input file '" << input << "'\n";
      return failure();
    }
  }
  sys::fs::file_type type = status.type();
  if (type == sys::fs::file_type::regular_file)
    return success();
  bool stream = type == sys::fs::file_type::character_file ||
                type == sys::fs::file_type::fifo_file;
  if (!replaces && stream)
    return success();
  errs() << "error: refusing to write '" << output
         << "': it exists and is not a regular file\n";
  return failure();
}
