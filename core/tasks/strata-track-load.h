/* strata-track-load.h: opening a track as tasks (DESIGN §3): the content
 * hash, the decode, the waveform peaks and the spectrogram. The summaries
 * are cached (keyed by the file's content hash); the load itself is not
 * (the decoded audio is the largest thing and quick to remake).
 *
 * Progress of a load: hash 0-5 %, decode 5-70 %, peaks 70-73 %,
 * spectrogram 73-100 %. Stage names: "hash", "decode", "peaks",
 * "spectrogram".
 *
 * Threading contract: the task kinds run on any one thread; the async
 * functions are called on the thread that owns the engine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tasks/strata-task.h"
#include "tasks/strata-track.h"

G_BEGIN_DECLS

/* The input of the summary kinds. */
typedef struct {
  const char *hash;       /* the file's content hash: the cache key */
  StrataAudio *audio;
} StrataSummaryInput;

/* Input: const char *path; result: StrataTrack (strata_track_unref). */
extern const StrataTaskKind strata_track_load_task;
/* Input: const char *path; result: StrataAudio (strata_audio_unref); never
 * cached. */
extern const StrataTaskKind strata_decode_task;
/* Input: StrataSummaryInput; results StrataPeaks / StrataSpecgram. */
extern const StrataTaskKind strata_peaks_task;
extern const StrataTaskKind strata_specgram_task;
/* Input: StrataSummaryInput; result StrataBeats (strata_beats_free). */
extern const StrataTaskKind strata_beats_task;

char        *strata_task_hash_file     (const char               *path,
                                        const StrataTaskContext  *ctx,
                                        GError                  **error);

void         strata_track_load_async   (StrataEngine        *engine,
                                        const char          *path,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
StrataTrack *strata_track_load_finish  (StrataEngine        *engine,
                                        GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
