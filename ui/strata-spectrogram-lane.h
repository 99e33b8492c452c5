/* strata-spectrogram-lane.h: log-frequency dB spectrogram (StrataSpecgram,
 * given by strata_spectrogram_lane_set_specgram()) in the magma colour map,
 * with a frequency axis.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "dsp/strata-summary.h"
#include "strata-lane.h"

G_BEGIN_DECLS

#define STRATA_TYPE_SPECTROGRAM_LANE (strata_spectrogram_lane_get_type ())
G_DECLARE_FINAL_TYPE (StrataSpectrogramLane, strata_spectrogram_lane, STRATA, SPECTROGRAM_LANE, StrataLane)

StrataLane *strata_spectrogram_lane_new (void);

/* Draws @spec (borrowed: @owner keeps it alive until @owner_free). */
void                  strata_spectrogram_lane_set_specgram (StrataSpectrogramLane *self,
                                                            const StrataSpecgram  *spec,
                                                            gpointer               owner,
                                                            GDestroyNotify         owner_free);
const StrataSpecgram *strata_spectrogram_lane_get_specgram (StrataSpectrogramLane *self);

/* Vertical position (0 = top) of @hz in a lane @height pixels tall; -1 when
 * out of range or no spectrogram. */
double strata_spectrogram_lane_freq_to_y (StrataSpectrogramLane *self, double hz, int height);

/* Frequency (Hz) shown at @y in a lane @height pixels tall; -1 without a
 * spectrogram. */
double strata_spectrogram_lane_y_to_freq (StrataSpectrogramLane *self, double y, int height);

/* What lies under the pointer at (@x, @y), for the tooltip: time, frequency
 * and the nearest note, e.g. "0:12.345 · 440 Hz · A4". (transfer full) (nullable) */
char  *strata_spectrogram_lane_describe_point (StrataSpectrogramLane *self, double x, double y);

G_END_DECLS
