/* test-nn.c: the core/nn test executable (gradient checks, training,
 * checkpoints, safetensors).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "test-nn.h"

static char *tmpdir;

const char *
test_nn_tmpdir (void)
{
  return tmpdir;
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

  int ret = g_test_run ();
  remove_tmpdir ();
  return ret;
}
