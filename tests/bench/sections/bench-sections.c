/* bench-sections.c: how well the automatic sections match the music.
 *
 * On a validation corpus (rendered pieces whose tags.json lists the
 * composer's sections: intro, verse, chorus, ...), the section boundaries
 * Strata finds are scored against the composer's, with the hit-rate
 * F-measure of MIREX structural segmentation at ±0.5 s and ±3 s
 * (one-to-one matching; the start and end of the piece are not
 * boundaries), averaged over pieces, with the mean number of boundaries
 * found per piece beside the true count. Rows, all in one run: what the
 * window's Sections lane shows (strata_feature_maps_new), then
 * strata_feature_sections_full() with the default cut on each of
 *   coarse, medium      the prior features (medium pooled to the coarse rate)
 *   log-mel             the standardised log-mel the model sees, pooled to
 *                       the coarse rate: the baseline to beat
 *   coarse codes        the stage-1 codebook vectors of the coarse tokens
 *   log-mel+X           both, each block weighted equally (log-mel+codes
 *                       is what the Sections lane uses)
 * (the log-mel and the codes are the two blocks of StrataSectionBasis)
 * and, with STRATA_BENCH_GRID=1, a grid of cuts (kernel half-width,
 * shortest section, least novelty) on each.
 *
 * Corpus: $STRATA_VALID_CORPUS (a folder from `strata-cli corpus render`),
 * default /work/corpora/valid; $STRATA_BENCH_MAX_PIECES limits the pieces.
 * Model: $STRATA_MODEL_PATH or the default model. Reports only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/strata-feature-maps.h"
#include "audio/strata-audio.h"
#include "model/strata-model.h"
#include "nn/strata-nn.h"

static const double tolerances[2] = { 0.5, 3.0 };

typedef struct {
  double f[2];        /* sum over pieces of the F-measure at each tolerance */
  double n_found;     /* sum of boundaries found */
} Score;

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* One-to-one hits between @est and @ref (sorted, seconds) within @tol:
 * greedy on the closest pairs first. */
static int
count_hits (const double *est, int n_est, const double *ref, int n_ref, double tol)
{
  g_autofree gboolean *used_e = g_new0 (gboolean, MAX (n_est, 1));
  g_autofree gboolean *used_r = g_new0 (gboolean, MAX (n_ref, 1));
  int hits = 0;
  for (;;)
    {
      double best = tol;
      int bi = -1, bj = -1;
      for (int i = 0; i < n_est; i++)
        for (int j = 0; j < n_ref; j++)
          if (!used_e[i] && !used_r[j] && fabs (est[i] - ref[j]) <= best)
            best = fabs (est[i] - ref[j]), bi = i, bj = j;
      if (bi < 0)
        return hits;
      used_e[bi] = used_r[bj] = TRUE;
      hits++;
    }
}

static double
f_measure (const double *est, int n_est, const double *ref, int n_ref, double tol)
{
  if (n_est == 0 && n_ref == 0)
    return 1.0;
  if (n_est == 0 || n_ref == 0)
    return 0.0;
  const int hits = count_hits (est, n_est, ref, n_ref, tol);
  const double p = (double) hits / n_est, r = (double) hits / n_ref;
  return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

/* Inner boundaries of @sections (the start of every section but the first). */
static int
section_bounds (const StrataSection *sections, guint n, double *out)
{
  int k = 0;
  for (guint i = 1; i < n; i++)
    out[k++] = sections[i].start;
  return k;
}

static void
score_sections (Score *score, const StrataSection *sections, guint n, const double *ref,
                int n_ref)
{
  g_autofree double *est = g_new (double, MAX (n, 1));
  const int n_est = section_bounds (sections, n, est);
  for (int i = 0; i < 2; i++)
    score->f[i] += f_measure (est, n_est, ref, n_ref, tolerances[i]);
  score->n_found += n_est;
}

/* Mean of every @k rows of @x (T, D) -> (T / k, D), standardised. */
static float *
pool_standardize (const float *x, int T, int D, int k, int *T_out)
{
  const int Tp = T / k;
  g_autofree float *p = g_new0 (float, (gsize) MAX (Tp, 1) * D);
  for (int t = 0; t < Tp * k; t++)
    for (int d = 0; d < D; d++)
      p[(gsize) (t / k) * D + d] += x[(gsize) t * D + d] / k;
  *T_out = Tp;
  return Tp > 0 ? strata_feature_standardize (p, Tp, D) : NULL;
}

/* The representations compared, each (T, D) at the coarse rate. */
enum { REP_COARSE, REP_MEDIUM, REP_LOGMEL, REP_LOGMEL_MEDIUM, REP_LOGMEL_COARSE, REP_CODES,
       REP_LOGMEL_CODES, N_REPS };
static const char *const rep_names[N_REPS] = {
  "coarse", "medium", "log-mel", "log-mel+medium", "log-mel+coarse", "coarse codes",
  "log-mel+codes",
};

typedef struct {
  float *z[N_REPS];
  int T[N_REPS], D[N_REPS];
  double rate;
  double *ref;
  int n_ref;
  double shown_f[2], shown_found;
} Piece;

/* [a | b] row by row, each block scaled by 1/sqrt(its width) so that both
 * weigh the same in a cosine. */
static float *
concat_blocks (const float *a, int Da, const float *b, int Db, int T)
{
  float *z = g_new (float, (gsize) T * (Da + Db));
  const float sa = 1.0f / sqrtf ((float) Da), sb = 1.0f / sqrtf ((float) Db);
  for (int t = 0; t < T; t++)
    {
      for (int d = 0; d < Da; d++)
        z[(gsize) t * (Da + Db) + d] = sa * a[(gsize) t * Da + d];
      for (int d = 0; d < Db; d++)
        z[(gsize) t * (Da + Db) + Da + d] = sb * b[(gsize) t * Db + d];
    }
  return z;
}

static void
score_rep (Score *score, const Piece *pc, int rep, const StrataSectionParams *params)
{
  guint n = 0;
  g_autofree StrataSection *s = strata_feature_sections_full (pc->z[rep], pc->T[rep], pc->D[rep],
                                                              pc->rate, params, &n);
  score_sections (score, s, n, pc->ref, pc->n_ref);
}

/* The composer's inner section boundaries from tags.json. */
static int
read_reference (const char *dir, double **ref, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "tags.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, path, error))
    return -1;
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  JsonArray *a = o && json_object_has_member (o, "sections")
                 ? json_object_get_array_member (o, "sections") : NULL;
  if (!a)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: no sections", path);
      return -1;
    }
  const guint n = json_array_get_length (a);
  *ref = g_new (double, MAX (n, 1));
  int k = 0;
  for (guint i = 1; i < n; i++)
    (*ref)[k++] = json_object_get_double_member (json_array_get_object_element (a, i), "start_s");
  return k;
}

int
main (int argc, char **argv)
{
  const char *corpus = g_getenv ("STRATA_VALID_CORPUS");
  if (!corpus)
    corpus = "/work/corpora/valid";
  const char *max_env = g_getenv ("STRATA_BENCH_MAX_PIECES");
  const int max_pieces = max_env ? atoi (max_env) : 1000;
  g_autoptr (GError) error = NULL;

  g_autoptr (GDir) dir = g_dir_open (corpus, 0, &error);
  if (!dir)
    {
      printf ("sections: skipped (%s; render one with strata-cli corpus render "
              "--soundfont TimGM6mb.sf2 --split valid)\n", error->message);
      return 0;
    }
  g_autoptr (GPtrArray) pieces = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *json = g_build_filename (corpus, name, "tags.json", NULL);
      if (g_file_test (json, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (pieces, g_build_filename (corpus, name, NULL));
    }
  qsort (pieces->pdata, pieces->len, sizeof (gpointer), cmp_str);
  if (pieces->len > (guint) max_pieces)
    g_ptr_array_set_size (pieces, max_pieces);

  strata_nn_set_num_threads (1);
  const char *model_path = g_getenv ("STRATA_MODEL_PATH");
  g_autoptr (StrataModel) m = model_path ? strata_model_load (model_path, &error)
                                         : strata_model_load_default (&error);
  if (!m)
    {
      printf ("sections: skipped (%s)\n", error->message);
      return 0;
    }

  g_autoptr (GArray) list = g_array_new (FALSE, TRUE, sizeof (Piece));
  double n_true = 0;
  for (guint p = 0; p < pieces->len; p++)
    {
      const char *piece = pieces->pdata[p];
      Piece pc = { 0 };
      pc.n_ref = read_reference (piece, &pc.ref, &error);
      g_autofree char *mix = g_build_filename (piece, "mix.flac", NULL);
      g_autoptr (StrataAudio) audio = pc.n_ref >= 0
                                      ? strata_audio_decode (mix, NULL, NULL, NULL, &error)
                                      : NULL;
      g_autoptr (StrataFeatures) f = audio ? strata_model_extract (m, audio, NULL, NULL, NULL,
                                                                   NULL, NULL, &error)
                                           : NULL;
      if (!f)
        {
          printf ("  %s: skipped (%s)\n", piece, error->message);
          g_clear_error (&error);
          g_free (pc.ref);
          continue;
        }
      n_true += pc.n_ref;

      /* what the window shows */
      g_autoptr (StrataFeatureMaps) maps = strata_feature_maps_new (f);
      guint n_shown = 0;
      const StrataSection *shown = strata_feature_maps_get_sections (maps, &n_shown);
      Score shown_score = { 0 };
      score_sections (&shown_score, shown, n_shown, pc.ref, pc.n_ref);
      pc.shown_f[0] = shown_score.f[0], pc.shown_f[1] = shown_score.f[1];
      pc.shown_found = shown_score.n_found;

      const StrataFeatureLevel *c = &f->level[STRATA_LEVEL_COARSE];
      const StrataFeatureLevel *md = &f->level[STRATA_LEVEL_MEDIUM];
      pc.rate = c->rate;
      pc.z[REP_COARSE] = strata_feature_standardize (c->features, c->T, c->D);
      pc.T[REP_COARSE] = c->T, pc.D[REP_COARSE] = c->D;
      pc.z[REP_MEDIUM] = pool_standardize (md->features, md->T, md->D, 4, &pc.T[REP_MEDIUM]);
      pc.D[REP_MEDIUM] = md->D;

      /* the two blocks of the section basis: the log-mel the model sees,
       * pooled to the coarse rate, and the coarse tokens' codebook vectors */
      const StrataSectionBasis *sb = &f->section_basis;
      const int M = sb->D_mel, cd = sb->D_code, Tc = sb->T;
      g_autofree float *mel = g_new (float, (gsize) Tc * M);
      g_autofree float *codes = g_new (float, (gsize) Tc * cd);
      for (int t = 0; t < Tc; t++)
        {
          memcpy (mel + (gsize) t * M, sb->data + (gsize) t * (M + cd), M * sizeof (float));
          memcpy (codes + (gsize) t * cd, sb->data + (gsize) t * (M + cd) + M,
                  cd * sizeof (float));
        }
      pc.z[REP_LOGMEL] = strata_feature_standardize (mel, Tc, M);
      pc.T[REP_LOGMEL] = Tc, pc.D[REP_LOGMEL] = M;
      pc.z[REP_CODES] = strata_feature_standardize (codes, Tc, cd);
      pc.T[REP_CODES] = Tc, pc.D[REP_CODES] = cd;
      const int Tm = MIN (Tc, pc.T[REP_MEDIUM]);
      pc.z[REP_LOGMEL_MEDIUM] = concat_blocks (pc.z[REP_LOGMEL], M, pc.z[REP_MEDIUM], md->D, Tm);
      pc.T[REP_LOGMEL_MEDIUM] = Tm, pc.D[REP_LOGMEL_MEDIUM] = M + md->D;
      pc.z[REP_LOGMEL_COARSE] = concat_blocks (pc.z[REP_LOGMEL], M, pc.z[REP_COARSE], c->D, Tc);
      pc.T[REP_LOGMEL_COARSE] = Tc, pc.D[REP_LOGMEL_COARSE] = M + c->D;
      pc.z[REP_LOGMEL_CODES] = concat_blocks (pc.z[REP_LOGMEL], M, pc.z[REP_CODES], cd, Tc);
      pc.T[REP_LOGMEL_CODES] = Tc, pc.D[REP_LOGMEL_CODES] = M + cd;
      g_array_append_val (list, pc);
    }
  const int n_pieces = (int) list->len;
  if (n_pieces == 0)
    {
      printf ("sections: no pieces in %s\n", corpus);
      return 0;
    }
  printf ("sections: %d pieces of %s, %.1f true inner boundaries per piece\n", n_pieces, corpus,
          n_true / n_pieces);
  printf ("  %-16s %-24s  %7s  %7s  %s\n", "from", "kernel/min/novelty", "F@0.5s", "F@3s",
          "found/piece");
  double sf[2] = { 0, 0 }, sfound = 0;
  for (int i = 0; i < n_pieces; i++)
    {
      const Piece *pc = &g_array_index (list, Piece, i);
      sf[0] += pc->shown_f[0], sf[1] += pc->shown_f[1], sfound += pc->shown_found;
    }
  printf ("  %-16s %-24s  %7.3f  %7.3f  %.1f\n", "shown", "(the Sections lane)",
          sf[0] / n_pieces, sf[1] / n_pieces, sfound / n_pieces);

  /* the default cut on every representation, then (STRATA_BENCH_GRID=1)
   * a grid of cuts */
  StrataSectionParams grid[64];
  int n_grid = 0;
  strata_section_params_init (&grid[n_grid++]);
  if (g_getenv ("STRATA_BENCH_GRID"))
    {
      static const double kernels[] = { 1.5, 2.0, 3.0, 4.0 };
      static const double mins[] = { 2.0, 3.0 };
      static const double novs[] = { 0.1, 0.25 };
      for (guint a = 0; a < G_N_ELEMENTS (kernels); a++)
        for (guint b = 0; b < G_N_ELEMENTS (mins); b++)
          for (guint c = 0; c < G_N_ELEMENTS (novs); c++)
            {
              StrataSectionParams *g = &grid[n_grid++];
              strata_section_params_init (g);
              g->kernel_s = kernels[a], g->min_s = mins[b], g->min_novelty = novs[c];
            }
    }
  for (int r = 0; r < N_REPS; r++)
    for (int g = 0; g < n_grid; g++)
      {
        Score score = { 0 };
        for (int i = 0; i < n_pieces; i++)
          score_rep (&score, &g_array_index (list, Piece, i), r, &grid[g]);
        char cut[64];
        g_snprintf (cut, sizeof cut, "%.1f s / %.1f s / %.2f", grid[g].kernel_s, grid[g].min_s,
                    grid[g].min_novelty);
        printf ("  %-16s %-24s  %7.3f  %7.3f  %.1f\n", rep_names[r], cut, score.f[0] / n_pieces,
                score.f[1] / n_pieces, score.n_found / n_pieces);
      }
  for (int i = 0; i < n_pieces; i++)
    {
      Piece *pc = &g_array_index (list, Piece, i);
      for (int r = 0; r < N_REPS; r++)
        g_free (pc->z[r]);
      g_free (pc->ref);
    }
  return 0;
}
