/* strata-cli-info.c: `strata-cli info FILE... [--json]`.
 *
 * For each file: path, format, detail, sample_rate, channels, frames and
 * duration_s, read with strata_audio_probe_measured(): a header's length is
 * reported only when the audio behind it reads, so a file cut or damaged
 * after its header is reported damaged, as `features` and the window's load
 * report it; a length no header gives is measured. Human output is
 * one block per file separated by a blank line; --json prints one JSON array
 * with an object per file, in argument order. A file that cannot be read is
 * reported on stderr (the message names the file and the reason) and, with
 * --json, appears in the array as {"path": ..., "error": ...}. Exit status:
 * 0 when every file was read, 1 when any failed, 2 on bad usage.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "audio/strata-audio.h"
#include "strata-cli.h"

static void
print_human (const StrataAudioInfo *info,
             gboolean               first)
{
  if (!first)
    printf ("\n");
  printf ("path:        %s\n", info->path);
  printf ("format:      %s\n", info->format);
  printf ("detail:      %s\n", info->codec_detail ? info->codec_detail : "-");
  printf ("sample_rate: %d\n", info->sample_rate);
  printf ("channels:    %d\n", info->channels);
  if (info->n_frames >= 0)
    printf ("frames:      %" G_GINT64_FORMAT "\n", info->n_frames);
  else
    printf ("frames:      unknown\n");
  printf ("duration_s:  %.3f\n", info->duration);
}

static void
add_json (JsonBuilder           *b,
          const StrataAudioInfo *info)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, info->path);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, info->format);
  json_builder_set_member_name (b, "detail");
  if (info->codec_detail != NULL)
    json_builder_add_string_value (b, info->codec_detail);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "sample_rate");
  json_builder_add_int_value (b, info->sample_rate);
  json_builder_set_member_name (b, "channels");
  json_builder_add_int_value (b, info->channels);
  json_builder_set_member_name (b, "frames");
  if (info->n_frames >= 0)
    json_builder_add_int_value (b, info->n_frames);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "duration_s");
  json_builder_add_double_value (b, info->duration);
  json_builder_end_object (b);
}

static void
add_json_error (JsonBuilder  *b,
                const char   *path,
                const GError *error)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, path);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, error->message);
  json_builder_end_object (b);
}

/**
 * strata_cli_info:
 * @argc: argument count, argv[0] being "info"
 * @argv: (array length=argc): the arguments
 *
 * Runs `strata-cli info`. See the top of this file for the output.
 *
 * Returns: %STRATA_CLI_OK, %STRATA_CLI_FAILED or %STRATA_CLI_USAGE
 */
int
strata_cli_info (int    argc,
                 char **argv)
{
  gboolean json = FALSE;
  g_auto(GStrv) files = NULL;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON array instead of text"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE…") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  int status = STRATA_CLI_OK;
  gboolean printed = FALSE;

  g_option_context_set_summary (context,
                                _("Prints the format, sample rate, channels, length and duration of audio files."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      strata_cli_error ("info: %s", error->message);
      return STRATA_CLI_USAGE;
    }
  if (files == NULL || files[0] == NULL)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      strata_cli_error ("%s", _("info: no file given"));
      fprintf (stderr, "%s", help);
      return STRATA_CLI_USAGE;
    }

  if (json)
    {
      builder = json_builder_new ();
      json_builder_begin_array (builder);
    }

  for (guint i = 0; files[i] != NULL; i++)
    {
      StrataAudioInfo info;
      g_autoptr(GError) probe_error = NULL;

      if (!strata_audio_probe_measured (files[i], &info, NULL, &probe_error))
        {
          strata_cli_error ("%s", probe_error->message);
          if (json)
            add_json_error (builder, files[i], probe_error);
          status = STRATA_CLI_FAILED;
          continue;
        }
      if (json)
        add_json (builder, &info);
      else
        print_human (&info, !printed);
      printed = TRUE;
      strata_audio_info_clear (&info);
    }

  if (json)
    {
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autofree char *text = NULL;

      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (gen, root);
      json_generator_set_pretty (gen, TRUE);
      text = json_generator_to_data (gen, NULL);
      printf ("%s\n", text);
    }
  fflush (stdout);
  return status;
}
