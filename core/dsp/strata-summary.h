/* strata-summary.h: multi-resolution summaries that the timeline views draw
 * from (the views never compute DSP). Plain C, no GLib.
 *
 *  - StrataPeaks: min/max of the mono mix at several zoom levels.
 *  - StrataSpecgram: log-frequency dB spectrogram (STFT, FFTW3) with time
 *    mip levels.
 * Both serialise to a flat byte blob for the on-disk cache.
 *
 * Thread contract: built on a worker, read-only afterwards, readable from any
 * thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "strata-types.h"

typedef struct StrataPeaks StrataPeaks;

/* @samples (T, 2) interleaved stereo; the summary keeps no pointer to it.
 * Returns NULL when @abort fired (or on allocation failure). */
StrataPeaks *strata_peaks_new     (const float *samples, int64_t n_frames,
                                   StrataProgressFunc progress, StrataAbortFunc abort,
                                   void *user_data);
void         strata_peaks_free    (StrataPeaks *peaks);
int64_t      strata_peaks_get_n_frames (const StrataPeaks *peaks);
/* Fills @out_min/@out_max (n_px) for pixel columns starting at frame
 * @start_frame, @frames_per_px frames each; columns outside the audio get 0. */
void         strata_peaks_query   (const StrataPeaks *peaks, double start_frame,
                                   double frames_per_px, int n_px,
                                   float *out_min, float *out_max);
/* Serialised form for the cache; NULL on a malformed blob. */
void        *strata_peaks_serialize   (const StrataPeaks *peaks, size_t *out_size);
StrataPeaks *strata_peaks_deserialize (const void *blob, size_t size);

typedef struct StrataSpecgram StrataSpecgram;

StrataSpecgram *strata_specgram_new  (const float *samples, int64_t n_frames,
                                      StrataProgressFunc progress, StrataAbortFunc abort,
                                      void *user_data);
void   strata_specgram_free          (StrataSpecgram *spec);
int    strata_specgram_get_n_bins    (const StrataSpecgram *spec);    /* F */
int64_t strata_specgram_get_n_frames (const StrataSpecgram *spec);    /* T at the finest level */
double strata_specgram_get_frame_rate(const StrataSpecgram *spec);    /* frames per second */
/* Centre frequency of bin @f (Hz); bins go from low to high frequency. */
double strata_specgram_get_bin_freq  (const StrataSpecgram *spec, int f);
/* Fills @out_db (n_px, F) row-major: for each pixel column starting at
 * @start_s, @s_per_px seconds wide, the max dB over the frames it covers
 * (nearest frame when zoomed in). dB relative to full scale; columns outside
 * the audio get -120. */
void   strata_specgram_query         (const StrataSpecgram *spec, double start_s,
                                      double s_per_px, int n_px, float *out_db);
void           *strata_specgram_serialize   (const StrataSpecgram *spec, size_t *out_size);
StrataSpecgram *strata_specgram_deserialize (const void *blob, size_t size);
