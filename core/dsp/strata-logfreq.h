/* strata-logfreq.h: the log-frequency spectrogram shared by the
 * transcription head and the foundation model's log-frequency front end.
 * Plain C (libc, libm, FFTW3f through strata-stft).
 *
 * 44.1 kHz mono, a periodic-Hann 4096-point STFT with hop 512 (86.13
 * frames/s, centred frames, zero padding), folded into 264 bins a third of
 * a semitone apart, MIDI 20.67 .. 108.33 (bin 3 p + 1 sits on pitch
 * 21 + p, A0 .. C8). Below about 180 Hz the FFT resolves less than a
 * semitone, so a bin reads the power spectrum interpolated at its centre
 * frequency; above, it is the triangular-weighted (in log frequency) mean
 * of the FFT bins within a third of a semitone of its centre. Values are
 * dB against a full-scale sine on a bin centre, clamped at -100 dB and
 * mapped to (dB + 50) / 25, so silence is STRATA_LOGFREQ_SILENCE.
 *
 * Thread contract: every function may be called from any thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdint.h>

#define STRATA_LOGFREQ_SAMPLE_RATE 44100
#define STRATA_LOGFREQ_N_FFT 4096
#define STRATA_LOGFREQ_HOP 512
#define STRATA_LOGFREQ_MIN_PITCH 21            /* A0 */
#define STRATA_LOGFREQ_N_PITCHES 88            /* .. C8 */
#define STRATA_LOGFREQ_BINS_PER_SEMITONE 3
#define STRATA_LOGFREQ_N_BINS (STRATA_LOGFREQ_N_PITCHES * STRATA_LOGFREQ_BINS_PER_SEMITONE)
/* The value of a silent bin (-100 dB). */
#define STRATA_LOGFREQ_SILENCE (-2.0f)

/* T = n_samples / 512 + 1 (0 samples give one frame). */
int64_t strata_logfreq_get_n_frames (int64_t n_samples);

/**
 * strata_logfreq:
 * @mono: (array length=n_samples): mono samples at 44.1 kHz
 * @n_samples: their count (>= 0)
 * @n_frames: (out): T, from strata_logfreq_get_n_frames()
 *
 * Returns: (transfer full) (nullable): (T, 264) floats, row-major, to
 *   release with free(); NULL when memory runs out.
 */
float *strata_logfreq (const float *mono, int64_t n_samples, int *n_frames);
