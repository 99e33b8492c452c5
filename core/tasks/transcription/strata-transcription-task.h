/* strata-transcription-task.h: the transcription as a task of core/tasks
 * (DESIGN §3, §6b): decode (only on a miss), the foundation features when
 * the head injects them (the features task, nested on the same context and
 * cache), the front end, the head, decoding and the tempo; cached keyed by
 * the track's content hash + the head's version (+ the foundation model's)
 * + the decoding options.
 *
 * The window's piano-roll lane runs it with strata_task_run_async() on the
 * compute queue from a StrataTaskSlot (ui/strata-task-slot.h) embedded in
 * the lane, with the head and foundation model from the registry
 * (strata_model_registry_get_async() with
 * %strata_transcription_model_kind) and the track's path, hash and audio:
 *
 *   GCancellable *c = strata_task_slot_restart (&lane->slot);
 *   StrataTranscriptionTaskInput *in = strata_transcription_task_input_new (
 *       head, foundation, path, hash, audio, &options);
 *   strata_task_run_async (engine, &strata_transcription_task, in,
 *                          (GDestroyNotify) strata_transcription_task_input_free, c,
 *                          strata_task_slot_ready,
 *                          strata_task_slot_bind (&lane->slot, lane, on_notes));
 *
 * on_notes() (a StrataTaskSlotFunc) always takes the result with
 * strata_task_run_finish() (a StrataTranscription: free it with
 * strata_transcription_free()) and shows it only when @current; a new
 * track or new options restart the slot, which cancels the job under way.
 * The input holds references, so the lane may drop its track while the
 * job runs; the main thread never waits on it. `strata-cli transcribe`
 * calls strata_task_run() with the same kind and cache folder, so either
 * reads what the other computed.
 *
 * Threading contract: the kind is immutable; the head and foundation
 * model are read-only while they run (one set of activations a run), so
 * the registry's shared copies serve every thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tasks/strata-head-task.h"
#include "tasks/strata-task.h"
#include "tasks/strata-model-registry.h"
#include "tasks/transcription/strata-transcription.h"

G_BEGIN_DECLS

#define STRATA_TRANSCRIPTION_CACHE_KIND "transcription"
#define STRATA_TRANSCRIPTION_CACHE_VERSION 1

/* The head as a registry model kind ("transcription"): loaded once a file
 * and shared (strata_transcriber_load(), the default path when NULL). */
extern const StrataModelKind strata_transcription_model_kind;

/* The input of strata_transcription_task (see
 * strata_transcription_task_input_new() for one that owns its parts). */
typedef struct {
  StrataTranscriber *head;
  StrataModel *foundation;      /* (nullable) required when the head takes features */
  const char *path;             /* the file, decoded on a miss when @audio is NULL */
  const char *hash;             /* its content hash */
  StrataAudio *audio;           /* (nullable) already decoded */
  StrataDecodeOptions options;  /* part of the key */
} StrataTranscriptionTaskInput;

/* The result: the notes, sorted, and the estimated tempo. */
typedef struct {
  GArray *notes;                /* (element-type StrataTimedNote) */
  double tempo_bpm;
} StrataTranscription;

/* Input: StrataTranscriptionTaskInput; result: StrataTranscription
 * (strata_transcription_free). Stages "transcription" (and "decode" and the
 * features task's when they run), "transcription-input",
 * "transcription-head", "transcription-notes". */
extern const StrataTaskKind strata_transcription_task;

/**
 * strata_transcription_task_input_new:
 * @head: the head (a reference is taken)
 * @foundation: (nullable): the foundation model (a reference is taken)
 * @path: the file (copied)
 * @hash: its content hash (copied)
 * @audio: (nullable): the decoded file (a reference is taken)
 * @options: (nullable): decoding options; %NULL = defaults
 *
 * An input for strata_task_run_async() that owns what it points to.
 *
 * Returns: (transfer full): the input; free with
 *   strata_transcription_task_input_free()
 */
StrataTranscriptionTaskInput *strata_transcription_task_input_new (StrataTranscriber *head,
                                                                   StrataModel *foundation,
                                                                   const char *path,
                                                                   const char *hash,
                                                                   StrataAudio *audio,
                                                                   const StrataDecodeOptions *options);
void strata_transcription_task_input_free (StrataTranscriptionTaskInput *input);

/**
 * strata_transcription_dup_cache_key:
 * @input: an input
 *
 * Returns: (transfer full): the hex digest of the track's hash, the head's
 *   version, the foundation model's version (when the head takes features)
 *   and the decoding options (exact bits)
 */
char   *strata_transcription_dup_cache_key (const StrataTranscriptionTaskInput *input);

/**
 * strata_transcription_to_bytes:
 * @result: a result
 *
 * The cache payload: "STRN", a version, the tempo and the notes, little
 * endian.
 *
 * Returns: (transfer full): the bytes
 */
GBytes *strata_transcription_to_bytes   (const StrataTranscription *result);
/**
 * strata_transcription_from_bytes:
 * @bytes: a payload (or anything else)
 * @error: return location for a #GError (%STRATA_TRANSCRIPTION_ERROR_INVALID)
 *
 * Reads a payload back, checking everything: the magic and version, the
 * size against the note count, a finite tempo in (0, 1000], each note's
 * finite times with 0 <= onset < offset, pitch 21..108, velocity 1..127.
 *
 * Returns: (transfer full) (nullable): the result, or %NULL with @error set
 */
StrataTranscription *strata_transcription_from_bytes (GBytes *bytes, GError **error);
void    strata_transcription_free       (StrataTranscription *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataTranscription, strata_transcription_free)

/* The default head with default decoding, from a track (the window's road). */
extern const StrataHeadTask strata_transcription_head_task;

G_END_DECLS
