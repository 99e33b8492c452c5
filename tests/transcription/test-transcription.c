/* test-transcription.c: the transcription head — scores against hand
 * computed cases, decoding of synthetic activations, the tempo estimate,
 * MIDI written and read back, the head's gradients against finite
 * differences, hostile weights, and train-stop-resume against an
 * uninterrupted run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/strata-audio.h"
#include "nn/strata-safetensors.h"
#include "tasks/transcription/strata-transcription-private.h"
#include "tasks/transcription/strata-transcription-train.h"

#define P88 STRATA_TRANSCRIPTION_N_PITCHES
#define FRONTEND_SHA256 "b47db7ad020cd37f0a9099a6bdf2293d9549ea4b1bbf0c0c478a220fe3722fa3"

static GArray *
notes_of (const double (*rows)[4], int n)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (StrataTimedNote));
  for (int i = 0; i < n; i++)
    {
      StrataTimedNote x = { rows[i][0], rows[i][1], (int) rows[i][2], (int) rows[i][3] };
      g_array_append_val (a, x);
    }
  return a;
}

/* ------------------------------------------------------------ front end */

/* The front end on three sines (A2, A4, C8) over a little noise: each
 * sine peaks within a bin of its pitch, and the bytes are those of the
 * first version of this front end (the head was trained on them), SHA-256
 * taken before it moved to core/dsp. */
static void
test_frontend (void)
{
  const int64_t n = 2 * 44100;
  g_autofree float *x = g_new (float, n);
  StrataRng rng;
  strata_rng_seed (&rng, 5);
  for (int64_t i = 0; i < n; i++)
    {
      double t = (double) i / 44100;
      x[i] = (float) (0.2 * sin (2 * G_PI * 110.0 * t) + 0.2 * sin (2 * G_PI * 440.0 * t) +
                      0.1 * sin (2 * G_PI * 4186.01 * t)) + 1e-3f * strata_rng_normal (&rng);
    }
  int T = 0;
  g_autofree float *spec = strata_transcription_frontend (x, n, &T);
  g_assert_nonnull (spec);
  g_assert_cmpint (T, ==, n / 512 + 1);
  const int NB = STRATA_TRANSCRIPTION_N_BINS;
  const float *row = spec + (size_t) (T / 2) * NB;
  const int pitches[] = { 45, 69, 108 };
  for (guint k = 0; k < G_N_ELEMENTS (pitches); k++)
    {
      const int centre = 1 + 3 * (pitches[k] - 21);
      int best = MAX (centre - 4, 0);
      for (int b = best; b <= MIN (centre + 4, NB - 1); b++)
        if (row[b] > row[best])
          best = b;
      g_assert_cmpint (ABS (best - centre), <=, 1);   /* a third of a semitone */
    }
  g_autofree char *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) spec,
                                                      (gsize) T * NB * sizeof (float));
  if (g_test_verbose ())
    g_test_message ("front end SHA-256 %s", sha);
  g_assert_cmpstr (sha, ==, FRONTEND_SHA256);
}

/* ------------------------------------------------------------ scores */

static void
test_scores_hand (void)
{
  const double ref_rows[][4] = {
    { 0.0, 1.0, 60, 80 }, { 1.0, 2.0, 62, 80 }, { 2.0, 2.5, 64, 80 },
  };
  const double est_rows[][4] = {
    { 0.03, 1.0, 60, 80 },   /* onset 30 ms late: a match */
    { 1.06, 2.0, 62, 80 },   /* 60 ms late: no */
    { 2.0, 2.5, 65, 80 },    /* a semitone off: no */
    { 3.0, 3.5, 70, 80 },    /* nothing there */
  };
  g_autoptr (GArray) ref = notes_of (ref_rows, 3);
  g_autoptr (GArray) est = notes_of (est_rows, 4);
  StrataTranscriptionScores s;
  strata_transcription_evaluate (ref, est, &s);
  g_assert_cmpint (s.note.n_match, ==, 1);
  g_assert_cmpfloat_with_epsilon (s.note.precision, 0.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.note.recall, 1.0 / 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (s.note.f1, 2.0 / 7.0, 1e-12);
  g_assert_cmpint (s.note_offset.n_match, ==, 1);
}

/* Greedy matching in file order gets 1 here; the maximum matching 2. */
static void
test_scores_one_to_one (void)
{
  const double ref_rows[][4] = { { 0.10, 0.5, 60, 80 }, { 0.18, 0.5, 60, 80 } };
  const double est_rows[][4] = { { 0.14, 0.5, 60, 80 }, { 0.06, 0.5, 60, 80 } };
  g_autoptr (GArray) ref = notes_of (ref_rows, 2);
  g_autoptr (GArray) est = notes_of (est_rows, 2);
  StrataTranscriptionScores s;
  strata_transcription_evaluate (ref, est, &s);
  g_assert_cmpint (s.note.n_match, ==, 2);
  g_assert_cmpfloat (s.note.f1, ==, 1.0);
  /* one estimate cannot serve two references */
  g_array_set_size (est, 1);
  strata_transcription_evaluate (ref, est, &s);
  g_assert_cmpint (s.note.n_match, ==, 1);
  g_assert_cmpfloat_with_epsilon (s.note.f1, 2.0 / 3.0, 1e-12);
}

static void
test_scores_tolerances (void)
{
  /* onsets exactly 50 ms apart match (mir_eval rounds to 4 decimals);
   * the offset tolerance is max (50 ms, 20 % of the reference's length) */
  const double ref_rows[][4] = {
    { 0.10, 1.10, 60, 80 }, { 2.0, 3.0, 62, 80 }, { 4.0, 4.1, 64, 80 }, { 5.0, 6.0, 65, 80 },
  };
  const double est_rows[][4] = {
    { 0.15, 1.10, 60, 80 },  /* onset +50 ms: note and offset match */
    { 2.0, 3.19, 62, 80 },   /* offset +190 ms < 200 ms: both */
    { 4.0, 4.16, 64, 80 },   /* offset +60 ms > 50 ms: note only */
    { 5.0501, 6.0, 65, 80 }, /* onset +50.1 ms: neither */
  };
  g_autoptr (GArray) ref = notes_of (ref_rows, 4);
  g_autoptr (GArray) est = notes_of (est_rows, 4);
  StrataTranscriptionScores s;
  strata_transcription_evaluate (ref, est, &s);
  g_assert_cmpint (s.note.n_match, ==, 3);
  g_assert_cmpint (s.note_offset.n_match, ==, 2);
  /* frames: the same two notes of 1 s, one shifted by 0.5 s */
  const double a_rows[][4] = { { 0.0, 1.0, 60, 80 } }, b_rows[][4] = { { 0.5, 1.5, 60, 80 } };
  g_autoptr (GArray) a = notes_of (a_rows, 1);
  g_autoptr (GArray) b = notes_of (b_rows, 1);
  strata_transcription_evaluate (a, b, &s);
  g_assert_cmpint (s.frame.n_ref, ==, 87);   /* frames 0..86: centres in [0, 1) */
  g_assert_cmpint (s.frame.n_est, ==, 86);   /* 44..129 */
  g_assert_cmpint (s.frame.n_match, ==, 43);
  /* nothing against nothing scores 0, as mir_eval */
  g_autoptr (GArray) none = g_array_new (FALSE, FALSE, sizeof (StrataTimedNote));
  strata_transcription_evaluate (none, none, &s);
  g_assert_cmpfloat (s.note.f1, ==, 0.0);
}

/* ------------------------------------------------------------ decoding */

static StrataTranscriptionOutput *
empty_output (int T)
{
  StrataTranscriptionOutput *o = g_new0 (StrataTranscriptionOutput, 1);
  o->T = T;
  o->frame = g_new0 (float, (gsize) T * P88);
  o->onset = g_new0 (float, (gsize) T * P88);
  o->offset = g_new0 (float, (gsize) T * P88);
  o->velocity = g_new0 (float, (gsize) T * P88);
  return o;
}

static void
paint (StrataTranscriptionOutput *o, int pitch, int t0, int t1, float onset, float vel)
{
  int p = pitch - STRATA_TRANSCRIPTION_MIN_PITCH;
  for (int t = t0; t < t1; t++)
    o->frame[(size_t) t * P88 + p] = 0.9f;
  o->onset[(size_t) t0 * P88 + p] = onset;
  if (t0 > 0)
    o->onset[(size_t) (t0 - 1) * P88 + p] = onset * 0.5f;
  o->velocity[(size_t) t0 * P88 + p] = vel;
  o->velocity[(size_t) (t0 + 1) * P88 + p] = vel;
}

static void
test_decode (void)
{
  const double r = STRATA_TRANSCRIPTION_RATE;
  g_autoptr (StrataTranscriptionOutput) o = empty_output (400);
  g_autoptr (GArray) none = strata_transcription_decode (o, NULL);
  g_assert_cmpuint (none->len, ==, 0);   /* silence */

  paint (o, 60, 20, 60, 0.9f, 0.5f);             /* a plain note */
  paint (o, 64, 20, 60, 0.2f, 0.5f);             /* onset below the threshold: nothing */
  paint (o, 67, 100, 105, 0.9f, 1.0f);           /* 58 ms: kept */
  paint (o, 69, 100, 103, 0.9f, 1.0f);           /* 35 ms: dropped */
  paint (o, 72, 150, 250, 0.9f, 0.25f);          /* a re-struck note at 200 */
  paint (o, 72, 200, 250, 0.9f, 0.75f);
  paint (o, 76, 300, 340, 0.9f, 0.5f);           /* a dip of 2 frames (23 ms) at 320 */
  for (int t = 320; t < 322; t++)
    o->frame[(size_t) t * P88 + 76 - STRATA_TRANSCRIPTION_MIN_PITCH] = 0.1f;
  paint (o, 79, 300, 340, 0.9f, 0.5f);           /* a dip of 5 frames (58 ms): two parts, */
  for (int t = 320; t < 325; t++)                /* the second without an onset is dropped */
    o->frame[(size_t) t * P88 + 79 - STRATA_TRANSCRIPTION_MIN_PITCH] = 0.1f;
  /* the thresholds these cases are drawn for (the defaults are tuned on a
   * corpus and may move) */
  const StrataDecodeOptions base = {
    .onset_threshold = 0.3, .frame_threshold = 0.4, .min_note_ms = 50, .merge_gap_ms = 35,
  };
  g_autoptr (GArray) n = strata_transcription_decode (o, &base);
  const double want[][4] = {
    { 20, 60, 60, 64 }, { 100, 105, 67, 127 }, { 150, 200, 72, 32 }, { 200, 250, 72, 95 },
    { 300, 340, 76, 64 }, { 300, 320, 79, 64 },
  };
  g_assert_cmpuint (n->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < n->len; i++)
    {
      const StrataTimedNote *x = &g_array_index (n, StrataTimedNote, i);
      guint k = 0;
      while (k < G_N_ELEMENTS (want) && !(want[k][2] == x->pitch && fabs (want[k][0] / r - x->onset) < 1e-9))
        k++;
      g_assert_cmpuint (k, <, G_N_ELEMENTS (want));
      g_assert_cmpfloat_with_epsilon (x->offset, want[k][1] / r, 1e-9);
      g_assert_cmpint (x->velocity, ==, (int) want[k][3]);
    }
  /* the options: a higher onset threshold and a longer minimum */
  StrataDecodeOptions opt = base;
  opt.onset_threshold = 0.95;
  g_autoptr (GArray) n2 = strata_transcription_decode (o, &opt);
  g_assert_cmpuint (n2->len, ==, 0);
  opt = base;
  opt.min_note_ms = 300;
  g_autoptr (GArray) n3 = strata_transcription_decode (o, &opt);
  g_assert_cmpuint (n3->len, ==, 4);   /* 464 and 580 ms notes stay, 58 and 232 ms go */
  for (guint i = 0; i < n3->len; i++)
    g_assert_cmpint (g_array_index (n3, StrataTimedNote, i).pitch, !=, 79);
}

/* ------------------------------------------------------------ tempo */

static GArray *
beats (double period, int n, gboolean eighths)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (StrataTimedNote));
  for (int i = 0; i < n; i++)
    {
      StrataTimedNote x = { 0.2 + i * period, 0.3 + i * period, 60, 100 };
      g_array_append_val (a, x);
      if (eighths && i % 2)
        {
          StrataTimedNote y = { x.onset + period / 2, x.onset + period * 0.7, 67, 60 };
          g_array_append_val (a, y);
        }
    }
  strata_notes_sort (a);
  return a;
}

static void
test_tempo (void)
{
  g_autoptr (GArray) a = beats (0.5, 32, FALSE);
  g_assert_cmpfloat (fabs (strata_estimate_tempo (a) - 120.0), <=, 1.0);
  g_autoptr (GArray) b = beats (0.4, 40, FALSE);
  g_assert_cmpfloat (fabs (strata_estimate_tempo (b) - 150.0), <=, 1.5);
  g_autoptr (GArray) c = beats (60.0 / 92.0, 32, TRUE);
  g_assert_cmpfloat (fabs (strata_estimate_tempo (c) - 92.0), <=, 1.0);
  g_autoptr (GArray) d = beats (0.5, 2, FALSE);
  g_assert_cmpfloat (strata_estimate_tempo (d), ==, 120.0);   /* too few onsets */
}

/* ------------------------------------------------------------ MIDI */

static void
test_midi_roundtrip (void)
{
  const double rows[][4] = {
    { 0.0, 0.5, 60, 100 }, { 0.0, 0.5, 64, 90 }, { 0.25, 1.75, 67, 1 },
    { 0.5, 0.6, 60, 127 },  /* the same key again right after its note-off */
    { 3.3333, 4.1, 21, 50 }, { 3.4, 9.87654, 108, 64 },
  };
  g_autoptr (GArray) notes = notes_of (rows, G_N_ELEMENTS (rows));
  const double bpm = 97.3;
  g_autoptr (GBytes) smf = strata_notes_to_smf (notes, bpm);
  gsize len;
  const guint8 *data = g_bytes_get_data (smf, &len);
  g_assert_cmpmem (data, 4, "MThd", 4);
  g_assert_cmpint (data[9], ==, 1);    /* format 1 */
  g_assert_cmpint (data[11], ==, 2);   /* two tracks */
  double tempo = 0;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) back = strata_smf_read_notes (data, len, "t.mid", &tempo, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (fabs (tempo - bpm), <, 0.001);
  g_assert_cmpuint (back->len, ==, notes->len);
  const double tick = 60.0 / bpm / 480;
  for (guint i = 0; i < notes->len; i++)
    {
      const StrataTimedNote *a = &g_array_index (notes, StrataTimedNote, i);
      const StrataTimedNote *b = &g_array_index (back, StrataTimedNote, i);
      g_assert_cmpint (a->pitch, ==, b->pitch);
      g_assert_cmpint (a->velocity, ==, b->velocity);
      g_assert_cmpfloat (fabs (a->onset - b->onset), <=, tick / 2 + 1e-9);
      g_assert_cmpfloat (fabs (a->offset - b->offset), <=, tick / 2 + 1e-9);
    }
  /* damaged files: cut anywhere, the reader says so or reads what is there */
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr (GError) e = NULL;
      g_autoptr (GArray) r = strata_smf_read_notes (data, cut, "cut.mid", NULL, &e);
      g_assert_true ((r == NULL) == (e != NULL));
      if (e)
        g_assert_nonnull (strstr (e->message, "cut.mid"));
    }
}

/* ------------------------------------------------------------ gradients */

static StrataTranscriptionConfig
tiny_config (gboolean features)
{
  StrataTranscriptionConfig c;
  strata_transcription_config_init (&c);
  c.conv_channels = 2, c.embed = 6, c.hidden = 4, c.proj = 3;
  c.features = features;
  c.fine_dim = features ? 5 : 0;
  c.medium_dim = features ? 3 : 0;
  return c;
}

static void
fill_batch (StrataTranscriber *tr, TrActs *a, TrTargetRow *rows, uint64_t seed)
{
  StrataRng rng;
  strata_rng_seed (&rng, seed);
  const size_t N = (size_t) a->B * a->T;
  strata_rng_fill_normal (&rng, a->x, N * STRATA_TRANSCRIPTION_N_BINS, 0.0f, 1.0f);
  if (tr->cfg.features)
    {
      strata_rng_fill_normal (&rng, a->fine, N * tr->cfg.fine_dim, 0.0f, 1.0f);
      strata_rng_fill_normal (&rng, a->medium, (size_t) a->B * a->Tm * tr->cfg.medium_dim,
                              0.0f, 1.0f);
    }
  for (size_t n = 0; n < N; n++)
    for (int p = 0; p < P88; p++)
      {
        rows[n].frame[p] = strata_rng_uniform (&rng) < 0.3f;
        rows[n].onset[p] = strata_rng_uniform (&rng) < 0.1f;
        rows[n].offset[p] = strata_rng_uniform (&rng) < 0.1f;
        rows[n].velocity[p] = strata_rng_uniform (&rng);
      }
}

static double
loss_at (StrataTranscriber *tr, TrActs *a, const TrTargetRow *rows)
{
  _strata_tr_forward (tr, a);
  return _strata_tr_loss (a, rows, 3.0f, 1.0f, FALSE);
}

static void
check_gradients (gboolean features)
{
  StrataTranscriptionConfig c = tiny_config (features);
  g_autoptr (StrataTranscriber) tr = strata_transcriber_new (&c, 7);
  g_assert_nonnull (tr);
  /* larger output weights, so that every tensor's gradient is well above
   * the finite differences' noise */
  float *ow = strata_params_value (&tr->params, tr->i_ow);
  for (size_t i = 0; i < tr->params.info[tr->i_ow].numel; i++)
    ow[i] *= 4.0f;
  TrActs *a = _strata_tr_acts_new (tr, 2, 9);
  g_autofree TrTargetRow *rows = g_new (TrTargetRow, 18);
  fill_batch (tr, a, rows, 3);
  strata_params_zero_grad (&tr->params);
  _strata_tr_forward (tr, a);
  _strata_tr_loss (a, rows, 3.0f, 1.0f, TRUE);
  _strata_tr_backward (tr, a);
  StrataRng rng;
  strata_rng_seed (&rng, 11);
  const float eps = 1e-2f;
  for (int i = 0; i < tr->params.n_params; i++)
    {
      const StrataParamInfo *in = &tr->params.info[i];
      float *v = strata_params_value (&tr->params, i);
      const float *g = strata_params_grad (&tr->params, i);
      double max_err = 0, max_mag = 0;
      for (int k = 0; k < 8; k++)
        {
          size_t j = strata_rng_below (&rng, (uint32_t) in->numel);
          float keep = v[j];
          v[j] = keep + eps;
          double lp = loss_at (tr, a, rows);
          v[j] = keep - eps;
          double lm = loss_at (tr, a, rows);
          v[j] = keep;
          double num = (lp - lm) / (2.0 * eps);
          max_err = MAX (max_err, fabs (num - g[j]));
          max_mag = MAX (max_mag, MAX (fabs (num), fabs (g[j])));
        }
      double rel = max_err / MAX (max_mag, 1e-4);
      if (rel > 0.05)
        g_error ("%s: gradient off by %.3g (relative)", in->name, rel);
      g_test_message ("%s: relative error %.2g (|g| up to %.2g)", in->name, rel, max_mag);
    }
  _strata_tr_acts_free (a);
}

static void
test_gradients (void)
{
  check_gradients (FALSE);
}

static void
test_gradients_features (void)
{
  check_gradients (TRUE);
}

/* ------------------------------------------------------------ weights */

static char *
tmp_path (const char *dir, const char *name)
{
  return g_build_filename (dir, name, NULL);
}

static void
expect_invalid (const char *path, const char *why)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataTranscriber) tr = strata_transcriber_load (path, &error);
  g_assert_null (tr);
  g_assert_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID);
  g_test_message ("%s: %s", why, error->message);
  g_assert_nonnull (strstr (error->message, path));
}

static void
test_weights (void)
{
  g_autofree char *dir = g_dir_make_tmp ("strata-tr-XXXXXX", NULL);
  StrataTranscriptionConfig c = tiny_config (TRUE);
  g_autoptr (StrataTranscriber) tr = strata_transcriber_new (&c, 5);
  g_autofree char *good = tmp_path (dir, "good.safetensors");
  g_autofree char *config = _strata_tr_config_to_json (&c);
  g_autoptr (GError) error = NULL;
  g_assert_true (strata_params_save_f16 (&tr->params, good, STRATA_TRANSCRIPTION_ARCHITECTURE,
                                         config, NULL, &error));
  g_assert_no_error (error);
  g_autoptr (StrataTranscriber) back = strata_transcriber_load (good, &error);
  g_assert_no_error (error);
  g_assert_cmpint (strata_transcriber_get_config (back)->features, ==, 1);
  g_assert_cmpint (strata_transcriber_get_config (back)->fine_dim, ==, 5);
  /* F16: every weight within half a unit in the last place of a half */
  for (size_t i = 0; i < tr->params.total; i++)
    g_assert_cmpfloat (fabs (tr->params.values[i] - back->params.values[i]), <=,
                       fabs (tr->params.values[i]) / 2048.0 + 1e-7);
  g_assert_true (g_str_has_prefix (strata_transcriber_get_version (back),
                                   "strata-transcription/1/"));

  /* truncated */
  gchar *data;
  gsize len;
  g_assert_true (g_file_get_contents (good, &data, &len, NULL));
  g_autofree char *cut = tmp_path (dir, "cut.safetensors");
  g_assert_true (g_file_set_contents (cut, data, (gssize) (len - 10), NULL));
  expect_invalid (cut, "truncated");
  g_free (data);
  /* another architecture */
  g_autofree char *other = tmp_path (dir, "other.safetensors");
  g_assert_true (strata_params_save (&tr->params, other, "strata-foundation", config, NULL,
                                     FALSE, NULL));
  expect_invalid (other, "architecture");
  /* a config that does not match the tensors */
  StrataTranscriptionConfig wrong = c;
  wrong.hidden = 5;
  g_autofree char *wconfig = _strata_tr_config_to_json (&wrong);
  g_autofree char *shape = tmp_path (dir, "shape.safetensors");
  g_assert_true (strata_params_save (&tr->params, shape, STRATA_TRANSCRIPTION_ARCHITECTURE,
                                     wconfig, NULL, FALSE, NULL));
  expect_invalid (shape, "shape");
  /* hostile configs: absurd widths, missing keys, not JSON */
  const char *configs[] = {
    "{\"conv_channels\": 2, \"embed\": 2000000000, \"hidden\": 4, \"features\": 0, "
    "\"fine_dim\": 0, \"medium_dim\": 0, \"proj\": 3, \"n_fft\": 4096, \"hop\": 512, \"n_bins\": 264}",
    "{\"conv_channels\": 2}", "not json", "[]",
    "{\"conv_channels\": 2, \"embed\": 6, \"hidden\": 4, \"features\": 0, \"fine_dim\": 0, "
    "\"medium_dim\": 0, \"proj\": 3, \"n_fft\": 2048, \"hop\": 512, \"n_bins\": 264}",
  };
  for (guint i = 0; i < G_N_ELEMENTS (configs); i++)
    {
      g_autofree char *p = g_strdup_printf ("%s/hostile-%u.safetensors", dir, i);
      g_assert_true (strata_params_save (&tr->params, p, STRATA_TRANSCRIPTION_ARCHITECTURE,
                                         configs[i], NULL, FALSE, NULL));
      expect_invalid (p, configs[i]);
      g_unlink (p);
    }
  /* non-finite weights */
  g_autofree char *nan = tmp_path (dir, "nan.safetensors");
  tr->params.values[0] = NAN;
  g_assert_true (strata_params_save (&tr->params, nan, STRATA_TRANSCRIPTION_ARCHITECTURE,
                                     config, NULL, FALSE, NULL));
  expect_invalid (nan, "NaN");
  /* a missing file */
  g_autofree char *missing = tmp_path (dir, "missing.safetensors");
  expect_invalid (missing, "missing");
  /* with features, the head refuses to run without them */
  g_autofree float *spec = g_new0 (float, 10 * STRATA_TRANSCRIPTION_N_BINS);
  g_autoptr (StrataTranscriptionOutput) out = strata_transcriber_run (back, spec, 10, NULL, NULL,
                                                                      NULL, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_FEATURES);
  const char *names[] = { "good", "cut", "other", "shape", "nan" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *p = g_strdup_printf ("%s/%s.safetensors", dir, names[i]);
      g_unlink (p);
    }
  g_rmdir (dir);
}

/* Chunked inference equals one pass where the chunks' context covers the
 * GRU's reach: checked here as "finite and the right size" on a long input
 * and equal to the unchunked pass on a short one. */
static void
test_run_chunks (void)
{
  StrataTranscriptionConfig c = tiny_config (FALSE);
  g_autoptr (StrataTranscriber) tr = strata_transcriber_new (&c, 9);
  const int T = 2500;
  g_autofree float *spec = g_new (float, (gsize) T * STRATA_TRANSCRIPTION_N_BINS);
  StrataRng rng;
  strata_rng_seed (&rng, 1);
  strata_rng_fill_normal (&rng, spec, (size_t) T * STRATA_TRANSCRIPTION_N_BINS, 0.0f, 1.0f);
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataTranscriptionOutput) out = strata_transcriber_run (tr, spec, T, NULL, NULL,
                                                                      NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (out->T, ==, T);
  for (size_t i = 0; i < (size_t) T * P88; i++)
    g_assert_true (out->frame[i] >= 0 && out->frame[i] <= 1 && out->onset[i] >= 0 &&
                   out->onset[i] <= 1 && out->velocity[i] >= 0 && out->velocity[i] <= 1);
  /* the first 300 frames in one pass against the chunked run: the chunk
   * boundary at 1024 is far away, so they agree closely */
  g_autoptr (StrataTranscriptionOutput) head = strata_transcriber_run (tr, spec, 300, NULL, NULL,
                                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  double max_diff = 0;
  for (size_t i = 0; i < (size_t) 200 * P88; i++)
    max_diff = MAX (max_diff, fabs (head->frame[i] - out->frame[i]));
  g_assert_cmpfloat (max_diff, <, 1e-3);
}

/* ------------------------------------------------------------ training */

/* A tiny corpus: piece folders of sine tones with their notes.csv (and a
 * drum row that must never become a target). */
static void
write_piece (const char *dir, int index, uint64_t seed)
{
  g_autofree char *name = g_strdup_printf ("%05d-test", index);
  g_autofree char *pdir = g_build_filename (dir, name, NULL);
  g_mkdir_with_parents (pdir, 0755);
  const double seconds = 4.0;
  const gint64 n = (gint64) (seconds * STRATA_SAMPLE_RATE);
  float *s = g_new0 (float, (gsize) n * 2);
  GString *csv = g_string_new ("onset_s,offset_s,pitch,velocity,program,stem,role\n");
  StrataRng rng;
  strata_rng_seed (&rng, seed);
  for (int k = 0; k < 8; k++)
    {
      double on = k * 0.5, off = on + 0.4;
      int pitch = 48 + (int) strata_rng_below (&rng, 24);
      double f = 440.0 * pow (2.0, (pitch - 69) / 12.0);
      for (gint64 i = (gint64) (on * STRATA_SAMPLE_RATE); i < (gint64) (off * STRATA_SAMPLE_RATE); i++)
        {
          float v = 0.2f * (float) sin (2 * G_PI * f * i / STRATA_SAMPLE_RATE);
          s[2 * i] += v, s[2 * i + 1] += v;
        }
      g_string_append_printf (csv, "%.3f,%.3f,%d,90,0,piano,comp\n", on, off, pitch);
    }
  g_string_append (csv, "0.000,0.100,36,100,0,drums,drums\n");
  g_autofree char *wav = g_build_filename (pdir, "mix.wav", NULL);
  g_autofree char *notes = g_build_filename (pdir, "notes.csv", NULL);
  g_assert_true (strata_audio_write (wav, s, n, 2, STRATA_SAMPLE_RATE, STRATA_AUDIO_FORMAT_WAV_F32,
                                     NULL));
  g_free (s);
  g_assert_true (g_file_set_contents (notes, csv->str, -1, NULL));
  g_string_free (csv, TRUE);
}

typedef struct {
  int calls, stop_at;
} Stopper;

static bool
stop_after (void *data)
{
  Stopper *s = data;
  return ++s->calls > s->stop_at;
}

static void
quiet (const char *line, void *data)
{
  g_test_message ("%s", line);
}

static void
train_opts (StrataTranscriptionTrainOptions *opt, char **corpus, char *out)
{
  strata_transcription_train_options_init (opt);
  opt->corpus_dirs = corpus;
  opt->output = out;
  opt->steps = 6, opt->batch = 2, opt->crop = 64;
  opt->checkpoint_every = 2, opt->valid_every = 0, opt->log_every = 1;
  opt->config = tiny_config (FALSE);
  opt->log = quiet;
}

static void
test_train_resume (void)
{
  strata_nn_set_num_threads (1);
  g_autofree char *dir = g_dir_make_tmp ("strata-trtrain-XXXXXX", NULL);
  g_autofree char *corpus = g_build_filename (dir, "corpus", NULL);
  for (int i = 0; i < 10; i++)
    write_piece (corpus, i, 100 + i);
  char *dirs[] = { corpus, NULL };
  g_autofree char *a = g_build_filename (dir, "a.safetensors", NULL);
  g_autofree char *b = g_build_filename (dir, "b.safetensors", NULL);
  StrataTranscriptionTrainOptions opt;
  g_autoptr (GError) error = NULL;

  train_opts (&opt, dirs, a);
  g_assert_true (strata_transcription_train (&opt, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (opt.n_train, ==, 9);
  g_assert_cmpuint (opt.n_valid, ==, 1);
  g_assert_true (isfinite (opt.valid_loss) && opt.valid_loss > 0);

  /* stopped before step 5 (the checkpoint holds step 4), then resumed */
  Stopper st = { 0, 5 };
  train_opts (&opt, dirs, b);
  opt.abort_func = stop_after, opt.abort_data = &st;
  g_assert_false (strata_transcription_train (&opt, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (g_file_test (b, G_FILE_TEST_EXISTS));
  train_opts (&opt, dirs, b);
  opt.resume = TRUE;
  g_assert_true (strata_transcription_train (&opt, &error));
  g_assert_no_error (error);
  gchar *da, *db;
  gsize la, lb;
  g_assert_true (g_file_get_contents (a, &da, &la, NULL));
  g_assert_true (g_file_get_contents (b, &db, &lb, NULL));
  g_assert_cmpmem (da, la, db, lb);
  g_free (da);
  g_free (db);
  g_autoptr (StrataTranscriber) tr = strata_transcriber_load (a, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tr->params.step, ==, 0);   /* weights only */

  /* a corpus without pieces */
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_mkdir (empty, 0755);
  char *edirs[] = { empty, NULL };
  g_autofree char *c = g_build_filename (dir, "c.safetensors", NULL);
  train_opts (&opt, edirs, c);
  g_assert_false (strata_transcription_train (&opt, &error));
  g_assert_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID);
  g_clear_error (&error);
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (rm), ==, 0);
}

/* With features: the default foundation model's fine and medium strata are
 * extracted for every piece, the head is built for their widths, and the
 * trained file runs on a track's features. */
static void
test_train_features (void)
{
  strata_nn_set_num_threads (1);
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataModel) foundation = strata_model_load_default (&error);
  g_assert_no_error (error);
  g_autofree char *dir = g_dir_make_tmp ("strata-trfeat-XXXXXX", NULL);
  g_autofree char *corpus = g_build_filename (dir, "corpus", NULL);
  for (int i = 0; i < 3; i++)
    write_piece (corpus, i, 200 + i);
  char *dirs[] = { corpus, NULL };
  g_autofree char *out = g_build_filename (dir, "f.safetensors", NULL);
  StrataTranscriptionTrainOptions opt;
  train_opts (&opt, dirs, out);
  opt.steps = 2;
  opt.features = TRUE;
  g_assert_true (strata_transcription_train (&opt, &error));
  g_assert_no_error (error);
  g_autoptr (StrataTranscriber) tr = strata_transcriber_load (out, &error);
  g_assert_no_error (error);
  const StrataTranscriptionConfig *c = strata_transcriber_get_config (tr);
  g_assert_cmpint (c->features, ==, 1);
  g_assert_cmpint (c->fine_dim, ==, strata_model_get_dim (foundation, STRATA_LEVEL_FINE));
  g_assert_cmpint (c->medium_dim, ==, strata_model_get_dim (foundation, STRATA_LEVEL_MEDIUM));
  g_autofree char *wav = g_build_filename (corpus, "00000-test", "mix.wav", NULL);
  g_autoptr (StrataAudio) audio = strata_audio_decode (wav, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (StrataTranscriptionInput) in = strata_transcription_input_new (audio, foundation,
                                                                            NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (in->fine_dim, ==, c->fine_dim);
  g_autoptr (StrataTranscriptionOutput) o = strata_transcriber_run (tr, in->spec, in->T, in->fine,
                                                                    in->medium, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (o->T, ==, in->T);
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);
  g_assert_cmpint (system (rm), ==, 0);
}

/* notes.csv: drums and out-of-range pitches are left out, bad rows named */
static void
test_notes_csv (void)
{
  g_autofree char *dir = g_dir_make_tmp ("strata-trcsv-XXXXXX", NULL);
  g_autofree char *p = g_build_filename (dir, "notes.csv", NULL);
  g_assert_true (g_file_set_contents (p,
    "onset_s,offset_s,pitch,velocity,program,stem,role\n"
    "0.5,1.0,60,90,0,piano,comp\n0.0,0.1,36,100,0,drums,drums\n0.2,0.3,12,90,0,bass,bass\n"
    "0.1,0.4,64,80,24,guitar,comp\n", -1, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) n = strata_notes_read_csv (p, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n->len, ==, 2);
  g_assert_cmpint (g_array_index (n, StrataTimedNote, 0).pitch, ==, 64);
  g_assert_cmpint (g_array_index (n, StrataTimedNote, 1).pitch, ==, 60);
  /* a transcription's own CSV: four columns, no stem */
  g_assert_true (g_file_set_contents (p, "onset_s,offset_s,pitch,velocity\n"
                                      "0.25,0.75,62,101\n0.125,0.5,70,1\n", -1, NULL));
  g_autoptr (GArray) four = strata_notes_read_csv (p, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (four->len, ==, 2);
  const StrataTimedNote *f0 = &g_array_index (four, StrataTimedNote, 0);
  g_assert_cmpfloat (f0->onset, ==, 0.125);
  g_assert_cmpfloat (f0->offset, ==, 0.5);
  g_assert_cmpint (f0->pitch, ==, 70);
  g_assert_cmpint (g_array_index (four, StrataTimedNote, 1).velocity, ==, 101);
  g_assert_true (g_file_set_contents (p, "onset_s,offset_s,pitch,velocity\n0.5,1.0,60,90,0\n",
                                      -1, NULL));
  g_autoptr (GArray) five = strata_notes_read_csv (p, &error);
  g_assert_null (five);
  g_assert_nonnull (strstr (error->message, "line 2"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (p, "onset_s,offset_s,pitch\n0.5,x,60,90,0,piano\n", -1, NULL));
  g_autoptr (GArray) bad = strata_notes_read_csv (p, &error);
  g_assert_null (bad);
  g_assert_nonnull (strstr (error->message, "line 2"));
  g_unlink (p);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/transcription/frontend", test_frontend);
  g_test_add_func ("/transcription/scores/hand", test_scores_hand);
  g_test_add_func ("/transcription/scores/one-to-one", test_scores_one_to_one);
  g_test_add_func ("/transcription/scores/tolerances", test_scores_tolerances);
  g_test_add_func ("/transcription/decode", test_decode);
  g_test_add_func ("/transcription/tempo", test_tempo);
  g_test_add_func ("/transcription/midi", test_midi_roundtrip);
  g_test_add_func ("/transcription/notes-csv", test_notes_csv);
  g_test_add_func ("/transcription/gradients", test_gradients);
  g_test_add_func ("/transcription/gradients-features", test_gradients_features);
  g_test_add_func ("/transcription/weights", test_weights);
  g_test_add_func ("/transcription/run-chunks", test_run_chunks);
  g_test_add_func ("/transcription/train-resume", test_train_resume);
  g_test_add_func ("/transcription/train-features", test_train_features);
  return g_test_run ();
}
