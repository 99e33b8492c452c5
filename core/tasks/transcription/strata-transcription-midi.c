/* strata-transcription-midi.c: notes in seconds to and from Standard MIDI
 * Files (the writer is corpus/strata-smf.c's).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "corpus/strata-smf.h"
#include "tasks/transcription/strata-transcription.h"

GBytes *
strata_notes_to_smf (const GArray *notes, double tempo_bpm)
{
  const double bpm = tempo_bpm > 0 ? tempo_bpm : 120.0;
  /* the tempo is written in whole microseconds a quarter: convert with the
   * same rounded value so that a reader gets the times back */
  const double usec = floor (60000000.0 / bpm + 0.5);
  const double ticks_per_s = STRATA_PIECE_PPQ * 1e6 / usec;
  g_autofree StrataNote *ev = g_new0 (StrataNote, notes->len ? notes->len : 1);
  for (guint i = 0; i < notes->len; i++)
    {
      const StrataTimedNote *n = &g_array_index (notes, StrataTimedNote, i);
      ev[i].on = (gint64) llround (n->onset * ticks_per_s);
      ev[i].off = MAX (ev[i].on + 1, (gint64) llround (n->offset * ticks_per_s));
      ev[i].pitch = (guint8) CLAMP (n->pitch, 0, 127);
      ev[i].velocity = (guint8) CLAMP (n->velocity, 1, 127);
    }
  return strata_smf_from_notes (ev, notes->len, 60000000.0 / usec, "Strata transcription");
}

typedef struct {
  const guint8 *p, *end;
} Reader;

static gboolean
read_varlen (Reader *r, guint32 *out)
{
  guint32 v = 0;
  for (int i = 0; i < 4; i++)
    {
      if (r->p >= r->end)
        return FALSE;
      guint8 b = *r->p++;
      v = (v << 7) | (b & 0x7f);
      if (!(b & 0x80))
        {
          *out = v;
          return TRUE;
        }
    }
  return FALSE;
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

typedef struct {
  gint64 tick;
  int kind;        /* 0 tempo, 1 note-off, 2 note-on */
  int channel, key, velocity;
  guint32 usec;
} Ev;

static int
cmp_ev (gconstpointer a, gconstpointer b)
{
  const Ev *x = a, *y = b;
  if (x->tick != y->tick)
    return x->tick < y->tick ? -1 : 1;
  return x->kind - y->kind;
}

static gboolean
bad (GError **error, const char *name, const char *why)
{
  g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
               _("%s is not a readable MIDI file: %s"), name, why);
  return FALSE;
}

static gboolean
read_track (Reader *r, GArray *evs, const char *name, GError **error)
{
  gint64 tick = 0;
  int status = 0;
  while (r->p < r->end)
    {
      guint32 delta;
      if (!read_varlen (r, &delta))
        return bad (error, name, _("a truncated event"));
      tick += delta;
      if (r->p >= r->end)
        return bad (error, name, _("a truncated event"));
      int b = *r->p;
      if (b & 0x80)
        r->p++, status = b;
      else if (!status)
        return bad (error, name, _("running status without a status byte"));
      if (status == 0xff)
        {
          status = 0;
          if (r->p >= r->end)
            return bad (error, name, _("a truncated meta event"));
          int type = *r->p++;
          guint32 len;
          if (!read_varlen (r, &len) || len > (guint32) (r->end - r->p))
            return bad (error, name, _("a truncated meta event"));
          if (type == 0x51 && len == 3)
            {
              Ev e = { tick, 0, 0, 0, 0,
                       (guint32) r->p[0] << 16 | (guint32) r->p[1] << 8 | r->p[2] };
              if (e.usec > 0)
                g_array_append_val (evs, e);
            }
          r->p += len;
          if (type == 0x2f)
            return TRUE;
          continue;
        }
      if (status == 0xf0 || status == 0xf7)
        {
          status = 0;
          guint32 len;
          if (!read_varlen (r, &len) || len > (guint32) (r->end - r->p))
            return bad (error, name, _("a truncated system-exclusive event"));
          r->p += len;
          continue;
        }
      int hi = status & 0xf0, n = (hi == 0xc0 || hi == 0xd0) ? 1 : 2;
      if ((size_t) (r->end - r->p) < (size_t) n)
        return bad (error, name, _("a truncated channel event"));
      int d0 = r->p[0] & 0x7f, d1 = n > 1 ? r->p[1] & 0x7f : 0;
      r->p += n;
      if (hi == 0x90 || hi == 0x80)
        {
          Ev e = { tick, hi == 0x90 && d1 > 0 ? 2 : 1, status & 0x0f, d0, d1, 0 };
          g_array_append_val (evs, e);
        }
    }
  return TRUE;
}

GArray *
strata_smf_read_notes (const guint8 *data, gsize len, const char *name, double *tempo_bpm,
                       GError **error)
{
  if (len < 14 || memcmp (data, "MThd", 4) != 0 || be32 (data + 4) < 6)
    {
      bad (error, name, _("no MThd header"));
      return NULL;
    }
  const guint32 hlen = be32 (data + 4);
  const int format = data[8] << 8 | data[9], ntrk = data[10] << 8 | data[11];
  const int division = data[12] << 8 | data[13];
  if (format > 1 || division == 0 || (division & 0x8000))
    {
      bad (error, name, _("only format 0 and 1 files with ticks a quarter are read"));
      return NULL;
    }
  if (hlen > len - 8)
    {
      bad (error, name, _("a truncated header"));
      return NULL;
    }
  g_autoptr (GArray) evs = g_array_new (FALSE, FALSE, sizeof (Ev));
  const guint8 *p = data + 8 + hlen, *end = data + len;
  for (int t = 0; t < ntrk; t++)
    {
      if ((size_t) (end - p) < 8 || memcmp (p, "MTrk", 4) != 0)
        {
          bad (error, name, _("a missing or truncated track"));
          return NULL;
        }
      guint32 tl = be32 (p + 4);
      if (tl > (size_t) (end - p) - 8)
        {
          bad (error, name, _("a track runs past the end of the file"));
          return NULL;
        }
      Reader r = { p + 8, p + 8 + tl };
      if (!read_track (&r, evs, name, error))
        return NULL;
      p += 8 + tl;
    }
  g_array_sort (evs, cmp_ev);
  /* seconds through the tempo map */
  double sec = 0, usec = 500000;
  gint64 last = 0;
  gboolean first_tempo = TRUE;
  if (tempo_bpm)
    *tempo_bpm = 120.0;
  double start[16][128];
  int vel[16][128];
  memset (vel, 0, sizeof vel);
  g_autoptr (GArray) notes = g_array_new (FALSE, FALSE, sizeof (StrataTimedNote));
  for (guint i = 0; i < evs->len; i++)
    {
      const Ev *e = &g_array_index (evs, Ev, i);
      sec += (double) (e->tick - last) * usec / 1e6 / division;
      last = e->tick;
      if (e->kind == 0)
        {
          usec = e->usec;
          if (first_tempo && tempo_bpm)
            *tempo_bpm = 60000000.0 / usec;
          first_tempo = FALSE;
          continue;
        }
      if (e->channel == 9)
        continue;
      int *v = &vel[e->channel][e->key];
      if (*v > 0 && (e->kind == 1 || e->kind == 2))
        {
          StrataTimedNote n = { start[e->channel][e->key], sec, e->key, *v };
          if (n.offset > n.onset)
            g_array_append_val (notes, n);
          *v = 0;
        }
      if (e->kind == 2)
        {
          *v = e->velocity;
          start[e->channel][e->key] = sec;
        }
    }
  strata_notes_sort (notes);
  return g_steal_pointer (&notes);
}

/**
 * strata_notes_append_csv:
 * @csv: where the rows go
 * @file_field: (nullable): the first column of every row (already quoted
 *   as CSV needs), or %NULL for none
 * @notes: (element-type StrataTimedNote): notes
 *
 * One row a note: [file_field,]onset_s,offset_s,pitch,velocity, the times
 * in seconds with 4 decimals and '.' in every locale.
 */
void
strata_notes_append_csv (GString *csv, const char *file_field, const GArray *notes)
{
  g_return_if_fail (csv != NULL && notes != NULL);

  for (guint i = 0; i < notes->len; i++)
    {
      const StrataTimedNote *n = &g_array_index (notes, StrataTimedNote, i);
      char on[G_ASCII_DTOSTR_BUF_SIZE], off[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (on, sizeof on, "%.4f", n->onset);
      g_ascii_formatd (off, sizeof off, "%.4f", n->offset);
      if (file_field != NULL)
        g_string_append_printf (csv, "%s,", file_field);
      g_string_append_printf (csv, "%s,%s,%d,%d\n", on, off, n->pitch, n->velocity);
    }
}

/**
 * strata_notes_to_csv:
 * @notes: (element-type StrataTimedNote): notes
 *
 * What `strata-cli transcribe FILE --csv` prints for one file: the header
 * "onset_s,offset_s,pitch,velocity", then strata_notes_append_csv()'s rows.
 *
 * Returns: (transfer full): the file's bytes
 */
GBytes *
strata_notes_to_csv (const GArray *notes)
{
  GString *csv = g_string_new (STRATA_NOTES_CSV_HEADER "\n");

  strata_notes_append_csv (csv, NULL, notes);
  return g_string_free_to_bytes (csv);
}
