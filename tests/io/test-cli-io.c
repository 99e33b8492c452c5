/* test-cli-io.c: strata-cli against outputs that would replace an input.
 *
 * `features song.wav -o OUT` is run (spawned, as a user runs it) with OUT
 * naming song.wav itself, through ./, ../dir/, a hard link and a symlink:
 * each exits 1 with a message naming both files and leaves song.wav's bytes
 * and the folder as they were. Under a file-size limit (`ulimit -f`, set in
 * the child) the write fails with “File too large” and leaves no file.
 * `info` and `features` agree on files cut short.
 *
 * Usage: test-cli-io PATH-TO-STRATA-CLI [GTest options]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sndfile.h>

#include "io-test-files.h"

static const char *cli_path;
static char *tmpdir;

static void
write_audio (const char *path,
             int         sf_format,
             double      seconds)
{
  SF_INFO info = { .samplerate = 44100, .channels = 2, .format = sf_format };
  const gint64 n = (gint64) (seconds * 44100);
  g_autofree float *x = g_new (float, 2 * n);
  SNDFILE *sf;

  for (gint64 t = 0; t < n; t++)
    x[2 * t] = x[2 * t + 1] = (float) (0.4 * sin (2.0 * G_PI * 330.0 * (double) t / 44100.0));
  sf = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  g_assert_cmpint (sf_writef_float (sf, x, n), ==, n);
  g_assert_cmpint (sf_close (sf), ==, 0);
}

static void
write_wav (const char *path,
           double      seconds)
{
  write_audio (path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, seconds);
}

static void
limit_file_size (gpointer user_data)
{
  struct rlimit lim = { GPOINTER_TO_UINT (user_data), GPOINTER_TO_UINT (user_data) };

  setrlimit (RLIMIT_FSIZE, &lim);
}

/* Runs strata-cli in @cwd with @args (NULL-terminated, after the program
 * name); @fsize_limit > 0 sets RLIMIT_FSIZE in the child (SIGXFSZ keeps its
 * default action there, so only the program's own handling saves it). */
static int
run_cli (const char         *cwd,
         const char * const *args,
         guint               fsize_limit,
         char              **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (gpointer) cli_path);
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (cwd, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT,
                               fsize_limit > 0 ? limit_file_size : NULL,
                               GUINT_TO_POINTER (fsize_limit), &out, err, &wait_status, &error));
  g_assert_no_error (error);
  g_test_message ("stderr: %s", *err);
  g_assert_true (WIFEXITED (wait_status));
  return WEXITSTATUS (wait_status);
}

static void
test_features_onto_input (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "onto", NULL);
  g_autofree char *song = g_build_filename (dir, "song.wav", NULL);
  g_autofree char *hard = g_build_filename (dir, "hard.wav", NULL);
  g_autofree char *sym = g_build_filename (dir, "sym.wav", NULL);
  g_autofree char *npz_path = g_build_filename (dir, "song.npz", NULL);
  g_autofree char *up = g_build_filename ("..", "onto", "song.wav", NULL);
  const char *aliases[] = { "song.wav", "./song.wav", up, "hard.wav", "sym.wav", NULL };
  g_autofree char *before = NULL;
  g_autofree char *names_before = NULL;
  gsize before_len;

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  write_wav (song, 1.0);
  g_assert_cmpint (link (song, hard), ==, 0);
  g_assert_cmpint (symlink ("song.wav", sym), ==, 0);
  before = io_test_read_file (song, &before_len);
  names_before = io_test_list_folder (dir);

  for (int i = 0; aliases[i] != NULL; i++)
    {
      const char *args[] = { "features", "song.wav", "-o", aliases[i], NULL };
      g_autofree char *err = NULL;
      g_autofree char *expected = g_strdup_printf ("strata-cli: Cannot write “%s”: it is the same "
                                                   "file as the input “song.wav”\n", aliases[i]);
      g_autofree char *after = NULL;
      g_autofree char *names = NULL;
      gsize after_len;

      g_assert_cmpint (run_cli (dir, args, 0, &err), ==, 1);
      g_assert_cmpstr (err, ==, expected);
      after = io_test_read_file (song, &after_len);
      g_assert_cmpmem (after, after_len, before, before_len);
      names = io_test_list_folder (dir);
      g_assert_cmpstr (names, ==, names_before);
    }

  /* the same command with another output does write an .npz */
  {
    const char *args[] = { "features", "sym.wav", "-o", "song.npz", NULL };
    g_autofree char *err = NULL;
    g_autofree char *npz = NULL;
    gsize len;

    g_assert_cmpint (run_cli (dir, args, 0, &err), ==, 0);
    npz = io_test_read_file (npz_path, &len);
    g_assert_cmpuint (len, >, 1024);
    g_assert_cmpmem (npz, 4, "PK\3\4", 4);
  }
}

static void
test_features_file_size_limit (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "limit", NULL);
  g_autofree char *song = g_build_filename (dir, "song.wav", NULL);
  const char *args[] = { "features", song, "-o", "out.npz", NULL };
  g_autofree char *err = NULL;
  g_autofree char *names = NULL;

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  write_wav (song, 1.0);
  /* 16 KiB: the input (176 kB) is already there, the .npz (52 kB) is larger */
  g_assert_cmpint (run_cli (dir, args, 16384, &err), ==, 1);
  g_assert_cmpstr (err, ==, "strata-cli: Cannot write “out.npz”: File too large\n");
  names = io_test_list_folder (dir);
  g_assert_cmpstr (names, ==, "song.wav");
}

/* `info` and `features` give one verdict on a cut file: a FLAC cut after
 * its first 100 bytes (info used to print the header's length and exit 0),
 * a FLAC cut in half, a WAV of its header only and an MP3 with a Xing header
 * cut in half are damaged for both (exit 1, the file named); an Ogg Vorbis
 * cut in half holds what is left, and both read it (exit 0). */
static void
test_info_cut_files (void)
{
  static const struct {
    const char *name;
    int         sf_format;
    double      seconds;
    double      keep;      /* > 1: bytes; <= 1: fraction of the file */
    gboolean    damaged;
  } cases[] = {
    { "cut100.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 4, 100, TRUE },
    { "half.flac",   SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 4, 0.5, TRUE },
    { "header.wav",  SF_FORMAT_WAV | SF_FORMAT_PCM_16,  4, 44, TRUE },
    { "half.mp3",    SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 4, 0.5, TRUE },
    /* long enough for half of it to hold complete Ogg pages of audio */
    { "half.ogg",    SF_FORMAT_OGG | SF_FORMAT_VORBIS, 10, 0.5, FALSE },
  };
  g_autofree char *dir = g_build_filename (tmpdir, "cut", NULL);

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *full = g_build_filename (dir, "full", NULL);
      g_autofree char *cut = g_build_filename (dir, cases[i].name, NULL);
      g_autofree char *npz = g_build_filename (dir, "out.npz", NULL);
      const char *info_args[] = { "info", cut, NULL };
      const char *features_args[] = { "features", cut, "-o", npz, NULL };
      g_autofree char *data = NULL;
      g_autofree char *err = NULL;
      g_autofree char *ferr = NULL;
      gsize len;
      int info_rc, features_rc;

      write_audio (full, cases[i].sf_format, cases[i].seconds);
      data = io_test_read_file (full, &len);
      g_assert_true (g_file_set_contents (cut, data,
                                          cases[i].keep > 1 ? (gssize) cases[i].keep
                                                            : (gssize) (len * cases[i].keep),
                                          NULL));
      info_rc = run_cli (dir, info_args, 0, &err);
      features_rc = run_cli (dir, features_args, 0, &ferr);
      g_assert_cmpint (info_rc, ==, features_rc);
      if (cases[i].damaged)
        {
          g_assert_cmpint (info_rc, ==, 1);
          g_assert_nonnull (strstr (err, cut));
          g_assert_true (strstr (err, "truncated") != NULL || strstr (err, "damaged") != NULL);
          g_assert_false (g_file_test (npz, G_FILE_TEST_EXISTS));
        }
      else
        {
          g_assert_cmpint (info_rc, ==, 0);
          g_assert_true (g_file_test (npz, G_FILE_TEST_IS_REGULAR));
        }
      g_unlink (npz);
      g_unlink (cut);
      g_unlink (full);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: %s PATH-TO-STRATA-CLI\n", argv[0]);
      return 2;
    }
  cli_path = argv[1];
  tmpdir = g_dir_make_tmp ("strata-test-cli-io-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/strata/io/cli/features-onto-input", test_features_onto_input);
  g_test_add_func ("/strata/io/cli/features-file-size-limit", test_features_file_size_limit);
  g_test_add_func ("/strata/io/cli/info-cut-files", test_info_cut_files);

  status = g_test_run ();
  io_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
