//===- AtomicFile.h - All-or-nothing file replacement -----------*- C++ -*-===//
//
// Checkpoints and metrics must never be observed half-written, and a failed
// save must leave the previous file intact: write to PATH.tmp.<pid>, fsync,
// then rename over PATH (atomic on POSIX). A writer destroyed without commit()
// removes its temporary file.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_ATOMICFILE_H
#define DLNRT_LIB_ATOMICFILE_H

#include <cstddef>
#include <string>
#include <string_view>

namespace dlnrt {

class AtomicFileWriter {
public:
  /// Creates PATH.tmp.<pid>; throws Error(DLNRT_IO_ERROR) naming PATH on
  /// failure.
  explicit AtomicFileWriter(std::string path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter &) = delete;
  AtomicFileWriter &operator=(const AtomicFileWriter &) = delete;

  void write(const void *data, size_t size);
  /// fsyncs and renames the temporary file over PATH.
  void commit();

  const std::string &tempPath() const { return tempPath_; }

private:
  [[noreturn]] void ioError(const std::string &what);
  std::string path_, tempPath_;
  int fd_ = -1;
  bool committed_ = false;
};

/// Fails early (Error naming PATH) when PATH could clearly not be replaced
/// later: its directory is missing or not writable, or PATH is a directory.
/// Lets a long training run refuse to start instead of losing its result at the
/// end.
void checkReplaceable(const std::string &path);

/// Convenience: replaces `path` with `bytes` atomically.
void writeFileAtomically(const std::string &path, std::string_view bytes);

} // namespace dlnrt

#endif // DLNRT_LIB_ATOMICFILE_H
