/* strata-waveform-lane.h: min/max waveform of the mono mix (StrataPeaks),
 * given by strata_waveform_lane_set_peaks().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "audio/strata-audio.h"
#include "dsp/strata-summary.h"
#include "strata-lane.h"

G_BEGIN_DECLS

#define STRATA_TYPE_WAVEFORM_LANE (strata_waveform_lane_get_type ())
G_DECLARE_FINAL_TYPE (StrataWaveformLane, strata_waveform_lane, STRATA, WAVEFORM_LANE, StrataLane)

/* The waveform's colour (tests look for it): #3584e4, GNOME blue 3. */
#define STRATA_WAVEFORM_R 0x35
#define STRATA_WAVEFORM_G 0x84
#define STRATA_WAVEFORM_B 0xe4

/* Column buffers of strata_waveform_paint(), kept by the lane. */
typedef struct {
  float *min;   /* (n_px) */
  float *max;
  int n_px;
} StrataWaveformScratch;

void               strata_waveform_paint          (StrataWaveformScratch *scratch,
                                                   cairo_t               *cr,
                                                   const StrataPeaks     *peaks,
                                                   StrataAudio           *audio,
                                                   int                    width,
                                                   int                    height,
                                                   double                 start_s,
                                                   double                 s_per_px,
                                                   const double           rgb[3]);
void               strata_waveform_scratch_clear  (StrataWaveformScratch *scratch);

StrataLane        *strata_waveform_lane_new       (void);
/* Draws @peaks (borrowed: @owner keeps them alive until @owner_free), with
 * @audio's samples when zoomed in closer than the summary. */
void               strata_waveform_lane_set_peaks (StrataWaveformLane *self,
                                                   const StrataPeaks  *peaks,
                                                   StrataAudio        *audio,
                                                   gpointer            owner,
                                                   GDestroyNotify      owner_free);
const StrataPeaks *strata_waveform_lane_get_peaks (StrataWaveformLane *self);

G_END_DECLS
