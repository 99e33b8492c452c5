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
#include "io/strata-output.h"

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

/* Reads format, native rate, channels and length without decoding
 * (libsndfile when it recognises the file, GstDiscoverer otherwise). Same
 * errors as strata_audio_decode() for unreadable, empty (0 bytes or no
 * frames), unrecognised and header-truncated files; damage deeper in the
 * file shows only when decoding. A length no header gives (an Ogg file cut
 * short, without its last page) is n_frames -1. For Opus, sample_rate is
 * 48000 (the rate Opus decodes at). Clear @info with
 * strata_audio_info_clear(). */
gboolean strata_audio_probe (const char       *path,
                             StrataAudioInfo  *info,
                             GError          **error);
/* strata_audio_probe(), checked against the audio: a header's length is
 * reported only when every frame reads (else the decode's CORRUPT error), a
 * length no header gives is measured by decoding (codec_detail then says the
 * file was cut short). */
gboolean strata_audio_probe_measured (const char       *path,
                                      StrataAudioInfo  *info,
                                      GCancellable     *cancellable,
                                      GError          **error);

/* Native sample rates accepted (Hz); others give STRATA_AUDIO_ERROR_UNSUPPORTED. */
#define STRATA_AUDIO_MIN_RATE 1000
#define STRATA_AUDIO_MAX_RATE 768000

/* Decodes any file GStreamer or libsndfile can read to 44.1 kHz stereo float.
 * @progress is called on the calling thread. Returns NULL with @error set
 * (G_IO_ERROR_CANCELLED when @cancellable fired). (transfer full)
 *
 * Path: libsndfile when it opens the file, its rate is 44100 Hz and it
 * knows the length (a cut Ogg file has none, and libsndfile may then read
 * nothing). Otherwise GStreamer: uridecodebin ! audioconvert !
 * audioresample quality=6 ! F32LE 44.1 kHz ! appsink, or, when no audio
 * stream appears within 3 s, filesrc ! queue ! decodebin (see
 * strata-audio-gst.c). A 30 kHz tone at 96 kHz comes out 118 dB down (the
 * test requires >= 60 dB).
 *
 * Channels (same matrix on both paths):
 *   1 channel  -> L = R = x (no level change)
 *   2 channels -> unchanged
 *   more       -> each channel feeds L and R with gains by position
 *                 (ITU-R BS.775 style):
 *                   front L / R (and wide)        1 to its side
 *                   front centre, mono            0.7071 to both
 *                   front L/R of centre           0.9239 own side, 0.3827 other
 *                   side / rear / top / bottom L/R 0.7071 to its side
 *                   LFE                           dropped (0)
 *                   rear/top centre, other        0.5 to both
 *                 then each side is divided by the sum of its gains, so a
 *                 signal present in every channel keeps its level and the
 *                 result cannot clip. 5.1 gives
 *                 L = (FL + 0.7071 FC + 0.7071 SL) / 2.4142, R likewise.
 *   Positions come from libsndfile's channel map (WAVE_FORMAT_EXTENSIBLE,
 *   CAF, ...) or GStreamer's channel-mask. Unknown layouts of 3 to 8 channels
 *   take GStreamer's default layout for that count (3: FL FR LFE;
 *   4: FL FR RL RR; 5: FL FR FC RL RR; 6: FL FR FC LFE RL RR; 7: + RC;
 *   8: FL FR FC LFE RL RR SL SR); Ogg Vorbis/Opus read by libsndfile use the
 *   Vorbis order (6: FL FC FR RL RR LFE). Wider unknown layouts are
 *   averaged equally into both sides.
 * Non-finite samples (damaged float files) become 0.
 *
 * Truncation: a file cut short of the length its header states (WAV/AIFF
 * data chunk, FLAC STREAMINFO, MP3 Xing/LAME header) is
 * STRATA_AUDIO_ERROR_CORRUPT, never a silently shorter result. Ogg has no
 * length header, so a cut Ogg file decodes to the pages that are left; for
 * lengths GStreamer only estimates, a shortfall of more than 10 % (and 1 s)
 * is CORRUPT.
 *
 * Limits: at most 4 hours (STRATA_AUDIO_ERROR_TOO_LARGE beyond, or when
 * memory runs out). Peak memory stays near the decoded size (8 bytes a frame):
 * the result is allocated once from the announced length, grown by 1.25x
 * when a stream runs longer, and shrunk at the end. */
StrataAudio *strata_audio_decode (const char          *path,
                                  StrataProgressFunc   progress,
                                  gpointer             progress_data,
                                  GCancellable        *cancellable,
                                  GError             **error);
/* strata_audio_decode() folded to mono, 0.5 (L + R), at half the memory. */
float       *strata_audio_decode_mono (const char          *path,
                                       StrataProgressFunc   progress,
                                       gpointer             progress_data,
                                       GCancellable        *cancellable,
                                       gint64              *n_frames,
                                       GError             **error);

typedef enum {
  STRATA_AUDIO_FORMAT_WAV_F32,
  STRATA_AUDIO_FORMAT_WAV_PCM16,
  STRATA_AUDIO_FORMAT_FLAC,        /* 24-bit */
  STRATA_AUDIO_FORMAT_FLAC_PCM16,
  STRATA_AUDIO_FORMAT_WAV_PCM24,
} StrataAudioFormat;

/* Writes interleaved float samples with libsndfile through a StrataOutput
 * (core/io): atomic, the file is complete or absent, and never one of
 * @inputs. strata_audio_write() is the same with no inputs. */
gboolean strata_audio_write_full (const char         *path,
                                  const char *const  *inputs,
                                  const float        *samples,   /* (T, C) */
                                  gint64              n_frames,
                                  int                 channels,
                                  int                 sample_rate,
                                  StrataAudioFormat   format,
                                  GError            **error);
/* Encodes into @out (io/strata-output.h) without committing it: the caller
 * commits several outputs together, or aborts them all. */
gboolean strata_audio_write_output (StrataOutput       *out,
                                    const char         *path,
                                    const float        *samples,   /* (T, C) */
                                    gint64              n_frames,
                                    int                 channels,
                                    int                 sample_rate,
                                    StrataAudioFormat   format,
                                    GError            **error);
gboolean strata_audio_write (const char         *path,
                             const float        *samples,   /* (T, C) */
                             gint64              n_frames,
                             int                 channels,
                             int                 sample_rate,
                             StrataAudioFormat   format,
                             GError            **error);

G_END_DECLS
