/* strata-features-task.h: the foundation model's features as a task
 * (DESIGN §3, §4): strata_model_extract() with progress and cancel, cached
 * keyed by the track's content hash + model version + layer + condition;
 * the window's job then computes the maps the views draw
 * (strata-feature-maps.h) on the same worker.
 *
 * The cache payload is the model's own serialisation
 * (strata_features_to_bytes()), validated completely when read back (sizes,
 * ranges, finite values): a corrupt or hostile blob is recomputed, never a
 * crash.
 *
 * Threading contract: the async functions are called on the thread that
 * owns the engine (the main thread); the task and serialisation run on any
 * one thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "tasks/strata-task.h"
#include "tasks/strata-track.h"
#include "model/strata-model.h"
#include "analysis/strata-feature-maps.h"

G_BEGIN_DECLS

/* Cache entry kind and payload format version (the payload is
 * strata_features_to_bytes()): strata_features_task's name and version. */
#define STRATA_FEATURES_CACHE_KIND "features"
#define STRATA_FEATURES_CACHE_VERSION 3   /* 2: windows cross-faded; 3: section basis */

/* The input of strata_features_task. */
typedef struct {
  StrataModel *model;
  const char *path;               /* the file, decoded when @audio is NULL */
  const char *hash;               /* its content hash */
  StrataAudio *audio;             /* (nullable) already decoded */
  int layer;                      /* prior block, 0 for the model's default */
  const char *const *condition;   /* (nullable) tag names */
} StrataFeaturesInput;

/* Input: StrataFeaturesInput; result: StrataFeatures
 * (strata_features_unref). Stages "features" (and "decode" when the input
 * has no audio), then the model's: "spectrogram", "tokens", "coarse",
 * "medium", "fine". */
extern const StrataTaskKind strata_features_task;

/**
 * strata_features_from_cache:
 * @bytes: a cache payload (strata_features_to_bytes(), or anything else)
 * @error: return location for a #GError (%STRATA_MODEL_ERROR_INVALID)
 *
 * strata_features_new_from_bytes(), then the checks the views rely on:
 * every token in [0, K), every feature finite, rates and duration finite
 * and positive, T and D within sane limits. A corrupt or hostile blob is
 * an error, never a crash.
 *
 * Returns: (transfer full) (nullable): the features, or %NULL with @error set
 */
StrataFeatures *strata_features_from_cache (GBytes *bytes, GError **error);

/**
 * strata_features_dup_cache_key:
 * @track_hash: the track's content hash (hex)
 * @model_version: strata_model_get_version()
 * @layer: the prior block (already resolved: not 0)
 * @condition: (nullable) (array zero-terminated=1): tag names
 *
 * Returns: (transfer full): the hex SHA-256 of all four, the cache entry's
 *   hash (the entry kind is %STRATA_FEATURES_CACHE_KIND)
 */
char           *strata_features_dup_cache_key (const char *track_hash, const char *model_version,
                                               int layer, const char *const *condition);

/**
 * strata_features_job_async:
 * @engine: the engine to run on
 * @model: (transfer none): the model (a reference is taken)
 * @track: (transfer none): the track (a reference is taken)
 * @layer: prior block, 0 for the model's default
 * @condition: (nullable) (array zero-terminated=1): tag names (copied)
 * @cancellable: (nullable): cancels the job
 * @callback: called on the caller's main context
 * @user_data: data for @callback
 *
 * Runs %strata_features_task on the engine's compute queue (cache or
 * extract), then computes the maps there (stage "maps").
 */
void               strata_features_job_async  (StrataEngine        *engine,
                                               StrataModel         *model,
                                               StrataTrack         *track,
                                               int                  layer,
                                               const char *const   *condition,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);

/**
 * strata_features_job_finish:
 * @engine: the engine
 * @result: the result given to the callback
 * @error: return location for a #GError (%G_IO_ERROR_CANCELLED when
 *   cancelled; %STRATA_MODEL_ERROR for bad options or too short audio)
 *
 * Returns: (transfer full) (nullable): the maps (with their features)
 */
StrataFeatureMaps *strata_features_job_finish (StrataEngine  *engine,
                                               GAsyncResult  *result,
                                               GError       **error);

G_END_DECLS
