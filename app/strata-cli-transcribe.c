/* strata-cli-transcribe.c: `strata-cli transcribe` — notes of audio files
 * as MIDI, JSON or CSV — and `strata-cli train transcription`.
 *
 * transcribe runs the transcription task the window runs, through the same
 * cache as `strata-cli features` ($XDG_CACHE_HOME/strata, or --cache-dir):
 * a second run on the same file, model and options reads the notes back
 * instead of decoding and transcribing again. With STRATA_TASK_STATS set,
 * it says on stderr how many times it computed and how many it read from
 * the cache.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "io/strata-output.h"
#include "nn/strata-nn.h"
#include "tasks/strata-cache.h"
#include "tasks/strata-track-load.h"
#include "tasks/transcription/strata-transcription-task.h"
#include "tasks/transcription/strata-transcription-train.h"
#include "strata-cli.h"

int
strata_cli_train_transcription (int argc, char **argv)
{
  g_auto (GStrv) corpus = NULL, valid = NULL;
  g_autofree char *output = NULL, *features = NULL, *foundation = NULL;
  int steps = -1, batch = -1, crop = -1, threads = 2;
  double lr = 0.0;
  gboolean resume = FALSE, f32 = FALSE;
  gint64 seed = 1;
  const GOptionEntry entries[] = {
    { "corpus", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &corpus,
      N_("Training corpus: a folder of piece folders (mix.flac and notes.csv); repeatable"), N_("DIR") },
    { "valid", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &valid,
      N_("Held-out corpus for validation (default: every 10th training piece)"), N_("DIR") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Weights file to write"), N_("FILE") },
    { "features", 0, 0, G_OPTION_ARG_STRING, &features,
      N_("Inject the foundation model's fine and medium features (off)"), N_("on|off") },
    { "foundation", 0, 0, G_OPTION_ARG_FILENAME, &foundation,
      N_("Foundation model for --features on (default: the installed one)"), N_("FILE") },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps, N_("Optimiser steps (3000)"), N_("N") },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, N_("Crops per step (8)"), N_("N") },
    { "crop", 0, 0, G_OPTION_ARG_INT, &crop, N_("Frames per crop (256)"), N_("N") },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, N_("Peak learning rate (1e-3)"), N_("LR") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Random seed (1)"), N_("S") },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, N_("OpenBLAS threads (2)"), N_("N") },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &resume, N_("Continue from the checkpoint beside FILE"), NULL },
    { "f32", 0, 0, G_OPTION_ARG_NONE, &f32, N_("Store the weights as F32 (default F16)"), NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("transcription"));
  g_autoptr (GError) error = NULL;
  g_option_context_set_summary (context, _("Train the transcription head."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_USAGE;
    }
  if (argc != 1 || !corpus || !output ||
      (features && strcmp (features, "on") != 0 && strcmp (features, "off") != 0))
    {
      strata_cli_error (_("usage: strata-cli train transcription --corpus DIR... --valid DIR "
                          "-o FILE [--features on|off] [--steps N] [--resume]"));
      return STRATA_CLI_USAGE;
    }
  StrataTranscriptionTrainOptions opt;
  strata_transcription_train_options_init (&opt);
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
  opt.resume = resume;
  opt.half = !f32;
  opt.seed = (uint64_t) seed;
  opt.log = strata_cli_log_line;
  strata_nn_set_num_threads (threads > 0 ? threads : 1);
  if (!strata_transcription_train (&opt, &error))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  return STRATA_CLI_OK;
}

/* ------------------------------------------------------------ transcribe */

static char *
notes_to_json (GPtrArray *files, GPtrArray *results, GArray *tempi)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  for (guint f = 0; f < files->len; f++)
    {
      GArray *notes = results->pdata[f];
      json_builder_set_member_name (b, files->pdata[f]);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "tempo_bpm");
      json_builder_add_double_value (b, g_array_index (tempi, double, f));
      json_builder_set_member_name (b, "notes");
      json_builder_begin_array (b);
      for (guint i = 0; i < notes->len; i++)
        {
          const StrataTimedNote *n = &g_array_index (notes, StrataTimedNote, i);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "onset_s");
          json_builder_add_double_value (b, round (n->onset * 1e4) / 1e4);
          json_builder_set_member_name (b, "offset_s");
          json_builder_add_double_value (b, round (n->offset * 1e4) / 1e4);
          json_builder_set_member_name (b, "pitch");
          json_builder_add_int_value (b, n->pitch);
          json_builder_set_member_name (b, "velocity");
          json_builder_add_int_value (b, n->velocity);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

static char *
notes_to_csv (GPtrArray *files, GPtrArray *results)
{
  GString *s = g_string_new (files->len > 1 ? "file," STRATA_NOTES_CSV_HEADER "\n"
                                            : STRATA_NOTES_CSV_HEADER "\n");
  for (guint f = 0; f < files->len; f++)
    {
      g_autofree char *q = NULL;
      const char *name = files->pdata[f];

      /* a comma or quote in a file name is quoted as RFC 4180 says */
      if (files->len > 1 && strpbrk (name, ",\"\n"))
        {
          g_auto (GStrv) parts = g_strsplit (name, "\"", -1);
          g_autofree char *j = g_strjoinv ("\"\"", parts);
          q = g_strdup_printf ("\"%s\"", j);
        }
      strata_notes_append_csv (s, files->len > 1 ? (q ? q : name) : NULL, results->pdata[f]);
    }
  return g_string_free (s, FALSE);
}

static gboolean
print_text (const char *text)
{
  return fputs (text, stdout) >= 0 && fflush (stdout) == 0;
}

int
strata_cli_transcribe (int argc, char **argv)
{
  g_autofree char *output = NULL, *model_path = NULL, *cache_dir = NULL;
  gboolean json = FALSE, csv = FALSE;
  double onset_threshold = -1, min_note_ms = -1, frame_threshold = -1;
  int threads = 2;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("MIDI file to write (a folder for several input files)"), N_("OUT.mid") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the notes as JSON"), NULL },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv,
      N_("Print the notes as CSV (onset_s, offset_s, pitch, velocity)"), NULL },
    { "onset-threshold", 0, 0, G_OPTION_ARG_DOUBLE, &onset_threshold,
      N_("Onset probability that starts a note (0.3)"), N_("P") },
    { "frame-threshold", 0, 0, G_OPTION_ARG_DOUBLE, &frame_threshold,
      N_("Activity that keeps a note sounding (0.4)"), N_("P") },
    { "min-note-ms", 0, 0, G_OPTION_ARG_DOUBLE, &min_note_ms,
      N_("Shortest note kept, in milliseconds (50)"), N_("MS") },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model_path,
      N_("Transcription model (default: the installed one)"), N_("FILE") },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, N_("OpenBLAS threads (2)"), N_("N") },
    { "cache-dir", 0, 0, G_OPTION_ARG_FILENAME, &cache_dir,
      N_("Cache folder (default: $XDG_CACHE_HOME/strata, shared with the window)"),
      N_("DIR") },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (N_("FILE…"));
  g_autoptr (GError) error = NULL;
  g_option_context_set_summary (context, _("Transcribe the pitched notes of audio files."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_USAGE;
    }
  if (argc < 2 || (!!output + json + csv) != 1)
    {
      strata_cli_error (_("usage: strata-cli transcribe FILE... -o OUT.mid | --json | --csv"));
      return STRATA_CLI_USAGE;
    }
  StrataDecodeOptions dopt;
  strata_decode_options_init (&dopt);
  if (onset_threshold >= 0)
    dopt.onset_threshold = onset_threshold;
  if (frame_threshold >= 0)
    dopt.frame_threshold = frame_threshold;
  if (min_note_ms >= 0)
    dopt.min_note_ms = min_note_ms;
  if (dopt.onset_threshold <= 0 || dopt.onset_threshold > 1 || dopt.frame_threshold <= 0 ||
      dopt.frame_threshold > 1 || dopt.min_note_ms > 60000)
    {
      strata_cli_error (_("--onset-threshold and --frame-threshold take a probability in (0, 1], "
                          "--min-note-ms at most 60000"));
      return STRATA_CLI_USAGE;
    }
  const int n_files = argc - 1;
  const char *const *inputs = (const char *const *) argv + 1;
  g_autofree char *out_dir = NULL;
  if (output && n_files > 1)
    {
      if (g_mkdir_with_parents (output, 0755) != 0)
        {
          strata_cli_error (_("Cannot create the folder “%s”: %s"), output, g_strerror (errno));
          return STRATA_CLI_FAILED;
        }
      out_dir = g_strdup (output);
    }
  else if (output)
    {
      /* refuse before any work is done */
      if (!strata_output_check (output, inputs, &error))
        {
          strata_cli_error ("%s", error->message);
          return STRATA_CLI_FAILED;
        }
    }
  strata_nn_set_num_threads (threads > 0 ? threads : 1);
  g_autoptr (StrataTranscriber) tr = strata_model_registry_get (&strata_transcription_model_kind,
                                                               model_path, &error);
  if (!tr)
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  g_autoptr (StrataModel) foundation = NULL;
  if (strata_transcriber_get_config (tr)->features &&
      !(foundation = strata_model_registry_get_foundation (NULL, &error)))
    {
      strata_cli_error ("%s", error->message);
      return STRATA_CLI_FAILED;
    }
  if (cache_dir == NULL)
    cache_dir = strata_cache_dup_default_dir ();
  g_autoptr (GPtrArray) files = g_ptr_array_new ();
  g_autoptr (GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr (GArray) tempi = g_array_new (FALSE, FALSE, sizeof (double));
  int status = STRATA_CLI_OK;
  for (int f = 0; f < n_files; f++)
    {
      const char *path = inputs[f];
      g_autoptr (GError) local = NULL;
      StrataTaskContext ctx, sub;
      strata_task_context_init (&ctx, cache_dir, NULL, strata_cli_progress, NULL);
      strata_task_context_span (&sub, &ctx, 0.0, 0.05);
      g_autofree char *hash = strata_task_hash_file (path, &sub, &local);
      g_autoptr (StrataTranscription) result = NULL;
      if (hash)
        {
          StrataTranscriptionTaskInput input = {
            .head = tr,
            .foundation = foundation,
            .path = path,
            .hash = hash,
            .options = dopt,
          };
          strata_task_context_span (&sub, &ctx, 0.05, 1.0);
          result = strata_task_run (&strata_transcription_task, &input, &sub, &local);
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
      GArray *notes = g_steal_pointer (&result->notes);
      double bpm = result->tempo_bpm;
      if (output)
        {
          g_autofree char *dest = NULL;
          if (out_dir)
            {
              g_autofree char *base = g_path_get_basename (path);
              char *dot = strrchr (base, '.');
              if (dot && dot != base)
                *dot = '\0';
              g_autofree char *name = g_strconcat (base, ".mid", NULL);
              dest = g_build_filename (out_dir, name, NULL);
            }
          g_autoptr (GBytes) smf = strata_notes_to_smf (notes, bpm);
          if (!strata_output_write_bytes (dest ? dest : output, inputs, smf, &local))
            {
              strata_cli_error ("%s", local->message);
              status = STRATA_CLI_FAILED;
            }
          g_array_unref (notes);
          continue;
        }
      g_ptr_array_add (files, (gpointer) path);
      g_ptr_array_add (results, notes);
      g_array_append_val (tempi, bpm);
    }
  if (g_getenv ("STRATA_TASK_STATS"))
    fprintf (stderr, "strata-cli: transcription computed %u, from the cache %u\n",
             strata_task_get_n_computed (&strata_transcription_task),
             strata_task_get_n_cached (&strata_transcription_task));
  if (json || csv)
    {
      g_autofree char *text = json ? notes_to_json (files, results, tempi)
                                   : notes_to_csv (files, results);
      if (!print_text (text) || (json && !print_text ("\n")))
        {
          strata_cli_error (_("Cannot write to standard output: %s"), g_strerror (errno));
          return STRATA_CLI_FAILED;
        }
    }
  return status;
}
