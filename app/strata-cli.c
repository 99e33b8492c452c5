/* strata-cli.c: command dispatch for strata-cli.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <gst/gst.h>

#include "io/strata-output.h"
#include "strata-cli.h"
#include "tasks/strata-task.h"

typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "info",   strata_cli_info,   N_("Duration, sample rate, channels and format of audio files") },
  { "corpus", strata_cli_corpus, N_("Render a labelled training corpus, or index real recordings") },
  { "features", strata_cli_features, N_("Coarse, medium and fine features and tokens as an .npz") },
  { "sections", strata_cli_sections, N_("Automatic sections as JSON, CSV or Audacity labels") },
  { "transcribe", strata_cli_transcribe, N_("Notes of audio files as MIDI, JSON or CSV") },
  { "separate", strata_cli_separate, N_("Separate audio files into stems (drums, bass, guitar, piano, vocals, other)") },
  { "train",  strata_cli_train,  N_("Train the foundation model or the transcription head from corpora") },
};

void
strata_cli_error (const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "strata-cli: %s\n", msg);
}

void
strata_cli_progress (double fraction, const char *stage, void *user_data)
{
  static gint64 last;
  gint64 now;

  if (!isatty (STDERR_FILENO))
    return;
  now = g_get_monotonic_time ();
  if (fraction < 1.0 && now - last < 100000)
    return;
  last = now;
  fprintf (stderr, "\r%-24s %5.1f %%%s", strata_task_stage_text (stage), 100.0 * fraction,
           fraction >= 1.0 ? "\n" : "");
  fflush (stderr);
}

static void
usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: strata-cli COMMAND [OPTIONS] FILE..."));
  fprintf (out, "%s\n", _("Commands:"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run 'strata-cli COMMAND --help' for the options of a command."));
}

int
main (int argc, char **argv)
{
  /* a write past `ulimit -f` then fails with EFBIG, reported by the writer */
  signal (SIGXFSZ, SIG_IGN);
  /* SIGTERM/SIGINT remove the temporary files of outputs being written */
  strata_output_install_signal_cleanup ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      usage (stderr);
      return STRATA_CLI_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      usage (stdout);
      return STRATA_CLI_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("strata-cli %s\n", PACKAGE_VERSION);
      return STRATA_CLI_OK;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      {
        g_autofree char *prgname = g_strdup_printf ("strata-cli %s", commands[i].name);
        int status;

        /* each command's --help names it in its usage line */
        g_set_prgname (prgname);
        gst_init (NULL, NULL);
        status = commands[i].run (argc - 1, argv + 1);
        gst_deinit ();
        if (g_getenv ("STRATA_TASK_STATS"))
          {
            struct rusage usage;

            /* for the benchmarks: ru_maxrss is in KiB on Linux */
            if (getrusage (RUSAGE_SELF, &usage) == 0)
              fprintf (stderr, "strata-cli: peak memory %.1f MB\n",
                       (double) usage.ru_maxrss * 1024.0 / 1e6);
          }
        return status;
      }

  strata_cli_error (_("unknown command '%s'"), argv[1]);
  usage (stderr);
  return STRATA_CLI_USAGE;
}
