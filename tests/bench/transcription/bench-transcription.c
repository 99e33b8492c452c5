/* bench-transcription.c: the transcription head's accuracy and speed.
 *
 * 1. Accuracy on a validation corpus ($STRATA_VALID_CORPUS, a folder from
 *    `strata-cli corpus render`, default /work/corpora/valid-tim): for each
 *    piece the pitched notes of notes.csv against the decoded notes of
 *    its mix; note F1 (onset ±50 ms, mir_eval's matching), note-with-offset
 *    F1 and frame F1, per piece and pooled over the pieces.
 * 2. Speed: a 4-minute track (the first piece's mix tiled) through front
 *    end, head and decoding, with 1 and 2 OpenBLAS threads.
 *
 * Model: $STRATA_TRANSCRIPTION_MODEL_PATH or the default model. Reports
 * only; never fails on timing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "audio/strata-audio.h"
#include "nn/strata-nn.h"
#include "tasks/transcription/strata-transcription.h"
#include "bench-transcription-run.h"

static GArray *
transcribe (StrataTranscriber *tr, StrataAudio *audio, double *seconds)
{
  g_autoptr (GError) error = NULL;
  GArray *notes = bench_transcribe (tr, NULL, audio, seconds, &error);
  g_assert_no_error (error);
  return notes;
}

static void
print_prf (const char *name, const StrataPrf *p)
{
  printf ("  %-14s F1 %.3f  P %.3f  R %.3f  (%d reference, %d estimated, %d matched)\n", name,
          p->f1, p->precision, p->recall, p->n_ref, p->n_est, p->n_match);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  const char *corpus = bench_valid_corpus ();
  g_autoptr (StrataTranscriber) tr = strata_transcriber_load_default (&error);
  if (!tr)
    {
      printf ("bench transcription: %s\n", error->message);
      return 0;
    }
  printf ("bench transcription: model %s (%s, %zu parameters)\n",
          strata_transcriber_get_path (tr), strata_transcriber_get_version (tr),
          strata_transcriber_get_n_params (tr));
  strata_nn_set_num_threads (1);
  g_autoptr (GPtrArray) names = bench_list_pieces (corpus);
  StrataTranscriptionScores pooled;
  memset (&pooled, 0, sizeof pooled);
  double audio_s = 0, compute_s = 0;
  char *first = NULL;
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (GArray) ref = NULL;
      g_autoptr (StrataAudio) audio = NULL;
      bench_load_piece (corpus, names->pdata[i], &ref, &audio, &error);
      g_assert_no_error (error);
      double secs;
      g_autoptr (GArray) est = transcribe (tr, audio, &secs);
      StrataTranscriptionScores s;
      strata_transcription_evaluate (ref, est, &s);
      strata_prf_add (&pooled.note, &s.note);
      strata_prf_add (&pooled.note_offset, &s.note_offset);
      strata_prf_add (&pooled.frame, &s.frame);
      audio_s += strata_audio_get_duration (audio);
      compute_s += secs;
      printf ("  %-20s note F1 %.3f  note+offset F1 %.3f  frame F1 %.3f  (%u notes)\n",
              (char *) names->pdata[i], s.note.f1, s.note_offset.f1, s.frame.f1, ref->len);
      if (!first)
        first = g_build_filename (corpus, names->pdata[i], "mix.flac", NULL);
    }
  if (!first)
    {
      printf ("bench transcription: no pieces with notes.csv in %s\n", corpus);
      return 0;
    }
  printf ("pooled over %s (%.1f min):\n", corpus, audio_s / 60.0);
  print_prf ("note", &pooled.note);
  print_prf ("note+offset", &pooled.note_offset);
  print_prf ("frame", &pooled.frame);
  printf ("  %.1fx real time on 1 thread (front end, head, decoding; decoding of FLAC not counted)\n",
          audio_s / compute_s);

  /* a 4-minute track */
  g_autoptr (StrataAudio) piece = strata_audio_decode (first, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  const gint64 want = 240 * (gint64) STRATA_SAMPLE_RATE, have = strata_audio_get_n_frames (piece);
  float *tiled = g_new (float, (gsize) want * 2);
  for (gint64 i = 0; i < want; i++)
    for (int c = 0; c < 2; c++)
      tiled[2 * i + c] = strata_audio_get_samples (piece)[2 * (i % have) + c];
  g_autoptr (StrataAudio) four = strata_audio_new_take (tiled, want);
  for (int threads = 1; threads <= 2; threads++)
    {
      strata_nn_set_num_threads (threads);
      double secs;
      g_autoptr (GArray) notes = transcribe (tr, four, &secs);
      printf ("4-minute track, %d thread%s: %.2f s (%u notes)\n", threads, threads > 1 ? "s" : "",
              secs, notes->len);
    }
  g_free (first);
  return 0;
}
