/* bench-basic-pitch.c: Strata's transcription side by side with Spotify's
 * Basic Pitch (issue 8), in one run.
 *
 * 1. Accuracy on a validation corpus ($STRATA_VALID_CORPUS, default
 *    /work/corpora/valid-tim; the pitched notes of each piece's notes.csv
 *    are the truth): Strata's head (default model, default decoding, 1
 *    OpenBLAS thread) and Basic Pitch (basic-pitch-run.js in Node, the
 *    library's default note settings) on the same mix.flac, both scored by
 *    strata_transcription_evaluate(): note F1 (onset ±50 ms, mir_eval's
 *    matching), note-with-offset F1, frame F1, pooled over the pieces, and
 *    the wall time of each.
 * 2. Speed on a 4-minute track (validation mixes concatenated): Strata
 *    (load + front end + head + decoding, 1 and 2 threads) against Basic
 *    Pitch (the whole Node process, and its own compute without Node's
 *    start-up), with the ratios.
 * 3. The scorer against mir_eval: the notes of the first pieces written
 *    out and scored again by mir-eval-check.py (/usr/bin/python3 with
 *    python3-mir-eval), which prints the agreement.
 *
 * Environment: STRATA_VALID_CORPUS; STRATA_BENCH_PIECES (use only the
 * first N pieces); STRATA_BENCH_KEEP (a folder that keeps the WAV and CSV
 * files); STRATA_BASIC_PITCH_DIR (the runner's folder, default
 * $STRATA_SOURCE_DIR/tests/bench/basic-pitch). Skips (exit 77) when Node
 * or the runner's node_modules are missing (`build-aux/strata.sh bench`
 * installs them). Reports only; never fails on timing or on a figure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/strata-audio.h"
#include "model/strata-model.h"
#include "nn/strata-nn.h"
#include "tasks/transcription/strata-transcription.h"
#include "../transcription/bench-transcription-run.h"

#define SKIP 77
#define N_CHECKED 3          /* pieces scored again by mir_eval */
#define FOUR_MINUTES 240.0

typedef struct {
  char *node;                /* the node executable */
  char *script;              /* basic-pitch-run.js */
  char *dir;                 /* the runner's folder */
} Runner;

typedef struct {
  StrataTranscriptionScores scores;
  double                    wall;     /* seconds */
  double                    inner;    /* Basic Pitch: its compute without Node's start-up */
} Tally;

static void
runner_clear (Runner *r)
{
  g_free (r->node);
  g_free (r->script);
  g_free (r->dir);
}

/* Finds Node and the runner with its installed packages; NULL reason on success. */
static char *
runner_find (Runner *r)
{
  const char *env = g_getenv ("STRATA_BASIC_PITCH_DIR");
  const char *src = g_getenv ("STRATA_SOURCE_DIR");
  if (env && *env)
    r->dir = g_strdup (env);
  else
    r->dir = g_build_filename (src && *src ? src : ".", "tests", "bench", "basic-pitch", NULL);
  r->script = g_build_filename (r->dir, "basic-pitch-run.js", NULL);
  r->node = g_find_program_in_path ("node");
  if (!r->node)
    r->node = g_find_program_in_path ("nodejs");
  g_autofree char *pkg = g_build_filename (r->dir, "node_modules", "@spotify", "basic-pitch",
                                           "model", "model.json", NULL);
  if (!r->node)
    return g_strdup ("no node in PATH");
  if (!g_file_test (r->script, G_FILE_TEST_IS_REGULAR))
    return g_strdup_printf ("no runner %s", r->script);
  if (!g_file_test (pkg, G_FILE_TEST_IS_REGULAR))
    return g_strdup_printf ("%s/node_modules is not installed (`sh build-aux/strata.sh bench "
                            "basic-pitch` runs npm ci there)", r->dir);
  return NULL;
}

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static gboolean
write_notes4 (const char *path, const GArray *notes, GError **error)
{
  GString *s = g_string_new ("onset_s,offset_s,pitch,velocity\n");
  for (guint i = 0; i < notes->len; i++)
    {
      const StrataTimedNote *n = &g_array_index (notes, StrataTimedNote, i);
      char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append_printf (s, "%s,%s,%d,%d\n", g_ascii_formatd (a, sizeof a, "%.6f", n->onset),
                              g_ascii_formatd (b, sizeof b, "%.6f", n->offset), n->pitch,
                              n->velocity);
    }
  gboolean ok = g_file_set_contents (path, s->str, (gssize) s->len, error);
  g_string_free (s, TRUE);
  return ok;
}

/* Writes the mono downmix of @audio as a 44.1 kHz float WAV (the runner
 * resamples it to Basic Pitch's 22,050 Hz). */
static gboolean
write_mono_wav (StrataAudio *audio, const char *path, GError **error)
{
  const gint64 n = strata_audio_get_n_frames (audio);
  const float *x = strata_audio_get_samples (audio);
  g_autofree float *mono = g_new (float, MAX (n, 1));
  for (gint64 i = 0; i < n; i++)
    mono[i] = 0.5f * (x[2 * i] + x[2 * i + 1]);
  return strata_audio_write (path, mono, n, 1, STRATA_SAMPLE_RATE, STRATA_AUDIO_FORMAT_WAV_F32,
                             error);
}

/* The seconds the runner reports for its resampling, model and note
 * creation (Node's start-up, TensorFlow.js and the model's loading left out). */
static double
parse_inner_seconds (const char *err)
{
  const char *line = err ? strstr (err, "basic-pitch: ") : NULL;
  double sum = 0;
  int found = 0;
  static const char *const keys[] = { "resample ", "model ", "notes " };
  for (guint k = 0; line && k < G_N_ELEMENTS (keys); k++)
    {
      const char *p = strstr (line, keys[k]);
      char *end = NULL;
      double v = p ? g_ascii_strtod (p + strlen (keys[k]), &end) : NAN;
      if (p && end != p + strlen (keys[k]) && isfinite (v))
        {
          sum += v;
          found++;
        }
    }
  return found == G_N_ELEMENTS (keys) ? sum : NAN;
}

/* Runs Basic Pitch on @wav into @csv; the process's wall time in *@wall,
 * the runner's own report (its last line on stderr) in *@report when given. */
static GArray *
basic_pitch_transcribe (const Runner *r, const char *wav, const char *csv, double *wall,
                        double *inner, char **report, GError **error)
{
  const char *argv[] = { r->node, r->script, wav, csv, NULL };
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  double t0 = now ();
  if (!g_spawn_sync (r->dir, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                     &status, error))
    return NULL;
  *wall = now () - t0;
  g_autoptr (GError) local = NULL;
  if (!g_spawn_check_wait_status (status, &local))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Basic Pitch on %s: %s: %s", wav,
                   local->message, err ? g_strstrip (err) : "");
      return NULL;
    }
  *inner = parse_inner_seconds (err);
  if (report)
    {
      const char *line = err ? strstr (err, "basic-pitch: ") : NULL;
      *report = g_strdup (line ? g_strstrip (err + (line - err)) : "");
    }
  return strata_notes_read_csv (csv, error);
}

static void
tally_add (Tally *t, const StrataTranscriptionScores *s, double wall, double inner)
{
  strata_prf_add (&t->scores.note, &s->note);
  strata_prf_add (&t->scores.note_offset, &s->note_offset);
  strata_prf_add (&t->scores.frame, &s->frame);
  t->wall += wall;
  t->inner += inner;
}

static void
print_row (const char *name, const Tally *t)
{
  const StrataTranscriptionScores *s = &t->scores;
  printf ("  %-12s %.3f (%.3f / %.3f)   %.3f (%.3f / %.3f)   %.3f (%.3f / %.3f)   %7.1f s\n",
          name, s->note.f1, s->note.precision, s->note.recall, s->note_offset.f1,
          s->note_offset.precision, s->note_offset.recall, s->frame.f1, s->frame.precision,
          s->frame.recall, t->wall);
}

/* One line of scores.csv for mir-eval-check.py. */
static void
append_scores (GString *csv, const char *piece, const char *system,
               const StrataTranscriptionScores *s)
{
  char v[6][G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append_printf (csv, "%s,%s,%s,%s,%s,%s,%s,%s\n", piece, system,
                          g_ascii_formatd (v[0], sizeof v[0], "%.9f", s->note.precision),
                          g_ascii_formatd (v[1], sizeof v[1], "%.9f", s->note.recall),
                          g_ascii_formatd (v[2], sizeof v[2], "%.9f", s->note.f1),
                          g_ascii_formatd (v[3], sizeof v[3], "%.9f", s->note_offset.precision),
                          g_ascii_formatd (v[4], sizeof v[4], "%.9f", s->note_offset.recall),
                          g_ascii_formatd (v[5], sizeof v[5], "%.9f", s->note_offset.f1));
}

static int
fail (const char *what, GError *error)
{
  printf ("bench basic-pitch: %s: %s\n", what, error ? error->message : "failed");
  return 1;
}

/* The mixes of @mixes concatenated and cut at 4 minutes (the first repeats
 * when they are shorter together); *@n_used = the mixes that went in. */
static StrataAudio *
four_minutes (GPtrArray *mixes, guint *n_used, GError **error)
{
  const gint64 want = (gint64) (FOUR_MINUTES * STRATA_SAMPLE_RATE);
  float *all = g_new (float, (gsize) want * 2);
  gint64 have = 0;
  *n_used = 0;
  for (guint i = 0; have < want; i = (i + 1) % mixes->len, (*n_used)++)
    {
      g_autoptr (StrataAudio) a = strata_audio_decode (mixes->pdata[i], NULL, NULL, NULL, error);
      if (!a)
        {
          g_free (all);
          return NULL;
        }
      gint64 n = MIN (strata_audio_get_n_frames (a), want - have);
      memcpy (all + 2 * have, strata_audio_get_samples (a), (gsize) n * 2 * sizeof (float));
      have += n;
    }
  return strata_audio_new_take (all, want);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  const char *corpus = bench_valid_corpus ();
  const char *pieces_env = g_getenv ("STRATA_BENCH_PIECES");
  const guint max_pieces = pieces_env && *pieces_env ? (guint) atoi (pieces_env) : G_MAXUINT;
  const char *keep = g_getenv ("STRATA_BENCH_KEEP");

  Runner runner = { 0 };
  g_autofree char *why = runner_find (&runner);
  if (why)
    {
      printf ("bench basic-pitch: skipped: %s\n", why);
      runner_clear (&runner);
      return SKIP;
    }
  g_autofree char *model_path = strata_transcription_dup_default_path ();
  double t0 = now ();
  g_autoptr (StrataTranscriber) tr = strata_transcriber_load_default (&error);
  if (!tr)
    return fail ("Strata's head", error);
  const double strata_load = now () - t0;
  g_autoptr (StrataModel) foundation = NULL;
  if (strata_transcriber_get_config (tr)->features &&
      !(foundation = strata_model_load_default (&error)))
    return fail ("the foundation model", error);
  printf ("bench basic-pitch: Strata %s (%s, %zu parameters%s), Basic Pitch by %s %s\n",
          strata_transcriber_get_path (tr), strata_transcriber_get_version (tr),
          strata_transcriber_get_n_params (tr), foundation ? ", with features" : "",
          runner.node, runner.script);

  g_autofree char *work = NULL;
  if (keep && *keep)
    {
      if (g_mkdir_with_parents (keep, 0755) != 0)
        {
          printf ("bench basic-pitch: %s: %s\n", keep, g_strerror (errno));
          return 1;
        }
      work = g_strdup (keep);
    }
  else if (!(work = g_dir_make_tmp ("strata-bench-bp-XXXXXX", &error)))
    return fail ("a temporary folder", error);

  g_autoptr (GPtrArray) names = bench_list_pieces (corpus);

  strata_nn_set_num_threads (1);
  Tally st = { 0 }, bp = { 0 };
  g_autoptr (GPtrArray) mixes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) tmp_files = g_ptr_array_new_with_free_func (g_free);
  GString *scores = g_string_new ("piece,system,note_p,note_r,note_f1,offset_p,offset_r,offset_f1\n");
  double audio_s = 0;
  guint n_ref = 0;
  printf ("per piece (note F1 / note+offset F1 / frame F1; Strata then Basic Pitch):\n");
  for (guint i = 0; i < names->len && mixes->len < max_pieces; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *mix = g_build_filename (corpus, name, "mix.flac", NULL);
      g_autoptr (GArray) ref = NULL;
      g_autoptr (StrataAudio) audio = NULL;
      if (!bench_load_piece (corpus, name, &ref, &audio, &error))
        return fail (name, error);
      double st_s = 0, bp_s = 0, bp_inner = 0;
      g_autoptr (GArray) st_notes = bench_transcribe (tr, foundation, audio, &st_s, &error);
      if (!st_notes)
        return fail (mix, error);
      g_autofree char *wav = g_strdup_printf ("%s/%s.wav", work, name);
      g_autofree char *bp_csv = g_strdup_printf ("%s/%s.basic-pitch.csv", work, name);
      if (!write_mono_wav (audio, wav, &error))
        return fail (wav, error);
      g_autoptr (GArray) bp_notes = basic_pitch_transcribe (&runner, wav, bp_csv, &bp_s,
                                                            &bp_inner, NULL, &error);
      if (!bp_notes)
        return fail (mix, error);
      StrataTranscriptionScores s1, s2;
      strata_transcription_evaluate (ref, st_notes, &s1);
      strata_transcription_evaluate (ref, bp_notes, &s2);
      tally_add (&st, &s1, st_s, st_s);
      tally_add (&bp, &s2, bp_s, bp_inner);
      printf ("  %-18s %5u notes  strata %.3f %.3f %.3f  %5.1f s   basic-pitch %.3f %.3f %.3f  "
              "%5.1f s\n", name, ref->len, s1.note.f1, s1.note_offset.f1, s1.frame.f1, st_s,
              s2.note.f1, s2.note_offset.f1, s2.frame.f1, bp_s);
      fflush (stdout);
      g_ptr_array_add (tmp_files, g_steal_pointer (&wav));
      g_ptr_array_add (tmp_files, g_steal_pointer (&bp_csv));
      if (mixes->len < N_CHECKED)
        {
          const char *kinds[] = { "ref", "strata" };
          const GArray *sets[] = { ref, st_notes };
          for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
            {
              char *p = g_strdup_printf ("%s/%s.%s.csv", work, name, kinds[k]);
              if (!write_notes4 (p, sets[k], &error))
                return fail (p, error);
              g_ptr_array_add (tmp_files, p);
            }
          append_scores (scores, name, "strata", &s1);
          append_scores (scores, name, "basic-pitch", &s2);
        }
      audio_s += strata_audio_get_duration (audio);
      n_ref += ref->len;
      g_ptr_array_add (mixes, g_steal_pointer (&mix));
    }
  if (mixes->len == 0)
    {
      printf ("bench basic-pitch: no pieces with notes.csv and mix.flac in %s\n", corpus);
      return 1;
    }

  printf ("\nStrata against Basic Pitch on %s: %u pieces, %.1f min, %u reference notes\n", corpus,
          mixes->len, audio_s / 60.0, n_ref);
  printf ("  %-12s note F1 (P / R)         note+offset F1 (P / R)  frame F1 (P / R)        wall\n",
          "");
  print_row ("strata", &st);
  print_row ("basic-pitch", &bp);
  printf ("  (Strata: front end, head and decoding on 1 thread; Basic Pitch: the whole Node "
          "process per piece, of which %.1f s resampling, model and note creation)\n", bp.inner);
  printf ("  note F1 difference (strata - basic-pitch): %+.3f\n",
          st.scores.note.f1 - bp.scores.note.f1);
  fflush (stdout);

  /* the 4-minute track */
  guint n_used = 0;
  g_autoptr (StrataAudio) four = four_minutes (mixes, &n_used, &error);
  if (!four)
    return fail ("the 4-minute track", error);
  double st1 = 0, st2 = 0, bp4 = 0, bp4_inner = 0;
  for (int threads = 1; threads <= 2; threads++)
    {
      strata_nn_set_num_threads (threads);
      t0 = now ();
      g_autoptr (StrataTranscriber) fresh = strata_transcriber_load (model_path, &error);
      if (!fresh)
        return fail (model_path, error);
      double secs = 0;
      g_autoptr (GArray) notes = bench_transcribe (fresh, foundation, four, &secs, &error);
      if (!notes)
        return fail ("the 4-minute track", error);
      *(threads == 1 ? &st1 : &st2) = now () - t0;
    }
  g_autofree char *wav4 = g_strdup_printf ("%s/four-minutes.wav", work);
  g_autofree char *csv4 = g_strdup_printf ("%s/four-minutes.basic-pitch.csv", work);
  if (!write_mono_wav (four, wav4, &error))
    return fail (wav4, error);
  g_autofree char *bp4_report = NULL;
  g_autoptr (GArray) bp4_notes = basic_pitch_transcribe (&runner, wav4, csv4, &bp4, &bp4_inner,
                                                         &bp4_report, &error);
  if (!bp4_notes)
    return fail (wav4, error);
  g_ptr_array_add (tmp_files, g_steal_pointer (&wav4));
  g_ptr_array_add (tmp_files, g_steal_pointer (&csv4));
  printf ("\n4-minute track (%u validation mixes concatenated, the last cut):\n", n_used);
  printf ("  strata       %6.2f s on 1 thread, %6.2f s on 2 (model load %.3f s, front end, head, "
          "decoding)\n", st1, st2, strata_load);
  printf ("  basic-pitch  %6.2f s (the Node process; %.2f s resampling, model and note creation)\n"
          "               %s\n", bp4, bp4_inner, bp4_report);
  printf ("  Strata is %.1fx faster on 1 thread (%.1fx on 2; %.1fx against Basic Pitch's compute "
          "alone); target 5x\n", bp4 / st1, bp4 / st2, bp4_inner / st1);
  fflush (stdout);

  /* the scorer against mir_eval */
  g_autofree char *scores_csv = g_build_filename (work, "scores.csv", NULL);
  if (!g_file_set_contents (scores_csv, scores->str, (gssize) scores->len, &error))
    return fail (scores_csv, error);
  g_string_free (scores, TRUE);
  g_autofree char *check = g_build_filename (runner.dir, "mir-eval-check.py", NULL);
  if (g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    {
      const char *pargv[] = { "/usr/bin/python3", check, work, NULL };
      g_autofree char *pout = NULL, *perr = NULL;
      int status = 0;
      printf ("\nStrata's scorer against mir_eval (first %d pieces):\n", N_CHECKED);
      fflush (stdout);
      if (!g_spawn_sync (NULL, (char **) pargv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &pout, &perr,
                         &status, &error))
        return fail (check, error);
      fputs (pout ? pout : "", stdout);
      /* mir_eval's warnings (an empty estimate) are not news; a traceback is */
      if (perr && strstr (perr, "Traceback"))
        fputs (perr, stdout);
      if (!g_spawn_check_wait_status (status, NULL))
        printf ("  mir-eval-check.py exited with status %d\n", status);
    }
  g_ptr_array_add (tmp_files, g_steal_pointer (&scores_csv));

  if (!(keep && *keep))
    {
      for (guint i = 0; i < tmp_files->len; i++)
        g_unlink (tmp_files->pdata[i]);
      g_rmdir (work);
    }
  runner_clear (&runner);
  return 0;
}
