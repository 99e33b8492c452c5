/* strata-stem-mixer.c: the live stem mix (see strata-stem-mixer.h).
 *
 * Parameter hand-over, lock-free:
 *
 *   main thread:       builds a MixSet (per-stem left/right gains) and
 *                      publishes it with an exchange on @pending; a set it
 *                      gets back was never seen by the streaming thread and
 *                      is freed at once. It also frees what @retired holds.
 *   streaming thread:  at the start of a buffer, exchanges @pending with
 *                      NULL; when it got a set, copies the gains it mixed
 *                      with so far into @from (for the fade), makes the new
 *                      set @live and pushes the old one onto @retired (a
 *                      lock-free stack only the streaming thread pushes to
 *                      and only the main thread empties, all at once).
 *
 * So the streaming thread never frees, allocates or waits, and the main
 * thread never frees a set the streaming thread may still read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "playback/strata-pan.h"
#include "playback/strata-stem-mixer.h"

typedef struct _MixSet MixSet;
struct _MixSet
{
  MixSet *next;      /* on the retired stack */
  float gains[];     /* 2 × n_stems: left, right */
};

struct _StrataStemMixer
{
  GObject parent_instance;

  guint n_stems;
  gint64 n_frames;
  StrataAudio **stems;
  char **names;
  const float **samples;   /* each stem's (T, 2) frames */

  /* Main thread. */
  StrataStemParams *params;   /* the last set published */

  /* Shared. */
  MixSet *pending;            /* (atomic) published, not yet picked up */
  MixSet *retired;            /* (atomic) stack of sets the streaming thread let go */

  /* Streaming thread. */
  MixSet *live;
  float *from;                /* 2 × n_stems: the gains of the previous set */
  gint64 next_frame;          /* where the last render ended; -1 before the first */
};

static void strata_stem_mixer_iface_init (StrataSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StrataStemMixer, strata_stem_mixer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (STRATA_TYPE_SOURCE,
                                                      strata_stem_mixer_iface_init))

G_DEFINE_QUARK (strata-stem-mixer-error-quark, strata_stem_mixer_error)

/**
 * strata_stem_params_init:
 * @params: (array length=n_stems) (out caller-allocates): the controls
 * @n_stems: how many
 *
 * Sets every stem to 0 dB, centre, not muted, not soloed.
 */
void
strata_stem_params_init (StrataStemParams *params, guint n_stems)
{
  for (guint i = 0; i < n_stems; i++)
    params[i] = (StrataStemParams) { .gain_db = 0.0, .pan = 0.0, .mute = FALSE, .solo = FALSE };
}

/* Writes each stem's left and right gain: mute, solo, gain and pan law. */
static void
compute_gains (const StrataStemParams *params, guint n_stems, float *gains)
{
  gboolean any_solo = FALSE;

  for (guint i = 0; i < n_stems; i++)
    any_solo |= params[i].solo;

  for (guint i = 0; i < n_stems; i++)
    {
      const StrataStemParams *p = &params[i];
      gboolean audible = !p->mute && (!any_solo || p->solo);
      double db = isnan (p->gain_db) ? 0.0 : MIN (p->gain_db, STRATA_STEM_MIXER_MAX_GAIN_DB);
      double g = audible ? pow (10.0, db / 20.0) : 0.0;
      double left, right;

      strata_pan_law (p->pan, &left, &right);
      gains[2 * i] = (float) (g * left);
      gains[2 * i + 1] = (float) (g * right);
    }
}

/* The one mixing loop, live and offline. Writes frames [@start, @start + @n)
 * of the mix into @out: every stem read from the same frame index. For the
 * first @ramp frames the gains move linearly from @from to @to (@from may be
 * NULL when @ramp is 0). */
static void
mix_block (StrataStemMixer *self, const float *from, const float *to, gint64 ramp,
           gint64 start, gint64 n, float *out)
{
  gint64 avail = CLAMP (self->n_frames - start, 0, n);

  memset (out, 0, (gsize) n * STRATA_CHANNELS * sizeof (float));
  if (avail == 0)
    return;
  ramp = MIN (ramp, avail);

  for (guint s = 0; s < self->n_stems; s++)
    {
      const float *x = self->samples[s] + start * STRATA_CHANNELS;
      float gl = to[2 * s], gr = to[2 * s + 1];
      gint64 i = 0;

      if (ramp > 0)
        {
          float fl = from[2 * s], fr = from[2 * s + 1];

          if (fl != gl || fr != gr)
            for (; i < ramp; i++)
              {
                float t = (float) (i + 1) / (float) ramp;
                out[2 * i] += (fl + (gl - fl) * t) * x[2 * i];
                out[2 * i + 1] += (fr + (gr - fr) * t) * x[2 * i + 1];
              }
        }
      if (gl == 0.0f && gr == 0.0f)
        continue;   /* silent from here on */
      for (; i < avail; i++)
        {
          out[2 * i] += gl * x[2 * i];
          out[2 * i + 1] += gr * x[2 * i + 1];
        }
    }
}

/* ---- streaming thread ------------------------------------------------------ */

static gint64
mixer_get_n_frames (StrataSource *source)
{
  return STRATA_STEM_MIXER (source)->n_frames;
}

static void
mixer_render (StrataSource *source, gint64 start, gint64 n_frames, float *out)
{
  StrataStemMixer *self = STRATA_STEM_MIXER (source);
  MixSet *set = g_atomic_pointer_exchange (&self->pending, NULL);
  gint64 ramp = 0;

  if (set != NULL)
    {
      MixSet *old = self->live;
      MixSet *head;

      memcpy (self->from, old->gains, 2 * self->n_stems * sizeof (float));
      self->live = set;
      do
        {
          head = g_atomic_pointer_get (&self->retired);
          old->next = head;
        }
      while (!g_atomic_pointer_compare_and_exchange (&self->retired, head, old));
      /* Fade only where playback continues; after a seek there is nothing
       * to fade from. */
      if (start == self->next_frame)
        ramp = STRATA_STEM_MIXER_RAMP_FRAMES;
    }
  mix_block (self, self->from, self->live->gains, ramp, start, n_frames, out);
  self->next_frame = start + n_frames;
}

static void
strata_stem_mixer_iface_init (StrataSourceInterface *iface)
{
  iface->get_n_frames = mixer_get_n_frames;
  iface->render = mixer_render;
}

/* ---- main thread ----------------------------------------------------------- */

static MixSet *
mix_set_new (StrataStemMixer *self, const StrataStemParams *params)
{
  MixSet *set = g_malloc0 (sizeof (MixSet) + 2 * self->n_stems * sizeof (float));

  compute_gains (params, self->n_stems, set->gains);
  return set;
}

static void
free_retired (StrataStemMixer *self)
{
  MixSet *set = g_atomic_pointer_exchange (&self->retired, NULL);

  while (set != NULL)
    {
      MixSet *next = set->next;
      g_free (set);
      set = next;
    }
}

/* Publishes self->params for the streaming thread. */
static void
publish (StrataStemMixer *self)
{
  MixSet *set = mix_set_new (self, self->params);

  g_free (g_atomic_pointer_exchange (&self->pending, set));
  free_retired (self);
}

static void
strata_stem_mixer_finalize (GObject *object)
{
  StrataStemMixer *self = STRATA_STEM_MIXER (object);

  free_retired (self);
  g_free (self->pending);
  g_free (self->live);
  g_free (self->from);
  g_free (self->params);
  for (guint i = 0; i < self->n_stems; i++)
    strata_audio_unref (self->stems[i]);
  g_free (self->stems);
  g_free (self->samples);
  g_strfreev (self->names);
  G_OBJECT_CLASS (strata_stem_mixer_parent_class)->finalize (object);
}

static void
strata_stem_mixer_class_init (StrataStemMixerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = strata_stem_mixer_finalize;
}

static void
strata_stem_mixer_init (StrataStemMixer *self)
{
  self->next_frame = -1;
}

/**
 * strata_stem_mixer_new:
 * @stems: (array length=n_stems) (transfer none): the stems, all of one length
 * @names: (array length=n_stems) (nullable): their names ("drums", ...);
 *   NULL or a NULL entry gives "stem N"
 * @n_stems: how many, >= 1
 * @error: return location for a #STRATA_STEM_MIXER_ERROR
 *
 * Creates a mixer at the default controls (the plain sum of the stems).
 *
 * Returns: (transfer full) (nullable): the mixer, or NULL with @error set
 *   when there are no stems or their lengths differ
 */
StrataStemMixer *
strata_stem_mixer_new (StrataAudio *const *stems, const char *const *names,
                       guint n_stems, GError **error)
{
  StrataStemMixer *self;

  g_return_val_if_fail (stems != NULL || n_stems == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n_stems == 0)
    {
      g_set_error (error, STRATA_STEM_MIXER_ERROR, STRATA_STEM_MIXER_ERROR_NO_STEMS,
                   _("Cannot mix stems: there are none"));
      return NULL;
    }
  for (guint i = 1; i < n_stems; i++)
    if (strata_audio_get_n_frames (stems[i]) != strata_audio_get_n_frames (stems[0]))
      {
        g_autofree char *a = names && names[0] ? g_strdup (names[0]) : g_strdup_printf ("1");
        g_autofree char *b = names && names[i] ? g_strdup (names[i]) : g_strdup_printf ("%u", i + 1);

        g_set_error (error, STRATA_STEM_MIXER_ERROR, STRATA_STEM_MIXER_ERROR_LENGTH,
                     _("Cannot mix stems of different lengths: “%s” has %lld frames, “%s” %lld"),
                     a, (long long) strata_audio_get_n_frames (stems[0]),
                     b, (long long) strata_audio_get_n_frames (stems[i]));
        return NULL;
      }

  self = g_object_new (STRATA_TYPE_STEM_MIXER, NULL);
  self->n_stems = n_stems;
  self->n_frames = strata_audio_get_n_frames (stems[0]);
  self->stems = g_new (StrataAudio *, n_stems);
  self->samples = g_new (const float *, n_stems);
  self->names = g_new0 (char *, n_stems + 1);
  for (guint i = 0; i < n_stems; i++)
    {
      self->stems[i] = strata_audio_ref (stems[i]);
      self->samples[i] = strata_audio_get_samples (stems[i]);
      self->names[i] = names && names[i] ? g_strdup (names[i]) : g_strdup_printf ("stem %u", i + 1);
    }
  self->params = g_new (StrataStemParams, n_stems);
  strata_stem_params_init (self->params, n_stems);
  self->live = mix_set_new (self, self->params);
  self->from = g_new0 (float, 2 * n_stems);
  return self;
}

/**
 * strata_stem_mixer_get_n_stems:
 * @self: a #StrataStemMixer
 *
 * Returns: the number of stems
 */
guint
strata_stem_mixer_get_n_stems (StrataStemMixer *self)
{
  g_return_val_if_fail (STRATA_IS_STEM_MIXER (self), 0);
  return self->n_stems;
}

/**
 * strata_stem_mixer_get_name:
 * @self: a #StrataStemMixer
 * @stem: the stem's index
 *
 * Returns: (transfer none): the stem's name
 */
const char *
strata_stem_mixer_get_name (StrataStemMixer *self, guint stem)
{
  g_return_val_if_fail (STRATA_IS_STEM_MIXER (self), NULL);
  g_return_val_if_fail (stem < self->n_stems, NULL);
  return self->names[stem];
}

/**
 * strata_stem_mixer_get_stem:
 * @self: a #StrataStemMixer
 * @stem: the stem's index
 *
 * Returns: (transfer none): the stem's audio
 */
StrataAudio *
strata_stem_mixer_get_stem (StrataStemMixer *self, guint stem)
{
  g_return_val_if_fail (STRATA_IS_STEM_MIXER (self), NULL);
  g_return_val_if_fail (stem < self->n_stems, NULL);
  return self->stems[stem];
}

/**
 * strata_stem_mixer_set_params:
 * @self: a #StrataStemMixer
 * @params: (array) (transfer none): one entry a stem
 *
 * Replaces every control at once (an A/B switch is a call with the other
 * array). Playback picks the set up at its next buffer.
 */
void
strata_stem_mixer_set_params (StrataStemMixer *self, const StrataStemParams *params)
{
  g_return_if_fail (STRATA_IS_STEM_MIXER (self));
  g_return_if_fail (params != NULL);

  memcpy (self->params, params, self->n_stems * sizeof (StrataStemParams));
  publish (self);
}

/**
 * strata_stem_mixer_get_params:
 * @self: a #StrataStemMixer
 * @params: (array) (out caller-allocates): room for one entry a stem
 *
 * Copies the controls last set.
 */
void
strata_stem_mixer_get_params (StrataStemMixer *self, StrataStemParams *params)
{
  g_return_if_fail (STRATA_IS_STEM_MIXER (self));
  g_return_if_fail (params != NULL);

  memcpy (params, self->params, self->n_stems * sizeof (StrataStemParams));
}

/**
 * strata_stem_mixer_set_gain_db:
 * @self: a #StrataStemMixer
 * @stem: the stem's index
 * @gain_db: the gain in dB (-INFINITY for silence, at most +24)
 *
 * Changes one stem's gain; the other controls stay.
 */
void
strata_stem_mixer_set_gain_db (StrataStemMixer *self, guint stem, double gain_db)
{
  g_return_if_fail (STRATA_IS_STEM_MIXER (self));
  g_return_if_fail (stem < self->n_stems);

  self->params[stem].gain_db = gain_db;
  publish (self);
}

/**
 * strata_stem_mixer_set_pan:
 * @self: a #StrataStemMixer
 * @stem: the stem's index
 * @pan: -1 (left) .. +1 (right), see strata_pan_law()
 *
 * Changes one stem's pan; the other controls stay.
 */
void
strata_stem_mixer_set_pan (StrataStemMixer *self, guint stem, double pan)
{
  g_return_if_fail (STRATA_IS_STEM_MIXER (self));
  g_return_if_fail (stem < self->n_stems);

  self->params[stem].pan = pan;
  publish (self);
}

/**
 * strata_stem_mixer_set_mute:
 * @self: a #StrataStemMixer
 * @stem: the stem's index
 * @mute: whether the stem is silent
 *
 * Mutes or unmutes one stem; the other controls stay.
 */
void
strata_stem_mixer_set_mute (StrataStemMixer *self, guint stem, gboolean mute)
{
  g_return_if_fail (STRATA_IS_STEM_MIXER (self));
  g_return_if_fail (stem < self->n_stems);

  self->params[stem].mute = mute;
  publish (self);
}

/**
 * strata_stem_mixer_set_solo:
 * @self: a #StrataStemMixer
 * @stem: the stem's index
 * @solo: whether the stem is soloed
 *
 * Solos or unsolos one stem; while any stem is soloed only soloed stems
 * play.
 */
void
strata_stem_mixer_set_solo (StrataStemMixer *self, guint stem, gboolean solo)
{
  g_return_if_fail (STRATA_IS_STEM_MIXER (self));
  g_return_if_fail (stem < self->n_stems);

  self->params[stem].solo = solo;
  publish (self);
}

/**
 * strata_stem_mixer_render_range:
 * @self: a #StrataStemMixer
 * @params: (array) (nullable): the controls, one a stem; NULL for the defaults
 * @start: the first frame, >= 0
 * @n_frames: how many frames, >= 0
 * @out: (out caller-allocates): room for 2 × @n_frames floats
 *
 * Renders a range of the mix offline with the same loop live playback uses:
 * the result equals, sample for sample, what the player plays with @params
 * (away from the fade of a change). Safe on any thread; does not touch the
 * live parameters.
 */
void
strata_stem_mixer_render_range (StrataStemMixer *self, const StrataStemParams *params,
                                gint64 start, gint64 n_frames, float *out)
{
  g_autofree float *gains = NULL;
  g_autofree StrataStemParams *defaults = NULL;

  g_return_if_fail (STRATA_IS_STEM_MIXER (self));
  g_return_if_fail (start >= 0 && n_frames >= 0);
  g_return_if_fail (out != NULL || n_frames == 0);

  if (params == NULL)
    {
      defaults = g_new (StrataStemParams, self->n_stems);
      strata_stem_params_init (defaults, self->n_stems);
      params = defaults;
    }
  gains = g_new (float, 2 * self->n_stems);
  compute_gains (params, self->n_stems, gains);
  mix_block (self, NULL, gains, 0, start, n_frames, out);
}
