/* strata-settings.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include "strata-settings.h"

/**
 * strata_settings_new:
 *
 * Looks the schema up in the installed schemas, then in the build directory
 * (so the app runs uninstalled).
 *
 * Returns: (transfer full) (nullable): the settings, or %NULL when the
 *   schema is nowhere: then nothing is remembered
 */
GSettings *
strata_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsBackend) backend = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  if (schema == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSettingsSchemaSource) build =
        g_settings_schema_source_new_from_directory (STRATA_BUILD_DIR "/resources",
                                                     source, FALSE, &error);
      if (build != NULL)
        schema = g_settings_schema_source_lookup (build, APP_ID, FALSE);
      else
        g_debug ("No schemas in the build directory: %s", error->message);
    }

  if (schema != NULL)
    return g_settings_new_full (schema, NULL, NULL);

  g_debug ("Schema %s not found; settings will not be remembered", APP_ID);
  return NULL;
}
