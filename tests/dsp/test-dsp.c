/* test-dsp.c: windows, STFT/iSTFT, mel, peaks and spectrogram summaries.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "dsp/strata-mel.h"
#include "dsp/strata-stft.h"
#include "dsp/strata-summary.h"
#include "dsp/strata-summary-private.h"
#include "dsp/strata-window-fn.h"

static float *
make_signal (int64_t n, gboolean sine, guint32 seed)
{
  float *x = g_new (float, n);
  GRand *r = g_rand_new_with_seed (seed);
  for (int64_t i = 0; i < n; i++)
    x[i] = sine ? (float) (0.7 * sin (2 * M_PI * 441.0 * i / 44100.0) +
                           0.2 * sin (2 * M_PI * 3001.7 * i / 44100.0))
                : (float) g_rand_double_range (r, -1.0, 1.0);
  g_rand_free (r);
  return x;
}

/* ---- windows ---- */

static void
test_window_hann (void)
{
  float w[8], s[9];
  g_assert_true (strata_window_fn_fill (STRATA_WINDOW_FN_HANN, true, 8, w));
  /* Periodic Hann of 8: 0.5 - 0.5 cos (2 pi n / 8). */
  g_assert_cmpfloat_with_epsilon (w[0], 0.0, 1e-7);
  g_assert_cmpfloat_with_epsilon (w[2], 0.5, 1e-7);
  g_assert_cmpfloat_with_epsilon (w[4], 1.0, 1e-7);
  g_assert_cmpfloat_with_epsilon (w[6], 0.5, 1e-7);
  g_assert_cmpfloat_with_epsilon (strata_window_fn_sum (w, 8, 1), 4.0, 1e-6);
  /* Symmetric of 9 ends at 0 on both sides and peaks at the centre. */
  g_assert_true (strata_window_fn_fill (STRATA_WINDOW_FN_HANN, false, 9, s));
  g_assert_cmpfloat_with_epsilon (s[8], 0.0, 1e-7);
  g_assert_cmpfloat_with_epsilon (s[4], 1.0, 1e-7);
  g_assert_false (strata_window_fn_fill (STRATA_WINDOW_FN_HANN, true, 0, w));
}

/* ---- STFT ---- */

static double
rel_error (const float *a, const float *b, int64_t n)
{
  double num = 0, den = 0;
  for (int64_t i = 0; i < n; i++)
    {
      num += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
      den += (double) b[i] * b[i];
    }
  return sqrt (num / den);
}

static void
test_stft_roundtrip (void)
{
  const struct { int n_fft, hop; int64_t n; } cases[] = {
    { 2048, 512, 44100 }, { 1024, 256, 10007 }, { 512, 256, 5000 },
    { 256, 64, 3001 }, { 64, 16, 999 }, { 16, 8, 17 },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    for (int kind = 0; kind < 2; kind++)
      {
        StrataStft *stft = strata_stft_new (cases[c].n_fft, cases[c].hop, STRATA_WINDOW_FN_HANN);
        g_assert_nonnull (stft);
        const int64_t n = cases[c].n;
        const int64_t T = strata_stft_get_n_frames (stft, n);
        const int F = strata_stft_get_n_bins (stft);
        g_assert_cmpint (T, ==, n / cases[c].hop + 1);
        g_assert_cmpint (F, ==, cases[c].n_fft / 2 + 1);
        float *x = make_signal (n, kind == 1, 42 + c);
        float *spec = g_new (float, T * F * 2);   /* (T, F, 2) */
        float *y = g_new (float, n);
        g_assert_true (strata_stft_forward (stft, x, n, spec));
        g_assert_true (strata_stft_inverse (stft, spec, T, n, y));
        double err = rel_error (y, x, n);
        g_test_message ("n_fft %d hop %d n %" G_GINT64_FORMAT " %s: rel error %.3g",
                        cases[c].n_fft, cases[c].hop, n, kind ? "sine" : "noise", err);
        g_assert_cmpfloat (err, <, 1e-5);
        g_free (x);
        g_free (spec);
        g_free (y);
        strata_stft_free (stft);
      }
  g_assert_null (strata_stft_new (1023, 256, STRATA_WINDOW_FN_HANN));
  g_assert_null (strata_stft_new (1024, 0, STRATA_WINDOW_FN_HANN));
}

/* Forward STFT against a direct DFT in double, and Parseval per frame:
 * sum (w x)^2 = (|X0|^2 + 2 sum_{0<k<N/2} |Xk|^2 + |X_{N/2}|^2) / N. */
static void
test_stft_reference_parseval (void)
{
  const int N = 256, hop = 64, F = N / 2 + 1;
  const int64_t n = 1000;
  StrataStft *stft = strata_stft_new (N, hop, STRATA_WINDOW_FN_HANN);
  float *x = make_signal (n, FALSE, 7);
  const int64_t T = strata_stft_get_n_frames (stft, n);
  float *spec = g_new (float, T * F * 2);
  g_assert_true (strata_stft_forward (stft, x, n, spec));

  for (int64_t t = 0; t < T; t++)
    {
      double fr[256], energy = 0;
      for (int m = 0; m < N; m++)
        {
          int64_t i = t * hop - N / 2 + m;
          double w = 0.5 - 0.5 * cos (2 * M_PI * m / N);
          fr[m] = (i >= 0 && i < n) ? w * x[i] : 0.0;
          energy += fr[m] * fr[m];
        }
      double spec_energy = 0;
      for (int k = 0; k < F; k++)
        {
          double re = 0, im = 0;
          for (int m = 0; m < N; m++)
            {
              re += fr[m] * cos (2 * M_PI * k * m / N);
              im -= fr[m] * sin (2 * M_PI * k * m / N);
            }
          const float *X = spec + (t * F + k) * 2;
          g_assert_cmpfloat (fabs (X[0] - re), <, 1e-4 * (1 + fabs (re)));
          g_assert_cmpfloat (fabs (X[1] - im), <, 1e-4 * (1 + fabs (im)));
          double p = (double) X[0] * X[0] + (double) X[1] * X[1];
          spec_energy += (k == 0 || k == F - 1) ? p : 2 * p;
        }
      spec_energy /= N;
      if (energy > 0)
        g_assert_cmpfloat (fabs (spec_energy - energy) / energy, <, 1e-5);
    }
  g_free (x);
  g_free (spec);
  strata_stft_free (stft);
}

/* ---- mel ---- */

static void
test_mel_scale (void)
{
  g_assert_cmpfloat_with_epsilon (strata_mel_from_hz (1000, STRATA_MEL_SLANEY), 15.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (strata_mel_from_hz (500, STRATA_MEL_SLANEY), 7.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (strata_mel_from_hz (6400, STRATA_MEL_SLANEY), 42.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (strata_mel_from_hz (700, STRATA_MEL_HTK),
                                  2595 * log10 (2.0), 1e-9);
  for (double hz = 10; hz < 22050; hz *= 1.7)
    {
      g_assert_cmpfloat_with_epsilon (strata_hz_from_mel (strata_mel_from_hz (hz, STRATA_MEL_SLANEY),
                                                          STRATA_MEL_SLANEY), hz, 1e-6 * hz);
      g_assert_cmpfloat_with_epsilon (strata_hz_from_mel (strata_mel_from_hz (hz, STRATA_MEL_HTK),
                                                          STRATA_MEL_HTK), hz, 1e-6 * hz);
    }
  StrataMelConfig cfg;
  strata_mel_config_init (&cfg);
  g_assert_cmpint (cfg.sample_rate, ==, 44100);
  g_assert_cmpint (cfg.n_fft, ==, 2048);
  g_assert_cmpint (cfg.hop, ==, 512);
  g_assert_cmpint (cfg.n_mels, ==, 128);

  /* Default (Slaney) bank: no empty filter at 128 mels / n_fft 2048. */
  StrataMelBank *bank = strata_mel_bank_new (&cfg);
  const int M = strata_mel_bank_get_n_mels (bank), F = strata_mel_bank_get_n_bins (bank);
  const float *w = strata_mel_bank_get_weights (bank);
  for (int m = 0; m < M; m++)
    {
      float mx = 0;
      for (int k = 0; k < F; k++)
        mx = fmaxf (mx, w[m * F + k]);
      g_assert_cmpfloat (mx, >, 0.0f);
    }
  strata_mel_bank_free (bank);

  /* HTK: peak-1 triangles, weights within [0, 1], peak on the centre. */
  cfg.variant = STRATA_MEL_HTK;
  cfg.n_mels = 40;
  bank = strata_mel_bank_new (&cfg);
  g_assert_nonnull (bank);
  w = strata_mel_bank_get_weights (bank);
  for (int m = 0; m < 40; m++)
    {
      float mx = 0;
      for (int k = 0; k < F; k++)
        {
          g_assert_cmpfloat (w[m * F + k], >=, 0.0f);
          mx = fmaxf (mx, w[m * F + k]);
        }
      g_assert_cmpfloat (mx, <=, 1.0f);
      g_assert_cmpfloat (mx, >, 0.5f);
    }
  strata_mel_bank_free (bank);

  strata_mel_config_init (&cfg);
  cfg.fmax = 30000;
  g_assert_null (strata_mel_bank_new (&cfg));
  strata_mel_config_init (&cfg);
  cfg.n_mels = 0;
  g_assert_null (strata_mel_bank_new (&cfg));
}

/* Slaney mel, written independently of the library: piecewise linear/log. */
static double
ref_mel (double f)
{
  return f < 1000 ? 3.0 * f / 200.0 : 15.0 + 27.0 * log (f / 1000.0) / log (6.4);
}

static double
ref_hz (double m)
{
  return m < 15 ? 200.0 * m / 3.0 : 1000.0 * pow (6.4, (m - 15.0) / 27.0);
}

static void
test_mel_reference (void)
{
  StrataMelConfig cfg;
  strata_mel_config_init (&cfg);
  StrataMelBank *bank = strata_mel_bank_new (&cfg);
  g_assert_nonnull (bank);
  const int N = cfg.n_fft, hop = cfg.hop, M = cfg.n_mels, F = N / 2 + 1;
  g_assert_cmpint (strata_mel_bank_get_n_bins (bank), ==, F);

  /* Reference triangles in double: lower and upper slopes, area-normalised. */
  double *fb = g_new0 (double, (gsize) M * F);   /* (M, F) */
  double pts[130];
  for (int i = 0; i < M + 2; i++)
    pts[i] = ref_hz (ref_mel (0.0) + (ref_mel (22050.0) - ref_mel (0.0)) * i / (M + 1));
  for (int m = 0; m < M; m++)
    for (int k = 0; k < F; k++)
      {
        double f = k * 44100.0 / N;
        double lower = (f - pts[m]) / (pts[m + 1] - pts[m]);
        double upper = (pts[m + 2] - f) / (pts[m + 2] - pts[m + 1]);
        double v = fmax (0.0, fmin (lower, upper));
        fb[m * F + k] = v * 2.0 / (pts[m + 2] - pts[m]);
      }
  const float *wts = strata_mel_bank_get_weights (bank);
  for (int i = 0; i < M * F; i++)
    g_assert_cmpfloat (fabs (wts[i] - fb[i]), <=, 1e-6 * fabs (fb[i]) + 1e-9);

  /* Log-mel of 0.1 s of noise + sines against a direct DFT in double. */
  const int64_t n = 4410;
  float *x = make_signal (n, TRUE, 3);
  float *noise = make_signal (n, FALSE, 4);
  for (int64_t i = 0; i < n; i++)
    x[i] += 0.01f * noise[i];
  const int64_t T = strata_log_mel_get_n_frames (bank, n);
  g_assert_cmpint (T, ==, n / hop + 1);
  float *lm = g_new (float, T * M);   /* (T, M) */
  g_assert_true (strata_log_mel (bank, x, n, lm));

  double *cosv = g_new (double, N), *sinv = g_new (double, N);
  for (int m = 0; m < N; m++)
    {
      cosv[m] = cos (2 * M_PI * m / N);
      sinv[m] = sin (2 * M_PI * m / N);
    }
  double *fr = g_new (double, N), *pw = g_new (double, F);
  double max_err = 0;
  for (int64_t t = 0; t < T; t++)
    {
      for (int m = 0; m < N; m++)
        {
          int64_t i = t * hop - N / 2 + m;
          fr[m] = (i >= 0 && i < n) ? (0.5 - 0.5 * cosv[m]) * x[i] : 0.0;
        }
      for (int k = 0; k < F; k++)
        {
          double re = 0, im = 0;
          for (int m = 0; m < N; m++)
            {
              int idx = (int) (((int64_t) k * m) % N);
              re += fr[m] * cosv[idx];
              im -= fr[m] * sinv[idx];
            }
          pw[k] = re * re + im * im;
        }
      for (int m = 0; m < M; m++)
        {
          double s = 0;
          for (int k = 0; k < F; k++)
            s += fb[m * F + k] * pw[k];
          double ref = log (fmax (s, 1e-10));
          double err = fabs (ref - lm[t * M + m]);
          max_err = fmax (max_err, err);
        }
    }
  g_test_message ("log-mel max abs error vs double reference: %.3g", max_err);
  g_assert_cmpfloat (max_err, <, 1e-3);

  g_free (cosv);
  g_free (sinv);
  g_free (fr);
  g_free (pw);
  g_free (fb);
  g_free (x);
  g_free (noise);
  g_free (lm);
  strata_mel_bank_free (bank);
}

/* ---- peaks ---- */

static float *
make_stereo (int64_t n, float (*fn) (int64_t i, int ch))
{
  float *s = g_new (float, n * 2);
  for (int64_t i = 0; i < n; i++)
    {
      s[2 * i] = fn (i, 0);
      s[2 * i + 1] = fn (i, 1);
    }
  return s;
}

static float
square_fn (int64_t i, int ch)
{
  /* Period 128 frames: +0.5 for 64, -0.25 for 64 (same on both channels). */
  return (i % 128) < 64 ? 0.5f : -0.25f;
}

static float
antiphase_fn (int64_t i, int ch)
{
  return ch == 0 ? 0.8f : -0.8f;
}

static void
test_peaks_square (void)
{
  const int64_t n = 100000;
  float *s = make_stereo (n, square_fn);
  StrataPeaks *p = strata_peaks_new (s, n, NULL, NULL, NULL);
  g_assert_nonnull (p);
  g_assert_cmpint (strata_peaks_get_n_frames (p), ==, n);
  float mn[8], mx[8];
  /* Zoomed out: every column covers whole periods. */
  strata_peaks_query (p, 0, 4096, 8, mn, mx);
  for (int i = 0; i < 8; i++)
    {
      g_assert_cmpfloat (mn[i], ==, -0.25f);
      g_assert_cmpfloat (mx[i], ==, 0.5f);
    }
  /* Zoomed in: 32 frames per column, inside the high and low halves. */
  strata_peaks_query (p, 128 * 10, 32, 4, mn, mx);
  g_assert_cmpfloat (mn[0], ==, 0.5f);
  g_assert_cmpfloat (mx[1], ==, 0.5f);
  g_assert_cmpfloat (mn[2], ==, -0.25f);
  g_assert_cmpfloat (mx[3], ==, -0.25f);
  /* Closer than the finest level: the 16-frame bin containing the column. */
  strata_peaks_query (p, 128 * 10 + 60, 1, 8, mn, mx);
  g_assert_cmpfloat (mx[0], ==, 0.5f);
  g_assert_cmpfloat (mn[4], ==, -0.25f);
  /* Outside the audio: 0. */
  strata_peaks_query (p, -100, 10, 4, mn, mx);
  g_assert_cmpfloat (mx[0], ==, 0.0f);
  strata_peaks_query (p, n + 5, 10, 2, mn, mx);
  g_assert_cmpfloat (mn[0], ==, 0.0f);
  g_assert_cmpfloat (mx[1], ==, 0.0f);
  strata_peaks_free (p);
  g_free (s);

  /* Antiphase channels cancel in the mono mix. */
  s = make_stereo (1000, antiphase_fn);
  p = strata_peaks_new (s, 1000, NULL, NULL, NULL);
  strata_peaks_query (p, 0, 100, 8, mn, mx);
  for (int i = 0; i < 8; i++)
    g_assert_cmpfloat (fabsf (mn[i]) + fabsf (mx[i]), ==, 0.0f);
  strata_peaks_free (p);
  g_free (s);

  /* Empty audio. */
  p = strata_peaks_new (NULL, 0, NULL, NULL, NULL);
  g_assert_nonnull (p);
  strata_peaks_query (p, 0, 10, 8, mn, mx);
  g_assert_cmpfloat (mx[0], ==, 0.0f);
  strata_peaks_free (p);
}

/* ---- spectrogram ---- */

static float *
stereo_sine (int64_t n, double freq, double amp)
{
  float *s = g_new (float, n * 2);
  for (int64_t i = 0; i < n; i++)
    s[2 * i] = s[2 * i + 1] = (float) (amp * sin (2 * M_PI * freq * i / 44100.0));
  return s;
}

static void
test_specgram_sine (void)
{
  const double freqs[] = { 110.0, 1000.0, 5000.0, 12345.0 };
  const int64_t n = 44100;
  for (guint c = 0; c < G_N_ELEMENTS (freqs); c++)
    {
      float *s = stereo_sine (n, freqs[c], 0.5);
      StrataSpecgram *sg = strata_specgram_new (s, n, NULL, NULL, NULL);
      g_assert_nonnull (sg);
      const int F = strata_specgram_get_n_bins (sg);
      g_assert_cmpint (F, ==, 256);
      g_assert_cmpint (strata_specgram_get_n_frames (sg), ==, n / 512 + 1);
      g_assert_cmpfloat_with_epsilon (strata_specgram_get_frame_rate (sg), 44100.0 / 512, 1e-9);
      g_assert_cmpfloat (strata_specgram_get_bin_freq (sg, 0), >, 30.0);
      g_assert_cmpfloat (strata_specgram_get_bin_freq (sg, F - 1), <, 20000.0);

      float *db = g_new (float, F);
      strata_specgram_query (sg, 0.5, 512.0 / 44100, 1, db);
      int best = 0;
      for (int f = 1; f < F; f++)
        if (db[f] > db[best])
          best = f;
      double bf = strata_specgram_get_bin_freq (sg, best);
      g_test_message ("sine %.0f Hz: peak band %d (%.1f Hz) at %.1f dB", freqs[c], best, bf,
                      db[best]);
      /* Within one FFT bin (21.5 Hz) or one band, whichever is wider. */
      double tol = fmax (44100.0 / 2048, bf * 0.026);
      g_assert_cmpfloat (fabs (bf - freqs[c]), <=, tol);
      /* Amplitude 0.5 = -6.02 dB; Hann scalloping costs at most 1.42 dB. */
      g_assert_cmpfloat (db[best], <=, -6.02 + 0.5);
      g_assert_cmpfloat (db[best], >=, -6.02 - 1.5);
      /* Far from the tone the Hann sidelobes are far down. */
      for (int f = 0; f < F; f++)
        {
          double ff = strata_specgram_get_bin_freq (sg, f);
          if (fabs (ff - freqs[c]) > 10 * 44100.0 / 2048)
            g_assert_cmpfloat (db[f], <, -60.0);
        }
      g_free (db);
      strata_specgram_free (sg);
      g_free (s);
    }
}

static void
test_specgram_silence_and_mip (void)
{
  const int64_t n = 44100 * 3;
  float *s = g_new0 (float, n * 2);
  /* Silence for 1 s, a 2 kHz burst from 1.5 s to 1.6 s, then silence. */
  for (int64_t i = (int64_t) (1.5 * 44100); i < (int64_t) (1.6 * 44100); i++)
    s[2 * i] = s[2 * i + 1] = (float) sin (2 * M_PI * 2000.0 * i / 44100.0);
  StrataSpecgram *sg = strata_specgram_new (s, n, NULL, NULL, NULL);
  const int F = strata_specgram_get_n_bins (sg);
  float *db = g_new (float, 4 * F);

  /* Silence: the floor exactly. */
  strata_specgram_query (sg, 0.2, 0.01, 4, db);
  for (int i = 0; i < 4 * F; i++)
    g_assert_cmpfloat (db[i], ==, -120.0f);

  /* One column for the whole track (coarsest mip level) keeps the burst. */
  strata_specgram_query (sg, 0.0, 3.0, 1, db);
  float top = -200;
  for (int f = 0; f < F; f++)
    top = fmaxf (top, db[f]);
  g_assert_cmpfloat (top, >, -3.0f);

  /* Columns outside the audio. */
  strata_specgram_query (sg, 3.5, 0.1, 2, db);
  g_assert_cmpfloat (db[0], ==, -120.0f);
  g_assert_cmpfloat (db[2 * F - 1], ==, -120.0f);
  g_free (db);
  strata_specgram_free (sg);
  g_free (s);
}

/* ---- serialisation ---- */

static float
mix_fn (int64_t i, int ch)
{
  return (float) (0.3 * sin (i * 0.05) + (ch ? 0.2 : -0.1) * sin (i * 0.001));
}

static void
test_summary_roundtrip (void)
{
  const int64_t n = 30011;
  float *s = make_stereo (n, mix_fn);
  StrataPeaks *p = strata_peaks_new (s, n, NULL, NULL, NULL);
  StrataSpecgram *sg = strata_specgram_new (s, n, NULL, NULL, NULL);
  size_t ps, ss;
  void *pb = strata_peaks_serialize (p, &ps);
  void *sb = strata_specgram_serialize (sg, &ss);
  StrataPeaks *p2 = strata_peaks_deserialize (pb, ps);
  StrataSpecgram *sg2 = strata_specgram_deserialize (sb, ss);
  g_assert_nonnull (p2);
  g_assert_nonnull (sg2);
  g_assert_cmpint (strata_peaks_get_n_frames (p2), ==, n);
  g_assert_cmpint (strata_specgram_get_n_frames (sg2), ==, strata_specgram_get_n_frames (sg));

  float a[64], b[64], c[64], d[64];
  for (double fpp = 0.5; fpp < 40000; fpp *= 3)
    {
      strata_peaks_query (p, 100, fpp, 64, a, b);
      strata_peaks_query (p2, 100, fpp, 64, c, d);
      g_assert_cmpmem (a, sizeof a, c, sizeof c);
      g_assert_cmpmem (b, sizeof b, d, sizeof d);
    }
  const int F = strata_specgram_get_n_bins (sg);
  float *q1 = g_new (float, 16 * F), *q2 = g_new (float, 16 * F);
  for (double spp = 0.001; spp < 1; spp *= 4)
    {
      strata_specgram_query (sg, 0.01, spp, 16, q1);
      strata_specgram_query (sg2, 0.01, spp, 16, q2);
      g_assert_cmpmem (q1, 16 * F * sizeof (float), q2, 16 * F * sizeof (float));
    }
  /* Serialising the copy gives the same bytes. */
  size_t ps2, ss2;
  void *pb2 = strata_peaks_serialize (p2, &ps2);
  void *sb2 = strata_specgram_serialize (sg2, &ss2);
  g_assert_cmpmem (pb, ps, pb2, ps2);
  g_assert_cmpmem (sb, ss, sb2, ss2);

  g_free (pb2);
  g_free (sb2);
  g_free (q1);
  g_free (q2);
  g_free (pb);
  g_free (sb);
  strata_peaks_free (p);
  strata_peaks_free (p2);
  strata_specgram_free (sg);
  strata_specgram_free (sg2);
  g_free (s);
}

static void
test_summary_hostile (void)
{
  const int64_t n = 3000;
  float *s = make_stereo (n, mix_fn);
  StrataPeaks *p = strata_peaks_new (s, n, NULL, NULL, NULL);
  StrataSpecgram *sg = strata_specgram_new (s, n, NULL, NULL, NULL);
  size_t ps, ss;
  guint8 *pb = strata_peaks_serialize (p, &ps);
  guint8 *sb = strata_specgram_serialize (sg, &ss);

  /* Every truncation and every extension by one byte is rejected. */
  for (size_t len = 0; len < ps; len++)
    g_assert_null (strata_peaks_deserialize (pb, len));
  for (size_t len = 0; len < ss; len += (len < 128 ? 1 : 97))
    g_assert_null (strata_specgram_deserialize (sb, len));
  guint8 *longer = g_malloc0 (ss + 1);
  memcpy (longer, sb, ss);
  g_assert_null (strata_specgram_deserialize (longer, ss + 1));
  g_assert_null (strata_peaks_deserialize (longer, ps + 1));
  g_assert_null (strata_peaks_deserialize (NULL, 100));

  /* Header fields: every single-byte change of the header is either rejected
   * or yields a usable object; it never crashes. */
  GRand *r = g_rand_new_with_seed (99);
  for (int hdr = 0; hdr < 64; hdr++)
    for (int v = 0; v < 8; v++)
      {
        guint8 *copy = g_memdup2 (sb, ss);
        copy[hdr] = (guint8) g_rand_int (r);
        StrataSpecgram *x = strata_specgram_deserialize (copy, ss);
        if (x != NULL)
          {
            float out[4 * 4096];
            strata_specgram_query (x, 0.0, 0.01, 4, out);
            strata_specgram_free (x);
          }
        g_free (copy);
        if (hdr < 24)
          {
            copy = g_memdup2 (pb, ps);
            copy[hdr] = (guint8) g_rand_int (r);
            StrataPeaks *y = strata_peaks_deserialize (copy, ps);
            if (y != NULL)
              {
                float a[4], b[4];
                strata_peaks_query (y, 0, 100, 4, a, b);
                strata_peaks_free (y);
              }
            g_free (copy);
          }
      }
  /* A huge declared length with a short body. */
  guint8 *copy = g_memdup2 (pb, ps);
  memset (copy + 16, 0xff, 8);
  g_assert_null (strata_peaks_deserialize (copy, ps));
  /* A NaN in the peaks body. */
  memcpy (copy, pb, ps);
  float nan_v = NAN;
  memcpy (copy + 24, &nan_v, 4);
  g_assert_null (strata_peaks_deserialize (copy, ps));
  g_free (copy);
  /* Random bytes. */
  for (int i = 0; i < 200; i++)
    {
      guint8 junk[256];
      for (guint k = 0; k < sizeof junk; k++)
        junk[k] = (guint8) g_rand_int (r);
      if (i % 2)
        memcpy (junk, "SSPG", 4);
      else
        memcpy (junk, "SPKS", 4);
      g_assert_null (strata_specgram_deserialize (junk, sizeof junk));
      g_assert_null (strata_peaks_deserialize (junk, sizeof junk));
    }
  g_rand_free (r);
  g_free (longer);
  g_free (pb);
  g_free (sb);
  strata_peaks_free (p);
  strata_specgram_free (sg);
  g_free (s);
}

/* ---- abort and progress ---- */

typedef struct {
  int calls;
  double last;
  gboolean monotone;
  int abort_after;
} ProgressState;

static void
progress_cb (double fraction, const char *stage, void *data)
{
  ProgressState *st = data;
  if (fraction < st->last)
    st->monotone = FALSE;
  st->last = fraction;
  st->calls++;
}

static bool
abort_cb (void *data)
{
  ProgressState *st = data;
  return st->abort_after >= 0 && st->calls >= st->abort_after;
}

static void
test_summary_progress_abort (void)
{
  const int64_t n = 44100 * 20;
  float *s = make_stereo (n, mix_fn);
  ProgressState st = { 0, 0.0, TRUE, -1 };
  StrataSpecgram *sg = strata_specgram_new (s, n, progress_cb, abort_cb, &st);
  g_assert_nonnull (sg);
  g_assert_true (st.monotone);
  g_assert_cmpfloat (st.last, ==, 1.0);
  g_assert_cmpint (st.calls, >, 2);
  strata_specgram_free (sg);

  st = (ProgressState) { 0, 0.0, TRUE, 3 };
  g_assert_null (strata_specgram_new (s, n, progress_cb, abort_cb, &st));
  st = (ProgressState) { 0, 0.0, TRUE, 2 };
  g_assert_null (strata_peaks_new (s, n, progress_cb, abort_cb, &st));
  st = (ProgressState) { 0, 0.0, TRUE, -1 };
  StrataPeaks *p = strata_peaks_new (s, n, progress_cb, abort_cb, &st);
  g_assert_nonnull (p);
  g_assert_true (st.monotone);
  strata_peaks_free (p);
  g_free (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/strata/dsp/window/hann", test_window_hann);
  g_test_add_func ("/strata/dsp/stft/roundtrip", test_stft_roundtrip);
  g_test_add_func ("/strata/dsp/stft/reference-parseval", test_stft_reference_parseval);
  g_test_add_func ("/strata/dsp/mel/scale", test_mel_scale);
  g_test_add_func ("/strata/dsp/mel/reference", test_mel_reference);
  g_test_add_func ("/strata/dsp/peaks/square", test_peaks_square);
  g_test_add_func ("/strata/dsp/specgram/sine", test_specgram_sine);
  g_test_add_func ("/strata/dsp/specgram/silence-mip", test_specgram_silence_and_mip);
  g_test_add_func ("/strata/dsp/summary/roundtrip", test_summary_roundtrip);
  g_test_add_func ("/strata/dsp/summary/hostile", test_summary_hostile);
  g_test_add_func ("/strata/dsp/summary/progress-abort", test_summary_progress_abort);
  return g_test_run ();
}
