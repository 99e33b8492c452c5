/* strata-source.c: the player's source interface and the plain track source.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "playback/strata-source.h"

G_DEFINE_INTERFACE (StrataSource, strata_source, G_TYPE_OBJECT)

static void
strata_source_default_init (StrataSourceInterface *iface)
{
}

/**
 * strata_source_get_n_frames:
 * @self: a #StrataSource
 *
 * Returns: the length of the source in frames at STRATA_SAMPLE_RATE
 */
gint64
strata_source_get_n_frames (StrataSource *self)
{
  g_return_val_if_fail (STRATA_IS_SOURCE (self), 0);

  return STRATA_SOURCE_GET_IFACE (self)->get_n_frames (self);
}

/**
 * strata_source_get_duration:
 * @self: a #StrataSource
 *
 * Returns: the length of the source in seconds
 */
double
strata_source_get_duration (StrataSource *self)
{
  return (double) strata_source_get_n_frames (self) / STRATA_SAMPLE_RATE;
}

/**
 * strata_source_render:
 * @self: a #StrataSource
 * @start: the first frame, >= 0
 * @n_frames: how many frames to write, >= 0
 * @out: (out caller-allocates): room for 2 × @n_frames floats
 *
 * Renders frames [@start, @start + @n_frames) as interleaved stereo; frames
 * past the end of the source are zeros. See the threading contract in
 * strata-source.h.
 */
void
strata_source_render (StrataSource *self, gint64 start, gint64 n_frames, float *out)
{
  g_return_if_fail (STRATA_IS_SOURCE (self));
  g_return_if_fail (start >= 0 && n_frames >= 0);
  g_return_if_fail (out != NULL || n_frames == 0);

  STRATA_SOURCE_GET_IFACE (self)->render (self, start, n_frames, out);
}

/* ---- StrataTrackSource ---------------------------------------------------- */

struct _StrataTrackSource
{
  GObject parent_instance;

  StrataAudio *audio;   /* immutable, so render needs no lock */
};

static void strata_track_source_iface_init (StrataSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StrataTrackSource, strata_track_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (STRATA_TYPE_SOURCE,
                                                      strata_track_source_iface_init))

static gint64
track_get_n_frames (StrataSource *source)
{
  return strata_audio_get_n_frames (STRATA_TRACK_SOURCE (source)->audio);
}

static void
track_render (StrataSource *source, gint64 start, gint64 n_frames, float *out)
{
  StrataTrackSource *self = STRATA_TRACK_SOURCE (source);
  gint64 total = strata_audio_get_n_frames (self->audio);
  gint64 n = CLAMP (total - start, 0, n_frames);

  if (n > 0)
    memcpy (out, strata_audio_get_samples (self->audio) + start * STRATA_CHANNELS,
            (gsize) n * STRATA_CHANNELS * sizeof (float));
  if (n < n_frames)
    memset (out + n * STRATA_CHANNELS, 0,
            (gsize) (n_frames - n) * STRATA_CHANNELS * sizeof (float));
}

static void
strata_track_source_iface_init (StrataSourceInterface *iface)
{
  iface->get_n_frames = track_get_n_frames;
  iface->render = track_render;
}

static void
strata_track_source_finalize (GObject *object)
{
  StrataTrackSource *self = STRATA_TRACK_SOURCE (object);

  g_clear_pointer (&self->audio, strata_audio_unref);
  G_OBJECT_CLASS (strata_track_source_parent_class)->finalize (object);
}

static void
strata_track_source_class_init (StrataTrackSourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = strata_track_source_finalize;
}

static void
strata_track_source_init (StrataTrackSource *self)
{
}

/**
 * strata_track_source_new:
 * @audio: (transfer none): the track
 *
 * Returns: (transfer full): a source that plays @audio unchanged
 */
StrataSource *
strata_track_source_new (StrataAudio *audio)
{
  StrataTrackSource *self;

  g_return_val_if_fail (audio != NULL, NULL);

  self = g_object_new (STRATA_TYPE_TRACK_SOURCE, NULL);
  self->audio = strata_audio_ref (audio);
  return STRATA_SOURCE (self);
}

/**
 * strata_track_source_get_audio:
 * @self: a #StrataTrackSource
 *
 * Returns: (transfer none): the track
 */
StrataAudio *
strata_track_source_get_audio (StrataTrackSource *self)
{
  g_return_val_if_fail (STRATA_IS_TRACK_SOURCE (self), NULL);

  return self->audio;
}
