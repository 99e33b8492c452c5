/* strata-audio-sndfile.c: the libsndfile side of decoding and probing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sndfile.h>

#include "audio/strata-audio-private.h"

#define CHUNK_FRAMES 8192

struct _StrataSndfile {
  char    *path;
  SNDFILE *sf;
  SF_INFO  sfinfo;
  gint64   exact_frames;   /* -1 when the format only estimates its length */
  gint64   counted_frames; /* MP3 without a length header: frames counted from its frame headers */
};

/* libsndfile's header log says "data : 352800 (should be 99956)" when a
 * WAV/AIFF-style data chunk promises more bytes than the file holds. */
static gboolean
log_says_truncated (SNDFILE *sf)
{
  char log[8192] = { 0 };
  const char *line;

  sf_command (sf, SFC_GET_LOG_INFO, log, sizeof log - 1);
  for (line = log; line != NULL && *line != '\0'; )
    {
      const char *next = strchr (line, '\n');
      gint64 stated, actual;

      if ((g_str_has_prefix (line, "data :") || g_str_has_prefix (line, "SSND :"))
          && sscanf (line + 6, " %" G_GINT64_FORMAT " (should be %" G_GINT64_FORMAT ")",
                     &stated, &actual) == 2
          && actual < stated)
        return TRUE;
      line = next ? next + 1 : NULL;
    }
  return FALSE;
}

/* An MPEG stream states its exact length only in a Xing/Info (LAME) header
 * in its first frame; otherwise libsndfile's length is an estimate. */
static gboolean
mpeg_has_length_header (const char *path)
{
  g_autoptr(GMappedFile) map = g_mapped_file_new (path, FALSE, NULL);
  const guint8 *data;
  gsize len, start = 0;

  if (map == NULL)
    return FALSE;
  data = (const guint8 *) g_mapped_file_get_contents (map);
  len = g_mapped_file_get_length (map);
  if (len >= 10 && memcmp (data, "ID3", 3) == 0)
    start = 10 + (((gsize) (data[6] & 0x7f) << 21) | ((gsize) (data[7] & 0x7f) << 14)
                  | ((gsize) (data[8] & 0x7f) << 7) | (gsize) (data[9] & 0x7f));
  if (start >= len)
    return FALSE;
  len = MIN (len - start, (gsize) 2048);
  data += start;
  for (gsize i = 0; i + 4 <= len; i++)
    if (memcmp (data + i, "Xing", 4) == 0 || memcmp (data + i, "Info", 4) == 0)
      return TRUE;
  return FALSE;
}

/* Samples in an MPEG audio stream without a length header, counted by
 * walking its frame headers (ISO 11172-3 / 13818-3): exact where the
 * bit-rate guess of libsndfile is not. Returns -1 when no frame is found. */
static gint64
mpeg_count_samples (const char *path)
{
  static const int kbps[2][3][16] = {
    { /* MPEG-1: layers I, II, III */
      { 0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 0 },
      { 0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 0 },
      { 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0 } },
    { /* MPEG-2 and 2.5 */
      { 0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256, 0 },
      { 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0 },
      { 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0 } },
  };
  static const int rates[3] = { 44100, 48000, 32000 };
  g_autoptr(GMappedFile) map = g_mapped_file_new (path, FALSE, NULL);
  if (map == NULL)
    return -1;
  const guint8 *d = (const guint8 *) g_mapped_file_get_contents (map);
  const gsize len = g_mapped_file_get_length (map);
  gsize i = 0;
  gint64 samples = 0;
  if (len >= 10 && memcmp (d, "ID3", 3) == 0)
    i = 10 + (((gsize) (d[6] & 0x7f) << 21) | ((gsize) (d[7] & 0x7f) << 14)
              | ((gsize) (d[8] & 0x7f) << 7) | (gsize) (d[9] & 0x7f));
  /* find the first frame within 64 KiB of the start, then walk */
  for (gsize limit = MIN (len, i + 65536); i + 4 <= limit; i++)
    if (d[i] == 0xff && (d[i + 1] & 0xe0) == 0xe0)
      break;
  while (i + 4 <= len)
    {
      const guint8 *h = d + i;
      const int ver = (h[1] >> 3) & 3;       /* 0: 2.5, 2: 2, 3: 1 */
      const int layer = 4 - ((h[1] >> 1) & 3);
      const int bri = h[2] >> 4, sri = (h[2] >> 2) & 3, pad = (h[2] >> 1) & 1;
      if (h[0] != 0xff || (h[1] & 0xe0) != 0xe0 || ver == 1 || layer == 4 || bri == 0 ||
          bri == 15 || sri == 3)
        break;
      const int v2 = ver != 3;
      const int rate = rates[sri] >> (ver == 3 ? 0 : ver == 2 ? 1 : 2);
      const int bitrate = kbps[v2][layer - 1][bri] * 1000;
      gsize size;
      int n;
      if (layer == 1)
        size = (gsize) ((12 * bitrate / rate + pad) * 4), n = 384;
      else if (layer == 3 && v2)
        size = (gsize) (72 * bitrate / rate + pad), n = 576;
      else
        size = (gsize) (144 * bitrate / rate + pad), n = 1152;
      if (i + size > len)
        break;   /* a cut last frame is not decoded */
      samples += n;
      i += size;
    }
  return samples > 0 ? samples : -1;
}

StrataSndfile *
_strata_sndfile_open (const char *path,
                      GError    **error)
{
  StrataSndfile *snd;
  SF_INFO sfinfo = { 0 };
  SNDFILE *sf;
  int major;

  sf = sf_open (path, SFM_READ, &sfinfo);
  if (sf == NULL)
    return NULL;
  if (sfinfo.channels <= 0 || sfinfo.samplerate <= 0)
    {
      sf_close (sf);
      return NULL;
    }
  if (sfinfo.samplerate < STRATA_AUDIO_MIN_RATE || sfinfo.samplerate > STRATA_AUDIO_MAX_RATE)
    {
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNSUPPORTED,
                   _("Cannot read “%s”: a sample rate of %d Hz is not supported"),
                   path, sfinfo.samplerate);
      sf_close (sf);
      return NULL;
    }
  if (log_says_truncated (sf))
    {
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_CORRUPT,
                   _("Cannot read “%s”: the file is truncated (its header announces more audio than it holds)"),
                   path);
      sf_close (sf);
      return NULL;
    }

  snd = g_new0 (StrataSndfile, 1);
  snd->path = g_strdup (path);
  snd->sf = sf;
  snd->sfinfo = sfinfo;
  major = sfinfo.format & SF_FORMAT_TYPEMASK;
  if (sfinfo.frames < 0 || sfinfo.frames == SF_COUNT_MAX)
    snd->exact_frames = -1;
  else if (major == SF_FORMAT_OGG)
    snd->exact_frames = -1;   /* from the last page's granule: a cut file just looks shorter */
  else if (major == SF_FORMAT_MPEG)
    {
      snd->exact_frames = mpeg_has_length_header (path) ? sfinfo.frames : -1;
      if (snd->exact_frames < 0)
        snd->counted_frames = mpeg_count_samples (path);
    }
  else
    snd->exact_frames = sfinfo.frames;
  return snd;
}

void
_strata_sndfile_close (StrataSndfile *snd)
{
  if (snd == NULL)
    return;
  sf_close (snd->sf);
  g_free (snd->path);
  g_free (snd);
}

int
_strata_sndfile_get_rate (StrataSndfile *snd)
{
  return snd->sfinfo.samplerate;
}

gint64
_strata_sndfile_get_exact_frames (StrataSndfile *snd)
{
  return snd->exact_frames;
}

gboolean
_strata_sndfile_is_fast_path (StrataSndfile *snd)
{
  /* An MP3 without a Xing/Info header: libsndfile's length is a guess from
   * the first frame's bit rate and it stops reading there (a VBR file came
   * back at a third of its length), so GStreamer decodes it. */
  const gboolean mpeg_guess = (snd->sfinfo.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG
                              && snd->exact_frames < 0;
  return snd->sfinfo.samplerate == STRATA_SAMPLE_RATE && !mpeg_guess
         && snd->sfinfo.frames >= 0 && snd->sfinfo.frames != SF_COUNT_MAX;
}

static const char *
major_name (int format)
{
  switch (format & SF_FORMAT_TYPEMASK)
    {
    case SF_FORMAT_WAV:
    case SF_FORMAT_WAVEX:
      return "WAV";
    case SF_FORMAT_RF64:
      return "RF64";
    case SF_FORMAT_W64:
      return "Wave64";
    case SF_FORMAT_AIFF:
      return "AIFF";
    case SF_FORMAT_CAF:
      return "CAF";
    case SF_FORMAT_AU:
      return "AU";
    case SF_FORMAT_FLAC:
      return "FLAC";
    case SF_FORMAT_MPEG:
      switch (format & SF_FORMAT_SUBMASK)
        {
        case SF_FORMAT_MPEG_LAYER_I:
          return "MP1";
        case SF_FORMAT_MPEG_LAYER_II:
          return "MP2";
        default:
          return "MP3";
        }
    case SF_FORMAT_OGG:
      switch (format & SF_FORMAT_SUBMASK)
        {
        case SF_FORMAT_OPUS:
          return "Opus";
        case SF_FORMAT_VORBIS:
          return "Ogg Vorbis";
        default:
          return "Ogg";
        }
    default:
      return NULL;
    }
}

static char *
detail_for (const SF_INFO *sfinfo)
{
  int major = sfinfo->format & SF_FORMAT_TYPEMASK;
  const char *pcm = (major == SF_FORMAT_FLAC) ? "" : "PCM ";

  switch (sfinfo->format & SF_FORMAT_SUBMASK)
    {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
      return g_strdup_printf ("%s8-bit", pcm);
    case SF_FORMAT_PCM_16:
      return g_strdup_printf ("%s16-bit", pcm);
    case SF_FORMAT_PCM_24:
      return g_strdup_printf ("%s24-bit", pcm);
    case SF_FORMAT_PCM_32:
      return g_strdup_printf ("%s32-bit", pcm);
    case SF_FORMAT_FLOAT:
      return g_strdup ("Float 32-bit");
    case SF_FORMAT_DOUBLE:
      return g_strdup ("Float 64-bit");
    case SF_FORMAT_ULAW:
      return g_strdup ("µ-law");
    case SF_FORMAT_ALAW:
      return g_strdup ("A-law");
    case SF_FORMAT_IMA_ADPCM:
      return g_strdup ("IMA ADPCM");
    case SF_FORMAT_MS_ADPCM:
      return g_strdup ("MS ADPCM");
    case SF_FORMAT_MPEG_LAYER_I:
      return g_strdup ("MPEG Layer I");
    case SF_FORMAT_MPEG_LAYER_II:
      return g_strdup ("MPEG Layer II");
    case SF_FORMAT_MPEG_LAYER_III:
      return g_strdup ("MPEG Layer III");
    case SF_FORMAT_VORBIS:
      return g_strdup ("Vorbis");
    case SF_FORMAT_OPUS:
      return g_strdup ("Opus");
    default:
      return NULL;
    }
}

void
_strata_sndfile_fill_info (StrataSndfile   *snd,
                           StrataAudioInfo *info)
{
  SF_FORMAT_INFO fmt = { .format = snd->sfinfo.format & SF_FORMAT_TYPEMASK };
  const char *name = major_name (snd->sfinfo.format);

  if (name == NULL && sf_command (NULL, SFC_GET_FORMAT_INFO, &fmt, sizeof fmt) == 0 && fmt.name)
    name = fmt.name;
  info->path = g_strdup (snd->path);
  info->format = g_strdup (name ? name : "unknown");
  info->codec_detail = detail_for (&snd->sfinfo);
  info->sample_rate = snd->sfinfo.samplerate;
  info->channels = snd->sfinfo.channels;
  info->n_frames = snd->exact_frames >= 0 ? snd->exact_frames
                   : snd->counted_frames > 0 ? snd->counted_frames
                   : (snd->sfinfo.frames != SF_COUNT_MAX ? snd->sfinfo.frames : -1);
  info->duration = info->n_frames >= 0 ? (double) info->n_frames / info->sample_rate : 0.0;

  /* Lossy streams: add the average bit rate ("Vorbis, 112 kb/s"). */
  if (info->duration > 0.0
      && ((snd->sfinfo.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG
          || (snd->sfinfo.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG))
    {
      GStatBuf st;

      if (g_stat (snd->path, &st) == 0 && st.st_size > 0)
        {
          char *with_rate = g_strdup_printf ("%s, %.0f kb/s",
                                             info->codec_detail ? info->codec_detail : info->format,
                                             (double) st.st_size * 8.0 / info->duration / 1000.0);
          g_free (info->codec_detail);
          info->codec_detail = with_rate;
        }
    }
}

static GstAudioChannelPosition
position_from_sndfile (int map)
{
  switch (map)
    {
    case SF_CHANNEL_MAP_MONO: return GST_AUDIO_CHANNEL_POSITION_MONO;
    case SF_CHANNEL_MAP_LEFT:
    case SF_CHANNEL_MAP_FRONT_LEFT: return GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT;
    case SF_CHANNEL_MAP_RIGHT:
    case SF_CHANNEL_MAP_FRONT_RIGHT: return GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT;
    case SF_CHANNEL_MAP_CENTER:
    case SF_CHANNEL_MAP_FRONT_CENTER: return GST_AUDIO_CHANNEL_POSITION_FRONT_CENTER;
    case SF_CHANNEL_MAP_REAR_CENTER: return GST_AUDIO_CHANNEL_POSITION_REAR_CENTER;
    case SF_CHANNEL_MAP_REAR_LEFT: return GST_AUDIO_CHANNEL_POSITION_REAR_LEFT;
    case SF_CHANNEL_MAP_REAR_RIGHT: return GST_AUDIO_CHANNEL_POSITION_REAR_RIGHT;
    case SF_CHANNEL_MAP_LFE: return GST_AUDIO_CHANNEL_POSITION_LFE1;
    case SF_CHANNEL_MAP_FRONT_LEFT_OF_CENTER: return GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT_OF_CENTER;
    case SF_CHANNEL_MAP_FRONT_RIGHT_OF_CENTER: return GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT_OF_CENTER;
    case SF_CHANNEL_MAP_SIDE_LEFT: return GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT;
    case SF_CHANNEL_MAP_SIDE_RIGHT: return GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT;
    case SF_CHANNEL_MAP_TOP_CENTER: return GST_AUDIO_CHANNEL_POSITION_TOP_CENTER;
    case SF_CHANNEL_MAP_TOP_FRONT_LEFT: return GST_AUDIO_CHANNEL_POSITION_TOP_FRONT_LEFT;
    case SF_CHANNEL_MAP_TOP_FRONT_RIGHT: return GST_AUDIO_CHANNEL_POSITION_TOP_FRONT_RIGHT;
    case SF_CHANNEL_MAP_TOP_FRONT_CENTER: return GST_AUDIO_CHANNEL_POSITION_TOP_FRONT_CENTER;
    case SF_CHANNEL_MAP_TOP_REAR_LEFT: return GST_AUDIO_CHANNEL_POSITION_TOP_REAR_LEFT;
    case SF_CHANNEL_MAP_TOP_REAR_RIGHT: return GST_AUDIO_CHANNEL_POSITION_TOP_REAR_RIGHT;
    case SF_CHANNEL_MAP_TOP_REAR_CENTER: return GST_AUDIO_CHANNEL_POSITION_TOP_REAR_CENTER;
    default: return GST_AUDIO_CHANNEL_POSITION_NONE;
    }
}

/* Ogg Vorbis and Opus (mapping family 1) fix the channel order by count
 * (Vorbis I spec, 4.3.9); libsndfile hands the channels over in that order
 * without a channel map. */
static gboolean
vorbis_positions (int                      channels,
                  GstAudioChannelPosition *pos)
{
  static const GstAudioChannelPosition order[8][8] = {
#define P(x) GST_AUDIO_CHANNEL_POSITION_##x
    { P (MONO) },
    { P (FRONT_LEFT), P (FRONT_RIGHT) },
    { P (FRONT_LEFT), P (FRONT_CENTER), P (FRONT_RIGHT) },
    { P (FRONT_LEFT), P (FRONT_RIGHT), P (REAR_LEFT), P (REAR_RIGHT) },
    { P (FRONT_LEFT), P (FRONT_CENTER), P (FRONT_RIGHT), P (REAR_LEFT), P (REAR_RIGHT) },
    { P (FRONT_LEFT), P (FRONT_CENTER), P (FRONT_RIGHT), P (REAR_LEFT), P (REAR_RIGHT), P (LFE1) },
    { P (FRONT_LEFT), P (FRONT_CENTER), P (FRONT_RIGHT), P (SIDE_LEFT), P (SIDE_RIGHT),
      P (REAR_CENTER), P (LFE1) },
    { P (FRONT_LEFT), P (FRONT_CENTER), P (FRONT_RIGHT), P (SIDE_LEFT), P (SIDE_RIGHT),
      P (REAR_LEFT), P (REAR_RIGHT), P (LFE1) },
#undef P
  };

  if (channels < 1 || channels > 8)
    return FALSE;
  memcpy (pos, order[channels - 1], sizeof (GstAudioChannelPosition) * (gsize) channels);
  return TRUE;
}

/* The verdict on a read that ended after @n_read frames: short of an exact
 * length, or nothing read, is an error. Shared by decoding and verifying so
 * that `info` and a load agree. */
static gboolean
check_frames_read (StrataSndfile *snd,
                   gint64         n_read,
                   GError       **error)
{
  if (snd->exact_frames >= 0 && n_read < snd->exact_frames)
    {
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_CORRUPT,
                   _("Cannot decode “%s”: the file is truncated or damaged (%lld of %lld "
                     "frames readable: %s)"),
                   snd->path, (long long) n_read, (long long) snd->exact_frames,
                   sf_strerror (snd->sf));
      return FALSE;
    }
  if (sf_error (snd->sf) != SF_ERR_NO_ERROR && n_read == 0)
    {
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_CORRUPT,
                   _("Cannot decode “%s”: %s"), snd->path, sf_strerror (snd->sf));
      return FALSE;
    }
  if (n_read == 0)
    {
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_EMPTY,
                   _("Cannot decode “%s”: the file holds no audio frames"), snd->path);
      return FALSE;
    }
  return TRUE;
}

/**
 * _strata_sndfile_verify:
 * @snd: a file just opened
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError, or %NULL
 *
 * Reads every frame (through a small buffer, nothing kept, no resampling)
 * and gives the verdict a decode would: a file cut short of the length its
 * header states, or damaged on the way, is %STRATA_AUDIO_ERROR_CORRUPT.
 *
 * Returns: %TRUE when the whole announced length reads
 */
gboolean
_strata_sndfile_verify (StrataSndfile *snd,
                        GCancellable  *cancellable,
                        GError       **error)
{
  const int channels = snd->sfinfo.channels;
  g_autofree float *scratch = NULL;
  gint64 n_read = 0;

  if (channels > 1024)
    {
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNSUPPORTED,
                   _("Cannot decode “%s”: %d channels are more than supported"), snd->path, channels);
      return FALSE;
    }
  scratch = g_new (float, (gsize) CHUNK_FRAMES * channels);
  for (;;)
    {
      sf_count_t n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      n = sf_readf_float (snd->sf, scratch, CHUNK_FRAMES);
      if (n <= 0)
        break;
      n_read += n;
    }
  return check_frames_read (snd, n_read, error);
}

gboolean
_strata_sndfile_decode (StrataSndfile          *snd,
                        StrataGrowBuffer       *result,
                        StrataProgressThrottle *progress,
                        GCancellable           *cancellable,
                        GError                **error)
{
  const int channels = snd->sfinfo.channels;
  const gint64 announced = snd->sfinfo.frames != SF_COUNT_MAX ? snd->sfinfo.frames : -1;
  StrataGrowBuffer buf = { .mono = result->mono };
  StrataDownmix mix = { 0 };
  g_autofree float *scratch = NULL;   /* (CHUNK_FRAMES, C) */
  g_autofree GstAudioChannelPosition *positions = NULL;
  g_autofree int *map = NULL;

  if (channels > 1024)
    {
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNSUPPORTED,
                   _("Cannot decode “%s”: %d channels are more than supported"), snd->path, channels);
      return FALSE;
    }

  map = g_new0 (int, channels);
  if (channels > 2 && sf_command (snd->sf, SFC_GET_CHANNEL_MAP_INFO, map, channels * (int) sizeof (int)))
    {
      positions = g_new (GstAudioChannelPosition, channels);
      for (int c = 0; c < channels; c++)
        positions[c] = position_from_sndfile (map[c]);
    }
  else if (channels > 2 && (snd->sfinfo.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG)
    {
      positions = g_new (GstAudioChannelPosition, channels);
      if (!vorbis_positions (channels, positions))
        g_clear_pointer (&positions, g_free);
    }
  _strata_downmix_init (&mix, channels, positions);

  /* The announced length is exact for most formats and a close estimate for
   * MPEG; a little headroom avoids a grow for estimates that fall short. */
  if (announced > 0
      && !_strata_grow_buffer_reserve (&buf,
                                       MIN (announced + (snd->exact_frames < 0 ? announced / 64 : 0),
                                            MAX (_strata_audio_get_max_frames (), announced)),
                                       snd->path, error))
    goto fail;

  scratch = g_new (float, (gsize) CHUNK_FRAMES * channels);
  _strata_progress_report (progress, 0.0);
  for (;;)
    {
      sf_count_t n;
      float *out;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
      n = sf_readf_float (snd->sf, scratch, CHUNK_FRAMES);
      if (n <= 0)
        break;
      out = _strata_grow_buffer_append (&buf, n, snd->path, error);
      if (out == NULL)
        goto fail;
      _strata_downmix_process (&mix, scratch, out, (gsize) n);
      _strata_downmix_sanitize (out, (gsize) n);
      if (announced > 0)
        _strata_progress_report (progress, (double) buf.n_frames / (double) announced);
    }

  if (!check_frames_read (snd, buf.n_frames, error))
    goto fail;

  _strata_downmix_clear (&mix);
  _strata_progress_report (progress, 1.0);
  *result = buf;
  return TRUE;

fail:
  _strata_downmix_clear (&mix);
  _strata_grow_buffer_clear (&buf);
  return FALSE;
}
