/* strata-stft-loss.c: multi-resolution STFT loss and its adjoint.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "dsp/strata-stft-loss.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>

#include "dsp/strata-stft.h"
#include "dsp/strata-window-fn.h"

#define MAX_RES 16
#define MAG_FLOOR 1e-20

typedef struct {
  int n_fft, hop, n_bins;
  float *win;          /* n_fft: Hann of win_length, centred, zero-padded */
  float *frame;        /* n_fft, fftwf_malloc */
  fftwf_complex *bins; /* n_bins, fftwf_malloc */
  fftwf_plan r2c, c2r; /* on frame <-> bins */
} Res;

struct StrataStftLoss {
  Res res[MAX_RES];
  int n_res;
  int64_t max_samples;
  double eps;
  float *mag_target;   /* max over resolutions of T * F */
  float *spec_pred;    /* same, times 2 (re, im) */
};

static const StrataStftLossRes default_res[] = {
  { 512, 128, 512 }, { 1024, 256, 1024 }, { 2048, 512, 2048 },
};

void
strata_stft_loss_free (StrataStftLoss *loss)
{
  if (loss == NULL)
    return;
  strata_fftw_planner_lock ();
  for (int i = 0; i < loss->n_res; i++)
    {
      if (loss->res[i].r2c != NULL)
        fftwf_destroy_plan (loss->res[i].r2c);
      if (loss->res[i].c2r != NULL)
        fftwf_destroy_plan (loss->res[i].c2r);
    }
  strata_fftw_planner_unlock ();
  for (int i = 0; i < loss->n_res; i++)
    {
      free (loss->res[i].win);
      fftwf_free (loss->res[i].frame);
      fftwf_free (loss->res[i].bins);
    }
  free (loss->mag_target);
  free (loss->spec_pred);
  free (loss);
}

StrataStftLoss *
strata_stft_loss_new (const StrataStftLossRes *res, int n_res, int64_t max_samples,
                      float eps)
{
  if (res == NULL)
    {
      res = default_res;
      n_res = (int) (sizeof default_res / sizeof default_res[0]);
    }
  if (n_res < 1 || n_res > MAX_RES || max_samples < 1 || !(eps >= 0.0f))
    return NULL;
  for (int i = 0; i < n_res; i++)
    {
      int wl = res[i].win_length == 0 ? res[i].n_fft : res[i].win_length;
      if (res[i].n_fft < 2 || res[i].n_fft % 2 != 0 || res[i].hop < 1 ||
          res[i].hop > res[i].n_fft || wl < 1 || wl > res[i].n_fft)
        return NULL;
    }

  StrataStftLoss *loss = calloc (1, sizeof *loss);
  if (loss == NULL)
    return NULL;
  loss->max_samples = max_samples;
  loss->eps = eps > 0.0f ? eps : 1e-5;
  size_t max_tf = 0;
  for (int i = 0; i < n_res; i++)
    {
      Res *r = &loss->res[i];
      int wl = res[i].win_length == 0 ? res[i].n_fft : res[i].win_length;
      loss->n_res = i + 1;
      r->n_fft = res[i].n_fft;
      r->hop = res[i].hop;
      r->n_bins = r->n_fft / 2 + 1;
      r->win = calloc ((size_t) r->n_fft, sizeof (float));
      r->frame = fftwf_malloc ((size_t) r->n_fft * sizeof (float));
      r->bins = fftwf_malloc ((size_t) r->n_bins * sizeof (fftwf_complex));
      if (r->win == NULL || r->frame == NULL || r->bins == NULL ||
          !strata_window_fn_fill (STRATA_WINDOW_FN_HANN, true, wl,
                               r->win + (r->n_fft - wl) / 2))
        goto fail;
      strata_fftw_planner_lock ();
      r->r2c = fftwf_plan_dft_r2c_1d (r->n_fft, r->frame, r->bins, FFTW_ESTIMATE);
      r->c2r = fftwf_plan_dft_c2r_1d (r->n_fft, r->bins, r->frame, FFTW_ESTIMATE);
      strata_fftw_planner_unlock ();
      if (r->r2c == NULL || r->c2r == NULL)
        goto fail;
      size_t tf = (size_t) (max_samples / r->hop + 1) * (size_t) r->n_bins;
      if (tf > max_tf)
        max_tf = tf;
    }
  loss->mag_target = malloc (max_tf * sizeof (float));
  loss->spec_pred = malloc (max_tf * 2 * sizeof (float));
  if (loss->mag_target == NULL || loss->spec_pred == NULL)
    goto fail;
  return loss;

fail:
  strata_stft_loss_free (loss);
  return NULL;
}

/* Windowed frame t of x (zero outside [0, n)) into r->frame, then its DFT. */
static void
frame_dft (Res *r, const float *x, int64_t n, int64_t t)
{
  int64_t start = t * r->hop - r->n_fft / 2;
  for (int m = 0; m < r->n_fft; m++)
    {
      int64_t i = start + m;
      r->frame[m] = (i >= 0 && i < n) ? r->win[m] * x[i] : 0.0f;
    }
  fftwf_execute (r->r2c);
}

/* One resolution, one signal: returns SC + LM; when dp != NULL, adds
 * gscale * dL_r/dp to it. */
static double
res_loss (StrataStftLoss *loss, Res *r, const float *p, const float *x, int64_t n,
          float *dp, double gscale)
{
  const int64_t T = n / r->hop + 1;
  const int F = r->n_bins;
  const double eps = loss->eps;
  double sa2 = 0.0, sd2 = 0.0, lm = 0.0;

  for (int64_t t = 0; t < T; t++)
    {
      float *mt = loss->mag_target + t * F;
      float *sp = loss->spec_pred + t * F * 2;
      frame_dft (r, x, n, t);
      for (int k = 0; k < F; k++)
        mt[k] = (float) hypot (r->bins[k][0], r->bins[k][1]);
      frame_dft (r, p, n, t);
      for (int k = 0; k < F; k++)
        {
          sp[2 * k] = r->bins[k][0];
          sp[2 * k + 1] = r->bins[k][1];
          double a = mt[k], pm = (float) hypot (sp[2 * k], sp[2 * k + 1]);
          sa2 += a * a;
          sd2 += (a - pm) * (a - pm);
          lm += fabs (log (a + eps) - log (pm + eps));
        }
    }
  const double num = sqrt (sd2), den = fmax (sqrt (sa2), 1e-12);
  const double n_tf = (double) T * F;
  if (dp == NULL)
    return num / den + lm / n_tf;

  for (int64_t t = 0; t < T; t++)
    {
      const float *mt = loss->mag_target + t * F;
      const float *sp = loss->spec_pred + t * F * 2;
      for (int k = 0; k < F; k++)
        {
          double a = mt[k], re = sp[2 * k], im = sp[2 * k + 1];
          double pm = (float) hypot (re, im), g = 0.0;
          if (pm < MAG_FLOOR)
            {
              r->bins[k][0] = r->bins[k][1] = 0.0f;
              continue;
            }
          if (num > 0.0)
            g += (pm - a) / (num * den);
          double d = log (pm + eps) - log (a + eps);
          if (d != 0.0)
            g += (d > 0.0 ? 1.0 : -1.0) / ((pm + eps) * n_tf);
          /* c2r counts bins 1 .. F-2 twice (Hermitian partner): halve them. */
          g *= gscale / pm * ((k == 0 || k == F - 1) ? 1.0 : 0.5);
          r->bins[k][0] = (float) (g * re);
          r->bins[k][1] = (float) (g * im);
        }
      fftwf_execute (r->c2r);  /* frame[m] = sum_k Re (G[k] e^{+2 pi i k m / N}) */
      int64_t start = t * r->hop - r->n_fft / 2;
      for (int m = 0; m < r->n_fft; m++)
        {
          int64_t i = start + m;
          if (i >= 0 && i < n)
            dp[i] += r->win[m] * r->frame[m];
        }
    }
  return num / den + lm / n_tf;
}

static float
run (StrataStftLoss *loss, float *dpred, const float *pred, const float *target,
     int64_t n, int B, float scale)
{
  if (loss == NULL || pred == NULL || target == NULL || n < 1 ||
      n > loss->max_samples || B < 1)
    return NAN;
  const double w = 1.0 / ((double) loss->n_res * B);
  double total = 0.0;
  for (int b = 0; b < B; b++)
    for (int i = 0; i < loss->n_res; i++)
      total += w * res_loss (loss, &loss->res[i], pred + b * n, target + b * n, n,
                             dpred != NULL ? dpred + b * n : NULL, w * scale);
  return (float) total;
}

float
strata_stft_loss_forward (StrataStftLoss *loss, const float *pred, const float *target,
                          int64_t n, int B)
{
  return run (loss, NULL, pred, target, n, B, 0.0f);
}

float
strata_stft_loss_backward (StrataStftLoss *loss, float *dpred, const float *pred,
                           const float *target, int64_t n, int B, float scale)
{
  if (dpred == NULL)
    return NAN;
  return run (loss, dpred, pred, target, n, B, scale);
}
