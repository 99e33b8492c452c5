/* strata-stem-mixer.h: the live stem mix, a StrataSource for the player.
 *
 * N stems (each a StrataAudio of the same length, with a name) mixed with a
 * per-stem gain (dB), pan (strata-pan.h), mute and solo. A muted stem is
 * silent even when soloed; when any stem is soloed, only soloed stems play.
 * A stem's gain is 10^(gain_db / 20) times the pan law's left / right gains;
 * at the defaults (0 dB, centre, not muted or soloed) the output is the exact
 * float sum of the stems.
 *
 * One render function mixes every stem from the same frame index in one
 * pass, for live playback and for an offline render of any range
 * (strata_stem_mixer_render_range(), e.g. for `-o MIX.wav`), so the stems
 * can never drift apart and the offline mix equals what playback produced.
 *
 * Parameter sets: the main thread writes a whole new set
 * (strata_stem_mixer_set_params(), or one of the per-stem setters, which
 * copy the last set and change one value) and publishes it with one atomic
 * pointer exchange. The streaming thread picks it up at the start of its
 * next buffer, without a lock and without allocating; the set it replaces
 * goes back to the main thread, which frees it at its next call. An A/B
 * comparison is therefore a swap between two StrataStemParams arrays.
 *
 * Timing: the player's buffers are STRATA_PLAYER_BUFFER_FRAMES (1024 frames,
 * 23.2 ms); a new set applies from the next buffer rendered, fading from the
 * old gains to the new ones over its first STRATA_STEM_MIXER_RAMP_FRAMES
 * (256 frames, 5.8 ms, so a mute does not click). The sink holds one
 * rendered buffer ahead of the one it plays, so a change is heard within
 * two buffers (46 ms) of the call, plus the audio device's own latency.
 * After a seek (a render that does not continue the previous one) the new
 * gains apply at once, without the fade.
 *
 * Cost: the render is one multiply-add per sample and stem; six stems take
 * a fraction of a percent of one core (tests/bench/playback).
 *
 * Threading contract: construction, setters and getters on the main thread
 * (one thread); the StrataSource render on the player's streaming thread;
 * strata_stem_mixer_render_range() on any thread (it reads only the
 * immutable stems and the parameters it is given).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include "audio/strata-audio.h"
#include "playback/strata-source.h"

G_BEGIN_DECLS

#define STRATA_STEM_MIXER_RAMP_FRAMES 256
/* Gains are clamped to [-inf, STRATA_STEM_MIXER_MAX_GAIN_DB]. */
#define STRATA_STEM_MIXER_MAX_GAIN_DB 24.0

#define STRATA_STEM_MIXER_ERROR (strata_stem_mixer_error_quark ())
GQuark strata_stem_mixer_error_quark (void);

typedef enum {
  STRATA_STEM_MIXER_ERROR_NO_STEMS,       /* zero stems */
  STRATA_STEM_MIXER_ERROR_LENGTH,         /* the stems' lengths differ */
} StrataStemMixerError;

/* One stem's controls. */
typedef struct {
  double   gain_db;   /* -INFINITY .. +24; NaN counts as 0 dB */
  double   pan;       /* -1 (left) .. +1 (right) */
  gboolean mute;
  gboolean solo;
} StrataStemParams;

void strata_stem_params_init (StrataStemParams *params, guint n_stems);  /* 0 dB, centre */

#define STRATA_TYPE_STEM_MIXER (strata_stem_mixer_get_type ())
G_DECLARE_FINAL_TYPE (StrataStemMixer, strata_stem_mixer, STRATA, STEM_MIXER, GObject)

StrataStemMixer *strata_stem_mixer_new          (StrataAudio *const *stems,
                                                 const char *const  *names,
                                                 guint               n_stems,
                                                 GError            **error);
guint            strata_stem_mixer_get_n_stems  (StrataStemMixer *self);
const char      *strata_stem_mixer_get_name     (StrataStemMixer *self, guint stem);
StrataAudio     *strata_stem_mixer_get_stem     (StrataStemMixer *self, guint stem);

void             strata_stem_mixer_set_params   (StrataStemMixer        *self,
                                                 const StrataStemParams *params);
void             strata_stem_mixer_get_params   (StrataStemMixer        *self,
                                                 StrataStemParams       *params);
void             strata_stem_mixer_set_gain_db  (StrataStemMixer *self, guint stem, double gain_db);
void             strata_stem_mixer_set_pan      (StrataStemMixer *self, guint stem, double pan);
void             strata_stem_mixer_set_mute     (StrataStemMixer *self, guint stem, gboolean mute);
void             strata_stem_mixer_set_solo     (StrataStemMixer *self, guint stem, gboolean solo);

void             strata_stem_mixer_render_range (StrataStemMixer        *self,
                                                 const StrataStemParams *params,
                                                 gint64                  start,
                                                 gint64                  n_frames,
                                                 float                  *out);

G_END_DECLS
