/* strata-track.h: an opened track: its decoded audio, file facts, content hash
 * and the summaries the timeline draws. Immutable once delivered by the
 * engine; shared by reference count; readable from any thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include "audio/strata-audio.h"
#include "analysis/strata-beats.h"
#include "dsp/strata-summary.h"

G_BEGIN_DECLS

typedef struct _StrataTrack StrataTrack;

/**
 * strata_track_new:
 * @path: the file the track was read from
 * @info: (nullable): its probed facts (deep-copied)
 * @hash: hex SHA-256 of the file's bytes
 * @audio: (transfer none): the decoded audio (a reference is taken)
 * @peaks: (transfer full): waveform summary of @audio
 * @specgram: (transfer full): spectrogram summary of @audio
 *
 * Bundles the parts; the engine's load job uses it, and tests and the UI may
 * build tracks from audio they made. (transfer full)
 */
StrataTrack            *strata_track_new          (const char             *path,
                                                   const StrataAudioInfo  *info,
                                                   const char             *hash,
                                                   StrataAudio            *audio,
                                                   StrataPeaks            *peaks,
                                                   StrataSpecgram         *specgram);

StrataTrack            *strata_track_ref          (StrataTrack *track);
void                    strata_track_unref        (StrataTrack *track);
const char             *strata_track_get_path     (const StrataTrack *track);
/* Native facts of the file (rate, channels, format). */
const StrataAudioInfo  *strata_track_get_info     (const StrataTrack *track);
/* Hex SHA-256 of the file's bytes: the cache key of everything derived. */
const char             *strata_track_get_hash     (const StrataTrack *track);
StrataAudio            *strata_track_get_audio    (const StrataTrack *track);   /* (transfer none) */
const StrataPeaks      *strata_track_get_peaks    (const StrataTrack *track);
const StrataSpecgram   *strata_track_get_specgram (const StrataTrack *track);
/* Tempo, beats and bar lines; NULL when they could not be found. Set once,
 * by the load, before the track is handed out. */
const StrataBeats      *strata_track_get_beats    (const StrataTrack *track);
void                    strata_track_set_beats    (StrataTrack *track, StrataBeats *beats);
double                  strata_track_get_duration (const StrataTrack *track);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataTrack, strata_track_unref)

G_END_DECLS
