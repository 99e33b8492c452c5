/* strata-audio-write.c: writing audio files with libsndfile, atomically.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sndfile.h>

#include "audio/strata-audio.h"

#define WRITE_CHUNK_FRAMES 65536

static void
set_write_error (GError    **error,
                 const char *path,
                 const char *reason)
{
  g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_WRITE,
               _("Cannot write “%s”: %s"), path, reason);
}

static mode_t
current_umask (void)
{
  /* umask() can only be read by setting it; done once, before threads write. */
  static gsize once;
  static mode_t mask;

  if (g_once_init_enter (&once))
    {
      mask = umask (022);
      umask (mask);
      g_once_init_leave (&once, 1);
    }
  return mask;
}

/**
 * strata_audio_write:
 * @path: destination file name
 * @samples: (array): (T, C) interleaved float samples, nominally in [-1, 1]
 * @n_frames: T
 * @channels: C, at least 1
 * @sample_rate: in Hz
 * @format: the file format
 * @error: return location for a #GError, or %NULL
 *
 * Writes @samples with libsndfile. The data goes to a temporary file in the
 * folder of @path, which is flushed to disk and then renamed over @path, so
 * @path is either the complete new file or untouched (on failure the
 * temporary file is removed). PCM formats clip out-of-range samples instead
 * of wrapping them.
 *
 * Returns: %TRUE on success, %FALSE with @error set (%STRATA_AUDIO_ERROR_WRITE)
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
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp_path = NULL;
  SF_INFO sfinfo = { 0 };
  SNDFILE *sf;
  int fd;
  int saved_errno;
  gint64 done = 0;

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

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp_path = g_strdup_printf ("%s%c.%s.XXXXXX.part", dir, G_DIR_SEPARATOR, base);
  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      saved_errno = errno;
      set_write_error (error, path, g_strerror (saved_errno));
      return FALSE;
    }
  /* mkstemp creates 0600; give the file the mode a plain create would. */
  (void) fchmod (fd, 0666 & ~current_umask ());

  sf = sf_open_fd (fd, SFM_WRITE, &sfinfo, FALSE);
  if (sf == NULL)
    {
      set_write_error (error, path, sf_strerror (NULL));
      goto fail;
    }
  sf_command (sf, SFC_SET_CLIPPING, NULL, SF_TRUE);

  while (done < n_frames)
    {
      sf_count_t n = MIN (n_frames - done, WRITE_CHUNK_FRAMES);

      if (sf_writef_float (sf, samples + done * channels, n) != n)
        {
          set_write_error (error, path, sf_strerror (sf));
          sf_close (sf);
          goto fail;
        }
      done += n;
    }
  if (sf_close (sf) != 0)
    {
      set_write_error (error, path, _("the file could not be completed"));
      goto fail;
    }
  if (fsync (fd) != 0 || close (fd) != 0)
    {
      saved_errno = errno;
      fd = -1;
      set_write_error (error, path, g_strerror (saved_errno));
      goto fail;
    }
  fd = -1;
  if (g_rename (tmp_path, path) != 0)
    {
      saved_errno = errno;
      set_write_error (error, path, g_strerror (saved_errno));
      goto fail;
    }
  return TRUE;

fail:
  if (fd >= 0)
    close (fd);
  g_unlink (tmp_path);
  return FALSE;
}
