/* strata-cli-features.c: `strata-cli features FILE -o OUT.npz` — the
 * foundation model's coarse / medium / fine features and tokens.
 *
 * OUT.npz holds coarse, medium, fine (float32, T×D), coarse_tokens,
 * medium_tokens, fine_tokens (int32, T), rates (float64[3], coarse first)
 * and model_version (a one-element string array).
 *
 * It runs the features task the window runs, through the same cache
 * ($XDG_CACHE_HOME/strata, or --cache-dir): a second run on the same file,
 * model and options reads the features back instead of decoding and
 * extracting again. With STRATA_TASK_STATS set, it says on stderr how many
 * times it computed and how many it read from the cache.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "model/strata-model.h"
#include "tasks/strata-cache.h"
#include "tasks/strata-features-task.h"
#include "tasks/strata-model-registry.h"
#include "tasks/strata-track-load.h"
#include "strata-cli.h"

int
strata_cli_features (int argc, char **argv)
{
  g_autofree char *output = NULL, *model_path = NULL, *layer_arg = NULL, *cache_dir = NULL;
  g_auto (GStrv) condition = NULL;
  int layer = 0;   /* 0: the model's default */
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The .npz file to write"), N_("OUT.npz") },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model_path,
      N_("Weights file (default: the installed foundation model)"), N_("FILE") },
    { "layer", 0, 0, G_OPTION_ARG_STRING, &layer_arg,
      N_("Prior block whose output is taken (default: the middle one)"), N_("N") },
    { "condition", 0, 0, G_OPTION_ARG_STRING_ARRAY, &condition,
      N_("Condition the priors on a tag (style or instrument family); repeatable"), N_("TAG") },
    { "cache-dir", 0, 0, G_OPTION_ARG_FILENAME, &cache_dir,
      N_("Cache folder (default: $XDG_CACHE_HOME/strata, shared with the window)"),
      N_("DIR") },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("FILE"));
  g_autoptr (GError) error = NULL;
  g_option_context_set_summary (context,
                                _("Write the coarse, medium and fine features of FILE as an .npz."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_USAGE;
    }
  const char *usage_text = _("usage: strata-cli features FILE -o OUT.npz [--model FILE] "
                              "[--layer N] [--condition TAG...]");
  if (argc != 2 || !output)
    {
      strata_cli_error ("%s", usage_text);
      return STRATA_CLI_USAGE;
    }
  /* Parsed here, not by GOption, so that an explicit 0 or negative value is
   * told apart from no --layer at all. */
  if (layer_arg)
    {
      gint64 value = 0;
      if (!g_ascii_string_to_signed (layer_arg, 10, G_MININT, G_MAXINT, &value, &error))
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
      layer = (int) value;
    }
  g_autoptr (StrataModel) model = strata_model_registry_get_foundation (model_path, &error);
  if (!model)
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  if (cache_dir == NULL)
    cache_dir = strata_cache_dup_default_dir ();

  StrataTaskContext ctx, sub;
  strata_task_context_init (&ctx, cache_dir, NULL, strata_cli_progress, NULL);
  strata_task_context_span (&sub, &ctx, 0.0, 0.05);
  g_autofree char *hash = strata_task_hash_file (argv[1], &sub, &error);
  if (!hash)
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  StrataFeaturesInput input = {
    .model = model,
    .path = argv[1],
    .hash = hash,
    .layer = layer,
    .condition = (const char *const *) condition,
  };
  strata_task_context_span (&sub, &ctx, 0.05, 1.0);
  g_autoptr (StrataFeatures) f = strata_task_run (&strata_features_task, &input, &sub, &error);
  if (g_getenv ("STRATA_TASK_STATS"))
    fprintf (stderr, "strata-cli: features computed %u, from the cache %u\n",
             strata_task_get_n_computed (&strata_features_task),
             strata_task_get_n_cached (&strata_features_task));
  if (!f)
    {
      gboolean usage = g_error_matches (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_BAD_OPTION);
      strata_cli_error ("%s: %s", argv[1], error->message);
      return usage ? STRATA_CLI_USAGE : STRATA_CLI_FAILED;
    }
  const char *inputs[] = { argv[1], model_path, NULL };
  if (!strata_features_write_npz (f, output, inputs, &error))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  return STRATA_CLI_OK;
}
