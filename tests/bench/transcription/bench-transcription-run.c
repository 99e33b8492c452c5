/* bench-transcription-run.c: what the transcription benchmarks share: the
 * validation corpus's pieces and one timed transcription.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bench-transcription-run.h"

#include <string.h>

const char *
bench_valid_corpus (void)
{
  const char *env = g_getenv ("STRATA_VALID_CORPUS");
  return env && *env ? env : "/work/corpora/valid-tim";
}

/* g_ptr_array_sort() passes pointers to the elements, not the strings */
static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

GPtrArray *
bench_list_pieces (const char *corpus)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = g_dir_open (corpus, 0, NULL);
  const char *n;
  while (dir && (n = g_dir_read_name (dir)))
    {
      g_autofree char *csv = g_build_filename (corpus, n, "notes.csv", NULL);
      g_autofree char *mix = g_build_filename (corpus, n, "mix.flac", NULL);
      if (g_file_test (csv, G_FILE_TEST_IS_REGULAR) && g_file_test (mix, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (names, g_strdup (n));
    }
  g_ptr_array_sort (names, compare_names);
  return names;
}

gboolean
bench_load_piece (const char *corpus, const char *name, GArray **ref, StrataAudio **audio,
                  GError **error)
{
  g_autofree char *csv = g_build_filename (corpus, name, "notes.csv", NULL);
  g_autofree char *mix = g_build_filename (corpus, name, "mix.flac", NULL);
  g_autoptr (GArray) notes = strata_notes_read_csv (csv, error);
  if (!notes)
    return FALSE;
  if (!(*audio = strata_audio_decode (mix, NULL, NULL, NULL, error)))
    return FALSE;
  *ref = g_steal_pointer (&notes);
  return TRUE;
}

GArray *
bench_transcribe (StrataTranscriber *tr, StrataModel *foundation, StrataAudio *audio,
                  double *seconds, GError **error)
{
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (StrataTranscriptionInput) in = strata_transcription_input_new (audio, foundation,
                                                                            NULL, NULL, error);
  if (!in)
    return NULL;
  g_autoptr (StrataTranscriptionOutput) out =
    strata_transcriber_run (tr, in->spec, in->T, in->fine, in->medium, NULL, NULL, error);
  if (!out)
    return NULL;
  GArray *notes = strata_transcription_decode (out, NULL);
  *seconds = (g_get_monotonic_time () - t0) / 1e6;
  return notes;
}
