/* strata-playback-mix.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>
#include "strata-playback-mix.h"

G_DEFINE_QUARK (strata-playback-mix-error-quark, strata_playback_mix_error)

typedef struct {
  char *id;
  char *name;
  StrataPlaybackChannelKind kind;
  StrataAudio *audio;
  StrataStemParams params;
} Channel;

struct _StrataPlaybackMix
{
  GObject parent_instance;

  StrataPlayer *player;
  StrataAudio *track;          /* (nullable) */
  GPtrArray *channels;         /* of Channel */
  StrataStemMixer *mixer;      /* (nullable) what the player plays, with channels */
  gboolean original;
  double bed_gain_db;          /* of what the overlays play over */
};

enum { PROP_0, PROP_ORIGINAL, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (StrataPlaybackMix, strata_playback_mix, G_TYPE_OBJECT)

static void
channel_free (gpointer data)
{
  Channel *c = data;

  g_free (c->id);
  g_free (c->name);
  g_clear_pointer (&c->audio, strata_audio_unref);
  g_free (c);
}

static Channel *
find (StrataPlaybackMix *self, const char *id, guint *index)
{
  for (guint i = 0; i < self->channels->len; i++)
    {
      Channel *c = g_ptr_array_index (self->channels, i);
      if (g_strcmp0 (c->id, id) == 0)
        {
          if (index)
            *index = i;
          return c;
        }
    }
  return NULL;
}

static void publish (StrataPlaybackMix *self);

static gboolean
has_stems (StrataPlaybackMix *self)
{
  for (guint i = 0; i < self->channels->len; i++)
    if (((Channel *) g_ptr_array_index (self->channels, i))->kind == STRATA_PLAYBACK_CHANNEL_STEM)
      return TRUE;
  return FALSE;
}

/* The parameter set of the mixer's stems: the track first. The bed (the
 * track, or the stems in the stem mix; the track when there are no stems)
 * is at bed_gain_db; overlays at their own gains. */
static void
fill_params (StrataPlaybackMix *self, gboolean original, StrataStemParams *p)
{
  const gboolean track_plays = original || !has_stems (self);

  strata_stem_params_init (p, 1);
  p[0].mute = !track_plays;
  p[0].gain_db = self->bed_gain_db;
  for (guint i = 0; i < self->channels->len; i++)
    {
      Channel *c = g_ptr_array_index (self->channels, i);

      p[i + 1] = c->params;
      if (c->kind != STRATA_PLAYBACK_CHANNEL_STEM)
        continue;
      p[i + 1].gain_db += self->bed_gain_db;
      if (original)
        {
          p[i + 1].mute = TRUE;
          p[i + 1].solo = FALSE;
        }
    }
}

/**
 * strata_playback_mix_set_bed_gain_db:
 * @self: the mix
 * @gain_db: the level of what the overlays play over (the original or the
 *   stem mix), −∞ … +24 dB; 0 dB by default
 *
 * The balance of an overlay against the music: the transcription's notes
 * at one level, the music under them at another.
 */
void
strata_playback_mix_set_bed_gain_db (StrataPlaybackMix *self, double gain_db)
{
  g_return_if_fail (STRATA_IS_PLAYBACK_MIX (self));
  if (isnan (gain_db))
    gain_db = 0.0;
  self->bed_gain_db = MIN (gain_db, STRATA_STEM_MIXER_MAX_GAIN_DB);
  publish (self);
}

double
strata_playback_mix_get_bed_gain_db (StrataPlaybackMix *self)
{
  g_return_val_if_fail (STRATA_IS_PLAYBACK_MIX (self), 0.0);
  return self->bed_gain_db;
}

static void
publish (StrataPlaybackMix *self)
{
  g_autofree StrataStemParams *p = NULL;

  if (self->mixer == NULL)
    return;
  p = g_new (StrataStemParams, self->channels->len + 1);
  fill_params (self, self->original, p);
  strata_stem_mixer_set_params (self->mixer, p);
}

/* A new mixer (or the plain track) for the player, keeping its position,
 * loop and play state. */
static void
rebuild (StrataPlaybackMix *self, gboolean keep_position)
{
  double position = strata_player_get_position (self->player);
  gboolean playing = strata_player_get_playing (self->player);
  double loop_start = 0, loop_end = 0;
  gboolean loop = strata_player_get_loop (self->player, &loop_start, &loop_end);

  g_clear_object (&self->mixer);
  if (self->track != NULL && self->channels->len > 0)
    {
      guint n = self->channels->len + 1;
      g_autofree StrataAudio **stems = g_new (StrataAudio *, n);
      g_autofree const char **names = g_new (const char *, n);
      g_autoptr(GError) error = NULL;

      stems[0] = self->track;
      names[0] = "original";
      for (guint i = 0; i < self->channels->len; i++)
        {
          Channel *c = g_ptr_array_index (self->channels, i);
          stems[i + 1] = c->audio;
          names[i + 1] = c->name;
        }
      /* Lengths were checked when the channels joined. */
      self->mixer = strata_stem_mixer_new (stems, names, n, &error);
      g_assert_no_error (error);
      publish (self);
      strata_player_set_source (self->player, STRATA_SOURCE (self->mixer));
    }
  else
    strata_player_set_audio (self->player, self->track);

  if (self->track == NULL || !keep_position)
    return;
  if (loop)
    strata_player_set_loop (self->player, TRUE, loop_start, loop_end);
  strata_player_seek (self->player, position);
  if (playing)
    strata_player_play (self->player);
}

static void
strata_playback_mix_dispose (GObject *object)
{
  StrataPlaybackMix *self = STRATA_PLAYBACK_MIX (object);

  if (self->player != NULL && self->mixer != NULL
      && strata_player_get_source (self->player) == STRATA_SOURCE (self->mixer))
    strata_player_set_source (self->player, NULL);
  g_clear_object (&self->mixer);
  g_clear_object (&self->player);
  G_OBJECT_CLASS (strata_playback_mix_parent_class)->dispose (object);
}

static void
strata_playback_mix_finalize (GObject *object)
{
  StrataPlaybackMix *self = STRATA_PLAYBACK_MIX (object);

  g_ptr_array_unref (self->channels);
  g_clear_pointer (&self->track, strata_audio_unref);
  G_OBJECT_CLASS (strata_playback_mix_parent_class)->finalize (object);
}

static void
strata_playback_mix_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StrataPlaybackMix *self = STRATA_PLAYBACK_MIX (object);

  switch (prop_id)
    {
    case PROP_ORIGINAL:
      g_value_set_boolean (value, self->original);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_playback_mix_set_property (GObject *object, guint prop_id, const GValue *value,
                                  GParamSpec *pspec)
{
  StrataPlaybackMix *self = STRATA_PLAYBACK_MIX (object);

  switch (prop_id)
    {
    case PROP_ORIGINAL:
      strata_playback_mix_set_original (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_playback_mix_class_init (StrataPlaybackMixClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = strata_playback_mix_dispose;
  object_class->finalize = strata_playback_mix_finalize;
  object_class->get_property = strata_playback_mix_get_property;
  object_class->set_property = strata_playback_mix_set_property;
  properties[PROP_ORIGINAL] =
    g_param_spec_boolean ("original", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
strata_playback_mix_init (StrataPlaybackMix *self)
{
  self->channels = g_ptr_array_new_with_free_func (channel_free);
}

/**
 * strata_playback_mix_new:
 * @player: (transfer none): the player whose source the mix sets
 *
 * Returns: (transfer full): a mix with no track
 */
StrataPlaybackMix *
strata_playback_mix_new (StrataPlayer *player)
{
  StrataPlaybackMix *self;

  g_return_val_if_fail (STRATA_IS_PLAYER (player), NULL);
  self = g_object_new (STRATA_TYPE_PLAYBACK_MIX, NULL);
  self->player = g_object_ref (player);
  return self;
}

/**
 * strata_playback_mix_get_player:
 * @self: a #StrataPlaybackMix
 *
 * Returns: (transfer none): the player
 */
StrataPlayer *
strata_playback_mix_get_player (StrataPlaybackMix *self)
{
  g_return_val_if_fail (STRATA_IS_PLAYBACK_MIX (self), NULL);
  return self->player;
}

/**
 * strata_playback_mix_set_track:
 * @self: a #StrataPlaybackMix
 * @track: (nullable) (transfer none): the track (a reference is taken)
 *
 * Plays @track alone from its start (stopped, no loop): every channel goes
 * and the original/stem-mix switch returns to the stem mix.
 */
void
strata_playback_mix_set_track (StrataPlaybackMix *self, StrataAudio *track)
{
  g_return_if_fail (STRATA_IS_PLAYBACK_MIX (self));

  if (track != NULL)
    strata_audio_ref (track);
  g_clear_pointer (&self->track, strata_audio_unref);
  self->track = track;
  g_ptr_array_set_size (self->channels, 0);
  if (self->original)
    {
      self->original = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORIGINAL]);
    }
  rebuild (self, FALSE);
}

/**
 * strata_playback_mix_get_track:
 * @self: a #StrataPlaybackMix
 *
 * Returns: (transfer none) (nullable): the track
 */
StrataAudio *
strata_playback_mix_get_track (StrataPlaybackMix *self)
{
  g_return_val_if_fail (STRATA_IS_PLAYBACK_MIX (self), NULL);
  return self->track;
}

/**
 * strata_playback_mix_add_channel:
 * @self: a #StrataPlaybackMix
 * @id: the channel's id (unique in the mix)
 * @name: its display name
 * @kind: a stem of the track or an overlay
 * @audio: (transfer none): its samples, as long as the track
 * @error: return location for an error naming the channel
 *
 * Adds a channel at 0 dB, centred, or replaces the audio, name and kind of
 * the channel @id (its controls stay). Playback goes on where it was.
 *
 * Returns: %TRUE on success; %FALSE without a track or when @audio is not
 *   as long as the track
 */
gboolean
strata_playback_mix_add_channel (StrataPlaybackMix *self, const char *id, const char *name,
                                 StrataPlaybackChannelKind kind, StrataAudio *audio,
                                 GError **error)
{
  Channel *c;

  g_return_val_if_fail (STRATA_IS_PLAYBACK_MIX (self), FALSE);
  g_return_val_if_fail (id != NULL && name != NULL && audio != NULL, FALSE);

  if (self->track == NULL)
    {
      g_set_error (error, STRATA_PLAYBACK_MIX_ERROR, STRATA_PLAYBACK_MIX_ERROR_NO_TRACK,
                   _("Cannot play “%s”: there is no track to play it with"), name);
      return FALSE;
    }
  if (strata_audio_get_n_frames (audio) != strata_audio_get_n_frames (self->track))
    {
      g_set_error (error, STRATA_PLAYBACK_MIX_ERROR, STRATA_PLAYBACK_MIX_ERROR_LENGTH,
                   _("Cannot play “%s”: it lasts %.3f s, the track %.3f s"), name,
                   strata_audio_get_duration (audio), strata_audio_get_duration (self->track));
      return FALSE;
    }
  c = find (self, id, NULL);
  if (c == NULL)
    {
      c = g_new0 (Channel, 1);
      c->id = g_strdup (id);
      strata_stem_params_init (&c->params, 1);
      g_ptr_array_add (self->channels, c);
    }
  g_free (c->name);
  c->name = g_strdup (name);
  c->kind = kind;
  strata_audio_ref (audio);
  g_clear_pointer (&c->audio, strata_audio_unref);
  c->audio = audio;
  rebuild (self, TRUE);
  return TRUE;
}

/**
 * strata_playback_mix_remove_channel:
 * @self: a #StrataPlaybackMix
 * @id: a channel's id
 *
 * Returns: whether there was such a channel
 */
gboolean
strata_playback_mix_remove_channel (StrataPlaybackMix *self, const char *id)
{
  guint index;

  g_return_val_if_fail (STRATA_IS_PLAYBACK_MIX (self), FALSE);
  if (find (self, id, &index) == NULL)
    return FALSE;
  g_ptr_array_remove_index (self->channels, index);
  rebuild (self, TRUE);
  return TRUE;
}

/**
 * strata_playback_mix_clear_channels:
 * @self: a #StrataPlaybackMix
 *
 * Removes every channel: the track plays alone, where it was.
 */
void
strata_playback_mix_clear_channels (StrataPlaybackMix *self)
{
  g_return_if_fail (STRATA_IS_PLAYBACK_MIX (self));
  if (self->channels->len == 0)
    return;
  g_ptr_array_set_size (self->channels, 0);
  rebuild (self, TRUE);
}

/**
 * strata_playback_mix_get_n_channels:
 * @self: a #StrataPlaybackMix
 *
 * Returns: how many channels play with the track
 */
guint
strata_playback_mix_get_n_channels (StrataPlaybackMix *self)
{
  g_return_val_if_fail (STRATA_IS_PLAYBACK_MIX (self), 0);
  return self->channels->len;
}

/**
 * strata_playback_mix_get_channel_id:
 * @self: a #StrataPlaybackMix
 * @index: below strata_playback_mix_get_n_channels()
 *
 * Returns: (transfer none): the id of the channel at @index
 */
const char *
strata_playback_mix_get_channel_id (StrataPlaybackMix *self, guint index)
{
  g_return_val_if_fail (STRATA_IS_PLAYBACK_MIX (self), NULL);
  g_return_val_if_fail (index < self->channels->len, NULL);
  return ((Channel *) g_ptr_array_index (self->channels, index))->id;
}

/**
 * strata_playback_mix_get_channel_name:
 * @self: a #StrataPlaybackMix
 * @id: a channel's id
 *
 * Returns: (transfer none) (nullable): its display name
 */
const char *
strata_playback_mix_get_channel_name (StrataPlaybackMix *self, const char *id)
{
  Channel *c;

  g_return_val_if_fail (STRATA_IS_PLAYBACK_MIX (self), NULL);
  c = find (self, id, NULL);
  return c ? c->name : NULL;
}

/**
 * strata_playback_mix_get_channel_audio:
 * @self: a #StrataPlaybackMix
 * @id: a channel's id
 *
 * Returns: (transfer none) (nullable): its samples
 */
StrataAudio *
strata_playback_mix_get_channel_audio (StrataPlaybackMix *self, const char *id)
{
  Channel *c;

  g_return_val_if_fail (STRATA_IS_PLAYBACK_MIX (self), NULL);
  c = find (self, id, NULL);
  return c ? c->audio : NULL;
}

/* Changes one control of @id and publishes the new set. */
#define SET_CONTROL(field, value)                        \
  G_STMT_START {                                         \
    Channel *c;                                          \
    g_return_val_if_fail (STRATA_IS_PLAYBACK_MIX (self), FALSE); \
    if ((c = find (self, id, NULL)) == NULL)             \
      return FALSE;                                      \
    c->params.field = (value);                           \
    publish (self);                                      \
    return TRUE;                                         \
  } G_STMT_END

/**
 * strata_playback_mix_set_gain_db:
 * @self: a #StrataPlaybackMix
 * @id: a channel's id
 * @gain_db: its gain in dB (-inf .. +24)
 *
 * Returns: whether there is such a channel
 */
gboolean
strata_playback_mix_set_gain_db (StrataPlaybackMix *self, const char *id, double gain_db)
{
  SET_CONTROL (gain_db, gain_db);
}

/**
 * strata_playback_mix_set_pan:
 * @self: a #StrataPlaybackMix
 * @id: a channel's id
 * @pan: -1 (left) .. +1 (right)
 *
 * Returns: whether there is such a channel
 */
gboolean
strata_playback_mix_set_pan (StrataPlaybackMix *self, const char *id, double pan)
{
  SET_CONTROL (pan, CLAMP (pan, -1.0, 1.0));
}

/**
 * strata_playback_mix_set_mute:
 * @self: a #StrataPlaybackMix
 * @id: a channel's id
 * @mute: whether it is silent (even when soloed)
 *
 * Returns: whether there is such a channel
 */
gboolean
strata_playback_mix_set_mute (StrataPlaybackMix *self, const char *id, gboolean mute)
{
  SET_CONTROL (mute, !!mute);
}

/**
 * strata_playback_mix_set_solo:
 * @self: a #StrataPlaybackMix
 * @id: a channel's id
 * @solo: whether it is soloed (while any is, only soloed channels play)
 *
 * Returns: whether there is such a channel
 */
gboolean
strata_playback_mix_set_solo (StrataPlaybackMix *self, const char *id, gboolean solo)
{
  SET_CONTROL (solo, !!solo);
}

/**
 * strata_playback_mix_get_params:
 * @self: a #StrataPlaybackMix
 * @id: a channel's id
 * @params: (out): its controls
 *
 * Returns: whether there is such a channel
 */
gboolean
strata_playback_mix_get_params (StrataPlaybackMix *self, const char *id, StrataStemParams *params)
{
  Channel *c;

  g_return_val_if_fail (STRATA_IS_PLAYBACK_MIX (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  if ((c = find (self, id, NULL)) == NULL)
    return FALSE;
  *params = c->params;
  return TRUE;
}

/**
 * strata_playback_mix_set_original:
 * @self: a #StrataPlaybackMix
 * @original: TRUE for the track as it is, FALSE for the stem mix
 *
 * The A/B switch: one parameter set, heard at the mixer's next buffer.
 */
void
strata_playback_mix_set_original (StrataPlaybackMix *self, gboolean original)
{
  g_return_if_fail (STRATA_IS_PLAYBACK_MIX (self));

  original = !!original;
  if (self->original == original)
    return;
  self->original = original;
  publish (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORIGINAL]);
}

/**
 * strata_playback_mix_get_original:
 * @self: a #StrataPlaybackMix
 *
 * Returns: whether the original plays instead of the stem mix
 */
gboolean
strata_playback_mix_get_original (StrataPlaybackMix *self)
{
  g_return_val_if_fail (STRATA_IS_PLAYBACK_MIX (self), FALSE);
  return self->original;
}

/**
 * strata_playback_mix_get_mixer:
 * @self: a #StrataPlaybackMix
 *
 * Returns: (transfer none) (nullable): the mixer the player plays, while
 *   there are channels
 */
StrataStemMixer *
strata_playback_mix_get_mixer (StrataPlaybackMix *self)
{
  g_return_val_if_fail (STRATA_IS_PLAYBACK_MIX (self), NULL);
  return self->mixer;
}

/**
 * strata_playback_mix_dup_params:
 * @self: a #StrataPlaybackMix with channels
 * @original: the set of the original (TRUE) or of the stem mix
 *
 * Returns: (transfer full) (array): the parameters of the mixer's
 *   strata_stem_mixer_get_n_stems() stems (g_free())
 */
StrataStemParams *
strata_playback_mix_dup_params (StrataPlaybackMix *self, gboolean original)
{
  StrataStemParams *p;

  g_return_val_if_fail (STRATA_IS_PLAYBACK_MIX (self), NULL);
  p = g_new (StrataStemParams, self->channels->len + 1);
  fill_params (self, original, p);
  return p;
}
