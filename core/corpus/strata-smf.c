/* strata-smf.c: writes a StrataPiece as a Standard MIDI File.
 *
 * Format 1 at STRATA_PIECE_PPQ ticks per quarter: track 0 holds the tempo,
 * time signature and key signature; one track a part follows, with its
 * name, program, volume (CC 7), centre pan (CC 10; stem pan is applied after
 * rendering), reverb (CC 91) and chorus (CC 93) sends and its notes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "corpus/strata-smf.h"
#include "io/strata-output.h"

typedef struct {
  gint64 tick;
  int    order;      /* note-offs before note-ons at the same tick */
  guint8 bytes[3];
  int    n_bytes;
} Event;

static void
put_u32 (GByteArray *out, guint32 v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };
  g_byte_array_append (out, b, 4);
}

static void
put_u16 (GByteArray *out, guint16 v)
{
  guint8 b[2] = { v >> 8, v };
  g_byte_array_append (out, b, 2);
}

static void
put_varlen (GByteArray *out, guint32 v)
{
  guint8 b[5];
  int n = 0;

  b[4] = v & 0x7f;
  n = 1;
  while ((v >>= 7) != 0 && n < 5)
    {
      b[4 - n] = 0x80 | (v & 0x7f);
      n++;
    }
  g_byte_array_append (out, b + 5 - n, n);
}

/* The largest delta time a variable-length quantity holds (4 bytes, SMF 1.0). */
#define SMF_MAX_DELTA 0x0fffffff

/* Writes the delta time before an event. A gap longer than a quantity holds
 * is bridged by empty text events (FF 01 00), so no varlen exceeds 4 bytes. */
static void
put_delta (GByteArray *out, gint64 delta)
{
  static const guint8 empty_text[3] = { 0xff, 0x01, 0x00 };

  while (delta > SMF_MAX_DELTA)
    {
      put_varlen (out, SMF_MAX_DELTA);
      g_byte_array_append (out, empty_text, 3);
      delta -= SMF_MAX_DELTA;
    }
  put_varlen (out, (guint32) MAX (delta, 0));
}

static void
put_meta (GByteArray *out, guint32 delta, guint8 type, const void *data, guint32 len)
{
  guint8 head[2] = { 0xff, type };

  put_varlen (out, delta);
  g_byte_array_append (out, head, 2);
  put_varlen (out, len);
  g_byte_array_append (out, data, len);
}

static void
end_track (GByteArray *file, GByteArray *track)
{
  put_meta (track, 0, 0x2f, NULL, 0);
  g_byte_array_append (file, (const guint8 *) "MTrk", 4);
  put_u32 (file, track->len);
  g_byte_array_append (file, track->data, track->len);
}

static int
compare_events (gconstpointer a, gconstpointer b)
{
  const Event *x = a, *y = b;

  if (x->tick != y->tick)
    return x->tick < y->tick ? -1 : 1;
  return x->order - y->order;
}

/* Sorts @events and appends them to @track with their delta times. */
static void
put_events (GByteArray *track, GArray *events)
{
  gint64 now = 0;

  g_array_sort (events, compare_events);
  for (guint k = 0; k < events->len; k++)
    {
      const Event *e = &g_array_index (events, Event, k);
      put_delta (track, e->tick - now);
      g_byte_array_append (track, e->bytes, e->n_bytes);
      now = e->tick;
    }
}

/**
 * strata_piece_to_smf:
 * @piece: a piece
 *
 * Returns: (transfer full): the piece as a format-1 Standard MIDI File.
 */
GBytes *
strata_piece_to_smf (const StrataPiece *piece)
{
  g_autoptr (GByteArray) file = g_byte_array_new ();
  g_autoptr (GByteArray) track = g_byte_array_new ();
  /* the tempo meta event holds 24 bits of microseconds per quarter */
  guint32 usec = (guint32) CLAMP (60000000.0 / piece->bpm + 0.5, 1.0, (double) 0xffffff);
  guint8 tempo[3] = { usec >> 16, usec >> 8, usec };
  guint8 timesig[4] = { piece->meter_num, piece->meter_den == 8 ? 3 : 2,
                        piece->meter_den == 8 ? 36 : 24, 8 };
  static const int sharps[12] = { 0, -5, 2, -3, 4, -1, 6, 1, -4, 3, -2, 5 };
  gboolean minor = strcmp (piece->mode, "major") != 0 && strcmp (piece->mode, "mixolydian") != 0;
  int key_sf = sharps[minor ? (piece->key + 3) % 12 : piece->key];
  guint8 keysig[2] = { (guint8) (gint8) key_sf, minor ? 1 : 0 };
  g_autofree char *title = g_strdup_printf ("Strata %s, seed %" G_GUINT64_FORMAT, piece->style, piece->seed);

  g_return_val_if_fail (piece != NULL, NULL);

  g_byte_array_append (file, (const guint8 *) "MThd", 4);
  put_u32 (file, 6);
  put_u16 (file, 1);
  put_u16 (file, piece->n_parts + 1);
  put_u16 (file, STRATA_PIECE_PPQ);

  put_meta (track, 0, 0x03, title, strlen (title));
  put_meta (track, 0, 0x51, tempo, 3);
  put_meta (track, 0, 0x58, timesig, 4);
  put_meta (track, 0, 0x59, keysig, 2);
  end_track (file, track);

  for (int i = 0; i < piece->n_parts; i++)
    {
      const StrataPart *part = &piece->parts[i];
      g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (Event));
      guint8 ch = part->channel & 0x0f;
      const guint8 setup[][3] = {
        { 0xb0 | ch, 7, part->volume }, { 0xb0 | ch, 10, 64 },
        { 0xb0 | ch, 91, part->reverb_send }, { 0xb0 | ch, 93, part->chorus_send },
      };
      guint8 prog[2] = { 0xc0 | ch, part->program & 0x7f };

      g_byte_array_set_size (track, 0);
      put_meta (track, 0, 0x03, part->role, strlen (part->role));
      put_varlen (track, 0);
      g_byte_array_append (track, prog, 2);
      for (guint k = 0; k < G_N_ELEMENTS (setup); k++)
        {
          put_varlen (track, 0);
          g_byte_array_append (track, setup[k], 3);
        }
      for (guint k = 0; k < piece->notes->len; k++)
        {
          const StrataNote *n = &g_array_index (piece->notes, StrataNote, k);
          Event on = { n->on, 1, { 0x90 | ch, n->pitch, n->velocity }, 3 };
          Event off = { n->off, 0, { 0x80 | ch, n->pitch, 64 }, 3 };

          if (n->part != i)
            continue;
          g_array_append_val (events, on);
          g_array_append_val (events, off);
        }
      put_events (track, events);
      end_track (file, track);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&file));
}

/**
 * strata_smf_from_notes:
 * @notes: (array length=n_notes): notes in ticks at STRATA_PIECE_PPQ (the
 *   part field is ignored)
 * @n_notes: their count
 * @bpm: the tempo of the conductor track (> 0)
 * @title: (nullable): the sequence name
 *
 * A format-1 file of two tracks: the conductor (name, tempo, 4/4) and the
 * notes on channel 1 with program 0 (acoustic grand piano).
 *
 * Returns: (transfer full): the file's bytes.
 */
GBytes *
strata_smf_from_notes (const StrataNote *notes, guint n_notes, double bpm, const char *title)
{
  g_autoptr (GByteArray) file = g_byte_array_new ();
  g_autoptr (GByteArray) track = g_byte_array_new ();
  g_autoptr (GArray) events = g_array_new (FALSE, FALSE, sizeof (Event));
  guint32 usec = (guint32) (60000000.0 / (bpm > 0 ? bpm : 120.0) + 0.5);
  guint8 tempo[3] = { usec >> 16, usec >> 8, usec };
  guint8 timesig[4] = { 4, 2, 24, 8 };
  guint8 prog[2] = { 0xc0, 0 };

  g_byte_array_append (file, (const guint8 *) "MThd", 4);
  put_u32 (file, 6);
  put_u16 (file, 1);
  put_u16 (file, 2);
  put_u16 (file, STRATA_PIECE_PPQ);
  if (title)
    put_meta (track, 0, 0x03, title, strlen (title));
  put_meta (track, 0, 0x51, tempo, 3);
  put_meta (track, 0, 0x58, timesig, 4);
  end_track (file, track);

  g_byte_array_set_size (track, 0);
  put_varlen (track, 0);
  g_byte_array_append (track, prog, 2);
  for (guint k = 0; k < n_notes; k++)
    {
      Event on = { notes[k].on, 1, { 0x90, notes[k].pitch & 0x7f, notes[k].velocity & 0x7f }, 3 };
      Event off = { notes[k].off, 0, { 0x80, notes[k].pitch & 0x7f, 64 }, 3 };
      g_array_append_val (events, on);
      g_array_append_val (events, off);
    }
  put_events (track, events);
  end_track (file, track);
  return g_byte_array_free_to_bytes (g_steal_pointer (&file));
}

/**
 * strata_piece_write_smf:
 * @piece: a piece
 * @path: the .mid file to write (atomically)
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success.
 */
gboolean
strata_piece_write_smf (const StrataPiece *piece, const char *path, GError **error)
{
  g_autoptr (GBytes) bytes = strata_piece_to_smf (piece);

  return strata_output_write_bytes (path, NULL, bytes, error);
}
