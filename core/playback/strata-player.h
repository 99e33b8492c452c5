/* strata-player.h: GStreamer playback of decoded audio (appsrc), with seek,
 * a gapless loop region and a real-time position for the playhead.
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

G_BEGIN_DECLS

#define STRATA_TYPE_PLAYER (strata_player_get_type ())
G_DECLARE_FINAL_TYPE (StrataPlayer, strata_player, STRATA, PLAYER, GObject)

StrataPlayer *strata_player_new          (void);
/* (nullable) @audio: stops playback and replaces the source. */
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
