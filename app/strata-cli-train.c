/* strata-cli-train.c: `strata-cli train foundation` — trains the foundation
 * model (both stages) from corpora, with progress on stderr, validation,
 * checkpoints and resume; `train transcription` is in strata-cli-transcribe.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "nn/strata-nn.h"
#include "model/strata-model-train.h"
#include "strata-cli.h"

void
strata_cli_log_line (const char *line, void *user_data)
{
  fprintf (stderr, "%s\n", line);
  fflush (stderr);
}

static gboolean
parse_triple (const char *s, int out[3])
{
  g_auto (GStrv) parts = g_strsplit (s, ",", -1);
  if (g_strv_length (parts) != 3)
    return FALSE;
  for (int i = 0; i < 3; i++)
    {
      char *end = NULL;
      long v = strtol (parts[i], &end, 10);
      if (!end || *end || v < 0 || v > 10000000)
        return FALSE;
      out[i] = (int) v;
    }
  return TRUE;
}

int
strata_cli_train (int argc, char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "transcription") == 0)
    return strata_cli_train_transcription (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "separation") == 0)
    return strata_cli_train_separation (argc - 1, argv + 1);

  g_auto (GStrv) corpus = NULL, valid = NULL;
  g_autofree char *output = NULL, *prior_steps = NULL, *prior_batch = NULL;
  g_autofree char *frontend = NULL, *anneal = NULL;
  int steps = -1, batch = -1, threads = 2;
  double lr = 0.0;
  gboolean resume = FALSE, tiny = FALSE, f32 = FALSE;
  gint64 seed = 1;
  const GOptionEntry entries[] = {
    { "corpus", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &corpus,
      N_("Training corpus: a folder (piece folders with mix.flac, or audio files) or a manifest.jsonl from “corpus index”; repeatable"), N_("DIR") },
    { "valid", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &valid,
      N_("Held-out corpus for validation (default: every 20th training piece)"), N_("DIR") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Weights file to write"), N_("FILE") },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, N_("Stage-1 optimiser steps (3000)"), N_("N") },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, N_("Stage-1 crops per step (16)"), N_("N") },
    { "prior-steps", 0, 0, G_OPTION_ARG_STRING, &prior_steps,
      N_("Steps of the coarse, medium and fine priors (600,1200,1500)"), N_("C,M,F") },
    { "prior-batch", 0, 0, G_OPTION_ARG_STRING, &prior_batch,
      N_("Windows per prior step (16,12,12)"), N_("C,M,F") },
    { "frontend", 0, 0, G_OPTION_ARG_STRING, &frontend,
      N_("Input spectrogram: log-mel (128 mels, versions 1 and 2) or log-frequency (264 bins, A0..C8)"),
      N_("NAME") },
    { "anneal", 0, 0, G_OPTION_ARG_STRING, &anneal,
      N_("Final factor on each level’s variance bound, e.g. 1,1,0.05 (1 = none)"), N_("C,M,F") },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, N_("Peak learning rate (1e-3)"), N_("LR") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Random seed (1)"), N_("S") },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, N_("OpenBLAS threads (2)"), N_("N") },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &resume, N_("Continue from the checkpoints beside FILE"), NULL },
    { "tiny", 0, 0, G_OPTION_ARG_NONE, &tiny, N_("Small configuration for tests"), NULL },
    { "f32", 0, 0, G_OPTION_ARG_NONE, &f32, N_("Store the weights as F32 (default F16)"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("foundation"));
  g_autoptr (GError) error = NULL;
  g_option_context_set_summary (context, _("Train the foundation model (HQ-VAE and priors)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_USAGE;
    }
  if (argc != 2 || strcmp (argv[1], "foundation") != 0 || !corpus || !output)
    {
      strata_cli_error (_("usage: strata-cli train foundation --corpus DIR... -o FILE "
                          "[--steps N] [--resume]"));
      return STRATA_CLI_USAGE;
    }
  StrataTrainOptions opt;
  strata_train_options_init (&opt);
  if (tiny)
    {
      opt.tiny = TRUE;
      opt.steps1 = 40, opt.batch1 = 2, opt.crop1 = 64;
      opt.steps_prior[0] = opt.steps_prior[1] = opt.steps_prior[2] = 20;
      opt.batch_prior[0] = opt.batch_prior[1] = opt.batch_prior[2] = 2;
      opt.log_every = 10, opt.valid_every = 20;
    }
  if (steps >= 0)
    opt.steps1 = steps;
  if (batch > 0)
    opt.batch1 = batch;
  if ((prior_steps && !parse_triple (prior_steps, opt.steps_prior)) ||
      (prior_batch && !parse_triple (prior_batch, opt.batch_prior)))
    {
      strata_cli_error (_("--prior-steps and --prior-batch take three numbers, e.g. 500,700,700"));
      return STRATA_CLI_USAGE;
    }
  for (int l = 0; l < 3; l++)
    if (opt.batch_prior[l] < 1)
      {
        strata_cli_error (_("--prior-batch values must be at least 1"));
        return STRATA_CLI_USAGE;
      }
  if (frontend && strcmp (frontend, "log-frequency") == 0)
    opt.frontend = STRATA_MODEL_FRONTEND_LOG_FREQ;
  else if (frontend && strcmp (frontend, "log-mel") != 0)
    {
      strata_cli_error (_("--frontend must be log-mel or log-frequency, not “%s”"), frontend);
      return STRATA_CLI_USAGE;
    }
  if (anneal)
    {
      g_auto (GStrv) parts = g_strsplit (anneal, ",", -1);
      gboolean good = g_strv_length (parts) == 3;
      for (int l = 0; good && l < 3; l++)
        {
          char *end = NULL;
          double v = g_ascii_strtod (parts[l], &end);
          good = end && end != parts[l] && !*end && v > 0.0 && v <= 1.0;
          opt.anneal[l] = (float) v;
        }
      if (!good)
        {
          strata_cli_error (_("--anneal takes three factors in (0, 1], e.g. 1,1,0.05"));
          return STRATA_CLI_USAGE;
        }
    }
  if (lr > 0)
    opt.lr1 = opt.lr_prior = (float) lr;
  opt.corpus_dirs = corpus;
  opt.valid_dirs = valid;
  opt.output = output;
  opt.resume = resume;
  opt.half = !f32;
  opt.seed = (uint64_t) seed;
  opt.log = strata_cli_log_line;
  strata_nn_set_num_threads (threads > 0 ? threads : 1);
  if (!strata_model_train_foundation (&opt, &error))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  return STRATA_CLI_OK;
}
