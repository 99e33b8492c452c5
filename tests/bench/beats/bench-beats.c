/* bench-beats.c: the beat grid against the composer's on the validation
 * corpus — tempo accuracy (within 4 %, and allowing octave errors: ×2,
 * ×1/2, ×3, ×1/3), metre accuracy, and F-measures of beats and bar lines
 * within ±70 ms (the usual beat-tracking tolerance). Reports only.
 *
 * Corpus: $STRATA_VALID_CORPUS (default /work/corpora/valid-tim), a folder
 * from `strata-cli corpus render`; its tags.json hold tempo_bpm,
 * time_signature and duration_s, and the pieces start on a bar line at 0 s
 * with a constant tempo, so the true beats are k · 60 / tempo.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "analysis/strata-beats.h"
#include "audio/strata-audio.h"

#define TOL 0.07

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Matches of @est against @ref within TOL (each used once). */
static int
matches (const GArray *est, const GArray *ref)
{
  int hits = 0;
  guint j = 0;

  for (guint i = 0; i < ref->len; i++)
    {
      double r = g_array_index (ref, double, i);
      while (j < est->len && g_array_index (est, double, j) < r - TOL)
        j++;
      if (j < est->len && fabs (g_array_index (est, double, j) - r) <= TOL)
        {
          hits++;
          j++;
        }
    }
  return hits;
}

static double
fmeasure (int hits, guint n_est, guint n_ref)
{
  return n_est + n_ref > 0 ? 2.0 * hits / (double) (n_est + n_ref) : 1.0;
}

int
main (int argc, char **argv)
{
  const char *corpus = g_getenv ("STRATA_VALID_CORPUS");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) pieces = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  int n = 0, tempo_ok = 0, tempo_octave_ok = 0, metre_ok = 0;
  double sum_fb = 0.0, sum_fd = 0.0, seconds = 0.0;
  gint64 t_total = 0;

  if (corpus == NULL)
    corpus = "/work/corpora/valid-tim";
  dir = g_dir_open (corpus, 0, &error);
  if (dir == NULL)
    {
      printf ("beats: skipped (%s; render a corpus with strata-cli corpus render "
              "--soundfont /usr/share/sounds/sf2/TimGM6mb.sf2 --split valid)\n", error->message);
      return 0;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *json = g_build_filename (corpus, name, "tags.json", NULL);
      if (g_file_test (json, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (pieces, g_build_filename (corpus, name, NULL));
    }
  qsort (pieces->pdata, pieces->len, sizeof (gpointer), cmp_str);

  printf ("beats on %s (%u pieces), ±%.0f ms\n", corpus, pieces->len, TOL * 1000);
  printf ("%-22s %7s %7s %5s %5s %7s %7s\n", "piece", "true", "found", "metre", "est", "beat F",
          "bar F");
  for (guint p = 0; p < pieces->len; p++)
    {
      const char *piece = pieces->pdata[p];
      g_autofree char *json = g_build_filename (piece, "tags.json", NULL);
      g_autofree char *mix = g_build_filename (piece, "mix.flac", NULL);
      g_autofree char *base = g_path_get_basename (piece);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GArray) ref = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) ref_bars = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) est_bars = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(StrataBeats) b = NULL;
      g_autofree float *mono = NULL;
      JsonObject *o;
      double bpm, dur, ratio;
      int metre;
      gint64 n_samples = 0, t0;

      if (!json_parser_load_from_file (parser, json, &error))
        g_error ("%s: %s", json, error->message);
      o = json_node_get_object (json_parser_get_root (parser));
      bpm = json_object_get_double_member (o, "tempo_bpm");
      dur = json_object_get_double_member (o, "duration_s");
      metre = atoi (json_object_get_string_member (o, "time_signature"));
      mono = strata_audio_decode_mono (mix, NULL, NULL, NULL, &n_samples, &error);
      if (mono == NULL)
        g_error ("%s: %s", mix, error->message);
      t0 = g_get_monotonic_time ();
      b = strata_beats_estimate (mono, n_samples, NULL, NULL, &error);
      t_total += g_get_monotonic_time () - t0;
      if (b == NULL)
        g_error ("%s: %s", mix, error->message);

      for (int k = 0; k * 60.0 / bpm < dur - 0.5; k++)
        {
          double t = k * 60.0 / bpm;
          g_array_append_val (ref, t);
          if (k % metre == 0)
            g_array_append_val (ref_bars, t);
        }
      for (guint i = 0; i < b->beats->len; i++)
        if (strata_beats_bar_at (b, i) > 0)
          g_array_append_val (est_bars, g_array_index (b->beats, double, i));

      ratio = b->bpm > 0 ? b->bpm / bpm : 0.0;
      n++;
      seconds += dur;
      tempo_ok += fabs (ratio - 1.0) <= 0.04;
      for (gsize k = 0; k < 5; k++)
        {
          const double f[] = { 1.0, 2.0, 0.5, 3.0, 1.0 / 3.0 };
          if (fabs (ratio / f[k] - 1.0) <= 0.04)
            {
              tempo_octave_ok++;
              break;
            }
        }
      metre_ok += b->beats_per_bar == metre;
      {
        double fb = fmeasure (matches (b->beats, ref), b->beats->len, ref->len);
        double fd = fmeasure (matches (est_bars, ref_bars), est_bars->len, ref_bars->len);
        sum_fb += fb;
        sum_fd += fd;
        printf ("%-22s %7.1f %7.1f %3d/4 %3d/4 %7.3f %7.3f\n", base, bpm, b->bpm, metre,
                b->beats_per_bar, fb, fd);
      }
    }
  if (n == 0)
    return 0;
  printf ("tempo within 4 %%: %d of %d (%.0f %%); allowing octave errors: %d (%.0f %%)\n",
          tempo_ok, n, 100.0 * tempo_ok / n, tempo_octave_ok, 100.0 * tempo_octave_ok / n);
  printf ("metre: %d of %d; mean beat F %.3f; mean bar-line F %.3f\n", metre_ok, n, sum_fb / n,
          sum_fd / n);
  printf ("speed: %.0f ms for %.0f s of audio (%.0fx real time, decode excluded)\n",
          t_total / 1000.0, seconds, seconds / (t_total / 1e6));
  return 0;
}
