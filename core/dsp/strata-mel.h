/* strata-mel.h: mel filterbank and log-mel spectrogram, the foundation
 * model's input. Plain C (libc, libm, FFTW3f through strata-stft).
 *
 * Mel scale and filters: Slaney's, as in M. Slaney, "Auditory Toolbox,
 * Version 2", Interval Research Corporation, Technical Report #1998-010
 * (1998), and librosa.filters.mel(htk=False, norm="slaney"):
 *   mel(f) = f / (200 / 3)                                  for f <  1000 Hz
 *   mel(f) = 15 + ln (f / 1000) / (ln (6.4) / 27)            for f >= 1000 Hz
 * M + 2 points equally spaced in mel between fmin and fmax give M triangular
 * filters over linear frequency (FFT bin k at k * sr / n_fft), each scaled by
 * 2 / (f[m + 2] - f[m]) (equal area, "slaney" normalisation).
 * The HTK scale (mel = 2595 log10 (1 + f / 700), unnormalised triangles, as in
 * the HTK Book, Young et al.) is available with STRATA_MEL_HTK.
 *
 * Log-mel: power spectrum |X|^2 of strata-stft (periodic Hann, centred frames,
 * zero padding, unnormalised FFT), times the filterbank, then
 * ln (max (mel, log_floor)).
 *
 * Thread contract: a StrataMelBank is immutable after creation and may be
 * shared by threads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef enum {
  STRATA_MEL_SLANEY,   /* Slaney scale + area-normalised triangles (default) */
  STRATA_MEL_HTK,      /* HTK scale, peak-1 triangles */
} StrataMelVariant;

typedef struct {
  int    sample_rate;  /* 44100 */
  int    n_fft;        /* 2048 */
  int    hop;          /* 512: 44100 / 512 = ~86.1 frames/s */
  int    n_mels;       /* 128 (M) */
  double fmin;         /* 0 Hz */
  double fmax;         /* sample_rate / 2 */
  StrataMelVariant variant; /* STRATA_MEL_SLANEY */
  double log_floor;    /* 1e-10: ln (max (mel, log_floor)) */
} StrataMelConfig;

/* Fills @config with the defaults above. */
void strata_mel_config_init (StrataMelConfig *config);

/* Mel value of @hz, and back, on the given scale. */
double strata_mel_from_hz (double hz, StrataMelVariant variant);
double strata_hz_from_mel (double mel, StrataMelVariant variant);

typedef struct StrataMelBank StrataMelBank;

/**
 * strata_mel_bank_new:
 * @config: the front-end configuration (copied)
 *
 * Returns: (transfer full) (nullable): the filterbank, or NULL when the
 * configuration is invalid (n_mels < 1, fmax <= fmin, fmax > sr / 2, ...).
 */
StrataMelBank *strata_mel_bank_new      (const StrataMelConfig *config);
void           strata_mel_bank_free     (StrataMelBank *bank);
/* (transfer none): the weights, (M, F) row-major, F = n_fft / 2 + 1. */
const float   *strata_mel_bank_get_weights (const StrataMelBank *bank);
int            strata_mel_bank_get_n_mels  (const StrataMelBank *bank);   /* M */
int            strata_mel_bank_get_n_bins  (const StrataMelBank *bank);   /* F */

/* @power (T, F) -> @mel (T, M): mel = power x weights^T. */
void strata_mel_bank_apply (const StrataMelBank *bank, const float *power, int64_t n_frames,
                            float *mel);

/* T = n_samples / hop + 1 */
int64_t strata_log_mel_get_n_frames (const StrataMelBank *bank, int64_t n_samples);

/**
 * strata_log_mel:
 * @bank: the filterbank (its config gives n_fft and hop)
 * @x: (array length=n_samples): mono signal at config->sample_rate
 * @n_samples: n
 * @out: (out caller-allocates): (T, M) log-mel, T from strata_log_mel_get_n_frames()
 *
 * Returns: false on allocation failure.
 */
bool strata_log_mel (const StrataMelBank *bank, const float *x, int64_t n_samples,
                     float *out);
