//===- MemFile.h - A fuzz input as a file, without the disk -----*- C++ -*-===//
//
// The IDX and CSV loaders read paths (zlib's gzopen, std::ifstream), so each
// input is written to a memfd that the loaders open as /proc/self/fd/N: a
// regular file with a size, as a data file on disk, and no disk traffic per
// iteration. One MemFile lives for the whole run and is rewritten each time.
// gzip() compresses an input, so that mutations of plain bytes also reach the
// loaders' gzip paths.
//
//===----------------------------------------------------------------------===//
#ifndef DLNC_TEST_FUZZ_MEMFILE_H
#define DLNC_TEST_FUZZ_MEMFILE_H

#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

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

/// `size` bytes at `data` as a gzip file, as gzip(1) writes it.
inline std::string gzip(const void *data, size_t size) {
  z_stream z{};
  // 15 + 16: a gzip wrapper around the deflate stream.
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
               Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, size), '\0');
  z.next_in = static_cast<Bytef *>(const_cast<void *>(data));
  z.avail_in = static_cast<uInt>(size);
  z.next_out = reinterpret_cast<Bytef *>(&out[0]);
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

#endif // DLNC_TEST_FUZZ_MEMFILE_H
