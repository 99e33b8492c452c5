/* strata-separation-dsp.c: the separation head's signal side: bands, the
 * STFT and its inverse in chunks, the multichannel Wiener filter, chunked
 * separation, the ideal ratio mask and the SDR.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fftw3.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "dsp/strata-stft.h"
#include "dsp/strata-window-fn.h"
#include "tasks/separation/strata-separation-private.h"

#define N_FFT STRATA_SEPARATION_N_FFT
#define HOP STRATA_SEPARATION_HOP
#define CHUNK 1024
#define CONTEXT 64

static const char *const stem_names[SEP_J] = { "drums", "bass", "guitar", "piano", "vocals",
                                               "other" };

const char *
strata_separation_stem_name (int index)
{
  g_return_val_if_fail (index >= 0 && index < SEP_J, NULL);
  return stem_names[index];
}

int
strata_separation_stem_index (const char *name)
{
  for (int j = 0; j < SEP_J; j++)
    if (g_strcmp0 (name, stem_names[j]) == 0)
      return j;
  return -1;
}

gboolean
strata_separation_parse_stems (const char *list, guint *mask, GError **error)
{
  *mask = 0;
  if (list == NULL || strcmp (list, "all") == 0)
    {
      *mask = (1u << SEP_J) - 1;
      return TRUE;
    }
  g_auto (GStrv) parts = g_strsplit (list, ",", -1);
  for (int i = 0; parts[i]; i++)
    {
      g_strstrip (parts[i]);
      int j = strata_separation_stem_index (parts[i]);
      if (j < 0 || (*mask & (1u << j)))
        {
          g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_INVALID,
                       j < 0 ? _("Unknown stem “%s” (the stems are drums, bass, guitar, piano, "
                                 "vocals and other)")
                             : _("The stem “%s” is named twice"),
                       parts[i]);
          *mask = 0;
          return FALSE;
        }
      *mask |= 1u << j;
    }
  if (*mask == 0)
    {
      g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_INVALID,
                   _("No stem named in “%s”"), list);
      return FALSE;
    }
  return TRUE;
}

void
strata_separation_options_init (StrataSeparationOptions *options)
{
  options->stems = 0;
  options->em_iterations = 1;
}

/* ------------------------------------------------------------ bands */

static int band_edges[SEP_NB + 1];

static gpointer
init_band_edges (gpointer data)
{
  /* geometric in (bin + 40): about one bin wide at the bottom, a few
   * hundred hertz wide at the top */
  const double b0 = 40.0, ratio = (SEP_NF + b0) / b0;
  band_edges[0] = 0;
  for (int k = 1; k < SEP_NB; k++)
    {
      int e = (int) lround (b0 * pow (ratio, (double) k / SEP_NB) - b0);
      band_edges[k] = MAX (e, band_edges[k - 1] + 1);
    }
  band_edges[SEP_NB] = SEP_NF;
  return NULL;
}

const int *
_strata_sep_band_edges (void)
{
  static GOnce once = G_ONCE_INIT;
  g_once (&once, init_band_edges, NULL);
  return band_edges;
}

void
_strata_sep_bands (const float *spec, float *bands)
{
  const int *e = _strata_sep_band_edges ();
  for (int b = 0; b < SEP_NB; b++)
    {
      double s = 0;
      for (int f = e[b]; f < e[b + 1]; f++)
        s += hypotf (spec[2 * f], spec[2 * f + 1]);
      bands[b] = (float) (s / (e[b + 1] - e[b]));
    }
}

/* ------------------------------------------------------------ STFT */

struct SepFft {
  float *window;
  float *in;
  fftwf_complex *out;
  fftwf_plan r2c, c2r;
};

SepFft *
_strata_sep_fft_new (void)
{
  SepFft *f = g_new0 (SepFft, 1);
  f->window = g_new (float, N_FFT);
  strata_window_fn_fill (STRATA_WINDOW_FN_HANN, true, N_FFT, f->window);
  f->in = fftwf_malloc (N_FFT * sizeof (float));
  f->out = fftwf_malloc (SEP_NF * sizeof (fftwf_complex));
  if (f->in && f->out)
    {
      strata_fftw_planner_lock ();
      f->r2c = fftwf_plan_dft_r2c_1d (N_FFT, f->in, f->out, FFTW_ESTIMATE);
      f->c2r = fftwf_plan_dft_c2r_1d (N_FFT, f->out, f->in, FFTW_ESTIMATE);
      strata_fftw_planner_unlock ();
    }
  if (!f->r2c || !f->c2r)
    {
      _strata_sep_fft_free (f);
      return NULL;
    }
  return f;
}

void
_strata_sep_fft_free (SepFft *f)
{
  if (!f)
    return;
  strata_fftw_planner_lock ();
  if (f->r2c)
    fftwf_destroy_plan (f->r2c);
  if (f->c2r)
    fftwf_destroy_plan (f->c2r);
  strata_fftw_planner_unlock ();
  fftwf_free (f->in);
  fftwf_free (f->out);
  g_free (f->window);
  g_free (f);
}

void
_strata_sep_stft (SepFft *f, const float *x, gint64 n, int channel, gint64 t0, int T,
                  float *spec)
{
  for (int t = 0; t < T; t++)
    {
      const gint64 s0 = (t0 + t) * HOP - N_FFT / 2;
      for (int k = 0; k < N_FFT; k++)
        {
          const gint64 s = s0 + k;
          f->in[k] = s >= 0 && s < n ? x[2 * s + channel] * f->window[k] : 0.0f;
        }
      fftwf_execute (f->r2c);
      memcpy (spec + (size_t) t * SEP_NF * 2, f->out, SEP_NF * 2 * sizeof (float));
    }
}

void
_strata_sep_istft_add (SepFft *f, const float *spec, gint64 t0, int T, float *y, gint64 n,
                       int channel)
{
  const float scale = 1.0f / N_FFT;
  for (int t = 0; t < T; t++)
    {
      memcpy (f->out, spec + (size_t) t * SEP_NF * 2, SEP_NF * 2 * sizeof (float));
      fftwf_execute (f->c2r);
      const gint64 s0 = (t0 + t) * HOP - N_FFT / 2;
      const int k0 = (int) MAX (0, -s0), k1 = (int) MIN (N_FFT, n - s0);
      for (int k = k0; k < k1; k++)
        y[2 * (s0 + k) + channel] += f->in[k] * f->window[k] * scale;
    }
}

static float *
window_squared (void)
{
  float *w = g_new (float, N_FFT);
  strata_window_fn_fill (STRATA_WINDOW_FN_HANN, true, N_FFT, w);
  for (int k = 0; k < N_FFT; k++)
    w[k] *= w[k];
  return w;
}

void
_strata_sep_istft_normalise (float *y, gint64 n)
{
  g_autofree float *w2 = window_squared ();
  const gint64 T = n / HOP + 1;
  for (gint64 s = 0; s < n; s++)
    {
      /* frames t with 0 <= s - t * HOP + N_FFT / 2 < N_FFT */
      gint64 lo = (s + N_FFT / 2 - N_FFT) / HOP;
      double sum = 0;
      for (gint64 t = MAX (0, lo); t < T && t * HOP <= s + N_FFT / 2; t++)
        {
          gint64 k = s - t * HOP + N_FFT / 2;
          if (k >= 0 && k < N_FFT)
            sum += w2[k];
        }
      const float g = sum > 1e-8 ? (float) (1.0 / sum) : 0.0f;
      y[2 * s] *= g;
      y[2 * s + 1] *= g;
    }
}

/* ------------------------------------------------------------ Wiener filter */

/* A 2x2 Hermitian matrix: a, d real diagonal, b = re + i im the upper corner. */
typedef struct {
  float a, d, br, bi;
} Herm;

gboolean
_strata_sep_wiener (const float *X, float *v, int J, int T, int iterations, float *Y)
{
  const size_t TF = (size_t) T * SEP_NF;
  /* initial estimate: soft masks v_j / Σ v on both channels */
  for (size_t p = 0; p < TF; p++)
    {
      double sum = 0;
      for (int j = 0; j < J; j++)
        sum += v[j * TF + p];
      for (int j = 0; j < J; j++)
        {
          const float g = sum > 0 ? (float) (v[j * TF + p] / sum) : 0.0f;
          for (int k = 0; k < 4; k++)
            Y[(j * TF + p) * 4 + k] = g * X[p * 4 + k];
        }
    }
  Herm *R = g_try_new0 (Herm, (gsize) J * SEP_NF);
  if (!R)
    return FALSE;
  for (int it = 0; it < iterations; it++)
    {
      /* M step: each stem's power and spatial covariance (a bin) from its estimate */
      for (int j = 0; j < J; j++)
        {
          Herm *Rj = R + (size_t) j * SEP_NF;
          memset (Rj, 0, SEP_NF * sizeof (Herm));
          g_autofree double *vsum = g_new0 (double, SEP_NF);
          for (int t = 0; t < T; t++)
            for (int f = 0; f < SEP_NF; f++)
              {
                const size_t p = (size_t) t * SEP_NF + f;
                const float *y = Y + (j * TF + p) * 4;
                const float l2 = y[0] * y[0] + y[1] * y[1], r2 = y[2] * y[2] + y[3] * y[3];
                v[j * TF + p] = 0.5f * (l2 + r2);
                vsum[f] += v[j * TF + p];
                Rj[f].a += l2;
                Rj[f].d += r2;
                /* y_L conj (y_R) */
                Rj[f].br += y[0] * y[2] + y[1] * y[3];
                Rj[f].bi += y[1] * y[2] - y[0] * y[3];
              }
          for (int f = 0; f < SEP_NF; f++)
            {
              const float k = (float) (1.0 / (vsum[f] + 1e-10));
              Rj[f].a *= k, Rj[f].d *= k, Rj[f].br *= k, Rj[f].bi *= k;
            }
        }
      /* E step: Y_j = v_j R_j Cxx⁻¹ X */
      for (int t = 0; t < T; t++)
        for (int f = 0; f < SEP_NF; f++)
          {
            const size_t p = (size_t) t * SEP_NF + f;
            Herm c = { 0, 0, 0, 0 };
            for (int j = 0; j < J; j++)
              {
                const Herm *r = &R[(size_t) j * SEP_NF + f];
                const float vj = v[j * TF + p];
                c.a += vj * r->a, c.d += vj * r->d, c.br += vj * r->br, c.bi += vj * r->bi;
              }
            const float reg = 1e-3f * (c.a + c.d) + 1e-12f;
            c.a += reg, c.d += reg;
            const float det = c.a * c.d - (c.br * c.br + c.bi * c.bi);
            const float *x = X + p * 4;
            /* z = Cxx⁻¹ x, with Cxx⁻¹ = [d, -b; -conj b, a] / det */
            const float z0r = (c.d * x[0] - (c.br * x[2] - c.bi * x[3])) / det;
            const float z0i = (c.d * x[1] - (c.br * x[3] + c.bi * x[2])) / det;
            const float z1r = (c.a * x[2] - (c.br * x[0] + c.bi * x[1])) / det;
            const float z1i = (c.a * x[3] - (c.br * x[1] - c.bi * x[0])) / det;
            for (int j = 0; j < J; j++)
              {
                const Herm *r = &R[(size_t) j * SEP_NF + f];
                const float vj = v[j * TF + p];
                float *y = Y + (j * TF + p) * 4;
                y[0] = vj * (r->a * z0r + r->br * z1r - r->bi * z1i);
                y[1] = vj * (r->a * z0i + r->br * z1i + r->bi * z1r);
                y[2] = vj * (r->br * z0r + r->bi * z0i + r->d * z1r);
                y[3] = vj * (r->br * z0i - r->bi * z0r + r->d * z1i);
              }
          }
    }
  g_free (R);
  /* what the filter left of the mix, shared out by the soft masks (equally
   * where every estimate is silent), so that Σ_j Y_j = X */
  for (size_t p = 0; p < TF; p++)
    {
      float rsd[4];
      double sum = 0;
      for (int k = 0; k < 4; k++)
        rsd[k] = X[p * 4 + k];
      for (int j = 0; j < J; j++)
        {
          for (int k = 0; k < 4; k++)
            rsd[k] -= Y[(j * TF + p) * 4 + k];
          sum += v[j * TF + p];
        }
      for (int j = 0; j < J; j++)
        {
          const float g = sum > 0 ? (float) (v[j * TF + p] / sum) : 1.0f / J;
          for (int k = 0; k < 4; k++)
            Y[(j * TF + p) * 4 + k] += g * rsd[k];
        }
    }
  return TRUE;
}

/* ------------------------------------------------------------ stems */

StrataStems *
strata_stems_new (guint n, gint64 n_frames)
{
  StrataStems *s = g_new0 (StrataStems, 1);
  s->n = n;
  s->stems = g_new0 (StrataAudio *, n);
  s->names = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      float *buf = g_try_malloc0 ((gsize) MAX (n_frames, 1) * 2 * sizeof (float));
      if (!buf)
        {
          strata_stems_free (s);
          return NULL;
        }
      s->stems[i] = strata_audio_new_take (buf, n_frames);
      s->names[i] = g_strdup ("");
    }
  return s;
}

void
strata_stems_free (StrataStems *stems)
{
  if (!stems)
    return;
  for (guint i = 0; i < stems->n; i++)
    if (stems->stems[i])
      strata_audio_unref (stems->stems[i]);
  g_free (stems->stems);
  g_strfreev (stems->names);
  g_free (stems);
}

static float *
samples_of (StrataAudio *a)
{
  /* the stems are this module's own buffers until they are handed out */
  return (float *) strata_audio_get_samples (a);
}

/* The mix's STFT, both channels, frames [t0, t0 + T): (T, F, 2 ch, 2). */
static void
stereo_stft (SepFft *fft, const float *x, gint64 n, gint64 t0, int T, float *tmp, float *X)
{
  for (int c = 0; c < 2; c++)
    {
      _strata_sep_stft (fft, x, n, c, t0, T, tmp);
      for (size_t p = 0; p < (size_t) T * SEP_NF; p++)
        {
          X[p * 4 + 2 * c] = tmp[2 * p];
          X[p * 4 + 2 * c + 1] = tmp[2 * p + 1];
        }
    }
}

/* Adds the inverse of Y (T, F, 2 ch, 2) into the stereo stem @y. */
static void
stereo_istft_add (SepFft *fft, const float *Y, gint64 t0, int T, float *tmp, float *y, gint64 n)
{
  for (int c = 0; c < 2; c++)
    {
      for (size_t p = 0; p < (size_t) T * SEP_NF; p++)
        {
          tmp[2 * p] = Y[p * 4 + 2 * c];
          tmp[2 * p + 1] = Y[p * 4 + 2 * c + 1];
        }
      _strata_sep_istft_add (fft, tmp, t0, T, y, n, c);
    }
}

static void
set_cancelled (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
}

StrataStems *
strata_separator_run (StrataSeparator *sep, StrataAudio *audio, const float *fine,
                      const float *medium, const StrataSeparationOptions *options,
                      StrataProgressFunc progress, void *progress_data,
                      StrataAbortFunc abort_func, void *abort_data, GError **error)
{
  const StrataSeparationConfig *c = &sep->cfg;
  StrataSeparationOptions opt;
  if (options)
    opt = *options;
  else
    strata_separation_options_init (&opt);
  const guint all = (1u << SEP_J) - 1;
  guint want = opt.stems & all;
  if (want == 0)
    want = all;
  if (opt.em_iterations < 0 || opt.em_iterations > 10)
    {
      g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_INVALID,
                   _("The Wiener filter takes 0 to 10 iterations, not %d"), opt.em_iterations);
      return NULL;
    }
  if (c->features && (!fine || !medium))
    {
      g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_FEATURES,
                   _("The separation model %s needs the foundation model's features"),
                   sep->path);
      return NULL;
    }
  /* output groups: each wanted stem, then "rest" for the others */
  int group[SEP_J], n_out = 0;
  for (int j = 0; j < SEP_J; j++)
    if (want & (1u << j))
      group[j] = n_out++;
  const gboolean rest = want != all;
  for (int j = 0; j < SEP_J; j++)
    if (!(want & (1u << j)))
      group[j] = n_out;
  if (rest)
    n_out++;

  const gint64 n = strata_audio_get_n_frames (audio);
  const float *x = strata_audio_get_samples (audio);
  const int T = (int) (n / HOP + 1);
  g_autoptr (StrataStems) stems = strata_stems_new (n_out, n);
  SepFft *fft = _strata_sep_fft_new ();
  const int Wmax = MIN (T, CHUNK + 2 * CONTEXT + 4);
  const int L = MIN (T, CHUNK);
  float *X = g_try_new (float, (gsize) Wmax * SEP_NF * 4);
  float *tmp = g_try_new (float, (gsize) Wmax * SEP_NF * 2);
  float *v = g_try_new (float, (gsize) n_out * L * SEP_NF);
  float *Y = g_try_new (float, (gsize) n_out * L * SEP_NF * 4);
  float bands[2][SEP_NB];
  SepActs *a = NULL;
  gboolean ok = stems && fft && X && tmp && v && Y, cancelled = FALSE;
  for (guint i = 0; ok && i < stems->n; i++)
    {
      g_free (stems->names[i]);
      stems->names[i] = g_strdup (STRATA_SEPARATION_REST);
    }
  for (int j = 0; ok && j < SEP_J; j++)
    if (want & (1u << j))
      {
        g_free (stems->names[group[j]]);
        stems->names[group[j]] = g_strdup (stem_names[j]);
      }
  const int *edges = _strata_sep_band_edges ();
  const int Tm_all = (T + 3) / 4;
  for (int t0 = 0; ok && t0 < T; t0 += L)
    {
      if (abort_func && abort_func (abort_data))
        {
          set_cancelled (error);
          cancelled = TRUE;
          goto fail;
        }
      if (progress)
        progress ((double) t0 / T, "separation-head", progress_data);
      const int t1 = MIN (T, t0 + L), Tc = t1 - t0;
      const int ws = MAX (0, t0 - CONTEXT) / 4 * 4, we = MIN (T, t1 + CONTEXT);
      const int W = we - ws;
      stereo_stft (fft, x, n, ws, W, tmp, X);
      a = _strata_sep_acts_new (sep, 1, W, FALSE);
      if (!a)
        {
          ok = FALSE;
          break;
        }
      for (int t = 0; t < W; t++)
        {
          for (int ch = 0; ch < 2; ch++)
            {
              float sp[SEP_NF * 2];
              const float *q = X + (size_t) t * SEP_NF * 4;
              for (int f = 0; f < SEP_NF; f++)
                sp[2 * f] = q[4 * f + 2 * ch], sp[2 * f + 1] = q[4 * f + 2 * ch + 1];
              _strata_sep_bands (sp, bands[ch]);
            }
          float *row = a->x + (size_t) t * SEP_IN;
          for (int b = 0; b < SEP_NB; b++)
            {
              row[b] = _strata_sep_compress (bands[0][b]);
              row[SEP_NB + b] = _strata_sep_compress (bands[1][b]);
            }
        }
      if (c->features)
        {
          memcpy (a->fine, fine + (size_t) ws * c->fine_dim,
                  (size_t) W * c->fine_dim * sizeof (float));
          for (int m = 0; m < a->Tm; m++)
            memcpy (a->medium + (size_t) m * c->medium_dim,
                    medium + (size_t) MIN (ws / 4 + m, Tm_all - 1) * c->medium_dim,
                    (size_t) c->medium_dim * sizeof (float));
        }
      _strata_sep_forward (sep, a);
      /* the stems' power: (mask x magnitude)², the mask of a group the sum
       * of its stems' masks, spread over the band's bins */
      const size_t TF = (size_t) Tc * SEP_NF;
      for (int t = 0; t < Tc; t++)
        {
          const float *m = a->masks + (size_t) (t0 + t - ws) * SEP_OUT;
          const float *q = X + (size_t) (t0 + t - ws) * SEP_NF * 4;
          for (int b = 0; b < SEP_NB; b++)
            {
              float gm[SEP_J] = { 0 };
              for (int j = 0; j < SEP_J; j++)
                gm[group[j]] += m[j * SEP_NB + b];
              for (int f = edges[b]; f < edges[b + 1]; f++)
                {
                  const float *z = q + 4 * f;
                  const float p2 = 0.5f * (z[0] * z[0] + z[1] * z[1] + z[2] * z[2] + z[3] * z[3]);
                  for (int g = 0; g < n_out; g++)
                    v[g * TF + (size_t) t * SEP_NF + f] = gm[g] * gm[g] * p2;
                }
            }
        }
      _strata_sep_acts_free (a);
      a = NULL;
      if (!_strata_sep_wiener (X + (size_t) (t0 - ws) * SEP_NF * 4, v, n_out, Tc,
                               opt.em_iterations, Y))
        {
          ok = FALSE;
          break;
        }
      for (int g = 0; g < n_out; g++)
        stereo_istft_add (fft, Y + g * TF * 4, t0, Tc, tmp, samples_of (stems->stems[g]), n);
    }
  if (ok)
    for (int g = 0; g < n_out; g++)
      _strata_sep_istft_normalise (samples_of (stems->stems[g]), n);
  if (!ok)
    g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_FAILED,
                 _("Out of memory for the separation of %.1f s of audio"),
                 (double) n / STRATA_SAMPLE_RATE);
fail:
  _strata_sep_acts_free (a);
  _strata_sep_fft_free (fft);
  g_free (X);
  g_free (tmp);
  g_free (v);
  g_free (Y);
  if (!ok || cancelled)
    return NULL;
  if (progress)
    progress (1.0, "separation-head", progress_data);
  return g_steal_pointer (&stems);
}

/* ------------------------------------------------------------ references */

StrataStems *
strata_stems_ideal_ratio_mask (StrataAudio *mix, StrataAudio *const *refs, guint n)
{
  const gint64 len = strata_audio_get_n_frames (mix);
  const int T = (int) (len / HOP + 1), L = MIN (T, CHUNK);
  g_autoptr (StrataStems) out = strata_stems_new (n, len);
  SepFft *fft = _strata_sep_fft_new ();
  float *X = g_try_new (float, (gsize) L * SEP_NF * 2);
  float *S = g_try_new (float, (gsize) n * L * SEP_NF * 2);
  gboolean ok = out && fft && X && S;
  for (int t0 = 0; ok && t0 < T; t0 += L)
    {
      const int Tc = MIN (T, t0 + L) - t0;
      const size_t P = (size_t) Tc * SEP_NF;
      for (int c = 0; c < 2; c++)
        {
          _strata_sep_stft (fft, strata_audio_get_samples (mix), len, c, t0, Tc, X);
          for (guint j = 0; j < n; j++)
            _strata_sep_stft (fft, strata_audio_get_samples (refs[j]), len, c, t0, Tc,
                              S + j * P * 2);
          for (size_t p = 0; p < P; p++)
            {
              double sum = 0;
              for (guint j = 0; j < n; j++)
                sum += hypotf (S[(j * P + p) * 2], S[(j * P + p) * 2 + 1]);
              for (guint j = 0; j < n; j++)
                {
                  const float g = sum > 0 ? (float) (hypotf (S[(j * P + p) * 2],
                                                             S[(j * P + p) * 2 + 1]) / sum)
                                          : 1.0f / n;
                  S[(j * P + p) * 2] = g * X[2 * p];
                  S[(j * P + p) * 2 + 1] = g * X[2 * p + 1];
                }
            }
          for (guint j = 0; j < n; j++)
            _strata_sep_istft_add (fft, S + j * P * 2, t0, Tc, samples_of (out->stems[j]), len,
                                   c);
        }
    }
  for (guint j = 0; ok && j < n; j++)
    _strata_sep_istft_normalise (samples_of (out->stems[j]), len);
  _strata_sep_fft_free (fft);
  g_free (X);
  g_free (S);
  return ok ? g_steal_pointer (&out) : NULL;
}

double
strata_sdr (const float *ref, const float *est, gsize n)
{
  double s = 0, e = 0;
  for (gsize i = 0; i < n; i++)
    {
      const double d = (double) ref[i] - est[i];
      s += (double) ref[i] * ref[i];
      e += d * d;
    }
  if (s <= 0)
    return NAN;
  return e > 0 ? 10.0 * log10 (s / e) : INFINITY;
}
