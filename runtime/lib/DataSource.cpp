//===- DataSource.cpp - Path resolution, split dispatch and splits --------===//
#include "DataSource.h"

#include "Batcher.h"
#include "Error.h"
#include "Transforms.h"

#include <cmath>
#include <fmt/format.h>

namespace dlnrt {

DataLayout dataLayout(const Manifest &m) {
  DataLayout l;
  l.dtype = m.dtype;
  // Sources yield real features then a target; with the label declared
  // first the label takes the features and the input the target.
  const SampleSpec &features = m.labelFirst ? m.label() : m.input();
  const SampleSpec &target = m.labelFirst ? m.input() : m.label();
  l.inputSize = numElements(features.shape);
  l.labelKind = target.kind;
  l.numClasses = target.numClasses;
  l.labelSize = numElements(target.shape);
  // Sources hold class ids, which become one-hot rows after loading.
  if (m.oneHotTarget) {
    l.labelKind = LabelKind::Class;
    l.numClasses = m.labelSize();
    l.labelSize = 1;
  }
  return l;
}

/// Class ids y[count] (int32) to one-hot rows [count, C] in the model dtype.
static void expandOneHot(const Manifest &m, Dataset &ds,
                         const dlnrt_allocator &allocator) {
  const int64_t classes = m.labelSize();
  Tensor rows(m.dtype, {ds.count, classes}, allocator);
  rows.fillZero();
  const int32_t *ids = ds.y.as<int32_t>();
  for (int64_t r = 0; r < ds.count; ++r)
    rows.set(r * classes + ids[r], 1.0);
  ds.y = std::move(rows);
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
  if (spec.format == "table")
    return {};
  if (spec.format == "split")
    return splitFiles(m, *spec.source, cliDataDir);
  return {resolveDataPath(spec.images, cliDataDir, m.dataDir),
          resolveDataPath(spec.labels, cliDataDir, m.dataDir)};
}

/// Part `spec.part` of `all`: the first floor(fraction * n) samples of the
/// split's permutation, or the rest, in permutation order.
static Dataset splitPart(const Dataset &all, const DataSpec &spec,
                         const std::string &role,
                         const dlnrt_allocator &allocator) {
  std::vector<int64_t> order = splitOrder(all.count, spec.splitSeed);
  const int64_t first = static_cast<int64_t>(
      std::floor(spec.fraction * static_cast<double>(all.count)));
  const int64_t begin = spec.part == 0 ? 0 : first;
  const int64_t end = spec.part == 0 ? first : all.count;
  if (begin == end)
    fail(DLNRT_DATA_ERROR,
         fmt::format("{}: split part {} (fraction {:g}, seed {}) of {} has no "
                     "samples: {} of its {} samples go to part 0",
                     role, spec.part, spec.fraction, spec.splitSeed, all.source,
                     first, all.count));
  Dataset ds;
  ds.source = fmt::format("{} (split part {})", all.source, spec.part);
  ds.count = end - begin;
  Shape xShape = all.x.shape(), yShape = all.y.shape();
  xShape[0] = yShape[0] = ds.count;
  ds.x = Tensor(all.x.dtype(), xShape, allocator);
  ds.y = Tensor(all.y.dtype(), yShape, allocator);
  gatherRows(all, order.data() + begin, ds.count, ds.x, ds.y);
  return ds;
}

Dataset loadSplit(const Manifest &m, const DataSpec &spec,
                  const std::string &cliDataDir,
                  const dlnrt_allocator &allocator, const std::string &role) {
  DataLayout layout = dataLayout(m);
  if (spec.format == "csv")
    return loadCsv(resolveDataPath(spec.path, cliDataDir, m.dataDir), spec,
                   layout, allocator);
  if (spec.format == "table")
    return loadTable(spec, layout, allocator);
  if (spec.format == "split")
    return splitPart(
        loadSplit(m, *spec.source, cliDataDir, allocator, role + ".source"),
        spec, role, allocator);
  return loadIdx(resolveDataPath(spec.images, cliDataDir, m.dataDir),
                 resolveDataPath(spec.labels, cliDataDir, m.dataDir),
                 spec.scale, layout, allocator);
}

Splits loadSplits(const Manifest &m, bool wantTrain, bool wantTest,
                  const std::string &cliDataDir,
                  const dlnrt_allocator &allocator) {
  Splits s;
  if (m.train && (wantTrain || transformsNeedTrain(m.transforms)))
    s.train = loadSplit(m, *m.train, cliDataDir, allocator, "data.train");
  if (m.test && wantTest)
    s.test = loadSplit(m, *m.test, cliDataDir, allocator, "data.test");
  if (m.oneHotTarget)
    for (std::optional<Dataset> *split : {&s.train, &s.test})
      if (*split)
        expandOneHot(m, **split, allocator);
  applyTransforms(m.transforms, s.train ? &*s.train : nullptr,
                  s.test ? &*s.test : nullptr);
  // Transforms act on the source's fields; then x is the input's field.
  if (m.labelFirst)
    for (std::optional<Dataset> *split : {&s.train, &s.test})
      if (*split)
        std::swap((*split)->x, (*split)->y);
  return s;
}

} // namespace dlnrt
