/* strata-stem-lane.h: one stem in the timeline: its waveform (peaks from
 * core/dsp/strata-summary, computed off the main thread by the lane's
 * owner and handed over with strata_stem_lane_set_peaks()) and, in the
 * label column, its name, mute and solo toggles, gain (dB) and pan, and
 * whether Export Stems includes it.
 *
 * The controls are the lane's properties "gain-db", "pan", "mute", "solo"
 * and "selected" (notified on change, whether from the header widgets or
 * from code); the owner passes them on to the playback mix. Every control
 * takes the keyboard (Tab to it; Space toggles, arrows change the gain and
 * the pan). The lane keeps nothing across tracks: strata_stem_lane_reset()
 * gives it a new stem with default controls.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "audio/strata-audio.h"
#include "dsp/strata-summary.h"
#include "strata-lane.h"

G_BEGIN_DECLS

#define STRATA_TYPE_STEM_LANE (strata_stem_lane_get_type ())
G_DECLARE_FINAL_TYPE (StrataStemLane, strata_stem_lane, STRATA, STEM_LANE, StrataLane)

StrataLane  *strata_stem_lane_new          (void);
/* A new stem: @id (the playback mix's channel id), its display @name and
 * stem @family ("drums", ..., "other": the waveform's colour); controls at
 * 0 dB, centre, not muted, soloed or selected; no peaks yet. */
void         strata_stem_lane_reset        (StrataStemLane *self,
                                            const char     *id,
                                            const char     *name,
                                            const char     *family);
const char  *strata_stem_lane_get_id       (StrataStemLane *self);
const char  *strata_stem_lane_get_family   (StrataStemLane *self);
/* @peaks: (transfer full) (nullable); @audio: (nullable) its samples. */
void         strata_stem_lane_set_peaks    (StrataStemLane *self,
                                            StrataPeaks    *peaks,
                                            StrataAudio    *audio);
gboolean     strata_stem_lane_has_peaks    (StrataStemLane *self);
/* The waveform colour of @family (0..1 each). */
void         strata_stem_family_rgb        (const char     *family,
                                            double          rgb[3]);

double       strata_stem_lane_get_gain_db  (StrataStemLane *self);
void         strata_stem_lane_set_gain_db  (StrataStemLane *self, double gain_db);
double       strata_stem_lane_get_pan      (StrataStemLane *self);
void         strata_stem_lane_set_pan      (StrataStemLane *self, double pan);
gboolean     strata_stem_lane_get_mute     (StrataStemLane *self);
void         strata_stem_lane_set_mute     (StrataStemLane *self, gboolean mute);
gboolean     strata_stem_lane_get_solo     (StrataStemLane *self);
void         strata_stem_lane_set_solo     (StrataStemLane *self, gboolean solo);
gboolean     strata_stem_lane_get_selected (StrataStemLane *self);
void         strata_stem_lane_set_selected (StrataStemLane *self, gboolean selected);

G_END_DECLS
