//===- AtomicFile.cpp - All-or-nothing file replacement -------------------===//
#include "AtomicFile.h"

#include "Error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dlnrt {

static std::string directoryOf(const std::string &path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool isStream(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 &&
         (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode));
}

/// Refuses to replace anything but a regular file.
static void checkNotSpecial(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return;
  if (S_ISDIR(st.st_mode))
    fail(DLNRT_IO_ERROR, path + ": is a directory");
  if (!S_ISREG(st.st_mode))
    fail(DLNRT_IO_ERROR, path + ": not a regular file; refusing to replace it");
}

void checkReplaceable(const std::string &path, OutputKind kind) {
  if (kind == OutputKind::FileOrStream && isStream(path))
    return;
  std::string dir = directoryOf(path);
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    fail(DLNRT_IO_ERROR, path + ": cannot write to directory " + dir + ": " +
                             std::strerror(errno));
  checkNotSpecial(path);
}

/// 12 random characters for a temporary name.
static std::string randomSuffix() {
  static const char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  unsigned char bytes[12];
  if (::getrandom(bytes, sizeof bytes, 0) != sizeof bytes)
    fail(DLNRT_IO_ERROR,
         std::string("getrandom failed: ") + std::strerror(errno));
  std::string s;
  for (unsigned char b : bytes)
    s += kAlphabet[b % (sizeof kAlphabet - 1)];
  return s;
}

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)) {
  checkNotSpecial(path_);
  // O_EXCL | O_NOFOLLOW: never write through a file or symlink that already
  // has the name; a collision just draws another name.
  for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
    tempPath_ = path_ + ".tmp-" + randomSuffix();
    fd_ = ::open(tempPath_.c_str(),
                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd_ < 0 && errno != EEXIST)
      break;
  }
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

static bool writeAll(int fd, const void *data, size_t size) {
  const char *p = static_cast<const char *>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

void AtomicFileWriter::write(const void *data, size_t size) {
  if (fd_ < 0)
    fail(DLNRT_INTERNAL, path_ + ": write after failure or commit");
  if (!writeAll(fd_, data, size))
    ioError("write failed");
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
  // Something may have appeared at PATH since the constructor looked; the
  // destructor removes the temporary file if this throws.
  checkNotSpecial(path_);
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

void writeOutput(const std::string &path, std::string_view bytes) {
  if (!isStream(path))
    return writeFileAtomically(path, bytes);
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    fail(DLNRT_IO_ERROR, path + ": cannot open: " + std::strerror(errno));
  bool ok = writeAll(fd, bytes.data(), bytes.size());
  int err = errno;
  ::close(fd);
  if (!ok)
    fail(DLNRT_IO_ERROR, path + ": write failed: " + std::strerror(err));
}

} // namespace dlnrt
