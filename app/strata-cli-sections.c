/* strata-cli-sections.c: `strata-cli sections FILE --json | --csv |
 * --audacity [-o OUT]` — the automatic sections of a track (the window's
 * Sections lane), on stdout or in OUT.
 *
 * It runs the features task through the cache as `features` does, with the
 * same --model, --layer and --condition options (sections are cut on the
 * unconditional section basis, so a condition does not move them), then
 * strata_feature_maps_new() for the sections.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <glib/gi18n.h>

#include "analysis/strata-feature-maps.h"
#include "analysis/strata-sections-export.h"
#include "io/strata-output.h"
#include "strata-cli.h"

int
strata_cli_sections (int argc, char **argv)
{
  g_autofree char *output = NULL;
  gboolean json = FALSE, csv = FALSE, audacity = FALSE;
  StrataCliFeaturesSetup setup = { 0 };
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("JSON: {\"model_version\", \"sections\": [{\"start_s\", \"end_s\", \"label\"}]}"), NULL },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, N_("CSV with the header start_s,end_s,label"), NULL },
    { "audacity", 0, 0, G_OPTION_ARG_NONE, &audacity,
      N_("Audacity label track text (start, end and label, tab-separated)"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("The file to write (default: standard output)"), N_("OUT") },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("FILE"));
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataFeatures) f = NULL;
  g_autoptr (StrataFeatureMaps) maps = NULL;
  g_autoptr (GBytes) bytes = NULL;
  StrataSectionsFormat format = STRATA_SECTIONS_JSON;
  const StrataSection *sections;
  guint n_sections = 0;
  int status;

  g_option_context_set_summary (context, _("Write the automatic sections of FILE."));
  status = strata_cli_features_setup_parse (&setup, context, entries, &argc, &argv);
  if (status != STRATA_CLI_OK)
    goto out;
  const char *usage_text = _("usage: strata-cli sections FILE --json|--csv|--audacity [-o OUT] "
                              "[--model FILE] [--layer N] [--condition TAG...]");
  if (argc != 2 || json + csv + audacity != 1)
    {
      strata_cli_error ("%s", usage_text);
      status = STRATA_CLI_USAGE;
      goto out;
    }
  format = json ? STRATA_SECTIONS_JSON : csv ? STRATA_SECTIONS_CSV : STRATA_SECTIONS_AUDACITY;
  status = strata_cli_features_setup_check (&setup, usage_text);
  if (status != STRATA_CLI_OK)
    goto out;
  /* Refused before the features are computed: nothing to lose then. */
  const char *inputs[] = { argv[1], setup.model_path, NULL };
  if (output && !strata_output_check (output, inputs, &error))
    {
      strata_cli_error ("%s", error->message);
      status = STRATA_CLI_FAILED;
      goto out;
    }
  status = strata_cli_features_setup_run (&setup, argv[1], &f);
  if (status != STRATA_CLI_OK)
    goto out;

  maps = strata_feature_maps_new (f);
  sections = strata_feature_maps_get_sections (maps, &n_sections);
  bytes = strata_sections_to_bytes (sections, n_sections, format, f->model_version);
  if (output)
    {
      if (!strata_output_write_bytes (output, inputs, bytes, &error))
        {
          strata_cli_error ("%s", error->message);
          status = STRATA_CLI_FAILED;
        }
    }
  else
    {
      gsize size = 0;
      const void *data = g_bytes_get_data (bytes, &size);
      if (fwrite (data, 1, size, stdout) != size || fflush (stdout) != 0)
        {
          strata_cli_error (_("standard output: %s"), g_strerror (errno));
          status = STRATA_CLI_FAILED;
        }
    }
out:
  strata_cli_features_setup_clear (&setup);
  return status;
}
