//===- CApi.cpp - The C API of dlnrt.h over the C++ internals -------------===//
//
// The only boundary where C++ exceptions become dlnrt_status values: every
// entry point runs its body through guard(), so no exception ever crosses into
// C code.
//
//===----------------------------------------------------------------------===//
#include "dlnrt/dlnrt.h"

#include "AlignedBuffer.h"
#include "Batcher.h"
#include "Checkpoint.h"
#include "Divergence.h"
#include "Error.h"
#include "Evaluate.h"
#include "Init.h"
#include "Model.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <string>

struct dlnrt_status_s {
  dlnrt_status_code code;
  std::string message;
  bool owned; // false only for the immutable out-of-memory fallback below
};

struct dlnrt_model {
  explicit dlnrt_model(const dlnrt_model_abi &abi,
                       const dlnrt_allocator &allocator)
      : impl(abi, allocator) {}
  dlnrt::Model impl;
};

namespace {

dlnrt_status makeStatus(dlnrt_status_code code, const std::string &message) {
  try {
    return new dlnrt_status_s{code, message, true};
  } catch (...) {
    // NULL would read as success, so an allocation failure here returns a
    // shared immutable status (its message fits the small-string buffer;
    // constructing it allocates nothing).
    static dlnrt_status_s outOfMemory{DLNRT_OUT_OF_MEMORY, "out of memory",
                                      false};
    return &outOfMemory;
  }
}

template <typename F> dlnrt_status guard(F &&body) {
  try {
    body();
    return nullptr;
  } catch (const dlnrt::Error &e) {
    return makeStatus(e.code(), e.what());
  } catch (const std::bad_alloc &) {
    return makeStatus(DLNRT_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception &e) {
    return makeStatus(DLNRT_INTERNAL,
                      std::string("internal error: ") + e.what());
  } catch (...) {
    return makeStatus(DLNRT_INTERNAL, "internal error");
  }
}

void require(bool ok, const char *what) {
  if (!ok)
    dlnrt::fail(DLNRT_INVALID_ARGUMENT, what);
}
void require(bool ok, const std::string &what) { require(ok, what.c_str()); }

/// Class ids index a one-hot row: an id outside [0, C) would read or write
/// past it, so they are checked before any entry point sees them. `what` is
/// "label" or "input".
void requireClassIds(const dlnrt::SampleSpec &spec, const void *ids, int64_t n,
                     const char *fn, const char *what) {
  if (spec.kind != dlnrt::LabelKind::Class)
    return;
  const int32_t *values = static_cast<const int32_t *>(ids);
  for (int64_t i = 0; i < n; ++i)
    if (values[i] < 0 || values[i] >= spec.numClasses)
      dlnrt::fail(DLNRT_INVALID_ARGUMENT,
                  std::string(fn) + ": " + what + " " +
                      std::to_string(values[i]) + " of sample " +
                      std::to_string(i) + " is outside [0, " +
                      std::to_string(spec.numClasses) + ")");
}

/// One train step through `entryPoint` on caller memory, checked as
/// dlnrt_model_train_batch documents; `what` names the API function.
void trainOnRows(dlnrt_model *model, const std::string &entryPoint,
                        int64_t n, const void *x, const void *labels,
                        double lr, double *out_loss, const char *what) {
  require(model && x && out_loss &&
              (labels || !model->impl.manifest().hasLabel()),
          std::string(what) + ": NULL argument");
  require(n >= 1, std::string(what) + ": n must be >= 1");
  dlnrt::Model &m = model->impl;
  requireClassIds(m.manifest().input(), x, n, what, "input");
  requireClassIds(m.manifest().label(), labels, n, what, "label");
  dlnrt::Tensor xb = m.makeBatchX(n), yb = m.makeBatchY(n);
  dlnrt::copyRows(x, 0, n, xb);
  dlnrt::copyRows(labels, 0, n, yb);
  *out_loss = m.trainStep(entryPoint, xb, yb, lr);
  std::string bad = dlnrt::describeDivergence(m, *out_loss);
  if (!bad.empty())
    dlnrt::fail(DLNRT_DATA_ERROR,
                std::string(what) + ": training diverged: " + bad +
                    "; the params are no longer usable, load the last good "
                    "checkpoint");
}

} // namespace

extern "C" {

dlnrt_status_code dlnrt_status_get_code(dlnrt_status status) {
  return status ? status->code : DLNRT_OK;
}

const char *dlnrt_status_message(dlnrt_status status) {
  return status ? status->message.c_str() : "";
}

void dlnrt_status_free(dlnrt_status status) {
  if (status && status->owned)
    delete status;
}

dlnrt_status dlnrt_model_create(const dlnrt_model_abi *abi,
                                const dlnrt_allocator *allocator,
                                dlnrt_model **out_model) {
  return guard([&] {
    require(out_model, "dlnrt_model_create: out_model is NULL");
    *out_model = nullptr;
    require(abi, "dlnrt_model_create: abi is NULL");
    require(!allocator || (allocator->alloc && allocator->free),
            "dlnrt_model_create: allocator needs both alloc and free");
    *out_model = new dlnrt_model(*abi, allocator ? *allocator
                                                 : dlnrt::defaultAllocator());
  });
}

void dlnrt_model_destroy(dlnrt_model *model) { delete model; }

dlnrt_status dlnrt_model_get_info(const dlnrt_model *model,
                                  dlnrt_model_info *out_info) {
  return guard([&] {
    require(model && out_info, "dlnrt_model_get_info: NULL argument");
    const dlnrt::Manifest &m = model->impl.manifest();
    out_info->name = m.model.c_str();
    out_info->dtype = static_cast<dlnrt_dtype>(m.dtype);
    out_info->batch_size = m.batch;
    out_info->input_size = m.inputSize();
    out_info->output_size = m.hasOutput() ? m.outputSize() : 0;
    out_info->label_kind = m.label().kind == dlnrt::LabelKind::Class
                               ? DLNRT_LABEL_CLASS
                               : DLNRT_LABEL_REAL;
    out_info->label_size = m.labelSize();
    out_info->num_classes = m.label().numClasses;
    out_info->param_count = m.params.size();
    out_info->input_kind = m.input().kind == dlnrt::LabelKind::Class
                               ? DLNRT_LABEL_CLASS
                               : DLNRT_LABEL_REAL;
    out_info->input_classes =
        m.input().kind == dlnrt::LabelKind::Class ? m.input().numClasses : 0;
    out_info->step_count = m.steps.size();
  });
}

dlnrt_status dlnrt_model_step_name(const dlnrt_model *model, size_t index,
                                   const char **out_name) {
  return guard([&] {
    require(model && out_name, "dlnrt_model_step_name: NULL argument");
    const auto &steps = model->impl.manifest().steps;
    if (index >= steps.size())
      dlnrt::fail(DLNRT_INVALID_ARGUMENT,
                  "dlnrt_model_step_name: index " + std::to_string(index) +
                      " out of range (model has " +
                      std::to_string(steps.size()) + " step blocks)");
    *out_name = steps[index].name.c_str();
  });
}

dlnrt_status dlnrt_model_get_param(const dlnrt_model *model, size_t index,
                                   dlnrt_param_info *out_param) {
  return guard([&] {
    require(model && out_param, "dlnrt_model_get_param: NULL argument");
    const auto &params = model->impl.params();
    if (index >= params.size())
      dlnrt::fail(DLNRT_INVALID_ARGUMENT,
                  "dlnrt_model_get_param: index " + std::to_string(index) +
                      " out of range (model has " +
                      std::to_string(params.size()) + " params)");
    const dlnrt::Tensor &t = params[index];
    out_param->name = model->impl.manifest().params[index].name.c_str();
    out_param->rank = static_cast<int32_t>(t.rank());
    out_param->dims = t.shape().data();
    out_param->num_elements = t.size();
    out_param->dtype = static_cast<dlnrt_dtype>(t.dtype());
    out_param->data = t.data();
  });
}

dlnrt_status dlnrt_model_num_entry_points(const dlnrt_model *model,
                                          int64_t *out_count) {
  return guard([&] {
    require(model && out_count, "dlnrt_model_num_entry_points: NULL argument");
    *out_count = static_cast<int64_t>(model->impl.entryPointNames().size());
  });
}

dlnrt_status dlnrt_model_entry_point_name(const dlnrt_model *model,
                                          int64_t index,
                                          const char **out_name) {
  return guard([&] {
    require(model && out_name, "dlnrt_model_entry_point_name: NULL argument");
    const auto &names = model->impl.entryPointNames();
    if (index < 0 || static_cast<size_t>(index) >= names.size())
      dlnrt::fail(DLNRT_INVALID_ARGUMENT,
                  "dlnrt_model_entry_point_name: index " +
                      std::to_string(index) + " out of range (model has " +
                      std::to_string(names.size()) + " entry points)");
    *out_name = model->impl.entryPointName(static_cast<size_t>(index));
  });
}

dlnrt_status dlnrt_model_init_params(dlnrt_model *model, uint64_t seed) {
  return guard([&] {
    require(model, "dlnrt_model_init_params: model is NULL");
    dlnrt::Model &m = model->impl;
    dlnrt::initParams(m.params(), m.manifest().params, seed);
    dlnrt::initState(m.state(), m.manifest().state, seed);
  });
}

dlnrt_status dlnrt_model_load(dlnrt_model *model, const char *path) {
  return guard([&] {
    require(model && path, "dlnrt_model_load: NULL argument");
    const dlnrt::Model &m = model->impl;
    dlnrt::loadCheckpoint(path, dlnrt::modelTensors(m.manifest(), m.params(),
                                                    m.state(),
                                                    /*stateRequired=*/false));
  });
}

dlnrt_status dlnrt_model_save(const dlnrt_model *model, const char *path) {
  return guard([&] {
    require(model && path, "dlnrt_model_save: NULL argument");
    // No training run to record: counters are zero.
    const dlnrt::Model &m = model->impl;
    // A diverged model is never written: it would replace a good checkpoint.
    if (std::string bad = dlnrt::describeDivergence(m, 0); !bad.empty())
      dlnrt::fail(DLNRT_DATA_ERROR, std::string("dlnrt_model_save: ") + bad +
                                        "; nothing saved");
    dlnrt::saveCheckpoint(path,
                          dlnrt::modelTensors(m.manifest(), m.params(),
                                              m.state(),
                                              /*stateRequired=*/true),
                          dlnrt::TrainCounters());
  });
}

dlnrt_status dlnrt_model_forward(dlnrt_model *model, int64_t n, const void *x,
                                 const void *labels, void *out_outputs,
                                 void *out_losses) {
  return guard([&] {
    require(model, "dlnrt_model_forward: model is NULL");
    require(n >= 0, "dlnrt_model_forward: n must be >= 0");
    require(n == 0 || (x && out_outputs),
            "dlnrt_model_forward: x and out_outputs are required");
    require(!out_losses || labels,
            "dlnrt_model_forward: out_losses requires labels");
    dlnrt::Model &m = model->impl;
    if (n)
      requireClassIds(m.manifest().input(), x, n, "dlnrt_model_forward",
                      "input");
    if (labels)
      requireClassIds(m.manifest().label(), labels, n, "dlnrt_model_forward",
                      "label");
    dlnrt::forEachEvalBatch(
        m, n, x, labels,
        [&](int64_t first, int64_t valid, const dlnrt::Tensor &,
            const dlnrt::Tensor &losses, const dlnrt::Tensor &outputs) {
          const size_t outRow = outputs.bytes() / outputs.shape()[0];
          std::memcpy(static_cast<char *>(out_outputs) + first * outRow,
                      outputs.data(), valid * outRow);
          if (out_losses) {
            const size_t lossRow = losses.bytes() / losses.shape()[0];
            std::memcpy(static_cast<char *>(out_losses) + first * lossRow,
                        losses.data(), valid * lossRow);
          }
        });
  });
}

dlnrt_status dlnrt_model_train_batch(dlnrt_model *model, int64_t n,
                                     const void *x, const void *labels,
                                     double lr, double *out_loss) {
  return guard([&] {
    require(model, "dlnrt_model_train_batch: NULL argument");
    const auto &steps = model->impl.manifest().steps;
    if (!steps.empty()) {
      std::string names;
      for (const dlnrt::StepSpec &step : steps)
        names += (names.empty() ? "" : ", ") + step.name;
      dlnrt::fail(DLNRT_INVALID_ARGUMENT,
                  "dlnrt_model_train_batch: this model trains by step blocks "
                  "(" + names + "): call dlnrt_model_train_step");
    }
    if (!(std::isfinite(lr) && lr > 0))
      dlnrt::fail(DLNRT_INVALID_ARGUMENT,
                  "dlnrt_model_train_batch: lr must be a positive finite "
                  "number, got " +
                      std::to_string(lr));
    trainOnRows(model, "train_step", n, x, labels, lr, out_loss,
                "dlnrt_model_train_batch");
  });
}

dlnrt_status dlnrt_model_train_step(dlnrt_model *model, const char *step,
                                    int64_t n, const void *x,
                                    const void *labels, double *out_loss) {
  return guard([&] {
    require(model && step, "dlnrt_model_train_step: NULL argument");
    const auto &steps = model->impl.manifest().steps;
    std::string names;
    for (const dlnrt::StepSpec &spec : steps) {
      if (spec.name == step) {
        // The step binds its own learning rates; lr is unused.
        trainOnRows(model, spec.entryPoint, n, x, labels, 1.0, out_loss,
                    "dlnrt_model_train_step");
        return;
      }
      names += (names.empty() ? "" : ", ") + spec.name;
    }
    dlnrt::fail(DLNRT_INVALID_ARGUMENT,
                std::string("dlnrt_model_train_step: no step block '") + step +
                    "'" +
                    (names.empty() ? std::string(" (this model has none)")
                                   : " (it has " + names + ")"));
  });
}

} // extern "C"
