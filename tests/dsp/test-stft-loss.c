/* test-stft-loss.c: the multi-resolution STFT loss: zero on identical
 * signals, monotone in the noise level, batch = mean of items, gradient
 * against central finite differences (in double), gradient descent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib.h>
#include <math.h>

#include "dsp/strata-stft-loss.h"

static const StrataStftLossRes small_res[] = { { 64, 16, 64 }, { 128, 32, 96 } };

static float *
make_signal (int n, double noise, guint32 seed, const float *base)
{
  float *x = g_new (float, n);
  GRand *r = g_rand_new_with_seed (seed);
  for (int i = 0; i < n; i++)
    x[i] = (base != NULL ? base[i] : (float) (0.6 * sin (0.21 * i) + 0.3 * sin (1.3 * i)))
           + (float) (noise * g_rand_double_range (r, -1.0, 1.0));
  g_rand_free (r);
  return x;
}

static void
test_identical (void)
{
  StrataStftLoss *l = strata_stft_loss_new (NULL, 0, 4096, 0.0f);
  g_assert_nonnull (l);
  float *x = make_signal (4000, 0.1, 1, NULL);
  float *d = g_new0 (float, 4000);
  g_assert_cmpfloat (strata_stft_loss_forward (l, x, x, 4000, 1), ==, 0.0f);
  g_assert_cmpfloat (strata_stft_loss_backward (l, d, x, x, 4000, 1, 1.0f), ==, 0.0f);
  for (int i = 0; i < 4000; i++)
    g_assert_cmpfloat (d[i], ==, 0.0f);
  /* Bad arguments. */
  g_assert_true (isnan (strata_stft_loss_forward (l, x, x, 4097, 1)));
  g_assert_true (isnan (strata_stft_loss_forward (l, x, x, 0, 1)));
  StrataStftLossRes bad = { 63, 16, 0 };
  g_assert_null (strata_stft_loss_new (&bad, 1, 100, 0.0f));
  g_free (x);
  g_free (d);
  strata_stft_loss_free (l);
}

static void
test_noise_monotone (void)
{
  StrataStftLoss *l = strata_stft_loss_new (NULL, 0, 8192, 0.0f);
  float *x = make_signal (8192, 0.0, 1, NULL);
  double prev = 0.0;
  for (int j = 0; j < 3; j++)
    {
      double level = 0.003 * pow (10.0, j);
      float *p = make_signal (8192, level, 7, x);
      double v = strata_stft_loss_forward (l, p, x, 8192, 1);
      g_test_message ("noise %.3f: loss %.5f", level, v);
      g_assert_cmpfloat (v, >, prev);
      prev = v;
      g_free (p);
    }
  g_free (x);
  strata_stft_loss_free (l);
}

static void
test_batch_mean (void)
{
  const int n = 600;
  StrataStftLoss *l = strata_stft_loss_new (small_res, 2, n, 0.0f);
  float *x = g_new (float, 2 * n), *p = g_new (float, 2 * n);
  float *a = make_signal (n, 0.2, 1, NULL), *b = make_signal (n, 0.2, 2, NULL);
  float *c = make_signal (n, 0.5, 3, a), *e = make_signal (n, 0.1, 4, b);
  for (int i = 0; i < n; i++)
    x[i] = a[i], x[n + i] = b[i], p[i] = c[i], p[n + i] = e[i];
  double l1 = strata_stft_loss_forward (l, c, a, n, 1);
  double l2 = strata_stft_loss_forward (l, e, b, n, 1);
  double lb = strata_stft_loss_forward (l, p, x, n, 2);
  g_assert_cmpfloat_with_epsilon (lb, 0.5 * (l1 + l2), 1e-5);
  g_free (x); g_free (p); g_free (a); g_free (b); g_free (c); g_free (e);
  strata_stft_loss_free (l);
}

/* Norm-wise relative error max_i |analytic_i - numeric_i| / max_i
 * max (|analytic_i|, |numeric_i|) of the gradient against central
 * differences with step h over all 600 samples, eps = 1e-2. The STFT is
 * float32 and log |P| is strongly curved near spectral zeros, so h must be
 * small; the L1 term also has kinks where |P| crosses |X|.
 *  - smooth: pred = 0.6 target (no kinks), h = 1e-3: measured ~1e-3.
 *  - general: pred = 0.6 target + noise (kinks), h = 3e-4: measured ~1e-3. */
static double
grad_error (double noise, double h)
{
  const int n = 600;
  StrataStftLoss *l = strata_stft_loss_new (small_res, 2, n, 1e-2f);
  float *x = make_signal (n, 0.25, 11, NULL);
  float *p = g_new (float, n), *g = g_new (float, n);
  GRand *r = g_rand_new_with_seed (13);
  for (int i = 0; i < n; i++)
    {
      p[i] = (float) (0.6 * x[i] + noise * g_rand_double_range (r, -1.0, 1.0));
      g[i] = 0.25f;  /* backward accumulates */
    }
  g_rand_free (r);
  strata_stft_loss_backward (l, g, p, x, n, 1, 2.0f);
  double max_err = 0.0, max_mag = 0.0;
  for (int i = 0; i < n; i++)
    {
      float keep = p[i];
      p[i] = (float) (keep + h);
      double lp = strata_stft_loss_forward (l, p, x, n, 1);
      p[i] = (float) (keep - h);
      double lm = strata_stft_loss_forward (l, p, x, n, 1);
      p[i] = keep;
      double num = 2.0 * (lp - lm) / (2.0 * h), ana = g[i] - 0.25;
      max_err = fmax (max_err, fabs (num - ana));
      max_mag = fmax (max_mag, fmax (fabs (num), fabs (ana)));
    }
  g_test_message ("noise %.2f h %.0e: max |err| %.3g, max |grad| %.3g, relative %.3g",
                  noise, h, max_err, max_mag, max_err / max_mag);
  g_assert_cmpfloat (max_mag, >, 1e-3);
  g_free (x); g_free (p); g_free (g);
  strata_stft_loss_free (l);
  return max_err / max_mag;
}

static void
test_gradient_smooth (void)
{
  g_assert_cmpfloat (grad_error (0.0, 1e-3), <, 1e-2);
}

static void
test_gradient_general (void)
{
  g_assert_cmpfloat (grad_error (0.05, 3e-4), <, 1e-2);
}

#define LR 0.5f

static void
test_descent (void)
{
  const int n = 600;
  StrataStftLoss *l = strata_stft_loss_new (small_res, 2, n, 1e-2f);
  float *x = make_signal (n, 0.0, 1, NULL), *p = make_signal (n, 0.5, 5, x);
  float *g = g_new (float, n);
  double first = strata_stft_loss_forward (l, p, x, n, 1), prev = first;
  for (int step = 0; step < 10; step++)
    {
      for (int i = 0; i < n; i++)
        g[i] = 0.0f;
      strata_stft_loss_backward (l, g, p, x, n, 1, 1.0f);
      for (int i = 0; i < n; i++)
        p[i] -= LR * g[i];
      double v = strata_stft_loss_forward (l, p, x, n, 1);
      g_test_message ("step %d: loss %.5f", step, v);
      g_assert_cmpfloat (v, <, prev);
      prev = v;
    }
  g_assert_cmpfloat (prev, <, 0.95 * first);  /* measured 3.70 -> 3.44 */
  g_free (x); g_free (p); g_free (g);
  strata_stft_loss_free (l);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/strata/dsp/stft-loss/identical", test_identical);
  g_test_add_func ("/strata/dsp/stft-loss/noise-monotone", test_noise_monotone);
  g_test_add_func ("/strata/dsp/stft-loss/batch-mean", test_batch_mean);
  g_test_add_func ("/strata/dsp/stft-loss/gradient-smooth", test_gradient_smooth);
  g_test_add_func ("/strata/dsp/stft-loss/gradient-general", test_gradient_general);
  g_test_add_func ("/strata/dsp/stft-loss/descent", test_descent);
  return g_test_run ();
}
