/* strata-audio-private.h: internals shared by the files of core/audio.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/audio/audio.h>
#include "audio/strata-audio.h"

G_BEGIN_DECLS

/* Largest decoded length accepted, in frames at 44.1 kHz (see
 * strata_audio_decode). Tests lower it to exercise STRATA_AUDIO_ERROR_TOO_LARGE. */
gint64 _strata_audio_get_max_frames (void);
void   _strata_audio_set_max_frames (gint64 max_frames);
/* How long the GStreamer path waits in pull mode for an audio stream before
 * retrying in push mode (see strata-audio-gst.c); <= 0 restores 3 s. */
void   _strata_audio_set_pad_timeout (gint64 usec);

/* The (2, C) matrix that folds C positioned channels to stereo. */
typedef struct {
  int    channels;
  float *coef;     /* (2, C): row 0 feeds L, row 1 feeds R */
} StrataDownmix;

void _strata_downmix_init  (StrataDownmix                 *mix,
                            int                            channels,
                            const GstAudioChannelPosition *positions); /* nullable */
void _strata_downmix_clear (StrataDownmix *mix);
/* @in: (T, C) interleaved; @out: (T, 2) interleaved. */
void _strata_downmix_process (const StrataDownmix *mix,
                              const float         *in,
                              float               *out,
                              gsize                n_frames);
void _strata_downmix_sanitize (float *x,
                               gsize  n_frames);

/* Growable float buffer of decoded frames: preallocated from the announced
 * length, grown by 1.25x with g_try_realloc (glibc moves large blocks with
 * mremap, without copying), shrunk at the end. Stereo (T, 2) by default;
 * with @mono set, the decoders still write stereo (into @pending, a
 * scratch area), and each block is folded to 0.5 (L + R) when the next one
 * is appended or the buffer finished: half the memory of a stereo decode,
 * the same samples as the downmix of one. */
typedef struct {
  float   *data;       /* (capacity, channels) */
  gint64   n_frames;   /* including the pending block */
  gint64   capacity;
  gboolean mono;
  float   *pending;    /* mono: (pending_capacity, 2), the last block appended */
  gint64   n_pending;
  gint64   pending_capacity;
} StrataGrowBuffer;

gboolean _strata_grow_buffer_reserve (StrataGrowBuffer *buf,
                                      gint64            n_frames,
                                      const char       *path,
                                      GError          **error);
/* Space for @n_frames more frames; returns where to write them, or NULL. */
float   *_strata_grow_buffer_append  (StrataGrowBuffer *buf,
                                      gint64            n_frames,
                                      const char       *path,
                                      GError          **error);
StrataAudio *_strata_grow_buffer_finish (StrataGrowBuffer *buf);
/* The mono samples (transfer full, NULL when empty), *@n_frames their count. */
float   *_strata_grow_buffer_finish_mono (StrataGrowBuffer *buf,
                                          gint64           *n_frames);
void     _strata_grow_buffer_clear   (StrataGrowBuffer *buf);

/* Calls @func at most ~30 times a second (always for fraction 1). */
typedef struct {
  StrataProgressFunc func;
  gpointer           data;
  gint64             last_us;
} StrataProgressThrottle;

void _strata_progress_report (StrataProgressThrottle *p,
                              double                  fraction);

/* libsndfile side (strata-audio-sndfile.c). */
typedef struct _StrataSndfile StrataSndfile;

/* Opens @path with libsndfile. Returns NULL without error when libsndfile does
 * not recognise the bytes; NULL with @error set when it recognises them but
 * they are damaged (e.g. a WAV whose header promises more data than present). */
StrataSndfile *_strata_sndfile_open        (const char      *path,
                                            GError         **error);
void           _strata_sndfile_close       (StrataSndfile   *snd);
int            _strata_sndfile_get_rate    (StrataSndfile   *snd);
/* Frames announced by the header, or -1 when the format only estimates it. */
gint64         _strata_sndfile_get_exact_frames (StrataSndfile *snd);
/* TRUE when libsndfile should decode the file itself: 44.1 kHz and a known
 * length (a cut Ogg file reports no length, and libsndfile may then read
 * nothing where GStreamer recovers the complete pages). */
gboolean       _strata_sndfile_is_fast_path (StrataSndfile *snd);
void           _strata_sndfile_fill_info   (StrataSndfile   *snd,
                                            StrataAudioInfo *info);
/* Reads every frame without keeping them: the verdict of a decode. */
gboolean       _strata_sndfile_verify      (StrataSndfile          *snd,
                                            GCancellable           *cancellable,
                                            GError                **error);
/* Decodes into @result (initialised by the caller: zero, @mono set or not);
 * on failure @result is left empty. */
gboolean       _strata_sndfile_decode      (StrataSndfile          *snd,
                                            StrataGrowBuffer       *result,
                                            StrataProgressThrottle *progress,
                                            GCancellable           *cancellable,
                                            GError                **error);

/* GStreamer side (strata-audio-gst.c). @expected_frames: length at 44.1 kHz the
 * container announces exactly (from libsndfile), or -1. */
gboolean     _strata_gst_decode (const char             *path,
                                 gint64                  expected_frames,
                                 StrataGrowBuffer       *result,
                                 StrataProgressThrottle *progress,
                                 GCancellable           *cancellable,
                                 GError                **error);
gboolean     _strata_gst_probe  (const char             *path,
                                 StrataAudioInfo        *info,
                                 GError                **error);

G_END_DECLS
