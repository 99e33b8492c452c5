/* test-stem-folder.c: the stem family rule, and a folder of stem files read
 * as stems of one length (a broken file named, the rest kept).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "playback/strata-stem-folder.h"

static void
test_family_rule (void)
{
  static const struct { const char *file, *family; } cases[] = {
    { "drums.wav", "drums" }, { "01 Drums.wav", "drums" }, { "kick_in.flac", "drums" },
    { "OH-L.wav", "other" }, { "Overheads.wav", "drums" }, { "perc2.ogg", "drums" },
    { "Bass DI.wav", "bass" }, { "bass.wav", "bass" }, { "Bassoon.wav", "other" },
    { "sub808.wav", "bass" }, { "guitar.ogg", "guitar" }, { "Gtr-rhythm.wav", "guitar" },
    { "rhythm.ogg", "other" }, { "piano.wav", "piano" }, { "Keys L.wav", "piano" },
    { "lead-vox.ogg", "vocals" }, { "Vocals.flac", "vocals" }, { "choir.wav", "vocals" },
    { "song.ogg", "other" }, { "other.wav", "other" }, { "/a/drums/bass.wav", "bass" },
    { "drum&bass.wav", "drums" }, { ".wav", "other" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].file);
      g_assert_cmpstr (strata_stem_family_for_file (cases[i].file), ==, cases[i].family);
    }
}

static float *
tone (gint64 n, int channels, double freq, double amp)
{
  float *s = g_new (float, n * channels);

  for (gint64 i = 0; i < n; i++)
    for (int c = 0; c < channels; c++)
      s[i * channels + c] = (float) (amp * sin (2 * G_PI * freq * i / 44100.0 + c));
  return s;
}

static void
write_file (const char *dir, const char *name, const char *bytes)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, bytes, -1, NULL));
}

static void
test_folder (void)
{
  g_autofree char *dir = g_dir_make_tmp ("strata-stems-XXXXXX", NULL);
  g_autofree char *a_path = g_build_filename (dir, "b-guitar.wav", NULL);
  g_autofree char *m_path = g_build_filename (dir, "a-bass.wav", NULL);
  g_autofree float *a = tone (44100, 2, 440.0, 0.3);
  g_autofree float *m = tone (22050, 1, 110.0, 0.5);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataStemFolder) f = NULL;

  g_assert_true (strata_audio_write (a_path, a, 44100, 2, 44100, STRATA_AUDIO_FORMAT_WAV_F32, &error));
  /* Mono at the stem rate: made stereo, as long as it is (0.5 s). */
  g_assert_true (strata_audio_write (m_path, m, 22050, 1, 44100, STRATA_AUDIO_FORMAT_WAV_F32, &error));
  write_file (dir, "c-broken.wav", "RIFF\x10\0\0\0WAVEjunk and more junk");
  write_file (dir, "notes.txt", "not audio");
  write_file (dir, ".hidden.wav", "hidden");

  f = strata_stem_folder_load (dir, -1, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f);
  g_assert_cmpuint (f->n_stems, ==, 2);
  g_assert_cmpuint (f->n_failed, ==, 1);
  g_assert_cmpint (f->n_frames, ==, 44100);
  g_assert_cmpstr (f->names[0], ==, "a-bass");
  g_assert_cmpstr (f->families[0], ==, "bass");
  g_assert_cmpstr (f->names[1], ==, "b-guitar");
  g_assert_cmpstr (f->families[1], ==, "guitar");
  g_assert_cmpstr (f->paths[1], ==, a_path);
  g_test_message ("notes: %s", f->notes);
  g_assert_nonnull (strstr (f->notes, "c-broken.wav"));
  g_assert_nonnull (strstr (f->notes, "“a-bass.wav” was 0.500 s shorter"));
  g_assert_null (strstr (f->notes, "b-guitar"));
  /* The samples as written: the mono one on both sides, then silence. */
  g_assert_cmpmem (strata_audio_get_samples (f->stems[1]), 44100 * 8, a, 44100 * 8);
  {
    const float *s = strata_audio_get_samples (f->stems[0]);
    for (gint64 i = 0; i < 44100; i++)
      {
        float want = i < 22050 ? m[i] : 0.0f;
        g_assert_cmpfloat (s[2 * i], ==, want);
        g_assert_cmpfloat (s[2 * i + 1], ==, want);
      }
  }
  strata_stem_folder_free (g_steal_pointer (&f));

  /* Fitted to a given length: cut, with a note. */
  f = strata_stem_folder_load (dir, 11025, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (strata_audio_get_n_frames (f->stems[0]), ==, 11025);
  g_assert_cmpint (strata_audio_get_n_frames (f->stems[1]), ==, 11025);
  g_assert_nonnull (strstr (f->notes, "“b-guitar.wav” was 0.750 s longer and was cut."));

  /* The sum, frame by frame. */
  {
    g_autoptr(StrataAudio) sum = strata_audio_sum (f->stems, 2);
    const float *s = strata_audio_get_samples (sum);
    const float *x = strata_audio_get_samples (f->stems[0]), *y = strata_audio_get_samples (f->stems[1]);
    for (gint64 i = 0; i < 2 * 11025; i++)
      g_assert_cmpfloat (s[i], ==, x[i] + y[i]);
  }

  /* Nothing decodes: an error naming the folder and the file. */
  g_remove (a_path);
  g_remove (m_path);
  strata_stem_folder_free (g_steal_pointer (&f));
  f = strata_stem_folder_load (dir, -1, NULL, NULL, NULL, &error);
  g_assert_null (f);
  g_assert_error (error, STRATA_STEM_FOLDER_ERROR, STRATA_STEM_FOLDER_ERROR_ALL_FAILED);
  g_assert_nonnull (strstr (error->message, dir));
  g_assert_nonnull (strstr (error->message, "c-broken.wav"));
  g_clear_error (&error);

  /* No audio file at all. */
  {
    g_autofree char *broken = g_build_filename (dir, "c-broken.wav", NULL);
    g_remove (broken);
  }
  f = strata_stem_folder_load (dir, -1, NULL, NULL, NULL, &error);
  g_assert_error (error, STRATA_STEM_FOLDER_ERROR, STRATA_STEM_FOLDER_ERROR_NO_AUDIO);
  g_assert_nonnull (strstr (error->message, dir));
  g_clear_error (&error);

  /* Not a folder. */
  {
    g_autofree char *missing = g_build_filename (dir, "missing", NULL);
    f = strata_stem_folder_load (missing, -1, NULL, NULL, NULL, &error);
    g_assert_error (error, STRATA_STEM_FOLDER_ERROR, STRATA_STEM_FOLDER_ERROR_UNREADABLE);
    g_assert_nonnull (strstr (error->message, missing));
    g_clear_error (&error);
  }
  {
    g_autofree char *p1 = g_build_filename (dir, "notes.txt", NULL);
    g_autofree char *p2 = g_build_filename (dir, ".hidden.wav", NULL);
    g_remove (p1);
    g_remove (p2);
    g_rmdir (dir);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/strata/playback/stem-folder/family", test_family_rule);
  g_test_add_func ("/strata/playback/stem-folder/load", test_folder);
  return g_test_run ();
}
