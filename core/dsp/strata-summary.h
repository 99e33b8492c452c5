/* strata-summary.h: multi-resolution summaries that the timeline views draw
 * from (the views never compute DSP). Plain C, no GLib.
 *
 *  - StrataPeaks: min/max of the mono mix (L + R) / 2 at several zoom
 *    levels: 16, 64, 256, ... frames per bin. Zoomed in closer than 16
 *    frames per pixel, a column gets the min/max of the 16-frame bin it falls
 *    in; views that draw single samples read them from the StrataAudio.
 *  - StrataSpecgram: STFT of the mono mix (periodic Hann, n_fft 2048, hop
 *    512, frames centred on t * 512 with zero padding, so ~86.1 frames/s),
 *    power mapped to 256 log-spaced bands 30 Hz - 20 kHz (max over the FFT
 *    bins in a band; linear interpolation where a band is narrower than a
 *    bin), in dB re full scale (a full-scale sine reads 0 dB), stored as
 *    uint8 in 0.5 dB steps from -120 dB (the floor, also for silence) to
 *    +7.5 dB, with time mip levels pooling 4 frames by max.
 * Parameters: dsp/strata-summary-private.h.
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
/* Serialised form for the cache: versioned little-endian header, exact
 * length; deserialize returns NULL on any malformed blob (never crashes).
 * serialize returns malloc'd memory (free()) or NULL on allocation failure. */
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
