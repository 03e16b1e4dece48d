//===- AtomicFile.cpp - All-or-nothing file replacement -------------------===//
#include "AtomicFile.h"

#include "Error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dlnrt {

static std::string directoryOf(const std::string &path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

void checkReplaceable(const std::string &path) {
  std::string dir = directoryOf(path);
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    fail(DLNRT_IO_ERROR, path + ": cannot write to directory " + dir + ": " +
                             std::strerror(errno));
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    fail(DLNRT_IO_ERROR, path + ": is a directory");
}

AtomicFileWriter::AtomicFileWriter(std::string path)
    : path_(std::move(path)),
      tempPath_(path_ + ".tmp." + std::to_string(::getpid())) {
  fd_ =
      ::open(tempPath_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0)
    fail(DLNRT_IO_ERROR,
         path_ + ": cannot create " + tempPath_ + ": " + std::strerror(errno));
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0)
    ::close(fd_);
  if (!committed_)
    ::unlink(tempPath_.c_str());
}

void AtomicFileWriter::ioError(const std::string &what) {
  int err = errno;
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
  ::unlink(tempPath_.c_str());
  fail(DLNRT_IO_ERROR, path_ + ": " + what + ": " + std::strerror(err));
}

void AtomicFileWriter::write(const void *data, size_t size) {
  if (fd_ < 0)
    fail(DLNRT_INTERNAL, path_ + ": write after failure or commit");
  const char *p = static_cast<const char *>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, p, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      ioError("write failed");
    p += n;
    size -= static_cast<size_t>(n);
  }
}

void AtomicFileWriter::commit() {
  if (fd_ < 0)
    fail(DLNRT_INTERNAL, path_ + ": commit after failure or commit");
  // Without the fsync a crash right after rename could leave PATH pointing at
  // empty blocks.
  if (::fsync(fd_) != 0)
    ioError("fsync failed");
  int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0)
    ioError("close failed");
  if (std::rename(tempPath_.c_str(), path_.c_str()) != 0)
    ioError("cannot rename " + tempPath_ + " into place");
  committed_ = true;
  // Persist the directory entry too; failure here is not worth failing a
  // completed save over.
  std::string dir = directoryOf(path_);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void writeFileAtomically(const std::string &path, std::string_view bytes) {
  AtomicFileWriter w(path);
  w.write(bytes.data(), bytes.size());
  w.commit();
}

} // namespace dlnrt
