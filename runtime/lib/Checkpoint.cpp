//===- Checkpoint.cpp - Checkpoints as NumPy .npz archives ----------------===//
#include "Checkpoint.h"

#include "AtomicFile.h"
#include "Error.h"
#include "Npz.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <algorithm>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace dlnrt {

static const char *const kStep = "__step__", *const kEpoch = "__epoch__",
                         *const kSeed = "__seed__";

std::vector<NamedTensor> paramTensors(const Manifest &m,
                                      const std::vector<Tensor> &params) {
  std::vector<NamedTensor> out;
  for (size_t i = 0; i < params.size(); ++i)
    out.push_back({m.params[i].name, &params[i]});
  return out;
}

std::vector<NamedTensor> modelTensors(const Manifest &m,
                                      const std::vector<Tensor> &params,
                                      const std::vector<Tensor> &state,
                                      bool stateRequired) {
  std::vector<NamedTensor> out = paramTensors(m, params);
  for (size_t i = 0; i < state.size(); ++i)
    out.push_back({m.state[i].name, &state[i], !stateRequired});
  return out;
}

static NpyType npyTypeOf(const Tensor &t) {
  if (t.dtype() == DType::F32)
    return NpyType::F32;
  if (t.dtype() == DType::F64)
    return NpyType::F64;
  fail(DLNRT_INTERNAL, "checkpoints hold f32 and f64 tensors only");
}

static std::vector<NpyArray> toArrays(const std::vector<NamedTensor> &tensors,
                                      const int64_t (&counters)[3]) {
  std::vector<NpyArray> arrays;
  for (const NamedTensor &t : tensors)
    arrays.push_back(
        {t.name, npyTypeOf(*t.tensor), t.tensor->shape(), t.tensor->data()});
  const char *names[] = {kStep, kEpoch, kSeed};
  for (int i = 0; i < 3; ++i)
    arrays.push_back({names[i], NpyType::I64, {}, &counters[i]});
  return arrays;
}

// The seed is a uint64; it is stored as the int64 with the same bits.
static void packCounters(const TrainCounters &c, int64_t (&out)[3]) {
  out[0] = c.step;
  out[1] = c.epoch;
  std::memcpy(&out[2], &c.seed, sizeof c.seed);
}

std::string serializeCheckpoint(const std::vector<NamedTensor> &tensors,
                                const TrainCounters &counters) {
  int64_t packed[3];
  packCounters(counters, packed);
  return npzBytes(toArrays(tensors, packed));
}

void saveCheckpoint(const std::string &path,
                    const std::vector<NamedTensor> &tensors,
                    const TrainCounters &counters) {
  int64_t packed[3];
  packCounters(counters, packed);
  // Stream straight from the tensors: no second copy of a large model.
  AtomicFileWriter w(path);
  writeNpz(toArrays(tensors, packed),
           [&](const void *data, size_t size) { w.write(data, size); });
  w.commit();
}

std::string defaultRescueDir() {
  const char *dir = std::getenv("TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

void saveCheckpointOrRescue(const std::string &path,
                            const std::vector<NamedTensor> &tensors,
                            const TrainCounters &counters,
                            const std::string &rescueDir) {
  try {
    saveCheckpoint(path, tensors, counters);
    return;
  } catch (const Error &saveError) {
    std::string stem = path.substr(path.find_last_of('/') + 1);
    if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".npz") == 0)
      stem.resize(stem.size() - 4);
    // A name no file has yet: the rescue must not replace anything either.
    std::string rescue;
    for (int attempt = 0; attempt < 100 && rescue.empty(); ++attempt) {
      std::string candidate = rescueDir + "/" + stem + ".rescued-" +
                              std::to_string(::getpid()) + "-" +
                              std::to_string(attempt) + ".npz";
      struct stat st;
      if (::lstat(candidate.c_str(), &st) != 0 && errno == ENOENT)
        rescue = candidate;
    }
    std::string message = saveError.what();
    try {
      if (rescue.empty())
        fail(DLNRT_IO_ERROR, "no free file name in " + rescueDir);
      saveCheckpoint(rescue, tensors, counters);
    } catch (const Error &rescueError) {
      fail(saveError.code(), message + "; saving them to " + rescueDir +
                                 " failed as well (" + rescueError.what() +
                                 "): the trained parameters are lost");
    }
    fail(saveError.code(),
         message + "; the trained parameters were saved to " + rescue +
             " instead");
  }
}

static const char *typeName(NpyType t) {
  return t == NpyType::F32 ? "f32" : t == NpyType::F64 ? "f64" : "i64";
}

std::optional<TrainCounters>
deserializeCheckpoint(const std::string &bytes, const std::string &fileName,
                      const std::vector<NamedTensor> &tensors) {
  if (bytes.rfind("DLNCKPT1", 0) == 0)
    fail(DLNRT_DATA_ERROR, fileName +
                               ": old DLNCKPT1 checkpoint; this runtime reads "
                               ".npz checkpoints (retrain or convert it)");
  std::map<std::string, NpyArray> found;
  for (NpyArray &a : readNpz(bytes, fileName))
    found.emplace(a.name, std::move(a));
  auto mismatch = [&](const std::string &what) {
    fail(DLNRT_INVALID_ARGUMENT, fileName + ": " + what);
  };

  // Validate everything before copying anything.
  std::map<std::string, const NamedTensor *> wanted;
  for (const NamedTensor &t : tensors) {
    wanted.emplace(t.name, &t);
    auto it = found.find(t.name);
    if (it == found.end() && t.optional)
      continue;
    if (it == found.end())
      mismatch("checkpoint has no array '" + t.name + "'");
    const NpyArray &a = it->second;
    if (a.type != npyTypeOf(*t.tensor))
      mismatch("array '" + t.name + "' has dtype " + typeName(a.type) +
               ", model expects " + dtypeName(t.tensor->dtype()));
    if (a.shape != t.tensor->shape())
      mismatch("array '" + t.name + "' has shape " + formatShape(a.shape) +
               ", model expects " + formatShape(t.tensor->shape()));
  }
  for (const auto &[name, a] : found)
    if (!wanted.count(name) && name.rfind("__", 0) != 0)
      mismatch("unexpected array '" + name +
               "' (not a param or state of this model)");

  int64_t counters[3];
  int present = 0;
  const char *names[] = {kStep, kEpoch, kSeed};
  for (int i = 0; i < 3; ++i) {
    auto it = found.find(names[i]);
    if (it == found.end())
      continue;
    if (it->second.type != NpyType::I64 || !it->second.shape.empty())
      mismatch(std::string("counter '") + names[i] +
               "' must be a 0-d int64 array");
    std::memcpy(&counters[i], it->second.data, 8);
    ++present;
  }

  for (const NamedTensor &t : tensors)
    if (found.count(t.name))
      std::memcpy(t.tensor->data(), found.at(t.name).data, t.tensor->bytes());
  if (present != 3)
    return std::nullopt;
  TrainCounters c;
  c.step = counters[0];
  c.epoch = counters[1];
  std::memcpy(&c.seed, &counters[2], sizeof c.seed);
  return c;
}

/// The whole file; its size comes from fstat, never from a header.
static std::string readCheckpointFile(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    fail(DLNRT_IO_ERROR,
         path + ": cannot open checkpoint: " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fail(DLNRT_IO_ERROR, path + ": not a regular file");
  }
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  std::string problem;
  while (got < bytes.size() && problem.empty()) {
    ssize_t n = ::read(fd, &bytes[got], bytes.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      problem = std::string("read error: ") + std::strerror(errno);
    else if (n == 0)
      problem = "file shrank while being read";
    else
      got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (!problem.empty())
    fail(DLNRT_IO_ERROR, path + ": " + problem);
  return bytes;
}

std::optional<TrainCounters>
loadCheckpoint(const std::string &path,
               const std::vector<NamedTensor> &tensors) {
  return deserializeCheckpoint(readCheckpointFile(path), path, tensors);
}

std::pair<std::string, std::vector<InitSource>>
parseInitFrom(const std::string &spec) {
  size_t colon = spec.rfind(':');
  if (colon == std::string::npos ||
      spec.find('=', colon) == std::string::npos)
    return {spec, {}};
  std::string path = spec.substr(0, colon);
  std::vector<InitSource> mapping;
  std::string list = spec.substr(colon + 1);
  for (size_t start = 0; start <= list.size();) {
    size_t end = std::min(list.find(',', start), list.size());
    std::string item = list.substr(start, end - start);
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      fail(DLNRT_INVALID_ARGUMENT,
           "--init-from " + spec + ": expected PARAM=ARRAY, got '" + item +
               "'");
    mapping.push_back({item.substr(0, eq), item.substr(eq + 1)});
    start = end + 1;
  }
  if (path.empty())
    fail(DLNRT_INVALID_ARGUMENT, "--init-from " + spec + ": no file");
  return {path, mapping};
}

std::vector<std::string>
initFromCheckpointBytes(const std::string &bytes, const std::string &fileName,
                        const std::vector<NamedTensor> &params,
                        const std::vector<InitSource> &mapping) {
  std::map<std::string, NpyArray> found;
  for (NpyArray &a : readNpz(bytes, fileName))
    found.emplace(a.name, std::move(a));
  auto problem = [&](const std::string &what) {
    fail(DLNRT_INVALID_ARGUMENT, fileName + ": " + what);
  };
  std::string paramNames;
  std::map<std::string, const NamedTensor *> byName;
  for (const NamedTensor &t : params) {
    byName.emplace(t.name, &t);
    paramNames += (paramNames.empty() ? "" : ", ") + t.name;
  }

  std::vector<std::pair<const NamedTensor *, const NpyArray *>> copies;
  std::set<std::string> targets;
  if (mapping.empty()) {
    for (const NamedTensor &t : params)
      if (auto it = found.find(t.name); it != found.end())
        copies.push_back({&t, &it->second});
    if (copies.empty())
      problem("no array names a parameter of this model (it has " +
              paramNames + "); map names with FILE:PARAM=ARRAY,...");
  }
  for (const InitSource &source : mapping) {
    auto param = byName.find(source.param);
    if (param == byName.end())
      problem("'" + source.param + "' is not a parameter of this model (it has " +
              paramNames + ")");
    if (!targets.insert(source.param).second)
      problem("parameter '" + source.param + "' is mapped twice");
    auto array = found.find(source.array);
    if (array == found.end() || source.array.rfind("__", 0) == 0)
      problem("checkpoint has no array '" + source.array + "'");
    copies.push_back({param->second, &array->second});
  }
  std::vector<std::string> set;
  for (const auto &[param, array] : copies) {
    const Tensor &t = *param->tensor;
    if (array->type != npyTypeOf(t))
      problem("array '" + array->name + "' has dtype " +
              typeName(array->type) + ", parameter '" + param->name +
              "' is " + dtypeName(t.dtype()));
    if (array->shape != t.shape())
      problem("array '" + array->name + "' has shape " +
              formatShape(array->shape) + ", parameter '" + param->name +
              "' is " + formatShape(t.shape()));
    set.push_back(param->name);
  }
  for (const auto &[param, array] : copies)
    std::memcpy(param->tensor->data(), array->data, param->tensor->bytes());
  return set;
}

std::vector<std::string>
initFromCheckpoint(const std::string &path,
                   const std::vector<NamedTensor> &params,
                   const std::vector<InitSource> &mapping) {
  return initFromCheckpointBytes(readCheckpointFile(path), path, params,
                                 mapping);
}

} // namespace dlnrt
