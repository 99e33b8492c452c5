/* strata-render.c: one fluidsynth pass a stem, then gain, pan and the mix.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <fluidsynth.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <unistd.h>

#include "strata-types.h"
#include "corpus/strata-render.h"
#include "corpus/strata-corpus-private.h"

#define RENDER_CHUNK 4096
#define DRUM_BANK 128

G_DEFINE_QUARK (strata-corpus-error-quark, strata_corpus_error)

/* A synthesizer with the sound font loaded. Every stem pass gets a fresh
 * one (fluid_synth_system_reset() does not restart the chorus and reverb,
 * so a reused synthesizer would make a stem depend on what it rendered
 * before); the renderer's anchor keeps the font's samples in fluidsynth's
 * sample cache, so a fresh synthesizer only re-reads the preset tables. */
typedef struct {
  fluid_settings_t *settings;
  fluid_synth_t    *synth;
  fluid_sfont_t    *sfont;
} Synth;

struct _StrataRenderer {
  char    *soundfont;
  Synth    anchor;
  int      n_workers;
  double   peak_db;
};

typedef struct {
  gint64  frame;
  int     kind;       /* 0 note off, 1 note on */
  int     channel;
  int     pitch;
  int     velocity;
} Event;

static void
log_to_glib (int level, const char *message, void *data)
{
  g_debug ("fluidsynth: %s", message);
}

static void
route_fluid_logs (void)
{
  static gsize once;

  if (g_once_init_enter (&once))
    {
      for (int level = FLUID_PANIC; level < LAST_LOG_LEVEL; level++)
        fluid_set_log_function (level, log_to_glib, NULL);
      g_once_init_leave (&once, 1);
    }
}

static void
synth_clear (Synth *w)
{
  if (w->synth)
    delete_fluid_synth (w->synth);
  if (w->settings)
    delete_fluid_settings (w->settings);
  memset (w, 0, sizeof *w);
}

static gboolean
synth_init (Synth *w, const char *soundfont, GError **error)
{
  int id;

  w->settings = new_fluid_settings ();
  if (w->settings == NULL)
    goto synth_failed;
  fluid_settings_setnum (w->settings, "synth.sample-rate", STRATA_SAMPLE_RATE);
  fluid_settings_setnum (w->settings, "synth.gain", 0.5);
  fluid_settings_setint (w->settings, "synth.polyphony", 256);
  fluid_settings_setint (w->settings, "synth.threadsafe-api", 0);
  fluid_settings_setint (w->settings, "synth.cpu-cores", 1);
  fluid_settings_setint (w->settings, "synth.reverb.active", 1);
  fluid_settings_setint (w->settings, "synth.chorus.active", 1);
  fluid_settings_setint (w->settings, "synth.dynamic-sample-loading", 0);
  w->synth = new_fluid_synth (w->settings);
  if (w->synth == NULL)
    goto synth_failed;
  id = fluid_synth_sfload (w->synth, soundfont, TRUE);
  if (id == FLUID_FAILED)
    {
      g_set_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_SOUNDFONT,
                   _("Cannot load the sound font “%s”: not a readable SoundFont 2 file"), soundfont);
      return FALSE;
    }
  w->sfont = fluid_synth_get_sfont_by_id (w->synth, id);
  return TRUE;

synth_failed:
  g_set_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_SYNTH,
               _("Cannot create a fluidsynth synthesizer"));
  return FALSE;
}

/**
 * strata_renderer_new:
 * @soundfont: path of a SoundFont 2 file (.sf2)
 * @n_threads: worker threads (stems rendered in parallel), >= 1
 * @error: return location for a #GError
 *
 * Loads @soundfont (checking that it is a SoundFont 2 file).
 *
 * Returns: (transfer full) (nullable): the renderer, or %NULL with @error
 *   set (%STRATA_CORPUS_ERROR_SOUNDFONT names the file and the reason).
 */
StrataRenderer *
strata_renderer_new (const char *soundfont, int n_threads, GError **error)
{
  g_autoptr (StrataRenderer) r = NULL;

  g_return_val_if_fail (soundfont != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  route_fluid_logs ();
  if (g_access (soundfont, R_OK) != 0 || !g_file_test (soundfont, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_SOUNDFONT,
                   _("Cannot read the sound font “%s”: %s"), soundfont,
                   g_file_test (soundfont, G_FILE_TEST_EXISTS) ? _("not a readable file")
                                                               : _("no such file"));
      return NULL;
    }
  if (!fluid_is_soundfont (soundfont))
    {
      g_set_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_SOUNDFONT,
                   _("Cannot load the sound font “%s”: not a SoundFont 2 file"), soundfont);
      return NULL;
    }

  r = g_new0 (StrataRenderer, 1);
  r->soundfont = g_strdup (soundfont);
  r->peak_db = -1.0;
  r->n_workers = CLAMP (n_threads, 1, STRATA_N_STEMS);
  if (!synth_init (&r->anchor, soundfont, error))
    return NULL;
  return g_steal_pointer (&r);
}

/**
 * strata_renderer_free:
 * @renderer: (transfer full) (nullable): a renderer
 */
void
strata_renderer_free (StrataRenderer *renderer)
{
  if (renderer == NULL)
    return;
  synth_clear (&renderer->anchor);
  g_free (renderer->soundfont);
  g_free (renderer);
}

/**
 * strata_renderer_set_peak_db:
 * @renderer: a renderer
 * @peak_db: the peak level the loudest of mix and stems is scaled to (dBFS)
 */
void
strata_renderer_set_peak_db (StrataRenderer *renderer, double peak_db)
{
  g_return_if_fail (renderer != NULL);
  renderer->peak_db = MIN (peak_db, 0.0);
}

static int
compare_events (const void *a, const void *b)
{
  const Event *x = a, *y = b;

  if (x->frame != y->frame)
    return x->frame < y->frame ? -1 : 1;
  if (x->kind != y->kind)
    return x->kind - y->kind;
  if (x->channel != y->channel)
    return x->channel - y->channel;
  return x->pitch - y->pitch;
}

static gint64
tick_to_frame (const StrataPiece *piece, gint64 tick)
{
  return (gint64) llround (strata_piece_tick_to_seconds (piece, tick) * STRATA_SAMPLE_RATE);
}

/* Renders the parts of @stem into @out, (T, 2) interleaved, T = @n_frames. */
static gboolean
render_stem (const StrataRenderer *r, const StrataPiece *piece, StrataStem stem, float *out,
             gint64 n_frames, GError **error)
{
  Synth fresh = { 0 }, *w = &fresh;
  fluid_synth_t *synth;
  const StrataMix *m = &piece->mix;
  g_autofree Event *events = NULL;
  gsize n_events = 0;
  gint64 pos = 0;

  if (!synth_init (&fresh, r->soundfont, error))
    {
      synth_clear (&fresh);
      return FALSE;
    }
  synth = fresh.synth;
  fluid_synth_set_reverb_group_roomsize (synth, -1, m->reverb_room);
  fluid_synth_set_reverb_group_damp (synth, -1, m->reverb_damp);
  fluid_synth_set_reverb_group_width (synth, -1, m->reverb_width * 100.0);
  fluid_synth_set_reverb_group_level (synth, -1, m->reverb_level);
  fluid_synth_set_chorus_group_nr (synth, -1, m->chorus_voices);
  fluid_synth_set_chorus_group_level (synth, -1, m->chorus_level);
  fluid_synth_set_chorus_group_speed (synth, -1, m->chorus_speed);
  fluid_synth_set_chorus_group_depth (synth, -1, m->chorus_depth);

  for (int i = 0; i < piece->n_parts; i++)
    {
      const StrataPart *part = &piece->parts[i];
      int program = part->program;

      if (part->stem != stem)
        continue;
      if (part->is_drums)
        {
          /* a kit the sound font lacks falls back to the standard kit */
          if (w->sfont && fluid_sfont_get_preset (w->sfont, DRUM_BANK, program) == NULL)
            program = 0;
        }
      else
        fluid_synth_bank_select (synth, part->channel, 0);
      fluid_synth_program_change (synth, part->channel, program);
      fluid_synth_cc (synth, part->channel, 7, part->volume);
      fluid_synth_cc (synth, part->channel, 10, 64);
      fluid_synth_cc (synth, part->channel, 91, part->reverb_send);
      fluid_synth_cc (synth, part->channel, 93, part->chorus_send);
    }

  events = g_new (Event, 2 * piece->notes->len + 1);
  for (guint k = 0; k < piece->notes->len; k++)
    {
      const StrataNote *n = &g_array_index (piece->notes, StrataNote, k);
      const StrataPart *part = &piece->parts[n->part];

      if (part->stem != stem)
        continue;
      events[n_events++] = (Event) { tick_to_frame (piece, n->on), 1, part->channel, n->pitch, n->velocity };
      events[n_events++] = (Event) { tick_to_frame (piece, n->off), 0, part->channel, n->pitch, 0 };
    }
  qsort (events, n_events, sizeof (Event), compare_events);

  for (gsize e = 0; e <= n_events; e++)
    {
      gint64 until = e < n_events ? MIN (events[e].frame, n_frames) : n_frames;

      while (pos < until)
        {
          int len = (int) MIN (until - pos, RENDER_CHUNK);
          fluid_synth_write_float (synth, len, out, (int) (2 * pos), 2, out, (int) (2 * pos + 1), 2);
          pos += len;
        }
      if (e == n_events)
        break;
      if (events[e].kind == 1)
        fluid_synth_noteon (synth, events[e].channel, events[e].pitch, events[e].velocity);
      else
        fluid_synth_noteoff (synth, events[e].channel, events[e].pitch);
    }
  synth_clear (&fresh);
  return TRUE;
}

typedef struct {
  StrataRenderer     *renderer;
  const StrataPiece  *piece;
  StrataRendering    *result;
  StrataStem          stems[STRATA_N_STEMS];
} StemJobs;

static gboolean
stem_job (int job, gpointer data, GError **error)
{
  StemJobs *jobs = data;
  StrataStem stem = jobs->stems[job];

  return render_stem (jobs->renderer, jobs->piece, stem, jobs->result->stems[stem],
                      jobs->result->n_frames, error);
}

typedef struct {
  int            n_jobs;
  StrataJobFunc  func;
  gpointer       data;
  int            next;     /* atomic */
  GMutex         lock;
  GError        *error;    /* the first failure */
} JobQueue;

static gpointer
job_thread (gpointer data)
{
  JobQueue *q = data;
  int j;

  while ((j = g_atomic_int_add (&q->next, 1)) < q->n_jobs)
    {
      GError *error = NULL;

      if (!q->func (j, q->data, &error))
        {
          g_mutex_lock (&q->lock);
          if (q->error == NULL)
            q->error = error;
          else
            g_error_free (error);
          g_mutex_unlock (&q->lock);
        }
    }
  return NULL;
}

/* Runs jobs 0..@n_jobs-1 of @func on @n_threads threads (the caller's
 * included) and returns the first failure. */
gboolean
_strata_corpus_run_jobs (int n_jobs, int n_threads, StrataJobFunc func, gpointer data, GError **error)
{
  JobQueue q = { .n_jobs = n_jobs, .func = func, .data = data };
  g_autofree GThread **threads = NULL;

  n_threads = CLAMP (n_threads, 1, MAX (1, n_jobs));
  threads = g_new0 (GThread *, n_threads);
  g_mutex_init (&q.lock);
  for (int t = 0; t + 1 < n_threads; t++)
    threads[t] = g_thread_new ("strata-corpus", job_thread, &q);
  job_thread (&q);
  for (int t = 0; t + 1 < n_threads; t++)
    g_thread_join (threads[t]);
  g_mutex_clear (&q.lock);
  if (q.error)
    {
      g_propagate_error (error, q.error);
      return FALSE;
    }
  return TRUE;
}

/**
 * strata_renderer_render:
 * @renderer: a renderer
 * @piece: the piece to render
 * @error: return location for a #GError
 *
 * Renders every stem of @piece (stems without parts are silent), applies
 * the piece's stem gains and pans, scales everything by one factor so the
 * loudest of mix and stems peaks at the renderer's target (default
 * -1 dBFS), and sums the mix. Deterministic: the same renderer settings,
 * sound font and piece give the same samples.
 *
 * Returns: (transfer full) (nullable): the rendering.
 */
StrataRendering *
strata_renderer_render (StrataRenderer *renderer, const StrataPiece *piece, GError **error)
{
  g_autoptr (StrataRendering) res = NULL;
  StemJobs jobs = { 0 };
  int n_jobs = 0;
  double duration = strata_piece_get_duration (piece);
  double peak = 0, target, scale;
  gsize n_samples;

  g_return_val_if_fail (renderer != NULL && piece != NULL, NULL);

  res = g_new0 (StrataRendering, 1);
  res->n_frames = (gint64) ceil (duration * STRATA_SAMPLE_RATE);
  n_samples = (gsize) res->n_frames * 2;
  if (duration > 3600 * 4)
    {
      g_set_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_OPTIONS,
                   _("A piece of %.0f s is too long to render"), duration);
      return NULL;
    }
  for (int s = 0; s < STRATA_N_STEMS; s++)
    res->stems[s] = g_new0 (float, n_samples);
  res->mix = g_new0 (float, n_samples);

  for (int i = 0; i < piece->n_parts; i++)
    res->present[piece->parts[i].stem] = TRUE;
  for (int s = 0; s < STRATA_N_STEMS; s++)
    if (res->present[s])
      jobs.stems[n_jobs++] = s;
  jobs.renderer = renderer;
  jobs.piece = piece;
  jobs.result = res;
  if (!_strata_corpus_run_jobs (n_jobs, renderer->n_workers, stem_job, &jobs, error))
    return NULL;

  /* gain and constant-power balance a stem: at pan 0 both channels are
   * untouched, at pan -1 the left gets sqrt(2) and the right nothing */
  for (int s = 0; s < STRATA_N_STEMS; s++)
    {
      double g = pow (10.0, piece->mix.gain_db[s] / 20.0);
      double theta = (CLAMP (piece->mix.pan[s], -1.0f, 1.0f) + 1.0) * G_PI / 4.0;
      float gl = (float) (g * cos (theta) * G_SQRT2), gr = (float) (g * sin (theta) * G_SQRT2);
      float *x = res->stems[s];

      if (!res->present[s])
        continue;
      for (gint64 i = 0; i < res->n_frames; i++)
        {
          x[2 * i] *= gl;
          x[2 * i + 1] *= gr;
        }
    }

  /* one common scale: the loudest of the mix and the stems at the target */
  for (gsize i = 0; i < n_samples; i++)
    {
      float sum = 0;
      for (int s = 0; s < STRATA_N_STEMS; s++)
        {
          sum += res->stems[s][i];
          peak = MAX (peak, fabsf (res->stems[s][i]));
        }
      peak = MAX (peak, fabsf (sum));
    }
  target = pow (10.0, renderer->peak_db / 20.0);
  scale = peak > 1e-9 ? target / peak : 1.0;
  res->scale_db = (float) (20.0 * log10 (scale));
  res->peak_db = (float) renderer->peak_db;
  for (int s = 0; s < STRATA_N_STEMS; s++)
    {
      float *x = res->stems[s];
      res->gain_db[s] = piece->mix.gain_db[s] + res->scale_db;
      for (gsize i = 0; i < n_samples; i++)
        x[i] = (float) (x[i] * scale);
    }
  for (gsize i = 0; i < n_samples; i++)
    {
      float sum = res->stems[0][i];
      for (int s = 1; s < STRATA_N_STEMS; s++)
        sum += res->stems[s][i];
      res->mix[i] = sum;
    }
  return g_steal_pointer (&res);
}

/**
 * strata_rendering_free:
 * @rendering: (transfer full) (nullable): a rendering
 */
void
strata_rendering_free (StrataRendering *rendering)
{
  if (rendering == NULL)
    return;
  for (int s = 0; s < STRATA_N_STEMS; s++)
    g_free (rendering->stems[s]);
  g_free (rendering->mix);
  g_free (rendering);
}
