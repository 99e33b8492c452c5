/* strata-audio-write.c: writing audio files with libsndfile, atomically.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sndfile.h>

#include "audio/strata-audio.h"
#include "io/strata-output.h"

#define WRITE_CHUNK_FRAMES 65536

static void
set_write_error (GError    **error,
                 const char *path,
                 const char *reason)
{
  g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_WRITE,
               _("Cannot write “%s”: %s"), path, reason);
}

/**
 * strata_audio_write_output:
 * @out: an output from strata_output_new() (not committed here)
 * @path: the file @out stands for, named in errors
 * @samples: (array): (T, C) interleaved float samples, nominally in [-1, 1]
 * @n_frames: T
 * @channels: C, at least 1
 * @sample_rate: in Hz
 * @format: the file format
 * @error: return location for a #GError, or %NULL
 *
 * Encodes @samples with libsndfile into @out's temporary file; the caller
 * commits (or aborts) @out, so that several files can be written first and
 * made visible together. PCM formats clip out-of-range samples instead of
 * wrapping them.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 *   (%STRATA_AUDIO_ERROR_WRITE)
 */
gboolean
strata_audio_write_output (StrataOutput       *out,
                           const char         *path,
                           const float        *samples,
                           gint64              n_frames,
                           int                 channels,
                           int                 sample_rate,
                           StrataAudioFormat   format,
                           GError            **error)
{
  SF_INFO sfinfo = { 0 };
  SNDFILE *sf;
  gint64 done = 0;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (samples != NULL || n_frames == 0, FALSE);
  g_return_val_if_fail (n_frames >= 0, FALSE);
  g_return_val_if_fail (channels > 0, FALSE);
  g_return_val_if_fail (sample_rate > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  switch (format)
    {
    case STRATA_AUDIO_FORMAT_WAV_F32:
      sfinfo.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
      break;
    case STRATA_AUDIO_FORMAT_WAV_PCM16:
      sfinfo.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
      break;
    case STRATA_AUDIO_FORMAT_FLAC:
      sfinfo.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_24;
      break;
    case STRATA_AUDIO_FORMAT_FLAC_PCM16:
      sfinfo.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
      break;
    case STRATA_AUDIO_FORMAT_WAV_PCM24:
      sfinfo.format = SF_FORMAT_WAV | SF_FORMAT_PCM_24;
      break;
    default:
      g_return_val_if_reached (FALSE);
    }
  sfinfo.channels = channels;
  sfinfo.samplerate = sample_rate;
  if (!sf_format_check (&sfinfo))
    {
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_WRITE,
                   _("Cannot write “%s”: %d channels at %d Hz cannot be stored in this format"),
                   path, channels, sample_rate);
      return FALSE;
    }

  sf = sf_open_fd (strata_output_get_fd (out), SFM_WRITE, &sfinfo, FALSE);
  if (sf == NULL)
    {
      set_write_error (error, path, sf_strerror (NULL));
      return FALSE;
    }
  sf_command (sf, SFC_SET_CLIPPING, NULL, SF_TRUE);

  while (done < n_frames)
    {
      sf_count_t n = MIN (n_frames - done, WRITE_CHUNK_FRAMES);

      if (sf_writef_float (sf, samples + done * channels, n) != n)
        {
          set_write_error (error, path, sf_strerror (sf));
          sf_close (sf);
          return FALSE;
        }
      done += n;
    }
  if (sf_close (sf) != 0)
    {
      set_write_error (error, path, _("the file could not be completed"));
      return FALSE;
    }
  return TRUE;
}

/**
 * strata_audio_write_full:
 * @path: destination file name
 * @inputs: (nullable) (array zero-terminated=1): the files the audio is made
 *   from, which @path must not replace
 * @samples: (array): (T, C) interleaved float samples, nominally in [-1, 1]
 * @n_frames: T
 * @channels: C, at least 1
 * @sample_rate: in Hz
 * @format: the file format
 * @error: return location for a #GError, or %NULL
 *
 * Writes @samples with libsndfile through a #StrataOutput: refused when
 * @path is one of @inputs or a folder; the data goes to a temporary file in
 * the folder of @path, flushed to disk and renamed over @path, so @path is
 * either the complete new file or untouched (strata_audio_write_output(),
 * then the commit).
 *
 * Returns: %TRUE on success, %FALSE with @error set (%STRATA_OUTPUT_ERROR
 *   from the output, %STRATA_AUDIO_ERROR_WRITE from the encoder)
 */
gboolean
strata_audio_write_full (const char         *path,
                         const char *const  *inputs,
                         const float        *samples,
                         gint64              n_frames,
                         int                 channels,
                         int                 sample_rate,
                         StrataAudioFormat   format,
                         GError            **error)
{
  g_autoptr (StrataOutput) out = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  out = strata_output_new (path, inputs, error);
  if (out == NULL)
    return FALSE;
  if (!strata_audio_write_output (out, path, samples, n_frames, channels, sample_rate, format,
                                  error))
    return FALSE;
  return strata_output_commit (g_steal_pointer (&out), error);
}

/**
 * strata_audio_write:
 * @path: destination file name
 * @samples: (array): (T, C) interleaved float samples
 * @n_frames: T
 * @channels: C, at least 1
 * @sample_rate: in Hz
 * @format: the file format
 * @error: return location for a #GError, or %NULL
 *
 * strata_audio_write_full() for audio that is made from no input file (a
 * rendered corpus, a test signal).
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
strata_audio_write (const char        *path,
                    const float       *samples,
                    gint64             n_frames,
                    int                channels,
                    int                sample_rate,
                    StrataAudioFormat  format,
                    GError           **error)
{
  return strata_audio_write_full (path, NULL, samples, n_frames, channels, sample_rate,
                                  format, error);
}
