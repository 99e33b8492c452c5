/* test-separate-cli.c: `strata-cli separate` spawned as a user runs it:
 * files that decode to the stems the head computes, the cache, refusals
 * (an output that is an input, a file as the folder, bad options) and a
 * failed write that leaves nothing behind.
 *
 * Usage: test-separate-cli PATH-TO-STRATA-CLI [GTest options]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "audio/strata-audio.h"
#include "nn/strata-nn.h"
#include "tasks/separation/strata-separation.h"

static const char *cli_path;
static char *tmpdir;
static char *model;
static char *song;

static int
run_cli (const char *prefix, const char *const *args, char **err)
{
  g_autoptr (GString) cmd = g_string_new (prefix ? prefix : "");
  g_autofree char *q = g_shell_quote (cli_path);
  g_string_append_printf (cmd, " exec %s", q);
  for (gsize i = 0; args[i]; i++)
    {
      g_autofree char *a = g_shell_quote (args[i]);
      g_string_append_printf (cmd, " %s", a);
    }
  const char *argv[] = { "/bin/sh", "-c", cmd->str, NULL };
  g_autoptr (GError) error = NULL;
  int wait_status = 0;
  g_autofree char *out = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  g_test_message ("stderr: %s", *err);
  return WEXITSTATUS (wait_status);
}

static gboolean
exists (const char *dir, const char *name)
{
  g_autofree char *p = g_build_filename (dir, name, NULL);
  return g_file_test (p, G_FILE_TEST_EXISTS);
}

static void
test_writes_stems (void)
{
  g_autofree char *out = g_build_filename (tmpdir, "out", NULL);
  g_autofree char *cache = g_build_filename (tmpdir, "cache", NULL);
  g_autofree char *err = NULL;
  const char *args[] = { "separate", song, "-o", out, "--model", model, "--cache-dir", cache,
                         NULL };
  g_assert_cmpint (run_cli ("STRATA_TASK_STATS=1", args, &err), ==, 0);
  g_assert_nonnull (strstr (err, "computed 1, from the cache 0"));
  g_autofree char *folder = g_build_filename (out, "song", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataSeparator) sep = strata_separator_load (model, &error);
  g_assert_no_error (error);
  g_autoptr (StrataAudio) mix = strata_audio_decode (song, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (StrataStems) ref = strata_separator_run (sep, mix, NULL, NULL, NULL, NULL, NULL,
                                                      NULL, NULL, &error);
  g_assert_no_error (error);
  const gint64 n = strata_audio_get_n_frames (mix);
  g_autofree double *sum = g_new0 (double, n * 2);
  for (int j = 0; j < STRATA_SEPARATION_N_STEMS; j++)
    {
      g_autofree char *name = g_strconcat (strata_separation_stem_name (j), ".wav", NULL);
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_autoptr (StrataAudio) got = strata_audio_decode (path, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (strata_audio_get_n_frames (got), ==, n);
      const float *a = strata_audio_get_samples (got), *b = strata_audio_get_samples (ref->stems[j]);
      double worst = 0;
      for (gint64 k = 0; k < n * 2; k++)
        {
          worst = MAX (worst, fabs ((double) a[k] - b[k]));
          sum[k] += a[k];
        }
      g_test_message ("%s: largest difference to the head's stem %.3g", name, worst);
      g_assert_cmpfloat (worst, <, 1e-5);
    }
  double worst = 0;
  for (gint64 k = 0; k < n * 2; k++)
    worst = MAX (worst, fabs (sum[k] - strata_audio_get_samples (mix)[k]));
  g_assert_cmpfloat (worst, <=, 1e-4);
  g_assert_false (exists (folder, "rest.wav"));

  /* the second run reads the cache */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli ("STRATA_TASK_STATS=1", args, &err), ==, 0);
  g_assert_nonnull (strstr (err, "computed 0, from the cache 1"));

  /* a subset as 16-bit FLAC: the stems asked for and the rest */
  g_autofree char *out2 = g_build_filename (tmpdir, "out2", NULL);
  const char *sub[] = { "separate", song, "-o", out2, "--model", model, "--cache-dir", cache,
                        "--stems", "bass", "--format", "flac", "--bits", "16", NULL };
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (NULL, sub, &err), ==, 0);
  g_autofree char *f2 = g_build_filename (out2, "song", NULL);
  g_assert_true (exists (f2, "bass.flac"));
  g_assert_true (exists (f2, "rest.flac"));
  g_assert_false (exists (f2, "drums.flac"));
}

static void
test_refusals (void)
{
  g_autofree char *err = NULL;
  /* the input as an output: DIR/bass/bass.wav for the input bass.wav */
  g_autofree char *o = g_build_filename (tmpdir, "o", NULL);
  g_autofree char *inner = g_build_filename (o, "bass", NULL);
  g_assert_cmpint (g_mkdir_with_parents (inner, 0755), ==, 0);
  g_autofree char *input = g_build_filename (inner, "bass.wav", NULL);
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (song, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (input, bytes, (gssize) len, NULL));
  const char *same[] = { "separate", input, "-o", o, "--model", model, NULL };
  g_assert_cmpint (run_cli (NULL, same, &err), ==, 1);
  g_assert_nonnull (strstr (err, "same file as the input"));
  g_autofree char *after = NULL;
  gsize len2;
  g_assert_true (g_file_get_contents (input, &after, &len2, NULL));
  g_assert_true (len2 == len && memcmp (after, bytes, len) == 0);
  g_assert_false (exists (inner, "drums.wav"));

  /* a file where the folder should be */
  g_clear_pointer (&err, g_free);
  const char *file_out[] = { "separate", song, "-o", input, "--model", model, NULL };
  g_assert_cmpint (run_cli (NULL, file_out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "not a folder"));

  /* bad options and a missing input */
  const char *bad_stem[] = { "separate", song, "-o", o, "--stems", "kazoo", NULL };
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (NULL, bad_stem, &err), ==, 2);
  g_assert_nonnull (strstr (err, "kazoo"));
  const char *bad_bits[] = { "separate", song, "-o", o, "--format", "flac", "--bits", "32f",
                             NULL };
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (NULL, bad_bits, &err), ==, 2);
  g_autofree char *missing = g_build_filename (tmpdir, "missing.wav", NULL);
  const char *gone[] = { "separate", missing, "-o", o, "--model", model, "--cache-dir", o, NULL };
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (NULL, gone, &err), ==, 1);
  g_assert_nonnull (strstr (err, "missing.wav"));
}

static void
test_failed_write (void)
{
  /* a file-size limit far below one stem: the write fails with EFBIG and
   * leaves neither a file nor the folder */
  g_autofree char *out = g_build_filename (tmpdir, "limited", NULL);
  g_autofree char *cache = g_build_filename (tmpdir, "cache-limited", NULL);
  g_autofree char *err = NULL;
  const char *args[] = { "separate", song, "-o", out, "--model", model, "--cache-dir", cache,
                         NULL };
  g_assert_cmpint (run_cli ("ulimit -f 64;", args, &err), ==, 1);
  g_assert_nonnull (strstr (err, "too large"));
  g_autofree char *folder = g_build_filename (out, "song", NULL);
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: %s PATH-TO-STRATA-CLI\n", argv[0]);
      return 2;
    }
  cli_path = argv[1];
  tmpdir = g_dir_make_tmp ("strata-sepcli-XXXXXX", NULL);
  /* a small untrained head saved as a file, and a 2 s stereo song */
  StrataSeparationConfig cfg;
  strata_separation_config_init (&cfg);
  cfg.embed = 16, cfg.hidden = 16, cfg.decoder = 32;
  g_autoptr (StrataSeparator) sep = strata_separator_new (&cfg, 5);
  model = g_build_filename (tmpdir, "head.safetensors", NULL);
  g_assert_true (strata_separator_save (sep, model, FALSE, NULL, NULL));
  const gint64 n = 2 * STRATA_SAMPLE_RATE;
  g_autofree float *s = g_new (float, n * 2);
  StrataRng rng;
  strata_rng_seed (&rng, 9);
  for (gint64 i = 0; i < n; i++)
    {
      const double t = (double) i / STRATA_SAMPLE_RATE;
      const float noise = (float) (0.3 * exp (-fmod (t, 0.5) / 0.05)) *
                          (2.0f * strata_rng_uniform (&rng) - 1.0f);
      s[2 * i] = (float) (0.2 * sin (2 * G_PI * 220 * t)) + noise;
      s[2 * i + 1] = (float) (0.15 * sin (2 * G_PI * 220 * t)) + noise;
    }
  song = g_build_filename (tmpdir, "song.wav", NULL);
  g_assert_true (strata_audio_write (song, s, n, 2, STRATA_SAMPLE_RATE,
                                     STRATA_AUDIO_FORMAT_WAV_F32, NULL));
  g_test_add_func ("/separate-cli/writes-stems", test_writes_stems);
  g_test_add_func ("/separate-cli/refusals", test_refusals);
  g_test_add_func ("/separate-cli/failed-write", test_failed_write);
  int status = g_test_run ();
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
  if (system (cmd) != 0)
    status = 1;
  g_free (tmpdir);
  g_free (model);
  g_free (song);
  return status;
}
