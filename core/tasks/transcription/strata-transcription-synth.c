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
/* A half of a split render sounds this long past its last note-off. */
#define PART_TAIL_S 3.0

static const char *const debian_fonts[] = {
  "/usr/share/sounds/sf2/default-GM.sf2",
  "/usr/share/sounds/sf2/FluidR3_GM.sf2",
  "/usr/share/sounds/sf2/TimGM6mb.sf2",
};

struct _StrataNoteSynth
{
  gint ref_count;
  GMutex lock;                  /* held while a render makes its synthesizer */
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

/* One part of a render: the notes whose onsets fall in it, played by a
 * synthesizer of its own from frame @start to @end (their last note-off
 * plus the tail). Frames [start, split) go to @a, those from @split on to
 * @b (each indexed from its first frame). */
typedef struct {
  StrataNoteSynth *synth;
  int program;
  SynthEvent *events;
  guint n_events;
  gint64 start, split, end;
  float *a, *b;
  StrataProgressFunc progress;  /* (nullable) from the caller's thread only */
  StrataAbortFunc abort_func;
  void *abort_data;
  gboolean aborted;
  GError *error;
} Part;

static gpointer
render_part (gpointer data)
{
  Part *p = data;
  fluid_synth_t *fluid;
  gint64 pos = p->start, next_check = p->start + STRATA_SAMPLE_RATE;

  /* Creating a synthesizer reads the shared settings and font cache. */
  g_mutex_lock (&p->synth->lock);
  fluid = fresh_synth (p->synth, p->program, &p->error);
  g_mutex_unlock (&p->synth->lock);
  if (fluid == NULL)
    return NULL;

  for (guint e = 0; e <= p->n_events && pos < p->end && !p->aborted; e++)
    {
      gint64 until = e < p->n_events ? MIN (p->events[e].frame, p->end) : p->end;

      while (pos < until)
        {
          /* Pointers, not int offsets, which would overflow past 6 h. */
          int len = (int) MIN (MIN (until - pos, CHUNK_FRAMES), pos < p->split ? p->split - pos : G_MAXINT);
          float *at = pos < p->split ? p->a + 2 * (pos - p->start) : p->b + 2 * (pos - p->split);

          fluid_synth_write_float (fluid, len, at, 0, 2, at, 1, 2);
          pos += len;
          if (pos >= next_check)
            {
              next_check += STRATA_SAMPLE_RATE;
              if (p->progress != NULL)
                p->progress ((double) (pos - p->start) / (p->end - p->start), "transcription-synth",
                             p->abort_data);
              if (p->abort_func != NULL && p->abort_func (p->abort_data))
                {
                  p->aborted = TRUE;
                  break;
                }
            }
        }
      if (e < p->n_events && !p->aborted)
        {
          if (p->events[e].on)
            fluid_synth_noteon (fluid, 0, p->events[e].pitch, p->events[e].velocity);
          else
            fluid_synth_noteoff (fluid, 0, p->events[e].pitch);
        }
    }
  delete_fluid_synth (fluid);
  return NULL;
}

/* The events (sorted) of the notes of @notes whose onset frame lies in
 * [@from, @to); sets @last to the frame of the last of them. */
static SynthEvent *
part_events (const GArray *notes, gint64 from, gint64 to, guint *n_events, gint64 *last)
{
  SynthEvent *events = g_try_new (SynthEvent, 2 * (gsize) notes->len + 1);
  guint n = 0;

  *last = from;
  if (events == NULL)
    return NULL;
  for (guint i = 0; i < notes->len; i++)
    {
      const StrataTimedNote *note = &g_array_index (notes, StrataTimedNote, i);
      gint64 on = seconds_to_frame (note->onset), off = seconds_to_frame (note->offset);

      if (note->pitch < 0 || note->pitch > 127 || off <= on || on < from || on >= to)
        continue;
      events[n++] = (SynthEvent) { on, 1, note->pitch, CLAMP (note->velocity, 1, 127) };
      events[n++] = (SynthEvent) { off, 0, note->pitch, 0 };
      *last = MAX (*last, off);
    }
  qsort (events, n, sizeof *events, compare_events);
  *n_events = n;
  return events;
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
 * A render longer than a minute is made in two halves on two threads
 * (the notes of each half on their own synthesizer; the first half's
 * tail added onto the second), as the synthesizer is linear without
 * effects.
 *
 * Returns: (transfer full) (nullable): the audio
 */
StrataAudio *
strata_note_synth_render (StrataNoteSynth *synth, const GArray *notes, gint64 n_frames,
                          int program, StrataProgressFunc progress, StrataAbortFunc abort_func,
                          void *abort_data, GError **error)
{
  const gint64 tail = (gint64) (STRATA_NOTE_SYNTH_TAIL_S * STRATA_SAMPLE_RATE);
  Part parts[2] = { { 0 }, { 0 } };
  gint64 last[2] = { 0, 0 }, split;
  int n_parts;
  float *out = NULL, *spill = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (synth != NULL, NULL);
  g_return_val_if_fail (notes != NULL, NULL);

  if (n_frames < 0)
    {
      g_autofree SynthEvent *all = part_events (notes, 0, G_MAXINT64, &parts[0].n_events, &last[0]);
      if (all == NULL)
        goto oom;
      n_frames = (parts[0].n_events > 0 ? last[0] : 0) + tail;
    }
  n_parts = n_frames > 60 * STRATA_SAMPLE_RATE ? 2 : 1;
  split = n_parts == 2 ? n_frames / 2 : n_frames;

  out = g_try_new0 (float, (gsize) MAX (n_frames, 1) * STRATA_CHANNELS);
  if (out == NULL)
    goto oom;
  for (int k = 0; k < n_parts; k++)
    {
      Part *p = &parts[k];

      p->synth = synth;
      p->program = program;
      p->abort_func = abort_func;
      p->abort_data = abort_data;
      p->events = part_events (notes, k == 0 ? 0 : split, k == 0 && n_parts == 2 ? split : G_MAXINT64,
                               &p->n_events, &last[k]);
      if (p->events == NULL)
        goto oom;
      p->start = k == 0 ? 0 : split;
      /* The first half of two stops when its notes have died away. */
      p->end = k == 0 && n_parts == 2
               ? MIN (n_frames, last[k] + (gint64) (PART_TAIL_S * STRATA_SAMPLE_RATE)) : n_frames;
      p->a = out + 2 * p->start;
      p->split = k == 0 ? MIN (split, p->end) : p->end;
    }
  parts[0].progress = progress;
  if (n_parts == 2 && parts[0].end > split)
    {
      /* The first half's notes ringing on into the second. */
      spill = g_try_new0 (float, (gsize) (parts[0].end - split) * STRATA_CHANNELS);
      if (spill == NULL)
        goto oom;
      parts[0].b = spill;
    }

  if (n_parts == 2)
    {
      GThread *second = g_thread_new ("strata-synth", render_part, &parts[1]);
      render_part (&parts[0]);
      g_thread_join (second);
    }
  else
    render_part (&parts[0]);

  for (int k = 0; k < n_parts; k++)
    if (ok && parts[k].error != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&parts[k].error));
        ok = FALSE;
      }
  if (ok && (parts[0].aborted || parts[1].aborted))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                   _("Synthesis of the notes was cancelled"));
      ok = FALSE;
    }
  if (ok && spill != NULL)
    for (gint64 i = 0; i < 2 * (parts[0].end - split); i++)
      out[2 * split + i] += spill[i];

  for (int k = 0; k < 2; k++)
    {
      g_free (parts[k].events);
      g_clear_error (&parts[k].error);
    }
  g_free (spill);
  if (!ok)
    {
      g_free (out);
      return NULL;
    }
  return strata_audio_new_take (out, n_frames);

oom:
  for (int k = 0; k < 2; k++)
    g_free (parts[k].events);
  g_free (spill);
  g_free (out);
  g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_FAILED,
               _("Not enough memory to synthesise %u notes"), notes->len);
  return NULL;
}
