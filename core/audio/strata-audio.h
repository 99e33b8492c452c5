/* strata-audio.h: decoded audio, probing and writing.
 *
 * Everything Strata analyses is 44.1 kHz stereo float (STRATA_SAMPLE_RATE,
 * STRATA_CHANNELS). A StrataAudio is immutable once returned and shared by
 * reference count, so any thread may read it and the UI draws without copying.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "strata-types.h"

G_BEGIN_DECLS

#define STRATA_AUDIO_ERROR (strata_audio_error_quark ())
GQuark strata_audio_error_quark (void);

typedef enum {
  STRATA_AUDIO_ERROR_UNREADABLE,   /* missing, permission denied, I/O error */
  STRATA_AUDIO_ERROR_EMPTY,        /* zero bytes, or no audio frames */
  STRATA_AUDIO_ERROR_NOT_AUDIO,    /* no decoder recognises the bytes */
  STRATA_AUDIO_ERROR_CORRUPT,      /* recognised but truncated / damaged */
  STRATA_AUDIO_ERROR_UNSUPPORTED,  /* valid audio we cannot handle (rate, channels) */
  STRATA_AUDIO_ERROR_TOO_LARGE,    /* would not fit in memory */
  STRATA_AUDIO_ERROR_WRITE,        /* writing an output file failed */
} StrataAudioError;

typedef struct _StrataAudio StrataAudio;

/* Takes ownership of @samples (g_malloc'd, (T, 2) interleaved, T = @n_frames). */
StrataAudio  *strata_audio_new_take       (float *samples, gint64 n_frames);
StrataAudio  *strata_audio_ref            (StrataAudio *audio);
void          strata_audio_unref          (StrataAudio *audio);
/* (T, 2) interleaved, borrowed, valid while a reference is held. */
const float  *strata_audio_get_samples    (const StrataAudio *audio);
gint64        strata_audio_get_n_frames   (const StrataAudio *audio);
double        strata_audio_get_duration   (const StrataAudio *audio);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataAudio, strata_audio_unref)

/* What a file holds, before decoding. */
typedef struct {
  char   *path;
  char   *format;        /* e.g. "FLAC", "WAV", "Ogg Vorbis", "Opus", "MP3" */
  char   *codec_detail;  /* nullable: e.g. "PCM 16-bit" */
  int     sample_rate;   /* native rate, Hz */
  int     channels;      /* native channel count */
  gint64  n_frames;      /* at the native rate; -1 when unknown */
  double  duration;      /* seconds */
} StrataAudioInfo;

void strata_audio_info_clear (StrataAudioInfo *info);

gboolean strata_audio_probe (const char       *path,
                             StrataAudioInfo  *info,
                             GError          **error);

/* Decodes any file GStreamer or libsndfile can read to 44.1 kHz stereo float.
 * @progress is called on the calling thread. Returns NULL with @error set
 * (G_IO_ERROR_CANCELLED when @cancellable fired). (transfer full) */
StrataAudio *strata_audio_decode (const char          *path,
                                  StrataProgressFunc   progress,
                                  gpointer             progress_data,
                                  GCancellable        *cancellable,
                                  GError             **error);

typedef enum {
  STRATA_AUDIO_FORMAT_WAV_F32,
  STRATA_AUDIO_FORMAT_WAV_PCM16,
  STRATA_AUDIO_FORMAT_FLAC,        /* 24-bit */
} StrataAudioFormat;

/* Writes interleaved float samples with libsndfile. Atomic: the file is
 * complete or absent (written to a temporary name, then renamed). */
gboolean strata_audio_write (const char         *path,
                             const float        *samples,   /* (T, C) */
                             gint64              n_frames,
                             int                 channels,
                             int                 sample_rate,
                             StrataAudioFormat   format,
                             GError            **error);

G_END_DECLS
