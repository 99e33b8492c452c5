/* test-cli.c: strata-cli end to end (spawned, as a user runs it).
 *
 * Usage: test-cli PATH-TO-STRATA-CLI DEMO-TRACK [GTest options]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sndfile.h>

#include "analysis/strata-feature-maps.h"
#include "tasks/strata-features-task.h"
#include "tasks/strata-model-registry.h"
#include "tasks/strata-track-load.h"

static const char *cli_path;
static const char *demo_path;
static char *tmpdir;

typedef struct {
  const char *name;
  int         sf_format;
  int         rate;
  int         channels;
  double      seconds;
  const char *format;       /* expected "format" */
  const char *detail;       /* expected start of "detail" (lossy: then the bit rate) */
} Sample;

static const Sample samples[] = {
  { "pcm16.wav",  SF_FORMAT_WAV | SF_FORMAT_PCM_16,   44100, 2, 1.0, "WAV",        "PCM 16-bit" },
  { "pcm24.wav",  SF_FORMAT_WAV | SF_FORMAT_PCM_24,   96000, 6, 0.5, "WAV",        "PCM 24-bit" },
  { "float.wav",  SF_FORMAT_WAV | SF_FORMAT_FLOAT,    22050, 1, 0.5, "WAV",        "Float 32-bit" },
  { "mono.flac",  SF_FORMAT_FLAC | SF_FORMAT_PCM_16,  48000, 1, 1.0, "FLAC",       "16-bit" },
  { "tone.ogg",   SF_FORMAT_OGG | SF_FORMAT_VORBIS,   44100, 2, 1.0, "Ogg Vorbis", "Vorbis, " },
  { "tone.opus",  SF_FORMAT_OGG | SF_FORMAT_OPUS,     48000, 2, 1.0, "Opus",       "Opus, " },
  { "tone.mp3",   SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100, 2, 1.0, "MP3", "MPEG Layer III, " },
};

static char *
sample_path (const Sample *s)
{
  return g_build_filename (tmpdir, s->name, NULL);
}

static void
write_sample (const Sample *s)
{
  g_autofree char *path = sample_path (s);
  const gint64 n = (gint64) (s->seconds * s->rate);
  SF_INFO info = { .samplerate = s->rate, .channels = s->channels, .format = s->sf_format };
  g_autofree float *x = g_new (float, (gsize) n * s->channels);
  SNDFILE *sf;

  for (gint64 t = 0; t < n; t++)
    for (int c = 0; c < s->channels; c++)
      x[t * s->channels + c] = (float) (0.5 * sin (2.0 * G_PI * 440.0 * (double) t / s->rate));
  sf = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  g_assert_cmpint (sf_writef_float (sf, x, n), ==, n);
  g_assert_cmpint (sf_close (sf), ==, 0);
}

/* Runs strata-cli with @args (NULL-terminated, after the program name). */
static int
run_cli (const char * const *args,
         char              **out,
         char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (gpointer) cli_path);
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT,
                               NULL, NULL, out, err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  g_test_message ("stderr: %s", *err);
  return WEXITSTATUS (wait_status);
}

static void
test_info_text (void)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) blocks = NULL;

  g_ptr_array_add (args, g_strdup ("info"));
  for (gsize i = 0; i < G_N_ELEMENTS (samples); i++)
    g_ptr_array_add (args, sample_path (&samples[i]));
  g_ptr_array_add (args, NULL);

  g_assert_cmpint (run_cli ((const char * const *) args->pdata, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");

  /* One block per file, in order, separated by a blank line. */
  blocks = g_strsplit (out, "\n\n", -1);
  g_assert_cmpuint (g_strv_length (blocks), ==, G_N_ELEMENTS (samples));
  for (gsize i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      const Sample *s = &samples[i];
      g_autofree char *path = sample_path (s);
      g_autofree char *l_path = g_strdup_printf ("path:        %s\n", path);
      g_autofree char *l_format = g_strdup_printf ("format:      %s\n", s->format);
      g_autofree char *l_channels = g_strdup_printf ("channels:    %d\n", s->channels);
      g_autofree char *l_rate = g_strdup_printf ("sample_rate: %d\n", s->rate);

      g_assert_true (g_str_has_prefix (blocks[i], l_path));
      g_assert_nonnull (strstr (blocks[i], l_format));
      g_assert_nonnull (strstr (blocks[i], l_channels));
      g_assert_nonnull (strstr (blocks[i], "frames:      "));
      g_assert_nonnull (strstr (blocks[i], "duration_s:  "));
      if (s->sf_format != (SF_FORMAT_OGG | SF_FORMAT_OPUS))
        g_assert_nonnull (strstr (blocks[i], l_rate));
      {
        g_autofree char *l_detail = g_strdup_printf ("detail:      %s", s->detail);
        g_assert_nonnull (strstr (blocks[i], l_detail));
      }
    }
  {
    /* Exact numbers for the PCM file. */
    g_assert_nonnull (strstr (blocks[0], "frames:      44100\n"));
    g_assert_nonnull (strstr (blocks[0], "duration_s:  1.000"));
  }
}

static void
test_info_json (void)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *array;

  g_ptr_array_add (args, g_strdup ("info"));
  g_ptr_array_add (args, g_strdup ("--json"));
  for (gsize i = 0; i < G_N_ELEMENTS (samples); i++)
    g_ptr_array_add (args, sample_path (&samples[i]));
  g_ptr_array_add (args, NULL);

  g_assert_cmpint (run_cli ((const char * const *) args->pdata, &out, &err), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (samples));

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      const Sample *s = &samples[i];
      JsonObject *o = json_array_get_object_element (array, i);
      g_autofree char *path = sample_path (s);

      g_assert_cmpstr (json_object_get_string_member (o, "path"), ==, path);
      g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, s->format);
      g_assert_true (json_object_has_member (o, "detail"));
      g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "detail"), s->detail));
      if (g_str_has_suffix (s->detail, ", "))
        g_assert_true (g_str_has_suffix (json_object_get_string_member (o, "detail"), " kb/s"));
      g_assert_cmpint (json_object_get_int_member (o, "channels"), ==, s->channels);
      if (s->sf_format != (SF_FORMAT_OGG | SF_FORMAT_OPUS))
        {
          g_assert_cmpint (json_object_get_int_member (o, "sample_rate"), ==, s->rate);
          g_assert_cmpint (json_object_get_int_member (o, "frames"), ==, (gint64) (s->seconds * s->rate));
        }
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "duration_s"), s->seconds, 0.03);
      g_assert_false (json_object_has_member (o, "error"));
    }
}

static void
test_info_bad_files (void)
{
  g_autofree char *good = sample_path (&samples[0]);
  g_autofree char *missing = g_build_filename (tmpdir, "missing.wav", NULL);
  g_autofree char *empty = g_build_filename (tmpdir, "empty.flac", NULL);
  g_autofree char *random = g_build_filename (tmpdir, "random.mp3", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint32 noise[4096];
  const char *bad[] = { missing, empty, random };

  for (gsize i = 0; i < G_N_ELEMENTS (noise); i++)
    noise[i] = g_rand_int (rand);
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_true (g_file_set_contents (random, (const char *) noise, sizeof noise, NULL));

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *jout = NULL;
      g_autofree char *jerr = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      const char *args[] = { "info", bad[i], good, NULL };
      const char *jargs[] = { "info", "--json", bad[i], good, NULL };
      JsonArray *array;

      /* Exit 1, the reason on stderr with the file name; the good file is
       * still reported. (libmpg123, inside libsndfile, may add its own
       * "Note: ..." lines for a damaged .mp3.) */
      g_assert_cmpint (run_cli (args, &out, &err), ==, 1);
      g_assert_nonnull (strstr (err, bad[i]));
      g_assert_nonnull (strstr (err, "strata-cli: "));
      g_assert_nonnull (strstr (out, good));
      g_assert_null (strstr (out, bad[i]));

      g_assert_cmpint (run_cli (jargs, &jout, &jerr), ==, 1);
      g_assert_nonnull (strstr (jerr, bad[i]));
      g_assert_true (json_parser_load_from_data (parser, jout, -1, NULL));
      array = json_node_get_array (json_parser_get_root (parser));
      g_assert_cmpuint (json_array_get_length (array), ==, 2);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "path"), ==, bad[i]);
      g_assert_nonnull (strstr (json_object_get_string_member (json_array_get_object_element (array, 0), "error"), bad[i]));
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "format"), ==, "WAV");
    }
}

static void
test_info_usage (void)
{
  const char *no_files[] = { "info", NULL };
  const char *no_files_json[] = { "info", "--json", NULL };
  const char *bad_option[] = { "info", "--no-such-option", "x.wav", NULL };
  const char *help[] = { "info", "--help", NULL };
  const char *unknown_cmd[] = { "no-such-command", NULL };

  for (gsize i = 0; i < 4; i++)
    {
      const char * const *args[] = { no_files, no_files_json, bad_option, unknown_cmd };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (run_cli (args[i], &out, &err), ==, 2);
      g_assert_cmpstr (out, ==, "");
      g_assert_true (g_str_has_prefix (err, "strata-cli: "));
    }
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run_cli (help, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "--json"));
    g_assert_nonnull (strstr (out, "strata-cli info"));
  }
  /* every command's --help names the command in its usage line */
  for (gsize i = 0; i < 3; i++)
    {
      const char *names[] = { "features", "sections", "transcribe" };
      const char *args[] = { names[i], "--help", NULL };
      g_autofree char *want = g_strdup_printf ("\n  strata-cli %s [", names[i]);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (run_cli (args, &out, &err), ==, 0);
      g_assert_nonnull (strstr (out, want));
    }
}

static void
remove_tree (const char *dir)
{
  /* Folders inside (the cache) too. */
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;

  while (d != NULL && (entry = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, entry, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR) && !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
        remove_tree (p);
      else
        g_unlink (p);
    }
  g_rmdir (dir);
}

/* `strata-cli features` runs the window's features task through the same
 * cache: run twice on one file, it computes once, and both .npz files hold
 * the same bytes. */
static void
test_features_cached (void)
{
  static const Sample tone = { "features.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, 3.0,
                               "WAV", "PCM 16-bit" };
  g_autofree char *wav = sample_path (&tone);
  g_autofree char *npz1 = g_build_filename (tmpdir, "first.npz", NULL);
  g_autofree char *npz2 = g_build_filename (tmpdir, "second.npz", NULL);
  g_autofree char *cache = g_build_filename (tmpdir, "features-cache", NULL);
  g_autofree char *out = NULL, *err = NULL, *b1 = NULL, *b2 = NULL;
  gsize n1 = 0, n2 = 0;

  write_sample (&tone);
  g_setenv ("STRATA_TASK_STATS", "1", TRUE);
  const char *first[] = { "features", wav, "-o", npz1, "--cache-dir", cache, NULL };
  g_assert_cmpint (run_cli (first, &out, &err), ==, 0);
  g_assert_nonnull (strstr (err, "features computed 1, from the cache 0"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  const char *second[] = { "features", wav, "-o", npz2, "--cache-dir", cache, NULL };
  g_assert_cmpint (run_cli (second, &out, &err), ==, 0);
  g_assert_nonnull (strstr (err, "features computed 0, from the cache 1"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_true (g_file_get_contents (npz1, &b1, &n1, NULL));
  g_assert_true (g_file_get_contents (npz2, &b2, &n2, NULL));
  g_assert_cmpuint (n1, >, 1000);
  g_assert_cmpmem (b1, n1, b2, n2);

  /* Other options are another entry: computed again (the default model's
   * default layer is not the first). */
  const char *layer[] = { "features", wav, "-o", npz2, "--cache-dir", cache, "--layer", "1",
                          NULL };
  g_assert_cmpint (run_cli (layer, &out, &err), ==, 0);
  g_assert_nonnull (strstr (err, "features computed 1, from the cache 0"));
  g_unsetenv ("STRATA_TASK_STATS");
}

/* A section as read back from a file. */
typedef struct {
  double start;
  double end;
  char   label[8];
} ReadSection;

/* Reads one "%.6f" field of @line up to @sep: digits, '.', 6 digits (so a
 * locale's ',' would fail here). Advances *@line past @sep. */
static double
read_seconds (const char **line,
              char         sep)
{
  const char *p = *line, *dot;
  char *end = NULL;
  double x;

  g_assert_true (g_ascii_isdigit (*p));
  while (g_ascii_isdigit (*p))
    p++;
  g_assert_cmpint (*p, ==, '.');
  dot = p++;
  while (g_ascii_isdigit (*p))
    p++;
  g_assert_cmpint (p - dot - 1, ==, 6);
  g_assert_cmpint (*p, ==, sep);
  x = g_ascii_strtod (*line, &end);
  g_assert_true (end == p);
  *line = p + 1;
  return x;
}

/* Parses CSV (header first) or Audacity label text: one section a line,
 * start SEP end SEP label. */
static GArray *
read_delimited (const char *text,
                char        sep)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (ReadSection));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);
  guint first = 0;

  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpstr (lines[n - 1], ==, "");   /* ends with a newline */
  if (sep == ',')
    g_assert_cmpstr (lines[first++], ==, "start_s,end_s,label");
  for (guint i = first; i + 1 < n; i++)
    {
      const char *p = lines[i];
      ReadSection r = { 0 };

      r.start = read_seconds (&p, sep);
      r.end = read_seconds (&p, sep);
      g_assert_cmpuint (strlen (p), >, 0);
      g_assert_cmpuint (strlen (p), <, sizeof r.label);
      g_assert_null (strchr (p, sep));
      strcpy (r.label, p);
      g_array_append_val (out, r);
    }
  return out;
}

static GArray *
read_json (const char *text,
           const char *model_version)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  GArray *out = g_array_new (FALSE, TRUE, sizeof (ReadSection));
  JsonObject *root;
  JsonArray *list;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "model_version"), ==, model_version);
  list = json_object_get_array_member (root, "sections");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *o = json_array_get_object_element (list, i);
      ReadSection r = { 0 };

      r.start = json_object_get_double_member (o, "start_s");
      r.end = json_object_get_double_member (o, "end_s");
      g_assert_cmpuint (strlen (json_object_get_string_member (o, "label")), <, sizeof r.label);
      strcpy (r.label, json_object_get_string_member (o, "label"));
      g_array_append_val (out, r);
    }
  return out;
}

static void
assert_same_sections (GArray              *read,
                      const StrataSection *want,
                      guint                n_want)
{
  g_assert_cmpuint (read->len, ==, n_want);
  for (guint i = 0; i < n_want; i++)
    {
      const ReadSection *r = &g_array_index (read, ReadSection, i);
      g_autofree char *label = strata_section_label_name (want[i].label);

      g_assert_cmpfloat_with_epsilon (r->start, want[i].start, 5e-7);
      g_assert_cmpfloat_with_epsilon (r->end, want[i].end, 5e-7);
      g_assert_cmpstr (r->label, ==, label);
    }
}

/* `strata-cli sections` on the demo track: JSON, CSV and Audacity labels
 * read back give the sections strata_feature_maps_get_sections() finds in
 * the features computed here (in another cache), in a German numeric
 * locale too; writing onto the input is refused and leaves it intact. */
static void
test_sections_formats (void)
{
  g_autofree char *cache = g_build_filename (tmpdir, "sections-cache", NULL);
  g_autofree char *own_cache = g_build_filename (tmpdir, "sections-own-cache", NULL);
  g_autofree char *csv_path = g_build_filename (tmpdir, "sections.csv", NULL);
  g_autofree char *copy = g_build_filename (tmpdir, "demo-copy.flac", NULL);
  g_autofree char *out = NULL, *err = NULL, *demo_bytes = NULL, *copy_bytes = NULL;
  g_autofree char *csv_text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) from_json = NULL, from_csv = NULL, from_stdout_csv = NULL;
  g_autoptr (GArray) from_labels = NULL;
  gsize n_demo = 0, n_copy = 0;
  guint n_sections = 0;

  /* The sections the window's lane shows, computed in this process. */
  g_autoptr (StrataModel) model = strata_model_registry_get_foundation (NULL, &error);
  g_assert_no_error (error);
  StrataTaskContext ctx;
  strata_task_context_init (&ctx, own_cache, NULL, NULL, NULL);
  g_autofree char *hash = strata_task_hash_file (demo_path, &ctx, &error);
  g_assert_no_error (error);
  StrataFeaturesInput input = { .model = model, .path = demo_path, .hash = hash };
  g_autoptr (StrataFeatures) f = strata_task_run (&strata_features_task, &input, &ctx, &error);
  g_assert_no_error (error);
  g_autoptr (StrataFeatureMaps) maps = strata_feature_maps_new (f);
  const StrataSection *want = strata_feature_maps_get_sections (maps, &n_sections);
  g_assert_cmpuint (n_sections, >=, 2);   /* the demo has an intro and a chorus */

  const char *json[] = { "sections", demo_path, "--json", "--cache-dir", cache, NULL };
  g_assert_cmpint (run_cli (json, &out, &err), ==, 0);
  from_json = read_json (out, strata_model_get_version (model));
  assert_same_sections (from_json, want, n_sections);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  const char *csv[] = { "sections", demo_path, "--csv", "-o", csv_path, "--cache-dir", cache,
                        NULL };
  g_assert_cmpint (run_cli (csv, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_file_get_contents (csv_path, &csv_text, NULL, NULL));
  from_csv = read_delimited (csv_text, ',');
  assert_same_sections (from_csv, want, n_sections);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The decimal point stays '.' where the locale's is ','. Only C locales
   * may be installed: then this checks what the C locale gives, and the
   * serialiser's g_ascii_formatd() is what keeps '.' elsewhere. */
  g_setenv ("LC_ALL", "de_DE.UTF-8", TRUE);
  const char *labels[] = { "sections", demo_path, "--audacity", "--cache-dir", cache, NULL };
  g_assert_cmpint (run_cli (labels, &out, &err), ==, 0);
  g_unsetenv ("LC_ALL");
  if (setlocale (LC_NUMERIC, "de_DE.UTF-8") == NULL)
    g_test_message ("de_DE.UTF-8 is not installed: the label text was made in the C locale");
  setlocale (LC_NUMERIC, "C");
  g_assert_null (strchr (out, ','));
  from_labels = read_delimited (out, '\t');
  assert_same_sections (from_labels, want, n_sections);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Onto the input (a copy, by another name through ".."): refused. */
  g_assert_true (g_file_get_contents (demo_path, &demo_bytes, &n_demo, NULL));
  g_assert_true (g_file_set_contents (copy, demo_bytes, (gssize) n_demo, NULL));
  g_autofree char *base = g_path_get_basename (tmpdir);
  g_autofree char *other_name = g_build_filename (tmpdir, "..", base, "demo-copy.flac", NULL);
  const char *onto[] = { "sections", copy, "--csv", "-o", other_name, "--cache-dir", cache,
                         NULL };
  g_assert_cmpint (run_cli (onto, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "same file as the input"));
  g_assert_true (g_file_get_contents (copy, &copy_bytes, &n_copy, NULL));
  g_assert_cmpmem (copy_bytes, n_copy, demo_bytes, n_demo);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* No format, or two: bad usage. */
  const char *none[] = { "sections", demo_path, NULL };
  g_assert_cmpint (run_cli (none, &out, &err), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  const char *two[] = { "sections", demo_path, "--csv", "--json", NULL };
  g_assert_cmpint (run_cli (two, &out, &err), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A missing file: exit 1, the message names it. */
  g_autofree char *missing = g_build_filename (tmpdir, "missing.flac", NULL);
  const char *bad[] = { "sections", missing, "--json", "--cache-dir", cache, NULL };
  g_assert_cmpint (run_cli (bad, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, missing));
  g_assert_cmpstr (out, ==, "");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  if (argc < 3)
    {
      g_printerr ("usage: %s PATH-TO-STRATA-CLI DEMO-TRACK\n", argv[0]);
      return 2;
    }
  cli_path = argv[1];
  demo_path = argv[2];
  tmpdir = g_dir_make_tmp ("strata-test-cli-XXXXXX", &error);
  g_assert_no_error (error);
  /* The default cache folder of every command run here: this run's own. */
  {
    g_autofree char *cache_home = g_build_filename (tmpdir, "cache", NULL);
    g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (samples); i++)
    write_sample (&samples[i]);

  g_test_add_func ("/strata/cli/info/text", test_info_text);
  g_test_add_func ("/strata/cli/info/json", test_info_json);
  g_test_add_func ("/strata/cli/info/bad-files", test_info_bad_files);
  g_test_add_func ("/strata/cli/info/usage", test_info_usage);
  g_test_add_func ("/strata/cli/features/cached", test_features_cached);
  g_test_add_func ("/strata/cli/sections/formats", test_sections_formats);

  status = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
