//===- OutputPaths.h - Outputs never overwrite inputs -----------*- C++ -*-===//
//
// `--save data.csv` or `--metrics-json model.npz` would silently destroy a
// user's file. Paths are compared by what they resolve to (st_dev + st_ino),
// not by spelling, so "./a", "dir/../a" and a symlink to "a" all collide.
//
//===----------------------------------------------------------------------===//
#ifndef DLNRT_LIB_OUTPUTPATHS_H
#define DLNRT_LIB_OUTPUTPATHS_H

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace dlnrt {

/// The file a path names: an existing file's device and inode; for a path that
/// does not exist yet, its directory's device and inode plus the last
/// component (so two spellings of one future file still match).
struct FileIdentity {
  dev_t dev = 0;
  ino_t ino = 0;
  std::string leaf; // empty for existing files
  bool operator==(const FileIdentity &o) const {
    return dev == o.dev && ino == o.ino && leaf == o.leaf;
  }
  bool operator!=(const FileIdentity &o) const { return !(*this == o); }
};

/// nullopt when neither the path nor its directory can be resolved.
std::optional<FileIdentity> fileIdentity(const std::string &path);

/// A path with what it is for, used in messages ("--save", "train data").
struct RolePath {
  std::string role;
  std::string path;
};

/// Throws Error(DLNRT_INVALID_ARGUMENT) when an output is the same file as an
/// input or as another output.
void checkOutputsDistinct(const std::vector<RolePath> &outputs,
                          const std::vector<RolePath> &inputs);

} // namespace dlnrt

#endif // DLNRT_LIB_OUTPUTPATHS_H
