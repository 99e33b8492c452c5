/* strata-model.h: the foundation model (DESIGN §4) and its coarse / medium /
 * fine features.
 *
 * A StrataModel is Strata's hierarchical music model: stage 1 is an HQ-VAE
 * (injected top-down, three levels, SQ-VAE stochastic quantisers) over
 * standardised log-mel frames (44.1 kHz, n_fft 2048, hop 512, 128 Slaney
 * mels), giving one token sequence per level at ~5.38 (coarse), ~21.5
 * (medium) and ~86.1 (fine) frames/s; stage 2 is one small causal
 * transformer prior per level, conditioned on the level above and
 * optionally on tags. The features of a level are the hidden states of one
 * mid-depth block of that level's prior, one row per token.
 *
 * Weights are a safetensors file (STYLE §9) with strata.architecture
 * "strata-foundation", strata.config (hyper-parameters as JSON) and
 * strata.frontend; the default model ships as
 * resources/models/strata-foundation.safetensors.
 *
 * Threading contract: a StrataModel is immutable after loading and
 * reference-counted; any number of threads may call
 * strata_model_extract() on the same model at once (each call allocates its
 * own scratch). OpenBLAS's thread count is a process-wide setting, set once
 * by the task layer (strata_task_run(), for the window and the CLI alike)
 * and by the trainer's --threads. A StrataFeatures is immutable
 * and reference-counted too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "strata-types.h"
#include "audio/strata-audio.h"

G_BEGIN_DECLS

/* A model's input spectrogram (strata.config "frontend"; absent means
 * log-mel, so version 1 and 2 files load unchanged). */
typedef enum {
  STRATA_MODEL_FRONTEND_LOG_MEL,      /* 128 Slaney mels, STFT 2048, ln (max (mel, 1e-5)) */
  STRATA_MODEL_FRONTEND_LOG_FREQ,     /* core/dsp/strata-logfreq: 264 bins, STFT 4096 */
} StrataModelFrontend;


#define STRATA_MODEL_ERROR (strata_model_error_quark ())
GQuark strata_model_error_quark (void);

typedef enum {
  STRATA_MODEL_ERROR_NOT_FOUND,     /* no file at the path (or no default model installed) */
  STRATA_MODEL_ERROR_INVALID,       /* unreadable, not safetensors, bad tensors or config */
  STRATA_MODEL_ERROR_INCOMPATIBLE,  /* another architecture or format version */
  STRATA_MODEL_ERROR_BAD_OPTION,    /* unknown tag, layer out of range */
  STRATA_MODEL_ERROR_TOO_SHORT,     /* audio shorter than one coarse frame (~0.19 s) */
} StrataModelError;

/* The three strata, coarse (slowest) first. */
typedef enum {
  STRATA_LEVEL_COARSE = 0,
  STRATA_LEVEL_MEDIUM = 1,
  STRATA_LEVEL_FINE   = 2,
} StrataLevel;

#define STRATA_N_LEVELS 3

/* Value of the strata.architecture metadata key. */
#define STRATA_MODEL_ARCHITECTURE "strata-foundation"
/* Basename of the default weights file. */
#define STRATA_MODEL_DEFAULT_FILE "strata-foundation.safetensors"

typedef struct _StrataModel StrataModel;

/**
 * strata_model_dup_default_path:
 *
 * Where the default model is looked up: $STRATA_MODEL_PATH when set, else
 * the installed copy ($datadir/strata/models/strata-foundation.safetensors),
 * else the source tree's resources/models/ (running uninstalled).
 *
 * Returns: (transfer full) (nullable): the first path that exists, or %NULL.
 */
char        *strata_model_dup_default_path (void);

/**
 * strata_model_load:
 * @path: a strata-foundation safetensors file
 * @error: return location for a #GError (%STRATA_MODEL_ERROR)
 *
 * Reads and validates the whole file: format, architecture, config, every
 * expected tensor with its shape (missing or unknown tensors are errors).
 * The message names the file and the reason.
 *
 * Returns: (transfer full) (nullable): the model, or %NULL with @error set.
 */
StrataModel *strata_model_load         (const char *path, GError **error);

/**
 * strata_model_load_default:
 * @error: return location for a #GError
 *
 * strata_model_load() of strata_model_dup_default_path();
 * %STRATA_MODEL_ERROR_NOT_FOUND when there is none.
 *
 * Returns: (transfer full) (nullable): the default model.
 */
StrataModel *strata_model_load_default (GError **error);

StrataModel *strata_model_ref   (StrataModel *model);
void         strata_model_unref (StrataModel *model);

/* Returns: (transfer none): the file the model was loaded from. */
const char  *strata_model_get_path    (const StrataModel *model);
/* Returns: (transfer none): a short version string that changes whenever the
 * weights change ("strata-foundation/1/<12 hex digits of the content hash>"),
 * for cache keys and the .npz model_version. */
const char  *strata_model_get_version (const StrataModel *model);
/* Frames (tokens) per second of @level: 44100 / 512 / {16, 4, 1}. */
double       strata_model_get_rate          (const StrataModel *model, StrataLevel level);
/* Feature width D of @level (its prior's model width). */
int          strata_model_get_dim           (const StrataModel *model, StrataLevel level);
/* Codebook size K of @level (tokens are in [0, K)). */
int          strata_model_get_codebook_size (const StrataModel *model, StrataLevel level);
/* Blocks in each prior; valid layers are 1..n (the output of block n). */
int          strata_model_get_n_layers      (const StrataModel *model);
/* The layer used when none is asked for (the middle block). */
int          strata_model_get_default_layer (const StrataModel *model);
/* Tag vocabulary for conditioning (styles, instrument families). */
guint        strata_model_get_n_tags        (const StrataModel *model);
/* Returns: (transfer none): tag @i's name, e.g. "rock", "piano". */
const char  *strata_model_get_tag_name      (const StrataModel *model, guint i);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataModel, strata_model_unref)

/* ------------------------------------------------------------------ */
/* Features */

typedef struct {
  int layer;                      /* prior block whose output is taken; 0 = default */
  const char *const *condition;   /* (nullable) (array zero-terminated=1): tag names;
                                   * NULL or empty = unconditional */
} StrataFeatureOptions;

/* One stratum: T rows of D floats, T tokens, at @rate frames/s. Row t
 * covers the time [t / rate, (t + 1) / rate) of the track. */
typedef struct {
  int      T;          /* frames (tokens) */
  int      D;          /* feature width */
  int      K;          /* codebook size */
  double   rate;       /* frames per second */
  float   *features;   /* (T, D) row-major */
  int32_t *tokens;     /* (T), each in [0, K) */
} StrataFeatureLevel;

/* What the automatic sections are cut on (strata_feature_maps_new()): per
 * coarse frame, the mean of the model's input log-mel over the frames it
 * covers (D_mel values), then the codebook vector of its coarse token
 * (D_code values). Both come from stage 1, which no condition reaches, so
 * conditioning the priors never moves a section. */
typedef struct {
  int    T;            /* rows: the coarse level's T */
  int    D_mel;
  int    D_code;
  float *data;         /* (T, D_mel + D_code) row-major; NULL when T is 0 */
} StrataSectionBasis;

/* Read-only after strata_model_extract() returns. */
typedef struct {
  StrataFeatureLevel level[STRATA_N_LEVELS];  /* indexed by StrataLevel */
  StrataSectionBasis section_basis;
  double  duration;       /* seconds of audio analysed */
  int     layer;          /* the prior block the features come from */
  char   *model_version;  /* strata_model_get_version() of the model */
  char  **condition;      /* (nullable) tags used, NULL-terminated */
  /*< private >*/
  gint    ref_count;
} StrataFeatures;

/**
 * strata_model_extract:
 * @model: the model
 * @audio: decoded audio (44.1 kHz stereo; mixed to mono)
 * @options: (nullable): layer and condition; %NULL = defaults
 * @progress: (nullable): called on the calling thread with the fraction done
 *   and a stage name ("spectrogram", "tokens", "coarse", "medium", "fine")
 * @progress_data: data for @progress
 * @abort_func: (nullable): checked between chunks; when it returns true the
 *   call stops within ~100 ms and fails with %G_IO_ERROR_CANCELLED
 * @abort_data: data for @abort_func
 * @error: return location for a #GError
 *
 * Log-mel, stage-1 tokens of each level, then each prior under teacher
 * forcing on overlapping windows; the result is deterministic for a given
 * model, audio, options and OpenBLAS thread count. Peak memory is about
 * 100 KB a second of audio (the result) plus a few MB of scratch.
 *
 * Returns: (transfer full) (nullable): the features, or %NULL with @error
 *   set (%STRATA_MODEL_ERROR_BAD_OPTION, %STRATA_MODEL_ERROR_TOO_SHORT,
 *   %G_IO_ERROR_CANCELLED, or %G_IO_ERROR_FAILED when memory runs out).
 */
StrataFeatures *strata_model_extract (StrataModel                *model,
                                      StrataAudio                *audio,
                                      const StrataFeatureOptions *options,
                                      StrataProgressFunc          progress,
                                      gpointer                    progress_data,
                                      StrataAbortFunc             abort_func,
                                      gpointer                    abort_data,
                                      GError                    **error);
StrataFeatures *strata_model_extract_mono_take (StrataModel                *model,
                                                float                      *mono,
                                                gint64                      n,
                                                const StrataFeatureOptions *options,
                                                StrataProgressFunc          progress,
                                                gpointer                    progress_data,
                                                StrataAbortFunc             abort_func,
                                                gpointer                    abort_data,
                                                GError                    **error);

StrataFeatures *strata_features_ref   (StrataFeatures *features);
void            strata_features_unref (StrataFeatures *features);

/**
 * strata_features_to_bytes:
 * @features: features
 *
 * Serialises @features (little-endian, versioned) for the engine's result
 * cache.
 *
 * Returns: (transfer full): the bytes.
 */
GBytes         *strata_features_to_bytes   (const StrataFeatures *features);

/**
 * strata_features_new_from_bytes:
 * @bytes: what strata_features_to_bytes() returned
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the features, or %NULL with
 *   %STRATA_MODEL_ERROR_INVALID when @bytes are damaged or of another version.
 */
StrataFeatures *strata_features_new_from_bytes (GBytes *bytes, GError **error);

/**
 * strata_features_write_npz:
 * @features: features
 * @path: the .npz file to write (atomically)
 * @inputs: (nullable) (array zero-terminated=1): the files the features were
 *   made from, which @path must not replace (core/io)
 * @error: return location for a #GError
 *
 * Writes coarse, medium, fine (float32, T×D), coarse_tokens, medium_tokens,
 * fine_tokens (int32, T), rates (float64[3], coarse first) and
 * model_version (a one-element string array): `numpy.load` reads it.
 *
 * Returns: %TRUE on success.
 */
gboolean        strata_features_write_npz  (const StrataFeatures *features, const char *path,
                                            const char *const *inputs, GError **error);

/* Returns: (transfer none): the level name, "coarse", "medium" or "fine". */
const char     *strata_level_get_name (StrataLevel level);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataFeatures, strata_features_unref)

G_END_DECLS
