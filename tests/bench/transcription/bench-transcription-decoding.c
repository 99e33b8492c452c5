/* bench-transcription-decoding.c: the decoding thresholds of the
 * transcription head, swept on the TRAINING corpus.
 *
 * The head runs once a piece (default model, 2 OpenBLAS threads); its
 * outputs are then decoded with every combination of a grid of onset
 * threshold, frame threshold, minimum note length and merge gap, and the
 * note, note-with-offset and frame scores pooled over the pieces. Prints
 * the current defaults (strata_decode_options_init()), the best
 * combinations by note F1, and the best for each onset threshold.
 *
 * Corpus: $STRATA_TRAIN_CORPUS (default /work/corpora/train), the first
 * $STRATA_BENCH_PIECES pieces (default 40). Never point it at the
 * validation pieces: thresholds chosen there would flatter the figures
 * measured there. Reports only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/strata-audio.h"
#include "nn/strata-nn.h"
#include "tasks/transcription/strata-transcription.h"
#include "bench-transcription-run.h"

static const double onsets[] = { 0.1, 0.15, 0.2, 0.25, 0.3 };
static const double frames[] = { 0.3, 0.4 };
static const double min_ms[] = { 30, 50 };
static const double gaps_ms[] = { 35, 70, 105 };

#define N_COMBOS (G_N_ELEMENTS (onsets) * G_N_ELEMENTS (frames) * G_N_ELEMENTS (min_ms) * \
                  G_N_ELEMENTS (gaps_ms))

typedef struct {
  StrataDecodeOptions       options;
  StrataTranscriptionScores scores;
} Combo;

static void
combo_options (guint k, StrataDecodeOptions *o)
{
  strata_decode_options_init (o);
  o->merge_gap_ms = gaps_ms[k % G_N_ELEMENTS (gaps_ms)];
  k /= G_N_ELEMENTS (gaps_ms);
  o->min_note_ms = min_ms[k % G_N_ELEMENTS (min_ms)];
  k /= G_N_ELEMENTS (min_ms);
  o->frame_threshold = frames[k % G_N_ELEMENTS (frames)];
  k /= G_N_ELEMENTS (frames);
  o->onset_threshold = onsets[k];
}

static int
by_note_f1 (gconstpointer a, gconstpointer b)
{
  double fa = ((const Combo *) a)->scores.note.f1, fb = ((const Combo *) b)->scores.note.f1;
  return fa < fb ? 1 : fa > fb ? -1 : 0;
}

static void
print_combo (const char *tag, const Combo *c)
{
  printf ("  %-9s onset %.2f frame %.2f min %3.0f ms gap %3.0f ms   note F1 %.3f (P %.3f R %.3f)"
          "  note+offset F1 %.3f  frame F1 %.3f\n", tag, c->options.onset_threshold,
          c->options.frame_threshold, c->options.min_note_ms, c->options.merge_gap_ms,
          c->scores.note.f1, c->scores.note.precision, c->scores.note.recall,
          c->scores.note_offset.f1, c->scores.frame.f1);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  const char *env = g_getenv ("STRATA_TRAIN_CORPUS");
  const char *corpus = env && *env ? env : "/work/corpora/train";
  const char *pieces_env = g_getenv ("STRATA_BENCH_PIECES");
  const guint max_pieces = pieces_env && *pieces_env ? (guint) atoi (pieces_env) : 40;
  g_autoptr (StrataTranscriber) tr = strata_transcriber_load_default (&error);
  if (!tr)
    {
      printf ("bench transcription-decoding: %s\n", error->message);
      return 0;
    }
  if (strata_transcriber_get_config (tr)->features)
    {
      printf ("bench transcription-decoding: %s takes features; this sweep runs feature-less "
              "heads only\n", strata_transcriber_get_path (tr));
      return 0;
    }
  g_autoptr (GPtrArray) names = bench_list_pieces (corpus);
  const guint n_pieces = MIN (names->len, max_pieces);
  if (n_pieces == 0)
    {
      printf ("bench transcription-decoding: no pieces with notes.csv in %s\n", corpus);
      return 0;
    }
  strata_nn_set_num_threads (2);
  Combo *combos = g_new0 (Combo, N_COMBOS);
  for (guint k = 0; k < N_COMBOS; k++)
    combo_options (k, &combos[k].options);
  double audio_s = 0;
  for (guint i = 0; i < n_pieces; i++)
    {
      g_autoptr (GArray) ref = NULL;
      g_autoptr (StrataAudio) audio = NULL;
      bench_load_piece (corpus, names->pdata[i], &ref, &audio, &error);
      g_assert_no_error (error);
      g_autoptr (StrataTranscriptionInput) in = strata_transcription_input_new (audio, NULL, NULL,
                                                                                NULL, &error);
      g_assert_no_error (error);
      g_autoptr (StrataTranscriptionOutput) out =
        strata_transcriber_run (tr, in->spec, in->T, NULL, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      for (guint k = 0; k < N_COMBOS; k++)
        {
          g_autoptr (GArray) est = strata_transcription_decode (out, &combos[k].options);
          StrataTranscriptionScores s;
          strata_transcription_evaluate (ref, est, &s);
          strata_prf_add (&combos[k].scores.note, &s.note);
          strata_prf_add (&combos[k].scores.note_offset, &s.note_offset);
          strata_prf_add (&combos[k].scores.frame, &s.frame);
        }
      audio_s += strata_audio_get_duration (audio);
    }
  StrataDecodeOptions defaults;
  strata_decode_options_init (&defaults);
  const Combo *current = NULL;
  for (guint k = 0; k < N_COMBOS; k++)
    if (memcmp (&combos[k].options, &defaults, sizeof defaults) == 0)
      current = &combos[k];
  printf ("bench transcription-decoding: %s, %u pieces of %s (%.1f min), %u combinations\n",
          strata_transcriber_get_version (tr), n_pieces, corpus, audio_s / 60.0,
          (guint) N_COMBOS);
  if (current)
    print_combo ("default", current);
  qsort (combos, N_COMBOS, sizeof *combos, (int (*) (const void *, const void *)) by_note_f1);
  for (guint k = 0; k < MIN (N_COMBOS, 12u); k++)
    {
      char tag[16];
      g_snprintf (tag, sizeof tag, "#%u", k + 1);
      print_combo (tag, &combos[k]);
    }
  printf ("  the best for each onset threshold:\n");
  for (guint j = 0; j < G_N_ELEMENTS (onsets); j++)
    for (guint k = 0; k < N_COMBOS; k++)
      if (combos[k].options.onset_threshold == onsets[j])
        {
          print_combo ("", &combos[k]);
          break;
        }
  g_free (combos);
  return 0;
}
