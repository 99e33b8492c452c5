/* strata-source.h: what the player pulls its samples from.
 *
 * A StrataSource is a fixed-length stream of 44.1 kHz stereo float frames
 * (STRATA_SAMPLE_RATE, STRATA_CHANNELS, interleaved) that renders any range
 * on request. The player (strata-player.h) asks it for one buffer at a time
 * from GStreamer's streaming thread; seeking and looping are only a change of
 * the range asked for, so a source needs no notion of time or state.
 *
 * Implementations: StrataTrackSource (one decoded track, below) and
 * StrataStemMixer (strata-stem-mixer.h, the live stem mix).
 *
 * Threading contract: get_n_frames() is constant for the object's lifetime
 * and may be called on any thread. render() is called on one thread at a
 * time (the player's streaming thread) and must not block, take a lock the
 * main thread holds for long, or allocate: it runs once a buffer
 * (STRATA_PLAYER_BUFFER_FRAMES) in real time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include "audio/strata-audio.h"

G_BEGIN_DECLS

#define STRATA_TYPE_SOURCE (strata_source_get_type ())
G_DECLARE_INTERFACE (StrataSource, strata_source, STRATA, SOURCE, GObject)

/**
 * StrataSourceInterface:
 * @get_n_frames: the length in frames (constant)
 * @render: writes @n_frames interleaved stereo frames from frame @start
 *   into @out (2 × @n_frames floats); frames past the end are zeros
 */
struct _StrataSourceInterface
{
  GTypeInterface parent_iface;

  gint64 (*get_n_frames) (StrataSource *self);
  void   (*render)       (StrataSource *self,
                          gint64        start,
                          gint64        n_frames,
                          float        *out);
};

gint64 strata_source_get_n_frames (StrataSource *self);
double strata_source_get_duration (StrataSource *self);
void   strata_source_render       (StrataSource *self,
                                   gint64        start,
                                   gint64        n_frames,
                                   float        *out);

/* The plain track: one StrataAudio played as it is. */
#define STRATA_TYPE_TRACK_SOURCE (strata_track_source_get_type ())
G_DECLARE_FINAL_TYPE (StrataTrackSource, strata_track_source, STRATA, TRACK_SOURCE, GObject)

StrataSource *strata_track_source_new       (StrataAudio       *audio);
StrataAudio  *strata_track_source_get_audio (StrataTrackSource *self);

G_END_DECLS
