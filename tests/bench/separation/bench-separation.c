/* bench-separation.c: the separation head's figures, in one run:
 *
 *   speed   six stems of a 4-minute track (the first validation piece
 *           repeated): wall time and peak RSS, measured first so that the
 *           peak is the separation's;
 *   valid   SDR per stem, 10 log10 (Σ s² / Σ (s − ŝ)²) over each whole
 *           stem, mean over the pieces of $STRATA_VALID_CORPUS (default
 *           /work/corpora/valid-tim), beside the ideal ratio mask and the
 *           mixture as estimate;
 *   fof     the guitar SDR on Debian's Frets on Fire songs (mix = song.ogg
 *           + guitar.ogg [+ rhythm.ogg]; $STRATA_FOF_DIRS, ':'-separated),
 *           beside the same references (the IRM from guitar and band).
 *
 * Usage: bench-separation [speed] [valid] [fof]   (all three by default)
 * $STRATA_SEPARATION_MODEL_PATH picks another head. Reports only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/resource.h>

#include "nn/strata-nn.h"
#include "tasks/separation/strata-separation-train.h"

#define FOF_DEFAULT "/usr/share/games/fretsonfire/data/songs/muldjord:" \
                    "/usr/share/games/fretsonfire/data/songs/sectoid"

static double
peak_rss_mb (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

static double
cpu_seconds (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec * 1e-6;
}

static StrataAudio *
decode_or_die (const char *path)
{
  g_autoptr (GError) error = NULL;
  StrataAudio *a = strata_audio_decode (path, NULL, NULL, NULL, &error);
  if (!a)
    g_printerr ("bench-separation: %s\n", error->message);
  return a;
}

static void
bench_speed (StrataSeparator *sep, const char *corpus)
{
  g_autoptr (GPtrArray) pieces = strata_separation_list_pieces (corpus, NULL);
  if (!pieces || pieces->len == 0)
    return;
  g_autofree char *path = g_build_filename (pieces->pdata[0], "mix.flac", NULL);
  g_autoptr (StrataAudio) piece = decode_or_die (path);
  if (!piece)
    return;
  const gint64 n = 240 * (gint64) STRATA_SAMPLE_RATE, m = strata_audio_get_n_frames (piece);
  float *s = g_new (float, n * 2);
  for (gint64 i = 0; i < n; i++)
    {
      s[2 * i] = strata_audio_get_samples (piece)[2 * (i % m)];
      s[2 * i + 1] = strata_audio_get_samples (piece)[2 * (i % m) + 1];
    }
  g_autoptr (StrataAudio) track = strata_audio_new_take (s, n);
  g_clear_pointer (&piece, strata_audio_unref);
  const double rss0 = peak_rss_mb ();
  for (int em = 1; em >= 0; em--)
    {
      StrataSeparationOptions opt;
      strata_separation_options_init (&opt);
      opt.em_iterations = em;
      g_autoptr (GTimer) timer = g_timer_new ();
      g_autoptr (GError) error = NULL;
      const double cpu0 = cpu_seconds ();
      g_autoptr (StrataStems) stems = strata_separator_run (sep, track, NULL, NULL, &opt, NULL,
                                                            NULL, NULL, NULL, &error);
      if (!stems)
        {
          g_printerr ("bench-separation: %s\n", error->message);
          return;
        }
      g_print ("speed: six stems of a 240 s track, %d EM iteration%s: %.1f s wall, %.1f s CPU "
               "(both threads); peak RSS %.0f MB (%.0f MB before)\n", em, em == 1 ? "" : "s",
               g_timer_elapsed (timer, NULL), cpu_seconds () - cpu0, peak_rss_mb (), rss0);
    }
  StrataSeparationOptions opt;
  strata_separation_options_init (&opt);
  strata_separation_parse_stems ("vocals", &opt.stems, NULL);
  g_autoptr (GTimer) timer = g_timer_new ();
  g_autoptr (StrataStems) two = strata_separator_run (sep, track, NULL, NULL, &opt, NULL, NULL,
                                                      NULL, NULL, NULL);
  if (two)
    g_print ("speed: --stems vocals (vocals + rest) of the same track: %.1f s wall\n",
             g_timer_elapsed (timer, NULL));
}

static void
print_row (const char *label, const double *v, int n)
{
  g_print ("%-22s", label);
  double sum = 0;
  int k = 0;
  for (int j = 0; j < n; j++)
    {
      g_print (" %7.2f", v[j]);
      if (isfinite (v[j]))
        sum += v[j], k++;
    }
  /* the mean of the stems that sound somewhere */
  g_print (" %7.2f\n", k ? sum / k : NAN);
}

static void
bench_valid (StrataSeparator *sep, const char *corpus)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) pieces = strata_separation_list_pieces (corpus, &error);
  if (!pieces)
    {
      g_printerr ("bench-separation: %s\n", error->message);
      return;
    }
  double sum[3][STRATA_SEPARATION_N_STEMS] = { { 0 } };
  int cnt[STRATA_SEPARATION_N_STEMS] = { 0 };
  double seconds = 0;
  for (guint i = 0; i < pieces->len; i++)
    {
      StrataSeparationScores s;
      g_clear_error (&error);
      if (!strata_separation_score_piece (sep, NULL, pieces->pdata[i], &s, &error))
        {
          g_printerr ("bench-separation: %s\n", error->message);
          continue;
        }
      seconds += s.seconds;
      for (int j = 0; j < STRATA_SEPARATION_N_STEMS; j++)
        if (isfinite (s.sdr[j]) && isfinite (s.irm[j]))
          {
            sum[0][j] += s.sdr[j], sum[1][j] += s.irm[j], sum[2][j] += s.mixture[j];
            cnt[j]++;
          }
    }
  g_print ("\nvalid: %s, %u pieces, %.1f min; SDR in dB, mean over the pieces where the stem "
           "sounds\n%-22s", corpus, pieces->len, seconds / 60.0, "");
  for (int j = 0; j < STRATA_SEPARATION_N_STEMS; j++)
    g_print (" %7s", strata_separation_stem_name (j));
  g_print (" %7s\n", "mean");
  const char *labels[3] = { "head", "ideal ratio mask", "mixture" };
  for (int r = 0; r < 3; r++)
    {
      double v[STRATA_SEPARATION_N_STEMS];
      for (int j = 0; j < STRATA_SEPARATION_N_STEMS; j++)
        v[j] = cnt[j] ? sum[r][j] / cnt[j] : NAN;
      print_row (labels[r], v, STRATA_SEPARATION_N_STEMS);
    }
  g_print ("%-22s", "pieces with the stem");
  for (int j = 0; j < STRATA_SEPARATION_N_STEMS; j++)
    g_print (" %7d", cnt[j]);
  g_print ("\n");
}

/* The mix of a song folder and its references: guitar, band (the rest). */
static gboolean
fof_song (const char *dir, StrataAudio **mix, StrataAudio **refs)
{
  const char *names[] = { "guitar.ogg", "song.ogg", "rhythm.ogg" };
  StrataAudio *parts[3] = { NULL };
  gint64 n = -1;
  for (int k = 0; k < 3; k++)
    {
      g_autofree char *p = g_build_filename (dir, names[k], NULL);
      if (k == 2 && !g_file_test (p, G_FILE_TEST_IS_REGULAR))
        continue;
      parts[k] = decode_or_die (p);
      if (!parts[k])
        return FALSE;
      const gint64 len = strata_audio_get_n_frames (parts[k]);
      n = n < 0 ? len : MIN (n, len);
    }
  float *m = g_new0 (float, n * 2), *g = g_new (float, n * 2), *band = g_new0 (float, n * 2);
  for (int k = 0; k < 3; k++)
    {
      if (!parts[k])
        continue;
      const float *s = strata_audio_get_samples (parts[k]);
      for (gint64 i = 0; i < n * 2; i++)
        {
          m[i] += s[i];
          if (k == 0)
            g[i] = s[i];
          else
            band[i] += s[i];
        }
      strata_audio_unref (parts[k]);
    }
  *mix = strata_audio_new_take (m, n);
  refs[0] = strata_audio_new_take (g, n);
  refs[1] = strata_audio_new_take (band, n);
  return TRUE;
}

static int
cmp_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static void
bench_fof (StrataSeparator *sep, const char *dirs)
{
  g_auto (GStrv) roots = g_strsplit (dirs, ":", -1);
  g_print ("\nfof: guitar SDR in dB (mix = song + guitar [+ rhythm])\n%-36s %7s %7s %7s\n",
           "song", "head", "IRM", "mixture");
  double sum[3] = { 0 };
  int cnt = 0;
  for (int r = 0; roots[r]; r++)
    {
      g_autoptr (GDir) d = g_dir_open (roots[r], 0, NULL);
      if (!d)
        continue;
      g_autoptr (GPtrArray) songs = g_ptr_array_new_with_free_func (g_free);
      const char *name;
      while ((name = g_dir_read_name (d)))
        {
          g_autofree char *p = g_build_filename (roots[r], name, "guitar.ogg", NULL);
          if (g_file_test (p, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add (songs, g_build_filename (roots[r], name, NULL));
        }
      g_ptr_array_sort (songs, cmp_paths);
      for (guint i = 0; i < songs->len; i++)
        {
          StrataAudio *mix = NULL, *refs[2] = { NULL };
          if (!fof_song (songs->pdata[i], &mix, refs))
            continue;
          const gint64 n = strata_audio_get_n_frames (mix);
          g_autoptr (GError) error = NULL;
          g_autoptr (StrataStems) est = strata_separator_run (sep, mix, NULL, NULL, NULL, NULL,
                                                              NULL, NULL, NULL, &error);
          g_autoptr (StrataStems) irm = strata_stems_ideal_ratio_mask (mix, refs, 2);
          if (est && irm)
            {
              const float *g = strata_audio_get_samples (refs[0]);
              double v[3] = {
                strata_sdr (g, strata_audio_get_samples (est->stems[2]), n * 2),
                strata_sdr (g, strata_audio_get_samples (irm->stems[0]), n * 2),
                strata_sdr (g, strata_audio_get_samples (mix), n * 2),
              };
              g_autofree char *base = g_path_get_basename (songs->pdata[i]);
              g_print ("%-36s %7.2f %7.2f %7.2f\n", base, v[0], v[1], v[2]);
              for (int k = 0; k < 3; k++)
                sum[k] += v[k];
              cnt++;
            }
          else if (error)
            g_printerr ("bench-separation: %s\n", error->message);
          strata_audio_unref (mix);
          strata_audio_unref (refs[0]);
          strata_audio_unref (refs[1]);
        }
    }
  if (cnt)
    g_print ("%-36s %7.2f %7.2f %7.2f  (%d songs)\n", "mean", sum[0] / cnt, sum[1] / cnt,
             sum[2] / cnt, cnt);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  strata_nn_set_num_threads (2);
  g_autoptr (StrataSeparator) sep = strata_separator_load_default (&error);
  if (!sep)
    {
      g_printerr ("bench-separation: %s\n", error->message);
      return 1;
    }
  const char *corpus = g_getenv ("STRATA_VALID_CORPUS");
  if (!corpus)
    corpus = "/work/corpora/valid-tim";
  const char *fof = g_getenv ("STRATA_FOF_DIRS");
  if (!fof)
    fof = FOF_DEFAULT;
  g_print ("model %s (%s, %zu parameters)\n", strata_separator_get_path (sep),
           strata_separator_get_version (sep), strata_separator_get_n_params (sep));
  gboolean all = argc < 2;
  for (int i = 1; i < argc || all; i++)
    {
      const char *what = all ? NULL : argv[i];
      if (all || strcmp (what, "speed") == 0)
        bench_speed (sep, corpus);
      if (all || strcmp (what, "valid") == 0)
        bench_valid (sep, corpus);
      if (all || strcmp (what, "fof") == 0)
        bench_fof (sep, fof);
      all = FALSE;
    }
  return 0;
}
