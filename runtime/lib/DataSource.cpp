//===- DataSource.cpp - Path resolution and split dispatch ----------------===//
#include "DataSource.h"

namespace dlnrt {

DataLayout dataLayout(const Manifest &m) {
  DataLayout l;
  l.dtype = m.dtype;
  l.inputSize = m.inputSize();
  l.labelKind = m.label().kind;
  l.numClasses = m.label().numClasses;
  l.labelSize = m.labelSize();
  return l;
}

std::string resolveDataPath(const std::string &path,
                            const std::string &cliDataDir,
                            const std::string &manifestDataDir) {
  if (path.empty() || path.front() == '/')
    return path;
  const std::string &dir = !cliDataDir.empty() ? cliDataDir : manifestDataDir;
  if (dir.empty())
    return path;
  return dir.back() == '/' ? dir + path : dir + "/" + path;
}

std::vector<std::string> splitFiles(const Manifest &m, const DataSpec &spec,
                                    const std::string &cliDataDir) {
  if (spec.format == "csv")
    return {resolveDataPath(spec.path, cliDataDir, m.dataDir)};
  return {resolveDataPath(spec.images, cliDataDir, m.dataDir),
          resolveDataPath(spec.labels, cliDataDir, m.dataDir)};
}

Dataset loadSplit(const Manifest &m, const DataSpec &spec,
                  const std::string &cliDataDir,
                  const dlnrt_allocator &allocator) {
  DataLayout layout = dataLayout(m);
  if (spec.format == "csv")
    return loadCsv(resolveDataPath(spec.path, cliDataDir, m.dataDir), spec,
                   layout, allocator);
  return loadIdx(resolveDataPath(spec.images, cliDataDir, m.dataDir),
                 resolveDataPath(spec.labels, cliDataDir, m.dataDir),
                 spec.scale, layout, allocator);
}

} // namespace dlnrt
