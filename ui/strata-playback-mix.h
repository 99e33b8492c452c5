/* strata-playback-mix.h: the window's one live mix (DESIGN §6b), the only
 * thing that sets the player's source.
 *
 * It plays the open track alone, or, once channels join, a StrataStemMixer
 * (core/playback) over the track and the channels. A channel is a StrataAudio
 * as long as the track (44.1 kHz stereo) with an id, a display name, a kind
 * and its controls (gain dB, pan, mute, solo: StrataStemParams).
 *
 * Channel kinds:
 *  - STRATA_PLAYBACK_CHANNEL_STEM: a part of the track (a separated or
 *    opened stem). The stems replace the track in the stem mix.
 *  - STRATA_PLAYBACK_CHANNEL_OVERLAY: something played over whatever plays,
 *    the original or the stem mix, balanced against it with its own gain
 *    (the transcription's synthesised notes join this way).
 *
 * Original vs stem mix (A/B, strata_playback_mix_set_original()): the
 * mixer's stem 0 is the track itself; the original plays it at 0 dB with
 * the stems silent, the stem mix silences it and plays the stems at their
 * controls; overlays sound in both. The switch, like every control change,
 * is one atomic parameter set for the mixer, heard at its next buffer (two
 * player buffers, 46 ms, at most), without a gap and at the same position.
 *
 * Adding, replacing or removing a channel builds a new mixer (the stems of
 * a mixer are fixed) and gives it to the player, keeping the position, the
 * loop and whether it played. Setting the track removes every channel.
 *
 * Threading contract: main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include "audio/strata-audio.h"
#include "playback/strata-player.h"
#include "playback/strata-stem-mixer.h"

G_BEGIN_DECLS

#define STRATA_PLAYBACK_MIX_ERROR (strata_playback_mix_error_quark ())
GQuark strata_playback_mix_error_quark (void);

typedef enum {
  STRATA_PLAYBACK_MIX_ERROR_NO_TRACK,   /* a channel without a track */
  STRATA_PLAYBACK_MIX_ERROR_LENGTH,     /* a channel not as long as the track */
} StrataPlaybackMixError;

typedef enum {
  STRATA_PLAYBACK_CHANNEL_STEM,
  STRATA_PLAYBACK_CHANNEL_OVERLAY,
} StrataPlaybackChannelKind;

#define STRATA_TYPE_PLAYBACK_MIX (strata_playback_mix_get_type ())
G_DECLARE_FINAL_TYPE (StrataPlaybackMix, strata_playback_mix, STRATA, PLAYBACK_MIX, GObject)

StrataPlaybackMix *strata_playback_mix_new           (StrataPlayer *player);
StrataPlayer      *strata_playback_mix_get_player    (StrataPlaybackMix *self);
void               strata_playback_mix_set_track     (StrataPlaybackMix *self,
                                                      StrataAudio       *track);
StrataAudio       *strata_playback_mix_get_track     (StrataPlaybackMix *self);

gboolean           strata_playback_mix_add_channel   (StrataPlaybackMix         *self,
                                                      const char                *id,
                                                      const char                *name,
                                                      StrataPlaybackChannelKind  kind,
                                                      StrataAudio               *audio,
                                                      GError                   **error);
gboolean           strata_playback_mix_remove_channel (StrataPlaybackMix *self,
                                                       const char        *id);
void               strata_playback_mix_clear_channels (StrataPlaybackMix *self);
guint              strata_playback_mix_get_n_channels (StrataPlaybackMix *self);
/* Channels in the order they joined; index 0 is the first channel. */
const char        *strata_playback_mix_get_channel_id   (StrataPlaybackMix *self, guint index);
const char        *strata_playback_mix_get_channel_name (StrataPlaybackMix *self, const char *id);
StrataAudio       *strata_playback_mix_get_channel_audio (StrataPlaybackMix *self, const char *id);

/* The controls of channel @id; FALSE when there is none. */
gboolean           strata_playback_mix_set_gain_db   (StrataPlaybackMix *self, const char *id,
                                                      double gain_db);
gboolean           strata_playback_mix_set_pan       (StrataPlaybackMix *self, const char *id,
                                                      double pan);
gboolean           strata_playback_mix_set_mute      (StrataPlaybackMix *self, const char *id,
                                                      gboolean mute);
gboolean           strata_playback_mix_set_solo      (StrataPlaybackMix *self, const char *id,
                                                      gboolean solo);
gboolean           strata_playback_mix_get_params    (StrataPlaybackMix *self, const char *id,
                                                      StrataStemParams  *params);

/* Property "original": TRUE plays the track as it is (A), FALSE the stem
 * mix (B, the default). */
void               strata_playback_mix_set_original  (StrataPlaybackMix *self, gboolean original);
/* The level of the bed (the original or the stem mix) under the overlays. */
void               strata_playback_mix_set_bed_gain_db (StrataPlaybackMix *self, double gain_db);
double             strata_playback_mix_get_bed_gain_db (StrataPlaybackMix *self);
gboolean           strata_playback_mix_get_original  (StrataPlaybackMix *self);

/* The mixer the player plays (nullable: no channel), and the parameter set
 * for its stems (the track first, then the channels) that plays the stem
 * mix (@original FALSE) or the original; for an offline render of the
 * current balance (strata_stem_mixer_render_range()). */
StrataStemMixer   *strata_playback_mix_get_mixer     (StrataPlaybackMix *self);
StrataStemParams  *strata_playback_mix_dup_params    (StrataPlaybackMix *self, gboolean original);

G_END_DECLS
