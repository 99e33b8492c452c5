/* strata-beats.h: tempo, beats and bar lines of a track, for the
 * timeline's beat grid and for snapping selections to it.
 *
 * From the mono mix: an onset-strength curve (half-wave rectified flux of a
 * 40-band log-mel spectrogram, 100 frames/s), the tempo from its
 * autocorrelation weighted towards 120 BPM, the beats by dynamic
 * programming (each beat an onset peak, consecutive beats close to one
 * period apart), then the metre (3 or 4 beats a bar) and the bar lines from
 * where the low-frequency onsets (bass, kick) fall in the bar.
 *
 * GLib only; no GTK.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include "strata-types.h"

G_BEGIN_DECLS

/* Onset curve rate (frames per second). */
#define STRATA_BEATS_RATE 100
/* Tempo range searched, BPM. */
#define STRATA_BEATS_MIN_BPM 50.0
#define STRATA_BEATS_MAX_BPM 220.0

typedef struct {
  double  bpm;            /* 0 when no steady beat was found */
  double  confidence;     /* 0..1: how periodic the onsets are (autocorrelation peak) */
  int     beats_per_bar;  /* 3 or 4; 0 without beats */
  int     first_downbeat; /* index in @beats of the first bar line, 0 .. beats_per_bar - 1 */
  GArray *beats;          /* double, seconds, increasing; empty without a steady beat */
} StrataBeats;

StrataBeats *strata_beats_estimate (const float     *mono,
                                    gint64           n_samples,
                                    StrataAbortFunc  abort_func,
                                    gpointer         abort_data,
                                    GError         **error);
StrataBeats *strata_beats_estimate_stereo (const float     *samples,
                                           gint64           n_frames,
                                           StrataAbortFunc  abort_func,
                                           gpointer         abort_data,
                                           GError         **error);
void         strata_beats_free     (StrataBeats *beats);

/* The bar number (1-based) when beat @i starts a bar, else 0. */
int          strata_beats_bar_at   (const StrataBeats *beats, guint i);
/* The beat (or, with @bars, the bar line) nearest @t, when it is within
 * @max_distance seconds; else @t itself. */
double       strata_beats_snap     (const StrataBeats *beats,
                                    double             t,
                                    double             max_distance,
                                    gboolean           bars);

/* Compact bytes for the cache, and back (validated: NULL with @error on
 * anything out of range). */
GBytes      *strata_beats_to_bytes   (const StrataBeats *beats);
StrataBeats *strata_beats_from_bytes (GBytes *bytes, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataBeats, strata_beats_free)

G_END_DECLS
