/* test-nn.c: the core/nn test executable (gradient checks, training,
 * checkpoints, safetensors).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "test-nn.h"

static char *tmpdir;

const char *
test_nn_tmpdir (void)
{
  return tmpdir;
}

char *
test_nn_run_python (const char *script, const char *arg1, const char *arg2)
{
  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("/usr/bin/python3 is not installed");
      return NULL;
    }
  const char *src = g_getenv ("STRATA_SOURCE_DIR");
  g_autofree char *path = g_build_filename (src ? src : STRATA_SOURCE_DIR, "tests", "nn",
                                            script, NULL);
  const char *argv[] = { "/usr/bin/python3", path, arg1, arg2, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_test_fail_printf ("%s failed: %s %s", script, error ? error->message : "", err ? err : "");
      return NULL;
    }
  return g_steal_pointer (&out);
}

static void
remove_tmpdir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmpdir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("strata-nn-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  test_nn_add_gradcheck_tests ();
  test_nn_add_train_tests ();
  test_nn_add_safetensors_tests ();
  test_nn_add_reference_tests ();

  int ret = g_test_run ();
  remove_tmpdir ();
  return ret;
}
