/* bench-transcription-run.h: what the transcription benchmarks share: the
 * validation corpus's pieces and one timed transcription.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "audio/strata-audio.h"
#include "model/strata-model.h"
#include "tasks/transcription/strata-transcription.h"

G_BEGIN_DECLS

/* $STRATA_VALID_CORPUS, or /work/corpora/valid-tim when unset or empty. */
const char *bench_valid_corpus (void);

/**
 * bench_list_pieces:
 * @corpus: a folder from `strata-cli corpus render`
 *
 * Returns: (transfer full) (element-type utf8): the names of its piece
 *   folders that hold notes.csv and mix.flac, sorted (empty when @corpus
 *   cannot be read).
 */
GPtrArray  *bench_list_pieces  (const char *corpus);

/**
 * bench_load_piece:
 * @corpus: the corpus folder
 * @name: a piece of bench_list_pieces()
 * @ref: (out) (transfer full): the pitched notes of its notes.csv
 * @audio: (out) (transfer full): its decoded mix.flac
 * @error: return location for a #GError
 *
 * Returns: %TRUE, or %FALSE with @error naming the file.
 */
gboolean    bench_load_piece   (const char *corpus, const char *name, GArray **ref,
                                StrataAudio **audio, GError **error);

/**
 * bench_transcribe:
 * @tr: the head
 * @foundation: (nullable): the foundation model, when @tr injects features
 * @audio: the track
 * @seconds: (out): wall time from the front end to the decoded notes
 * @error: return location for a #GError
 *
 * Strata's notes of @audio with the default decoding options.
 *
 * Returns: (transfer full) (element-type StrataTimedNote) (nullable): the notes.
 */
GArray *bench_transcribe (StrataTranscriber *tr, StrataModel *foundation, StrataAudio *audio,
                          double *seconds, GError **error);

G_END_DECLS
