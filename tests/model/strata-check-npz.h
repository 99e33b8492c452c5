/* strata-check-npz.h: running tests/model/check-npz.py (numpy) on an .npz
 * from a test, shared by tests/model and tests/ui-strata. Header-only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <string.h>

/* What check-npz.py reads in @npz (a line an array, "digest NAME SHA1"
 * lines, …); NULL when there is no /usr/bin/python3 with numpy. */
static inline char *
strata_check_npz (const char *npz)
{
  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    return NULL;
  g_autofree char *script = g_build_filename (g_getenv ("STRATA_SOURCE_DIR"), "tests", "model",
                                              "check-npz.py", NULL);
  const char *argv[] = { "/usr/bin/python3", script, npz, NULL };
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &status, &error));
  if (strstr (err, "No module named 'numpy'"))
    {
      g_free (out);
      return NULL;
    }
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("check-npz.py failed: %s", err);
  return out;
}

/* check-npz.py's SHA-1 of the bytes of array @name, from its output @out. */
static inline char *
strata_npz_digest (const char *out, const char *name)
{
  g_autofree char *key = g_strdup_printf ("\ndigest %s ", name);
  const char *p = strstr (out, key);
  g_assert_nonnull (p);
  p += strlen (key);
  return g_strndup (p, strcspn (p, "\n"));
}
