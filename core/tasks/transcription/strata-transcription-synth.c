/* strata-transcription-synth.c: notes -> audio with libfluidsynth.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <fluidsynth.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "tasks/transcription/strata-transcription.h"
#include "tasks/transcription/strata-transcription-synth.h"

/* Frames written between two looks at the event list and the abort
 * function (fluidsynth renders in blocks of 64 internally). */
#define CHUNK_FRAMES 4096

static const char *const debian_fonts[] = {
  "/usr/share/sounds/sf2/default-GM.sf2",
  "/usr/share/sounds/sf2/FluidR3_GM.sf2",
  "/usr/share/sounds/sf2/TimGM6mb.sf2",
};

struct _StrataNoteSynth
{
  gint ref_count;
  GMutex lock;                  /* held for a whole render */
  char *soundfont;
  fluid_settings_t *settings;
  fluid_synth_t *synth;         /* keeps the font's samples in fluidsynth's cache */
};

typedef struct {
  gint64 frame;
  int on;                       /* 0 = off (sorted first at a frame), 1 = on */
  int pitch;
  int velocity;
} SynthEvent;

/* fluidsynth prints to stderr by default; its messages go to g_debug. */
static void
fluid_log_cb (int level, const char *message, void *data)
{
  g_debug ("fluidsynth: %s", message);
}

static void
quiet_fluidsynth (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (int level = FLUID_PANIC; level < LAST_LOG_LEVEL; level++)
        fluid_set_log_function (level, fluid_log_cb, NULL);
      g_once_init_leave (&done, 1);
    }
}

/* Why @path cannot be used, or NULL when it is a readable regular file. */
static const char *
unreadable_reason (const char *path)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return _("no such file");
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return _("not a regular file");
  if (g_access (path, R_OK) != 0)
    return g_strerror (errno);
  return NULL;
}

/**
 * strata_note_synth_dup_soundfont_path:
 * @error: return location for a #GError
 *
 * $STRATA_SOUNDFONT when it is set (it must then be usable), else the
 * first of Debian's General MIDI sound fonts that can be read.
 *
 * Returns: (transfer full) (nullable): the path, or %NULL with @error set
 */
char *
strata_note_synth_dup_soundfont_path (GError **error)
{
  const char *env = g_getenv (STRATA_SOUNDFONT_ENV);
  const char *why;

  if (env != NULL && *env != '\0')
    {
      if ((why = unreadable_reason (env)) != NULL)
        {
          g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_NOT_FOUND,
                       _("Cannot use the sound font “%s” (from %s): %s"), env,
                       STRATA_SOUNDFONT_ENV, why);
          return NULL;
        }
      return g_strdup (env);
    }
  for (guint i = 0; i < G_N_ELEMENTS (debian_fonts); i++)
    if (unreadable_reason (debian_fonts[i]) == NULL)
      return g_strdup (debian_fonts[i]);
  g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_NOT_FOUND,
               _("No General MIDI sound font to play the notes with: install "
                 "fluid-soundfont-gm or timgm6mb-soundfont, or set %s to a .sf2 file"),
               STRATA_SOUNDFONT_ENV);
  return NULL;
}

static void
synth_free (StrataNoteSynth *s)
{
  if (s->synth != NULL)
    delete_fluid_synth (s->synth);
  if (s->settings != NULL)
    delete_fluid_settings (s->settings);
  g_mutex_clear (&s->lock);
  g_free (s->soundfont);
  g_free (s);
}

/**
 * strata_note_synth_new:
 * @soundfont: a SoundFont 2 file
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a synthesizer with @soundfont loaded
 */
StrataNoteSynth *
strata_note_synth_new (const char *soundfont, GError **error)
{
  StrataNoteSynth *s;
  const char *why;

  g_return_val_if_fail (soundfont != NULL, NULL);

  quiet_fluidsynth ();
  if ((why = unreadable_reason (soundfont)) != NULL)
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_NOT_FOUND,
                   _("Cannot read the sound font “%s”: %s"), soundfont, why);
      return NULL;
    }
  if (!fluid_is_soundfont (soundfont))
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
                   _("Cannot load the sound font “%s”: not a SoundFont 2 file"), soundfont);
      return NULL;
    }

  s = g_new0 (StrataNoteSynth, 1);
  s->ref_count = 1;
  g_mutex_init (&s->lock);
  s->soundfont = g_strdup (soundfont);
  s->settings = new_fluid_settings ();
  if (s->settings != NULL)
    {
      fluid_settings_setnum (s->settings, "synth.sample-rate", STRATA_SAMPLE_RATE);
      fluid_settings_setnum (s->settings, "synth.gain", 1.0);
      fluid_settings_setint (s->settings, "synth.polyphony", 256);
      fluid_settings_setint (s->settings, "synth.cpu-cores", 1);
      /* Dry: the notes are heard more clearly. */
      fluid_settings_setint (s->settings, "synth.chorus.active", 0);
      fluid_settings_setint (s->settings, "synth.reverb.active", 0);
      s->synth = new_fluid_synth (s->settings);
    }
  if (s->synth == NULL)
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_FAILED, "%s",
                   _("Cannot create a fluidsynth synthesizer"));
      synth_free (s);
      return NULL;
    }
  if (fluid_synth_sfload (s->synth, soundfont, TRUE) == FLUID_FAILED)
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
                   _("Cannot load the sound font “%s”: fluidsynth could not read it"), soundfont);
      synth_free (s);
      return NULL;
    }
  return s;
}

/**
 * strata_note_synth_get_default:
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the shared synthesizer
 */
StrataNoteSynth *
strata_note_synth_get_default (GError **error)
{
  static GMutex lock;
  static StrataNoteSynth *shared;
  g_autofree char *path = NULL;
  StrataNoteSynth *result = NULL;

  g_mutex_lock (&lock);
  path = strata_note_synth_dup_soundfont_path (error);
  if (path != NULL)
    {
      /* $STRATA_SOUNDFONT may name another font than the one loaded. */
      if (shared == NULL || strcmp (shared->soundfont, path) != 0)
        {
          StrataNoteSynth *fresh = strata_note_synth_new (path, error);
          if (fresh != NULL)
            {
              strata_note_synth_unref (shared);
              shared = fresh;
            }
        }
      if (shared != NULL && strcmp (shared->soundfont, path) == 0)
        result = strata_note_synth_ref (shared);
    }
  g_mutex_unlock (&lock);
  return result;
}

/**
 * strata_note_synth_ref:
 * @synth: a synthesizer
 *
 * Returns: @synth
 */
StrataNoteSynth *
strata_note_synth_ref (StrataNoteSynth *synth)
{
  g_return_val_if_fail (synth != NULL, NULL);
  g_atomic_int_inc (&synth->ref_count);
  return synth;
}

/**
 * strata_note_synth_unref:
 * @synth: (nullable): a synthesizer
 *
 * Drops a reference; the last one frees the synthesizer.
 */
void
strata_note_synth_unref (StrataNoteSynth *synth)
{
  if (synth != NULL && g_atomic_int_dec_and_test (&synth->ref_count))
    synth_free (synth);
}

/**
 * strata_note_synth_get_soundfont:
 * @synth: a synthesizer
 *
 * Returns: (transfer none): the sound font's path
 */
const char *
strata_note_synth_get_soundfont (StrataNoteSynth *synth)
{
  g_return_val_if_fail (synth != NULL, NULL);
  return synth->soundfont;
}

static int
compare_events (const void *a, const void *b)
{
  const SynthEvent *x = a, *y = b;

  if (x->frame != y->frame)
    return x->frame < y->frame ? -1 : 1;
  if (x->on != y->on)
    return x->on - y->on;
  return x->pitch - y->pitch;
}

static gint64
seconds_to_frame (double s)
{
  double f = s * STRATA_SAMPLE_RATE;

  if (!isfinite (f) || f < 0)
    return 0;
  return f > (double) G_MAXINT64 / 4 ? G_MAXINT64 / 4 : (gint64) llround (f);
}

/* A synthesizer of its own for one render, so that nothing rings on from
 * the previous one (a reset leaves voices in their release). The font's
 * samples come from fluidsynth's cache, which the kept synthesizer holds
 * on to, so only the preset headers are read again. */
static fluid_synth_t *
fresh_synth (StrataNoteSynth *s, int program, GError **error)
{
  fluid_synth_t *synth = new_fluid_synth (s->settings);

  if (synth == NULL || fluid_synth_sfload (synth, s->soundfont, TRUE) == FLUID_FAILED)
    {
      if (synth != NULL)
        delete_fluid_synth (synth);
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_FAILED,
                   _("Cannot load the sound font “%s”: fluidsynth could not read it"),
                   s->soundfont);
      return NULL;
    }
  /* Linear interpolation: faster than the default fourth-order one
   * (tests/bench/synth), and enough for checking notes by ear. */
  fluid_synth_set_interp_method (synth, -1, FLUID_INTERP_LINEAR);
  fluid_synth_bank_select (synth, 0, 0);
  fluid_synth_program_change (synth, 0, CLAMP (program, 0, 127));
  return synth;
}

/**
 * strata_note_synth_render:
 * @synth: a synthesizer
 * @notes: (element-type StrataTimedNote): the notes
 * @n_frames: frames of the result, or -1 for the notes' length plus a tail
 * @program: the General MIDI program
 * @progress: (nullable): the fraction rendered, every second of audio
 * @abort_func: (nullable): checked every second of audio
 * @abort_data: its data
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the audio
 */
StrataAudio *
strata_note_synth_render (StrataNoteSynth *synth, const GArray *notes, gint64 n_frames,
                          int program, StrataProgressFunc progress, StrataAbortFunc abort_func,
                          void *abort_data, GError **error)
{
  g_autofree SynthEvent *events = NULL;
  fluid_synth_t *fluid;
  guint n_events = 0;
  float *out;
  gint64 pos = 0, next_check = STRATA_SAMPLE_RATE;
  gboolean aborted = FALSE;

  g_return_val_if_fail (synth != NULL, NULL);
  g_return_val_if_fail (notes != NULL, NULL);

  events = g_try_new (SynthEvent, 2 * (gsize) notes->len + 1);
  if (events == NULL)
    goto oom;
  for (guint i = 0; i < notes->len; i++)
    {
      const StrataTimedNote *n = &g_array_index (notes, StrataTimedNote, i);
      gint64 on = seconds_to_frame (n->onset), off = seconds_to_frame (n->offset);

      if (n->pitch < 0 || n->pitch > 127 || off <= on)
        continue;
      events[n_events++] = (SynthEvent) { on, 1, n->pitch, CLAMP (n->velocity, 1, 127) };
      events[n_events++] = (SynthEvent) { off, 0, n->pitch, 0 };
    }
  qsort (events, n_events, sizeof *events, compare_events);
  if (n_frames < 0)
    n_frames = (n_events > 0 ? events[n_events - 1].frame : 0)
               + (gint64) (STRATA_NOTE_SYNTH_TAIL_S * STRATA_SAMPLE_RATE);

  out = g_try_new0 (float, (gsize) MAX (n_frames, 1) * STRATA_CHANNELS);
  if (out == NULL)
    goto oom;

  g_mutex_lock (&synth->lock);
  fluid = fresh_synth (synth, program, error);
  if (fluid == NULL)
    {
      g_mutex_unlock (&synth->lock);
      g_free (out);
      return NULL;
    }
  for (guint e = 0; e <= n_events && pos < n_frames && !aborted; e++)
    {
      gint64 until = e < n_events ? MIN (events[e].frame, n_frames) : n_frames;

      while (pos < until)
        {
          int len = (int) MIN (until - pos, CHUNK_FRAMES);
          float *at = out + 2 * pos;   /* int offsets would overflow past 6 h */

          fluid_synth_write_float (fluid, len, at, 0, 2, at, 1, 2);
          pos += len;
          if (pos >= next_check)
            {
              next_check += STRATA_SAMPLE_RATE;
              if (progress != NULL)
                progress ((double) pos / n_frames, "transcription-synth", abort_data);
              if (abort_func != NULL && abort_func (abort_data))
                {
                  aborted = TRUE;
                  break;
                }
            }
        }
      if (e < n_events && !aborted)
        {
          if (events[e].on)
            fluid_synth_noteon (fluid, 0, events[e].pitch, events[e].velocity);
          else
            fluid_synth_noteoff (fluid, 0, events[e].pitch);
        }
    }
  delete_fluid_synth (fluid);
  g_mutex_unlock (&synth->lock);

  if (aborted)
    {
      g_free (out);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                   _("Synthesis of the notes was cancelled"));
      return NULL;
    }
  return strata_audio_new_take (out, n_frames);

oom:
  g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_FAILED,
               _("Not enough memory to synthesise %u notes"), notes->len);
  return NULL;
}
