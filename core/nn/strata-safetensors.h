/* strata-safetensors.h: strict safetensors reader and atomic writer, and
 * weights/checkpoint I/O of a StrataParams.
 *
 * Format (huggingface/safetensors): u64 little-endian header length N, N
 * bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, ...,
 * "__metadata__": {string: string}}, then the byte buffer. The reader
 * rejects: headers over 16 MiB or past the end of the file, JSON that is
 * not an object of such entries, nesting deeper than 4, dtypes other than
 * F32/F16/BF16, data_offsets whose begin exceeds their end, tensors that
 * (taken in offset order, whatever their order in the header) overlap,
 * leave a gap (also before the first), or do not end exactly at the end of
 * the file, shape products that overflow, and byte sizes that differ from
 * dtype size × element count. Tensors are converted to F32 into one
 * 64-byte-aligned arena.
 *
 * Strata's metadata keys (STYLE §9): strata.format_version ("1"),
 * strata.architecture, strata.config (JSON string), strata.frontend,
 * strata.license, strata.source; checkpoints add strata.step and the
 * optimiser moments as optim.m.<name> and optim.v.<name>.
 *
 * Uses GLib and json-glib; built as its own small library so the ops stay
 * GLib-free. Not thread-safe per object; distinct objects are independent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "nn/strata-nn.h"

G_BEGIN_DECLS

#define STRATA_SAFETENSORS_ERROR (strata_safetensors_error_quark ())
GQuark strata_safetensors_error_quark (void);

typedef enum {
  STRATA_SAFETENSORS_ERROR_IO,          /* cannot read or write the file */
  STRATA_SAFETENSORS_ERROR_FORMAT,      /* not a valid safetensors file */
  STRATA_SAFETENSORS_ERROR_DTYPE,       /* unsupported dtype */
  STRATA_SAFETENSORS_ERROR_MISSING,     /* an expected tensor is absent */
  STRATA_SAFETENSORS_ERROR_UNEXPECTED,  /* the file has a tensor the model lacks */
  STRATA_SAFETENSORS_ERROR_SHAPE,       /* a tensor has the wrong shape */
  STRATA_SAFETENSORS_ERROR_METADATA,    /* wrong architecture or version */
} StrataSafetensorsError;

#define STRATA_SAFETENSORS_MAX_HEADER (16u * 1024u * 1024u)
#define STRATA_SAFETENSORS_MAX_DIMS 8
#define STRATA_WEIGHTS_FORMAT_VERSION "1"

typedef enum {
  STRATA_DTYPE_F32,
  STRATA_DTYPE_F16,
  STRATA_DTYPE_BF16,
} StrataDtype;

typedef struct {
  char       *name;
  StrataDtype dtype;                 /* dtype in the file (data is always F32) */
  int         ndim;
  int64_t     shape[STRATA_SAFETENSORS_MAX_DIMS];
  size_t      numel;
  float      *data;                  /* (numel), 64-byte aligned, owned by the file object */
} StrataTensorEntry;

typedef struct _StrataSafetensors StrataSafetensors;

/**
 * strata_safetensors_read_file:
 * @path: file to read
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the parsed file, or %NULL with
 *   @error set (the message names the file and the problem).
 */
StrataSafetensors *strata_safetensors_read_file  (const char *path, GError **error);
/**
 * strata_safetensors_read_bytes:
 * @data: (array length=len): the whole file
 * @len: its size
 * @display_name: name used in error messages
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): as strata_safetensors_read_file().
 */
StrataSafetensors *strata_safetensors_read_bytes (const guint8 *data, gsize len,
                                                  const char *display_name, GError **error);
void               strata_safetensors_free       (StrataSafetensors *st);
guint              strata_safetensors_get_n_tensors (const StrataSafetensors *st);
/* Returns: (transfer none): entry @i, in file order (sorted by offset). */
const StrataTensorEntry *strata_safetensors_get_tensor (const StrataSafetensors *st, guint i);
/* Returns: (transfer none) (nullable): the tensor named @name. */
const StrataTensorEntry *strata_safetensors_lookup (const StrataSafetensors *st,
                                                    const char *name);
/* Returns: (transfer none) (nullable): a `__metadata__` value. */
const char        *strata_safetensors_get_metadata (const StrataSafetensors *st,
                                                    const char *key);

/* A tensor to write: F32 data of prod(shape) floats, stored as @dtype
 * (F32, or F16 rounded to nearest even; BF16 is not written). */
typedef struct {
  const char   *name;
  int           ndim;
  const int64_t *shape;
  const float  *data;
  StrataDtype   dtype;
} StrataTensorRef;

/* IEEE half precision of @f, rounded to nearest even (overflow gives inf). */
guint16  strata_float_to_half (float f);

/**
 * strata_safetensors_write_file:
 * @path: destination; written to a temporary file then renamed over it
 * @tensors: (array length=n_tensors): tensors, F32
 * @n_tensors: count
 * @metadata: (nullable) (array zero-terminated=1): key, value, key, value, …, %NULL
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success.
 */
gboolean strata_safetensors_write_file (const char *path, const StrataTensorRef *tensors,
                                        guint n_tensors, const char *const *metadata,
                                        GError **error);

/**
 * strata_params_save:
 * @params: allocated parameters
 * @path: destination (atomic replace)
 * @architecture: value of strata.architecture
 * @config_json: (nullable): value of strata.config (a JSON object as a string)
 * @extra_metadata: (nullable) (array zero-terminated=1): more key/value pairs
 * @with_optimizer: also write optim.m.*, optim.v.* and strata.step (a checkpoint)
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success.
 */
gboolean strata_params_save (const StrataParams *params, const char *path,
                             const char *architecture, const char *config_json,
                             const char *const *extra_metadata, gboolean with_optimizer,
                             GError **error);
/**
 * strata_params_save_f16:
 * @params: allocated parameters
 * @path: destination (atomic replace)
 * @architecture: value of strata.architecture
 * @config_json: (nullable): value of strata.config
 * @extra_metadata: (nullable) (array zero-terminated=1): more key/value pairs
 * @error: return location for a #GError
 *
 * strata_params_save() of the weights alone, stored as F16 (a model to
 * ship; strata_params_load() reads it back as F32).
 *
 * Returns: %TRUE on success.
 */
gboolean strata_params_save_f16 (const StrataParams *params, const char *path,
                                 const char *architecture, const char *config_json,
                                 const char *const *extra_metadata, GError **error);

/**
 * strata_params_load:
 * @params: allocated parameters declaring every expected tensor
 * @path: file to read
 * @architecture: (nullable): required strata.architecture
 * @with_optimizer: also restore optim.* tensors and strata.step (resume);
 *   when %FALSE, optim.* tensors in the file are ignored
 * @error: return location for a #GError
 *
 * Every declared tensor must be present with the declared shape, and the
 * file must hold no other tensor; errors name the tensor. On error @params
 * is left unchanged.
 *
 * Returns: %TRUE on success.
 */
gboolean strata_params_load (StrataParams *params, const char *path,
                             const char *architecture, gboolean with_optimizer,
                             GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataSafetensors, strata_safetensors_free)

G_END_DECLS
