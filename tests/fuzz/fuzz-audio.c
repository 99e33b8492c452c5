/* fuzz-audio.c: libFuzzer harness for the libsndfile import path.
 *
 * Each input is written to one temporary file (libsndfile and the probe
 * take a path; the file lives on /dev/shm when it exists, so no disk is
 * touched) and goes through what `strata-cli info` and a load do with it:
 * _strata_sndfile_open() (header checks, MP3 length headers and frame
 * counting), _strata_sndfile_fill_info(), _strata_sndfile_verify() (the
 * info verdict) and _strata_sndfile_decode() (every channel count folded to
 * stereo by the downmix matrix, non-finite samples removed). Properties:
 * every failure is a STRATA_AUDIO_ERROR naming the file; the info verdict
 * and the decode agree; decoded samples are finite. The decoded length is
 * capped at 2 s (the test hook the unit tests use), so a header announcing
 * hours gives TOO_LARGE instead of exhausting memory. GStreamer's path
 * (other rates, resampling, formats libsndfile does not read) is not run
 * here: each decode starts a pipeline, too slow for a fuzzer's rate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "audio/strata-audio.h"
#include "audio/strata-audio-private.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap (); } while (0)

static char *input_path;

static void
remove_input (void)
{
  char *dir = g_path_get_dirname (input_path);

  g_unlink (input_path);
  g_rmdir (dir);
  g_free (dir);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *base = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir ();
  char *tmpl = g_build_filename (base, "strata-fuzz-audio-XXXXXX", NULL);
  char *dir = g_mkdtemp (tmpl);

  if (dir == NULL)
    abort ();
  input_path = g_build_filename (dir, "input", NULL);
  g_free (dir);
  atexit (remove_input);
  _strata_audio_set_max_frames (2 * 44100);
  return 0;
}

static void
check_error (GError *error)
{
  CHECK (error != NULL);
  CHECK (error->domain == STRATA_AUDIO_ERROR || error->domain == G_IO_ERROR);
  CHECK (strstr (error->message, input_path) != NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  FILE *f = fopen (input_path, "wb");
  GError *error = NULL;
  GError *verify_error = NULL;
  StrataSndfile *snd;
  StrataAudio *audio;
  StrataAudioInfo info = { 0 };
  gboolean verified;

  if (f == NULL)
    abort ();
  if (size > 0 && fwrite (data, 1, size, f) != size)
    abort ();
  if (fclose (f) != 0)
    abort ();

  snd = _strata_sndfile_open (input_path, &error);
  if (snd == NULL)
    {
      if (error != NULL)
        check_error (error);
      g_clear_error (&error);
      return 0;
    }
  _strata_sndfile_fill_info (snd, &info);
  CHECK (info.channels > 0);
  CHECK (info.sample_rate >= STRATA_AUDIO_MIN_RATE && info.sample_rate <= STRATA_AUDIO_MAX_RATE);
  CHECK (info.format != NULL && info.path != NULL);
  strata_audio_info_clear (&info);
  verified = _strata_sndfile_verify (snd, NULL, &verify_error);
  if (!verified)
    check_error (verify_error);
  _strata_sndfile_close (snd);

  snd = _strata_sndfile_open (input_path, &error);
  CHECK (snd != NULL && error == NULL);
  {
    StrataGrowBuffer buf = { 0 };

    audio = _strata_sndfile_decode (snd, &buf, NULL, NULL, &error) ? _strata_grow_buffer_finish (&buf) : NULL;
  }
  _strata_sndfile_close (snd);
  if (audio != NULL)
    {
      /* the mono decode is the stereo one folded, sample for sample */
      StrataGrowBuffer buf = { .mono = TRUE };
      g_autoptr(GError) mono_error = NULL;
      g_autofree float *mono = NULL;
      gint64 n_mono = 0;

      snd = _strata_sndfile_open (input_path, &error);
      CHECK (snd != NULL && error == NULL);
      if (_strata_sndfile_decode (snd, &buf, NULL, NULL, &mono_error))
        mono = _strata_grow_buffer_finish_mono (&buf, &n_mono);
      _strata_sndfile_close (snd);
      CHECK (mono != NULL && n_mono == strata_audio_get_n_frames (audio));
      for (gint64 i = 0; i < n_mono; i++)
        {
          const float *x = strata_audio_get_samples (audio);
          CHECK (mono[i] == 0.5f * (x[2 * i] + x[2 * i + 1]));
        }
    }
  if (audio == NULL)
    {
      check_error (error);
      /* what info says of the file is what a load says, unless the load
       * refused a length past the cap, which info does not apply */
      if (!g_error_matches (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_TOO_LARGE))
        CHECK (!verified && verify_error->code == error->code);
      g_clear_error (&error);
    }
  else
    {
      const float *x = strata_audio_get_samples (audio);
      const gint64 n = strata_audio_get_n_frames (audio);

      CHECK (verified);
      CHECK (n > 0);
      for (gint64 i = 0; i < 2 * n; i++)
        CHECK (isfinite (x[i]));
      strata_audio_unref (audio);
    }
  g_clear_error (&verify_error);
  return 0;
}
