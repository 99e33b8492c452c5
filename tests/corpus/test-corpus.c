/* test-corpus.c: the composition generator, the stem renderer, the corpus
 * writer and indexer, and the bundled demo track.
 *
 * Tiny corpora (a few seconds) are rendered inside the tests with TimGM6mb
 * (Debian timgm6mb-soundfont). The "different sound font" case renders with
 * a one-sample sine SoundFont that the test writes itself, so CI needs no
 * second font.
 *
 * Exactness: stems sum to the mix within 1e-6 is checked on 32-bit float WAV
 * files (the corpus's --wav mode, which stores the float stems unquantised);
 * the FLAC files are checked against the same sum within their 24-bit step.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sndfile.h>

#include "corpus/strata-compose-private.h"
#include "corpus/strata-corpus.h"
#include "corpus-test-util.h"
#include "corpus/strata-render.h"
#include "corpus/strata-smf.h"

#define TIMGM6MB "/usr/share/sounds/sf2/TimGM6mb.sf2"

static char *tmp_root;

/* ---------------------------------------------------------------- helpers */

static char *
make_tmp (const char *name)
{
  char *path = g_build_filename (tmp_root, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
  return path;
}

static float *
read_audio (const char *path, gint64 *n_frames, int *channels)
{
  SF_INFO info = { 0 };
  SNDFILE *sf = sf_open (path, SFM_READ, &info);
  float *x;

  g_assert_nonnull (sf);
  x = g_new (float, info.frames * info.channels);
  g_assert_cmpint (sf_readf_float (sf, x, info.frames), ==, info.frames);
  sf_close (sf);
  *n_frames = info.frames;
  if (channels)
    *channels = info.channels;
  return x;
}

static GBytes *
read_bytes (const char *path)
{
  char *data;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_bytes_new_take (data, len);
}

/* All files below @dir, relative names, sorted. */
static void
list_files (const char *dir, const char *prefix, GPtrArray *out)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)))
    {
      char *child = g_build_filename (dir, name, NULL);
      char *rel = prefix ? g_build_filename (prefix, name, NULL) : g_strdup (name);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          list_files (child, rel, out);
          g_free (rel);
        }
      else
        g_ptr_array_add (out, rel);
      g_free (child);
    }
  g_dir_close (d);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static GPtrArray *
sorted_files (const char *dir)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  list_files (dir, NULL, files);
  g_ptr_array_sort (files, compare_strings);
  return files;
}

static void
render_tiny (const char *out, const char *soundfont, guint64 seed, const char *styles,
             StrataAudioFormat format)
{
  StrataCorpusOptions o;
  GError *error = NULL;
  char **list = g_strsplit (styles, ",", -1);

  strata_corpus_options_init (&o);
  o.minutes = 0.1;
  o.min_seconds = 5;
  o.max_seconds = 6;
  o.soundfont = soundfont;
  o.seed = seed;
  o.output = out;
  o.styles = (const char * const *) list;
  o.format = format;
  g_assert_true (strata_corpus_render (&o, NULL, NULL, &error));
  g_assert_no_error (error);
  g_strfreev (list);
}

/* One FLAC corpus shared by the tests that only read it (rendered once). */
#define SHARED_STYLES "jazz,metal"
#define SHARED_SEED 5

static const char *shared_corpus (void);

/* The folder name of the shared corpus's first piece. */
static char *
first_piece (void)
{
  char *manifest = g_build_filename (shared_corpus (), "manifest.jsonl", NULL);
  char *text = NULL, *start, *end, *name;

  g_assert_true (g_file_get_contents (manifest, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "{\"piece\":\""));
  start = text + strlen ("{\"piece\":\"");
  end = strchr (start, '"');
  g_assert_nonnull (end);
  name = g_strndup (start, end - start);
  g_free (text);
  g_free (manifest);
  return name;
}

static const char *
shared_corpus (void)
{
  static char *dir;

  if (dir == NULL)
    {
      dir = make_tmp ("shared");
      render_tiny (dir, TIMGM6MB, SHARED_SEED, SHARED_STYLES, STRATA_AUDIO_FORMAT_FLAC);
    }
  return dir;
}

/* A SoundFont with one looped sine sample (441 Hz, recorded as MIDI 69)
 * as preset 0:0 and drum kit 128:0; fluidsynth substitutes it for every
 * other program. */
static void
put16 (GByteArray *b, guint v)
{
  guint8 x[2] = { v & 0xff, (v >> 8) & 0xff };
  g_byte_array_append (b, x, 2);
}

static void
put32 (GByteArray *b, guint32 v)
{
  guint8 x[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
  g_byte_array_append (b, x, 4);
}

static void
put_name (GByteArray *b, const char *name)
{
  char n[20] = { 0 };
  strncpy (n, name, 19);
  g_byte_array_append (b, (guint8 *) n, 20);
}

static void
put_chunk (GByteArray *b, const char *id, GByteArray *data)
{
  g_byte_array_append (b, (const guint8 *) id, 4);
  put32 (b, data->len);
  g_byte_array_append (b, data->data, data->len);
  if (data->len & 1)
    g_byte_array_append (b, (const guint8 *) "", 1);
}

static void
put_list (GByteArray *b, const char *type, GByteArray *body)
{
  GByteArray *l = g_byte_array_new ();
  g_byte_array_append (l, (const guint8 *) type, 4);
  g_byte_array_append (l, body->data, body->len);
  put_chunk (b, "LIST", l);
  g_byte_array_unref (l);
}

static char *
write_sine_soundfont (void)
{
  enum { N = 2000, CYCLE = 100 };
  GByteArray *info = g_byte_array_new (), *sdta = g_byte_array_new (), *pdta = g_byte_array_new ();
  GByteArray *c = g_byte_array_new (), *riff = g_byte_array_new (), *file = g_byte_array_new ();
  char *path = g_build_filename (tmp_root, "sine.sf2", NULL);

  put16 (c, 2); put16 (c, 1);
  put_chunk (info, "ifil", c); g_byte_array_set_size (c, 0);
  g_byte_array_append (c, (const guint8 *) "EMU8000", 8);
  put_chunk (info, "isng", c); g_byte_array_set_size (c, 0);
  g_byte_array_append (c, (const guint8 *) "Strata sine", 12);
  put_chunk (info, "INAM", c); g_byte_array_set_size (c, 0);

  for (int i = 0; i < N + 46; i++)
    put16 (c, i < N ? (guint) (gint16) lround (12000 * sin (2 * G_PI * i / CYCLE)) : 0);
  put_chunk (sdta, "smpl", c); g_byte_array_set_size (c, 0);

  /* presets: "Sine" 0:0 and "Kit" 128:0, both bag 0/1 -> instrument 0 */
  put_name (c, "Sine"); put16 (c, 0); put16 (c, 0); put16 (c, 0); put32 (c, 0); put32 (c, 0); put32 (c, 0);
  put_name (c, "Kit"); put16 (c, 0); put16 (c, 128); put16 (c, 1); put32 (c, 0); put32 (c, 0); put32 (c, 0);
  put_name (c, "EOP"); put16 (c, 0); put16 (c, 0); put16 (c, 2); put32 (c, 0); put32 (c, 0); put32 (c, 0);
  put_chunk (pdta, "phdr", c); g_byte_array_set_size (c, 0);
  put16 (c, 0); put16 (c, 0); put16 (c, 1); put16 (c, 0); put16 (c, 2); put16 (c, 0);
  put_chunk (pdta, "pbag", c); g_byte_array_set_size (c, 0);
  for (int i = 0; i < 10; i++)
    g_byte_array_append (c, (const guint8 *) "", 1);
  put_chunk (pdta, "pmod", c); g_byte_array_set_size (c, 0);
  put16 (c, 41); put16 (c, 0); put16 (c, 41); put16 (c, 0); put16 (c, 0); put16 (c, 0);
  put_chunk (pdta, "pgen", c); g_byte_array_set_size (c, 0);
  put_name (c, "SineInst"); put16 (c, 0);
  put_name (c, "EOI"); put16 (c, 1);
  put_chunk (pdta, "inst", c); g_byte_array_set_size (c, 0);
  put16 (c, 0); put16 (c, 0); put16 (c, 3); put16 (c, 0);
  put_chunk (pdta, "ibag", c); g_byte_array_set_size (c, 0);
  for (int i = 0; i < 10; i++)
    g_byte_array_append (c, (const guint8 *) "", 1);
  put_chunk (pdta, "imod", c); g_byte_array_set_size (c, 0);
  put16 (c, 38); put16 (c, (guint16) -3986);   /* release 0.1 s */
  put16 (c, 54); put16 (c, 1);                 /* loop */
  put16 (c, 53); put16 (c, 0);                 /* sample 0 */
  put16 (c, 0); put16 (c, 0);
  put_chunk (pdta, "igen", c); g_byte_array_set_size (c, 0);
  put_name (c, "sine"); put32 (c, 0); put32 (c, N); put32 (c, CYCLE); put32 (c, N);
  put32 (c, 44100); g_byte_array_append (c, (const guint8 *) "\x45\xfc", 2); put16 (c, 0); put16 (c, 1);
  put_name (c, "EOS"); put32 (c, 0); put32 (c, 0); put32 (c, 0); put32 (c, 0);
  put32 (c, 0); g_byte_array_append (c, (const guint8 *) "\0\0", 2); put16 (c, 0); put16 (c, 0);
  put_chunk (pdta, "shdr", c); g_byte_array_set_size (c, 0);

  g_byte_array_append (riff, (const guint8 *) "sfbk", 4);
  put_list (riff, "INFO", info);
  put_list (riff, "sdta", sdta);
  put_list (riff, "pdta", pdta);
  put_chunk (file, "RIFF", riff);
  g_assert_true (g_file_set_contents (path, (const char *) file->data, file->len, NULL));

  g_byte_array_unref (info); g_byte_array_unref (sdta); g_byte_array_unref (pdta);
  g_byte_array_unref (c); g_byte_array_unref (riff); g_byte_array_unref (file);
  return path;
}

/* ---------------------------------------------------------------- compose */

static void
test_styles_valid (void)
{
  const char * const *names = strata_compose_list_styles ();

  g_assert_cmpuint (g_strv_length ((char **) names), >=, 10);
  for (guint i = 0; i < _strata_style_count (); i++)
    {
      const StrataStyle *st = _strata_style_get (i);
      gsize steps = st->meter == 4 ? 16 : 12;

      for (int v = 0; v < 2; v++)
        {
          if (st->kick[0])
            {
              g_assert_cmpuint (strlen (st->kick[v]), ==, steps);
              g_assert_cmpuint (strlen (st->snare[v]), ==, steps);
              g_assert_cmpuint (strlen (st->hat[v]), ==, steps);
              if (st->extra[v])
                g_assert_cmpuint (strlen (st->extra[v]), ==, steps);
            }
          if (st->bass[v])
            g_assert_cmpuint (strlen (st->bass[v]), ==, steps);
          for (int c = 0; c < 2; c++)
            if (st->comp[c].kind != COMP_NONE)
              g_assert_cmpuint (strlen (st->comp[c].rhythm[v]), ==, steps);
        }
    }
}

static void
test_compose_pieces (void)
{
  const char * const *names = strata_compose_list_styles ();
  guint vocal_leads = 0, pieces = 0;

  for (int s = 0; names[s]; s++)
    for (guint64 seed = 1; seed <= 8; seed++)
      {
        StrataComposeOptions o;
        StrataPiece *p;
        gint64 last_lead_off = -1, last_on = -1;
        guint per_part[STRATA_PIECE_MAX_PARTS] = { 0 };

        strata_compose_options_init (&o);
        o.seconds = 40;
        p = strata_piece_compose (names[s], seed, &o);
        g_assert_nonnull (p);
        pieces++;
        g_assert_cmpfloat (strata_piece_get_duration (p), >, 30);
        g_assert_cmpfloat (strata_piece_get_duration (p), <, 55);
        g_assert_true (p->meter_num == 4 || p->meter_num == 3 || p->meter_num == 6);
        g_assert_cmpuint (p->sections->len, >=, 3);
        g_assert_cmpstr (g_array_index (p->sections, StrataPieceSection, 0).name, ==, "intro");
        for (guint k = 0; k < p->notes->len; k++)
          {
            const StrataNote *n = &g_array_index (p->notes, StrataNote, k);
            const StrataPart *part = &p->parts[n->part];

            g_assert_cmpint (n->on, >=, last_on);     /* sorted by onset */
            last_on = n->on;
            g_assert_cmpint (n->off, >, n->on);
            g_assert_cmpint (n->velocity, >=, 1);
            g_assert_cmpint (n->velocity, <=, 127);
            per_part[n->part]++;
            if (part->is_drums)
              g_assert_true (n->pitch >= 35 && n->pitch <= 81);
            else if (strcmp (part->role, "bass") == 0)
              g_assert_true (n->pitch >= 24 && n->pitch <= 60);
            else
              g_assert_true (n->pitch >= 36 && n->pitch <= 96);
            if (strcmp (part->role, "lead") == 0)
              {
                g_assert_cmpint (n->on, >=, last_lead_off);   /* monophonic */
                last_lead_off = n->off;
              }
          }
        for (int i = 0; i < p->n_parts; i++)
          {
            g_assert_cmpuint (per_part[i], >, 0);
            if (p->parts[i].is_drums)
              g_assert_cmpint (p->parts[i].channel, ==, 9);
            if (strcmp (p->parts[i].role, "lead") == 0 && p->parts[i].stem == STRATA_STEM_VOCALS)
              vocal_leads++;
          }
        g_assert_cmpint (p->parts[0].is_drums, ==, strcmp (names[s], "chamber") != 0);
        strata_piece_free (p);
      }
  /* some, not all, leads are voices */
  g_assert_cmpuint (vocal_leads, >, pieces / 10);
  g_assert_cmpuint (vocal_leads, <, pieces / 2);
}

static void
test_compose_deterministic (void)
{
  StrataPiece *a = strata_piece_compose ("funk", 42, NULL);
  StrataPiece *b = strata_piece_compose ("funk", 42, NULL);
  StrataPiece *c = strata_piece_compose ("funk", 43, NULL);

  g_assert_cmpuint (a->notes->len, ==, b->notes->len);
  g_assert_cmpmem (a->notes->data, a->notes->len * sizeof (StrataNote),
                   b->notes->data, b->notes->len * sizeof (StrataNote));
  g_assert_cmpmem (&a->mix, sizeof a->mix, &b->mix, sizeof b->mix);
  g_assert_false (c->notes->len == a->notes->len
                  && memcmp (a->notes->data, c->notes->data, a->notes->len * sizeof (StrataNote)) == 0);
  g_assert_null (strata_piece_compose ("no-such-style", 1, NULL));
  strata_piece_free (a);
  strata_piece_free (b);
  strata_piece_free (c);
}

static void
test_stem_map (void)
{
  g_assert_cmpint (strata_stem_for_program (0, FALSE), ==, STRATA_STEM_PIANO);
  g_assert_cmpint (strata_stem_for_program (7, FALSE), ==, STRATA_STEM_PIANO);
  g_assert_cmpint (strata_stem_for_program (16, FALSE), ==, STRATA_STEM_OTHER);
  g_assert_cmpint (strata_stem_for_program (24, FALSE), ==, STRATA_STEM_GUITAR);
  g_assert_cmpint (strata_stem_for_program (31, FALSE), ==, STRATA_STEM_GUITAR);
  g_assert_cmpint (strata_stem_for_program (33, FALSE), ==, STRATA_STEM_BASS);
  g_assert_cmpint (strata_stem_for_program (52, FALSE), ==, STRATA_STEM_VOCALS);
  g_assert_cmpint (strata_stem_for_program (85, FALSE), ==, STRATA_STEM_VOCALS);
  g_assert_cmpint (strata_stem_for_program (73, FALSE), ==, STRATA_STEM_OTHER);
  g_assert_cmpint (strata_stem_for_program (0, TRUE), ==, STRATA_STEM_DRUMS);
  g_assert_cmpint (strata_stem_from_name ("vocals"), ==, STRATA_STEM_VOCALS);
  g_assert_cmpint (strata_stem_from_name ("kazoo"), ==, -1);
}

/* Parses the SMF back: header, track count, note-ons a track. */
static void
test_smf (void)
{
  StrataPiece *p = strata_piece_compose ("jazz", 5, NULL);
  GBytes *smf = strata_piece_to_smf (p);
  gsize len, pos = 14;
  const guint8 *d = g_bytes_get_data (smf, &len);
  guint n_tracks = 0, total_on = 0;

  g_assert_cmpmem (d, 4, "MThd", 4);
  g_assert_cmpint (d[9], ==, 1);                         /* format 1 */
  g_assert_cmpint ((d[10] << 8) | d[11], ==, p->n_parts + 1);
  g_assert_cmpint ((d[12] << 8) | d[13], ==, STRATA_PIECE_PPQ);
  while (pos + 8 <= len)
    {
      guint32 tlen = ((guint32) d[pos + 4] << 24) | (d[pos + 5] << 16) | (d[pos + 6] << 8) | d[pos + 7];
      gsize p2 = pos + 8, end = pos + 8 + tlen;
      guint8 status = 0;

      g_assert_cmpmem (d + pos, 4, "MTrk", 4);
      g_assert_cmpuint (end, <=, len);
      while (p2 < end)
        {
          while (d[p2] & 0x80)      /* delta */
            p2++;
          p2++;
          status = d[p2++];
          if (status == 0xff)
            {
              guint8 type = d[p2++];
              guint32 mlen = 0;
              while (d[p2] & 0x80)
                mlen = (mlen << 7) | (d[p2++] & 0x7f);
              mlen = (mlen << 7) | d[p2++];
              p2 += mlen;
              if (type == 0x2f)
                break;
            }
          else if ((status & 0xf0) == 0xc0)
            p2 += 1;
          else
            {
              if ((status & 0xf0) == 0x90)
                total_on++;
              p2 += 2;
            }
        }
      g_assert_cmpuint (p2, ==, end);
      n_tracks++;
      pos = end;
    }
  g_assert_cmpuint (n_tracks, ==, (guint) p->n_parts + 1);
  g_assert_cmpuint (total_on, ==, p->notes->len);
  g_bytes_unref (smf);
  strata_piece_free (p);
}

/* ---------------------------------------------------------------- render */

/* Sums the six stem files of @folder (in stem order) and returns the
 * largest difference to the mix file. */
static double
stems_minus_mix (const char *folder, const char *ext, double *energy)
{
  char *name = g_strdup_printf ("mix.%s", ext);
  char *path = g_build_filename (folder, name, NULL);
  gint64 n, m;
  float *mix = read_audio (path, &n, NULL), *sum = g_new0 (float, 2 * n);
  double err = 0;

  for (int s = 0; s < STRATA_N_STEMS; s++)
    {
      char *stem = g_strdup_printf ("%s.%s", strata_stem_get_name (s), ext);
      char *p = g_build_filename (folder, "stems", stem, NULL);
      float *x = read_audio (p, &m, NULL);

      g_assert_cmpint (m, ==, n);
      for (gint64 k = 0; k < 2 * n; k++)
        sum[k] = s == 0 ? x[k] : sum[k] + x[k];
      g_free (x); g_free (p); g_free (stem);
    }
  *energy = 0;
  for (gint64 k = 0; k < 2 * n; k++)
    {
      err = MAX (err, fabs (sum[k] - mix[k]));
      *energy += mix[k] * mix[k];
    }
  g_free (sum); g_free (mix); g_free (path); g_free (name);
  return err;
}

static void
test_stems_sum_to_mix (void)
{
  char *dir = make_tmp ("sum");
  char *folder = g_build_filename (dir, "00000-bossa", NULL);
  double err, energy;

  render_tiny (dir, TIMGM6MB, 3, "bossa", STRATA_AUDIO_FORMAT_WAV_F32);
  err = stems_minus_mix (folder, "wav", &energy);
  g_test_message ("|sum of stems - mix| <= %g (32-bit float WAV)", err);
  g_assert_cmpfloat (err, <=, 1e-6);
  g_assert_cmpfloat (energy, >, 1.0);
  g_free (folder);
  g_free (dir);
}

static void
assert_same_trees (const char *a, const char *b)
{
  GPtrArray *fa = sorted_files (a), *fb = sorted_files (b);

  g_assert_cmpuint (fa->len, ==, fb->len);
  g_assert_cmpuint (fa->len, >=, 12);
  for (guint i = 0; i < fa->len; i++)
    {
      char *pa = g_build_filename (a, fa->pdata[i], NULL);
      char *pb = g_build_filename (b, fb->pdata[i], NULL);
      GBytes *x = read_bytes (pa), *y = read_bytes (pb);

      g_assert_cmpstr (fa->pdata[i], ==, fb->pdata[i]);
      if (!g_bytes_equal (x, y))
        g_test_message ("differs: %s", (char *) fa->pdata[i]);
      g_assert_true (g_bytes_equal (x, y));
      g_bytes_unref (x); g_bytes_unref (y); g_free (pa); g_free (pb);
    }
  g_ptr_array_unref (fa);
  g_ptr_array_unref (fb);
}

static void
test_deterministic_and_resumable (void)
{
  const char *a = shared_corpus ();
  char *b = make_tmp ("det-b");
  char *piece = first_piece ();
  char *part = g_strdup_printf (".%s.part", piece);
  char *junk = g_build_filename (b, part, "stems", NULL);
  char *junk_file = g_build_filename (junk, "drums.flac", NULL);
  char *mix = NULL;
  GPtrArray *files;
  GStatBuf before, after;

  /* b starts as an interrupted run: a half-written piece folder */
  g_assert_cmpint (g_mkdir_with_parents (junk, 0755), ==, 0);
  g_assert_true (g_file_set_contents (junk_file, "half a FLAC", -1, NULL));
  render_tiny (b, TIMGM6MB, SHARED_SEED, SHARED_STYLES, STRATA_AUDIO_FORMAT_FLAC);
  assert_same_trees (a, b);   /* same bytes, and the leftover is gone */

  /* a rerun of a finished corpus renders nothing and changes nothing */
  files = sorted_files (a);
  for (guint i = 0; i < files->len && mix == NULL; i++)
    if (g_str_has_suffix (files->pdata[i], "mix.flac"))
      mix = g_build_filename (a, files->pdata[i], NULL);
  g_assert_nonnull (mix);
  g_assert_cmpint (g_stat (mix, &before), ==, 0);
  render_tiny (a, TIMGM6MB, SHARED_SEED, SHARED_STYLES, STRATA_AUDIO_FORMAT_FLAC);
  g_assert_cmpint (g_stat (mix, &after), ==, 0);
  g_assert_cmpint (before.st_mtim.tv_sec, ==, after.st_mtim.tv_sec);
  g_assert_cmpint (before.st_mtim.tv_nsec, ==, after.st_mtim.tv_nsec);
  g_assert_cmpint (before.st_ino, ==, after.st_ino);
  assert_same_trees (a, b);

  g_ptr_array_unref (files);
  g_assert_false (g_file_test (junk_file, G_FILE_TEST_EXISTS));
  g_free (mix); g_free (junk); g_free (junk_file); g_free (part); g_free (piece); g_free (b);
}

static JsonNode *
read_json (const char *path)
{
  JsonParser *parser = json_parser_new ();
  GError *error = NULL;
  JsonNode *root;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_node_copy (json_parser_get_root (parser));
  g_object_unref (parser);
  return root;
}

/* Compares two JSON trees; adds the path of every difference to @diffs,
 * the members named in @skip (NULL-terminated) to @skipped when they
 * differ; their values are not compared. */
static void
json_diff (JsonNode *a, JsonNode *b, const char *path, const char * const *skip,
           GPtrArray *diffs, GHashTable *skipped)
{
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    {
      g_ptr_array_add (diffs, g_strdup (path));
      return;
    }
  if (JSON_NODE_HOLDS_OBJECT (a))
    {
      JsonObject *oa = json_node_get_object (a), *ob = json_node_get_object (b);
      GList *members = json_object_get_members (oa);

      if (json_object_get_size (oa) != json_object_get_size (ob))
        g_ptr_array_add (diffs, g_strdup_printf ("%s (members)", path));
      for (GList *m = members; m; m = m->next)
        {
          const char *name = m->data;
          char *child = g_strdup_printf ("%s.%s", path, name);

          if (!json_object_has_member (ob, name))
            g_ptr_array_add (diffs, g_strdup (child));
          else if (g_strv_contains (skip, name))
            {
              if (!json_node_equal (json_object_get_member (oa, name), json_object_get_member (ob, name)))
                g_hash_table_add (skipped, g_strdup (name));
            }
          else
            json_diff (json_object_get_member (oa, name), json_object_get_member (ob, name),
                       child, skip, diffs, skipped);
          g_free (child);
        }
      g_list_free (members);
    }
  else if (JSON_NODE_HOLDS_ARRAY (a))
    {
      JsonArray *xa = json_node_get_array (a), *xb = json_node_get_array (b);

      if (json_array_get_length (xa) != json_array_get_length (xb))
        {
          g_ptr_array_add (diffs, g_strdup_printf ("%s (length)", path));
          return;
        }
      for (guint i = 0; i < json_array_get_length (xa); i++)
        {
          char *child = g_strdup_printf ("%s[%u]", path, i);
          json_diff (json_array_get_element (xa, i), json_array_get_element (xb, i), child, skip,
                     diffs, skipped);
          g_free (child);
        }
    }
  else if (!json_node_equal (a, b))
    g_ptr_array_add (diffs, g_strdup (path));
}

/* Another sound font changes the audio and only the labels that measure
 * it. By hand (diff of both folders): tags.json differs in "soundfont",
 * mix.json in "scale_db" and a stem's "applied_gain_db" (both hold the
 * common peak scaling), "peak_dbfs" and "rms_dbfs", corpus.json in
 * "soundfont"; notes.csv, piece.mid and manifest.jsonl are identical. */
static void
test_soundfont_changes_audio_not_labels (void)
{
  static const char * const skip[] = {
    "soundfont", "applied_gain_db", "scale_db", "peak_dbfs", "rms_dbfs", NULL
  };
  char *sine = write_sine_soundfont ();
  char *a = make_tmp ("sf-tim");
  char *b = make_tmp ("sf-sine");
  GPtrArray *fa, *fb, *diffs = g_ptr_array_new_with_free_func (g_free);
  GHashTable *skipped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint audio_files = 0, json_files = 0;

  render_tiny (a, TIMGM6MB, 21, "country", STRATA_AUDIO_FORMAT_FLAC);
  render_tiny (b, sine, 21, "country", STRATA_AUDIO_FORMAT_FLAC);
  fa = sorted_files (a);
  fb = sorted_files (b);
  g_assert_cmpuint (fa->len, ==, fb->len);
  for (guint i = 0; i < fa->len; i++)
    {
      const char *name = fa->pdata[i];
      char *pa = g_build_filename (a, name, NULL);
      char *pb = g_build_filename (b, name, NULL);
      GBytes *x = read_bytes (pa), *y = read_bytes (pb);

      g_assert_cmpstr (name, ==, fb->pdata[i]);
      if (g_str_has_suffix (name, ".csv") || g_str_has_suffix (name, ".mid") || g_str_has_suffix (name, ".jsonl"))
        g_assert_true (g_bytes_equal (x, y));      /* identical labels */
      else if (g_str_has_suffix (name, ".json"))
        {
          JsonNode *ja = read_json (pa), *jb = read_json (pb);

          json_diff (ja, jb, name, skip, diffs, skipped);
          json_node_unref (ja);
          json_node_unref (jb);
          json_files++;
        }
      else if (g_str_has_suffix (name, "mix.flac") || g_str_has_suffix (name, "drums.flac")
               || g_str_has_suffix (name, "bass.flac"))
        {
          g_assert_false (g_bytes_equal (x, y));   /* different audio */
          audio_files++;
        }
      g_bytes_unref (x); g_bytes_unref (y); g_free (pa); g_free (pb);
    }
  for (guint i = 0; i < diffs->len; i++)
    g_test_message ("differs: %s", (char *) diffs->pdata[i]);
  g_assert_cmpuint (diffs->len, ==, 0);
  g_assert_cmpuint (json_files, >=, 3);             /* corpus.json, tags.json, mix.json */
  for (guint i = 0; skip[i]; i++)                   /* and the audio-dependent ones did change */
    g_assert_true (g_hash_table_contains (skipped, skip[i]));
  g_assert_cmpuint (audio_files, >=, 3);
  g_hash_table_unref (skipped);
  g_ptr_array_unref (diffs);
  g_ptr_array_unref (fa);
  g_ptr_array_unref (fb);
  g_free (sine); g_free (a); g_free (b);
}

/* Thresholds of the solo-notes test (see test_solo_notes_audible). */
#define SOLO_RELEASE_S 0.3    /* a note still sounds this long after its offset */
#define SOLO_LEVEL_DB  40.0   /* a note's level is at most this far below the peak */
#define SOLO_BEFORE_DB 10.0   /* rise from before the onset to the note */
#define SOLO_GAP_S     0.2    /* a same-pitch note closer than this: a repeat */
#define SOLO_FRAME     1024   /* frames of the repeat check (23 ms) */
#define SOLO_RISE_DB   3.0    /* rise at a repeat's onset */

/* notes.csv, parsed back: one row a note. */
typedef struct {
  double  onset, offset;
  int     pitch, velocity, program;
  char    stem[16], role[16];
} CsvNote;

static GArray *
read_notes_csv (const char *path)
{
  GArray *notes = g_array_new (FALSE, TRUE, sizeof (CsvNote));
  char *text = NULL, **lines;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "onset_s,offset_s,pitch,velocity,program,stem,role");
  for (int i = 1; lines[i] && lines[i][0]; i++)
    {
      char **f = g_strsplit (lines[i], ",", -1);
      CsvNote n = { 0 };

      g_assert_cmpuint (g_strv_length (f), ==, 7);
      n.onset = g_ascii_strtod (f[0], NULL);
      n.offset = g_ascii_strtod (f[1], NULL);
      n.pitch = atoi (f[2]);
      n.velocity = atoi (f[3]);
      n.program = atoi (f[4]);
      g_strlcpy (n.stem, f[5], sizeof n.stem);
      g_strlcpy (n.role, f[6], sizeof n.role);
      g_assert_cmpfloat (n.offset, >, n.onset);
      g_array_append_val (notes, n);
      g_strfreev (f);
    }
  g_strfreev (lines);
  g_free (text);
  return notes;
}

/* A Hann-windowed stretch x[from, from + n) of a mono signal (zero outside
 * it), and the squared amplitude of its sinusoid at any frequency (a
 * Goertzel filter: any window length, the exact frequency of a pitch). */
typedef struct {
  double  *w;
  int      n;
  double   wsum;
} Window;

static void
window_take (Window *win, const float *x, gint64 len, gint64 from, int n)
{
  win->w = g_renew (double, win->w, n);
  win->n = n;
  win->wsum = 0;
  for (int i = 0; i < n; i++)
    {
      gint64 k = from + i;
      double h = 0.5 - 0.5 * cos (2 * G_PI * (i + 0.5) / n);
      win->w[i] = (k >= 0 && k < len) ? x[k] * h : 0.0;
      win->wsum += h;
    }
}

static double
window_power (const Window *win, double hz)
{
  double c = 2 * cos (2 * G_PI * hz / STRATA_SAMPLE_RATE), s1 = 0, s2 = 0;

  for (int i = 0; i < win->n; i++)
    {
      double s = win->w[i] + c * s1 - s2;
      s2 = s1;
      s1 = s;
    }
  return 4 * (s1 * s1 + s2 * s2 - c * s1 * s2) / (win->wsum * win->wsum);
}

static double
tone_power (Window *win, const float *x, gint64 len, gint64 from, int n, double hz)
{
  window_take (win, x, len, from, n);
  return window_power (win, hz);
}

static double
pitch_hz (int pitch)
{
  return 440.0 * pow (2, (pitch - 69) / 12.0);
}

static double
db (double power_ratio)
{
  return 10 * log10 (power_ratio + 1e-30);
}

/* Checks every note of notes.csv against the written mix (see
 * test_solo_notes_audible); returns how many pass, counts into @stats
 * (pitch, level, not-before passes; short notes; repeats). */
static guint
check_solo_notes (const char *folder, guint stats[5], guint *n_notes)
{
  char *path = g_build_filename (folder, "notes.csv", NULL);
  GArray *notes = read_notes_csv (path);
  float *mix, *mono;
  gint64 n_frames;
  double ref = 0;
  Window win = { 0 };
  guint passed = 0;

  g_free (path);
  path = g_build_filename (folder, "mix.flac", NULL);
  mix = read_audio (path, &n_frames, NULL);
  g_free (path);
  mono = g_new (float, n_frames);
  for (gint64 k = 0; k < n_frames; k++)
    {
      mono[k] = 0.5f * (mix[2 * k] + mix[2 * k + 1]);
      ref = MAX (ref, fabs (mono[k]));
    }

  for (guint i = 0; i < notes->len; i++)
    {
      const CsvNote *n = &g_array_index (notes, CsvNote, i);
      gint64 on = (gint64) llround (n->onset * STRATA_SAMPLE_RATE);
      gint64 off = (gint64) llround (n->offset * STRATA_SAMPLE_RATE);
      gint64 delay = MIN (441, (off - on) / 4), prev_off = G_MININT64 / 2;
      int len = (int) MIN (4096, off - on - delay), best_pitch = -1;
      double f0 = pitch_hz (n->pitch), during, before, best = -1, rise;
      gboolean ok_pitch, ok_level, ok_before, repeat;

      /* pitch: harmonic sum over the candidates; a pitch another note of
       * the label sounds (or still releases) in the window is none */
      window_take (&win, mono, n_frames, on + delay, len);
      for (int q = n->pitch - 12; q <= n->pitch + 12; q++)
        {
          double e = 0;
          gboolean explained = FALSE;

          for (guint j = 0; j < notes->len && q != n->pitch; j++)
            {
              const CsvNote *m = &g_array_index (notes, CsvNote, j);
              if (j != i && m->pitch == q && m->onset * STRATA_SAMPLE_RATE < on + delay + len
                  && (m->offset + SOLO_RELEASE_S) * STRATA_SAMPLE_RATE > on + delay)
                explained = TRUE;
            }
          if (explained)
            continue;
          for (int h = 1; h <= 4; h++)
            e += sqrt (window_power (&win, h * pitch_hz (q))) / h;
          if (e > best)
            {
              best = e;
              best_pitch = q;
            }
        }
      during = window_power (&win, f0);
      ok_pitch = best_pitch == n->pitch;
      ok_level = db (during) > 20 * log10 (ref) - SOLO_LEVEL_DB;

      /* not before */
      for (guint j = 0; j < i; j++)
        {
          const CsvNote *m = &g_array_index (notes, CsvNote, j);
          if (m->pitch == n->pitch)
            prev_off = MAX (prev_off, (gint64) llround (m->offset * STRATA_SAMPLE_RATE));
        }
      repeat = prev_off + SOLO_GAP_S * STRATA_SAMPLE_RATE >= on;
      if (!repeat)
        {
          before = tone_power (&win, mono, n_frames, on - 64 - len, len, f0);
          rise = db (during / before);
          ok_before = rise >= SOLO_BEFORE_DB;
        }
      else
        {
          double peak = 0;

          for (gint64 k = on; k == on || k + SOLO_FRAME <= on + delay + len; k += SOLO_FRAME / 8)
            peak = MAX (peak, tone_power (&win, mono, n_frames, k, SOLO_FRAME, f0));
          before = tone_power (&win, mono, n_frames, on - 64 - SOLO_FRAME, SOLO_FRAME, f0);
          rise = db (peak / before);
          ok_before = rise >= SOLO_RISE_DB;
        }
      g_test_message ("note %u: %.3f-%.3f s, pitch %d (strongest %d), level %.1f dB, %s %.1f dB%s",
                      i, n->onset, n->offset, n->pitch, best_pitch, db (during) - 20 * log10 (ref),
                      repeat ? "repeat, rise" : "during/before", rise,
                      ok_pitch && ok_level && ok_before ? "" : "  FAILS");
      stats[0] += ok_pitch;
      stats[1] += ok_level;
      stats[2] += ok_before;
      stats[3] += n->offset - n->onset < 0.13;
      stats[4] += repeat;
      passed += ok_pitch && ok_level && ok_before;
    }
  *n_notes = notes->len;
  g_array_unref (notes);
  g_free (win.w);
  g_free (mono);
  g_free (mix);
  return passed;
}

/* Every note of notes.csv sounds at its pitch from its onset: the written
 * files (notes.csv and mix.flac of flute solos, no reverb or chorus) are
 * analysed, not the composer's note list. For every note:
 *
 *  - window: from min(10 ms, a quarter of the note) after the onset, for
 *    min(4096 samples, the rest of the note), so a 20 ms note gets 15 ms;
 *  - pitch: of the 25 MIDI pitches within an octave of the label, the
 *    labelled one has the largest harmonic sum (the amplitudes at h * f
 *    weighted 1/h, h = 1..4; Goertzel at the exact frequencies);
 *    pitches another note of the label sounds or releases (0.3 s) in the
 *    window do not compete;
 *  - level: the amplitude at the pitch is within 40 dB of the mix's peak;
 *  - not before: the power at the pitch in a window of the same length
 *    ending 64 samples (fluidsynth's block) before the onset is >= 10 dB
 *    below that in the note; for a repeat (a note of the same pitch ended
 *    < 0.2 s before the onset, so its release is still there) the power
 *    in 1024-sample frames instead rises by >= 3 dB from the frame just
 *    before the onset to the loudest one of the note.
 *
 * A note passes when all three hold; at least 95 % of all notes must pass
 * (the misses are the shortest notes next to a neighbouring pitch, which
 * no window resolves, and legato repeats without an audible re-attack). */
static void
test_solo_notes_audible (void)
{
  static const struct { const char *style; guint64 seed; } pieces[] = {
    { "jazz", 4 }, { "rock", 6 },
  };
  GError *error = NULL;
  StrataRenderer *r = strata_renderer_new (TIMGM6MB, 2, &error);
  char *dir = make_tmp ("solo");
  guint stats[5] = { 0 }, total = 0, passed = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (pieces); i++)
    {
      char *name = g_strdup_printf ("%05u-%s", i, pieces[i].style);
      char *folder = g_build_filename (dir, name, NULL);
      StrataComposeOptions o;
      StrataPiece *p;
      guint n_notes, ok;

      strata_compose_options_init (&o);
      o.seconds = 20;
      o.solo_role = "lead";
      o.solo_program = 73;   /* flute: a strong fundamental */
      p = strata_piece_compose (pieces[i].style, pieces[i].seed, &o);
      g_assert_cmpint (p->n_parts, ==, 1);
      p->parts[0].reverb_send = p->parts[0].chorus_send = 0;
      g_assert_true (strata_corpus_write_piece (r, p, TIMGM6MB, folder, STRATA_AUDIO_FORMAT_FLAC,
                                                "test", NULL, &error));
      g_assert_no_error (error);

      /* only the stem of the solo part sounds */
      for (int s = 0; s < STRATA_N_STEMS; s++)
        {
          char *stem = g_strdup_printf ("%s.flac", strata_stem_get_name (s));
          char *path = g_build_filename (folder, "stems", stem, NULL);
          gint64 n_frames;
          float *x = read_audio (path, &n_frames, NULL);
          double e = 0;

          for (gint64 k = 0; k < 2 * n_frames; k++)
            e += (double) x[k] * x[k];
          if (s == (int) p->parts[0].stem)
            g_assert_cmpfloat (e, >, 1.0);
          else
            g_assert_cmpfloat (e, ==, 0.0);
          g_free (x); g_free (path); g_free (stem);
        }

      ok = check_solo_notes (folder, stats, &n_notes);
      g_assert_cmpuint (n_notes, ==, p->notes->len);
      g_test_message ("%s %" G_GUINT64_FORMAT ": %u of %u notes pass", pieces[i].style,
                      pieces[i].seed, ok, n_notes);
      total += n_notes;
      passed += ok;
      strata_piece_free (p);
      g_free (folder);
      g_free (name);
    }
  g_test_message ("%u notes (%u shorter than 130 ms, %u repeats): pitch %u, level %u, "
                  "not before %u; all three %u (%.1f %%)", total, stats[3], stats[4],
                  stats[0], stats[1], stats[2], passed, 100.0 * passed / total);
  g_assert_cmpuint (stats[3], >=, total / 4);      /* short notes are checked too */
  g_assert_cmpuint (100 * passed, >=, 95 * total);

  g_free (dir);
  strata_renderer_free (r);
}

/* A copy of @p with only the notes of its drum part (@drums) or only the
 * others; parts, mix and length (end_tick) stay those of @p. */
static StrataPiece *
piece_copy_notes (const StrataPiece *p, gboolean drums)
{
  StrataPiece *c = g_new (StrataPiece, 1);

  *c = *p;
  c->style = g_strdup (p->style);
  c->sections = g_array_copy (p->sections);
  c->notes = g_array_new (FALSE, FALSE, sizeof (StrataNote));
  for (guint i = 0; i < p->notes->len; i++)
    {
      const StrataNote *n = &g_array_index (p->notes, StrataNote, i);
      if (p->parts[n->part].is_drums == drums)
        g_array_append_val (c->notes, *n);
    }
  return c;
}

static double
stem_energy (const StrataRendering *r, int s)
{
  double e = 0;

  for (gint64 k = 0; k < 2 * r->n_frames; k++)
    e += (double) r->stems[s][k] * r->stems[s][k];
  return e;
}

static double
stem_peak (const StrataRendering *r, int s)
{
  double peak = 0;

  for (gint64 k = 0; k < 2 * r->n_frames; k++)
    peak = MAX (peak, fabs (r->stems[s][k]));
  return peak;
}

/* The largest |b - g a| over stem @s of two renderings, relative to the
 * stem's peak in @b, where g is the ratio of their common peak scalings
 * (fitted by least squares, and checked against scale_db). */
static double
stem_difference (const StrataRendering *a, const StrataRendering *b, int s)
{
  double ab = 0, aa = 0, g, err = 0, peak = 0;

  g_assert_cmpint (a->n_frames, ==, b->n_frames);
  for (gint64 k = 0; k < 2 * a->n_frames; k++)
    {
      ab += (double) a->stems[s][k] * b->stems[s][k];
      aa += (double) a->stems[s][k] * a->stems[s][k];
    }
  g_assert_cmpfloat (aa, >, 0);
  g = ab / aa;
  g_assert_cmpfloat (fabs (g / pow (10, (b->scale_db - a->scale_db) / 20) - 1), <, 1e-5);
  for (gint64 k = 0; k < 2 * a->n_frames; k++)
    {
      err = MAX (err, fabs (b->stems[s][k] - g * a->stems[s][k]));
      peak = MAX (peak, fabs (b->stems[s][k]));
    }
  return err / peak;
}

/* -120 dBFS. A stem pass without notes is not exactly 0.0: fluidsynth's
 * reverb and chorus units output ~1e-7 from the first sample on, whatever
 * the channels' sends (5.6e-7 at the peak here, after the peak scaling). */
#define SILENT 1e-6

/* Drum notes never reach a non-drum stem, nor other notes the drum stem:
 * a full piece (parts in five stems) is rendered as it is, without its
 * drum notes and with only them (same parts, mix and length). Without the
 * drums the drum stem is silent (below SILENT) and the other stems are the
 * full piece's, sample for sample up to the common peak scaling (which
 * changes with the drums: |difference| <= 1e-6 of the stem's peak, i.e.
 * float rounding); with only the drums the other stems are silent and
 * the drum stem is the full piece's. */
static void
test_drums_only_in_drum_stem (void)
{
  GError *error = NULL;
  StrataComposeOptions o;
  StrataRenderer *r = strata_renderer_new (TIMGM6MB, 2, &error);
  StrataPiece *p = NULL, *no_drums, *only_drums;
  StrataRendering *full, *without, *only;
  int n_stems = 0;

  g_assert_no_error (error);
  strata_compose_options_init (&o);
  o.seconds = 8;
  /* the first pop piece with its five parts in five different stems */
  for (guint64 seed = 1; n_stems < 5; seed++)
    {
      gboolean used[STRATA_N_STEMS] = { FALSE };

      g_assert_cmpuint (seed, <, 200);
      strata_piece_free (p);
      p = strata_piece_compose ("pop", seed, &o);
      n_stems = 0;
      for (int i = 0; i < p->n_parts; i++)
        if (!used[p->parts[i].stem])
          used[p->parts[i].stem] = TRUE, n_stems++;
    }
  g_assert_true (p->parts[0].is_drums);
  g_test_message ("pop %" G_GUINT64_FORMAT ": %d parts, %u notes", p->seed, p->n_parts, p->notes->len);
  no_drums = piece_copy_notes (p, FALSE);
  only_drums = piece_copy_notes (p, TRUE);
  g_assert_cmpuint (no_drums->notes->len, >, 0);
  g_assert_cmpuint (only_drums->notes->len, >, 0);

  full = strata_renderer_render (r, p, &error);
  g_assert_no_error (error);
  without = strata_renderer_render (r, no_drums, &error);
  g_assert_no_error (error);
  only = strata_renderer_render (r, only_drums, &error);
  g_assert_no_error (error);

  for (int s = 0; s < STRATA_N_STEMS; s++)
    {
      g_assert_true (full->present[s] == without->present[s] && full->present[s] == only->present[s]);
      if (s == STRATA_STEM_DRUMS)
        {
          double d = stem_difference (full, only, s);
          g_test_message ("drums: energy %.1f full, peak %g without drums; only drums vs full %.2g",
                          stem_energy (full, s), stem_peak (without, s), d);
          g_assert_cmpfloat (stem_energy (full, s), >, 1.0);
          g_assert_cmpfloat (stem_peak (without, s), <, SILENT);
          g_assert_cmpfloat (d, <=, 1e-6);
        }
      else if (full->present[s])
        {
          double d = stem_difference (full, without, s);
          g_test_message ("%s: energy %.1f full, peak %g with only drums; without drums vs full %.2g",
                          strata_stem_get_name (s), stem_energy (full, s), stem_peak (only, s), d);
          g_assert_cmpfloat (stem_energy (full, s), >, 1e-3);
          g_assert_cmpfloat (stem_peak (only, s), <, SILENT);
          g_assert_cmpfloat (d, <=, 1e-6);
        }
      else
        {
          g_assert_cmpfloat (stem_energy (full, s), ==, 0.0);
          g_assert_cmpfloat (stem_energy (only, s), ==, 0.0);
        }
    }

  /* and the labels: every drum note is labelled drums, and nothing else is */
  for (guint i = 0; i < p->notes->len; i++)
    {
      const StrataNote *n = &g_array_index (p->notes, StrataNote, i);
      g_assert_cmpint (p->parts[n->part].stem == STRATA_STEM_DRUMS, ==, p->parts[n->part].channel == 9);
    }

  strata_rendering_free (full);
  strata_rendering_free (without);
  strata_rendering_free (only);
  strata_piece_free (no_drums);
  strata_piece_free (only_drums);
  strata_piece_free (p);
  strata_renderer_free (r);
}

static void
test_labels (void)
{
  const char *dir = shared_corpus ();
  char *manifest = g_build_filename (dir, "manifest.jsonl", NULL);
  char *text = NULL, **lines, *first, *csv = NULL, *tags = NULL, *mixj = NULL, *p;

  g_assert_true (g_file_get_contents (manifest, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "{\"piece\":\"00000-"));
  g_assert_nonnull (strstr (lines[0], "\"duration_s\":"));
  g_assert_nonnull (strstr (lines[0], "\"split\":"));
  {
    char *name = first_piece ();
    first = g_build_filename (dir, name, NULL);
    g_free (name);
  }
  p = g_build_filename (first, "notes.csv", NULL);
  g_assert_true (g_file_get_contents (p, &csv, NULL, NULL));
  g_free (p);
  g_assert_true (g_str_has_prefix (csv, "onset_s,offset_s,pitch,velocity,program,stem,role\n"));
  g_assert_nonnull (strstr (csv, ",drums,drums\n"));
  g_assert_nonnull (strstr (csv, ",bass,bass\n"));
  p = g_build_filename (first, "tags.json", NULL);
  g_assert_true (g_file_get_contents (p, &tags, NULL, NULL));
  g_free (p);
  for (const char *k = "style\0tempo_bpm\0key\0mode\0time_signature\0stems_present\0instruments\0sections\0"; *k; k += strlen (k) + 1)
    {
      char *q = g_strdup_printf ("\"%s\"", k);
      g_assert_nonnull (strstr (tags, q));
      g_free (q);
    }
  g_assert_true (strstr (tags, "\"jazz\"") || strstr (tags, "\"metal\""));
  p = g_build_filename (first, "mix.json", NULL);
  g_assert_true (g_file_get_contents (p, &mixj, NULL, NULL));
  g_free (p);
  g_assert_nonnull (strstr (mixj, "\"gain_db\""));
  g_assert_nonnull (strstr (mixj, "\"pan\""));
  g_assert_nonnull (strstr (mixj, "\"reverb\""));
  {
    double energy, err = stems_minus_mix (first, "flac", &energy);
    /* six stems and the mix, each rounded to 24 bits */
    g_test_message ("|sum of stems - mix| <= %g (24-bit FLAC)", err);
    g_assert_cmpfloat (err, <=, 7.0 / (1 << 23));
    g_assert_cmpfloat (energy, >, 1.0);
  }
  g_free (text); g_free (csv); g_free (tags); g_free (mixj); g_strfreev (lines);
  g_free (first); g_free (manifest);
}

/* The seed a piece is labelled with (tags.json, manifest.jsonl: the full
 * unsigned 64-bit value as a decimal string) regenerates that piece: its
 * notes.csv rows and piece.mid bytes. The shared corpus's first piece has
 * a seed above G_MAXINT64, which the old labels (seed & G_MAXINT64) got
 * wrong: that number composes another piece. */
static void
test_label_seed_regenerates (void)
{
  const char *dir = shared_corpus ();
  char *path = g_build_filename (dir, "corpus.json", NULL);
  JsonNode *corpus = read_json (path);
  JsonObject *co = json_node_get_object (corpus);
  double min_s = json_object_get_double_member (co, "min_seconds");
  double max_s = json_object_get_double_member (co, "max_seconds");
  char *text = NULL, **lines;
  guint high = 0, pieces = 0;

  g_free (path);
  path = g_build_filename (dir, "manifest.jsonl", NULL);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i] && lines[i][0]; i++)
    {
      JsonNode *line = json_from_string (lines[i], NULL), *tags, *seed_node;
      JsonObject *m = json_node_get_object (line);
      const char *style = json_object_get_string_member (m, "style");
      const char *seed_text;
      char *folder = g_build_filename (dir, json_object_get_string_member (m, "piece"), NULL);
      char *p_tags = g_build_filename (folder, "tags.json", NULL);
      char *p_csv = g_build_filename (folder, "notes.csv", NULL);
      char *p_mid = g_build_filename (folder, "piece.mid", NULL);
      GBytes *mid = read_bytes (p_mid), *smf;
      GArray *rows = read_notes_csv (p_csv);
      StrataPiece *p, *masked;
      guint64 seed = 0;
      GError *error = NULL;

      seed_node = json_object_get_member (m, "seed");
      g_assert_cmpint (json_node_get_value_type (seed_node), ==, G_TYPE_STRING);
      seed_text = json_node_get_string (seed_node);
      g_assert_true (g_ascii_string_to_unsigned (seed_text, 10, 0, G_MAXUINT64, &seed, &error));
      g_assert_no_error (error);
      tags = read_json (p_tags);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (tags), "seed"), ==, seed_text);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (tags), "style"), ==, style);

      p = strata_corpus_compose_piece (style, seed, min_s, max_s);
      g_assert_nonnull (p);
      g_assert_cmpfloat (fabs (json_object_get_double_member (m, "duration_s") - strata_piece_get_duration (p)), <=, 1e-4);
      smf = strata_piece_to_smf (p);
      g_assert_true (g_bytes_equal (smf, mid));
      g_assert_cmpuint (rows->len, ==, p->notes->len);
      for (guint k = 0; k < rows->len; k++)
        {
          const CsvNote *c = &g_array_index (rows, CsvNote, k);
          const StrataNote *n = &g_array_index (p->notes, StrataNote, k);
          const StrataPart *part = &p->parts[n->part];

          g_assert_cmpfloat (fabs (c->onset - strata_piece_tick_to_seconds (p, n->on)), <=, 5e-7);
          g_assert_cmpfloat (fabs (c->offset - strata_piece_tick_to_seconds (p, n->off)), <=, 5e-7);
          g_assert_cmpint (c->pitch, ==, n->pitch);
          g_assert_cmpint (c->velocity, ==, n->velocity);
          g_assert_cmpint (c->program, ==, part->program);
          g_assert_cmpstr (c->stem, ==, strata_stem_get_name (part->stem));
          g_assert_cmpstr (c->role, ==, part->role);
        }
      g_test_message ("%s: seed %s regenerates its %u notes", json_object_get_string_member (m, "piece"),
                      seed_text, rows->len);
      if (seed > G_MAXINT64)
        {
          GBytes *other;

          masked = strata_corpus_compose_piece (style, seed & G_MAXINT64, min_s, max_s);
          other = strata_piece_to_smf (masked);
          g_assert_false (g_bytes_equal (other, mid));
          g_bytes_unref (other);
          strata_piece_free (masked);
          high++;
        }
      pieces++;
      strata_piece_free (p);
      g_bytes_unref (smf);
      g_bytes_unref (mid);
      g_array_unref (rows);
      json_node_unref (tags);
      json_node_unref (line);
      g_free (p_mid); g_free (p_csv); g_free (p_tags); g_free (folder);
    }
  g_assert_cmpuint (pieces, >=, 1);
  g_assert_cmpuint (high, >=, 1);
  g_strfreev (lines);
  g_free (text);
  g_free (path);
  json_node_unref (corpus);
}

/* "hip-hop" (as the README once spelled it) is an alias of "hiphop": the
 * same pieces, labelled and named "hiphop"; `--styles hip-hop` renders
 * the same corpus as `--styles hiphop`, byte for byte. */
static void
test_style_alias (void)
{
  char *cli = g_build_filename (STRATA_BUILD_DIR, "app", "strata-cli", NULL);
  StrataPiece *a = strata_piece_compose ("hip-hop", 3, NULL);
  StrataPiece *b = strata_piece_compose ("hiphop", 3, NULL);

  g_assert_true (strata_compose_has_style ("hip-hop"));
  g_assert_cmpstr (strata_compose_style_name ("hip-hop"), ==, "hiphop");
  g_assert_cmpstr (strata_compose_style_name ("hiphop"), ==, "hiphop");
  g_assert_null (strata_compose_style_name ("hip hop"));
  g_assert_null (strata_compose_style_name (NULL));
  g_assert_false (g_strv_contains (strata_compose_list_styles (), "hip-hop"));
  g_assert_cmpstr (a->style, ==, "hiphop");
  g_assert_cmpuint (a->notes->len, ==, b->notes->len);
  g_assert_cmpmem (a->notes->data, a->notes->len * sizeof (StrataNote),
                   b->notes->data, b->notes->len * sizeof (StrataNote));
  strata_piece_free (a);
  strata_piece_free (b);

  if (!g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    g_test_message ("strata-cli is not built: the corpus part is skipped");
  else
    {
      char *x = make_tmp ("alias-cli"), *y = make_tmp ("alias-lib"), *err = NULL;
      char *folder = g_build_filename (x, "00000-hiphop", NULL);
      const char *argv[] = { cli, "corpus", "render", "--minutes", "0.1", "--min-seconds", "5",
                             "--max-seconds", "6", "--soundfont", TIMGM6MB, "--seed", "8",
                             "--styles", "hip-hop", "-o", x, NULL };
      GError *error = NULL;
      int status;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                   NULL, &err, &status, &error));
      g_assert_no_error (error);
      g_test_message ("corpus render --styles hip-hop: %s", err);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
      g_assert_true (g_file_test (folder, G_FILE_TEST_IS_DIR));
      render_tiny (y, TIMGM6MB, 8, "hiphop", STRATA_AUDIO_FORMAT_FLAC);
      assert_same_trees (x, y);
      g_free (folder); g_free (err); g_free (x); g_free (y);
    }
  g_free (cli);
}

/* ---------------------------------------------------------------- errors */

static void
test_bad_options (void)
{
  StrataCorpusOptions o;
  GError *error = NULL;
  char *out = make_tmp ("bad");
  char *fake = g_build_filename (tmp_root, "not-a-font.sf2", NULL);
  const char *bad_styles[] = { "polka", NULL };

  g_assert_true (g_file_set_contents (fake, "RIFF but not really", -1, NULL));

  strata_corpus_options_init (&o);
  o.soundfont = TIMGM6MB;
  o.output = out;
  o.minutes = 0;
  g_assert_false (strata_corpus_render (&o, NULL, NULL, &error));
  g_assert_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_OPTIONS);
  g_clear_error (&error);

  o.minutes = 1;
  o.styles = bad_styles;
  g_assert_false (strata_corpus_render (&o, NULL, NULL, &error));
  g_assert_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_OPTIONS);
  g_assert_nonnull (strstr (error->message, "polka"));
  g_clear_error (&error);

  o.styles = NULL;
  o.min_seconds = 50;
  o.max_seconds = 10;
  g_assert_false (strata_corpus_render (&o, NULL, NULL, &error));
  g_assert_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_OPTIONS);
  g_clear_error (&error);

  strata_corpus_options_init (&o);
  o.output = out;
  o.minutes = 1;
  o.soundfont = "/nonexistent/font.sf2";
  g_assert_false (strata_corpus_render (&o, NULL, NULL, &error));
  g_assert_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_SOUNDFONT);
  g_assert_nonnull (strstr (error->message, "/nonexistent/font.sf2"));
  g_clear_error (&error);

  o.soundfont = fake;
  g_assert_false (strata_corpus_render (&o, NULL, NULL, &error));
  g_assert_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_SOUNDFONT);
  g_assert_nonnull (strstr (error->message, fake));
  g_clear_error (&error);

  /* a folder holding a corpus made with other options is not touched */
  render_tiny (out, TIMGM6MB, 1, "reggae", STRATA_AUDIO_FORMAT_WAV_F32);
  strata_corpus_options_init (&o);
  o.soundfont = TIMGM6MB;
  o.output = out;
  o.minutes = 0.1;
  o.min_seconds = 5;
  o.max_seconds = 6;
  o.seed = 2;
  g_assert_false (strata_corpus_render (&o, NULL, NULL, &error));
  g_assert_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_OPTIONS);
  g_assert_nonnull (strstr (error->message, "other options"));
  g_clear_error (&error);

  g_free (fake);
  g_free (out);
}

static void
test_cli_exit_codes (void)
{
  char *cli = g_build_filename (STRATA_BUILD_DIR, "app", "strata-cli", NULL);
  struct { const char *args; int status; const char *needle; } cases[] = {
    { "corpus", 2, NULL },
    { "corpus frobnicate", 2, "frobnicate" },
    { "corpus render --minutes 1 -o DIR", 2, "--soundfont" },
    { "corpus render --minutes x --soundfont " TIMGM6MB " -o DIR", 2, NULL },
    { "corpus render --minutes 1 --soundfont /nonexistent.sf2 --seed 1 -o DIR", 1, "/nonexistent.sf2" },
    { "corpus render --minutes 1 --soundfont " TIMGM6MB " --seed minus -o DIR", 2, "minus" },
    { "corpus render --minutes 1 --soundfont " TIMGM6MB " --styles polka -o DIR", 2, "polka" },
    { "corpus index -o DIR/m.jsonl", 2, NULL },
    { "corpus index /nonexistent-folder -o DIR/m.jsonl", 1, "/nonexistent-folder" },
  };

  if (!g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("strata-cli is not built");
      g_free (cli);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *dir = make_tmp ("cli");
      GString *cmd = g_string_new (cli);
      char **argv = NULL, *err = NULL;
      int status;
      GError *error = NULL;

      g_string_append_c (cmd, ' ');
      g_string_append (cmd, cases[i].args);
      g_string_replace (cmd, "DIR", dir, 0);
      g_assert_true (g_shell_parse_argv (cmd->str, NULL, &argv, NULL));
      g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, &error));
      g_assert_no_error (error);
      g_assert_true (WIFEXITED (status));
      g_test_message ("%s -> %d: %s", cases[i].args, WEXITSTATUS (status), err);
      g_assert_cmpint (WEXITSTATUS (status), ==, cases[i].status);
      g_assert_true (g_str_has_prefix (err, "strata-cli: ") || cases[i].status == 2);
      if (cases[i].needle)
        g_assert_nonnull (strstr (err, cases[i].needle));
      g_strfreev (argv);
      g_free (err);
      g_string_free (cmd, TRUE);
      g_free (dir);
    }
  g_free (cli);
}

/* ---------------------------------------------------------------- index */

/* A short Ogg Vorbis file (libsndfile: strata_audio_write() writes WAV and
 * FLAC only); FALSE when this libsndfile cannot encode Vorbis. */
static gboolean
write_ogg (const char *path, const float *x, gint64 n_frames)
{
  SF_INFO info = { .samplerate = 44100, .channels = 2, .format = SF_FORMAT_OGG | SF_FORMAT_VORBIS };
  SNDFILE *sf;

  if (!sf_format_check (&info))
    return FALSE;
  sf = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  g_assert_cmpint (sf_writef_float (sf, x, n_frames), ==, n_frames);
  g_assert_cmpint (sf_close (sf), ==, 0);
  return TRUE;
}

/* The manifest line of @name (a path ending), parsed. */
static JsonObject *
index_entry (char **lines, const char *name)
{
  for (int i = 0; lines[i] && lines[i][0]; i++)
    {
      JsonNode *node = json_from_string (lines[i], NULL);
      JsonObject *o;

      g_assert_nonnull (node);
      o = json_object_ref (json_node_get_object (node));
      json_node_unref (node);
      if (g_str_has_suffix (json_object_get_string_member (o, "path"), name))
        return o;
      json_object_unref (o);
    }
  g_assert_not_reached ();
  return NULL;
}

static void
test_index (void)
{
  char *dir = make_tmp ("index/music/sub");
  char *fof_dir = make_tmp ("index/games/fretsonfire/data/songs/Strata Demo");
  char *fofix_dir = make_tmp ("index/games/FoFiX/songs/demo");
  char *root = g_build_filename (tmp_root, "index", NULL);
  char *wav = g_build_filename (dir, "tone.wav", NULL);
  char *song = g_build_filename (fof_dir, "song.ogg", NULL);
  char *guitar = g_build_filename (fofix_dir, "guitar.wav", NULL);
  char *junk = g_build_filename (dir, "junk.mp3", NULL);
  char *text_file = g_build_filename (dir, "README", NULL);
  char *manifest = g_build_filename (root, "manifest.jsonl", NULL);
  float *x = g_new (float, 2 * 22050);
  GError *error = NULL;
  char *contents = NULL, *bytes = NULL, *sha, **lines;
  gsize len;
  double minutes = 0;
  guint n = 0;
  const char *folders[] = { root, NULL };
  JsonObject *o;

  for (int i = 0; i < 2 * 22050; i++)
    x[i] = 0.25f * sinf (i * 0.05f);
  g_assert_true (strata_audio_write (wav, x, 22050, 2, 44100, STRATA_AUDIO_FORMAT_WAV_PCM16, &error));
  g_assert_no_error (error);
  /* Frets on Fire songs: song.ogg (a WAV of that name when libsndfile has
   * no Vorbis encoder), and FoFiX's guitar track */
  if (!write_ogg (song, x, 22050))
    {
      g_test_message ("no Ogg Vorbis encoder: song.ogg is a WAV file");
      g_assert_true (strata_audio_write (song, x, 22050, 2, 44100, STRATA_AUDIO_FORMAT_WAV_PCM16, &error));
    }
  g_assert_true (strata_audio_write (guitar, x, 11025, 2, 44100, STRATA_AUDIO_FORMAT_WAV_PCM16, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (junk, "\x13\x37 definitely not an mp3 file at all", -1, NULL));
  g_assert_true (g_file_set_contents (text_file, "hello", -1, NULL));

  g_assert_true (strata_corpus_index (folders, manifest, NULL, NULL, &minutes, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpfloat_with_epsilon (minutes, (0.5 + 0.5 + 0.25) / 60, 1e-3);
  g_assert_true (g_file_get_contents (manifest, &contents, NULL, NULL));
  g_assert_true (g_file_get_contents (wav, &bytes, &len, NULL));
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) bytes, len);
  g_assert_null (strstr (contents, "junk.mp3"));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);   /* three lines, each ending in \n */
  g_assert_cmpstr (lines[3], ==, "");

  o = index_entry (lines, "/music/sub/tone.wav");
  g_assert_cmpstr (json_object_get_string_member (o, "sha256"), ==, sha);
  g_assert_cmpint (json_object_get_int_member (o, "sample_rate"), ==, 44100);
  g_assert_cmpint (json_object_get_int_member (o, "channels"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (o, "size_bytes"), ==, (gint64) len);
  g_assert_true (json_object_get_boolean_member (o, "training"));
  json_object_unref (o);

  o = index_entry (lines, "/fretsonfire/data/songs/Strata Demo/song.ogg");
  g_test_message ("song.ogg: %s, %s", json_object_get_string_member (o, "format"),
                  json_object_get_string_member (o, "codec"));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "duration_s"), 0.5, 1e-3);
  g_assert_false (json_object_get_boolean_member (o, "training"));
  json_object_unref (o);

  o = index_entry (lines, "/FoFiX/songs/demo/guitar.wav");
  g_assert_false (json_object_get_boolean_member (o, "training"));
  json_object_unref (o);

  {
    const char *missing[] = { "/nonexistent/music", NULL };
    g_assert_false (strata_corpus_index (missing, manifest, NULL, NULL, NULL, NULL, &error));
    g_assert_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_READ);
    g_clear_error (&error);
  }
  g_strfreev (lines);
  g_free (sha); g_free (bytes); g_free (contents); g_free (x);
  g_free (manifest); g_free (text_file); g_free (junk); g_free (guitar); g_free (song);
  g_free (wav); g_free (root); g_free (fofix_dir); g_free (fof_dir); g_free (dir);
}

/* ---------------------------------------------------------------- demo */

static void
test_demo_track (void)
{
  char *path = g_build_filename (STRATA_SOURCE_DIR, "resources", "demo", "strata-demo.flac", NULL);
  SF_INFO info = { 0 };
  SNDFILE *sf = sf_open (path, SFM_READ, &info);
  float *x;
  double peak = 0, sum = 0, seconds;

  g_assert_nonnull (sf);
  seconds = (double) info.frames / info.samplerate;
  g_assert_cmpint (info.channels, ==, 2);
  g_assert_cmpint (info.samplerate, ==, 44100);
  g_assert_cmpfloat (seconds, >=, 25);
  g_assert_cmpfloat (seconds, <=, 40);
  x = g_new (float, info.frames * 2);
  g_assert_cmpint (sf_readf_float (sf, x, info.frames), ==, info.frames);
  sf_close (sf);
  for (gint64 i = 0; i < 2 * info.frames; i++)
    {
      peak = MAX (peak, fabsf (x[i]));
      sum += (double) x[i] * x[i];
    }
  g_test_message ("demo: %.1f s, peak %.2f dBFS, rms %.1f dBFS", seconds, 20 * log10 (peak),
                  10 * log10 (sum / (2 * info.frames)));
  g_assert_cmpfloat (peak, <, 0.99);                       /* not clipped */
  g_assert_cmpfloat (peak, >, 0.5);
  g_assert_cmpfloat (10 * log10 (sum / (2 * info.frames)), >, -30);   /* not silent */
  g_free (x);
  g_free (path);
}

/* The committed demo MIDI file is what the generator writes today for the
 * command in resources/demo/README.md (the audio needs FluidR3_GM, the MIDI
 * does not): a generator change that alters the demo fails here, as a
 * reminder to regenerate the demo track. */
static void
test_demo_reproducible (void)
{
  char *path = g_build_filename (STRATA_SOURCE_DIR, "resources", "demo", "strata-demo.mid", NULL);
  GBytes *committed = read_bytes (path);
  StrataComposeOptions o;
  StrataPiece *p;
  GBytes *smf;

  strata_compose_options_init (&o);
  o.seconds = 30;
  o.demo_form = TRUE;
  p = strata_piece_compose ("pop", 6, &o);
  smf = strata_piece_to_smf (p);
  g_assert_true (g_bytes_equal (smf, committed));
  g_bytes_unref (smf);
  g_bytes_unref (committed);
  strata_piece_free (p);
  g_free (path);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_root = g_dir_make_tmp ("strata-corpus-XXXXXX", NULL);
  g_assert_nonnull (tmp_root);

  g_test_add_func ("/strata/corpus/compose/styles-valid", test_styles_valid);
  g_test_add_func ("/strata/corpus/compose/pieces", test_compose_pieces);
  g_test_add_func ("/strata/corpus/compose/deterministic", test_compose_deterministic);
  g_test_add_func ("/strata/corpus/compose/stem-map", test_stem_map);
  g_test_add_func ("/strata/corpus/smf/structure", test_smf);
  g_test_add_func ("/strata/corpus/render/stems-sum-to-mix", test_stems_sum_to_mix);
  g_test_add_func ("/strata/corpus/render/solo-notes-audible", test_solo_notes_audible);
  g_test_add_func ("/strata/corpus/render/drums-only-in-drum-stem", test_drums_only_in_drum_stem);
  g_test_add_func ("/strata/corpus/render/deterministic-resumable", test_deterministic_and_resumable);
  g_test_add_func ("/strata/corpus/render/soundfont-changes-audio-not-labels", test_soundfont_changes_audio_not_labels);
  g_test_add_func ("/strata/corpus/render/labels", test_labels);
  g_test_add_func ("/strata/corpus/render/label-seed-regenerates", test_label_seed_regenerates);
  g_test_add_func ("/strata/corpus/render/style-alias", test_style_alias);
  g_test_add_func ("/strata/corpus/errors/bad-options", test_bad_options);
  g_test_add_func ("/strata/corpus/errors/cli-exit-codes", test_cli_exit_codes);
  g_test_add_func ("/strata/corpus/index/real-files", test_index);
  g_test_add_func ("/strata/corpus/demo/track", test_demo_track);
  g_test_add_func ("/strata/corpus/demo/reproducible", test_demo_reproducible);

  status = g_test_run ();
  corpus_test_remove_tree (tmp_root);
  g_free (tmp_root);
  return status;
}
