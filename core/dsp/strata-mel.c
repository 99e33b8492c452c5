/* strata-mel.c: mel filterbank (Slaney / HTK) and log-mel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "dsp/strata-mel.h"
#include "dsp/strata-stft.h"

#include <math.h>
#include <stdlib.h>

struct StrataMelBank
{
  StrataMelConfig config;
  int n_bins;          /* F */
  float *weights;      /* (M, F) */
  int *first;          /* (M): first non-zero bin of each filter */
  int *last;           /* (M): one past the last non-zero bin */
  StrataStft *stft;
};

void
strata_mel_config_init (StrataMelConfig *config)
{
  config->sample_rate = 44100;
  config->n_fft = 2048;
  config->hop = 512;
  config->n_mels = 128;
  config->fmin = 0.0;
  config->fmax = 22050.0;
  config->variant = STRATA_MEL_SLANEY;
  config->log_floor = 1e-10;
}

#define SLANEY_F_SP (200.0 / 3.0)      /* Hz per mel below the break */
#define SLANEY_BREAK_HZ 1000.0
#define SLANEY_BREAK_MEL (SLANEY_BREAK_HZ / SLANEY_F_SP)   /* 15 */
#define SLANEY_LOGSTEP (log (6.4) / 27.0)

double
strata_mel_from_hz (double hz, StrataMelVariant variant)
{
  if (variant == STRATA_MEL_HTK)
    return 2595.0 * log10 (1.0 + hz / 700.0);
  if (hz < SLANEY_BREAK_HZ)
    return hz / SLANEY_F_SP;
  return SLANEY_BREAK_MEL + log (hz / SLANEY_BREAK_HZ) / SLANEY_LOGSTEP;
}

double
strata_hz_from_mel (double mel, StrataMelVariant variant)
{
  if (variant == STRATA_MEL_HTK)
    return 700.0 * (pow (10.0, mel / 2595.0) - 1.0);
  if (mel < SLANEY_BREAK_MEL)
    return mel * SLANEY_F_SP;
  return SLANEY_BREAK_HZ * exp (SLANEY_LOGSTEP * (mel - SLANEY_BREAK_MEL));
}

StrataMelBank *
strata_mel_bank_new (const StrataMelConfig *config)
{
  if (config == NULL || config->sample_rate <= 0 || config->n_mels < 1 ||
      config->n_fft < 2 || config->hop < 1 || config->fmin < 0.0 ||
      !(config->fmax > config->fmin) || config->fmax > config->sample_rate / 2.0 + 1e-9 ||
      !(config->log_floor > 0.0) ||
      (config->variant != STRATA_MEL_SLANEY && config->variant != STRATA_MEL_HTK))
    return NULL;

  StrataMelBank *bank = calloc (1, sizeof *bank);
  if (bank == NULL)
    return NULL;
  bank->config = *config;
  const int M = config->n_mels;
  const int F = config->n_fft / 2 + 1;
  bank->n_bins = F;
  bank->weights = calloc ((size_t) M * F, sizeof (float));
  bank->first = calloc ((size_t) M, sizeof (int));
  bank->last = calloc ((size_t) M, sizeof (int));
  double *edges = malloc ((size_t) (M + 2) * sizeof (double));   /* (M + 2) Hz */
  bank->stft = strata_stft_new (config->n_fft, config->hop, STRATA_WINDOW_FN_HANN);
  if (bank->weights == NULL || bank->first == NULL || bank->last == NULL ||
      edges == NULL || bank->stft == NULL)
    {
      free (edges);
      strata_mel_bank_free (bank);
      return NULL;
    }

  const double mel_lo = strata_mel_from_hz (config->fmin, config->variant);
  const double mel_hi = strata_mel_from_hz (config->fmax, config->variant);
  for (int i = 0; i < M + 2; i++)
    edges[i] = strata_hz_from_mel (mel_lo + (mel_hi - mel_lo) * i / (M + 1), config->variant);

  const double bin_hz = (double) config->sample_rate / config->n_fft;
  for (int m = 0; m < M; m++)
    {
      const double lo = edges[m], c = edges[m + 1], hi = edges[m + 2];
      const double norm = config->variant == STRATA_MEL_SLANEY ? 2.0 / (hi - lo) : 1.0;
      float *row = bank->weights + (size_t) m * F;
      int first = F, last = 0;
      for (int k = 0; k < F; k++)
        {
          const double f = k * bin_hz;
          const double up = (f - lo) / (c - lo);
          const double down = (hi - f) / (hi - c);
          double v = up < down ? up : down;
          if (v <= 0.0)
            continue;
          row[k] = (float) (v * norm);
          if (k < first)
            first = k;
          last = k + 1;
        }
      bank->first[m] = first < last ? first : 0;
      bank->last[m] = first < last ? last : 0;
    }
  free (edges);
  return bank;
}

void
strata_mel_bank_free (StrataMelBank *bank)
{
  if (bank == NULL)
    return;
  free (bank->weights);
  free (bank->first);
  free (bank->last);
  strata_stft_free (bank->stft);
  free (bank);
}

const float *
strata_mel_bank_get_weights (const StrataMelBank *bank)
{
  return bank->weights;
}

int
strata_mel_bank_get_n_mels (const StrataMelBank *bank)
{
  return bank->config.n_mels;
}

int
strata_mel_bank_get_n_bins (const StrataMelBank *bank)
{
  return bank->n_bins;
}

void
strata_mel_bank_apply (const StrataMelBank *bank, const float *power, int64_t n_frames,
                       float *mel)
{
  const int M = bank->config.n_mels, F = bank->n_bins;
  for (int64_t t = 0; t < n_frames; t++)
    {
      const float *p = power + t * F;
      float *out = mel + t * M;
      for (int m = 0; m < M; m++)
        {
          const float *row = bank->weights + (size_t) m * F;
          float s = 0.0f;
          /* Triangles are sparse: only their support contributes. */
          for (int k = bank->first[m]; k < bank->last[m]; k++)
            s += row[k] * p[k];
          out[m] = s;
        }
    }
}

int64_t
strata_log_mel_get_n_frames (const StrataMelBank *bank, int64_t n_samples)
{
  return strata_stft_get_n_frames (bank->stft, n_samples);
}

bool
strata_log_mel (const StrataMelBank *bank, const float *x, int64_t n_samples, float *out)
{
  const int N = bank->config.n_fft, F = bank->n_bins, M = bank->config.n_mels;
  const int hop = bank->config.hop;
  StrataStftScratch *s = strata_stft_scratch_new (bank->stft);
  float *frame = malloc ((size_t) N * sizeof (float));     /* (n_fft) */
  float *power = malloc ((size_t) F * sizeof (float));     /* (F) */
  if (s == NULL || frame == NULL || power == NULL)
    {
      strata_stft_scratch_free (s);
      free (frame);
      free (power);
      return false;
    }

  const int64_t T = strata_log_mel_get_n_frames (bank, n_samples);
  const float floor_v = (float) bank->config.log_floor;
  for (int64_t t = 0; t < T; t++)
    {
      const int64_t start = t * hop - N / 2;
      for (int m = 0; m < N; m++)
        {
          int64_t i = start + m;
          frame[m] = (i >= 0 && i < n_samples) ? x[i] : 0.0f;
        }
      strata_stft_frame_power (bank->stft, s, frame, power);
      float *row = out + t * M;
      strata_mel_bank_apply (bank, power, 1, row);
      for (int m = 0; m < M; m++)
        row[m] = logf (row[m] > floor_v ? row[m] : floor_v);
    }

  strata_stft_scratch_free (s);
  free (frame);
  free (power);
  return true;
}
