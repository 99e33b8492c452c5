/* strata-separation-task.h: the separation as a task of core/tasks (DESIGN
 * §3, §6b): decode (only on a miss), the foundation features when the head
 * injects them (the features task, nested on the same context and cache),
 * the head, the Wiener filter and the inverse STFT; cached keyed by the
 * track's content hash + the head's version (+ the foundation model's) +
 * the stems asked for and the filter's iterations.
 *
 * The window runs it with strata_task_run_async() on the compute queue,
 * with the head from the registry (%strata_separation_model_kind):
 *
 *   StrataSeparationTaskInput *in = strata_separation_task_input_new (
 *       head, foundation, path, hash, audio, NULL);
 *   strata_task_run_async (engine, &strata_separation_task, in,
 *                          (GDestroyNotify) strata_separation_task_input_free, c,
 *                          callback, data);
 *
 * and gives what strata_task_run_finish() returns (a StrataStems) to the
 * stem lanes through strata_stems_get(): `StrataAudio *const *stems,
 * const char *const *names, guint n`.
 *
 * Results up to STRATA_SEPARATION_CACHE_MAX_BYTES of samples (six stems of
 * about four minutes) are cached; longer ones are computed each time, so
 * that the cache does not hold gigabytes a track.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tasks/strata-head-task.h"
#include "tasks/strata-task.h"
#include "tasks/strata-model-registry.h"
#include "tasks/separation/strata-separation.h"

G_BEGIN_DECLS

#define STRATA_SEPARATION_CACHE_KIND "separation"
#define STRATA_SEPARATION_CACHE_VERSION 1
#define STRATA_SEPARATION_CACHE_MAX_BYTES ((gsize) 256 << 20)

/* The head as a registry model kind ("separation"). */
extern const StrataModelKind strata_separation_model_kind;

typedef struct {
  StrataSeparator *head;
  StrataModel *foundation;         /* (nullable) required when the head takes features */
  const char *path;                /* the file, decoded on a miss when @audio is NULL */
  const char *hash;                /* its content hash */
  StrataAudio *audio;              /* (nullable) already decoded */
  StrataSeparationOptions options; /* part of the key */
} StrataSeparationTaskInput;

/* Input: StrataSeparationTaskInput; result: StrataStems (strata_stems_free).
 * Stages "separation" (and "decode" and the features task's when they run)
 * and "separation-head". */
extern const StrataTaskKind strata_separation_task;

/**
 * strata_separation_task_input_new:
 * @head: the head (a reference is taken)
 * @foundation: (nullable): the foundation model (a reference is taken)
 * @path: the file (copied)
 * @hash: its content hash (copied)
 * @audio: (nullable): the decoded file (a reference is taken)
 * @options: (nullable): %NULL = all six stems, one EM iteration
 *
 * Returns: (transfer full): an input that owns what it points to; free
 *   with strata_separation_task_input_free()
 */
StrataSeparationTaskInput *strata_separation_task_input_new (StrataSeparator *head,
                                                             StrataModel *foundation,
                                                             const char *path,
                                                             const char *hash,
                                                             StrataAudio *audio,
                                                             const StrataSeparationOptions *options);
void strata_separation_task_input_free (StrataSeparationTaskInput *input);

/**
 * strata_stems_get:
 * @stems: a result
 * @names: (out) (optional) (transfer none): the stems' names
 *
 * Returns: (transfer none): the stems, as the stem lanes take them
 *   (@stems->n of them).
 */
StrataAudio *const *strata_stems_get (const StrataStems *stems, const char *const **names);

/* The cache key: track hash, head version, foundation version (with
 * features), stems and iterations. */
char        *strata_separation_dup_cache_key (const StrataSeparationTaskInput *input);
/**
 * strata_stems_to_bytes:
 * @stems: a result
 *
 * Returns: (transfer full) (nullable): "SSEP", a version, the count, the
 *   frames, the names and the F32 samples, little endian; %NULL when the
 *   samples pass STRATA_SEPARATION_CACHE_MAX_BYTES.
 */
GBytes      *strata_stems_to_bytes   (const StrataStems *stems);
/**
 * strata_stems_from_bytes:
 * @bytes: a payload (or anything else)
 * @n_frames: the frames each stem must have, or -1 for any
 * @error: return location for a #GError (%STRATA_SEPARATION_ERROR_INVALID)
 *
 * Checks the magic, version, count (1..7), names (known, distinct), the
 * size against the frames and that every sample is finite.
 *
 * Returns: (transfer full) (nullable): the stems
 */
StrataStems *strata_stems_from_bytes (GBytes *bytes, gint64 n_frames, GError **error);

/* The default head, all six stems, from a track (the window's road). */
extern const StrataHeadTask strata_separation_head_task;

G_END_DECLS
