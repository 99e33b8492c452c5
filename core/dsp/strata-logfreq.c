/* strata-logfreq.c: the log-frequency spectrogram (see strata-logfreq.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/strata-logfreq.h"
#include "dsp/strata-stft.h"

#define NB STRATA_LOGFREQ_N_BINS
#define NFFT STRATA_LOGFREQ_N_FFT
#define HOP STRATA_LOGFREQ_HOP

typedef struct {
  int first, count;   /* FFT bins */
  float w[64];        /* weights; a third of a semitone never spans more */
} LogBin;

static LogBin bins[NB];
static pthread_once_t bins_once = PTHREAD_ONCE_INIT;

static double
bin_midi (int i)
{
  /* bin 1 of each semitone's three sits on the pitch */
  return STRATA_LOGFREQ_MIN_PITCH + (i - 1) / (double) STRATA_LOGFREQ_BINS_PER_SEMITONE;
}

static double
midi_hz (double m)
{
  return 440.0 * pow (2.0, (m - 69.0) / 12.0);
}

static void
make_bins (void)
{
  const double df = (double) STRATA_LOGFREQ_SAMPLE_RATE / NFFT;
  const double half = 1.0 / STRATA_LOGFREQ_BINS_PER_SEMITONE;   /* semitones */
  for (int i = 0; i < NB; i++)
    {
      const double m = bin_midi (i), fc = midi_hz (m);
      const double lo = midi_hz (m - half), hi = midi_hz (m + half);
      const int k0 = (int) ceil (lo / df), k1 = (int) floor (hi / df);
      const int n = k1 >= k0 ? k1 - k0 + 1 : 0;
      LogBin *b = &bins[i];
      if (n >= 2)
        {
          /* at most ~2.3 % of fc each side: 2 * 0.023 * 4186 Hz / 10.8 Hz < 64 */
          b->first = k0, b->count = n < 64 ? n : 64;
          double sum = 0;
          for (int j = 0; j < b->count; j++)
            {
              const double d = fabs (12.0 * log2 ((k0 + j) * df / fc)) / half;
              b->w[j] = (float) (d < 1.0 ? 1.0 - d : 0.0);
              sum += b->w[j];
            }
          for (int j = 0; j < b->count; j++)
            b->w[j] = (float) (b->w[j] / (sum > 0 ? sum : 1.0));
        }
      else
        {
          /* linear interpolation at the centre */
          const double pos = fc / df;
          const int k = (int) floor (pos);
          const double f = pos - k;
          b->first = k, b->count = 2;
          b->w[0] = (float) (1.0 - f), b->w[1] = (float) f;
        }
    }
}

int64_t
strata_logfreq_get_n_frames (int64_t n_samples)
{
  return (n_samples > 0 ? n_samples : 0) / HOP + 1;
}

float *
strata_logfreq (const float *mono, int64_t n_samples, int *n_frames)
{
  pthread_once (&bins_once, make_bins);
  StrataStft *stft = strata_stft_new (NFFT, HOP, STRATA_WINDOW_FN_HANN);
  if (!stft)
    return NULL;
  const int64_t T = strata_logfreq_get_n_frames (n_samples);
  const int F = strata_stft_get_n_bins (stft);
  StrataStftScratch *scratch = strata_stft_scratch_new (stft);
  float *out = malloc ((size_t) T * NB * sizeof (float));
  float *frame = malloc (NFFT * sizeof (float));
  float *power = malloc ((size_t) F * sizeof (float));
  if (!scratch || !out || !frame || !power)
    {
      free (out);
      out = NULL;
      goto done;
    }
  /* a full-scale sine at a bin centre gives |X| = sum (w) / 2 */
  const float *win = strata_stft_get_window (stft);
  double wsum = 0;
  for (int i = 0; i < NFFT; i++)
    wsum += win[i];
  const double ref = (wsum / 2) * (wsum / 2);
  for (int64_t t = 0; t < T; t++)
    {
      const int64_t s0 = t * HOP - NFFT / 2;
      for (int i = 0; i < NFFT; i++)
        {
          const int64_t s = s0 + i;
          frame[i] = s >= 0 && s < n_samples ? mono[s] : 0.0f;
        }
      strata_stft_frame_power (stft, scratch, frame, power);
      float *row = out + (size_t) t * NB;
      for (int b = 0; b < NB; b++)
        {
          double e = 0;
          for (int j = 0; j < bins[b].count; j++)
            {
              const int k = bins[b].first + j;
              if (k >= 0 && k < F)
                e += bins[b].w[j] * power[k];
            }
          const double db = 10.0 * log10 (e / ref + 1e-10);
          row[b] = (float) (((db > -100.0 ? db : -100.0) + 50.0) / 25.0);
        }
    }
  *n_frames = (int) T;
done:
  free (frame);
  free (power);
  strata_stft_scratch_free (scratch);
  strata_stft_free (stft);
  return out;
}
