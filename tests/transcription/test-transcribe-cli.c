/* test-transcribe-cli.c: `strata-cli transcribe` and `strata-cli train
 * transcription` spawned as a user runs them: MIDI / JSON / CSV outputs,
 * refusals and error messages; with the committed default model, notes
 * of rendered tones and chords, and none for silence and white noise.
 *
 * Usage: test-transcribe-cli PATH-TO-STRATA-CLI [GTest options]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "audio/strata-audio.h"
#include "corpus/strata-render.h"
#include "nn/strata-safetensors.h"
#include "tasks/transcription/strata-transcription-private.h"

static const char *cli_path;
static char *tmpdir;
static char *tiny_model;

static int
run_cli (const char *const *args, char **out, char **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  int wait_status = 0;
  g_ptr_array_add (argv, (gpointer) cli_path);
  for (gsize i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out, err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  g_test_message ("stderr: %s", *err);
  return WEXITSTATUS (wait_status);
}

/* Writes a stereo WAV of @seconds with a sum of sines: @pitches start at
 * @onset and last @length s, with a percussive decay. */
static char *
write_tones (const char *name, double seconds, const int *pitches, int n_pitches,
             const double *onsets, int n_onsets, double length, double noise)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  const gint64 n = (gint64) (seconds * STRATA_SAMPLE_RATE);
  g_autofree float *s = g_new0 (float, (gsize) n * 2);
  StrataRng rng;
  strata_rng_seed (&rng, 42);
  for (int o = 0; o < n_onsets; o++)
    for (int k = 0; k < n_pitches; k++)
      {
        const double f = 440.0 * pow (2.0, (pitches[k] - 69) / 12.0);
        const gint64 a = (gint64) (onsets[o] * STRATA_SAMPLE_RATE);
        const gint64 b = MIN (n, a + (gint64) (length * STRATA_SAMPLE_RATE));
        for (gint64 i = a; i < b; i++)
          {
            const double t = (double) (i - a) / STRATA_SAMPLE_RATE;
            double v = 0;
            for (int h = 1; h <= 4; h++)
              v += sin (2 * G_PI * f * h * t) / (h * h);
            v *= 0.25 / n_pitches * exp (-3.0 * t) * MIN (1.0, t / 0.005);
            s[2 * i] += (float) v, s[2 * i + 1] += (float) v;
          }
      }
  for (gint64 i = 0; noise > 0 && i < n; i++)
    s[2 * i] = s[2 * i + 1] = (float) (noise * (2.0 * strata_rng_uniform (&rng) - 1.0));
  g_assert_true (strata_audio_write (path, s, n, 2, STRATA_SAMPLE_RATE,
                                     STRATA_AUDIO_FORMAT_WAV_F32, NULL));
  return g_steal_pointer (&path);
}

#define TIMGM6MB "/usr/share/sounds/sf2/TimGM6mb.sf2"

/* Renders @pitches, struck together at each of @onsets for @length s, with
 * GM program @program of TimGM6mb (libfluidsynth, as the corpus does). */
static char *
render_notes (const char *name, const int *pitches, int n_pitches, const double *onsets,
              int n_onsets, double length, int program)
{
  g_autoptr (StrataPiece) pc = g_new0 (StrataPiece, 1);
  pc->style = g_strdup ("test");
  pc->bpm = 120.0;   /* 960 ticks a second */
  pc->meter_num = 4, pc->meter_den = 4;
  pc->mode = "major";
  pc->bar_ticks = 4 * STRATA_PIECE_PPQ;
  pc->sections = g_array_new (FALSE, TRUE, sizeof (StrataPieceSection));
  pc->notes = g_array_new (FALSE, TRUE, sizeof (StrataNote));
  pc->n_parts = 1;
  pc->parts[0] = (StrataPart) { "comp", 0, program, FALSE, STRATA_STEM_PIANO, 100, 0, 0 };
  for (int o = 0; o < n_onsets; o++)
    for (int k = 0; k < n_pitches; k++)
      {
        StrataNote n = { (gint64) (onsets[o] * 960), (gint64) ((onsets[o] + length) * 960),
                         (guint8) pitches[k], 96, 0 };
        g_array_append_val (pc->notes, n);
        pc->end_tick = MAX (pc->end_tick, n.off);
      }
  pc->n_bars = (int) (pc->end_tick / pc->bar_ticks) + 1;
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataRenderer) r = strata_renderer_new (TIMGM6MB, 1, &error);
  g_assert_no_error (error);
  g_autoptr (StrataRendering) out = strata_renderer_render (r, pc, &error);
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_assert_true (strata_audio_write (path, out->mix, out->n_frames, 2, STRATA_SAMPLE_RATE,
                                     STRATA_AUDIO_FORMAT_WAV_F32, NULL));
  return g_steal_pointer (&path);
}

/* ------------------------------------------------------------ outputs */

static void
test_outputs (void)
{
  const int pitches[] = { 60 };
  const double onsets[] = { 0.5, 1.5 };
  g_autofree char *wav = write_tones ("out-tone.wav", 3.0, pitches, 1, onsets, 2, 0.8, 0);
  g_autofree char *mid = g_build_filename (tmpdir, "out.mid", NULL);
  g_autofree char *out = NULL, *err = NULL;
  /* MIDI: a type-1 file that reads back */
  const char *a1[] = { "transcribe", wav, "-o", mid, "--model", tiny_model,
                       "--onset-threshold", "0.005", "--frame-threshold", "0.001", NULL };
  g_assert_cmpint (run_cli (a1, &out, &err), ==, 0);
  gchar *data;
  gsize len;
  g_assert_true (g_file_get_contents (mid, &data, &len, NULL));
  g_autoptr (GError) error = NULL;
  double bpm = 0;
  g_autoptr (GArray) notes = strata_smf_read_notes ((const guint8 *) data, len, mid, &bpm,
                                                    &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (bpm, >=, 60.0);
  g_assert_cmpfloat (bpm, <=, 200.0);
  g_free (data);
  /* JSON: one object a file, notes with the four fields */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  const char *a2[] = { "transcribe", wav, "--json", "--model", tiny_model,
                       "--onset-threshold", "0.005", "--frame-threshold", "0.001", NULL };
  g_assert_cmpint (run_cli (a2, &out, &err), ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  JsonObject *file = json_object_get_object_member (root, wav);
  g_assert_nonnull (file);
  JsonArray *jn = json_object_get_array_member (file, "notes");
  g_assert_cmpuint (json_array_get_length (jn), ==, notes->len);
  for (guint i = 0; i < json_array_get_length (jn); i++)
    {
      JsonObject *n = json_array_get_object_element (jn, i);
      g_assert_true (json_object_has_member (n, "onset_s") && json_object_has_member (n, "offset_s") &&
                     json_object_has_member (n, "pitch") && json_object_has_member (n, "velocity"));
      g_assert_cmpfloat (json_object_get_double_member (n, "offset_s"), >,
                         json_object_get_double_member (n, "onset_s"));
    }
  /* CSV: a header and one row a note */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  const char *a3[] = { "transcribe", wav, "--csv", "--model", tiny_model,
                       "--onset-threshold", "0.005", "--frame-threshold", "0.001", NULL };
  g_assert_cmpint (run_cli (a3, &out, &err), ==, 0);
  g_assert_true (g_str_has_prefix (out, "onset_s,offset_s,pitch,velocity\n"));
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, notes->len + 2);
}

static void
test_refusals (void)
{
  const int pitches[] = { 64 };
  const double onsets[] = { 0.2 };
  g_autofree char *wav = write_tones ("refuse.wav", 1.0, pitches, 1, onsets, 1, 0.5, 0);
  gchar *before;
  gsize before_len;
  g_assert_true (g_file_get_contents (wav, &before, &before_len, NULL));
  g_autofree char *out = NULL, *err = NULL;
  /* the output is the input (through another name) */
  g_autofree char *dir = g_path_get_dirname (wav);
  g_autofree char *base = g_path_get_basename (wav);
  g_autofree char *other = g_strdup_printf ("%s/./%s", dir, base);
  const char *a1[] = { "transcribe", wav, "-o", other, "--model", tiny_model, NULL };
  g_assert_cmpint (run_cli (a1, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, base));
  gchar *after;
  gsize after_len;
  g_assert_true (g_file_get_contents (wav, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);
  g_free (before);
  g_free (after);
  /* a missing input: named, status 1, nothing written */
  g_autofree char *missing = g_build_filename (tmpdir, "missing.wav", NULL);
  g_autofree char *mid = g_build_filename (tmpdir, "missing.mid", NULL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  const char *a2[] = { "transcribe", missing, "-o", mid, "--model", tiny_model, NULL };
  g_assert_cmpint (run_cli (a2, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "missing.wav"));
  g_assert_false (g_file_test (mid, G_FILE_TEST_EXISTS));
  /* a damaged model */
  g_autofree char *bad = g_build_filename (tmpdir, "bad.safetensors", NULL);
  g_assert_true (g_file_set_contents (bad, "\x08\0\0\0\0\0\0\0{}      ", 16, NULL));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  const char *a3[] = { "transcribe", wav, "--json", "--model", bad, NULL };
  g_assert_cmpint (run_cli (a3, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "bad.safetensors"));
  /* bad usage */
  const char *usages[][10] = {
    { "transcribe", wav, NULL },
    { "transcribe", wav, "--json", "--csv", NULL },
    { "transcribe", "--json", NULL },
    { "transcribe", wav, "--json", "--onset-threshold", "1.5", NULL },
    { "train", "transcription", "-o", mid, NULL },
    { "train", "transcription", "--corpus", tmpdir, "-o", mid, "--features", "maybe", NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (usages); i++)
    {
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (run_cli (usages[i], &out, &err), ==, 2);
      g_assert_nonnull (strstr (err, "usage") ? err : strstr (err, "--"));
    }
}

/* ------------------------------------------------------------ the model */

typedef struct {
  double onset;
  int pitch;
} Found;

static GArray *
transcribe_json (const char *wav)
{
  g_autofree char *out = NULL, *err = NULL;
  const char *args[] = { "transcribe", wav, "--json", NULL };
  g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  JsonObject *file = json_object_get_object_member (
    json_node_get_object (json_parser_get_root (parser)), wav);
  JsonArray *jn = json_object_get_array_member (file, "notes");
  GArray *found = g_array_new (FALSE, FALSE, sizeof (Found));
  for (guint i = 0; i < json_array_get_length (jn); i++)
    {
      JsonObject *n = json_array_get_object_element (jn, i);
      Found f = { json_object_get_double_member (n, "onset_s"),
                  (int) json_object_get_int_member (n, "pitch") };
      g_test_message ("  note %d at %.3f s", f.pitch, f.onset);
      g_array_append_val (found, f);
    }
  return found;
}

static gboolean
have_model (void)
{
  g_autofree char *path = g_build_filename (STRATA_SOURCE_DIR, "resources", "models",
                                            STRATA_TRANSCRIPTION_DEFAULT_FILE, NULL);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/* Semitones above a fundamental of its 2nd to 5th harmonics. */
static const int harmonic_steps[] = { 12, 19, 24, 28 };

/* Returns FALSE (and marks the test incomplete) when @known_weak and a
 * struck note is missed; any other miss is an error. */
static gboolean
check_tones (const char *name, const int *pitches, int n_pitches, int program,
             int n_harmonics, gboolean known_weak)
{
  const double onsets[] = { 0.5, 1.5, 2.5 };
  g_autofree char *wav = render_notes (name, pitches, n_pitches, onsets, 3, 0.8, program);
  g_autoptr (GArray) found = transcribe_json (wav);
  /* every tone found, within 50 ms, and nothing else */
  for (int o = 0; o < 3; o++)
    for (int k = 0; k < n_pitches; k++)
      {
        gboolean hit = FALSE;
        for (guint i = 0; i < found->len; i++)
          {
            const Found *f = &g_array_index (found, Found, i);
            hit |= f->pitch == pitches[k] && fabs (f->onset - onsets[o]) <= 0.05;
          }
        if (!hit && known_weak)
          {
            g_autofree char *msg = g_strdup_printf ("%s: pitch %d at %.1f s not found (a "
                                                    "known weakness of the default model)",
                                                    name, pitches[k], onsets[o]);
            g_test_incomplete (msg);
            return FALSE;
          }
        if (!hit)
          g_error ("%s: pitch %d at %.1f s not found", name, pitches[k], onsets[o]);
      }
  /* and nothing else but, at worst, a ghost on one of the first
   * @n_harmonics overtones of a struck note, or an octave below it (this
   * model's commonest errors, see its model card) */
  for (guint i = 0; i < found->len; i++)
    {
      const Found *f = &g_array_index (found, Found, i);
      gboolean explained = FALSE;
      for (int o = 0; o < 3; o++)
        for (int k = 0; k < n_pitches; k++)
          {
            gboolean ghost = f->pitch == pitches[k] - 12;
            for (int h = 0; h < n_harmonics; h++)
              ghost |= f->pitch == pitches[k] + harmonic_steps[h];
            explained |= fabs (f->onset - onsets[o]) <= 0.05 &&
                         (f->pitch == pitches[k] || ghost);
          }
      if (!explained)
        g_error ("%s: pitch %d at %.3f s was not played", name, f->pitch, f->onset);
    }
  return TRUE;
}

static void
test_model_notes (void)
{
  if (!have_model ())
    {
      g_test_skip ("no committed transcription model");
      return;
    }
  const int single[] = { 60 }, low[] = { 43 }, high[] = { 81 };
  const int dyad[] = { 76, 81 }, chord[] = { 60, 64, 67 };
  check_tones ("single.wav", single, 1, 0, 1, FALSE);   /* acoustic grand piano */
  check_tones ("low.wav", low, 1, 0, 4, FALSE);
  check_tones ("high.wav", high, 1, 24, 1, FALSE);      /* nylon guitar */
  /* the first model finds the lowest note of simultaneous ones and often
   * misses the others */
  if (check_tones ("dyad.wav", dyad, 2, 24, 1, TRUE))
    check_tones ("chord.wav", chord, 3, 0, 1, TRUE);
}

/* Twice on one file through one cache: the second run computes nothing and
 * prints the same bytes; the MIDI written twice is the same file. */
static void
test_cache (void)
{
  if (!have_model ())
    {
      g_test_skip ("no committed transcription model");
      return;
    }
  const int pitches[] = { 67 };
  const double onsets[] = { 0.5, 1.5 };
  g_autofree char *wav = write_tones ("cache-tone.wav", 2.5, pitches, 1, onsets, 2, 0.8, 0);
  g_autofree char *cache = g_build_filename (tmpdir, "cache", NULL);
  g_autofree char *out1 = NULL, *err1 = NULL, *out2 = NULL, *err2 = NULL;
  const char *csv[] = { "transcribe", wav, "--csv", "--cache-dir", cache, NULL };
  g_setenv ("STRATA_TASK_STATS", "1", TRUE);
  g_assert_cmpint (run_cli (csv, &out1, &err1), ==, 0);
  g_assert_nonnull (strstr (err1, "transcription computed 1, from the cache 0"));
  g_assert_cmpint (run_cli (csv, &out2, &err2), ==, 0);
  g_assert_nonnull (strstr (err2, "transcription computed 0, from the cache 1"));
  g_assert_cmpstr (out1, ==, out2);
  g_assert_cmpuint (strlen (out1), >, strlen ("onset_s,offset_s,pitch,velocity\n"));

  /* another option is another entry */
  g_autofree char *out3 = NULL, *err3 = NULL;
  const char *other[] = { "transcribe", wav, "--csv", "--cache-dir", cache,
                          "--min-note-ms", "80", NULL };
  g_assert_cmpint (run_cli (other, &out3, &err3), ==, 0);
  g_assert_nonnull (strstr (err3, "transcription computed 1, from the cache 0"));

  g_autofree char *mid1 = g_build_filename (tmpdir, "cache-1.mid", NULL);
  g_autofree char *mid2 = g_build_filename (tmpdir, "cache-2.mid", NULL);
  g_autofree char *o4 = NULL, *e4 = NULL, *o5 = NULL, *e5 = NULL;
  const char *m1[] = { "transcribe", wav, "-o", mid1, "--cache-dir", cache, NULL };
  const char *m2[] = { "transcribe", wav, "-o", mid2, "--cache-dir", cache, NULL };
  g_assert_cmpint (run_cli (m1, &o4, &e4), ==, 0);
  g_assert_cmpint (run_cli (m2, &o5, &e5), ==, 0);
  g_assert_nonnull (strstr (e5, "transcription computed 0, from the cache 1"));
  g_unsetenv ("STRATA_TASK_STATS");
  g_autofree char *d1 = NULL, *d2 = NULL;
  gsize l1, l2;
  g_assert_true (g_file_get_contents (mid1, &d1, &l1, NULL));
  g_assert_true (g_file_get_contents (mid2, &d2, &l2, NULL));
  g_assert_cmpmem (d1, l1, d2, l2);
}

static void
test_model_silence_noise (void)
{
  if (!have_model ())
    {
      g_test_skip ("no committed transcription model");
      return;
    }
  const double none[] = { 0 };
  g_autofree char *silence = write_tones ("silence.wav", 3.0, NULL, 0, none, 0, 0, 0);
  g_autoptr (GArray) a = transcribe_json (silence);
  g_assert_cmpuint (a->len, ==, 0);
  g_autofree char *noise = write_tones ("noise.wav", 3.0, NULL, 0, none, 0, 0, 0.3);
  g_autoptr (GArray) b = transcribe_json (noise);
  g_assert_cmpuint (b->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: test-transcribe-cli PATH-TO-STRATA-CLI");
  cli_path = argv[1];
  tmpdir = g_dir_make_tmp ("strata-trcli-XXXXXX", NULL);
  /* the runs without --cache-dir cache here, not in the user's folder */
  g_autofree char *xdg_cache = g_build_filename (tmpdir, "xdg-cache", NULL);
  g_setenv ("XDG_CACHE_HOME", xdg_cache, TRUE);
  /* a small untrained head for the output and refusal cases */
  StrataTranscriptionConfig c;
  strata_transcription_config_init (&c);
  c.conv_channels = 2, c.embed = 8, c.hidden = 4;
  g_autoptr (StrataTranscriber) tr = strata_transcriber_new (&c, 3);
  tiny_model = g_build_filename (tmpdir, "tiny.safetensors", NULL);
  g_autofree char *config = _strata_tr_config_to_json (&c);
  g_assert_true (strata_params_save_f16 (&tr->params, tiny_model,
                                         STRATA_TRANSCRIPTION_ARCHITECTURE, config, NULL, NULL));
  g_test_add_func ("/transcribe-cli/outputs", test_outputs);
  g_test_add_func ("/transcribe-cli/refusals", test_refusals);
  g_test_add_func ("/transcribe-cli/model-notes", test_model_notes);
  g_test_add_func ("/transcribe-cli/model-silence-noise", test_model_silence_noise);
  g_test_add_func ("/transcribe-cli/cache", test_cache);
  int status = g_test_run ();
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", tmpdir);
  if (system (rm) != 0)
    g_warning ("could not remove %s", tmpdir);
  return status;
}
