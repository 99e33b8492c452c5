/* strata-corpus.c: rendering labelled corpora, indexing real recordings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "corpus/strata-test-set.h"
#include "io/strata-output.h"
#include "corpus/strata-corpus.h"
#include "corpus/strata-smf.h"
#include "corpus/strata-corpus-private.h"

/**
 * strata_corpus_options_init:
 * @options: (out caller-allocates): options to initialise
 *
 * Sets the defaults: pieces of 30-75 s from every style, 2 threads, FLAC,
 * automatic 90/5/5 train/valid/test split.
 */
void
strata_corpus_options_init (StrataCorpusOptions *options)
{
  memset (options, 0, sizeof *options);
  options->minutes = 10;
  options->min_seconds = 30;
  options->max_seconds = 75;
  options->threads = 2;
  options->format = STRATA_AUDIO_FORMAT_FLAC;
  options->split = "auto";
}

static guint64
mix64 (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return x ^ (x >> 31);
}

static double
round4 (double x)
{
  return round (x * 1e4) / 1e4;
}

/* ---------------------------------------------------------------- files */

static gboolean
write_text (const char *path, const char *text, gssize len, GError **error)
{
  g_autoptr (GBytes) bytes = g_bytes_new_static (text, len < 0 ? strlen (text) : (gsize) len);

  return strata_output_write_bytes (path, NULL, bytes, error);
}

static gboolean
write_json (const char *path, JsonNode *root, GError **error)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  return write_text (path, text, -1, error);
}

/* Removes a folder this module wrote (files and one level of subfolders). */
static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

static gboolean
make_dir (const char *path, GError **error)
{
  if (g_mkdir_with_parents (path, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_WRITE,
                   _("Cannot create the folder “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------- labels */

static char *
notes_csv (const StrataPiece *piece)
{
  GString *s = g_string_new ("onset_s,offset_s,pitch,velocity,program,stem,role\n");

  for (guint i = 0; i < piece->notes->len; i++)
    {
      const StrataNote *n = &g_array_index (piece->notes, StrataNote, i);
      const StrataPart *part = &piece->parts[n->part];
      char on[G_ASCII_DTOSTR_BUF_SIZE], off[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (on, sizeof on, "%.6f", strata_piece_tick_to_seconds (piece, n->on));
      g_ascii_formatd (off, sizeof off, "%.6f", strata_piece_tick_to_seconds (piece, n->off));
      g_string_append_printf (s, "%s,%s,%d,%d,%d,%s,%s\n", on, off, n->pitch, n->velocity,
                              part->program, strata_stem_get_name (part->stem), part->role);
    }
  return g_string_free (s, FALSE);
}

static JsonNode *
tags_json (const StrataPiece *piece, const char *soundfont, const char *split)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *meter = g_strdup_printf ("%d/%d", piece->meter_num, piece->meter_den);
  g_autofree char *sf = g_path_get_basename (soundfont);
  g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, piece->seed);
  gboolean present[STRATA_N_STEMS] = { FALSE };

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "style");
  json_builder_add_string_value (b, piece->style);
  /* the full unsigned 64-bit seed as a decimal string: half the seeds are
   * above G_MAXINT64, which JSON readers (json-glib included) cannot hold
   * as an integer */
  json_builder_set_member_name (b, "seed");
  json_builder_add_string_value (b, seed);
  json_builder_set_member_name (b, "split");
  json_builder_add_string_value (b, split);
  json_builder_set_member_name (b, "soundfont");
  json_builder_add_string_value (b, sf);
  json_builder_set_member_name (b, "duration_s");
  json_builder_add_double_value (b, round4 (strata_piece_get_duration (piece)));
  json_builder_set_member_name (b, "tempo_bpm");
  json_builder_add_double_value (b, piece->bpm);
  json_builder_set_member_name (b, "time_signature");
  json_builder_add_string_value (b, meter);
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, strata_key_name (piece->key));
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, piece->mode);
  json_builder_set_member_name (b, "swing");
  json_builder_add_double_value (b, round4 (piece->swing));

  json_builder_set_member_name (b, "sections");
  json_builder_begin_array (b);
  for (guint i = 0; i < piece->sections->len; i++)
    {
      const StrataPieceSection *sec = &g_array_index (piece->sections, StrataPieceSection, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, sec->name);
      json_builder_set_member_name (b, "start_s");
      json_builder_add_double_value (b, round4 (strata_piece_tick_to_seconds (piece, sec->first_bar * piece->bar_ticks)));
      json_builder_set_member_name (b, "end_s");
      json_builder_add_double_value (b, round4 (strata_piece_tick_to_seconds (piece, (sec->first_bar + sec->n_bars) * piece->bar_ticks)));
      json_builder_set_member_name (b, "bars");
      json_builder_add_int_value (b, sec->n_bars);
      json_builder_set_member_name (b, "dynamics");
      json_builder_add_double_value (b, round4 (sec->dynamics));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "parts");
  json_builder_begin_array (b);
  for (int i = 0; i < piece->n_parts; i++)
    {
      const StrataPart *part = &piece->parts[i];
      guint n_notes = 0;

      for (guint k = 0; k < piece->notes->len; k++)
        n_notes += g_array_index (piece->notes, StrataNote, k).part == i;
      if (n_notes > 0)
        present[part->stem] = TRUE;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "role");
      json_builder_add_string_value (b, part->role);
      json_builder_set_member_name (b, "program");
      json_builder_add_int_value (b, part->program);
      json_builder_set_member_name (b, "instrument");
      json_builder_add_string_value (b, part->is_drums ? "Drum Kit" : strata_gm_program_name (part->program));
      json_builder_set_member_name (b, "family");
      json_builder_add_string_value (b, part->is_drums ? "drums" : strata_gm_family_name (part->program));
      json_builder_set_member_name (b, "stem");
      json_builder_add_string_value (b, strata_stem_get_name (part->stem));
      json_builder_set_member_name (b, "channel");
      json_builder_add_int_value (b, part->channel + 1);
      json_builder_set_member_name (b, "notes");
      json_builder_add_int_value (b, n_notes);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "instruments");
  json_builder_begin_array (b);
  for (int i = 0; i < piece->n_parts; i++)
    json_builder_add_string_value (b, piece->parts[i].is_drums ? "Drum Kit"
                                   : strata_gm_program_name (piece->parts[i].program));
  json_builder_end_array (b);

  json_builder_set_member_name (b, "stems_present");
  json_builder_begin_array (b);
  for (int s = 0; s < STRATA_N_STEMS; s++)
    if (present[s])
      json_builder_add_string_value (b, strata_stem_get_name (s));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/**
 * strata_corpus_measure_levels:
 * @x: (array): (T, 2) interleaved samples
 * @n_frames: T
 * @peak_db: (out): peak level in dBFS (-200 for silence)
 * @rms_db: (out): RMS level in dBFS (-200 for silence)
 */
void
strata_corpus_measure_levels (const float *x, gint64 n_frames, double *peak_db, double *rms_db)
{
  double peak = 0, sum = 0;

  for (gint64 i = 0; i < 2 * n_frames; i++)
    {
      peak = MAX (peak, fabs (x[i]));
      sum += (double) x[i] * x[i];
    }
  *peak_db = peak > 0 ? 20 * log10 (peak) : -200;
  *rms_db = sum > 0 ? 10 * log10 (sum / MAX (1, 2 * n_frames)) : -200;
}

static JsonNode *
mix_json (const StrataPiece *piece, const StrataRendering *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  const StrataMix *m = &piece->mix;
  double peak, rms;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pan_law");
  json_builder_add_string_value (b, "constant-power balance: L *= sqrt(2) cos((pan+1) pi/4), R *= sqrt(2) sin((pan+1) pi/4)");
  json_builder_set_member_name (b, "scale_db");
  json_builder_add_double_value (b, round4 (r->scale_db));
  json_builder_set_member_name (b, "peak_target_dbfs");
  json_builder_add_double_value (b, round4 (r->peak_db));
  json_builder_set_member_name (b, "stems");
  json_builder_begin_object (b);
  for (int s = 0; s < STRATA_N_STEMS; s++)
    {
      double send_r = 0, send_c = 0;
      int n = 0;

      for (int i = 0; i < piece->n_parts; i++)
        if (piece->parts[i].stem == (StrataStem) s)
          {
            send_r += piece->parts[i].reverb_send / 127.0;
            send_c += piece->parts[i].chorus_send / 127.0;
            n++;
          }
      strata_corpus_measure_levels (r->stems[s], r->n_frames, &peak, &rms);
      json_builder_set_member_name (b, strata_stem_get_name (s));
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "present");
      json_builder_add_boolean_value (b, r->present[s]);
      json_builder_set_member_name (b, "gain_db");
      json_builder_add_double_value (b, round4 (m->gain_db[s]));
      json_builder_set_member_name (b, "applied_gain_db");
      json_builder_add_double_value (b, round4 (r->gain_db[s]));
      json_builder_set_member_name (b, "pan");
      json_builder_add_double_value (b, round4 (m->pan[s]));
      json_builder_set_member_name (b, "reverb_send");
      json_builder_add_double_value (b, round4 (n ? send_r / n : 0));
      json_builder_set_member_name (b, "chorus_send");
      json_builder_add_double_value (b, round4 (n ? send_c / n : 0));
      json_builder_set_member_name (b, "peak_dbfs");
      json_builder_add_double_value (b, round4 (MAX (peak, -200)));
      json_builder_set_member_name (b, "rms_dbfs");
      json_builder_add_double_value (b, round4 (MAX (rms, -200)));
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "reverb");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "room_size");
  json_builder_add_double_value (b, round4 (m->reverb_room));
  json_builder_set_member_name (b, "damping");
  json_builder_add_double_value (b, round4 (m->reverb_damp));
  json_builder_set_member_name (b, "width");
  json_builder_add_double_value (b, round4 (m->reverb_width));
  json_builder_set_member_name (b, "level");
  json_builder_add_double_value (b, round4 (m->reverb_level));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "chorus");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "voices");
  json_builder_add_int_value (b, m->chorus_voices);
  json_builder_set_member_name (b, "level");
  json_builder_add_double_value (b, round4 (m->chorus_level));
  json_builder_set_member_name (b, "speed_hz");
  json_builder_add_double_value (b, round4 (m->chorus_speed));
  json_builder_set_member_name (b, "depth_ms");
  json_builder_add_double_value (b, round4 (m->chorus_depth));
  json_builder_end_object (b);

  json_builder_set_member_name (b, "parts");
  json_builder_begin_array (b);
  for (int i = 0; i < piece->n_parts; i++)
    {
      const StrataPart *part = &piece->parts[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "role");
      json_builder_add_string_value (b, part->role);
      json_builder_set_member_name (b, "stem");
      json_builder_add_string_value (b, strata_stem_get_name (part->stem));
      json_builder_set_member_name (b, "volume");
      json_builder_add_int_value (b, part->volume);
      json_builder_set_member_name (b, "reverb_send");
      json_builder_add_int_value (b, part->reverb_send);
      json_builder_set_member_name (b, "chorus_send");
      json_builder_add_int_value (b, part->chorus_send);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---------------------------------------------------------------- pieces */

/* The seven audio files of a piece, encoded on two threads. */
typedef struct {
  char              *paths[STRATA_N_STEMS + 1];
  const float       *data[STRATA_N_STEMS + 1];
  gint64             n_frames;
  StrataAudioFormat  format;
} AudioJobs;

static gboolean
audio_job (int job, gpointer data, GError **error)
{
  AudioJobs *jobs = data;

  return strata_audio_write (jobs->paths[job], jobs->data[job], jobs->n_frames, 2,
                             STRATA_SAMPLE_RATE, jobs->format, error);
}

static gboolean
write_audio_files (const char *tmp, const StrataRendering *r, StrataAudioFormat format, GError **error)
{
  const char *ext = format == STRATA_AUDIO_FORMAT_FLAC ? "flac" : "wav";
  AudioJobs jobs = { .n_frames = r->n_frames, .format = format };
  g_autofree char *mix = g_strdup_printf ("mix.%s", ext);
  gboolean ok;

  for (int s = 0; s < STRATA_N_STEMS; s++)
    {
      g_autofree char *name = g_strdup_printf ("%s.%s", strata_stem_get_name (s), ext);
      jobs.paths[s] = g_build_filename (tmp, "stems", name, NULL);
      jobs.data[s] = r->stems[s];
    }
  jobs.paths[STRATA_N_STEMS] = g_build_filename (tmp, mix, NULL);
  jobs.data[STRATA_N_STEMS] = r->mix;
  ok = _strata_corpus_run_jobs (STRATA_N_STEMS + 1, 2, audio_job, &jobs, error);
  for (int s = 0; s <= STRATA_N_STEMS; s++)
    g_free (jobs.paths[s]);
  return ok;
}

/**
 * strata_corpus_write_piece:
 * @renderer: a renderer
 * @piece: the piece
 * @soundfont: the sound font's path (named in tags.json)
 * @folder: the piece folder to create; must not exist
 * @format: %STRATA_AUDIO_FORMAT_FLAC, or %STRATA_AUDIO_FORMAT_WAV_F32 for
 *   stems that sum to the mix exactly
 * @split: "train", "valid" or "test"
 * @duration_out: (out) (optional): the rendered length in seconds
 * @error: return location for a #GError
 *
 * Renders @piece and writes its folder (see the top of strata-corpus.h).
 * The folder is built under a temporary name and renamed when complete.
 *
 * Returns: %TRUE on success.
 */
gboolean
strata_corpus_write_piece (StrataRenderer     *renderer,
                           const StrataPiece  *piece,
                           const char         *soundfont,
                           const char         *folder,
                           StrataAudioFormat   format,
                           const char         *split,
                           double             *duration_out,
                           GError            **error)
{
  g_autofree char *dir = g_path_get_dirname (folder);
  g_autofree char *base = g_path_get_basename (folder);
  g_autofree char *tmp_name = g_strdup_printf (".%s.part", base);
  g_autofree char *tmp = g_build_filename (dir, tmp_name, NULL);
  g_autofree char *stems_dir = g_build_filename (tmp, "stems", NULL);
  g_autoptr (StrataRendering) r = NULL;
  g_autoptr (JsonNode) tags = NULL;
  g_autoptr (JsonNode) mix = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *path = NULL;

  remove_tree (tmp);
  if (!make_dir (stems_dir, error))
    return FALSE;
  r = strata_renderer_render (renderer, piece, error);
  if (r == NULL)
    goto fail;

#define PATH(...) (g_free (path), path = g_build_filename (tmp, __VA_ARGS__, NULL))
  if (!write_audio_files (tmp, r, format, error))
    goto fail;
  csv = notes_csv (piece);
  if (!write_text (PATH ("notes.csv"), csv, -1, error))
    goto fail;
  tags = tags_json (piece, soundfont, split);
  if (!write_json (PATH ("tags.json"), tags, error))
    goto fail;
  mix = mix_json (piece, r);
  if (!write_json (PATH ("mix.json"), mix, error))
    goto fail;
  if (!strata_piece_write_smf (piece, PATH ("piece.mid"), error))
    goto fail;
#undef PATH

  if (g_rename (tmp, folder) != 0)
    {
      int saved = errno;
      g_set_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_WRITE,
                   _("Cannot write “%s”: %s"), folder, g_strerror (saved));
      goto fail;
    }
  if (duration_out)
    *duration_out = (double) r->n_frames / STRATA_SAMPLE_RATE;
  return TRUE;

fail:
  remove_tree (tmp);
  return FALSE;
}

/**
 * strata_corpus_compose_piece:
 * @style: the style (a name or an alias, see strata_compose_style_name())
 * @seed: the piece's seed, as labelled in tags.json and manifest.jsonl
 * @min_seconds: the corpus's shortest piece (corpus.json "min_seconds")
 * @max_seconds: the corpus's longest piece (corpus.json "max_seconds")
 *
 * Composes the piece strata_corpus_render() renders for @style and @seed:
 * its target length is drawn from @seed within [@min_seconds, @max_seconds].
 * With a corpus's labels this regenerates any of its pieces exactly.
 *
 * Returns: (transfer full) (nullable): the piece, or %NULL when @style is
 *   unknown.
 */
StrataPiece *
strata_corpus_compose_piece (const char *style,
                             guint64     seed,
                             double      min_seconds,
                             double      max_seconds)
{
  StrataComposeOptions co;

  strata_compose_options_init (&co);
  co.seconds = min_seconds
               + (max_seconds - min_seconds) * ((mix64 (seed) >> 11) * (1.0 / 9007199254740992.0));
  return strata_piece_compose (style, seed, &co);
}

typedef struct {
  char        *folder;      /* basename */
  const char  *style;
  guint64      seed;
  double       seconds;     /* target */
  const char  *split;
} PlanItem;

static const char *
auto_split (guint64 seed)
{
  switch (mix64 (seed ^ 0x5bd1e995) % 20)
    {
    case 0: return "test";
    case 1: return "valid";
    default: return "train";
    }
}

/* A corpus folder remembers what it was rendered with (corpus.json), so a
 * rerun resumes only with the same options and never mixes two corpora. */
static gboolean
check_fingerprint (const StrataCorpusOptions *options, GPtrArray *styles, GError **error)
{
  g_autofree char *path = g_build_filename (options->output, "corpus.json", NULL);
  g_autofree char *sf = g_path_get_basename (options->soundfont);
  g_autofree char *old = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  char lo[G_ASCII_DTOSTR_BUF_SIZE], hi[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (lo, sizeof lo, "%.3f", options->min_seconds);
  g_ascii_formatd (hi, sizeof hi, "%.3f", options->max_seconds);
  g_string_append_printf (text, "{\n  \"generator\": \"strata %s corpus 1\",\n  \"seed\": %" G_GUINT64_FORMAT
                          ",\n  \"soundfont\": \"%s\",\n  \"styles\": [",
                          PACKAGE_VERSION, options->seed, sf);
  for (guint i = 0; i < styles->len; i++)
    g_string_append_printf (text, "%s\"%s\"", i ? ", " : "", (char *) styles->pdata[i]);
  g_string_append_printf (text, "],\n  \"min_seconds\": %s,\n  \"max_seconds\": %s,\n"
                          "  \"format\": \"%s\",\n  \"split\": \"%s\"\n}\n",
                          lo, hi, options->format == STRATA_AUDIO_FORMAT_FLAC ? "flac" : "wav-f32",
                          options->split);
  if (g_file_get_contents (path, &old, NULL, NULL))
    {
      if (strcmp (old, text->str) != 0)
        {
          g_set_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_OPTIONS,
                       _("“%s” holds a corpus rendered with other options (see %s); "
                         "use a new folder or the same options to resume"),
                       options->output, path);
          return FALSE;
        }
      return TRUE;
    }
  return write_text (path, text->str, text->len, error);
}

/**
 * strata_corpus_render:
 * @options: what to render
 * @progress: (nullable): progress callback (fraction of the total length)
 * @progress_data: its data
 * @error: return location for a #GError
 *
 * Renders a corpus of about @options->minutes of music into
 * @options->output, skipping pieces a previous run completed, then writes
 * manifest.jsonl. Errors: %STRATA_CORPUS_ERROR_OPTIONS for bad options,
 * %STRATA_CORPUS_ERROR_SOUNDFONT for a missing or bad sound font,
 * %STRATA_CORPUS_ERROR_WRITE / the audio writer's errors for output files.
 *
 * Returns: %TRUE on success.
 */
gboolean
strata_corpus_render (const StrataCorpusOptions  *options,
                      StrataProgressFunc          progress,
                      gpointer                    progress_data,
                      GError                    **error)
{
  g_autoptr (GPtrArray) styles = g_ptr_array_new ();
  g_autoptr (GArray) plan = g_array_new (FALSE, TRUE, sizeof (PlanItem));
  g_autoptr (StrataRenderer) renderer = NULL;
  g_autoptr (GString) manifest = g_string_new (NULL);
  g_autofree char *manifest_path = NULL;
  double total = 0, done = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (options != NULL, FALSE);

  if (!(options->minutes > 0 && options->minutes <= 100000))
    {
      g_set_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_OPTIONS,
                   _("The length must be more than 0 and at most 100000 minutes"));
      return FALSE;
    }
  if (!(options->min_seconds >= 5 && options->max_seconds >= options->min_seconds
        && options->max_seconds <= 3600))
    {
      g_set_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_OPTIONS,
                   _("The piece length range must lie within 5–3600 s, shortest first"));
      return FALSE;
    }
  if (options->output == NULL || options->soundfont == NULL)
    {
      g_set_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_OPTIONS,
                   _("An output folder and a sound font are required"));
      return FALSE;
    }
  if (g_strcmp0 (options->split, "auto") != 0 && g_strcmp0 (options->split, "train") != 0
      && g_strcmp0 (options->split, "valid") != 0 && g_strcmp0 (options->split, "test") != 0)
    {
      g_set_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_OPTIONS,
                   _("Unknown split “%s” (use auto, train, valid or test)"), options->split);
      return FALSE;
    }
  if (options->styles && options->styles[0])
    {
      for (int i = 0; options->styles[i]; i++)
        {
          if (!strata_compose_has_style (options->styles[i]))
            {
              g_autofree char *known = g_strjoinv (", ", (char **) strata_compose_list_styles ());
              g_set_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_OPTIONS,
                           _("Unknown style “%s” (known: %s)"), options->styles[i], known);
              return FALSE;
            }
          /* the canonical name: "hip-hop" renders the "hiphop" corpus */
          g_ptr_array_add (styles, (gpointer) strata_compose_style_name (options->styles[i]));
        }
    }
  else
    for (const char * const *s = strata_compose_list_styles (); *s; s++)
      g_ptr_array_add (styles, (gpointer) *s);

  renderer = strata_renderer_new (options->soundfont, options->threads, error);
  if (renderer == NULL)
    return FALSE;
  if (!make_dir (options->output, error))
    return FALSE;
  if (!check_fingerprint (options, styles, error))
    return FALSE;

  /* the plan: styles in a seeded shuffle a round, lengths drawn a piece */
  {
    guint n = styles->len;
    g_autofree guint *order = g_new (guint, n);

    for (guint i = 0; total < options->minutes * 60.0; i++)
      {
        PlanItem item;
        guint64 h = mix64 (options->seed * G_GUINT64_CONSTANT (0x100000001B3) + i);
        g_autoptr (StrataPiece) piece = NULL;

        if (i % n == 0)
          {
            guint64 r = mix64 (options->seed ^ (i / n + 1) * G_GUINT64_CONSTANT (0xD6E8FEB86659FD93));
            for (guint k = 0; k < n; k++)
              order[k] = k;
            for (guint k = n - 1; k > 0; k--)
              {
                guint j = (guint) ((r = mix64 (r)) % (k + 1)), t = order[k];
                order[k] = order[j];
                order[j] = t;
              }
          }
        item.style = g_ptr_array_index (styles, order[i % n]);
        item.seed = h;
        item.folder = g_strdup_printf ("%05u-%s", i, item.style);
        item.split = g_strcmp0 (options->split, "auto") == 0 ? auto_split (h) : options->split;
        piece = strata_corpus_compose_piece (item.style, item.seed, options->min_seconds,
                                             options->max_seconds);
        item.seconds = strata_piece_get_duration (piece);
        total += item.seconds;
        g_array_append_val (plan, item);
      }
  }

  for (guint i = 0; i < plan->len; i++)
    {
      PlanItem *item = &g_array_index (plan, PlanItem, i);
      g_autofree char *folder = g_build_filename (options->output, item->folder, NULL);
      g_autofree char *tags = g_build_filename (folder, "tags.json", NULL);
      g_autofree char *line = NULL;
      char dur[G_ASCII_DTOSTR_BUF_SIZE];

      if (progress)
        progress (done / total, "render", progress_data);
      if (!g_file_test (tags, G_FILE_TEST_IS_REGULAR))
        {
          g_autoptr (StrataPiece) piece = NULL;

          piece = strata_corpus_compose_piece (item->style, item->seed, options->min_seconds,
                                               options->max_seconds);
          if (g_file_test (folder, G_FILE_TEST_EXISTS))
            remove_tree (folder);   /* not ours, or damaged: redo */
          if (!strata_corpus_write_piece (renderer, piece, options->soundfont, folder,
                                          options->format, item->split, NULL, error))
            goto out;
        }
      done += item->seconds;
      g_ascii_formatd (dur, sizeof dur, "%.4f", item->seconds);
      /* the seed as a decimal string, as in tags.json */
      line = g_strdup_printf ("{\"piece\":\"%s\",\"style\":\"%s\",\"seed\":\"%" G_GUINT64_FORMAT
                              "\",\"duration_s\":%s,\"split\":\"%s\"}\n",
                              item->folder, item->style, item->seed, dur, item->split);
      g_string_append (manifest, line);
    }
  manifest_path = g_build_filename (options->output, "manifest.jsonl", NULL);
  ok = write_text (manifest_path, manifest->str, manifest->len, error);
  if (ok && progress)
    progress (1.0, "render", progress_data);

out:
  for (guint i = 0; i < plan->len; i++)
    g_free (g_array_index (plan, PlanItem, i).folder);
  return ok;
}

/* ---------------------------------------------------------------- index */

static const char *const audio_extensions[] = {
  ".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".au", ".wv", ".m4a", ".spx",
  ".mod", ".xm", ".it", ".s3m", ".mid", ".midi",
};

static gboolean
is_audio_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (audio_extensions); i++)
    if (g_str_has_suffix (lower, audio_extensions[i]))
      return TRUE;
  return FALSE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
collect_files (const char *path, GPtrArray *out, int depth)
{
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (depth > 32)
    return;
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (out, g_strdup (path));
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *child = g_build_filename (path, names->pdata[i], NULL);
      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK) && g_file_test (child, G_FILE_TEST_IS_DIR))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        collect_files (child, out, depth + 1);
      else if (is_audio_name (names->pdata[i]))
        g_ptr_array_add (out, g_steal_pointer (&child));
    }
}

static char *
file_sha256 (const char *path, gint64 *size, GError **error)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buf = g_malloc (1 << 20);
  FILE *f = g_fopen (path, "rb");
  size_t n;

  *size = 0;
  if (f == NULL)
    {
      int saved = errno;
      g_set_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_READ,
                   _("Cannot read “%s”: %s"), path, g_strerror (saved));
      return NULL;
    }
  while ((n = fread (buf, 1, 1 << 20, f)) > 0)
    {
      g_checksum_update (sum, buf, n);
      *size += n;
    }
  fclose (f);
  return g_strdup (g_checksum_get_string (sum));
}

/**
 * strata_corpus_index:
 * @folders: (array zero-terminated=1): folders (searched recursively) or files
 * @manifest: the manifest.jsonl to write (atomically)
 * @progress: (nullable): progress callback
 * @progress_data: its data
 * @minutes_out: (out) (optional): total minutes indexed
 * @n_files_out: (out) (optional): files indexed
 * @error: return location for a #GError
 *
 * Indexes real recordings for self-supervised training: one JSON line a
 * readable audio file with path, format, codec, sample rate, channels,
 * duration, size and SHA-256 of its bytes. Files that cannot be decoded
 * are skipped (logged with g_debug). Frets on Fire songs are marked
 * "training": false: they are Strata's real-music test for separation.
 *
 * Returns: %TRUE on success; %FALSE when a folder is missing or the
 *   manifest cannot be written.
 */
gboolean
strata_corpus_index (const char * const  *folders,
                     const char          *manifest,
                     StrataProgressFunc   progress,
                     gpointer             progress_data,
                     double              *minutes_out,
                     guint               *n_files_out,
                     GError             **error)
{
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) out = g_string_new (NULL);
  double seconds = 0;
  guint n_files = 0;

  g_return_val_if_fail (folders != NULL && manifest != NULL, FALSE);

  for (int i = 0; folders[i]; i++)
    {
      if (!g_file_test (folders[i], G_FILE_TEST_EXISTS))
        {
          g_set_error (error, STRATA_CORPUS_ERROR, STRATA_CORPUS_ERROR_READ,
                       _("Cannot read “%s”: no such file or folder"), folders[i]);
          return FALSE;
        }
      collect_files (folders[i], files, 0);
    }

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = files->pdata[i];
      StrataAudioInfo info = { 0 };
      g_autoptr (GError) local = NULL;
      g_autoptr (JsonBuilder) b = NULL;
      g_autoptr (JsonGenerator) gen = NULL;
      g_autoptr (JsonNode) root = NULL;
      g_autofree char *hash = NULL;
      g_autofree char *line = NULL;
      gint64 size;

      if (progress)
        progress ((double) i / MAX (1, files->len), "index", progress_data);
      if (!strata_audio_probe (path, &info, &local))
        {
          g_debug ("index: skipping %s: %s", path, local->message);
          continue;
        }
      hash = file_sha256 (path, &size, &local);
      if (hash == NULL)
        {
          g_debug ("index: skipping %s: %s", path, local->message);
          strata_audio_info_clear (&info);
          continue;
        }
      b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, path);
      json_builder_set_member_name (b, "format");
      json_builder_add_string_value (b, info.format ? info.format : "unknown");
      json_builder_set_member_name (b, "codec");
      json_builder_add_string_value (b, info.codec_detail ? info.codec_detail : "");
      json_builder_set_member_name (b, "sample_rate");
      json_builder_add_int_value (b, info.sample_rate);
      json_builder_set_member_name (b, "channels");
      json_builder_add_int_value (b, info.channels);
      json_builder_set_member_name (b, "duration_s");
      json_builder_add_double_value (b, round4 (info.duration));
      json_builder_set_member_name (b, "size_bytes");
      json_builder_add_int_value (b, size);
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, hash);
      json_builder_set_member_name (b, "training");
      json_builder_add_boolean_value (b, !strata_corpus_path_is_test_set (path));
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      gen = json_generator_new ();
      json_generator_set_root (gen, root);
      line = json_generator_to_data (gen, NULL);
      g_string_append (out, line);
      g_string_append_c (out, '\n');
      seconds += info.duration;
      n_files++;
      strata_audio_info_clear (&info);
    }
  if (!write_text (manifest, out->str, out->len, error))
    return FALSE;
  if (progress)
    progress (1.0, "index", progress_data);
  if (minutes_out)
    *minutes_out = seconds / 60.0;
  if (n_files_out)
    *n_files_out = n_files;
  return TRUE;
}

static int
cmp_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

GPtrArray *
strata_corpus_list_pieces (const char *dir, const char *required, GError **error)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, error);
  if (!d)
    return NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  const char *n;
  while ((n = g_dir_read_name (d)))
    {
      if (n[0] == '.')
        continue;
      g_autofree char *p = g_build_filename (dir, n, NULL);
      g_autofree char *file = g_build_filename (p, required, NULL);
      if (g_file_test (file, G_FILE_TEST_IS_REGULAR) && !strata_corpus_path_is_test_set (p))
        g_ptr_array_add (out, g_steal_pointer (&p));
    }
  g_ptr_array_sort (out, cmp_paths);
  return out;
}
