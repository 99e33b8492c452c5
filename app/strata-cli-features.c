/* strata-cli-features.c: `strata-cli features FILE -o OUT.npz` — the
 * foundation model's coarse / medium / fine features and tokens.
 *
 * OUT.npz holds coarse, medium, fine (float32, T×D), coarse_tokens,
 * medium_tokens, fine_tokens (int32, T), rates (float64[3], coarse first)
 * and model_version (a one-element string array).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "audio/strata-audio.h"
#include "nn/strata-nn.h"
#include "model/strata-model.h"
#include "strata-cli.h"

int
strata_cli_features (int argc, char **argv)
{
  g_autofree char *output = NULL, *model_path = NULL, *layer_arg = NULL;
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
  strata_nn_set_num_threads (1);
  g_autoptr (StrataModel) model = model_path ? strata_model_load (model_path, &error)
                                             : strata_model_load_default (&error);
  if (!model)
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  g_autoptr (StrataAudio) audio = strata_audio_decode (argv[1], strata_cli_progress, NULL, NULL,
                                                       &error);
  if (!audio)
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  StrataFeatureOptions opts = { layer, (const char *const *) condition };
  g_autoptr (StrataFeatures) f = strata_model_extract (model, audio, &opts, strata_cli_progress,
                                                       NULL, NULL, NULL, &error);
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
