/* test-output.c: the atomic output writer of core/io.
 *
 * Each case works in a fresh folder and checks bytes on disk: an output that
 * is an input under another name is refused with the input unchanged, a
 * folder is refused, a commit replaces the old file whole (readers see the
 * old bytes until then), and a write past a file-size limit (in a child with
 * RLIMIT_FSIZE set and SIGXFSZ ignored) fails with “File too large” and leaves
 * no file behind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "io/strata-output.h"
#include "io-test-files.h"

static const char input_text[] = "RIFF-the-input-must-survive";

static char *
make_folder (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("strata-output-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
assert_contents (const char *path,
                 const char *expected)
{
  gsize len = 0;
  g_autofree char *data = io_test_read_file (path, &len);

  g_assert_cmpmem (data, len, expected, strlen (expected));
}

static void
test_refuse_aliases (void)
{
  g_autofree char *dir = make_folder ();
  g_autofree char *old_cwd = g_get_current_dir ();
  g_autofree char *base = g_path_get_basename (dir);
  g_autofree char *up = g_build_filename ("..", base, "song.wav", NULL);
  g_autofree char *absolute = g_build_filename (dir, "song.wav", NULL);
  const char *inputs[] = { "other.wav", absolute, NULL };
  const char *aliases[] = { "song.wav", "./song.wav", "sub/../song.wav", "hard.wav",
                            "sym.wav", "subsym/song.wav", NULL };
  g_autoptr (GBytes) bytes = g_bytes_new_static ("PK\3\4 not the input", 18);

  g_assert_cmpint (g_chdir (dir), ==, 0);
  g_assert_true (g_file_set_contents ("song.wav", input_text, -1, NULL));
  g_assert_true (g_file_set_contents ("other.wav", "another input", -1, NULL));
  g_assert_cmpint (g_mkdir ("sub", 0755), ==, 0);
  g_assert_cmpint (link ("song.wav", "hard.wav"), ==, 0);
  g_assert_cmpint (symlink ("song.wav", "sym.wav"), ==, 0);
  g_assert_cmpint (symlink (".", "subsym"), ==, 0);

  for (int i = 0; aliases[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *expected = NULL;
      StrataOutput *out;

      g_test_message ("output %s", aliases[i]);
      g_assert_false (strata_output_check (aliases[i], inputs, &error));
      g_assert_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_SAME_AS_INPUT);
      expected = g_strdup_printf ("Cannot write “%s”: it is the same file as the input “%s”",
                                  aliases[i], absolute);
      g_assert_cmpstr (error->message, ==, expected);
      g_clear_error (&error);

      out = strata_output_new (aliases[i], inputs, &error);
      g_assert_null (out);
      g_assert_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_SAME_AS_INPUT);
      g_clear_error (&error);

      g_assert_false (strata_output_write_bytes (aliases[i], inputs, bytes, &error));
      g_assert_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_SAME_AS_INPUT);
      assert_contents ("song.wav", input_text);
    }

  /* ../dir/x, spelled from inside the folder, and the input given as a symlink */
  {
    const char *link_input[] = { "sym.wav", NULL };
    g_autoptr (GError) error = NULL;

    g_assert_false (strata_output_write_bytes (up, inputs, bytes, &error));
    g_assert_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_SAME_AS_INPUT);
    g_clear_error (&error);
    g_assert_false (strata_output_write_bytes (absolute, link_input, bytes, &error));
    g_assert_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_SAME_AS_INPUT);
    g_assert_nonnull (strstr (error->message, "“sym.wav”"));
  }
  assert_contents ("song.wav", input_text);
  assert_contents ("other.wav", "another input");
  {
    g_autofree char *names = io_test_list_folder (".");
    g_assert_cmpstr (names, ==, "hard.wav other.wav song.wav sub subsym sym.wav");
  }

  /* a missing output, and a different file, are fine; missing inputs are ignored */
  {
    const char *with_missing[] = { "missing.wav", "song.wav", NULL };
    g_autoptr (GError) error = NULL;

    g_assert_true (strata_output_check ("new.npz", with_missing, &error));
    g_assert_no_error (error);
    g_assert_true (strata_output_write_bytes ("sub/new.npz", with_missing, bytes, &error));
    g_assert_no_error (error);
    assert_contents ("sub/new.npz", "PK\3\4 not the input");
    g_assert_true (strata_output_check ("sub/new.npz", NULL, &error));
  }

  g_assert_cmpint (g_chdir (old_cwd), ==, 0);
  io_test_remove_tree (dir);
}

static void
test_refuse_folder (void)
{
  g_autofree char *dir = make_folder ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = g_bytes_new_static ("x", 1);
  g_autofree char *expected = g_strdup_printf ("Cannot write “%s”: it is a folder", dir);
  g_autofree char *names = NULL;

  g_assert_false (strata_output_check (dir, NULL, &error));
  g_assert_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_assert_false (strata_output_write_bytes (dir, NULL, bytes, &error));
  g_assert_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (strata_output_check ("", NULL, &error));
  g_assert_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_FAILED);
  g_clear_error (&error);

  /* a folder that does not exist: the reason comes from the system */
  {
    g_autofree char *deep = g_build_filename (dir, "no", "such", "out.npz", NULL);

    g_assert_false (strata_output_write_bytes (deep, NULL, bytes, &error));
    g_assert_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, deep));
    g_assert_nonnull (strstr (error->message, g_strerror (ENOENT)));
  }
  names = io_test_list_folder (dir);
  g_assert_cmpstr (names, ==, "");
  io_test_remove_tree (dir);
}

static void
test_replace_atomically (void)
{
  g_autofree char *dir = make_folder ();
  g_autofree char *path = g_build_filename (dir, "out.csv", NULL);
  g_autoptr (GError) error = NULL;
  StrataOutput *out;
  FILE *f;
  GStatBuf st;
  mode_t mask;

  g_assert_true (g_file_set_contents (path, "old contents\n", -1, NULL));

  /* abort: the old file stays, the temporary goes */
  out = strata_output_new (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (strata_output_get_temp_path (out), dir));
  g_assert_true (g_file_test (strata_output_get_temp_path (out), G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (write (strata_output_get_fd (out), "half", 4), ==, 4);
  strata_output_abort (out);
  strata_output_abort (NULL);
  assert_contents (path, "old contents\n");
  {
    g_autofree char *names = io_test_list_folder (dir);
    g_assert_cmpstr (names, ==, "out.csv");
  }

  /* commit: until then readers see the old bytes, after it the new ones */
  out = strata_output_new (path, NULL, &error);
  g_assert_no_error (error);
  f = strata_output_get_stream (out);
  g_assert_nonnull (f);
  g_assert_true (strata_output_get_stream (out) == f);
  for (int i = 0; i < 10000; i++)
    fprintf (f, "%d,%d\n", i, i * i);
  fflush (f);
  assert_contents (path, "old contents\n");
  g_assert_true (strata_output_commit (out, &error));
  g_assert_no_error (error);
  {
    g_autofree char *data = NULL;
    g_autofree char *names = io_test_list_folder (dir);
    gsize len;

    g_assert_cmpstr (names, ==, "out.csv");
    g_assert_true (g_file_get_contents (path, &data, &len, NULL));
    g_assert_true (g_str_has_prefix (data, "0,0\n1,1\n2,4\n"));
    g_assert_true (g_str_has_suffix (data, "9999,99980001\n"));
  }

  /* the mode a plain create gives, not mkstemp's 0600 */
  mask = umask (022);
  umask (mask);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0666 & ~mask);

  /* g_autoptr aborts what was not committed */
  {
    g_autoptr (StrataOutput) scoped = strata_output_new (path, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (write (strata_output_get_fd (scoped), "x", 1), ==, 1);
  }
  {
    g_autofree char *names = io_test_list_folder (dir);
    g_assert_cmpstr (names, ==, "out.csv");
  }
  io_test_remove_tree (dir);
}

/* In a child: SIGXFSZ ignored, a 4 KiB file-size limit, then @how writes
 * 64 KiB to @path. The child sends the error message (or "written") through
 * a pipe. */
static char *
write_under_limit (const char *path,
                   int         how)
{
  int fds[2];
  pid_t pid;
  int status = 0;
  GString *msg = g_string_new (NULL);
  char buf[512];
  ssize_t n;

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      struct rlimit lim = { 4096, 4096 };
      g_autoptr (GError) error = NULL;
      g_autofree char *big = g_malloc (65536);
      gboolean ok = FALSE;
      const char *text;

      close (fds[0]);
      signal (SIGXFSZ, SIG_IGN);
      if (setrlimit (RLIMIT_FSIZE, &lim) != 0)
        _exit (3);
      memset (big, 'a', 65536);
      if (how == 0)
        {
          g_autoptr (GBytes) bytes = g_bytes_new_static (big, 65536);

          ok = strata_output_write_bytes (path, NULL, bytes, &error);
        }
      else
        {
          StrataOutput *out = strata_output_new (path, NULL, &error);

          if (out != NULL)
            {
              /* unchecked writes: the commit must still see the failure */
              for (int i = 0; i < 16; i++)
                fwrite (big, 1, 4096, strata_output_get_stream (out));
              ok = strata_output_commit (out, &error);
            }
        }
      text = ok ? "written" : error->message;
      if (write (fds[1], text, strlen (text)) < 0)
        _exit (4);
      _exit (0);
    }
  close (fds[1]);
  while ((n = read (fds[0], buf, sizeof buf)) > 0)
    g_string_append_len (msg, buf, n);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  return g_string_free (msg, FALSE);
}

static void
test_file_size_limit (void)
{
  g_autofree char *dir = make_folder ();
  g_autofree char *path = g_build_filename (dir, "big.npz", NULL);
  g_autofree char *expected = g_strdup_printf ("Cannot write “%s”: %s", path,
                                               g_strerror (EFBIG));

  for (int how = 0; how < 2; how++)
    {
      g_autofree char *msg = write_under_limit (path, how);
      g_autofree char *names = io_test_list_folder (dir);

      g_test_message ("%s", msg);
      g_assert_cmpstr (msg, ==, expected);
      g_assert_nonnull (strstr (msg, "File too large"));
      g_assert_cmpstr (names, ==, "");
    }

  /* an existing output stays as it was */
  g_assert_true (g_file_set_contents (path, "old", -1, NULL));
  {
    g_autofree char *msg = write_under_limit (path, 1);
    g_autofree char *names = io_test_list_folder (dir);

    g_assert_cmpstr (msg, ==, expected);
    g_assert_cmpstr (names, ==, "big.npz");
    assert_contents (path, "old");
  }
  io_test_remove_tree (dir);
}

/* A program killed while writing leaves neither a temporary file nor a
 * changed output, and still ends by the signal. */
static void
test_signal_cleanup (void)
{
  static const int sigs[] = { SIGTERM, SIGINT };
  g_autofree char *dir = make_folder ();
  g_autofree char *kept = g_build_filename (dir, "kept.npz", NULL);
  g_autofree char *fresh = g_build_filename (dir, "fresh.csv", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (sigs); i++)
    {
      int fds[2];
      pid_t pid;
      int status;
      char c;

      g_assert_true (g_file_set_contents (kept, "old", -1, NULL));
      g_assert_cmpint (pipe (fds), ==, 0);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          StrataOutput *a, *b;

          close (fds[0]);
          strata_output_install_signal_cleanup ();
          a = strata_output_new (kept, NULL, NULL);
          b = strata_output_new (fresh, NULL, NULL);
          if (a == NULL || b == NULL
              || write (strata_output_get_fd (a), "new", 3) != 3
              || fputs ("pitch\n", strata_output_get_stream (b)) < 0
              || fflush (strata_output_get_stream (b)) != 0
              || write (fds[1], "r", 1) != 1)
            _exit (3);
          for (;;)
            pause ();
        }
      close (fds[1]);
      g_assert_cmpint (read (fds[0], &c, 1), ==, 1);
      close (fds[0]);
      {
        /* both temporary files exist while the child writes */
        g_autofree char *names = io_test_list_folder (dir);
        g_assert_nonnull (strstr (names, ".kept.npz."));
        g_assert_nonnull (strstr (names, ".fresh.csv."));
      }
      g_assert_cmpint (kill (pid, sigs[i]), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));
      g_assert_cmpint (WTERMSIG (status), ==, sigs[i]);
      {
        g_autofree char *names = io_test_list_folder (dir);
        g_assert_cmpstr (names, ==, "kept.npz");
      }
      assert_contents (kept, "old");
    }
  io_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_setenv ("LC_ALL", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/strata/io/output/refuse-aliases", test_refuse_aliases);
  g_test_add_func ("/strata/io/output/refuse-folder", test_refuse_folder);
  g_test_add_func ("/strata/io/output/replace-atomically", test_replace_atomically);
  g_test_add_func ("/strata/io/output/file-size-limit", test_file_size_limit);
  g_test_add_func ("/strata/io/output/signal-cleanup", test_signal_cleanup);
  return g_test_run ();
}
