/* strata-summary-private.h: fixed parameters of the summaries, shared with
 * the tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

/* Peaks: the finest level holds one min/max pair per 16 frames; each coarser
 * level pools 4 bins of the one below (16, 64, 256, ... frames per bin). */
#define STRATA_PEAKS_BASE 16
#define STRATA_PEAKS_FACTOR 4
#define STRATA_PEAKS_MAX_LEVELS 12
#define STRATA_PEAKS_FORMAT_VERSION 1

/* Spectrogram: STFT of the mono mix (periodic Hann, n_fft 2048, hop 512,
 * centred frames, zero padding), power mapped to 256 log-spaced bands from
 * 30 Hz to 20 kHz, in dB re full scale (a full-scale sine reads 0 dB), stored
 * as uint8: dB = -120 + 0.5 q, q in 0..255 (so -120 .. +7.5 dB). Time mip
 * levels pool 4 frames by max. */
#define STRATA_SPECGRAM_N_FFT 2048
#define STRATA_SPECGRAM_HOP 512
#define STRATA_SPECGRAM_N_BINS 256
#define STRATA_SPECGRAM_FMIN 30.0
#define STRATA_SPECGRAM_FMAX 20000.0
#define STRATA_SPECGRAM_DB_MIN (-120.0)
#define STRATA_SPECGRAM_DB_STEP 0.5
#define STRATA_SPECGRAM_FACTOR 4
#define STRATA_SPECGRAM_MAX_LEVELS 10
#define STRATA_SPECGRAM_FORMAT_VERSION 1
