/* strata-separation.h: the separation head (DESIGN §6b): six stems of a
 * stereo mix, drums, bass, guitar, piano, vocals and other (the corpus's
 * stem families), that sum to the mix.
 *
 * Pipeline:
 *
 *   stereo 44.1 kHz --2048-point STFT, hop 512 (86.13 frames/s) per channel-->
 *   magnitudes folded into 128 bands (one bin wide at the bottom, about
 *   geometric above), log-compressed, both channels side by side (256)
 *   [+ foundation fine (86.13 /s) and medium (21.5 /s) features, each through
 *    a linear projection, the medium upsampled x4, added into the encoder]
 *   --StrataSeparator: a dense encoder (tanh), a bidirectional GRU, a dense
 *     decoder on [encoder, GRU] (ReLU), six mask logits a band, a softmax
 *     over the stems-->
 *   band masks, spread to their bins: the stems' power estimates
 *   --multichannel Wiener filter (EM: per stem and bin a 2x2 spatial
 *     covariance) --> complex stem spectra that sum to the mix's
 *   --inverse STFT (weighted overlap-add)--> stems.
 *
 * Long tracks run in chunks of 1024 frames (11.9 s) with 64 frames of
 * context on each side, so memory beyond the result stays bounded.
 *
 * Nothing here uses GTK; strata_separator_run() only reads a
 * StrataSeparator, so one head serves several threads at once; training
 * writes it (one thread).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "strata-types.h"
#include "audio/strata-audio.h"
#include "model/strata-model.h"

G_BEGIN_DECLS

#define STRATA_SEPARATION_ARCHITECTURE "strata-separation"
#define STRATA_SEPARATION_DEFAULT_FILE "strata-separation.safetensors"

#define STRATA_SEPARATION_N_FFT 2048
#define STRATA_SEPARATION_HOP 512
#define STRATA_SEPARATION_N_FREQ (STRATA_SEPARATION_N_FFT / 2 + 1)
#define STRATA_SEPARATION_N_BANDS 128
/* The six stems, in the order of the head's outputs. */
#define STRATA_SEPARATION_N_STEMS 6

#define STRATA_SEPARATION_ERROR (strata_separation_error_quark ())
GQuark strata_separation_error_quark (void);

typedef enum {
  STRATA_SEPARATION_ERROR_INVALID,    /* a damaged or hostile weights file, bad options */
  STRATA_SEPARATION_ERROR_NOT_FOUND,  /* no default model */
  STRATA_SEPARATION_ERROR_FEATURES,   /* features missing or of the wrong width */
  STRATA_SEPARATION_ERROR_FAILED,     /* out of memory */
} StrataSeparationError;

/**
 * strata_separation_stem_name:
 * @index: 0..5
 *
 * Returns: (transfer none): "drums", "bass", "guitar", "piano", "vocals"
 *   or "other" (the corpus's stems/ file names).
 */
const char *strata_separation_stem_name (int index);
/* The index of a stem name, or -1. */
int         strata_separation_stem_index (const char *name);
/* The name of the residual stem of a subset: "rest". */
#define STRATA_SEPARATION_REST "rest"

/**
 * strata_separation_parse_stems:
 * @list: (nullable): comma-separated stem names ("vocals,drums"); %NULL
 *   or "all" means all six
 * @mask: (out): bit i set for stem i
 * @error: return location for a #GError
 *
 * Returns: %FALSE with %STRATA_SEPARATION_ERROR_INVALID naming an unknown
 *   or repeated stem.
 */
gboolean    strata_separation_parse_stems (const char *list, guint *mask, GError **error);

/* ------------------------------------------------------------ the head */

typedef struct {
  int embed;       /* encoder width (128) */
  int hidden;      /* GRU width a direction (128) */
  int decoder;     /* decoder width (256) */
  int features;    /* 1: fine and medium features are injected */
  int fine_dim;    /* widths of the foundation features (with features) */
  int medium_dim;
} StrataSeparationConfig;

void strata_separation_config_init (StrataSeparationConfig *config);

typedef struct _StrataSeparator StrataSeparator;

/**
 * strata_separator_new:
 * @config: the hyper-parameters
 * @seed: initialisation seed
 *
 * Returns: (transfer full) (nullable): a freshly initialised head, or
 *   %NULL when @config is out of range or memory runs out.
 */
StrataSeparator *strata_separator_new  (const StrataSeparationConfig *config, uint64_t seed);
/**
 * strata_separator_load:
 * @path: a strata-separation safetensors file
 * @error: return location for a #GError
 *
 * Reads the configuration from the metadata (each width checked against a
 * range), then every tensor with its shape; a damaged or hostile file, one
 * of another architecture or with non-finite weights gives
 * %STRATA_SEPARATION_ERROR_INVALID naming the file and the reason.
 *
 * Returns: (transfer full) (nullable): the head.
 */
StrataSeparator *strata_separator_load (const char *path, GError **error);
/**
 * strata_separation_dup_default_path:
 *
 * $STRATA_SEPARATION_MODEL_PATH when set, else the installed
 * strata-separation.safetensors, else the source tree's copy.
 *
 * Returns: (transfer full) (nullable): the first path that exists.
 */
char            *strata_separation_dup_default_path (void);
/* strata_separator_load() of the default path (NOT_FOUND when there is none). */
StrataSeparator *strata_separator_load_default (GError **error);
StrataSeparator *strata_separator_ref  (StrataSeparator *sep);
/* Drops a reference; the last one frees the head. NULL-safe. */
void             strata_separator_free (StrataSeparator *sep);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataSeparator, strata_separator_free)

const StrataSeparationConfig *strata_separator_get_config (const StrataSeparator *sep);
/* Returns: (transfer none): the path it was loaded from, or "" for a new one. */
const char *strata_separator_get_path    (const StrataSeparator *sep);
/* Returns: (transfer none): "strata-separation/1/<12 hex digits of the
 * weights' hash>", for cache keys. */
const char *strata_separator_get_version (const StrataSeparator *sep);
size_t      strata_separator_get_n_params (const StrataSeparator *sep);
/**
 * strata_separator_save:
 * @sep: the head
 * @path: destination (atomic, through the output writer)
 * @half: store F16 weights
 * @extra_metadata: (nullable): key, value, ..., %NULL
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success.
 */
gboolean    strata_separator_save (const StrataSeparator *sep, const char *path, gboolean half,
                                   const char *const *extra_metadata, GError **error);

/* ------------------------------------------------------------ separating */

typedef struct {
  guint stems;          /* bit i: stem i is wanted (0 = all six) */
  int   em_iterations;  /* multichannel Wiener EM iterations (1); 0: plain soft masks */
} StrataSeparationOptions;

void strata_separation_options_init (StrataSeparationOptions *options);

/* The result: @n stems, each 44.1 kHz stereo and as long as the mix, in
 * the head's order; a subset of fewer than six ends with "rest", all the
 * other stems together, so that the stems always sum to the mix. */
typedef struct {
  guint n;
  StrataAudio **stems;   /* (array length=n) */
  char **names;          /* (array length=n) (zero-terminated) */
} StrataStems;

/**
 * strata_separator_run:
 * @sep: the head
 * @audio: the mix (44.1 kHz stereo)
 * @fine: (nullable): (T, fine_dim) fine features at the head's frame rate,
 *   T = n_frames / 512 + 1 (with features only)
 * @medium: (nullable): (ceil (T / 4), medium_dim) medium features
 * @options: (nullable): stems and filtering; %NULL = defaults
 * @progress: (nullable): fraction done and the stage "separation-head"
 * @progress_data: its data
 * @abort_func: (nullable): checked between chunks
 * @abort_data: its data
 * @error: return location for a #GError
 *
 * Separates @audio chunk by chunk. A track shorter than one frame gives
 * stems of its length (silence in, silence out).
 *
 * Returns: (transfer full) (nullable): the stems, or %NULL with @error set
 *   (%G_IO_ERROR_CANCELLED when @abort_func stopped it).
 */
StrataStems *strata_separator_run (StrataSeparator *sep, StrataAudio *audio,
                                   const float *fine, const float *medium,
                                   const StrataSeparationOptions *options,
                                   StrataProgressFunc progress, void *progress_data,
                                   StrataAbortFunc abort_func, void *abort_data,
                                   GError **error);

/**
 * strata_stems_new:
 * @n: stem count
 * @n_frames: frames of each stem
 *
 * Returns: (transfer full) (nullable): @n silent stems with empty names,
 *   %NULL when memory runs out.
 */
StrataStems *strata_stems_new  (guint n, gint64 n_frames);
void         strata_stems_free (StrataStems *stems);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataStems, strata_stems_free)

/**
 * strata_stems_ideal_ratio_mask:
 * @mix: the mix
 * @refs: (array length=n): the true stems, each as long as @mix
 * @n: their count
 *
 * The ideal ratio mask, the ceiling of masking: each stem's magnitude over
 * the sum of the stems' magnitudes, a bin and channel, applied to the mix's
 * STFT (same STFT as the head).
 *
 * Returns: (transfer full) (nullable): the masked stems.
 */
StrataStems *strata_stems_ideal_ratio_mask (StrataAudio *mix, StrataAudio *const *refs, guint n);

/**
 * strata_sdr:
 * @ref: the true signal, interleaved
 * @est: the estimate, interleaved
 * @n: samples (frames x channels)
 *
 * Returns: 10 log10 (Σ ref² / Σ (ref − est)²) in dB, accumulated in
 *   double; +inf for an exact estimate of a non-silent reference, NAN for
 *   a silent reference.
 */
double strata_sdr (const float *ref, const float *est, gsize n);

G_END_DECLS
