/* strata-beats.c: tempo, beats and bar lines (see strata-beats.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "analysis/strata-beats.h"
#include "dsp/strata-mel.h"

#define N_BANDS   40
#define N_LOW     6       /* the bands under ~200 Hz: bass and kick */
#define HOP       (44100 / STRATA_BEATS_RATE)
/* Below this autocorrelation peak (of the mean-removed onset curve,
 * relative to lag 0) there is no steady beat to draw. Noise gives < 0.1,
 * music with a pulse 0.2 and more. */
#define MIN_CONFIDENCE 0.15
/* How strongly consecutive beats keep to the period (the DP's penalty on
 * the squared log ratio of an interval to the period). */
#define TIGHTNESS 100.0

void
strata_beats_free (StrataBeats *beats)
{
  if (beats == NULL)
    return;
  if (beats->beats)
    g_array_unref (beats->beats);
  g_free (beats);
}

static StrataBeats *
beats_new (void)
{
  StrataBeats *b = g_new0 (StrataBeats, 1);
  b->beats = g_array_new (FALSE, FALSE, sizeof (double));
  return b;
}

static gboolean
aborted (StrataAbortFunc abort_func, gpointer abort_data, GError **error)
{
  if (abort_func && abort_func (abort_data))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
      return TRUE;
    }
  return FALSE;
}

/* Subtracts a centred moving average of @w frames each side and clamps at
 * zero: the onsets stand out of a slowly changing level. */
static void
remove_local_mean (float *x, gint64 T, int w)
{
  g_autofree double *cum = g_new (double, T + 1);
  g_autofree float *y = g_new (float, T);

  cum[0] = 0.0;
  for (gint64 t = 0; t < T; t++)
    cum[t + 1] = cum[t] + x[t];
  for (gint64 t = 0; t < T; t++)
    {
      gint64 a = MAX (0, t - w), b = MIN (T, t + w + 1);
      double mean = (cum[b] - cum[a]) / (double) (b - a);
      y[t] = (float) MAX (0.0, x[t] - mean);
    }
  memcpy (x, y, (gsize) T * sizeof (float));
}

/* The onset curves: all bands (@all) and the low bands (@low), T frames;
 * @mel_out takes the log-mel spectrogram (T, N_BANDS). The input is mono
 * (@channels 1) or interleaved stereo folded to 0.5 (L + R) on the fly:
 * the spectrogram is made in chunks of frames, each from its own stretch of
 * samples with enough lead-in that no frame sees the chunk's edge (so the
 * result is that of the whole signal at once, without a mono copy of it). */
#define CHUNK_FRAMES 4096

static gboolean
onset_curves (const float *x, int channels, gint64 n, float **all, float **low, float **mel_out,
              gint64 *n_frames)
{
  StrataMelConfig mc;
  StrataMelBank *bank;
  float *mel;
  gint64 T;
  int lead;
  g_autofree float *buf = NULL;
  g_autofree float *part = NULL;

  strata_mel_config_init (&mc);
  mc.n_fft = 1024;
  mc.hop = HOP;
  mc.n_mels = N_BANDS;
  mc.fmin = 30.0;
  mc.fmax = 8000.0;
  mc.log_floor = 1e-6;
  bank = strata_mel_bank_new (&mc);
  if (bank == NULL)
    return FALSE;
  T = strata_log_mel_get_n_frames (bank, n);
  lead = (mc.n_fft / 2 + HOP - 1) / HOP;
  mel = g_try_new (float, (gsize) T * N_BANDS);
  buf = g_try_new (float, (gsize) (CHUNK_FRAMES + lead) * HOP + mc.n_fft);
  part = g_try_new (float, (gsize) (CHUNK_FRAMES + lead + 4) * N_BANDS);
  if (mel == NULL || buf == NULL || part == NULL)
    {
      g_free (mel);
      strata_mel_bank_free (bank);
      return FALSE;
    }
  for (gint64 t0 = 0; t0 < T; t0 += CHUNK_FRAMES)
    {
      const gint64 t1 = MIN (T, t0 + CHUNK_FRAMES);
      const gint64 s0 = (t0 - lead) * HOP;   /* global index of buf[0] */
      /* frames 0 .. t1 - t0 + lead - 1 of buf: the last reads up to
       * (t1 - 1) * HOP + n_fft / 2 globally */
      const gint64 len = (t1 - t0 + lead - 1) * HOP + mc.n_fft / 2 + 1;

      for (gint64 i = 0; i < len; i++)
        {
          gint64 g = s0 + i;
          buf[i] = g < 0 || g >= n ? 0.0f
                   : channels == 1 ? x[g] : 0.5f * (x[2 * g] + x[2 * g + 1]);
        }
      if (!strata_log_mel (bank, buf, len, part))
        {
          g_free (mel);
          strata_mel_bank_free (bank);
          return FALSE;
        }
      memcpy (mel + t0 * N_BANDS, part + (gsize) lead * N_BANDS,
              (gsize) (t1 - t0) * N_BANDS * sizeof (float));
    }
  strata_mel_bank_free (bank);

  *all = g_new0 (float, T);
  *low = g_new0 (float, T);
  for (gint64 t = 1; t < T; t++)
    {
      const float *cur = mel + t * N_BANDS, *prev = cur - N_BANDS;
      double sa = 0.0, sl = 0.0;

      for (int m = 0; m < N_BANDS; m++)
        {
          double d = cur[m] - prev[m];
          if (d > 0.0)
            {
              sa += d;
              if (m < N_LOW)
                sl += d;
            }
        }
      (*all)[t] = (float) sa;
      (*low)[t] = (float) sl;
    }
  *mel_out = mel;
  remove_local_mean (*all, T, STRATA_BEATS_RATE / 4);
  remove_local_mean (*low, T, STRATA_BEATS_RATE / 4);
  *n_frames = T;
  return TRUE;
}

/* The beat period in frames (fractional) and the confidence, from the
 * autocorrelation of @o weighted by a log-normal prior around 120 BPM (one
 * octave wide), which settles the octave ambiguity the way listeners tap. */
static double
estimate_period (const float *o, gint64 T, double *confidence)
{
  const int lag_min = (int) floor (60.0 * STRATA_BEATS_RATE / STRATA_BEATS_MAX_BPM);
  const int lag_max = (int) ceil (60.0 * STRATA_BEATS_RATE / STRATA_BEATS_MIN_BPM);
  g_autofree double *ac = g_new0 (double, lag_max + 2);
  double mean = 0.0, ac0 = 0.0, best = -1.0;
  int best_lag = 0;

  *confidence = 0.0;
  if (T < 2 * lag_max)
    return 0.0;
  for (gint64 t = 0; t < T; t++)
    mean += o[t];
  mean /= (double) T;
  for (gint64 t = 0; t < T; t++)
    ac0 += (o[t] - mean) * (o[t] - mean);
  if (ac0 <= 1e-12)
    return 0.0;
  for (int lag = lag_min - 1; lag <= lag_max + 1; lag++)
    {
      double s = 0.0;
      for (gint64 t = 0; t + lag < T; t++)
        s += (o[t] - mean) * (o[t + lag] - mean);
      ac[lag] = s / ac0 * (double) T / (double) (T - lag);
    }
  for (int lag = lag_min; lag <= lag_max; lag++)
    {
      double bpm = 60.0 * STRATA_BEATS_RATE / lag;
      double z = log2 (bpm / 120.0);
      double w = exp (-0.5 * z * z);
      /* a local maximum, so the prior picks among peaks, not slopes */
      if (ac[lag] >= ac[lag - 1] && ac[lag] >= ac[lag + 1] && ac[lag] * w > best)
        {
          best = ac[lag] * w;
          best_lag = lag;
        }
    }
  if (best_lag == 0)
    return 0.0;
  *confidence = CLAMP (ac[best_lag], 0.0, 1.0);
  {
    /* parabolic interpolation of the peak */
    double a = ac[best_lag - 1], b = ac[best_lag], c = ac[best_lag + 1];
    double den = a - 2.0 * b + c;
    double shift = fabs (den) > 1e-12 ? 0.5 * (a - c) / den : 0.0;
    return best_lag + CLAMP (shift, -0.5, 0.5);
  }
}

/* Beats by dynamic programming: score(t) = o(t) + max over the previous
 * beat u of score(u) − TIGHTNESS · ln²((t − u) / P). Frames, increasing. */
static GArray *
track_beats (const float *o, gint64 T, double P)
{
  g_autofree double *score = g_new (double, T);
  g_autofree gint64 *back = g_new (gint64, T);
  GArray *frames = g_array_new (FALSE, FALSE, sizeof (gint64));
  const gint64 lo = (gint64) floor (P / 2.0), hi = (gint64) ceil (2.0 * P);
  double norm = 0.0;
  gint64 end = -1;

  for (gint64 t = 0; t < T; t++)
    norm = MAX (norm, o[t]);
  if (norm <= 0.0)
    return frames;
  for (gint64 t = 0; t < T; t++)
    {
      double best = -G_MAXDOUBLE;
      gint64 arg = -1;

      for (gint64 u = t - hi; u <= t - lo; u++)
        {
          double r, s;
          if (u < 0)
            continue;
          r = log ((double) (t - u) / P);
          s = score[u] - TIGHTNESS * r * r;
          if (s > best)
            {
              best = s;
              arg = u;
            }
        }
      score[t] = o[t] / norm + (arg >= 0 ? MAX (best, 0.0) : 0.0);
      back[t] = arg >= 0 && best > 0.0 ? arg : -1;
    }
  /* the best-scoring frame of the last period ends the chain */
  for (gint64 t = MAX (0, T - (gint64) ceil (P)); t < T; t++)
    if (end < 0 || score[t] > score[end])
      end = t;
  for (gint64 t = end; t >= 0; t = back[t])
    g_array_prepend_val (frames, t);
  return frames;
}

/* Strength of @o around frame @t (± 2 frames). */
static double
peak_near (const float *o, gint64 T, gint64 t)
{
  double m = 0.0;
  for (gint64 u = MAX (0, t - 2); u <= MIN (T - 1, t + 2); u++)
    m = MAX (m, o[u]);
  return m;
}

/* Standardises @x (n values) to zero mean, unit deviation. */
static void
standardise (double *x, guint n)
{
  double m = 0.0, v = 0.0;
  for (guint i = 0; i < n; i++)
    m += x[i];
  m /= n;
  for (guint i = 0; i < n; i++)
    v += (x[i] - m) * (x[i] - m);
  v = sqrt (v / n);
  for (guint i = 0; i < n; i++)
    x[i] = v > 1e-12 ? (x[i] - m) / v : 0.0;
}

/* The metre and the first bar line: of 3 or 4 beats a bar and each phase,
 * the one whose first beats stand out most from the other beats in two
 * cues — how much the spectrum between this beat and the next differs from
 * the one before (chords change on bar lines), and the low-frequency onset
 * (bass and kick land on the one). */
static void
find_bars (StrataBeats *b, const float *all, const float *low, const float *mel, gint64 T,
           const GArray *frames)
{
  const guint n = frames->len;
  g_autofree double *accent = g_new0 (double, MAX (n, 1));
  g_autofree double *bass = g_new0 (double, MAX (n, 1));
  g_autofree double *prev = g_new0 (double, N_BANDS);
  g_autofree double *cur = g_new0 (double, N_BANDS);
  double best = -G_MAXDOUBLE;

  b->beats_per_bar = 4;
  b->first_downbeat = 0;
  if (n < 8)
    return;
  for (guint i = 0; i < n; i++)
    {
      gint64 t = g_array_index (frames, gint64, i);
      gint64 e = i + 1 < n ? g_array_index (frames, gint64, i + 1) : MIN (T, t + 1);
      double d = 0.0;

      memset (cur, 0, N_BANDS * sizeof (double));
      for (gint64 u = t; u < e; u++)
        for (int m = 0; m < N_BANDS; m++)
          cur[m] += mel[u * N_BANDS + m] / (double) (e - t);
      for (int m = 0; m < N_BANDS && i > 0; m++)
        d += (cur[m] - prev[m]) * (cur[m] - prev[m]);
      accent[i] = sqrt (d);
      memcpy (prev, cur, N_BANDS * sizeof (double));
      bass[i] = peak_near (low, T, t) + 0.25 * peak_near (all, T, t);
    }
  accent[0] = 0.0;
  standardise (accent, n);
  standardise (bass, n);
  for (guint i = 0; i < n; i++)
    accent[i] += 0.5 * bass[i];
  for (int M = 3; M <= 4; M++)
    for (int p = 0; p < M; p++)
      {
        double on = 0.0, off = 0.0;
        int n_on = 0, n_off = 0;

        for (guint i = 0; i < n; i++)
          if ((int) (i % M) == p)
            on += accent[i], n_on++;
          else
            off += accent[i], n_off++;
        if (n_on == 0 || n_off == 0)
          continue;
        on /= n_on;
        off /= n_off;
        /* 4/4 is the usual metre: 3/4 must be clearly better */
        double s = on - off + (M == 4 ? 0.1 : 0.0);
        if (s > best)
          {
            best = s;
            b->beats_per_bar = M;
            b->first_downbeat = p;
          }
      }
}

/* strata_beats_estimate() on mono (@channels 1) or interleaved stereo. */
static StrataBeats *
estimate (const float     *x,
          int              channels,
          gint64           n_samples,
          StrataAbortFunc  abort_func,
          gpointer         abort_data,
          GError         **error)
{
  g_autoptr(StrataBeats) b = beats_new ();
  g_autofree float *all = NULL, *low = NULL, *mel = NULL;
  g_autoptr(GArray) frames = NULL;
  gint64 T = 0;
  double P;

  if (n_samples < 4 * 44100)
    return g_steal_pointer (&b);   /* too short to show a pulse */
  if (!onset_curves (x, channels, n_samples, &all, &low, &mel, &T))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of memory"));
      return NULL;
    }
  if (aborted (abort_func, abort_data, error))
    return NULL;
  P = estimate_period (all, T, &b->confidence);
  if (P <= 0.0 || b->confidence < MIN_CONFIDENCE)
    return g_steal_pointer (&b);
  b->bpm = 60.0 * STRATA_BEATS_RATE / P;
  frames = track_beats (all, T, P);
  if (aborted (abort_func, abort_data, error))
    return NULL;
  for (guint i = 0; i < frames->len; i++)
    {
      double t = (double) g_array_index (frames, gint64, i) / STRATA_BEATS_RATE;
      g_array_append_val (b->beats, t);
    }
  find_bars (b, all, low, mel, T, frames);
  /* the tempo the beats keep, over the whole track */
  if (b->beats->len >= 2)
    b->bpm = 60.0 * (b->beats->len - 1)
             / (g_array_index (b->beats, double, b->beats->len - 1) - g_array_index (b->beats, double, 0));
  return g_steal_pointer (&b);
}

/**
 * strata_beats_estimate:
 * @mono: the mono mix at 44.1 kHz
 * @n_samples: its length
 * @abort_func: (nullable): polled between the stages
 * @abort_data: its data
 * @error: return location for a #GError, or %NULL
 *
 * Tempo, beats and bar lines. Audio without a steady pulse (silence,
 * noise, free rhythm) gives bpm 0 and no beats, not a made-up grid.
 *
 * Returns: (transfer full) (nullable): the beats, or %NULL with @error set
 *   (cancelled, out of memory)
 */
StrataBeats *
strata_beats_estimate (const float     *mono,
                       gint64           n_samples,
                       StrataAbortFunc  abort_func,
                       gpointer         abort_data,
                       GError         **error)
{
  g_return_val_if_fail (mono != NULL || n_samples == 0, NULL);
  return estimate (mono, 1, n_samples, abort_func, abort_data, error);
}

/**
 * strata_beats_estimate_stereo:
 * @samples: (T, 2) interleaved stereo at 44.1 kHz
 * @n_frames: T
 * @abort_func: (nullable): polled between the stages
 * @abort_data: its data
 * @error: return location for a #GError, or %NULL
 *
 * strata_beats_estimate() of the mix 0.5 (L + R), folded as it is read (no
 * mono copy of a long track is made). The same result.
 *
 * Returns: (transfer full) (nullable): the beats, or %NULL with @error set
 */
StrataBeats *
strata_beats_estimate_stereo (const float     *samples,
                              gint64           n_frames,
                              StrataAbortFunc  abort_func,
                              gpointer         abort_data,
                              GError         **error)
{
  g_return_val_if_fail (samples != NULL || n_frames == 0, NULL);
  return estimate (samples, 2, n_frames, abort_func, abort_data, error);
}

int
strata_beats_bar_at (const StrataBeats *beats, guint i)
{
  g_return_val_if_fail (beats != NULL, 0);
  if (beats->beats_per_bar <= 0 || i >= beats->beats->len || (int) i < beats->first_downbeat)
    return 0;
  if ((i - beats->first_downbeat) % beats->beats_per_bar != 0)
    return 0;
  return (int) ((i - beats->first_downbeat) / beats->beats_per_bar) + 1;
}

double
strata_beats_snap (const StrataBeats *beats,
                   double             t,
                   double             max_distance,
                   gboolean           bars)
{
  const GArray *a;
  double best = t, best_d = max_distance;
  guint lo = 0, hi;

  g_return_val_if_fail (beats != NULL, t);
  a = beats->beats;
  if (a->len == 0)
    return t;
  /* binary search for the first beat at or after t, then look around it */
  hi = a->len;
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (g_array_index (a, double, mid) < t)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (gint i = (gint) lo - (bars ? beats->beats_per_bar : 1);
       i <= (gint) lo + (bars ? beats->beats_per_bar : 1); i++)
    {
      double d;
      if (i < 0 || i >= (gint) a->len || (bars && strata_beats_bar_at (beats, (guint) i) == 0))
        continue;
      d = fabs (g_array_index (a, double, i) - t);
      if (d <= best_d)
        {
          best_d = d;
          best = g_array_index (a, double, i);
        }
    }
  return best;
}

/* ---------------------------------------------------------------- bytes */

#define MAGIC "SBT1"

typedef struct {
  char    magic[4];
  guint32 n_beats;
  gint32  beats_per_bar;
  gint32  first_downbeat;
  double  bpm;
  double  confidence;
} BeatsHeader;

GBytes *
strata_beats_to_bytes (const StrataBeats *beats)
{
  BeatsHeader h;
  gsize size = sizeof h + beats->beats->len * sizeof (double);
  guint8 *buf = g_malloc (size);

  memset (&h, 0, sizeof h);
  memcpy (h.magic, MAGIC, 4);
  h.n_beats = beats->beats->len;
  h.beats_per_bar = beats->beats_per_bar;
  h.first_downbeat = beats->first_downbeat;
  h.bpm = beats->bpm;
  h.confidence = beats->confidence;
  memcpy (buf, &h, sizeof h);
  if (beats->beats->len > 0)
    memcpy (buf + sizeof h, beats->beats->data, beats->beats->len * sizeof (double));
  return g_bytes_new_take (buf, size);
}

StrataBeats *
strata_beats_from_bytes (GBytes *bytes, GError **error)
{
  gsize size = 0;
  const guint8 *p = g_bytes_get_data (bytes, &size);
  g_autoptr(StrataBeats) b = NULL;
  BeatsHeader h;
  const double *t;
  gboolean ok;

  if (size < sizeof h)
    goto bad;
  memcpy (&h, p, sizeof h);
  ok = memcmp (h.magic, MAGIC, 4) == 0
       && size == sizeof h + (gsize) h.n_beats * sizeof (double)
       && (h.n_beats == 0 || (h.beats_per_bar >= 3 && h.beats_per_bar <= 4
                              && h.first_downbeat >= 0 && h.first_downbeat < h.beats_per_bar))
       && isfinite (h.bpm) && h.bpm >= 0.0 && h.bpm < 1000.0
       && isfinite (h.confidence) && h.confidence >= 0.0 && h.confidence <= 1.0;
  if (!ok)
    goto bad;
  b = beats_new ();
  b->bpm = h.bpm;
  b->confidence = h.confidence;
  b->beats_per_bar = h.beats_per_bar;
  b->first_downbeat = h.first_downbeat;
  t = (const double *) (p + sizeof h);
  for (guint32 i = 0; i < h.n_beats; i++)
    {
      double v;
      memcpy (&v, t + i, sizeof v);
      if (!isfinite (v) || v < 0.0 || (i > 0 && v <= g_array_index (b->beats, double, i - 1)))
        goto bad;
      g_array_append_val (b->beats, v);
    }
  return g_steal_pointer (&b);

bad:
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Damaged beat data"));
  return NULL;
}
