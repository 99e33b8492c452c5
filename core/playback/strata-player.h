/* strata-player.h: GStreamer playback of a StrataSource (appsrc), with
 * seek, a gapless loop region and a real-time position for the playhead.
 *
 * The player pulls its samples from a source (strata-source.h): the plain
 * track (strata_player_set_audio(), a StrataTrackSource) or the live stem
 * mix (strata-stem-mixer.h). It asks for one buffer of
 * STRATA_PLAYER_BUFFER_FRAMES frames (1024, 23.2 ms at 44.1 kHz) at a time,
 * on GStreamer's streaming thread, when the previous one has gone on to the
 * sink: what a source renders is heard one buffer later (plus the audio
 * device's own latency), so a control change reaches the ear within two
 * buffers, 46 ms.
 *
 * The sink is autoaudiosink, or the GStreamer bin description in the
 * environment variable STRATA_AUDIO_SINK (tests: "fakesink sync=true", which
 * runs in real time without a sound card).
 *
 * Threading contract: main thread only; state changes are notified there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include "audio/strata-audio.h"
#include "playback/strata-source.h"

G_BEGIN_DECLS

#define STRATA_PLAYER_BUFFER_FRAMES 1024

#define STRATA_TYPE_PLAYER (strata_player_get_type ())
G_DECLARE_FINAL_TYPE (StrataPlayer, strata_player, STRATA, PLAYER, GObject)

StrataPlayer *strata_player_new          (void);
/* (nullable) @source: stops playback and replaces the source. */
void          strata_player_set_source   (StrataPlayer *self, StrataSource *source);
StrataSource *strata_player_get_source   (StrataPlayer *self);
/* (nullable) @audio: set_source() with the plain track. */
void          strata_player_set_audio    (StrataPlayer *self, StrataAudio *audio);
void          strata_player_play         (StrataPlayer *self);
void          strata_player_pause        (StrataPlayer *self);
void          strata_player_stop         (StrataPlayer *self);  /* pause + seek to 0 (or loop start) */
gboolean      strata_player_get_playing  (StrataPlayer *self);  /* property "playing" */
double        strata_player_get_position (StrataPlayer *self);  /* seconds */
double        strata_player_get_duration (StrataPlayer *self);  /* seconds */
void          strata_player_seek         (StrataPlayer *self, double seconds);
/* Loop [@start, @end) seconds while enabled; gapless (segment seeks). */
void          strata_player_set_loop     (StrataPlayer *self, gboolean enabled,
                                          double start, double end);
gboolean      strata_player_get_loop     (StrataPlayer *self, double *start, double *end);
/* Linear playback gain (1.0 = unity). */
void          strata_player_set_volume   (StrataPlayer *self, double volume);
/* Signal "error" (const char *message) on a pipeline error.
 * Signal "eos" () when playback reached the end of the track. */

G_END_DECLS
