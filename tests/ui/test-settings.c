/* test-settings.c: strata_settings_new() finds the schema compiled in the
 * build dir when neither GSETTINGS_SCHEMA_DIR nor the installed schemas have
 * it (the app run uninstalled).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "strata-settings.h"

static void
test_uninstalled (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GSettings) again = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *id = NULL;
  g_autofree char *folder = NULL;

  /* Only the fallback can find it. */
  if (source != NULL)
    {
      g_autoptr(GSettingsSchema) installed = g_settings_schema_source_lookup (source, APP_ID, TRUE);
      g_assert_null (installed);
    }

  settings = strata_settings_new ();
  g_assert_nonnull (settings);
  g_object_get (settings, "schema-id", &id, "settings-schema", &schema, NULL);
  g_assert_cmpstr (id, ==, APP_ID);
  g_assert_true (g_settings_schema_has_key (schema, "window-width"));
  g_assert_true (g_settings_schema_has_key (schema, "last-folder"));

  /* It works: defaults from the schema, writes read back, and a second
   * object sees them. */
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), >, 0);
  g_assert_true (g_settings_set_int (settings, "window-width", 1234));
  g_assert_true (g_settings_set_string (settings, "last-folder", "/srv/takes"));
  again = strata_settings_new ();
  g_assert_nonnull (again);
  g_assert_cmpint (g_settings_get_int (again, "window-width"), ==, 1234);
  folder = g_settings_get_string (again, "last-folder");
  g_assert_cmpstr (folder, ==, "/srv/takes");
}

int
main (int argc, char **argv)
{
  g_autofree char *empty = g_dir_make_tmp ("strata-settings-XXXXXX", NULL);
  int ret;

  /* Before GIO reads them: no schema dir, and data dirs without schemas
   * (an installed Strata must not hide a broken fallback). */
  g_unsetenv ("GSETTINGS_SCHEMA_DIR");
  g_setenv ("XDG_DATA_DIRS", empty, TRUE);
  g_setenv ("XDG_DATA_HOME", empty, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/strata/settings/uninstalled", test_uninstalled);
  ret = g_test_run ();
  g_rmdir (empty);
  return ret;
}
