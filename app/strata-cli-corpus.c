/* strata-cli-corpus.c: `strata-cli corpus render | index | demo`.
 *
 *   corpus render --minutes M --soundfont FILE --seed S -o DIR [--styles a,b]
 *                 [--min-seconds S] [--max-seconds S] [--threads N]
 *                 [--split auto|train|valid|test] [--wav]
 *   corpus index DIR... -o manifest.jsonl
 *   corpus demo --soundfont FILE --seed S -o DIR [--seconds S] [--style NAME]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "strata-cli.h"
#include "audio/strata-audio.h"
#include "corpus/strata-compose.h"
#include "corpus/strata-corpus.h"
#include "corpus/strata-render.h"
#include "corpus/strata-smf.h"

#define DEFAULT_SOUNDFONT "/usr/share/sounds/sf2/FluidR3_GM.sf2"

static int
error_status (const GError *error)
{
  if (error->domain == STRATA_CORPUS_ERROR && error->code == STRATA_CORPUS_ERROR_OPTIONS)
    return STRATA_CLI_USAGE;
  return STRATA_CLI_FAILED;
}

static gboolean
parse_seed (const char *text, guint64 *seed)
{
  g_autoptr (GError) error = NULL;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, seed, &error))
    {
      strata_cli_error (_("invalid seed “%s”: %s"), text, error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_options (GOptionContext *ctx, int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;

  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      strata_cli_error ("%s", error->message);
      return FALSE;
    }
  return TRUE;
}

static int
corpus_render (int argc, char **argv)
{
  double minutes = -1, min_s = 30, max_s = 75;
  g_autofree char *soundfont = NULL;
  g_autofree char *seed_text = NULL;
  g_autofree char *output = NULL;
  g_autofree char *styles = NULL;
  g_autofree char *split = NULL;
  g_auto (GStrv) style_list = NULL;
  int threads = 2;
  gboolean wav = FALSE;
  GOptionEntry entries[] = {
    { "minutes", 0, 0, G_OPTION_ARG_DOUBLE, &minutes, N_("Total length of the corpus"), "M" },
    { "soundfont", 0, 0, G_OPTION_ARG_FILENAME, &soundfont, N_("SoundFont 2 file (FluidR3_GM for training, TimGM6mb for validation)"), "FILE" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, N_("Seed of the corpus (default 0)"), "S" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Output folder"), "DIR" },
    { "styles", 0, 0, G_OPTION_ARG_STRING, &styles, N_("Comma-separated styles (default: all)"), "LIST" },
    { "min-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &min_s, N_("Shortest piece (default 30)"), "S" },
    { "max-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &max_s, N_("Longest piece (default 75)"), "S" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, N_("Render threads (default 2)"), "N" },
    { "split", 0, 0, G_OPTION_ARG_STRING, &split, N_("auto (90/5/5), train, valid or test"), "NAME" },
    { "wav", 0, 0, G_OPTION_ARG_NONE, &wav, N_("Write 32-bit float WAV (stems sum to the mix exactly)"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("- render a labelled multitrack corpus"));
  g_autoptr (GError) error = NULL;
  StrataCorpusOptions options;
  g_autofree char *list = g_strjoinv (", ", (char **) strata_compose_list_styles ());
  g_autofree char *styles_line = g_strdup_printf (_("Styles: %s"), list);
  g_autofree char *desc = g_strconcat (styles_line, "\n", NULL);

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (ctx, desc);
  if (!parse_options (ctx, &argc, &argv))
    return STRATA_CLI_USAGE;
  if (argc > 1)
    {
      strata_cli_error (_("unexpected argument “%s”"), argv[1]);
      return STRATA_CLI_USAGE;
    }
  if (minutes <= 0 || output == NULL || soundfont == NULL)
    {
      strata_cli_error (_("corpus render needs --minutes M (> 0), --soundfont FILE and -o DIR"));
      return STRATA_CLI_USAGE;
    }
  strata_corpus_options_init (&options);
  if (!parse_seed (seed_text, &options.seed))
    return STRATA_CLI_USAGE;
  if (threads < 1 || threads > 64)
    {
      strata_cli_error (_("--threads must be between 1 and 64"));
      return STRATA_CLI_USAGE;
    }
  if (styles)
    style_list = g_strsplit (styles, ",", -1);
  options.minutes = minutes;
  options.soundfont = soundfont;
  options.output = output;
  options.styles = (const char * const *) style_list;
  options.min_seconds = min_s;
  options.max_seconds = max_s;
  options.threads = threads;
  options.format = wav ? STRATA_AUDIO_FORMAT_WAV_F32 : STRATA_AUDIO_FORMAT_FLAC;
  options.split = split ? split : "auto";

  if (!strata_corpus_render (&options, strata_cli_progress, NULL, &error))
    {
      strata_cli_error ("%s", error->message);
      return error_status (error);
    }
  return STRATA_CLI_OK;
}

static int
corpus_index (int argc, char **argv)
{
  g_autofree char *output = NULL;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Manifest to write (JSON lines)"), "FILE" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("DIR... - index real recordings"));
  g_autoptr (GError) error = NULL;
  double minutes = 0;
  guint n_files = 0;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!parse_options (ctx, &argc, &argv))
    return STRATA_CLI_USAGE;
  if (argc < 2 || output == NULL)
    {
      strata_cli_error (_("corpus index needs at least one folder and -o FILE"));
      return STRATA_CLI_USAGE;
    }
  if (!strata_corpus_index ((const char * const *) argv + 1, output, strata_cli_progress, NULL,
                            &minutes, &n_files, &error))
    {
      strata_cli_error ("%s", error->message);
      return error_status (error);
    }
  fprintf (stderr, _("%u files, %.1f minutes indexed into %s\n"), n_files, minutes, output);
  return STRATA_CLI_OK;
}

static void
print_levels (const char *name, const float *x, gint64 n_frames)
{
  double peak, rms;

  strata_corpus_measure_levels (x, n_frames, &peak, &rms);
  printf ("  %-7s peak %7.1f dBFS   rms %7.1f dBFS\n", name, peak, rms);
}

static int
corpus_demo (int argc, char **argv)
{
  g_autofree char *soundfont = g_strdup (DEFAULT_SOUNDFONT);
  g_autofree char *seed_text = NULL;
  g_autofree char *output = NULL;
  g_autofree char *style = g_strdup ("pop");
  double seconds = 30;
  GOptionEntry entries[] = {
    { "soundfont", 0, 0, G_OPTION_ARG_FILENAME, &soundfont, N_("SoundFont 2 file"), "FILE" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, N_("Seed (default 0)"), "S" },
    { "style", 0, 0, G_OPTION_ARG_STRING, &style, N_("Style (default pop)"), "NAME" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, N_("Approximate length (default 30)"), "S" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Output folder"), "DIR" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("- write the demo track (MIDI and FLAC)"));
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataPiece) piece = NULL;
  g_autoptr (StrataRenderer) renderer = NULL;
  g_autoptr (StrataRendering) r = NULL;
  g_autofree char *mid = NULL;
  g_autofree char *flac = NULL;
  StrataComposeOptions co;
  guint64 seed = 0;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!parse_options (ctx, &argc, &argv))
    return STRATA_CLI_USAGE;
  if (output == NULL || argc > 1 || !(seconds >= 5 && seconds <= 600))
    {
      strata_cli_error (_("corpus demo needs -o DIR (and --seconds within 5–600)"));
      return STRATA_CLI_USAGE;
    }
  if (!parse_seed (seed_text, &seed))
    return STRATA_CLI_USAGE;
  if (!strata_compose_has_style (style))
    {
      strata_cli_error (_("unknown style “%s”"), style);
      return STRATA_CLI_USAGE;
    }
  renderer = strata_renderer_new (soundfont, 2, &error);
  if (renderer == NULL)
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  if (g_mkdir_with_parents (output, 0755) != 0)
    {
      strata_cli_error (_("Cannot create the folder “%s”: %s"), output, g_strerror (errno));
      return STRATA_CLI_FAILED;
    }
  strata_compose_options_init (&co);
  co.seconds = seconds;
  co.demo_form = TRUE;
  piece = strata_piece_compose (style, seed, &co);
  mid = g_build_filename (output, "strata-demo.mid", NULL);
  flac = g_build_filename (output, "strata-demo.flac", NULL);
  if (!strata_piece_write_smf (piece, mid, &error))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  r = strata_renderer_render (renderer, piece, &error);
  if (r == NULL
      || !strata_audio_write (flac, r->mix, r->n_frames, 2, STRATA_SAMPLE_RATE,
                              STRATA_AUDIO_FORMAT_FLAC_PCM16, &error))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }

  printf ("%s: %s, %.0f bpm, %d/%d, %s %s, %.1f s, %u notes\n", flac, piece->style, piece->bpm,
          piece->meter_num, piece->meter_den, strata_key_name (piece->key), piece->mode,
          (double) r->n_frames / STRATA_SAMPLE_RATE, piece->notes->len);
  for (int i = 0; i < piece->n_parts; i++)
    printf ("  part %-6s %-28s -> %s\n", piece->parts[i].role,
            piece->parts[i].is_drums ? "Drum Kit" : strata_gm_program_name (piece->parts[i].program),
            strata_stem_get_name (piece->parts[i].stem));
  for (int s = 0; s < STRATA_N_STEMS; s++)
    print_levels (strata_stem_get_name (s), r->stems[s], r->n_frames);
  print_levels ("mix", r->mix, r->n_frames);
  return STRATA_CLI_OK;
}

static void
usage (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: strata-cli corpus render --minutes M --soundfont FILE --seed S -o DIR"));
  fprintf (out, "%s\n", _("       strata-cli corpus index DIR... -o manifest.jsonl"));
  fprintf (out, "%s\n", _("       strata-cli corpus demo [--soundfont FILE] [--seed S] -o DIR"));
  fprintf (out, "%s\n", _("Run 'strata-cli corpus SUBCOMMAND --help' for the options."));
}

/**
 * strata_cli_corpus:
 * @argc: argument count, argv[0] = "corpus"
 * @argv: arguments
 *
 * Returns: the exit status (DESIGN §6).
 */
int
strata_cli_corpus (int argc, char **argv)
{
  if (argc < 2)
    {
      usage (stderr);
      return STRATA_CLI_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      usage (stdout);
      return STRATA_CLI_OK;
    }
  if (strcmp (argv[1], "render") == 0)
    return corpus_render (argc - 1, argv + 1);
  if (strcmp (argv[1], "index") == 0)
    return corpus_index (argc - 1, argv + 1);
  if (strcmp (argv[1], "demo") == 0)
    return corpus_demo (argc - 1, argv + 1);
  strata_cli_error (_("unknown corpus subcommand “%s”"), argv[1]);
  usage (stderr);
  return STRATA_CLI_USAGE;
}
