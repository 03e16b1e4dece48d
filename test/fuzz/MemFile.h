//===- MemFile.h - A fuzz input as a file, without the disk -----*- C++ -*-===//
//
// The IDX and CSV loaders read paths (zlib's gzopen, std::ifstream), so each
// input is written to a memfd that the loaders open as /proc/self/fd/N: a
// regular file with a size, as a data file on disk, and no disk traffic per
// iteration. One MemFile lives for the whole run and is rewritten each time.
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_TEST_FUZZ_MEMFILE_H
#define DLNC_TEST_FUZZ_MEMFILE_H

#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

class MemFile {
public:
  explicit MemFile(const char *name) : fd_(memfd_create(name, MFD_CLOEXEC)) {
    if (fd_ < 0) {
      std::perror("memfd_create");
      std::abort();
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFile() { close(fd_); }

  /// Replaces the contents with `size` bytes at `data`; returns the path.
  const std::string &write(const void *data, size_t size) {
    if (ftruncate(fd_, 0) != 0 ||
        (size && pwrite(fd_, data, size, 0) != static_cast<ssize_t>(size))) {
      std::perror("memfd write");
      std::abort();
    }
    return path_;
  }

private:
  int fd_;
  std::string path_;
};

#endif // DLNC_TEST_FUZZ_MEMFILE_H
