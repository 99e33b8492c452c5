/* test-transcription-task.c: the transcription task through
 * strata_task_run() and the cache, with the committed default head on a
 * synthetic tone file: a miss then a hit, a changed option misses, a
 * damaged or hostile entry is recomputed, a cancel mid-way leaves no entry,
 * a head that takes the foundation features shares the features task's entry;
 * the payload reader refuses hostile payloads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/strata-audio.h"
#include "tasks/strata-cache.h"
#include "tasks/strata-features-task.h"
#include "tasks/strata-track-load.h"
#include "tasks/transcription/strata-transcription-task.h"

static char *tmpdir;
static char *wav;

/* A stereo WAV of piano-like tones: C4 at 0.5 s, E4 at 1.5 s, G4 at 2.5 s. */
static char *
write_tones (const char *name)
{
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  const double seconds = 3.5;
  const gint64 n = (gint64) (seconds * STRATA_SAMPLE_RATE);
  g_autofree float *s = g_new0 (float, (gsize) n * 2);
  const int pitches[] = { 60, 64, 67 };
  for (int k = 0; k < 3; k++)
    {
      const double f = 440.0 * pow (2.0, (pitches[k] - 69) / 12.0);
      const gint64 a = (gint64) ((0.5 + k) * STRATA_SAMPLE_RATE);
      const gint64 b = MIN (n, a + (gint64) (0.8 * STRATA_SAMPLE_RATE));
      for (gint64 i = a; i < b; i++)
        {
          const double t = (double) (i - a) / STRATA_SAMPLE_RATE;
          double v = 0;
          for (int h = 1; h <= 4; h++)
            v += sin (2 * G_PI * f * h * t) / (h * h);
          v *= 0.25 * exp (-3.0 * t) * MIN (1.0, t / 0.005);
          s[2 * i] += (float) v, s[2 * i + 1] += (float) v;
        }
    }
  g_assert_true (strata_audio_write (path, s, n, 2, STRATA_SAMPLE_RATE,
                                     STRATA_AUDIO_FORMAT_WAV_F32, NULL));
  return g_steal_pointer (&path);
}

typedef struct {
  StrataTranscriber *head;
  char *hash;
  char *cache;
} Fixture;

static void
fixture_init (Fixture *fx, const char *cache_name)
{
  g_autoptr (GError) error = NULL;
  fx->head = strata_model_registry_get (&strata_transcription_model_kind, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fx->head);
  g_assert_false (strata_transcriber_get_config (fx->head)->features);
  StrataTaskContext ctx;
  strata_task_context_init (&ctx, NULL, NULL, NULL, NULL);
  fx->hash = strata_task_hash_file (wav, &ctx, &error);
  g_assert_no_error (error);
  fx->cache = g_build_filename (tmpdir, cache_name, NULL);
}

static void
fixture_clear (Fixture *fx)
{
  strata_transcriber_free (fx->head);
  g_free (fx->hash);
  g_free (fx->cache);
}

static StrataTranscriptionTaskInput
make_input (const Fixture *fx)
{
  StrataTranscriptionTaskInput in = { .head = fx->head, .path = wav, .hash = fx->hash };
  strata_decode_options_init (&in.options);
  return in;
}

static StrataTranscription *
run (const Fixture *fx, const StrataTranscriptionTaskInput *in)
{
  g_autoptr (GError) error = NULL;
  StrataTaskContext ctx;
  strata_task_context_init (&ctx, fx->cache, NULL, NULL, NULL);
  StrataTranscription *r = strata_task_run (&strata_transcription_task, in, &ctx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

static void
assert_same (const StrataTranscription *a, const StrataTranscription *b)
{
  g_assert_cmpfloat (a->tempo_bpm, ==, b->tempo_bpm);
  g_assert_cmpuint (a->notes->len, ==, b->notes->len);
  g_assert_cmpmem (a->notes->data, a->notes->len * sizeof (StrataTimedNote), b->notes->data,
                   b->notes->len * sizeof (StrataTimedNote));
}

/* The head run by hand on the tone file, without the task. */
static StrataTranscription *
transcribe_directly (StrataTranscriber *head, StrataModel *foundation,
                     const StrataDecodeOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataAudio) audio = strata_audio_decode (wav, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (StrataTranscriptionInput) tin = strata_transcription_input_new (audio, foundation,
                                                                             NULL, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (StrataTranscriptionOutput) out = strata_transcriber_run (
      head, tin->spec, tin->T, tin->fine, tin->medium, NULL, NULL, &error);
  g_assert_no_error (error);
  StrataTranscription *r = g_new0 (StrataTranscription, 1);
  r->notes = strata_transcription_decode (out, options);
  r->tempo_bpm = strata_estimate_tempo (r->notes);
  return r;
}

static char *
entry_path (const Fixture *fx, const StrataTranscriptionTaskInput *in)
{
  g_autofree char *key = strata_transcription_dup_cache_key (in);
  return strata_cache_path (fx->cache, key, STRATA_TRANSCRIPTION_CACHE_KIND,
                            STRATA_TRANSCRIPTION_CACHE_VERSION);
}

static void
test_miss_hit (void)
{
  Fixture fx;
  fixture_init (&fx, "cache-hit");
  StrataTranscriptionTaskInput in = make_input (&fx);
  const guint c0 = strata_task_get_n_computed (&strata_transcription_task);
  const guint h0 = strata_task_get_n_cached (&strata_transcription_task);

  g_autoptr (StrataTranscription) first = run (&fx, &in);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_transcription_task), ==, c0 + 1);
  g_assert_cmpuint (strata_task_get_n_cached (&strata_transcription_task), ==, h0);
  g_autofree char *entry = entry_path (&fx, &in);
  g_assert_true (g_file_test (entry, G_FILE_TEST_IS_REGULAR));
  /* the head finds the tones: C4, E4 and G4 near their onsets */
  /* the task gives what the head gives when run by hand */
  g_assert_cmpuint (first->notes->len, >, 0);
  {
    g_autoptr (StrataTranscription) direct = transcribe_directly (fx.head, NULL, &in.options);
    assert_same (first, direct);
  }

  g_autoptr (StrataTranscription) second = run (&fx, &in);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_transcription_task), ==, c0 + 1);
  g_assert_cmpuint (strata_task_get_n_cached (&strata_transcription_task), ==, h0 + 1);
  assert_same (first, second);

  /* the decoded audio given by the window's track reads the same entry */
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataAudio) audio = strata_audio_decode (wav, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  in.audio = audio;
  g_autoptr (StrataTranscription) third = run (&fx, &in);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_transcription_task), ==, c0 + 1);
  assert_same (first, third);
  fixture_clear (&fx);
}

/* The head's road from a track (strata_head_task_run, what the window
 * runs): the registry's head, the same cache entry, the same notes. */
static void
test_head_task (void)
{
  Fixture fx;
  fixture_init (&fx, "cache-head");
  StrataTranscriptionTaskInput in = make_input (&fx);
  g_autoptr (StrataTranscription) by_task = run (&fx, &in);
  const guint c0 = strata_task_get_n_computed (&strata_transcription_task);
  g_autoptr (GError) error = NULL;
  StrataTaskContext ctx;

  strata_task_context_init (&ctx, fx.cache, NULL, NULL, NULL);
  g_autoptr (StrataTranscription) by_head = strata_head_task_run (&strata_transcription_head_task,
                                                                  wav, fx.hash, NULL, &ctx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (by_head);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_transcription_task), ==, c0);
  assert_same (by_task, by_head);

  /* a file that is not there: the task's error, no result */
  g_clear_pointer (&by_head, strata_transcription_free);
  {
    StrataTaskContext fresh;
    strata_task_context_init (&fresh, fx.cache, NULL, NULL, NULL);
    g_assert_null (strata_head_task_run (&strata_transcription_head_task, "/nonexistent/x.wav",
                                         "00", NULL, &fresh, &error));
    g_assert_nonnull (error);
  }
  fixture_clear (&fx);
}

static void
test_option_misses (void)
{
  Fixture fx;
  fixture_init (&fx, "cache-options");
  StrataTranscriptionTaskInput in = make_input (&fx);
  g_autoptr (StrataTranscription) a = run (&fx, &in);
  const guint c0 = strata_task_get_n_computed (&strata_transcription_task);

  StrataTranscriptionTaskInput other = in;
  other.options.onset_threshold = 0.9;
  g_autoptr (StrataTranscription) b = run (&fx, &other);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_transcription_task), ==, c0 + 1);
  other = in;
  other.options.min_note_ms = 400;
  g_autoptr (StrataTranscription) c = run (&fx, &other);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_transcription_task), ==, c0 + 2);
  other = in;
  other.options.frame_threshold = in.options.frame_threshold + 1e-9;
  g_autofree char *k1 = strata_transcription_dup_cache_key (&in);
  g_autofree char *k2 = strata_transcription_dup_cache_key (&other);
  g_assert_cmpstr (k1, !=, k2);
  /* 400 ms keeps none of the 0.8 s decaying tones' short notes longer */
  g_assert_cmpuint (c->notes->len, <=, a->notes->len);
  fixture_clear (&fx);
}

static void
test_damaged_entry (void)
{
  Fixture fx;
  fixture_init (&fx, "cache-damaged");
  StrataTranscriptionTaskInput in = make_input (&fx);
  g_autoptr (StrataTranscription) good = run (&fx, &in);
  g_autofree char *entry = entry_path (&fx, &in);
  g_autofree char *key = strata_transcription_dup_cache_key (&in);

  /* bytes flipped on disk */
  gchar *data;
  gsize len;
  g_assert_true (g_file_get_contents (entry, &data, &len, NULL));
  data[len - 3] ^= 0x5a;
  g_assert_true (g_file_set_contents (entry, data, len, NULL));
  g_free (data);
  guint c0 = strata_task_get_n_computed (&strata_transcription_task);
  g_autoptr (StrataTranscription) again = run (&fx, &in);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_transcription_task), ==, c0 + 1);
  assert_same (good, again);

  /* a well-formed entry with a hostile payload: a pitch out of range */
  g_autoptr (GBytes) bytes = strata_transcription_to_bytes (good);
  g_assert_cmpuint (good->notes->len, >, 0);
  g_autofree guint8 *bad = g_memdup2 (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  const guint32 pitch = GUINT32_TO_LE (200);
  memcpy (bad + 20 + 16, &pitch, 4);
  g_autoptr (GBytes) hostile = g_bytes_new (bad, g_bytes_get_size (bytes));
  g_autoptr (GError) error = NULL;
  g_assert_true (strata_cache_store (fx.cache, key, STRATA_TRANSCRIPTION_CACHE_KIND,
                                     STRATA_TRANSCRIPTION_CACHE_VERSION, hostile, &error));
  g_assert_no_error (error);
  c0 = strata_task_get_n_computed (&strata_transcription_task);
  g_autoptr (StrataTranscription) third = run (&fx, &in);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_transcription_task), ==, c0 + 1);
  assert_same (good, third);
  /* and the recomputed entry replaced it */
  g_autoptr (StrataTranscription) fourth = run (&fx, &in);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_transcription_task), ==, c0 + 1);
  fixture_clear (&fx);
}

/* A head that takes the foundation features runs the features task on the
 * same context: both cached, a second run computes neither, new decoding
 * options reuse the features. */
static void
test_features (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataModel) foundation = strata_model_registry_get_foundation (NULL, &error);
  g_assert_no_error (error);
  StrataTranscriptionConfig c;
  strata_transcription_config_init (&c);
  c.conv_channels = 2, c.embed = 8, c.hidden = 4, c.proj = 3;
  c.features = 1;
  c.fine_dim = strata_model_get_dim (foundation, STRATA_LEVEL_FINE);
  c.medium_dim = strata_model_get_dim (foundation, STRATA_LEVEL_MEDIUM);
  g_autoptr (StrataTranscriber) head = strata_transcriber_new (&c, 5);
  g_assert_nonnull (head);
  Fixture fx;
  fixture_init (&fx, "cache-features");
  StrataTranscriptionTaskInput in = make_input (&fx);
  in.head = head;

  /* without the foundation model: a clear error, nothing stored */
  StrataTaskContext ctx;
  strata_task_context_init (&ctx, fx.cache, NULL, NULL, NULL);
  g_assert_null (strata_task_run (&strata_transcription_task, &in, &ctx, &error));
  g_assert_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_FEATURES);
  g_clear_error (&error);

  in.foundation = foundation;
  const guint f0 = strata_task_get_n_computed (&strata_features_task);
  const guint c0 = strata_task_get_n_computed (&strata_transcription_task);
  g_autoptr (StrataTranscription) first = run (&fx, &in);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_features_task), ==, f0 + 1);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_transcription_task), ==, c0 + 1);
  {
    g_autoptr (StrataTranscription) direct = transcribe_directly (head, foundation, &in.options);
    assert_same (first, direct);
  }
  g_autoptr (StrataTranscription) second = run (&fx, &in);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_features_task), ==, f0 + 1);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_transcription_task), ==, c0 + 1);
  assert_same (first, second);
  const guint h0 = strata_task_get_n_cached (&strata_features_task);
  in.options.onset_threshold = 0.6;
  g_autoptr (StrataTranscription) third = run (&fx, &in);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_features_task), ==, f0 + 1);
  g_assert_cmpuint (strata_task_get_n_cached (&strata_features_task), ==, h0 + 1);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_transcription_task), ==, c0 + 2);
  fixture_clear (&fx);
}

typedef struct {
  GCancellable *cancellable;
  gboolean saw_head;
} CancelAt;

static void
cancel_at_head (double fraction, const char *stage, void *data)
{
  CancelAt *c = data;
  (void) fraction;
  if (g_strcmp0 (stage, "transcription-head") == 0)
    {
      c->saw_head = TRUE;
      g_cancellable_cancel (c->cancellable);
    }
}

static void
test_cancel (void)
{
  Fixture fx;
  fixture_init (&fx, "cache-cancel");
  StrataTranscriptionTaskInput in = make_input (&fx);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  CancelAt c = { cancellable, FALSE };
  g_autoptr (GError) error = NULL;
  StrataTaskContext ctx;
  strata_task_context_init (&ctx, fx.cache, cancellable, cancel_at_head, &c);
  StrataTranscription *r = strata_task_run (&strata_transcription_task, &in, &ctx, &error);
  g_assert_null (r);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (c.saw_head);
  g_autofree char *entry = entry_path (&fx, &in);
  g_assert_false (g_file_test (entry, G_FILE_TEST_EXISTS));
  fixture_clear (&fx);
}

static GBytes *
payload (double tempo, guint32 count, const StrataTimedNote *notes, guint n)
{
  GByteArray *b = g_byte_array_new ();
  g_byte_array_append (b, (const guint8 *) "STRN", 4);
  guint32 v = GUINT32_TO_LE (1);
  g_byte_array_append (b, (const guint8 *) &v, 4);
  g_byte_array_append (b, (const guint8 *) &tempo, 8);
  v = GUINT32_TO_LE (count);
  g_byte_array_append (b, (const guint8 *) &v, 4);
  for (guint i = 0; i < n; i++)
    {
      g_byte_array_append (b, (const guint8 *) &notes[i].onset, 8);
      g_byte_array_append (b, (const guint8 *) &notes[i].offset, 8);
      gint32 p = notes[i].pitch, vel = notes[i].velocity;
      g_byte_array_append (b, (const guint8 *) &p, 4);
      g_byte_array_append (b, (const guint8 *) &vel, 4);
    }
  return g_byte_array_free_to_bytes (b);
}

static void
assert_refused (GBytes *bytes)
{
  g_autoptr (GError) error = NULL;
  StrataTranscription *r = strata_transcription_from_bytes (bytes, &error);
  g_assert_null (r);
  g_assert_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_bytes_unref (bytes);
}

static void
test_payload (void)
{
  if (G_BYTE_ORDER != G_LITTLE_ENDIAN)
    {
      g_test_skip ("the hand-made payloads are little endian");
      return;
    }
  const StrataTimedNote ok = { 0.5, 1.0, 60, 100 };
  /* a good one round-trips */
  g_autoptr (GBytes) good = payload (120.0, 1, &ok, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataTranscription) r = strata_transcription_from_bytes (good, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->notes->len, ==, 1);
  g_assert_cmpfloat (r->tempo_bpm, ==, 120.0);
  g_autoptr (GBytes) back = strata_transcription_to_bytes (r);
  g_assert_true (g_bytes_equal (good, back));

  assert_refused (g_bytes_new ("STR", 3));
  assert_refused (g_bytes_new ("XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", 30));
  assert_refused (payload (NAN, 1, &ok, 1));
  assert_refused (payload (0.0, 1, &ok, 1));
  assert_refused (payload (120.0, 2, &ok, 1));           /* count past the data */
  assert_refused (payload (120.0, 0, &ok, 1));           /* trailing bytes */
  assert_refused (payload (120.0, 0xffffffffu, &ok, 1)); /* a huge count */
  const StrataTimedNote bad[] = {
    { 1.0, 1.0, 60, 100 },        /* onset == offset */
    { 1.0, 0.5, 60, 100 },
    { -1.0, 0.5, 60, 100 },
    { NAN, 1.0, 60, 100 },
    { 0.5, INFINITY, 60, 100 },
    { 0.5, 1.0, 20, 100 },
    { 0.5, 1.0, 109, 100 },
    { 0.5, 1.0, 60, 0 },
    { 0.5, 1.0, 60, 128 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const StrataTimedNote two[] = { ok, bad[i] };
      assert_refused (payload (120.0, 2, two, 2));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("strata-trtask-XXXXXX", NULL);
  wav = write_tones ("tones.wav");
  g_test_add_func ("/transcription-task/miss-hit", test_miss_hit);
  g_test_add_func ("/transcription-task/head-task", test_head_task);
  g_test_add_func ("/transcription-task/option-misses", test_option_misses);
  g_test_add_func ("/transcription-task/damaged-entry", test_damaged_entry);
  g_test_add_func ("/transcription-task/cancel", test_cancel);
  g_test_add_func ("/transcription-task/features", test_features);
  g_test_add_func ("/transcription-task/payload", test_payload);
  int status = g_test_run ();
  strata_model_registry_clear ();
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", tmpdir);
  if (system (rm) != 0)
    g_warning ("could not remove %s", tmpdir);
  g_free (wav);
  g_free (tmpdir);
  return status;
}
