/* strata-transcription-notes.c: decoding the head's outputs into notes,
 * the tempo estimate, the note and frame scores, corpus notes.csv.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/transcription/strata-transcription.h"

#define P88 STRATA_TRANSCRIPTION_N_PITCHES

static int
cmp_notes (gconstpointer a, gconstpointer b)
{
  const StrataTimedNote *x = a, *y = b;
  if (x->onset != y->onset)
    return x->onset < y->onset ? -1 : 1;
  return (x->pitch > y->pitch) - (x->pitch < y->pitch);
}

void
strata_notes_sort (GArray *notes)
{
  g_array_sort (notes, cmp_notes);
}

/* ------------------------------------------------------------ decoding */

void
strata_decode_options_init (StrataDecodeOptions *options)
{
  /* chosen on the training corpus (tests/bench/transcription/
   * bench-transcription-decoding.c; the model card has the figures) */
  options->onset_threshold = 0.15;
  options->frame_threshold = 0.4;
  options->min_note_ms = 50.0;
  options->merge_gap_ms = 70.0;
}

static void
emit (GArray *notes, const StrataTranscriptionOutput *out, const StrataDecodeOptions *o,
      int p, int on, int off)
{
  const double rate = STRATA_TRANSCRIPTION_RATE;
  if ((off - on) / rate * 1000.0 + 1e-9 < o->min_note_ms)
    return;
  /* velocity: the head's estimate at the onset frame and the one after */
  double v = out->velocity[(size_t) on * P88 + p];
  if (on + 1 < out->T)
    v = 0.5 * (v + out->velocity[(size_t) (on + 1) * P88 + p]);
  StrataTimedNote n = { on / rate, off / rate, p + STRATA_TRANSCRIPTION_MIN_PITCH,
                   CLAMP ((int) lround (v * 127.0), 1, 127) };
  g_array_append_val (notes, n);
}

GArray *
strata_transcription_decode (const StrataTranscriptionOutput *out,
                             const StrataDecodeOptions *options)
{
  StrataDecodeOptions defaults;
  strata_decode_options_init (&defaults);
  const StrataDecodeOptions *o = options ? options : &defaults;
  GArray *notes = g_array_new (FALSE, FALSE, sizeof (StrataTimedNote));
  const int T = out->T;
  const int max_gap = (int) floor (o->merge_gap_ms / 1000.0 * STRATA_TRANSCRIPTION_RATE);
  for (int p = 0; p < P88; p++)
    {
      int on = -1, last_active = -1;
      for (int t = 0; t < T; t++)
        {
          const size_t i = (size_t) t * P88 + p;
          const float ons = out->onset[i];
          const float prev = t > 0 ? out->onset[i - P88] : 0.0f;
          const float next = t + 1 < T ? out->onset[i + P88] : 0.0f;
          const gboolean peak = ons >= o->onset_threshold && ons >= prev && ons > next;
          const gboolean active = out->frame[i] >= o->frame_threshold;
          if (peak)
            {
              if (on >= 0)
                emit (notes, out, o, p, on, last_active + 1);
              on = t, last_active = t;
              continue;
            }
          if (on < 0)
            continue;
          if (active)
            last_active = t;
          else if (t - last_active > max_gap)
            {
              emit (notes, out, o, p, on, last_active + 1);
              on = -1;
            }
        }
      if (on >= 0)
        emit (notes, out, o, p, on, last_active + 1);
    }
  strata_notes_sort (notes);
  return notes;
}

/* ------------------------------------------------------------ tempo */

double
strata_estimate_tempo (const GArray *notes)
{
  if (!notes || notes->len < 4)
    return 120.0;
  const double grid = 0.01;
  double end = 0;
  for (guint i = 0; i < notes->len; i++)
    end = MAX (end, g_array_index (notes, StrataTimedNote, i).onset);
  const int n = (int) ceil (end / grid) + 8;
  double *env = g_new0 (double, n);
  for (guint i = 0; i < notes->len; i++)
    {
      double t = g_array_index (notes, StrataTimedNote, i).onset / grid;
      int c = (int) lround (t);
      for (int k = MAX (0, c - 4); k <= MIN (n - 1, c + 4); k++)
        env[k] += exp (-0.5 * ((k - t) * (k - t)) / (2.0 * 2.0));
    }
  double best = -1.0, best_bpm = 120.0;
  for (int tenth = 600; tenth <= 2000; tenth++)
    {
      const double bpm = tenth / 10.0;
      const double lag = 60.0 / bpm / grid;
      const int l0 = (int) floor (lag);
      const double f = lag - l0;
      double acf = 0;
      for (int k = 0; k + l0 + 1 < n; k++)
        acf += env[k] * ((1.0 - f) * env[k + l0] + f * env[k + l0 + 1]);
      /* a log-normal preference around 120 BPM settles octave ambiguity */
      const double w = exp (-0.5 * pow (log2 (bpm / 120.0) / 0.6, 2.0));
      if (acf * w > best)
        best = acf * w, best_bpm = bpm;
    }
  g_free (env);
  return best_bpm;
}

/* ------------------------------------------------------------ scores */

static void
prf_finish (StrataPrf *s)
{
  s->precision = s->n_est ? (double) s->n_match / s->n_est : 0.0;
  s->recall = s->n_ref ? (double) s->n_match / s->n_ref : 0.0;
  s->f1 = s->precision + s->recall > 0
            ? 2 * s->precision * s->recall / (s->precision + s->recall) : 0.0;
}

void
strata_prf_add (StrataPrf *a, const StrataPrf *b)
{
  a->n_ref += b->n_ref, a->n_est += b->n_est, a->n_match += b->n_match;
  prf_finish (a);
}

static double
round4 (double x)
{
  return round (x * 1e4) / 1e4;
}

typedef struct {
  int n_ref, n_est;
  GArray **adj;   /* per reference: est indices (int) it may match */
  int *match_est; /* est -> ref or -1 */
  int *seen;
  int stamp;
} Matching;

static gboolean
augment (Matching *m, int r)
{
  GArray *a = m->adj[r];
  for (guint k = 0; k < a->len; k++)
    {
      int e = g_array_index (a, int, k);
      if (m->seen[e] == m->stamp)
        continue;
      m->seen[e] = m->stamp;
      if (m->match_est[e] < 0 || augment (m, m->match_est[e]))
        {
          m->match_est[e] = r;
          return TRUE;
        }
    }
  return FALSE;
}

/* Maximum bipartite matching (augmenting paths), as mir_eval's. */
static int
match_notes (const GArray *ref, const GArray *est, gboolean with_offset)
{
  Matching m = { (int) ref->len, (int) est->len };
  if (!m.n_ref || !m.n_est)
    return 0;
  m.adj = g_new0 (GArray *, m.n_ref);
  m.match_est = g_new (int, m.n_est);
  m.seen = g_new0 (int, m.n_est);
  for (int e = 0; e < m.n_est; e++)
    m.match_est[e] = -1;
  for (int r = 0; r < m.n_ref; r++)
    {
      const StrataTimedNote *a = &g_array_index (ref, StrataTimedNote, r);
      m.adj[r] = g_array_new (FALSE, FALSE, sizeof (int));
      for (int e = 0; e < m.n_est; e++)
        {
          const StrataTimedNote *b = &g_array_index (est, StrataTimedNote, e);
          if (a->pitch != b->pitch || round4 (fabs (a->onset - b->onset)) > 0.05)
            continue;
          if (with_offset)
            {
              double tol = MAX (0.05, 0.2 * (a->offset - a->onset));
              if (round4 (fabs (a->offset - b->offset)) > tol)
                continue;
            }
          g_array_append_val (m.adj[r], e);
        }
    }
  int n = 0;
  for (int r = 0; r < m.n_ref; r++)
    {
      m.stamp++;
      n += augment (&m, r);
    }
  for (int r = 0; r < m.n_ref; r++)
    g_array_unref (m.adj[r]);
  g_free (m.adj);
  g_free (m.match_est);
  g_free (m.seen);
  return n;
}

/* Piano-roll cells: a note covers the frames whose centre t / rate lies in
 * [onset, offset). */
static guint8 *
roll (const GArray *notes, int T)
{
  guint8 *r = g_new0 (guint8, (gsize) T * P88);
  for (guint i = 0; i < notes->len; i++)
    {
      const StrataTimedNote *n = &g_array_index (notes, StrataTimedNote, i);
      int p = n->pitch - STRATA_TRANSCRIPTION_MIN_PITCH;
      if (p < 0 || p >= P88)
        continue;
      int t0 = (int) ceil (n->onset * STRATA_TRANSCRIPTION_RATE - 1e-9);
      int t1 = (int) ceil (n->offset * STRATA_TRANSCRIPTION_RATE - 1e-9);
      for (int t = MAX (t0, 0); t < MIN (t1, T); t++)
        r[(size_t) t * P88 + p] = 1;
    }
  return r;
}

void
strata_transcription_evaluate (const GArray *ref, const GArray *est,
                               StrataTranscriptionScores *s)
{
  memset (s, 0, sizeof *s);
  s->note.n_ref = s->note_offset.n_ref = (int) ref->len;
  s->note.n_est = s->note_offset.n_est = (int) est->len;
  s->note.n_match = match_notes (ref, est, FALSE);
  s->note_offset.n_match = match_notes (ref, est, TRUE);
  prf_finish (&s->note);
  prf_finish (&s->note_offset);
  double end = 0;
  for (guint i = 0; i < ref->len; i++)
    end = MAX (end, g_array_index (ref, StrataTimedNote, i).offset);
  for (guint i = 0; i < est->len; i++)
    end = MAX (end, g_array_index (est, StrataTimedNote, i).offset);
  const int T = (int) ceil (end * STRATA_TRANSCRIPTION_RATE) + 1;
  g_autofree guint8 *a = roll (ref, T), *b = roll (est, T);
  for (size_t i = 0; i < (size_t) T * P88; i++)
    {
      s->frame.n_ref += a[i];
      s->frame.n_est += b[i];
      s->frame.n_match += a[i] & b[i];
    }
  prf_finish (&s->frame);
}

/* ------------------------------------------------------------ notes.csv */

GArray *
strata_notes_read_csv (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID, "%s",
                   local->message);
      return NULL;
    }
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GArray) notes = g_array_new (FALSE, FALSE, sizeof (StrataTimedNote));
  for (int i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);
      if (!*line || (i == 0 && g_str_has_prefix (line, "onset_s")))
        continue;
      g_auto (GStrv) f = g_strsplit (line, ",", -1);
      char *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL;
      /* 4 fields: a transcription's own CSV (no stem column) */
      const guint n_fields = g_strv_length (f);
      if (n_fields != 4 && n_fields < 6)
        goto bad;
      double on = g_ascii_strtod (f[0], &e1), off = g_ascii_strtod (f[1], &e2);
      long pitch = strtol (f[2], &e3, 10), vel = strtol (f[3], &e4, 10);
      if (*e1 || *e2 || *e3 || *e4 || !isfinite (on) || !isfinite (off) || on < 0 ||
          off < on || vel < 0 || vel > 127)
        goto bad;
      if ((n_fields >= 6 && strcmp (f[5], "drums") == 0) ||
          pitch < STRATA_TRANSCRIPTION_MIN_PITCH || pitch >= STRATA_TRANSCRIPTION_MIN_PITCH + P88)
        continue;
      StrataTimedNote n = { on, off, (int) pitch, (int) MAX (vel, 1) };
      g_array_append_val (notes, n);
      continue;
    bad:
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
                   _("%s, line %d: not a note (onset_s,offset_s,pitch,velocity,program,stem,…)"),
                   path, i + 1);
      return NULL;
    }
  strata_notes_sort (notes);
  return g_steal_pointer (&notes);
}
