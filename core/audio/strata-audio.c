/* strata-audio.c: the StrataAudio buffer, errors, and the decode/probe entry
 * points that choose between libsndfile and GStreamer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "audio/strata-audio-private.h"

G_DEFINE_QUARK (strata-audio-error-quark, strata_audio_error)

struct _StrataAudio {
  gatomicrefcount ref_count;
  float          *samples;   /* (T, 2) */
  gint64          n_frames;  /* T */
};

/**
 * strata_audio_new_take:
 * @samples: (transfer full) (nullable): g_malloc'd (T, 2) interleaved samples
 *   at 44.1 kHz; may be %NULL only when @n_frames is 0
 * @n_frames: T, the number of stereo frames
 *
 * Wraps decoded samples in an immutable, reference-counted buffer.
 *
 * Returns: (transfer full): a new #StrataAudio with one reference
 */
StrataAudio *
strata_audio_new_take (float  *samples,
                       gint64  n_frames)
{
  StrataAudio *audio;

  g_return_val_if_fail (n_frames >= 0, NULL);
  g_return_val_if_fail (samples != NULL || n_frames == 0, NULL);

  audio = g_new0 (StrataAudio, 1);
  g_atomic_ref_count_init (&audio->ref_count);
  audio->samples = samples;
  audio->n_frames = n_frames;
  return audio;
}

/**
 * strata_audio_ref:
 * @audio: a #StrataAudio
 *
 * Returns: (transfer full): @audio, with one more reference
 */
StrataAudio *
strata_audio_ref (StrataAudio *audio)
{
  g_return_val_if_fail (audio != NULL, NULL);

  g_atomic_ref_count_inc (&audio->ref_count);
  return audio;
}

/**
 * strata_audio_unref:
 * @audio: (transfer full): a #StrataAudio
 *
 * Drops one reference; the samples are freed with the last one.
 */
void
strata_audio_unref (StrataAudio *audio)
{
  g_return_if_fail (audio != NULL);

  if (g_atomic_ref_count_dec (&audio->ref_count))
    {
      g_free (audio->samples);
      g_free (audio);
    }
}

/**
 * strata_audio_get_samples:
 * @audio: a #StrataAudio
 *
 * Returns: (transfer none) (nullable): the (T, 2) interleaved samples, valid
 *   while a reference is held; %NULL when T is 0
 */
const float *
strata_audio_get_samples (const StrataAudio *audio)
{
  g_return_val_if_fail (audio != NULL, NULL);

  return audio->samples;
}

/**
 * strata_audio_get_n_frames:
 * @audio: a #StrataAudio
 *
 * Returns: T, the number of stereo frames at 44.1 kHz
 */
gint64
strata_audio_get_n_frames (const StrataAudio *audio)
{
  g_return_val_if_fail (audio != NULL, 0);

  return audio->n_frames;
}

/**
 * strata_audio_get_duration:
 * @audio: a #StrataAudio
 *
 * Returns: the duration in seconds
 */
double
strata_audio_get_duration (const StrataAudio *audio)
{
  g_return_val_if_fail (audio != NULL, 0.0);

  return (double) audio->n_frames / STRATA_SAMPLE_RATE;
}

/**
 * strata_audio_info_clear:
 * @info: a #StrataAudioInfo filled by strata_audio_probe()
 *
 * Frees the strings of @info and zeroes it; safe to call twice.
 */
void
strata_audio_info_clear (StrataAudioInfo *info)
{
  g_return_if_fail (info != NULL);

  g_clear_pointer (&info->path, g_free);
  g_clear_pointer (&info->format, g_free);
  g_clear_pointer (&info->codec_detail, g_free);
  memset (info, 0, sizeof *info);
}

/* --- Limits ------------------------------------------------------------- */

/* Four hours at 44.1 kHz stereo float: 5.1 GB decoded. */
#define DEFAULT_MAX_FRAMES ((gint64) 4 * 3600 * STRATA_SAMPLE_RATE)

/* Only changed by tests, before decoding starts. */
static gint64 max_frames = DEFAULT_MAX_FRAMES;

gint64
_strata_audio_get_max_frames (void)
{
  return max_frames;
}

void
_strata_audio_set_max_frames (gint64 frames)
{
  max_frames = frames > 0 ? frames : DEFAULT_MAX_FRAMES;
}

/* --- Growable buffer ---------------------------------------------------- */

static void
set_too_large (const char *path,
               GError    **error)
{
  g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_TOO_LARGE,
               _("Cannot decode “%s”: the decoded audio would be longer than %.0f minutes or not fit in memory"),
               path, (double) _strata_audio_get_max_frames () / STRATA_SAMPLE_RATE / 60.0);
}

static gsize
frame_size (const StrataGrowBuffer *buf)
{
  return (buf->mono ? 1 : STRATA_CHANNELS) * sizeof (float);
}

gboolean
_strata_grow_buffer_reserve (StrataGrowBuffer *buf,
                             gint64            n_frames,
                             const char       *path,
                             GError          **error)
{
  float *data;

  if (n_frames <= buf->capacity)
    return TRUE;
  if (n_frames > _strata_audio_get_max_frames ())
    {
      set_too_large (path, error);
      return FALSE;
    }
  data = g_try_realloc (buf->data, (gsize) n_frames * frame_size (buf));
  if (data == NULL)
    {
      set_too_large (path, error);
      return FALSE;
    }
  buf->data = data;
  buf->capacity = n_frames;
  return TRUE;
}

/* Mono: folds the pending stereo block into the data. */
static void
fold_pending (StrataGrowBuffer *buf)
{
  float *out;

  if (!buf->mono || buf->n_pending == 0)
    return;
  out = buf->data + (buf->n_frames - buf->n_pending);
  for (gint64 i = 0; i < buf->n_pending; i++)
    out[i] = 0.5f * (buf->pending[2 * i] + buf->pending[2 * i + 1]);
  buf->n_pending = 0;
}

float *
_strata_grow_buffer_append (StrataGrowBuffer *buf,
                            gint64            n_frames,
                            const char       *path,
                            GError          **error)
{
  float *out;
  gint64 need = buf->n_frames + n_frames;

  fold_pending (buf);
  if (need > buf->capacity)
    {
      gint64 grown = MAX (need, buf->capacity + buf->capacity / 4);

      grown = MAX (grown, (gint64) 65536);
      if (grown > _strata_audio_get_max_frames ())
        grown = MAX (need, _strata_audio_get_max_frames ());
      if (!_strata_grow_buffer_reserve (buf, grown, path, error))
        return NULL;
    }
  if (buf->mono)
    {
      if (n_frames > buf->pending_capacity)
        {
          float *p = g_try_realloc (buf->pending, (gsize) n_frames * STRATA_CHANNELS * sizeof (float));

          if (p == NULL)
            {
              set_too_large (path, error);
              return NULL;
            }
          buf->pending = p;
          buf->pending_capacity = n_frames;
        }
      buf->n_pending = n_frames;
      buf->n_frames = need;
      return buf->pending;
    }
  out = buf->data + buf->n_frames * STRATA_CHANNELS;
  buf->n_frames = need;
  return out;
}

static float *
finish_data (StrataGrowBuffer *buf,
             gint64           *n_frames)
{
  float *data;
  gint64 n;

  fold_pending (buf);
  g_clear_pointer (&buf->pending, g_free);
  buf->pending_capacity = 0;
  data = g_steal_pointer (&buf->data);
  n = buf->n_frames;
  if (n == 0)
    g_clear_pointer (&data, g_free);
  else if (n < buf->capacity)
    {
      /* Shrinking never moves a block; if it fails the larger one is kept. */
      float *shrunk = g_try_realloc (data, (gsize) n * frame_size (buf));
      if (shrunk != NULL)
        data = shrunk;
    }
  buf->n_frames = buf->capacity = 0;
  *n_frames = n;
  return data;
}

StrataAudio *
_strata_grow_buffer_finish (StrataGrowBuffer *buf)
{
  gint64 n;
  float *data;

  g_return_val_if_fail (!buf->mono, NULL);
  data = finish_data (buf, &n);
  return strata_audio_new_take (data, n);
}

float *
_strata_grow_buffer_finish_mono (StrataGrowBuffer *buf,
                                 gint64           *n_frames)
{
  g_return_val_if_fail (buf->mono, NULL);
  return finish_data (buf, n_frames);
}

void
_strata_grow_buffer_clear (StrataGrowBuffer *buf)
{
  g_clear_pointer (&buf->data, g_free);
  g_clear_pointer (&buf->pending, g_free);
  buf->n_frames = buf->capacity = buf->n_pending = buf->pending_capacity = 0;
}

/* --- Progress ----------------------------------------------------------- */

void
_strata_progress_report (StrataProgressThrottle *p,
                         double                  fraction)
{
  gint64 now;

  if (p == NULL || p->func == NULL)
    return;
  now = g_get_monotonic_time ();
  if (fraction < 1.0 && p->last_us != 0 && now - p->last_us < G_USEC_PER_SEC / 30)
    return;
  p->last_us = now;
  p->func (CLAMP (fraction, 0.0, 1.0), "decode", p->data);
}

/* --- Entry points ------------------------------------------------------- */

/* What the first bytes of a file say that a decoder would only report as
 * a stream error: a Standard MIDI File (notes, not audio), or a RIFF WAVE
 * whose format chunk declares 0 channels or a rate of 0 Hz. */
static gboolean
check_header (const char *path, const guint8 *head, gsize n, GError **error)
{
  if (n >= 14 && memcmp (head, "MThd", 4) == 0)
    {
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_NOT_AUDIO,
                   _("Cannot open “%s”: it is a MIDI file, which holds notes, not audio"),
                   path);
      return FALSE;
    }
  /* RIFF <size> WAVE, then chunks; the format chunk is almost always first */
  if (n >= 36 && memcmp (head, "RIFF", 4) == 0 && memcmp (head + 8, "WAVE", 4) == 0
      && memcmp (head + 12, "fmt ", 4) == 0)
    {
      const guint channels = head[22] | (guint) head[23] << 8;
      const guint32 rate = head[24] | (guint32) head[25] << 8 | (guint32) head[26] << 16
                           | (guint32) head[27] << 24;
      if (channels == 0)
        {
          g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNSUPPORTED,
                       _("Cannot open “%s”: the file declares 0 channels"), path);
          return FALSE;
        }
      if (rate == 0)
        {
          g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNSUPPORTED,
                       _("Cannot open “%s”: the file declares a sample rate of 0 Hz"), path);
          return FALSE;
        }
    }
  return TRUE;
}

/* Opens @path once to tell a missing or unreadable file, a folder, an
 * empty file and a few headers no decoder explains well (check_header)
 * apart before any decoder sees it. */
static gboolean
check_readable (const char *path,
                GError    **error)
{
  GStatBuf st;
  int fd, saved_errno;

  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNREADABLE,
                   _("Cannot open “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  if (fstat (fd, &st) != 0)
    {
      saved_errno = errno;
      close (fd);
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNREADABLE,
                   _("Cannot open “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      close (fd);
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNREADABLE,
                   _("Cannot open “%s”: it is a folder"), path);
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNREADABLE,
                   _("Cannot open “%s”: it is not a regular file"), path);
      return FALSE;
    }
  if (st.st_size == 0)
    {
      close (fd);
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_EMPTY,
                   _("Cannot read “%s”: the file is empty (0 bytes)"), path);
      return FALSE;
    }
  guint8 head[64];
  const ssize_t n = read (fd, head, sizeof head);
  close (fd);
  return check_header (path, head, n > 0 ? (gsize) n : 0, error);
}

/* TRUE when the last Ogg page of @path is complete and flagged
 * end-of-stream (RFC 3533: capture "OggS", header type bit 0x04, 27-byte
 * header, segment table); a file cut short ends without one. */
static gboolean
ogg_ends_with_eos (const char *path)
{
  g_autoptr(GMappedFile) map = g_mapped_file_new (path, FALSE, NULL);
  if (map == NULL)
    return FALSE;
  const guint8 *d = (const guint8 *) g_mapped_file_get_contents (map);
  const gsize len = g_mapped_file_get_length (map);
  if (len < 27)
    return FALSE;
  const gsize lowest = len > 131072 ? len - 131072 : 0;
  for (gsize i = len - 27 + 1; i-- > lowest;)
    if (memcmp (d + i, "OggS", 4) == 0 && d[i + 4] == 0)
      {
        const gsize nseg = d[i + 26];
        if (i + 27 + nseg > len)
          return FALSE;
        gsize body = 0;
        for (gsize k = 0; k < nseg; k++)
          body += d[i + 27 + k];
        return (d[i + 5] & 0x04) != 0 && i + 27 + nseg + body == len;
      }
  return FALSE;
}

/**
 * strata_audio_probe_measured:
 * @path: an audio file
 * @info: (out caller-allocates): as for strata_audio_probe()
 * @cancellable: (nullable): cancels the decode, if one is needed
 * @error: return location for a #GError, or %NULL
 *
 * strata_audio_probe(), checked against the audio itself so that its
 * verdict is the one strata_audio_decode() gives: a length a header states
 * (WAV, FLAC STREAMINFO, MP3 Xing/LAME) is reported only when every frame
 * reads (libsndfile, no resampling, constant memory), otherwise the file is
 * %STRATA_AUDIO_ERROR_CORRUPT as for a decode; when no header gives the
 * length (an Ogg file cut short has no last-page granule to read it from)
 * it is measured by decoding, and codec_detail then says the file was cut
 * short. For `strata-cli info`; the engine's load job decodes anyway.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
strata_audio_probe_measured (const char       *path,
                             StrataAudioInfo  *info,
                             GCancellable     *cancellable,
                             GError          **error)
{
  if (!strata_audio_probe (path, info, error))
    return FALSE;
  if (info->n_frames >= 0)
    {
      /* A length read from a header is only reported when the audio is
       * there: libsndfile reads every frame, as a decode would, so a file
       * cut or damaged after its header gets the decode's verdict. */
      GError *local = NULL;
      StrataSndfile *snd = _strata_sndfile_open (path, &local);
      gboolean ok = local == NULL;

      if (snd != NULL && _strata_sndfile_get_exact_frames (snd) >= 0)
        ok = _strata_sndfile_verify (snd, cancellable, &local);
      _strata_sndfile_close (snd);
      if (!ok)
        {
          g_propagate_error (error, local);
          strata_audio_info_clear (info);
        }
      return ok;
    }
  g_autoptr(StrataAudio) audio = strata_audio_decode (path, NULL, NULL, cancellable, error);
  if (audio == NULL)
    {
      strata_audio_info_clear (info);
      return FALSE;
    }
  const gint64 n = strata_audio_get_n_frames (audio);
  info->n_frames = (gint64) gst_util_uint64_scale_round ((guint64) n, (guint64) info->sample_rate,
                                                         STRATA_SAMPLE_RATE);
  info->duration = (double) n / STRATA_SAMPLE_RATE;
  if (g_str_has_prefix (info->format, "Ogg") || strcmp (info->format, "Opus") == 0)
    {
      if (!ogg_ends_with_eos (path))
        {
          g_autofree char *old = info->codec_detail;
          info->codec_detail = g_strdup_printf (_("%s; cut short (no end-of-stream page): length "
                                                  "of the audio that is left"),
                                                old ? old : info->format);
        }
    }
  return TRUE;
}

/**
 * strata_audio_probe:
 * @path: an audio file
 * @info: (out caller-allocates): filled on success; clear it with
 *   strata_audio_info_clear()
 * @error: return location for a #GError, or %NULL
 *
 * Reads what a file holds without decoding it: libsndfile when it recognises
 * the file, GstDiscoverer otherwise. A file libsndfile recognises as damaged
 * (e.g. a WAV whose header promises more data than present) is an error, as
 * for strata_audio_decode(). May block on I/O: not for the GTK main thread.
 *
 * Returns: %TRUE on success, %FALSE with @error set (%STRATA_AUDIO_ERROR)
 */
gboolean
strata_audio_probe (const char       *path,
                    StrataAudioInfo  *info,
                    GError          **error)
{
  StrataSndfile *snd;
  GError *local = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (info, 0, sizeof *info);
  if (!check_readable (path, error))
    return FALSE;
  snd = _strata_sndfile_open (path, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (snd != NULL)
    {
      _strata_sndfile_fill_info (snd, info);
      _strata_sndfile_close (snd);
      if (info->n_frames == 0)
        {
          strata_audio_info_clear (info);
          g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_EMPTY,
                       _("Cannot read “%s”: the file holds no audio frames"), path);
          return FALSE;
        }
      return TRUE;
    }
  return _strata_gst_probe (path, info, error);
}

/**
 * strata_audio_decode:
 * @path: an audio file
 * @progress: (nullable) (scope call): called with (fraction, "decode") on the
 *   calling thread, at most about 30 times a second
 * @progress_data: (closure): user data for @progress
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError, or %NULL
 *
 * Decodes a whole file to 44.1 kHz stereo float. Files libsndfile reads at
 * 44.1 kHz with a known length (WAV, FLAC, AIFF, Ogg Vorbis, MP3, ...) are
 * read directly; all others go through GStreamer (uridecodebin ! audioconvert ! audioresample
 * quality 6). Channels are folded to stereo as documented in
 * strata-audio.h. Memory: the result is allocated once from the announced
 * length (grown by 1.25x when a stream runs longer), so peak memory stays
 * close to the decoded size.
 *
 * Errors (%STRATA_AUDIO_ERROR): UNREADABLE (missing, no permission, folder, device or FIFO),
 * EMPTY (0 bytes or no frames), NOT_AUDIO (nothing recognises the bytes),
 * CORRUPT (recognised but damaged, including a file cut short of the length
 * its header states: WAV/AIFF data chunks, FLAC STREAMINFO, MP3 Xing/LAME
 * headers; Ogg has no such header, so a cut Ogg file decodes to what is
 * left), UNSUPPORTED (no decoder installed), TOO_LARGE (over 4 hours, or
 * out of memory). Cancellation gives %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full) (nullable): the audio, or %NULL with @error set
 */
/* The decode behind strata_audio_decode() and strata_audio_decode_mono(). */
static gboolean
decode_into (const char             *path,
             StrataGrowBuffer       *result,
             StrataProgressThrottle *throttle,
             GCancellable           *cancellable,
             GError                **error)
{
  StrataSndfile *snd;
  GError *local = NULL;
  gint64 expected = -1;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!check_readable (path, error))
    return FALSE;

  snd = _strata_sndfile_open (path, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (snd != NULL)
    {
      int rate = _strata_sndfile_get_rate (snd);
      gint64 exact = _strata_sndfile_get_exact_frames (snd);

      if (_strata_sndfile_is_fast_path (snd))
        {
          gboolean ok = _strata_sndfile_decode (snd, result, throttle, cancellable, error);

          _strata_sndfile_close (snd);
          return ok;
        }
      if (exact >= 0)
        expected = (gint64) gst_util_uint64_scale_round ((guint64) exact, STRATA_SAMPLE_RATE, (guint64) rate);
      _strata_sndfile_close (snd);
    }
  return _strata_gst_decode (path, expected, result, throttle, cancellable, error);
}

StrataAudio *
strata_audio_decode (const char          *path,
                     StrataProgressFunc   progress,
                     gpointer             progress_data,
                     GCancellable        *cancellable,
                     GError             **error)
{
  StrataProgressThrottle throttle = { progress, progress_data, 0 };
  StrataGrowBuffer buf = { 0 };

  if (!decode_into (path, &buf, &throttle, cancellable, error))
    return NULL;
  return _strata_grow_buffer_finish (&buf);
}

/**
 * strata_audio_decode_mono:
 * @path: the file
 * @progress: (nullable) (scope call): progress callback
 * @progress_data: its data
 * @cancellable: (nullable): a #GCancellable
 * @n_frames: (out): the number of samples returned
 * @error: return location for a #GError, or %NULL
 *
 * strata_audio_decode() folded to mono: sample i is 0.5 (L[i] + R[i]) of
 * the stereo decode, bit for bit, but the stereo samples are never all in
 * memory (each decoded block is folded as it arrives), so the peak is half
 * a stereo decode's. For analyses of long files that need only the mix.
 * The same errors as strata_audio_decode().
 *
 * Returns: (transfer full) (nullable): @n_frames samples at 44.1 kHz, or
 *   %NULL with @error set
 */
float *
strata_audio_decode_mono (const char          *path,
                          StrataProgressFunc   progress,
                          gpointer             progress_data,
                          GCancellable        *cancellable,
                          gint64              *n_frames,
                          GError             **error)
{
  StrataProgressThrottle throttle = { progress, progress_data, 0 };
  StrataGrowBuffer buf = { .mono = TRUE };

  g_return_val_if_fail (n_frames != NULL, NULL);
  *n_frames = 0;
  if (!decode_into (path, &buf, &throttle, cancellable, error))
    return NULL;
  return _strata_grow_buffer_finish_mono (&buf, n_frames);
}
