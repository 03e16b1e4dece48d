//===- AtomicFile.h - All-or-nothing file replacement -----------*- C++ -*-===//
//
// Checkpoints and metrics must never be observed half-written, and a failed
// save must leave the previous file intact: write to a fresh temporary file in
// the destination's directory, fsync, then rename over PATH (atomic on POSIX).
// The temporary is created exclusively (O_EXCL | O_NOFOLLOW, random name), so
// it can never be a file or symlink someone else put there, and it is removed
// on every failure path. Only regular files are ever replaced.
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
  /// Creates PATH.tmp-XXXXXXXXXXXX; throws Error(DLNRT_IO_ERROR) naming PATH
  /// on failure, or when PATH exists and is not a regular file.
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

/// Where an output may go besides a regular file.
enum class OutputKind {
  FileOnly,     // checkpoints: only a (new or existing) regular file
  FileOrStream, // metrics: also a character device or FIFO (/dev/stdout)
};

/// Fails early (Error naming PATH) when PATH could clearly not be written
/// later: its directory is missing or not writable, or PATH exists and is not
/// a regular file (except a stream, where `kind` allows one). Lets a long
/// training run refuse to start instead of losing its result at the end.
void checkReplaceable(const std::string &path,
                      OutputKind kind = OutputKind::FileOnly);

/// True when PATH is an existing character device or FIFO.
bool isStream(const std::string &path);

/// Replaces `path` with `bytes` atomically.
void writeFileAtomically(const std::string &path, std::string_view bytes);

/// Writes `bytes` into a character device or FIFO as is; anything else is
/// replaced atomically.
void writeOutput(const std::string &path, std::string_view bytes);

} // namespace dlnrt

#endif // DLNRT_LIB_ATOMICFILE_H
