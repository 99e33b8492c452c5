/* strata-feature-maps.c: heatmap ordering, PCA colours, similarity search
 * and automatic sections on feature matrices.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "analysis/strata-feature-maps.h"

#define PCA_MAX_ROWS 4096     /* covariance from at most this many frames */
#define PCA_ITERATIONS 200
#define CHANGE_HALF_S 1.0     /* s on each side of the change curve's comparison */
#define SIMILAR_SEGMENTS 4    /* parts of a window compared in order */
#define HEAT_RANGE STRATA_FEATURE_HEAT_RANGE
#define RGB_RANGE STRATA_FEATURE_RGB_RANGE
#define SECTION_KERNEL_S 2.0  /* checkerboard half-width (tests/bench/sections) */
#define SECTION_MIN_S 3.0     /* shortest section */
#define SECTION_SAME 0.7      /* cosine of section means for the same label */
#define SECTION_MIN_NOVELTY 0.25  /* normalised novelty of a boundary */

float *
strata_feature_standardize (const float *x, int T, int D)
{
  g_return_val_if_fail (x != NULL && T > 0 && D > 0, NULL);

  float *z = g_new (float, (gsize) T * D);   /* (T, D) */
  g_autofree double *mean = g_new0 (double, D);
  g_autofree double *var = g_new0 (double, D);

  for (int t = 0; t < T; t++)
    for (int d = 0; d < D; d++)
      mean[d] += x[(gsize) t * D + d];
  for (int d = 0; d < D; d++)
    mean[d] /= T;
  for (int t = 0; t < T; t++)
    for (int d = 0; d < D; d++)
      {
        double v = x[(gsize) t * D + d] - mean[d];
        var[d] += v * v;
      }
  for (int d = 0; d < D; d++)
    {
      double sd = sqrt (var[d] / T);
      var[d] = sd > 1e-8 * (1.0 + fabs (mean[d])) ? 1.0 / sd : 0.0;   /* now 1/sd */
    }
  for (int t = 0; t < T; t++)
    for (int d = 0; d < D; d++)
      z[(gsize) t * D + d] = (float) ((x[(gsize) t * D + d] - mean[d]) * var[d]);
  return z;
}

void
strata_feature_pca (const float *z, int T, int D, int k, float *components, double *variances)
{
  g_return_if_fail (z != NULL && T > 0 && D > 0 && k >= 1 && k <= D && components != NULL);

  g_autofree double *cov = g_new0 (double, (gsize) D * D);   /* (D, D) */
  g_autofree double *v = g_new (double, D);
  g_autofree double *w = g_new (double, D);
  int step = T > PCA_MAX_ROWS ? (T + PCA_MAX_ROWS - 1) / PCA_MAX_ROWS : 1;
  int n = 0;

  for (int t = 0; t < T; t += step, n++)
    {
      const float *row = z + (gsize) t * D;
      for (int i = 0; i < D; i++)
        {
          double a = row[i];
          double *c = cov + (gsize) i * D;
          for (int j = i; j < D; j++)
            c[j] += a * row[j];
        }
    }
  for (int i = 0; i < D; i++)
    for (int j = i; j < D; j++)
      {
        cov[(gsize) i * D + j] /= n;
        cov[(gsize) j * D + i] = cov[(gsize) i * D + j];
      }

  for (int c = 0; c < k; c++)
    {
      double lambda = 0.0;

      /* A start vector that is not orthogonal to anything in particular. */
      for (int i = 0; i < D; i++)
        v[i] = 1.0 + 0.1 * ((i * 7 + c * 3) % 11);
      for (int it = 0; it < PCA_ITERATIONS; it++)
        {
          double norm = 0.0, diff = 0.0;
          for (int i = 0; i < D; i++)
            {
              double s = 0.0;
              const double *row = cov + (gsize) i * D;
              for (int j = 0; j < D; j++)
                s += row[j] * v[j];
              w[i] = s;
              norm += s * s;
            }
          norm = sqrt (norm);
          if (norm < 1e-20)
            {
              /* Nothing left: any unit vector orthogonal to the others. */
              memset (w, 0, sizeof (double) * D);
              w[c % D] = 1.0;
              norm = 1.0;
              lambda = 0.0;
            }
          else
            lambda = norm;
          for (int i = 0; i < D; i++)
            {
              double nv = w[i] / norm;
              diff += fabs (nv - v[i]);
              v[i] = nv;
            }
          if (diff < 1e-10)
            break;
        }
      /* Deterministic sign: entries summing to a positive value (most
       * dimensions rise together along the component), else the largest
       * entry positive. */
      double sum = 0.0;
      int imax = 0;
      for (int i = 0; i < D; i++)
        {
          sum += v[i];
          if (fabs (v[i]) > fabs (v[imax]))
            imax = i;
        }
      double sign = fabs (sum) > 1e-6 ? (sum < 0 ? -1.0 : 1.0) : (v[imax] < 0 ? -1.0 : 1.0);
      for (int i = 0; i < D; i++)
        components[(gsize) c * D + i] = (float) (sign * v[i]);
      if (variances)
        variances[c] = lambda;
      /* Deflate: cov -= lambda v v^T. */
      for (int i = 0; i < D; i++)
        for (int j = 0; j < D; j++)
          cov[(gsize) i * D + j] -= lambda * v[i] * v[j];
    }
}

typedef struct {
  float key;
  int index;
} KeyIndex;

static int
compare_desc (const void *a, const void *b)
{
  const KeyIndex *x = a, *y = b;
  if (x->key != y->key)
    return x->key > y->key ? -1 : 1;
  return x->index - y->index;
}

int *
strata_feature_order_dims (const float *z, int T, int D)
{
  g_return_val_if_fail (z != NULL && T > 0 && D > 0, NULL);

  g_autofree float *pc = g_new (float, D);
  g_autofree KeyIndex *keys = g_new (KeyIndex, D);
  int *order = g_new (int, D);

  strata_feature_pca (z, T, D, 1, pc, NULL);
  for (int d = 0; d < D; d++)
    keys[d] = (KeyIndex) { pc[d], d };
  qsort (keys, D, sizeof *keys, compare_desc);
  for (int d = 0; d < D; d++)
    order[d] = keys[d].index;
  return order;
}

void
strata_feature_pca_rgb (const float *z, int T, int D, guint8 *rgb)
{
  g_return_if_fail (z != NULL && T > 0 && D > 0 && rgb != NULL);

  int k = MIN (D, 3);
  g_autofree float *comp = g_new (float, (gsize) 3 * D);   /* (3, D) */
  double var[3] = { 0, 0, 0 };

  strata_feature_pca (z, T, D, k, comp, var);

  for (int t = 0; t < T; t++)
    {
      const float *row = z + (gsize) t * D;
      for (int c = 0; c < 3; c++)
        {
          double p = 0.0, sd;
          if (c >= k)
            {
              rgb[(gsize) t * 3 + c] = 128;
              continue;
            }
          for (int d = 0; d < D; d++)
            p += row[d] * comp[(gsize) c * D + d];
          sd = sqrt (MAX (var[c], 1e-12));
          p = 0.5 + p / (2.0 * RGB_RANGE * sd);
          rgb[(gsize) t * 3 + c] = (guint8) lround (CLAMP (p, 0.0, 1.0) * 255.0);
        }
    }
}

/* Sum of rows [a, b) from prefix sums P (T+1, D) into out (D). */
static void
window_sum (const double *P, int D, int a, int b, double *out)
{
  const double *pa = P + (gsize) a * D, *pb = P + (gsize) b * D;
  for (int d = 0; d < D; d++)
    out[d] = pb[d] - pa[d];
}

static double
cosine (const double *a, const double *b, int D)
{
  double ab = 0.0, aa = 0.0, bb = 0.0;
  for (int d = 0; d < D; d++)
    {
      ab += a[d] * b[d];
      aa += a[d] * a[d];
      bb += b[d] * b[d];
    }
  if (aa <= 1e-20 || bb <= 1e-20)
    return 0.0;
  return ab / sqrt (aa * bb);
}

guint
strata_feature_find_similar (const float *z, int T, int D, int q0, int q1, guint max_matches,
                             double min_score, StrataMatch *matches)
{
  g_return_val_if_fail (z != NULL && T > 0 && D > 0, 0);
  g_return_val_if_fail (q0 >= 0 && q0 < q1 && q1 <= T, 0);
  g_return_val_if_fail (max_matches == 0 || matches != NULL, 0);

  int L = q1 - q0;
  int n_pos = T - L + 1;
  /* The window in up to SIMILAR_SEGMENTS consecutive parts, compared part
   * with part: the order of events counts, and on stationary material (noise)
   * the chance agreement of one mean is averaged away. */
  int S = CLAMP (L / 2, 1, SIMILAR_SEGMENTS);
  int cut[SIMILAR_SEGMENTS + 1];
  g_autofree double *P = g_new0 (double, (gsize) (T + 1) * D);   /* (T+1, D) prefix sums */
  g_autofree double *q = g_new (double, (gsize) S * D);
  g_autofree double *w = g_new (double, D);
  g_autofree double *score = g_new (double, n_pos);
  g_autofree gboolean *taken = g_new0 (gboolean, n_pos);
  guint n = 0;

  for (int k = 0; k <= S; k++)
    cut[k] = (int) ((gint64) k * L / S);
  for (int t = 0; t < T; t++)
    for (int d = 0; d < D; d++)
      P[(gsize) (t + 1) * D + d] = P[(gsize) t * D + d] + z[(gsize) t * D + d];
  for (int k = 0; k < S; k++)
    window_sum (P, D, q0 + cut[k], q0 + cut[k + 1], q + (gsize) k * D);
  for (int s = 0; s < n_pos; s++)
    {
      double sum = 0.0;
      for (int k = 0; k < S; k++)
        {
          window_sum (P, D, s + cut[k], s + cut[k + 1], w);
          sum += cosine (q + (gsize) k * D, w, D);
        }
      score[s] = sum / S;
      /* Windows overlapping the query are the query itself. */
      if (s + L > q0 && s < q1)
        taken[s] = TRUE;
    }

  while (n < max_matches)
    {
      int best = -1;
      for (int s = 0; s < n_pos; s++)
        if (!taken[s] && (best < 0 || score[s] > score[best]))
          best = s;
      if (best < 0 || score[best] < min_score)
        break;
      matches[n++] = (StrataMatch) { best, best + L, score[best] };
      for (int s = MAX (0, best - L + 1); s < MIN (n_pos, best + L); s++)
        taken[s] = TRUE;
    }
  return n;
}

double *
strata_feature_novelty (const float *z, int T, int D, int half)
{
  g_return_val_if_fail (z != NULL && T > 0 && D > 0 && half >= 1, NULL);

  g_autofree float *u = g_new (float, (gsize) T * D);   /* (T, D) unit rows */
  g_autofree double *kernel = g_new (double, (gsize) 4 * half * half);   /* (2h, 2h) */
  double *nov = g_new0 (double, T);
  double sigma = 0.5 * half;

  for (int t = 0; t < T; t++)
    {
      double s = 0.0;
      for (int d = 0; d < D; d++)
        s += (double) z[(gsize) t * D + d] * z[(gsize) t * D + d];
      s = s > 1e-20 ? 1.0 / sqrt (s) : 0.0;
      for (int d = 0; d < D; d++)
        u[(gsize) t * D + d] = (float) (z[(gsize) t * D + d] * s);
    }
  /* Offsets a, b in [-half, half): + within the past or the future, -
   * across the boundary between frame t-1 and t; normalised so that a
   * change between orthogonal blocks scores 1. */
  double total = 0.0;
  for (int i = 0; i < 2 * half; i++)
    for (int j = 0; j < 2 * half; j++)
      {
        double a = i - half + 0.5, b = j - half + 0.5;
        double g = exp (-(a * a + b * b) / (2 * sigma * sigma));
        kernel[(gsize) i * 2 * half + j] = ((a < 0) == (b < 0) ? 1.0 : -1.0) * g;
        total += g;
      }
  for (int i = 0; i < 4 * half * half; i++)
    kernel[i] *= 2.0 / total;

  for (int t = 1; t < T; t++)
    {
      double s = 0.0;
      for (int i = 0; i < 2 * half; i++)
        {
          int ti = t - half + i;
          if (ti < 0 || ti >= T)
            continue;
          for (int j = i; j < 2 * half; j++)
            {
              int tj = t - half + j;
              double sim = 0.0;
              if (tj < 0 || tj >= T)
                continue;
              const float *a = u + (gsize) ti * D, *b = u + (gsize) tj * D;
              for (int d = 0; d < D; d++)
                sim += (double) a[d] * b[d];
              s += kernel[(gsize) i * 2 * half + j] * sim * (i == j ? 1.0 : 2.0);
            }
        }
      nov[t] = MAX (s, 0.0);
    }
  return nov;
}

void
strata_section_params_init (StrataSectionParams *params)
{
  g_return_if_fail (params != NULL);
  params->kernel_s = SECTION_KERNEL_S;
  params->min_s = SECTION_MIN_S;
  params->min_novelty = SECTION_MIN_NOVELTY;
  params->same = SECTION_SAME;
}

StrataSection *
strata_feature_sections (const float *z, int T, int D, double rate, guint *n_sections)
{
  StrataSectionParams params;
  strata_section_params_init (&params);
  return strata_feature_sections_full (z, T, D, rate, &params, n_sections);
}

StrataSection *
strata_feature_sections_full (const float *z, int T, int D, double rate,
                              const StrataSectionParams *params, guint *n_sections)
{
  g_return_val_if_fail (z != NULL && T > 0 && D > 0 && rate > 0 && n_sections != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  int half = CLAMP ((int) lround (params->kernel_s * rate), 1, MAX (1, T / 4));
  int min_len = MAX (1, (int) lround (params->min_s * rate));
  g_autofree double *nov = strata_feature_novelty (z, T, D, half);
  g_autoptr(GArray) bounds = g_array_new (FALSE, FALSE, sizeof (int));
  double mean = 0.0, sd = 0.0, top = 0.0;
  int last = 0;

  for (int t = 0; t < T; t++)
    {
      mean += nov[t];
      top = MAX (top, nov[t]);
    }
  mean /= T;
  for (int t = 0; t < T; t++)
    sd += (nov[t] - mean) * (nov[t] - mean);
  sd = sqrt (sd / T);

  /* Peaks: the maximum within ±min_len, clearly above the typical level. */
  g_array_append_val (bounds, last);
  for (int t = min_len; t <= T - min_len; t++)
    {
      gboolean peak = nov[t] > mean + sd && nov[t] > 0.1 * top && nov[t] > params->min_novelty;
      for (int u = MAX (1, t - min_len); peak && u <= MIN (T - 1, t + min_len); u++)
        if (nov[u] > nov[t] || (nov[u] == nov[t] && u < t))
          peak = FALSE;
      if (peak && t - last >= min_len)
        {
          g_array_append_val (bounds, t);
          last = t;
        }
    }
  g_array_append_val (bounds, T);

  guint n = bounds->len - 1;
  StrataSection *sections = g_new (StrataSection, n);
  g_autofree double *means = g_new0 (double, (gsize) n * D);   /* (n, D) */
  g_autofree int *first_of_label = g_new (int, n);
  int n_labels = 0;

  for (guint s = 0; s < n; s++)
    {
      int a = g_array_index (bounds, int, s), b = g_array_index (bounds, int, s + 1);
      double *m = means + (gsize) s * D;
      for (int t = a; t < b; t++)
        for (int d = 0; d < D; d++)
          m[d] += z[(gsize) t * D + d];
      sections[s].start = a / rate;
      sections[s].end = b / rate;
      sections[s].label = -1;
      double best = params->same;
      for (int l = 0; l < n_labels; l++)
        {
          double c = cosine (m, means + (gsize) first_of_label[l] * D, D);
          if (c >= best)
            {
              best = c;
              sections[s].label = l;
            }
        }
      if (sections[s].label < 0)
        {
          first_of_label[n_labels] = (int) s;
          sections[s].label = n_labels++;
        }
    }
  *n_sections = n;
  return sections;
}

char *
strata_section_label_name (int label)
{
  g_return_val_if_fail (label >= 0, NULL);
  if (label < 26)
    return g_strdup_printf ("%c", 'A' + label);
  return g_strdup_printf ("%c%d", 'A' + label % 26, label / 26 + 1);
}

static int
compare_float (const void *a, const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return (x > y) - (x < y);
}

float *
strata_feature_change (const float *z, int T, int D, int half)
{
  g_return_val_if_fail (z != NULL && T > 0 && D > 0 && half >= 1, NULL);

  g_autofree double *P = g_new0 (double, (gsize) (T + 1) * D);   /* prefix sums of unit rows */
  g_autofree double *a = g_new (double, D);
  g_autofree double *b = g_new (double, D);
  g_autofree float *sorted = NULL;
  float *change = g_new0 (float, T);
  float top;

  for (int t = 0; t < T; t++)
    {
      double n = 0.0;
      for (int d = 0; d < D; d++)
        n += (double) z[(gsize) t * D + d] * z[(gsize) t * D + d];
      n = n > 1e-20 ? 1.0 / sqrt (n) : 0.0;
      for (int d = 0; d < D; d++)
        P[(gsize) (t + 1) * D + d] = P[(gsize) t * D + d] + z[(gsize) t * D + d] * n;
    }
  /* Frame t compares the frames before it with those from it on; at the
   * ends the shorter side is used. */
  for (int t = 1; t < T; t++)
    {
      window_sum (P, D, MAX (0, t - half), t, a);
      window_sum (P, D, t, MIN (T, t + half), b);
      change[t] = (float) MAX (0.0, 1.0 - cosine (a, b, D));
    }
  sorted = g_memdup2 (change, sizeof (float) * T);
  qsort (sorted, T, sizeof (float), compare_float);
  top = sorted[MIN (T - 1, (int) (0.99 * T))];
  for (int t = 0; t < T; t++)
    change[t] = top > 1e-9f ? MIN (change[t] / top, 1.0f) : 0.0f;
  return change;
}

/* ------------------------------------------------------------------ */

typedef struct {
  float *z;       /* (T, D) standardised */
  float *heat;    /* (T, D) display order, 0..1 */
  int *order;     /* (D) */
  guint8 *rgb;    /* (T, 3) */
  float *change;  /* (T) 0..1 */
} LevelMaps;

struct _StrataFeatureMaps {
  gint ref_count;
  StrataFeatures *features;
  LevelMaps level[STRATA_N_LEVELS];
  StrataSection *sections;
  guint n_sections;
};

/* The sections' input from the features' StrataSectionBasis: the log-mel
 * block and the code block each standardised, then scaled by
 * 1/sqrt(width) so that both weigh the same in the novelty's cosine
 * (tests/bench/sections chose this pair: it beats either alone and the
 * prior features). NULL when the basis does not fit @T coarse rows. */
static float *
section_basis (const StrataSectionBasis *b, int T)
{
  const int D = b->D_mel + b->D_code;
  if (b->data == NULL || b->T != T || T <= 0 || b->D_mel <= 0 || b->D_code <= 0)
    return NULL;
  g_autofree float *mel = g_new (float, (gsize) T * b->D_mel);
  g_autofree float *code = g_new (float, (gsize) T * b->D_code);
  for (int t = 0; t < T; t++)
    {
      memcpy (mel + (gsize) t * b->D_mel, b->data + (gsize) t * D, b->D_mel * sizeof (float));
      memcpy (code + (gsize) t * b->D_code, b->data + (gsize) t * D + b->D_mel,
              b->D_code * sizeof (float));
    }
  g_autofree float *zm = strata_feature_standardize (mel, T, b->D_mel);
  g_autofree float *zc = strata_feature_standardize (code, T, b->D_code);
  float *z = g_new (float, (gsize) T * D);
  const float sm = 1.0f / sqrtf ((float) b->D_mel), sc = 1.0f / sqrtf ((float) b->D_code);
  for (int t = 0; t < T; t++)
    {
      for (int d = 0; d < b->D_mel; d++)
        z[(gsize) t * D + d] = sm * zm[(gsize) t * b->D_mel + d];
      for (int d = 0; d < b->D_code; d++)
        z[(gsize) t * D + b->D_mel + d] = sc * zc[(gsize) t * b->D_code + d];
    }
  return z;
}

StrataFeatureMaps *
strata_feature_maps_new (StrataFeatures *features)
{
  g_return_val_if_fail (features != NULL, NULL);

  StrataFeatureMaps *maps = g_new0 (StrataFeatureMaps, 1);
  maps->ref_count = 1;
  maps->features = strata_features_ref (features);

  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      const StrataFeatureLevel *fl = &features->level[l];
      LevelMaps *lm = &maps->level[l];
      int T = fl->T, D = fl->D;

      if (T <= 0 || D <= 0)
        continue;
      lm->z = strata_feature_standardize (fl->features, T, D);
      lm->order = strata_feature_order_dims (lm->z, T, D);
      lm->rgb = g_new (guint8, (gsize) T * 3);
      strata_feature_pca_rgb (lm->z, T, D, lm->rgb);
      lm->heat = g_new (float, (gsize) T * D);
      for (int t = 0; t < T; t++)
        for (int j = 0; j < D; j++)
          {
            double v = 0.5 + lm->z[(gsize) t * D + lm->order[j]] / (2.0 * HEAT_RANGE);
            lm->heat[(gsize) t * D + j] = (float) CLAMP (v, 0.0, 1.0);
          }
      if (fl->rate > 0)
        lm->change = strata_feature_change (lm->z, T, D,
                                            MAX (2, (int) lround (fl->rate * CHANGE_HALF_S)));
    }

  {
    const StrataFeatureLevel *c = &features->level[STRATA_LEVEL_COARSE];
    g_autofree float *basis = section_basis (&features->section_basis, c->T);
    if (basis != NULL && c->rate > 0)
      maps->sections = strata_feature_sections (basis, c->T, features->section_basis.D_mel
                                                + features->section_basis.D_code, c->rate,
                                                &maps->n_sections);
    else if (c->T > 0 && c->D > 0 && c->rate > 0)
      maps->sections = strata_feature_sections (maps->level[STRATA_LEVEL_COARSE].z, c->T, c->D,
                                                c->rate, &maps->n_sections);
  }
  return maps;
}

StrataFeatureMaps *
strata_feature_maps_ref (StrataFeatureMaps *maps)
{
  g_return_val_if_fail (maps != NULL, NULL);
  g_atomic_int_inc (&maps->ref_count);
  return maps;
}

void
strata_feature_maps_unref (StrataFeatureMaps *maps)
{
  if (maps == NULL || !g_atomic_int_dec_and_test (&maps->ref_count))
    return;
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      g_free (maps->level[l].z);
      g_free (maps->level[l].heat);
      g_free (maps->level[l].order);
      g_free (maps->level[l].rgb);
      g_free (maps->level[l].change);
    }
  g_free (maps->sections);
  strata_features_unref (maps->features);
  g_free (maps);
}

StrataFeatures *
strata_feature_maps_get_features (StrataFeatureMaps *maps)
{
  g_return_val_if_fail (maps != NULL, NULL);
  return maps->features;
}

const float *
strata_feature_maps_get_heat (StrataFeatureMaps *maps, StrataLevel level)
{
  g_return_val_if_fail (maps != NULL && level >= 0 && level < STRATA_N_LEVELS, NULL);
  return maps->level[level].heat;
}

const int *
strata_feature_maps_get_order (StrataFeatureMaps *maps, StrataLevel level)
{
  g_return_val_if_fail (maps != NULL && level >= 0 && level < STRATA_N_LEVELS, NULL);
  return maps->level[level].order;
}

const guint8 *
strata_feature_maps_get_rgb (StrataFeatureMaps *maps, StrataLevel level)
{
  g_return_val_if_fail (maps != NULL && level >= 0 && level < STRATA_N_LEVELS, NULL);
  return maps->level[level].rgb;
}

const float *
strata_feature_maps_get_change (StrataFeatureMaps *maps, StrataLevel level)
{
  g_return_val_if_fail (maps != NULL && level >= 0 && level < STRATA_N_LEVELS, NULL);
  return maps->level[level].change;
}

const StrataSection *
strata_feature_maps_get_sections (StrataFeatureMaps *maps, guint *n_sections)
{
  g_return_val_if_fail (maps != NULL && n_sections != NULL, NULL);
  *n_sections = maps->n_sections;
  return maps->sections;
}

guint
strata_feature_maps_find_similar (StrataFeatureMaps *maps, StrataLevel level, double start,
                                  double end, guint max_matches, StrataMatch *matches)
{
  return strata_feature_maps_find_similar_full (maps, level, start, end,
                                                STRATA_FEATURE_SIMILAR_MIN_SCORE, max_matches,
                                                matches);
}

/**
 * strata_feature_maps_find_similar_full:
 * @maps: the maps
 * @level: the stratum to compare at
 * @start: query start, seconds
 * @end: query end, seconds
 * @min_score: matches scoring below this cosine similarity are dropped
 * @max_matches: at most this many
 * @matches: (out caller-allocates): (@max_matches) results in seconds, best first
 *
 * strata_feature_maps_find_similar() with the score threshold given.
 *
 * Returns: the number of matches
 */
guint
strata_feature_maps_find_similar_full (StrataFeatureMaps *maps, StrataLevel level, double start,
                                       double end, double min_score, guint max_matches,
                                       StrataMatch *matches)
{
  g_return_val_if_fail (maps != NULL && level >= 0 && level < STRATA_N_LEVELS, 0);

  const StrataFeatureLevel *fl = &maps->features->level[level];
  int q0, q1;
  guint n;

  if (fl->T <= 0 || maps->level[level].z == NULL || !(end > start) || fl->rate <= 0)
    return 0;
  q0 = (int) CLAMP (floor (start * fl->rate), 0, fl->T - 1);
  q1 = (int) CLAMP (ceil (end * fl->rate), q0 + 1, fl->T);
  n = strata_feature_find_similar (maps->level[level].z, fl->T, fl->D, q0, q1, max_matches,
                                   min_score, matches);
  for (guint i = 0; i < n; i++)
    {
      matches[i].start /= fl->rate;
      matches[i].end /= fl->rate;
    }
  return n;
}
