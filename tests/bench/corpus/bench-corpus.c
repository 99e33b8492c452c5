/* bench-corpus.c: how fast the corpus renders.
 *
 * For each sound font found (TimGM6mb, FluidR3_GM) renders MINUTES of
 * music drawn from every style (2 threads, all six stems a piece) and
 * prints the speed as a multiple of real time twice: synthesis only
 * (strata_renderer_render), and the whole corpus writer (synthesis, 24-bit
 * FLAC of mix and six stems, labels, MIDI; strata_corpus_render), each as
 * rendered seconds of music (the corpus's manifest: whole pieces, so a bit
 * more than MINUTES) over wall-clock seconds, and compares both with the
 * 20x target (reported, never a failure: a benchmark exits 0). Also
 * prints the level statistics a stem and the note density a style over the
 * rendered pieces: a listening-free sanity check.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "corpus/strata-corpus.h"
#include "../../corpus/corpus-test-util.h"

#define MINUTES 3.0
#define TARGET_SPEED 20.0   /* the speed target, times real time */

static const char *const fonts[] = {
  "/usr/share/sounds/sf2/TimGM6mb.sf2",
  "/usr/share/sounds/sf2/FluidR3_GM.sf2",
};

/* The rendered length of a corpus: the sum of its manifest's durations. */
static double
manifest_seconds (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "manifest.jsonl", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  double seconds = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (int i = 0; lines[i]; i++)
    {
      g_autoptr (JsonNode) node = lines[i][0] ? json_from_string (lines[i], NULL) : NULL;
      if (node && JSON_NODE_HOLDS_OBJECT (node))
        seconds += json_object_get_double_member_with_default (json_node_get_object (node),
                                                               "duration_s", 0);
    }
  return seconds;
}

static const char *
verdict (double speed)
{
  return speed >= TARGET_SPEED ? "PASS" : "BELOW";
}

static void
bench_font (const char *font)
{
  GError *error = NULL;
  StrataRenderer *r = strata_renderer_new (font, 2, &error);
  const char * const *styles = strata_compose_list_styles ();
  guint n_styles = g_strv_length ((char **) styles);
  double audio = 0, t, peak_sum[STRATA_N_STEMS] = { 0 }, rms_sum[STRATA_N_STEMS] = { 0 };
  double synth_speed, writer_speed = 0, written;
  int present[STRATA_N_STEMS] = { 0 };
  gint64 t0;
  char *dir;
  StrataCorpusOptions o;

  if (r == NULL)
    {
      printf ("%s: skipped (%s)\n", font, error->message);
      g_error_free (error);
      return;
    }
  printf ("%s\n", font);
  printf ("  %-11s %6s %6s %10s\n", "style", "pieces", "bpm", "notes/s");
  t0 = g_get_monotonic_time ();
  for (guint s = 0; s < n_styles; s++)
    {
      double style_audio = 0, notes = 0, bpm = 0;
      int pieces = 0;

      for (guint64 seed = 1; style_audio < MINUTES * 60 / n_styles; seed++)
        {
          StrataComposeOptions co;
          StrataPiece *p;
          StrataRendering *res;

          strata_compose_options_init (&co);
          co.seconds = 40;
          p = strata_piece_compose (styles[s], seed, &co);
          res = strata_renderer_render (r, p, &error);
          g_assert_no_error (error);
          style_audio += (double) res->n_frames / 44100;
          notes += p->notes->len;
          bpm += p->bpm;
          pieces++;
          for (int k = 0; k < STRATA_N_STEMS; k++)
            if (res->present[k])
              {
                double peak, rms;
                strata_corpus_measure_levels (res->stems[k], res->n_frames, &peak, &rms);
                peak_sum[k] += peak;
                rms_sum[k] += rms;
                present[k]++;
              }
          strata_rendering_free (res);
          strata_piece_free (p);
        }
      audio += style_audio;
      printf ("  %-11s %6d %6.0f %10.1f\n", styles[s], pieces, bpm / pieces, notes / style_audio);
    }
  t = (g_get_monotonic_time () - t0) / 1e6;
  synth_speed = audio / t;
  printf ("  synthesis, 6 stems: %.1f min of music in %.1f s = %.1fx real time\n", audio / 60, t, synth_speed);
  for (int k = 0; k < STRATA_N_STEMS; k++)
    if (present[k])
      printf ("  stem %-7s in %3d pieces: mean peak %6.1f dBFS, mean rms %6.1f dBFS\n",
              strata_stem_get_name (k), present[k], peak_sum[k] / present[k], rms_sum[k] / present[k]);

  dir = g_dir_make_tmp ("strata-bench-corpus-XXXXXX", NULL);
  strata_corpus_options_init (&o);
  o.minutes = MINUTES;
  o.soundfont = font;
  o.seed = 1;
  o.output = dir;
  o.threads = 2;
  t0 = g_get_monotonic_time ();
  if (!strata_corpus_render (&o, NULL, NULL, &error))
    {
      printf ("  corpus render failed: %s\n", error->message);
      g_clear_error (&error);
    }
  else
    {
      t = (g_get_monotonic_time () - t0) / 1e6;
      written = manifest_seconds (dir);
      writer_speed = written / t;
      printf ("  corpus render (FLAC mix + 6 stems + labels): %.1f min in %.1f s = %.1fx real time\n",
              written / 60, t, writer_speed);
    }
  if (writer_speed > 0)
    printf ("  target %.0fx: synthesis %.1fx %s, writer %.1fx %s\n", TARGET_SPEED,
            synth_speed, verdict (synth_speed), writer_speed, verdict (writer_speed));
  else
    printf ("  target %.0fx: synthesis %.1fx %s, writer not measured\n", TARGET_SPEED,
            synth_speed, verdict (synth_speed));
  corpus_test_remove_tree (dir);
  g_free (dir);
  strata_renderer_free (r);
}

int
main (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (fonts); i++)
    bench_font (fonts[i]);
  return 0;
}
