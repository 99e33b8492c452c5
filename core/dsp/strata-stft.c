/* strata-stft.c: STFT / inverse STFT on FFTW3f.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "dsp/strata-stft.h"

#include <fftw3.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* FFTW's planner keeps global state: every plan creation and destruction goes
 * through this lock. Executing an existing plan on new arrays
 * (fftwf_execute_dft_r2c) is thread-safe and needs no lock. */
static pthread_mutex_t plan_lock = PTHREAD_MUTEX_INITIALIZER;

void
strata_fftw_planner_lock (void)
{
  pthread_mutex_lock (&plan_lock);
}

void
strata_fftw_planner_unlock (void)
{
  pthread_mutex_unlock (&plan_lock);
}

struct StrataStft
{
  int n_fft;
  int hop;
  int n_bins;
  float *window;        /* (n_fft) */
  fftwf_plan r2c;       /* n_fft real -> F complex */
  fftwf_plan c2r;       /* F complex -> n_fft real (unnormalised) */
};

struct StrataStftScratch
{
  float *in;              /* (n_fft), fftwf_malloc'd (SIMD-aligned) */
  fftwf_complex *out;     /* (F) */
};

StrataStft *
strata_stft_new (int n_fft, int hop, StrataWindowFn window)
{
  if (n_fft < 2 || (n_fft & 1) != 0 || hop < 1 || hop > n_fft)
    return NULL;

  StrataStft *stft = calloc (1, sizeof *stft);
  if (stft == NULL)
    return NULL;
  stft->n_fft = n_fft;
  stft->hop = hop;
  stft->n_bins = n_fft / 2 + 1;
  stft->window = malloc ((size_t) n_fft * sizeof (float));
  if (stft->window == NULL || !strata_window_fn_fill (window, true, n_fft, stft->window))
    {
      strata_stft_free (stft);
      return NULL;
    }

  /* Plan on aligned arrays: later executions on other fftwf_malloc'd arrays
   * then share the plan's alignment assumptions. */
  float *in = fftwf_malloc ((size_t) n_fft * sizeof (float));
  fftwf_complex *out = fftwf_malloc ((size_t) stft->n_bins * sizeof (fftwf_complex));
  if (in != NULL && out != NULL)
    {
      pthread_mutex_lock (&plan_lock);
      stft->r2c = fftwf_plan_dft_r2c_1d (n_fft, in, out, FFTW_ESTIMATE);
      stft->c2r = fftwf_plan_dft_c2r_1d (n_fft, out, in, FFTW_ESTIMATE);
      pthread_mutex_unlock (&plan_lock);
    }
  fftwf_free (in);
  fftwf_free (out);
  if (stft->r2c == NULL || stft->c2r == NULL)
    {
      strata_stft_free (stft);
      return NULL;
    }
  return stft;
}

void
strata_stft_free (StrataStft *stft)
{
  if (stft == NULL)
    return;
  pthread_mutex_lock (&plan_lock);
  if (stft->r2c != NULL)
    fftwf_destroy_plan (stft->r2c);
  if (stft->c2r != NULL)
    fftwf_destroy_plan (stft->c2r);
  pthread_mutex_unlock (&plan_lock);
  free (stft->window);
  free (stft);
}

int
strata_stft_get_n_fft (const StrataStft *stft)
{
  return stft->n_fft;
}

int
strata_stft_get_hop (const StrataStft *stft)
{
  return stft->hop;
}

int
strata_stft_get_n_bins (const StrataStft *stft)
{
  return stft->n_bins;
}

int64_t
strata_stft_get_n_frames (const StrataStft *stft, int64_t n_samples)
{
  if (n_samples < 0)
    return 0;
  return n_samples / stft->hop + 1;
}

const float *
strata_stft_get_window (const StrataStft *stft)
{
  return stft->window;
}

StrataStftScratch *
strata_stft_scratch_new (const StrataStft *stft)
{
  StrataStftScratch *s = calloc (1, sizeof *s);
  if (s == NULL)
    return NULL;
  s->in = fftwf_malloc ((size_t) stft->n_fft * sizeof (float));
  s->out = fftwf_malloc ((size_t) stft->n_bins * sizeof (fftwf_complex));
  if (s->in == NULL || s->out == NULL)
    {
      strata_stft_scratch_free (s);
      return NULL;
    }
  return s;
}

void
strata_stft_scratch_free (StrataStftScratch *scratch)
{
  if (scratch == NULL)
    return;
  fftwf_free (scratch->in);
  fftwf_free (scratch->out);
  free (scratch);
}

/* Copies frame @t of @x (n samples) into @dst (n_fft), windowed, with zeros
 * outside the signal. */
static void
load_frame (const StrataStft *stft, const float *x, int64_t n, int64_t t, float *dst)
{
  const int64_t start = t * stft->hop - stft->n_fft / 2;
  const float *w = stft->window;
  int lo = 0, hi = stft->n_fft;       /* valid range of m in the frame */
  if (start < 0)
    lo = (int) (-start < hi ? -start : hi);
  if (start + hi > n)
    hi = (int) (n - start > lo ? n - start : lo);
  for (int m = 0; m < lo; m++)
    dst[m] = 0.0f;
  for (int m = lo; m < hi; m++)
    dst[m] = w[m] * x[start + m];
  for (int m = hi; m < stft->n_fft; m++)
    dst[m] = 0.0f;
}

bool
strata_stft_forward (const StrataStft *stft, const float *x, int64_t n_samples, float *spec)
{
  StrataStftScratch *s = strata_stft_scratch_new (stft);
  if (s == NULL)
    return false;
  const int64_t T = strata_stft_get_n_frames (stft, n_samples);
  const int F = stft->n_bins;
  for (int64_t t = 0; t < T; t++)
    {
      load_frame (stft, x, n_samples, t, s->in);
      fftwf_execute_dft_r2c (stft->r2c, s->in, s->out);
      memcpy (spec + t * F * 2, s->out, (size_t) F * sizeof (fftwf_complex));
    }
  strata_stft_scratch_free (s);
  return true;
}

bool
strata_stft_inverse (const StrataStft *stft, const float *spec, int64_t n_frames,
                     int64_t n_samples, float *y)
{
  if (n_samples <= 0)
    return true;
  const int N = stft->n_fft, F = stft->n_bins;
  StrataStftScratch *s = strata_stft_scratch_new (stft);
  double *acc = calloc ((size_t) n_samples, sizeof (double));    /* (n) */
  double *wsum = calloc ((size_t) n_samples, sizeof (double));   /* (n) */
  if (s == NULL || acc == NULL || wsum == NULL)
    {
      strata_stft_scratch_free (s);
      free (acc);
      free (wsum);
      return false;
    }

  const float *w = stft->window;
  const double scale = 1.0 / N;    /* FFTW's c2r is unnormalised */
  for (int64_t t = 0; t < n_frames; t++)
    {
      memcpy (s->out, spec + t * F * 2, (size_t) F * sizeof (fftwf_complex));
      /* A real signal's DC and Nyquist bins are real: drop stray imaginary
       * parts so c2r sees a consistent Hermitian spectrum. */
      s->out[0][1] = 0.0f;
      s->out[F - 1][1] = 0.0f;
      fftwf_execute_dft_c2r (stft->c2r, s->out, s->in);
      const int64_t start = t * stft->hop - N / 2;
      for (int m = 0; m < N; m++)
        {
          int64_t i = start + m;
          if (i < 0 || i >= n_samples)
            continue;
          acc[i] += (double) w[m] * (double) s->in[m] * scale;
          wsum[i] += (double) w[m] * (double) w[m];
        }
    }
  for (int64_t i = 0; i < n_samples; i++)
    y[i] = wsum[i] > 1e-8 ? (float) (acc[i] / wsum[i]) : 0.0f;

  strata_stft_scratch_free (s);
  free (acc);
  free (wsum);
  return true;
}

void
strata_stft_frame_power (const StrataStft *stft, StrataStftScratch *scratch,
                         const float *frame, float *power)
{
  const int N = stft->n_fft, F = stft->n_bins;
  const float *w = stft->window;
  float *in = scratch->in;
  for (int m = 0; m < N; m++)
    in[m] = w[m] * frame[m];
  fftwf_execute_dft_r2c (stft->r2c, in, scratch->out);
  const fftwf_complex *X = scratch->out;
  for (int k = 0; k < F; k++)
    power[k] = X[k][0] * X[k][0] + X[k][1] * X[k][1];
}
