/* strata-cli-features-setup.c: what every command built on the features
 * task shares — the --model, --layer, --condition and --cache-dir options
 * and one run of strata_features_task through the cache (the window's
 * cache by default), with the file's content hash as its key.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "tasks/strata-cache.h"
#include "tasks/strata-features-task.h"
#include "tasks/strata-model-registry.h"
#include "tasks/strata-track-load.h"
#include "strata-cli.h"

int
strata_cli_features_setup_parse (StrataCliFeaturesSetup *setup,
                                 GOptionContext         *context,
                                 const GOptionEntry     *command_entries,
                                 int                    *argc,
                                 char                 ***argv)
{
  g_autoptr (GError) error = NULL;
  const GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &setup->model_path,
      N_("Weights file (default: the installed foundation model)"), N_("FILE") },
    { "layer", 0, 0, G_OPTION_ARG_STRING, &setup->layer_arg,
      N_("Prior block whose output is taken (default: the middle one)"), N_("N") },
    { "condition", 0, 0, G_OPTION_ARG_STRING_ARRAY, &setup->condition,
      N_("Condition the priors on a tag (style or instrument family); repeatable"), N_("TAG") },
    { "cache-dir", 0, 0, G_OPTION_ARG_FILENAME, &setup->cache_dir,
      N_("Cache folder (default: $XDG_CACHE_HOME/strata, shared with the window)"),
      N_("DIR") },
    { NULL }
  };

  /* GOption copies the entries; the targets are @setup's fields. */
  g_option_context_add_main_entries (context, command_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_USAGE;
    }
  return STRATA_CLI_OK;
}

int
strata_cli_features_setup_check (StrataCliFeaturesSetup *setup,
                                 const char             *usage_text)
{
  g_autoptr (GError) error = NULL;
  gint64 value = 0;

  setup->layer = 0;   /* the model's default */
  if (!setup->layer_arg)
    return STRATA_CLI_OK;
  /* Parsed here, not by GOption, so that an explicit 0 or negative value is
   * told apart from no --layer at all. */
  if (!g_ascii_string_to_signed (setup->layer_arg, 10, G_MININT, G_MAXINT, &value, &error))
    {
      strata_cli_error ("--layer: %s", error->message);
      strata_cli_error ("%s", usage_text);
      return STRATA_CLI_USAGE;
    }
  if (value < 1)
    {
      strata_cli_error (_("--layer must be at least 1"));
      strata_cli_error ("%s", usage_text);
      return STRATA_CLI_USAGE;
    }
  setup->layer = (int) value;
  return STRATA_CLI_OK;
}

int
strata_cli_features_setup_run (StrataCliFeaturesSetup *setup,
                               const char             *path,
                               StrataFeatures        **features)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataModel) model = NULL;
  g_autofree char *hash = NULL;
  StrataTaskContext ctx, sub;

  *features = NULL;
  model = strata_model_registry_get_foundation (setup->model_path, &error);
  if (!model)
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  if (setup->cache_dir == NULL)
    setup->cache_dir = strata_cache_dup_default_dir ();

  strata_task_context_init (&ctx, setup->cache_dir, NULL, strata_cli_progress, NULL);
  strata_task_context_span (&sub, &ctx, 0.0, 0.05);
  hash = strata_task_hash_file (path, &sub, &error);
  if (!hash)
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  StrataFeaturesInput input = {
    .model = model,
    .path = path,
    .hash = hash,
    .layer = setup->layer,
    .condition = (const char *const *) setup->condition,
  };
  strata_task_context_span (&sub, &ctx, 0.05, 1.0);
  *features = strata_task_run (&strata_features_task, &input, &sub, &error);
  if (g_getenv ("STRATA_TASK_STATS"))
    fprintf (stderr, "strata-cli: features computed %u, from the cache %u\n",
             strata_task_get_n_computed (&strata_features_task),
             strata_task_get_n_cached (&strata_features_task));
  if (!*features)
    {
      gboolean usage = g_error_matches (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_BAD_OPTION);
      strata_cli_error ("%s: %s", path, error->message);
      return usage ? STRATA_CLI_USAGE : STRATA_CLI_FAILED;
    }
  return STRATA_CLI_OK;
}

void
strata_cli_features_setup_clear (StrataCliFeaturesSetup *setup)
{
  g_clear_pointer (&setup->model_path, g_free);
  g_clear_pointer (&setup->layer_arg, g_free);
  g_clear_pointer (&setup->cache_dir, g_free);
  g_clear_pointer (&setup->condition, g_strfreev);
}
