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
#include <string.h>
#include <fftw3.h>
#include <glib.h>
#include <glib/gstdio.h>
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
        g_assert_cmpstr (g_array_index (p->sections, StrataSection, 0).name, ==, "intro");
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

static void
test_soundfont_changes_audio_not_labels (void)
{
  char *sine = write_sine_soundfont ();
  char *a = make_tmp ("sf-tim");
  char *b = make_tmp ("sf-sine");
  GPtrArray *fa, *fb;
  guint audio_files = 0;

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
      else if (g_str_has_suffix (name, "mix.flac") || g_str_has_suffix (name, "drums.flac")
               || g_str_has_suffix (name, "bass.flac"))
        {
          g_assert_false (g_bytes_equal (x, y));   /* different audio */
          audio_files++;
        }
      g_bytes_unref (x); g_bytes_unref (y); g_free (pa); g_free (pb);
    }
  g_assert_cmpuint (audio_files, >=, 3);
  g_ptr_array_unref (fa);
  g_ptr_array_unref (fb);
  g_free (sine); g_free (a); g_free (b);
}

/* Energy of @x (mono) in the band f0 * 2^(+-1/12) over [from, from + n). */
typedef struct {
  int            n;
  float         *in;
  fftwf_complex *out;
  fftwf_plan     plan;
} Fft;

static void
fft_init (Fft *f, int n)
{
  f->n = n;
  f->in = fftwf_alloc_real (n);
  f->out = fftwf_alloc_complex (n / 2 + 1);
  f->plan = fftwf_plan_dft_r2c_1d (n, f->in, f->out, FFTW_ESTIMATE);
}

static void
fft_clear (Fft *f)
{
  fftwf_destroy_plan (f->plan);
  fftwf_free (f->in);
  fftwf_free (f->out);
}

static double
band_energy (const float *x, gint64 len, gint64 from, const Fft *fft, double f0, double *peak_hz)
{
  int n = fft->n;
  float *in = fft->in;
  fftwf_complex *out = fft->out;
  double e = 0, best = 0;
  double lo = f0 * pow (2, -1.0 / 12), hi = f0 * pow (2, 1.0 / 12);

  for (int i = 0; i < n; i++)
    {
      gint64 k = from + i;
      double w = 0.5 - 0.5 * cos (2 * G_PI * i / n);
      in[i] = (k >= 0 && k < len) ? (float) (x[k] * w) : 0.0f;
    }
  fftwf_execute (fft->plan);
  for (int b = 1; b <= n / 2; b++)
    {
      double f = (double) b * STRATA_SAMPLE_RATE / n;
      double m = (double) out[b][0] * out[b][0] + (double) out[b][1] * out[b][1];
      if (f >= lo && f <= hi)
        e += m;
      if (f > 60 && f < 5000 && m > best)
        {
          best = m;
          *peak_hz = f;
        }
    }
  return e;
}

static void
test_solo_notes_audible (void)
{
  GError *error = NULL;
  Fft long_fft, short_fft;
  StrataComposeOptions o;
  StrataPiece *p;
  StrataRenderer *r = strata_renderer_new (TIMGM6MB, 2, &error);
  StrataRendering *res;
  float *mono;
  double ref = 0;
  guint checked = 0;

  g_assert_no_error (error);
  fft_init (&long_fft, 4096);
  fft_init (&short_fft, 2048);
  strata_compose_options_init (&o);
  o.seconds = 20;
  o.solo_role = "lead";
  o.solo_program = 73;   /* flute: a strong fundamental */
  p = strata_piece_compose ("pop", 4, &o);
  g_assert_cmpint (p->n_parts, ==, 1);
  g_assert_cmpuint (p->notes->len, >=, 10);
  p->parts[0].reverb_send = p->parts[0].chorus_send = 0;
  res = strata_renderer_render (r, p, &error);
  g_assert_no_error (error);

  /* only the stem of the solo part sounds */
  for (int s = 0; s < STRATA_N_STEMS; s++)
    if (s != (int) p->parts[0].stem)
      for (gint64 k = 0; k < 2 * res->n_frames; k++)
        g_assert_cmpfloat (res->stems[s][k], ==, 0.0f);

  mono = g_new (float, res->n_frames);
  for (gint64 k = 0; k < res->n_frames; k++)
    mono[k] = res->mix[2 * k] + res->mix[2 * k + 1];
  for (gint64 k = 0; k < res->n_frames; k++)
    ref = MAX (ref, fabs (mono[k]));

  for (guint i = 0; i < p->notes->len; i++)
    {
      const StrataNote *n = &g_array_index (p->notes, StrataNote, i);
      gint64 on = (gint64) llround (strata_piece_tick_to_seconds (p, n->on) * STRATA_SAMPLE_RATE);
      gint64 off = (gint64) llround (strata_piece_tick_to_seconds (p, n->off) * STRATA_SAMPLE_RATE);
      double f0 = 440.0 * pow (2, (n->pitch - 69) / 12.0), peak_hz = 0, during, before, dummy;
      const Fft *fft = off - on - 3528 >= 4096 ? &long_fft : &short_fft;
      gboolean same_before = FALSE;
      int N = fft->n;

      if (off - on - 3528 < 2048)
        continue;   /* too short to resolve a semitone */
      during = band_energy (mono, res->n_frames, on + 3528, fft, f0, &peak_hz);
      g_test_message ("note %u: pitch %d, f0 %.1f Hz, peak %.1f Hz", i, n->pitch, f0, peak_hz);
      g_assert_cmpfloat (fabs (12 * log2 (peak_hz / f0)), <=, 1.0);
      g_assert_cmpfloat (10 * log10 (during / N / N + 1e-30), >, 20 * log10 (ref) - 60);
      for (guint j = 0; j < i; j++)
        {
          const StrataNote *m = &g_array_index (p->notes, StrataNote, j);
          if (abs (m->pitch - n->pitch) <= 1
              && strata_piece_tick_to_seconds (p, m->off) > strata_piece_tick_to_seconds (p, n->on) - 0.6)
            same_before = TRUE;
        }
      if (!same_before && on > N)
        {
          before = band_energy (mono, res->n_frames, on - N - 64, fft, f0, &dummy);
          g_assert_cmpfloat (10 * log10 (during / (before + 1e-30)), >, 10.0);
        }
      checked++;
    }
  g_test_message ("%u of %u solo notes checked", checked, p->notes->len);
  g_assert_cmpuint (checked, >=, 5);

  fft_clear (&long_fft);
  fft_clear (&short_fft);
  g_free (mono);
  strata_rendering_free (res);
  strata_piece_free (p);
  strata_renderer_free (r);
}

static void
test_drums_only_in_drum_stem (void)
{
  GError *error = NULL;
  StrataComposeOptions o;
  StrataRenderer *r = strata_renderer_new (TIMGM6MB, 2, &error);
  StrataPiece *p;
  StrataRendering *res;
  double e = 0;

  strata_compose_options_init (&o);
  o.seconds = 6;
  o.solo_role = "drums";
  p = strata_piece_compose ("rock", 9, &o);
  g_assert_true (p->parts[0].is_drums);
  res = strata_renderer_render (r, p, &error);
  g_assert_no_error (error);
  for (int s = 1; s < STRATA_N_STEMS; s++)
    for (gint64 k = 0; k < 2 * res->n_frames; k++)
      g_assert_cmpfloat (res->stems[s][k], ==, 0.0f);
  for (gint64 k = 0; k < 2 * res->n_frames; k++)
    e += res->stems[STRATA_STEM_DRUMS][k] * res->stems[STRATA_STEM_DRUMS][k];
  g_assert_cmpfloat (e, >, 1.0);
  strata_rendering_free (res);
  strata_piece_free (p);

  /* in full pieces every drum note is labelled drums, and nothing else is */
  p = strata_piece_compose ("funk", 9, NULL);
  for (guint i = 0; i < p->notes->len; i++)
    {
      const StrataNote *n = &g_array_index (p->notes, StrataNote, i);
      g_assert_cmpint (p->parts[n->part].stem == STRATA_STEM_DRUMS, ==, p->parts[n->part].channel == 9);
    }
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

static void
test_index (void)
{
  char *dir = make_tmp ("index/music/sub");
  char *root = g_build_filename (tmp_root, "index", NULL);
  char *wav = g_build_filename (dir, "tone.wav", NULL);
  char *junk = g_build_filename (dir, "junk.mp3", NULL);
  char *text_file = g_build_filename (dir, "README", NULL);
  char *manifest = g_build_filename (root, "manifest.jsonl", NULL);
  float *x = g_new (float, 2 * 22050);
  GError *error = NULL;
  char *contents = NULL, *bytes = NULL, *sha;
  gsize len;
  double minutes = 0;
  guint n = 0;
  const char *folders[] = { root, NULL };

  for (int i = 0; i < 2 * 22050; i++)
    x[i] = 0.25f * sinf (i * 0.05f);
  g_assert_true (strata_audio_write (wav, x, 22050, 2, 44100, STRATA_AUDIO_FORMAT_WAV_PCM16, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (junk, "\x13\x37 definitely not an mp3 file at all", -1, NULL));
  g_assert_true (g_file_set_contents (text_file, "hello", -1, NULL));

  g_assert_true (strata_corpus_index (folders, manifest, NULL, NULL, &minutes, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpfloat_with_epsilon (minutes, 0.5 / 60, 1e-4);
  g_assert_true (g_file_get_contents (manifest, &contents, NULL, NULL));
  g_assert_true (g_file_get_contents (wav, &bytes, &len, NULL));
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) bytes, len);
  g_assert_nonnull (strstr (contents, sha));
  g_assert_nonnull (strstr (contents, "tone.wav"));
  g_assert_null (strstr (contents, "junk.mp3"));
  g_assert_nonnull (strstr (contents, "\"sample_rate\":44100"));
  g_assert_nonnull (strstr (contents, "\"channels\":2"));
  g_assert_cmpint (strchr (contents, '\n') - contents + 1, ==, (int) strlen (contents));

  {
    const char *missing[] = { "/nonexistent/music", NULL };
    g_assert_false (strata_corpus_index (missing, manifest, NULL, NULL, NULL, NULL, &error));
    g_assert_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_READ);
    g_clear_error (&error);
  }
  g_free (sha); g_free (bytes); g_free (contents); g_free (x);
  g_free (manifest); g_free (text_file); g_free (junk); g_free (wav); g_free (root); g_free (dir);
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
