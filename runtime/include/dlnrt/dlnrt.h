/* dlnrt.h - C API of the dlnc runtime: embed a compiled model in a C/C++
 * application.
 *
 * A compiled model object exports a dlnrt_model_abi: a JSON manifest and a
 * table of named entry points; the caller creates a dlnrt_model from it. Every
 * fallible call returns a dlnrt_status: NULL means success, anything else is an
 * error the caller owns and must release with dlnrt_status_free. Results come
 * back through out_ parameters. The library keeps no global state; tensor
 * memory comes from the allocator given at creation (NULL selects aligned
 * malloc/free).
 */
#ifndef DLNRT_DLNRT_H
#define DLNRT_DLNRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status ---- */

typedef enum dlnrt_status_code {
  DLNRT_OK = 0,
  /* Bad argument, bad manifest, shape or name mismatch. */
  DLNRT_INVALID_ARGUMENT = 1,
  /* A file cannot be opened, read, written or renamed. */
  DLNRT_IO_ERROR = 2,
  /* Malformed or corrupt file contents (data sets, checkpoints). */
  DLNRT_DATA_ERROR = 3,
  DLNRT_OUT_OF_MEMORY = 4,
  DLNRT_INTERNAL = 5
} dlnrt_status_code;

/* NULL on success; otherwise an error object owned by the caller. */
typedef struct dlnrt_status_s *dlnrt_status;

/* Code of a status; DLNRT_OK for NULL. */
dlnrt_status_code dlnrt_status_get_code(dlnrt_status status);
/* One-line message, "" for NULL. Borrowed: valid until
 * dlnrt_status_free(status). */
const char *dlnrt_status_message(dlnrt_status status);
/* Releases a status; NULL is allowed. */
void dlnrt_status_free(dlnrt_status status);

/* ---- Model ABI and memory ---- */

/* One compiled entry point: args[i] points to the memref descriptor of
 * argument i, in the order the manifest's "entry_points" lists them. */
typedef void (*dlnrt_entry_fn)(void **args);

typedef struct dlnrt_entry_point {
  const char *name; /* "train_step", "eval_step", "loss_and_grad", ... */
  dlnrt_entry_fn fn;
} dlnrt_entry_point;

/* What a compiled model object exports: for a model named M, the global
 * `const dlnrt_model_abi dln_M_model` (executables also get
 * `dlnrt_default_model`). See docs/runtime.md. */
typedef struct dlnrt_model_abi {
  const char *manifest; /* NUL-terminated JSON, docs/runtime.md */
  int64_t num_entry_points;
  const dlnrt_entry_point *entry_points;
} dlnrt_model_abi;

/* Tensor memory provider. alloc must return `alignment`-aligned memory of at
 * least `bytes` bytes (bytes is a multiple of alignment) or NULL; free releases
 * it. `user` is passed back. */
typedef struct dlnrt_allocator {
  void *user;
  void *(*alloc)(void *user, size_t bytes, size_t alignment);
  void (*free)(void *user, void *ptr);
} dlnrt_allocator;

typedef enum dlnrt_dtype {
  DLNRT_F32 = 0,
  DLNRT_F64 = 1,
  DLNRT_I32 = 2,
  DLNRT_I64 = 3
} dlnrt_dtype;

typedef enum dlnrt_label_kind {
  DLNRT_LABEL_CLASS = 0,
  DLNRT_LABEL_REAL = 1
} dlnrt_label_kind;

/* Opaque model: manifest, entry points and parameter tensors. */
typedef struct dlnrt_model dlnrt_model;

/* Static facts about a model. Strings are borrowed from the model (valid until
 * destroy). */
typedef struct dlnrt_model_info {
  const char *name;
  /* Element type of params, inputs, real labels, outputs and losses. */
  dlnrt_dtype dtype;
  /* The batch size the program asks for; the compiled entry points take
   * batches of any size (dlnrt_model_train_batch's n, forward's chunks). */
  int64_t batch_size;
  int64_t input_size;  /* elements per input sample */
  int64_t output_size; /* elements per output row */
  dlnrt_label_kind label_kind;
  /* 1 for class labels (one int32 each), elements per sample for real ones. */
  int64_t label_size;
  int64_t num_classes; /* class count for class labels, 0 for real labels */
  size_t param_count;
  /* DLNRT_LABEL_CLASS for a class-index input (one int32 per sample, then
   * input_size is 1 and input_classes its class count), else
   * DLNRT_LABEL_REAL (input_classes 0). */
  dlnrt_label_kind input_kind;
  int64_t input_classes;
  /* `step` blocks of the train block (a GAN): 0 for a model trained by
   * dlnrt_model_train_batch, else train it by dlnrt_model_train_step. */
  size_t step_count;
} dlnrt_model_info;

/* One parameter. name/dims/data are borrowed from the model (valid until
 * destroy); data may be written by the caller to set weights (num_elements
 * values of the model dtype). */
typedef struct dlnrt_param_info {
  const char *name;
  int32_t rank;
  const int64_t *dims;
  int64_t num_elements;
  dlnrt_dtype dtype;
  void *data;
} dlnrt_param_info;

/* Parses abi->manifest, matches the entry-point table against it and
 * allocates zeroed parameters and optimizer state. `abi` is copied; the
 * manifest text, entry table and functions it points to must outlive the
 * model (they are static data of the model object). `allocator`
 * may be NULL (aligned malloc); it is copied and allocator->user must outlive
 * the model. On success *out_model is owned by the caller and released with
 * dlnrt_model_destroy. */
dlnrt_status dlnrt_model_create(const dlnrt_model_abi *abi,
                                const dlnrt_allocator *allocator,
                                dlnrt_model **out_model);
/* Releases the model and its tensors; NULL is allowed. */
void dlnrt_model_destroy(dlnrt_model *model);

dlnrt_status dlnrt_model_get_info(const dlnrt_model *model,
                                  dlnrt_model_info *out_info);
dlnrt_status dlnrt_model_get_param(const dlnrt_model *model, size_t index,
                                   dlnrt_param_info *out_param);

/* Entry points of the model's ABI table, in table order. *out_name is
 * borrowed from the ABI (static data of the model object). */
dlnrt_status dlnrt_model_num_entry_points(const dlnrt_model *model,
                                          int64_t *out_count);
dlnrt_status dlnrt_model_entry_point_name(const dlnrt_model *model,
                                          int64_t index, const char **out_name);

/* Initializes every parameter and optimizer-state tensor from its manifest
 * init rule with a deterministic generator. */
dlnrt_status dlnrt_model_init_params(dlnrt_model *model, uint64_t seed);
/* Checkpoint I/O: NumPy .npz files, one array per param and per state tensor
 * under its manifest name (docs/runtime.md). Loading needs every param; state
 * arrays are loaded when present (a params-only file leaves state as is).
 * Loading validates the archive, CRCs, names, shapes
 * and dtype and leaves the model unchanged on error; saving is atomic (a
 * failed save never clobbers an existing file) and records zero training
 * counters; a model holding a NaN or infinity is refused (DLNRT_DATA_ERROR)
 * and nothing is written. */
dlnrt_status dlnrt_model_load(dlnrt_model *model, const char *path);
dlnrt_status dlnrt_model_save(const dlnrt_model *model, const char *path);

/* Forward pass over n >= 0 samples of caller memory, in chunks of at most
 * batch_size samples.
 *   x:           borrowed; n * input_size values of the model dtype, or n
 *                int32 class ids for a class input (input_size 1).
 *   labels:      borrowed, may be NULL; n int32 class ids, or
 *                n * label_size values of the model dtype.
 *   out_outputs: caller-owned; n * output_size values of the model dtype.
 *   out_losses:  caller-owned, may be NULL; n values of the model dtype
 *                (per-sample losses); requires labels. */
dlnrt_status dlnrt_model_forward(dlnrt_model *model, int64_t n, const void *x,
                                 const void *labels, void *out_outputs,
                                 void *out_losses);

/* One optimizer step on a batch of n >= 1 samples (x, labels borrowed as in
 * forward; labels may be NULL only for a model without a label, such as an
 * autoencoder); *out_loss receives the batch mean loss. lr must be
 * positive and finite. Class ids outside [0, num_classes), here and in
 * forward's labels, are DLNRT_INVALID_ARGUMENT, as are NULL data pointers.
 * After the step the loss, the params and the optimizer state are checked: a
 * NaN or infinity is DLNRT_DATA_ERROR naming the loss or the first bad tensor
 * ("parameter 'fc1.weight' holds a non-finite value (inf at index [3, 17])").
 * *out_loss is set even then, and the params and state keep what the step
 * wrote: load the last good checkpoint before training on. */
dlnrt_status dlnrt_model_train_batch(dlnrt_model *model, int64_t n,
                                     const void *x, const void *labels,
                                     double lr, double *out_loss);
/* (A model trained by step blocks has no single step: train_batch is
 * DLNRT_INVALID_ARGUMENT naming its steps; use dlnrt_model_train_step.) */

/* The name of step block `index` (< step_count), in source order;
 * borrowed from the model. */
dlnrt_status dlnrt_model_step_name(const dlnrt_model *model, size_t index,
                                   const char **out_name);

/* For a model trained by `step` blocks: one execution of the step named
 * `step` (its own objective, optimizers and learning rates, as compiled) on
 * a batch of n >= 1 samples, as dlnrt_model_train_batch otherwise: the
 * caller runs the schedule (say "discriminator" then "generator" per
 * batch); *out_loss receives the step's batch mean objective. */
dlnrt_status dlnrt_model_train_step(dlnrt_model *model, const char *step,
                                    int64_t n, const void *x,
                                    const void *labels, double *out_loss);

/* ---- Command line ---- */

/* The whole `./model train|eval|gradcheck|info` tool; returns the process exit
 * code. Writes to stdout/stderr; never calls exit(). */
int dlnrt_cli_main(const dlnrt_model_abi *abi, int argc, char **argv);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DLNRT_DLNRT_H */
