/* strata-stft.h: short-time Fourier transform and its inverse, on FFTW3
 * single-precision real-to-complex plans. Plain C (libc, libm, FFTW3f).
 *
 * Conventions (the same as librosa's stft(center=True, pad_mode="constant")):
 *  - Frame t (0 <= t < T) is centred on sample t * hop: it covers samples
 *    [t * hop - n_fft / 2, t * hop + n_fft / 2). Samples outside [0, n) read
 *    as zero (zero padding, not reflection).
 *  - T = n / hop + 1 (integer division), F = n_fft / 2 + 1.
 *  - X[t, k] = sum_m w[m] x[t * hop - n_fft / 2 + m] exp (-2 pi i k m / n_fft),
 *    unnormalised (FFTW's forward sign), so a full-scale sine of amplitude 1 at
 *    a bin centre has |X| = sum (w) / 2.
 *  - Spectra are stored (T, F, 2): re, im interleaved (fftwf_complex layout).
 *  - The inverse is the weighted overlap-add with window-sum normalisation
 *    (Griffin & Lim 1984): y[n] = sum_t w[m] ifft (X_t)[m] / sum_t w[m]^2 where
 *    m = n - t * hop + n_fft / 2. It reconstructs x exactly when
 *    sum_t w^2 > 0 everywhere, i.e. for hop <= n_fft / 2 with a Hann window.
 *
 * Thread contract: a StrataStft is immutable after strata_stft_new() and may be
 * used by several threads at once; each thread needs its own
 * StrataStftScratch for the frame-wise call. Plan creation is serialised
 * internally (FFTW's planner is not thread-safe).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include "dsp/strata-window-fn.h"

typedef struct StrataStft StrataStft;
typedef struct StrataStftScratch StrataStftScratch;

/**
 * strata_stft_new:
 * @n_fft: FFT size (even, >= 2)
 * @hop: hop size in samples (1 <= hop <= n_fft)
 * @window: analysis (and synthesis) window, periodic form
 *
 * Returns: (transfer full) (nullable): a new STFT, or NULL on bad arguments
 * or allocation failure. Free with strata_stft_free().
 */
/* FFTW's planner keeps global state and is not thread-safe: every
 * fftwf_plan_* and fftwf_destroy_plan call in Strata goes between these two
 * (executing an existing plan on new arrays needs no lock). */
void strata_fftw_planner_lock   (void);
void strata_fftw_planner_unlock (void);

StrataStft *strata_stft_new          (int n_fft, int hop, StrataWindowFn window);
void        strata_stft_free         (StrataStft *stft);
int         strata_stft_get_n_fft    (const StrataStft *stft);
int         strata_stft_get_hop      (const StrataStft *stft);
/* F = n_fft / 2 + 1 */
int         strata_stft_get_n_bins   (const StrataStft *stft);
/* T = n_samples / hop + 1 (centre convention); 0 for n_samples < 0. */
int64_t     strata_stft_get_n_frames (const StrataStft *stft, int64_t n_samples);
/* (transfer none): the window, n_fft values. */
const float *strata_stft_get_window  (const StrataStft *stft);

/**
 * strata_stft_forward:
 * @stft: the transform
 * @x: (array length=n_samples): mono signal
 * @n_samples: its length n (>= 0)
 * @spec: (out caller-allocates): (T, F, 2) complex spectrum, T from
 *   strata_stft_get_n_frames()
 *
 * Returns: false on allocation failure.
 */
bool strata_stft_forward (const StrataStft *stft, const float *x, int64_t n_samples,
                          float *spec);

/**
 * strata_stft_inverse:
 * @stft: the transform
 * @spec: (T, F, 2) complex spectrum
 * @n_frames: T
 * @n_samples: length n of the signal to produce
 * @y: (out caller-allocates): n samples
 *
 * Weighted overlap-add; samples no frame covers with a non-zero window
 * (sum w^2 < 1e-8) are set to 0.
 *
 * Returns: false on allocation failure.
 */
bool strata_stft_inverse (const StrataStft *stft, const float *spec, int64_t n_frames,
                          int64_t n_samples, float *y);

/* Per-thread scratch for strata_stft_frame_power(). */
StrataStftScratch *strata_stft_scratch_new  (const StrataStft *stft);
void               strata_stft_scratch_free (StrataStftScratch *scratch);

/**
 * strata_stft_frame_power:
 * @stft: the transform
 * @scratch: this thread's scratch
 * @frame: n_fft samples, not yet windowed
 * @power: (out caller-allocates): F values |X[k]|^2 (unnormalised)
 *
 * One frame: window, real FFT, squared magnitude.
 */
void strata_stft_frame_power (const StrataStft *stft, StrataStftScratch *scratch,
                              const float *frame, float *power);
