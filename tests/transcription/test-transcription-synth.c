/* test-transcription-synth.c: notes made audible with fluidsynth: the
 * length, silence before the onset, the pitch in the spectrum, velocity
 * in the level, renders independent of each other, cancellation, the
 * CSV writer, and the sound font's errors in the user's terms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tasks/transcription/strata-transcription.h"
#include "tasks/transcription/strata-transcription-synth.h"

#define TIMGM6MB "/usr/share/sounds/sf2/TimGM6mb.sf2"

static StrataNoteSynth *synth;

static GArray *
notes_of (const StrataTimedNote *n, guint count)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (StrataTimedNote));
  g_array_append_vals (a, n, count);
  return a;
}

/* Goertzel power of the left channel of frames [from, to) at @hz. */
static double
power_at (const float *s, gint64 from, gint64 to, double hz)
{
  double w = 2 * G_PI * hz / STRATA_SAMPLE_RATE, c = 2 * cos (w), s1 = 0, s2 = 0;

  for (gint64 i = from; i < to; i++)
    {
      double s0 = s[2 * i] + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / ((double) (to - from) * (to - from));
}

static double
rms (const float *s, gint64 from, gint64 to)
{
  double e = 0;

  for (gint64 i = 2 * from; i < 2 * to; i++)
    e += (double) s[i] * s[i];
  return sqrt (e / (2.0 * (to - from)));
}

static void
test_note (void)
{
  const StrataTimedNote n[] = { { 0.5, 1.5, 69, 100 } };
  g_autoptr(GArray) notes = notes_of (n, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataAudio) audio = NULL;
  const float *s;
  double on, off;

  /* -1: up to the note-off and the release tail. */
  audio = strata_note_synth_render (synth, notes, -1, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (strata_audio_get_n_frames (audio), ==,
                   (gint64) (1.5 * STRATA_SAMPLE_RATE + STRATA_NOTE_SYNTH_TAIL_S * STRATA_SAMPLE_RATE));
  s = strata_audio_get_samples (audio);
  /* Silent before the onset, sounding after it, at 440 Hz. */
  g_assert_cmpfloat (rms (s, 0, STRATA_SAMPLE_RATE / 2 - 64), <, 1e-6);
  g_assert_cmpfloat (rms (s, STRATA_SAMPLE_RATE / 2, STRATA_SAMPLE_RATE), >, 0.01);
  on = power_at (s, STRATA_SAMPLE_RATE / 2 + 2048, STRATA_SAMPLE_RATE, 440.0);
  off = power_at (s, STRATA_SAMPLE_RATE / 2 + 2048, STRATA_SAMPLE_RATE, 440.0 * pow (2, 1.5 / 12));
  g_test_message ("440 Hz: %.3g, 1.5 semitones up: %.3g", on, off);
  g_assert_cmpfloat (on, >, 20 * off);
  /* Stereo: both channels sound. */
  {
    double l = 0, r = 0;
    for (gint64 i = STRATA_SAMPLE_RATE / 2; i < STRATA_SAMPLE_RATE; i++)
      l += fabs (s[2 * i]), r += fabs (s[2 * i + 1]);
    g_assert_cmpfloat (l, >, 0);
    g_assert_cmpfloat (r, >, 0);
  }
}

/* A fixed length cuts the notes; the next render starts from silence
 * (nothing of the previous one rings on); a softer note is quieter. */
static void
test_length_and_reset (void)
{
  const StrataTimedNote loud[] = { { 0.0, 3.0, 60, 120 } };
  const StrataTimedNote soft[] = { { 0.2, 1.0, 60, 30 } };
  g_autoptr(GArray) a = notes_of (loud, 1), b = notes_of (soft, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataAudio) cut = NULL, quiet = NULL;
  double loud_rms, soft_rms;

  cut = strata_note_synth_render (synth, a, STRATA_SAMPLE_RATE, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (strata_audio_get_n_frames (cut), ==, STRATA_SAMPLE_RATE);
  quiet = strata_note_synth_render (synth, b, STRATA_SAMPLE_RATE, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  /* The loud note was still sounding when the first render ended. */
  g_assert_cmpfloat (rms (strata_audio_get_samples (quiet), 0, STRATA_SAMPLE_RATE / 5 - 64), <, 1e-6);
  loud_rms = rms (strata_audio_get_samples (cut), 2048, STRATA_SAMPLE_RATE / 2);
  soft_rms = rms (strata_audio_get_samples (quiet), STRATA_SAMPLE_RATE / 5 + 2048,
                  STRATA_SAMPLE_RATE * 7 / 10);
  g_test_message ("rms: velocity 120 %.4f, velocity 30 %.4f", loud_rms, soft_rms);
  g_assert_cmpfloat (loud_rms, >, 2 * soft_rms);

  /* No notes: silence of the length asked for. */
  {
    g_autoptr(GArray) none = g_array_new (FALSE, FALSE, sizeof (StrataTimedNote));
    g_autoptr(StrataAudio) silence = strata_note_synth_render (synth, none, 1000, 0, NULL, NULL, NULL,
                                                               &error);
    g_assert_no_error (error);
    g_assert_cmpint (strata_audio_get_n_frames (silence), ==, 1000);
    g_assert_cmpfloat (rms (strata_audio_get_samples (silence), 0, 1000), <, 1e-6);
  }
}

/* A render over a minute is made in two halves on two threads: a note
 * ringing across the middle and one just after it come out as each does
 * alone (fluidsynth starts notes on 64-frame blocks: every time here is a
 * multiple of 64 frames, so the alignment is the same). */
static void
test_split (void)
{
  const gint64 n_frames = 128 * 25000, lead = 64 * 100, dur = 64 * 700;
  const gint64 on[2] = { 64 * 24700, 64 * 25500 };   /* the middle is 64 * 25000 */
  const int pitch[2] = { 64, 71 };
  g_autoptr(GArray) both = g_array_new (FALSE, FALSE, sizeof (StrataTimedNote));
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataAudio) whole = NULL;
  g_autofree float *expected = g_new0 (float, 2 * n_frames);
  const float *got;
  double worst = 0, level = 0;

  for (int k = 0; k < 2; k++)
    {
      StrataTimedNote alone = { (double) lead / STRATA_SAMPLE_RATE,
                                (double) (lead + dur) / STRATA_SAMPLE_RATE, pitch[k], 100 };
      StrataTimedNote placed = { (double) on[k] / STRATA_SAMPLE_RATE,
                                 (double) (on[k] + dur) / STRATA_SAMPLE_RATE, pitch[k], 100 };
      g_autoptr(GArray) one = notes_of (&alone, 1);
      g_autoptr(StrataAudio) ref = strata_note_synth_render (synth, one, 4 * STRATA_SAMPLE_RATE, 0,
                                                             NULL, NULL, NULL, &error);
      const float *r;

      g_assert_no_error (error);
      r = strata_audio_get_samples (ref);
      for (gint64 i = 0; i < 4 * STRATA_SAMPLE_RATE; i++)
        for (int c = 0; c < 2; c++)
          expected[2 * (on[k] - lead + i) + c] += r[2 * i + c];
      g_array_append_val (both, placed);
    }
  whole = strata_note_synth_render (synth, both, n_frames, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  got = strata_audio_get_samples (whole);
  for (gint64 i = 2 * (on[0] - lead); i < 2 * (on[1] - lead + 4 * STRATA_SAMPLE_RATE); i++)
    {
      worst = MAX (worst, fabs ((double) got[i] - expected[i]));
      level = MAX (level, fabs (expected[i]));
    }
  g_test_message ("split render: largest difference %.3g at a peak of %.3g", worst, level);
  g_assert_cmpfloat (level, >, 0.05);
  g_assert_cmpfloat (worst, <, 1e-5);
  /* Silent far from the notes, at both ends. */
  g_assert_cmpfloat (rms (got, 0, on[0] - lead), <, 1e-7);
  g_assert_cmpfloat (rms (got, on[1] + 6 * STRATA_SAMPLE_RATE, n_frames), <, 1e-7);
}

static bool
abort_now (void *data)
{
  return TRUE;
}

static void
record_progress (double fraction, const char *stage, void *data)
{
  g_assert_cmpstr (stage, ==, "transcription-synth");
  g_array_append_val ((GArray *) data, fraction);
}

/* Progress once a second of audio, rising, below 1. */
static void
test_progress (void)
{
  const StrataTimedNote n[] = { { 0.0, 1.0, 60, 100 } };
  g_autoptr(GArray) notes = notes_of (n, 1);
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataAudio) audio = strata_note_synth_render (synth, notes, 5 * STRATA_SAMPLE_RATE, 0,
                                                           record_progress, NULL, seen, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (seen->len, >=, 4);
  for (guint i = 0; i < seen->len; i++)
    {
      double f = g_array_index (seen, double, i);
      g_assert_cmpfloat (f, >, 0.0);
      g_assert_cmpfloat (f, <=, 1.0);
      if (i > 0)
        g_assert_cmpfloat (f, >, g_array_index (seen, double, i - 1));
    }
}

static void
test_cancel (void)
{
  const StrataTimedNote n[] = { { 0.0, 5.0, 60, 100 } };
  g_autoptr(GArray) notes = notes_of (n, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataAudio) audio = strata_note_synth_render (synth, notes, -1, 0, NULL, abort_now, NULL,
                                                           &error);

  g_assert_null (audio);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A missing file, a file that is no sound font, and $STRATA_SOUNDFONT
 * pointing nowhere: errors naming the file and the reason. */
static void
test_soundfont_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strata-synth-XXXXXX", NULL);
  g_autofree char *fake = g_build_filename (dir, "fake.sf2", NULL);
  g_autofree char *path = NULL;

  g_assert_null (strata_note_synth_new ("/nonexistent/font.sf2", &error));
  g_assert_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/font.sf2"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (fake, "RIFF....not a sound font", -1, NULL));
  g_assert_null (strata_note_synth_new (fake, &error));
  g_assert_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, fake));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  g_setenv (STRATA_SOUNDFONT_ENV, "/nonexistent/font.sf2", TRUE);
  g_assert_null (strata_note_synth_dup_soundfont_path (&error));
  g_assert_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/font.sf2"));
  g_assert_nonnull (strstr (error->message, STRATA_SOUNDFONT_ENV));
  g_clear_error (&error);
  g_assert_null (strata_note_synth_get_default (&error));
  g_clear_error (&error);

  /* Set to a real font: that one is the default. */
  g_setenv (STRATA_SOUNDFONT_ENV, TIMGM6MB, TRUE);
  path = strata_note_synth_dup_soundfont_path (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, TIMGM6MB);
  {
    g_autoptr(StrataNoteSynth) a = strata_note_synth_get_default (&error);
    g_autoptr(StrataNoteSynth) b = strata_note_synth_get_default (&error);
    g_assert_no_error (error);
    g_assert_true (a == b);   /* loaded once, shared */
    g_assert_cmpstr (strata_note_synth_get_soundfont (a), ==, TIMGM6MB);
  }
  g_unlink (fake);
  g_rmdir (dir);
}

/* The CSV of the window's export: the CLI's header, '.' decimals. */
static void
test_csv (void)
{
  const StrataTimedNote n[] = { { 0.25, 0.5, 60, 90 }, { 1.0, 1.23456, 64, 7 } };
  g_autoptr(GArray) notes = notes_of (n, 2);
  g_autoptr(GBytes) csv = strata_notes_to_csv (notes);
  g_autofree char *text = g_strndup (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv));

  g_assert_cmpstr (text, ==, "onset_s,offset_s,pitch,velocity\n"
                             "0.2500,0.5000,60,90\n"
                             "1.0000,1.2346,64,7\n");
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  if (!g_file_test (TIMGM6MB, G_FILE_TEST_IS_REGULAR))
    {
      g_print ("1..0 # SKIP no %s (timgm6mb-soundfont)\n", TIMGM6MB);
      return 0;
    }
  synth = strata_note_synth_new (TIMGM6MB, &error);
  g_assert_no_error (error);

  g_test_add_func ("/transcription/synth/note", test_note);
  g_test_add_func ("/transcription/synth/length-and-reset", test_length_and_reset);
  g_test_add_func ("/transcription/synth/progress", test_progress);
  g_test_add_func ("/transcription/synth/split", test_split);
  g_test_add_func ("/transcription/synth/cancel", test_cancel);
  g_test_add_func ("/transcription/synth/soundfont-errors", test_soundfont_errors);
  g_test_add_func ("/transcription/synth/csv", test_csv);
  ret = g_test_run ();
  strata_note_synth_unref (synth);
  return ret;
}
