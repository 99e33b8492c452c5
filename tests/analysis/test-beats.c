/* test-beats.c: tempo, beats and bar lines on synthetic tracks whose beats
 * are known, silence and noise, snapping, and the cache bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <gio/gio.h>

#include "analysis/strata-beats.h"

#define RATE 44100

typedef struct {
  double bpm;
  int    metre;
} Case;

/* A drum pattern over chords that change with each bar (as chords do): a
 * noise tick on every beat, a kick (decaying 60 Hz) on each bar's first
 * beat, a snare-like burst on beat 3 of 4 (not in 3/4). The first beat at
 * @offset seconds. */
static float *
make_track (const Case *c, double seconds, double offset, gint64 *n_out)
{
  const gint64 n = (gint64) (seconds * RATE);
  float *x = g_new0 (float, n);
  GRand *rand = g_rand_new_with_seed (7);
  const double period = 60.0 / c->bpm;

  static const double roots[4] = { 220.0, 174.6, 261.6, 196.0 };   /* A F C G */

  for (gint64 i = 0; i < n; i++)
    {
      double t = (double) i / RATE;
      int bar = t < offset ? 0 : (int) ((t - offset) / (period * c->metre));
      double f = roots[bar % 4];

      x[i] = (float) (0.04 * (sin (2 * G_PI * f * t) + sin (2 * G_PI * f * 1.26 * t)
                              + sin (2 * G_PI * f * 1.5 * t)));
    }
  for (int k = 0;; k++)
    {
      double tb = offset + k * period;
      gint64 s = (gint64) (tb * RATE);
      int beat = k % c->metre;

      if (s >= n)
        break;
      double last = 0.0;

      for (gint64 i = 0; i < (gint64) (0.25 * RATE) && s + i < n; i++)
        {
          double t = (double) i / RATE;
          double noise = g_rand_double (rand) * 2 - 1;
          double hiss = noise - last;   /* first difference: high-passed, as drums' noise is */
          double v = 0.1 * exp (-t / 0.01) * hiss;                            /* tick */

          last = noise;
          if (beat == 0)
            v += 0.6 * exp (-t / 0.12) * sin (2 * G_PI * 60.0 * t);          /* kick */
          if (c->metre == 4 && beat == 2)
            v += 0.2 * exp (-t / 0.05) * hiss;                                /* snare */
          x[s + i] += (float) v;
        }
    }
  g_rand_free (rand);
  *n_out = n;
  return x;
}

static void
test_known_beats (gconstpointer data)
{
  const Case *c = data;
  /* 50 s: more than one of the onset curve's chunks (4096 frames) */
  const double offset = 0.37, seconds = 50.0, period = 60.0 / c->bpm;
  gint64 n;
  g_autofree float *x = make_track (c, seconds, offset, &n);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataBeats) b = strata_beats_estimate (x, n, NULL, NULL, &error);
  guint hits = 0, n_true = 0, bar_hits = 0, n_bars = 0;
  const GArray *a;

  g_assert_no_error (error);
  g_assert_nonnull (b);
  a = b->beats;
  g_test_message ("%.0f BPM %d/4: estimated %.2f BPM, %d beats a bar, %u beats, confidence %.2f",
                  c->bpm, c->metre, b->bpm, b->beats_per_bar, a->len, b->confidence);
  g_assert_cmpfloat (fabs (b->bpm - c->bpm) / c->bpm, <, 0.02);
  g_assert_cmpint (b->beats_per_bar, ==, c->metre);

  /* every true beat after the first 2 s has an estimated beat within 50 ms,
   * and each estimated bar line is a true one */
  for (int k = 0;; k++)
    {
      double tb = offset + k * period;
      if (tb > seconds - 1.0)
        break;
      if (tb < 2.0)
        continue;
      n_true++;
      for (guint i = 0; i < a->len; i++)
        if (fabs (g_array_index (a, double, i) - tb) < 0.05)
          {
            hits++;
            if (strata_beats_bar_at (b, i) > 0)
              {
                n_bars++;
                bar_hits += k % c->metre == 0;
              }
            break;
          }
    }
  g_test_message ("  %u of %u beats within 50 ms; %u of %u bar lines on true bar lines",
                  hits, n_true, bar_hits, n_bars);
  g_assert_cmpfloat ((double) hits / n_true, >=, 0.95);
  /* no extra beats in between: at most the track's true beats */
  g_assert_cmpuint (a->len, <=, (guint) floor ((seconds - offset) / period) + 2);
  g_assert_cmpuint (n_bars, >, 0);
  g_assert_cmpfloat ((double) bar_hits / n_bars, >=, 0.9);
}

/* Silence and white noise have no pulse: no grid is drawn. */
static void
test_no_pulse (void)
{
  const gint64 n = 30 * RATE;
  g_autofree float *x = g_new0 (float, n);
  GRand *rand = g_rand_new_with_seed (3);

  for (int pass = 0; pass < 2; pass++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataBeats) b = NULL;

      if (pass == 1)
        for (gint64 i = 0; i < n; i++)
          x[i] = (float) (0.3 * (g_rand_double (rand) * 2 - 1));
      b = strata_beats_estimate (x, n, NULL, NULL, &error);
      g_assert_no_error (error);
      g_test_message ("%s: %.1f BPM, confidence %.3f, %u beats", pass ? "noise" : "silence",
                      b->bpm, b->confidence, b->beats->len);
      g_assert_cmpfloat (b->bpm, ==, 0.0);
      g_assert_cmpuint (b->beats->len, ==, 0);
      g_assert_cmpint (strata_beats_bar_at (b, 0), ==, 0);
      g_assert_cmpfloat (strata_beats_snap (b, 1.234, 1.0, FALSE), ==, 1.234);
    }
  /* too short for a pulse: fine, nothing */
  {
    g_autoptr(StrataBeats) b = strata_beats_estimate (x, RATE, NULL, NULL, NULL);
    g_assert_nonnull (b);
    g_assert_cmpuint (b->beats->len, ==, 0);
  }
  g_rand_free (rand);
}

static bool
abort_now (void *data)
{
  return true;
}

static void
test_cancel (void)
{
  static const Case c = { 120.0, 4 };
  gint64 n;
  g_autofree float *x = make_track (&c, 10.0, 0.0, &n);
  g_autoptr(GError) error = NULL;
  StrataBeats *b = strata_beats_estimate (x, n, abort_now, NULL, &error);

  g_assert_null (b);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_snap_and_bytes (void)
{
  static const Case c = { 100.0, 4 };
  gint64 n;
  g_autofree float *x = make_track (&c, 20.0, 0.5, &n);
  g_autoptr(StrataBeats) b = strata_beats_estimate (x, n, NULL, NULL, NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(StrataBeats) back = NULL;
  g_autoptr(GError) error = NULL;
  double beat5, bar2;
  guint i_bar2 = 0;

  g_assert_nonnull (b);
  g_assert_cmpuint (b->beats->len, >, 12);
  beat5 = g_array_index (b->beats, double, 5);
  /* near a beat: snapped to it; far from every beat: unchanged */
  g_assert_cmpfloat (strata_beats_snap (b, beat5 + 0.04, 0.1, FALSE), ==, beat5);
  g_assert_cmpfloat (strata_beats_snap (b, beat5 - 0.04, 0.1, FALSE), ==, beat5);
  g_assert_cmpfloat (strata_beats_snap (b, beat5 + 0.3, 0.1, FALSE), ==, beat5 + 0.3);
  /* to bar lines only */
  for (guint i = 0; i < b->beats->len; i++)
    if (strata_beats_bar_at (b, i) == 2)
      i_bar2 = i;
  g_assert_cmpuint (i_bar2, >, 0);
  bar2 = g_array_index (b->beats, double, i_bar2);
  g_assert_cmpfloat (strata_beats_snap (b, bar2 + 0.7, 1.0, TRUE), ==, bar2);
  g_assert_cmpfloat (strata_beats_snap (b, bar2 + 0.7, 1.0, FALSE), !=, bar2);

  bytes = strata_beats_to_bytes (b);
  back = strata_beats_from_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (back->bpm, ==, b->bpm);
  g_assert_cmpint (back->beats_per_bar, ==, b->beats_per_bar);
  g_assert_cmpint (back->first_downbeat, ==, b->first_downbeat);
  g_assert_cmpuint (back->beats->len, ==, b->beats->len);
  g_assert_cmpmem (back->beats->data, back->beats->len * sizeof (double),
                   b->beats->data, b->beats->len * sizeof (double));

  /* every truncation and every flipped byte of the header: refused or valid, never a crash */
  {
    gsize size;
    const guint8 *p = g_bytes_get_data (bytes, &size);
    g_autofree guint8 *copy = g_memdup2 (p, size);

    for (gsize cut = 0; cut < size; cut += 7)
      {
        g_autoptr(GBytes) part = g_bytes_new (p, cut);
        g_autoptr(GError) e = NULL;
        g_assert_null (strata_beats_from_bytes (part, &e));
        g_assert_error (e, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      }
    for (gsize i = 0; i < 40 && i < size; i++)
      {
        g_autoptr(GBytes) bad = NULL;
        StrataBeats *r;

        copy[i] ^= 0xff;
        bad = g_bytes_new (copy, size);
        r = strata_beats_from_bytes (bad, NULL);
        if (r != NULL)
          {
            for (guint k = 1; k < r->beats->len; k++)
              g_assert_cmpfloat (g_array_index (r->beats, double, k), >, g_array_index (r->beats, double, k - 1));
            strata_beats_free (r);
          }
        copy[i] ^= 0xff;
      }
  }
}

/* The stereo entry folds as it reads: the same beats as on the mono mix. */
static void
test_stereo (void)
{
  static const Case c = { 132.0, 4 };
  gint64 n;
  g_autofree float *x = make_track (&c, 70.0, 0.2, &n);
  g_autofree float *st = g_new (float, 2 * n);
  g_autoptr(StrataBeats) a = NULL, b = NULL;

  for (gint64 i = 0; i < n; i++)
    {
      /* L + R = 2x exactly: x ± a power of two fraction of it */
      st[2 * i] = x[i] * 1.5f;
      st[2 * i + 1] = x[i] * 0.5f;
    }
  a = strata_beats_estimate (x, n, NULL, NULL, NULL);
  b = strata_beats_estimate_stereo (st, n, NULL, NULL, NULL);
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_test_message ("132 BPM: %.2f BPM, %u beats, first %.2f s", a->bpm, a->beats->len, g_array_index (a->beats, double, 0));
  g_assert_cmpuint (a->beats->len, >, 60);
  g_assert_cmpfloat (a->bpm, ==, b->bpm);
  g_assert_cmpint (a->first_downbeat, ==, b->first_downbeat);
  g_assert_cmpmem (a->beats->data, a->beats->len * sizeof (double),
                   b->beats->data, b->beats->len * sizeof (double));
}

int
main (int argc, char **argv)
{
  static const Case cases[] = { { 120.0, 4 }, { 96.0, 4 }, { 150.0, 3 }, { 84.0, 3 } };

  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/strata/analysis/beats/known/%.0f-%d",
                                               cases[i].bpm, cases[i].metre);
      g_test_add_data_func (name, &cases[i], test_known_beats);
    }
  g_test_add_func ("/strata/analysis/beats/no-pulse", test_no_pulse);
  g_test_add_func ("/strata/analysis/beats/cancel", test_cancel);
  g_test_add_func ("/strata/analysis/beats/stereo", test_stereo);
  g_test_add_func ("/strata/analysis/beats/snap-and-bytes", test_snap_and_bytes);
  return g_test_run ();
}
