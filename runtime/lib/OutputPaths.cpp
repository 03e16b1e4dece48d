//===- OutputPaths.cpp - Outputs never overwrite inputs -------------------===//
#include "OutputPaths.h"

#include "Error.h"

#include <sys/stat.h>

namespace dlnrt {

std::optional<FileIdentity> fileIdentity(const std::string &path) {
  struct stat st;
  FileIdentity id;
  if (::stat(path.c_str(), &st) == 0) {
    id.dev = st.st_dev;
    id.ino = st.st_ino;
    return id;
  }
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "."
                    : slash == 0               ? "/"
                                               : path.substr(0, slash);
  if (::stat(dir.c_str(), &st) != 0)
    return std::nullopt;
  id.dev = st.st_dev;
  id.ino = st.st_ino;
  id.leaf = slash == std::string::npos ? path : path.substr(slash + 1);
  return id;
}

void checkOutputsDistinct(const std::vector<RolePath> &outputs,
                          const std::vector<RolePath> &inputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::optional<FileIdentity> out = fileIdentity(outputs[i].path);
    if (!out)
      continue; // unwritable; checkReplaceable reports it
    auto clash = [&](const RolePath &other) {
      fail(DLNRT_INVALID_ARGUMENT,
           outputs[i].role + " " + outputs[i].path + " is the same file as " +
               other.role + " " + other.path + "; refusing to overwrite it");
    };
    for (const RolePath &in : inputs)
      if (fileIdentity(in.path) == out)
        clash(in);
    for (size_t j = i + 1; j < outputs.size(); ++j)
      if (fileIdentity(outputs[j].path) == out)
        clash(outputs[j]);
  }
}

} // namespace dlnrt
