/* fuzz-smf.c: libFuzzer harness for the Standard MIDI File writer.
 *
 * core/ has no MIDI reader: MIDI is only written (strata-smf.c, for the
 * corpus and the demo), so this fuzzes the writer as a round trip. The input
 * either picks the composer's style, seed, length and options (the pieces
 * Strata really writes) or spells out a piece field by field within the
 * ranges strata-compose.h documents (any tick up to 2^32, any tempo). The
 * file strata_piece_to_smf() makes is read back by a strict reader here
 * (chunk lengths, variable-length quantities of at most 4 bytes, status and
 * data bytes, end of track exactly at the end of each chunk) and every
 * note must come back on its track with its tick, key and velocity.
 * Anything else traps. Built and run by run-fuzz.sh.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "corpus/strata-compose.h"
#include "corpus/strata-smf.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap (); } while (0)

typedef struct {
  const uint8_t *p;
  size_t         left;
} Recipe;

static guint32
take (Recipe *r, int n_bytes)
{
  guint32 v = 0;

  for (int i = 0; i < n_bytes && r->left > 0; i++, r->p++, r->left--)
    v = v << 8 | r->p[0];
  return v;
}

static guint32 tempo_seen;

typedef struct {
  gint64 tick;
  int    key;
  int    value;    /* velocity of a note-on; -1 for a note-off */
} Seen;

static int
compare_seen (gconstpointer a, gconstpointer b)
{
  const Seen *x = a, *y = b;

  if (x->tick != y->tick)
    return x->tick < y->tick ? -1 : 1;
  if (x->key != y->key)
    return x->key - y->key;
  return x->value - y->value;
}

static guint32
read_varlen (const guint8 *d, gsize end, gsize *pos)
{
  guint32 v = 0;

  for (int i = 0; i < 4; i++)
    {
      CHECK (*pos < end);
      v = v << 7 | (d[*pos] & 0x7f);
      if ((d[(*pos)++] & 0x80) == 0)
        return v;
    }
  __builtin_trap ();   /* longer than the 4 bytes SMF allows */
}

/* Reads one MTrk chunk at @pos; note events go to @seen. */
static gsize
read_track (const guint8 *d, gsize n, gsize pos, GArray *seen)
{
  gsize end;
  gint64 tick = 0;
  gboolean ended = FALSE;

  CHECK (pos + 8 <= n && memcmp (d + pos, "MTrk", 4) == 0);
  end = pos + 8 + ((gsize) d[pos + 4] << 24 | (gsize) d[pos + 5] << 16 | (gsize) d[pos + 6] << 8
                   | d[pos + 7]);
  CHECK (end <= n);
  pos += 8;
  while (pos < end)
    {
      guint8 status;

      CHECK (!ended);
      tick += read_varlen (d, end, &pos);
      CHECK (pos < end);
      status = d[pos++];
      CHECK (status & 0x80);   /* the writer never uses running status */
      if (status == 0xff)
        {
          guint8 type;
          guint32 len;

          CHECK (pos < end);
          type = d[pos++];
          CHECK (type < 0x80);
          len = read_varlen (d, end, &pos);
          CHECK (pos + len <= end);
          if (type == 0x2f)
            {
              CHECK (len == 0);
              ended = TRUE;
            }
          if (type == 0x51)
            {
              CHECK (len == 3);
              tempo_seen = (guint32) d[pos] << 16 | (guint32) d[pos + 1] << 8 | d[pos + 2];
            }
          pos += len;
        }
      else
        {
          const int kind = status & 0xf0;
          const int n_data = kind == 0xc0 || kind == 0xd0 ? 1 : 2;

          CHECK (kind != 0xf0);
          CHECK (pos + n_data <= end);
          for (int i = 0; i < n_data; i++)
            CHECK (d[pos + i] < 0x80);
          if (kind == 0x90 || kind == 0x80)
            {
              Seen s = { tick, d[pos], kind == 0x90 ? d[pos + 1] : -1 };

              g_array_append_val (seen, s);
            }
          pos += n_data;
        }
    }
  CHECK (ended && pos == end);
  return end;
}

static void
check_piece (const StrataPiece *piece)
{
  g_autoptr (GBytes) bytes = strata_piece_to_smf (piece);
  gsize n;
  const guint8 *d = g_bytes_get_data (bytes, &n);
  gsize pos;

  CHECK (n >= 14 && memcmp (d, "MThd\0\0\0\6\0\1", 10) == 0);
  CHECK ((d[10] << 8 | d[11]) == piece->n_parts + 1);
  CHECK ((d[12] << 8 | d[13]) == STRATA_PIECE_PPQ);
  {
    g_autoptr (GArray) conductor = g_array_new (FALSE, FALSE, sizeof (Seen));

    const double usec = 60000000.0 / piece->bpm;

    tempo_seen = 0;
    pos = read_track (d, n, 14, conductor);
    CHECK (conductor->len == 0);
    /* the tempo is the piece's, to the microsecond, within 24 bits */
    CHECK (tempo_seen >= 1 && tempo_seen <= 0xffffff);
    CHECK (usec > 0xffffff ? tempo_seen == 0xffffff : fabs (tempo_seen - usec) <= 0.5);
  }
  for (int part = 0; part < piece->n_parts; part++)
    {
      g_autoptr (GArray) seen = g_array_new (FALSE, FALSE, sizeof (Seen));
      g_autoptr (GArray) want = g_array_new (FALSE, FALSE, sizeof (Seen));

      pos = read_track (d, n, pos, seen);
      for (guint k = 0; k < piece->notes->len; k++)
        {
          const StrataNote *note = &g_array_index (piece->notes, StrataNote, k);
          Seen on = { note->on, note->pitch, note->velocity };
          Seen off = { note->off, note->pitch, -1 };

          if (note->part != part)
            continue;
          g_array_append_val (want, on);
          g_array_append_val (want, off);
        }
      CHECK (seen->len == want->len);
      g_array_sort (seen, compare_seen);
      g_array_sort (want, compare_seen);
      CHECK (seen->len == 0
             || memcmp (seen->data, want->data, seen->len * sizeof (Seen)) == 0);
    }
  CHECK (pos == n);
}

static void
composed_piece (Recipe *r)
{
  const char *const *styles = strata_compose_list_styles ();
  static const char *const roles[] = { NULL, "drums", "bass", "comp", "comp2", "lead" };
  guint n_styles = 0;
  StrataComposeOptions options;
  g_autoptr (StrataPiece) piece = NULL;
  guint64 seed;

  while (styles[n_styles] != NULL)
    n_styles++;
  strata_compose_options_init (&options);
  const char *style = styles[take (r, 1) % n_styles];
  seed = (guint64) take (r, 4) << 32 | take (r, 4);
  options.seconds = 1 + take (r, 1) % 12;
  options.demo_form = take (r, 1) & 1;
  options.solo_role = roles[take (r, 1) % G_N_ELEMENTS (roles)];
  options.solo_program = (int) (take (r, 1) % 129) - 1;
  piece = strata_piece_compose (style, seed, &options);
  CHECK (piece != NULL);
  check_piece (piece);
}

static void
spelled_piece (Recipe *r)
{
  static const char *const modes[] = { "major", "minor", "dorian", "mixolydian" };
  StrataPiece piece = { 0 };
  guint n_notes;

  piece.style = (char *) "fuzz";
  piece.bpm = 1.0 + take (r, 2) / 16.0;
  piece.meter_num = 1 + take (r, 1) % 16;
  piece.meter_den = take (r, 1) & 1 ? 8 : 4;
  piece.key = take (r, 1) % 12;
  piece.mode = modes[take (r, 1) % G_N_ELEMENTS (modes)];
  piece.n_parts = take (r, 1) % (STRATA_PIECE_MAX_PARTS + 1);
  for (int i = 0; i < piece.n_parts; i++)
    {
      StrataPart *p = &piece.parts[i];
      const guint role_len = take (r, 1) % sizeof p->role;

      for (guint k = 0; k < role_len; k++)
        p->role[k] = (char) (1 + take (r, 1) % 255);
      p->channel = take (r, 1) % 16;
      p->program = take (r, 1) % 128;
      p->is_drums = p->channel == 9;
      p->volume = take (r, 1) % 128;
      p->reverb_send = take (r, 1) % 128;
      p->chorus_send = take (r, 1) % 128;
    }
  piece.notes = g_array_new (FALSE, FALSE, sizeof (StrataNote));
  n_notes = piece.n_parts > 0 ? take (r, 1) : 0;
  for (guint k = 0; k < n_notes; k++)
    {
      StrataNote note;

      note.on = take (r, 4);
      note.off = note.on + 1 + take (r, 2);
      note.pitch = take (r, 1) % 128;
      note.velocity = 1 + take (r, 1) % 127;
      note.part = take (r, 1) % piece.n_parts;
      g_array_append_val (piece.notes, note);
      piece.end_tick = MAX (piece.end_tick, note.off);
    }
  check_piece (&piece);
  g_array_unref (piece.notes);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  Recipe r = { data, size };

  if (take (&r, 1) & 1)
    spelled_piece (&r);
  else
    composed_piece (&r);
  return 0;
}
