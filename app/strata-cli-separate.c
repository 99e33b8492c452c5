/* strata-cli-separate.c: `strata-cli separate` — stems of audio files —
 * and `strata-cli train separation`.
 *
 * separate runs the separation task the window runs, through the same
 * cache ($XDG_CACHE_HOME/strata, or --cache-dir), and writes one folder a
 * input, DIR/NAME/STEM.wav (or .flac), each file atomically through the
 * output writer; a run that fails half-way removes the stems it wrote for
 * that input, so a folder holds all its stems or none. No output may be an
 * input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "io/strata-output.h"
#include "nn/strata-nn.h"
#include "tasks/strata-cache.h"
#include "tasks/strata-track-load.h"
#include "tasks/separation/strata-separation-task.h"
#include "tasks/separation/strata-separation-train.h"
#include "strata-cli.h"

int
strata_cli_train_separation (int argc, char **argv)
{
  g_auto (GStrv) corpus = NULL, valid = NULL;
  g_autofree char *output = NULL, *features = NULL, *foundation = NULL;
  int steps = -1, batch = -1, crop = -1, threads = 2;
  double lr = 0.0, minutes = 0.0, fraction = 1.0, max_seconds = 0.0;
  gboolean resume = FALSE, f32 = FALSE, score = FALSE;
  gint64 seed = 1;
  const GOptionEntry entries[] = {
    { "corpus", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &corpus,
      N_("Training corpus: a folder of piece folders (stems/*.flac); repeatable"), N_("DIR") },
    { "valid", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &valid,
      N_("Held-out corpus for validation (default: every 10th training piece)"), N_("DIR") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Weights file to write"), N_("FILE") },
    { "features", 0, 0, G_OPTION_ARG_STRING, &features,
      N_("Inject the foundation model's fine and medium features (off)"), N_("on|off") },
    { "foundation", 0, 0, G_OPTION_ARG_FILENAME, &foundation,
      N_("Foundation model for --features on (default: the installed one)"), N_("FILE") },
    { "minutes", 0, 0, G_OPTION_ARG_DOUBLE, &minutes,
      N_("Read at most this many minutes of the training corpus (all)"), N_("MIN") },
    { "fraction", 0, 0, G_OPTION_ARG_DOUBLE, &fraction,
      N_("Train on this share of the training pieces (1)"), N_("F") },
    { "max-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &max_seconds,
      N_("Stop training after this wall time (no limit)"), N_("S") },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, N_("Optimiser steps (2000)"), N_("N") },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, N_("Crops per step (8)"), N_("N") },
    { "crop", 0, 0, G_OPTION_ARG_INT, &crop, N_("Frames per crop (128)"), N_("N") },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, N_("Peak learning rate (2e-3)"), N_("LR") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Random seed (1)"), N_("S") },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, N_("OpenBLAS threads (2)"), N_("N") },
    { "score", 0, 0, G_OPTION_ARG_NONE, &score,
      N_("Separate the validation pieces at the end and print each stem's SDR"), NULL },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &resume, N_("Continue from the checkpoint beside FILE"), NULL },
    { "f32", 0, 0, G_OPTION_ARG_NONE, &f32, N_("Store the weights as F32 (default F16)"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("separation"));
  g_autoptr (GError) error = NULL;
  g_option_context_set_summary (context, _("Train the separation head."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_USAGE;
    }
  if (argc != 1 || !corpus || !output || fraction <= 0 || fraction > 1 ||
      (features && strcmp (features, "on") != 0 && strcmp (features, "off") != 0))
    {
      strata_cli_error (_("usage: strata-cli train separation --corpus DIR... --valid DIR "
                          "-o FILE [--features on|off] [--steps N] [--fraction F] [--resume]"));
      return STRATA_CLI_USAGE;
    }
  StrataSeparationTrainOptions opt;
  strata_separation_train_options_init (&opt);
  if (steps >= 0)
    opt.steps = steps;
  if (batch > 0)
    opt.batch = batch;
  if (crop > 0)
    opt.crop = crop;
  if (lr > 0)
    opt.lr = (float) lr;
  opt.corpus_dirs = corpus;
  opt.valid_dirs = valid;
  opt.output = output;
  opt.features = features && strcmp (features, "on") == 0;
  opt.foundation = foundation;
  opt.max_minutes = minutes;
  opt.fraction = fraction;
  opt.max_seconds = max_seconds;
  opt.resume = resume;
  opt.score = score;
  opt.half = !f32;
  opt.seed = (uint64_t) seed;
  opt.log = strata_cli_log_line;
  strata_nn_set_num_threads (threads > 0 ? threads : 1);
  if (!strata_separation_train (&opt, &error))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  return STRATA_CLI_OK;
}

/* ------------------------------------------------------------ separate */

static gboolean
parse_format (const char *format, const char *bits, StrataAudioFormat *out, const char **ext)
{
  const gboolean flac = format && strcmp (format, "flac") == 0;
  if (format && !flac && strcmp (format, "wav") != 0)
    return FALSE;
  *ext = flac ? ".flac" : ".wav";
  if (!bits)
    bits = flac ? "24" : "32f";
  if (strcmp (bits, "16") == 0)
    *out = flac ? STRATA_AUDIO_FORMAT_FLAC_PCM16 : STRATA_AUDIO_FORMAT_WAV_PCM16;
  else if (strcmp (bits, "24") == 0)
    *out = flac ? STRATA_AUDIO_FORMAT_FLAC : STRATA_AUDIO_FORMAT_WAV_PCM24;
  else if (strcmp (bits, "32f") == 0 && !flac)
    *out = STRATA_AUDIO_FORMAT_WAV_F32;
  else
    return FALSE;
  return TRUE;
}

/* DIR/NAME, NAME the file's base name without its extension. */
static char *
folder_for (const char *out_dir, const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');
  if (dot && dot != base)
    *dot = '\0';
  return g_build_filename (out_dir, base, NULL);
}

/* Writes every stem, or none: a failure removes what this call wrote. */
static gboolean
write_stems (const StrataStems *stems, const char *folder, const char *ext,
             StrataAudioFormat format, const char *const *inputs, GError **error)
{
  g_autoptr (GPtrArray) written = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < stems->n; i++)
    {
      g_autofree char *name = g_strconcat (stems->names[i], ext, NULL);
      char *dest = g_build_filename (folder, name, NULL);
      if (!strata_audio_write_full (dest, inputs, strata_audio_get_samples (stems->stems[i]),
                                    strata_audio_get_n_frames (stems->stems[i]), 2,
                                    STRATA_SAMPLE_RATE, format, error))
        {
          g_free (dest);
          for (guint k = 0; k < written->len; k++)
            g_unlink (written->pdata[k]);
          return FALSE;
        }
      g_ptr_array_add (written, dest);
    }
  return TRUE;
}

int
strata_cli_separate (int argc, char **argv)
{
  g_autofree char *output = NULL, *model_path = NULL, *cache_dir = NULL, *stems_arg = NULL;
  g_autofree char *format_arg = NULL, *bits_arg = NULL;
  int threads = 2, em = 1;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Folder to write into: one subfolder of stems a file"), N_("DIR") },
    { "stems", 0, 0, G_OPTION_ARG_STRING, &stems_arg,
      N_("Stems to separate, e.g. vocals,drums (all); the others are written together as “rest”"),
      N_("LIST") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_arg, N_("wav or flac (wav)"), N_("FORMAT") },
    { "bits", 0, 0, G_OPTION_ARG_STRING, &bits_arg,
      N_("16, 24 or 32f (wav: 32f, flac: 24)"), N_("BITS") },
    { "em-iterations", 0, 0, G_OPTION_ARG_INT, &em,
      N_("Multichannel Wiener filter iterations, 0 to 10 (1)"), N_("N") },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model_path,
      N_("Separation model (default: the installed one)"), N_("FILE") },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, N_("OpenBLAS threads (2)"), N_("N") },
    { "cache-dir", 0, 0, G_OPTION_ARG_FILENAME, &cache_dir,
      N_("Cache folder (default: $XDG_CACHE_HOME/strata, shared with the window)"),
      N_("DIR") },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("FILE…"));
  g_autoptr (GError) error = NULL;
  g_option_context_set_summary (context, _("Separate audio files into stems that sum to the "
                                           "mix."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_USAGE;
    }
  if (argc < 2 || !output)
    {
      strata_cli_error (_("usage: strata-cli separate FILE... -o DIR [--stems LIST] "
                          "[--format wav|flac] [--bits 16|24|32f]"));
      return STRATA_CLI_USAGE;
    }
  StrataAudioFormat format;
  const char *ext;
  if (!parse_format (format_arg, bits_arg, &format, &ext))
    {
      strata_cli_error (_("--format takes wav or flac, --bits 16, 24 or 32f (flac: 16 or 24)"));
      return STRATA_CLI_USAGE;
    }
  StrataSeparationOptions sopt;
  strata_separation_options_init (&sopt);
  sopt.em_iterations = em;
  if (!strata_separation_parse_stems (stems_arg, &sopt.stems, &error))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_USAGE;
    }
  if (em < 0 || em > 10)
    {
      strata_cli_error (_("--em-iterations takes 0 to 10"));
      return STRATA_CLI_USAGE;
    }
  const int n_files = argc - 1;
  const char *const *inputs = (const char *const *) argv + 1;
  if (!strata_output_check (output, inputs, &error) && error->domain == STRATA_OUTPUT_ERROR &&
      error->code == STRATA_OUTPUT_ERROR_SAME_AS_INPUT)
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  g_clear_error (&error);
  if (g_file_test (output, G_FILE_TEST_EXISTS) && !g_file_test (output, G_FILE_TEST_IS_DIR))
    {
      strata_cli_error (_("Cannot write into “%s”: it is a file, not a folder"), output);
      return STRATA_CLI_FAILED;
    }
  /* every output refused before any work when it is an input, and two
   * inputs of one name would write into one folder */
  g_autoptr (GHashTable) folders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int f = 0; f < n_files; f++)
    {
      char *folder = folder_for (output, inputs[f]);
      if (g_hash_table_contains (folders, folder))
        {
          strata_cli_error (_("“%s” and another input would both be written to “%s”"), inputs[f],
                            folder);
          g_free (folder);
          return STRATA_CLI_USAGE;
        }
      g_hash_table_add (folders, folder);
      for (int j = 0; j <= STRATA_SEPARATION_N_STEMS; j++)
        {
          const char *stem = j < STRATA_SEPARATION_N_STEMS ? strata_separation_stem_name (j)
                                                           : STRATA_SEPARATION_REST;
          g_autofree char *name = g_strconcat (stem, ext, NULL);
          g_autofree char *dest = g_build_filename (folder, name, NULL);
          if (!strata_output_check (dest, inputs, &error))
            {
              strata_cli_error ("%s", error->message);
              return STRATA_CLI_FAILED;
            }
        }
    }
  strata_nn_set_num_threads (threads > 0 ? threads : 1);
  g_autoptr (StrataSeparator) sep = strata_model_registry_get (&strata_separation_model_kind,
                                                              model_path, &error);
  if (!sep)
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  g_autoptr (StrataModel) foundation = NULL;
  if (strata_separator_get_config (sep)->features &&
      !(foundation = strata_model_registry_get_foundation (NULL, &error)))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  if (cache_dir == NULL)
    cache_dir = strata_cache_dup_default_dir ();
  int status = STRATA_CLI_OK;
  for (int f = 0; f < n_files; f++)
    {
      const char *path = inputs[f];
      g_autoptr (GError) local = NULL;
      StrataTaskContext ctx, sub;
      strata_task_context_init (&ctx, cache_dir, NULL, strata_cli_progress, NULL);
      strata_task_context_span (&sub, &ctx, 0.0, 0.05);
      g_autofree char *hash = strata_task_hash_file (path, &sub, &local);
      g_autoptr (StrataStems) result = NULL;
      if (hash)
        {
          StrataSeparationTaskInput input = {
            .head = sep,
            .foundation = foundation,
            .path = path,
            .hash = hash,
            .options = sopt,
          };
          strata_task_context_span (&sub, &ctx, 0.05, 0.9);
          result = strata_task_run (&strata_separation_task, &input, &sub, &local);
        }
      if (!result)
        {
          if (!hash || local->domain == STRATA_AUDIO_ERROR)   /* it names the file */
            strata_cli_error ("%s", local->message);
          else
            strata_cli_error ("%s: %s", path, local->message);
          status = STRATA_CLI_FAILED;
          continue;
        }
      g_autofree char *folder = folder_for (output, path);
      const gboolean existed = g_file_test (folder, G_FILE_TEST_IS_DIR);
      if (g_mkdir_with_parents (folder, 0755) != 0)
        {
          strata_cli_error (_("Cannot create the folder “%s”: %s"), folder, g_strerror (errno));
          status = STRATA_CLI_FAILED;
          continue;
        }
      if (!write_stems (result, folder, ext, format, inputs, &local))
        {
          strata_cli_error ("%s", local->message);
          if (!existed)
            g_rmdir (folder);
          status = STRATA_CLI_FAILED;
        }
    }
  if (g_getenv ("STRATA_TASK_STATS"))
    fprintf (stderr, "strata-cli: separation computed %u, from the cache %u\n",
             strata_task_get_n_computed (&strata_separation_task),
             strata_task_get_n_cached (&strata_separation_task));
  return status;
}
