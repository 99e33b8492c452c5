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

#include "io/strata-output.h"
#include "tasks/strata-features-task.h"
#include "strata-cli.h"

int
strata_cli_features (int argc, char **argv)
{
  g_autofree char *output = NULL;
  StrataCliFeaturesSetup setup = { 0 };
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The .npz file to write"), N_("OUT.npz") },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("FILE"));
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataFeatures) f = NULL;
  int status;

  g_option_context_set_summary (context,
                                _("Write the coarse, medium and fine features of FILE as an .npz."));
  status = strata_cli_features_setup_parse (&setup, context, entries, &argc, &argv);
  if (status != STRATA_CLI_OK)
    goto out;
  const char *usage_text = _("usage: strata-cli features FILE -o OUT.npz [--model FILE] "
                              "[--layer N] [--condition TAG...]");
  if (argc != 2 || !output)
    {
      strata_cli_error ("%s", usage_text);
      status = STRATA_CLI_USAGE;
      goto out;
    }
  status = strata_cli_features_setup_check (&setup, usage_text);
  const char *inputs[] = { argv[1], setup.model_path, NULL };
  /* Refused before the features are computed: nothing to lose then. */
  if (status == STRATA_CLI_OK && !strata_output_check (output, inputs, &error))
    {
      strata_cli_error ("%s", error->message);
      status = STRATA_CLI_FAILED;
    }
  if (status == STRATA_CLI_OK)
    status = strata_cli_features_setup_run (&setup, argv[1], &f);
  if (status == STRATA_CLI_OK)
    {
      if (!strata_features_write_npz (f, output, inputs, &error))
        {
          strata_cli_error ("%s", error->message);
          status = STRATA_CLI_FAILED;
        }
    }
out:
  strata_cli_features_setup_clear (&setup);
  return status;
}
