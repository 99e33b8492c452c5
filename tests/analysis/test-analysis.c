/* test-analysis.c: core/analysis: heatmap ordering and PCA colours on
 * features with known structure, similarity search on planted repeats,
 * sections at planted changes, the cache payload (round trip, hostile
 * blobs) and the features engine job (extract, cache, cancel).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "analysis/strata-feature-maps.h"
#include "tasks/strata-cache.h"
#include "tasks/strata-features-task.h"
#include "tasks/strata-track-load.h"
#include "strata-test-model.h"

static double
gauss (GRand *r)
{
  double u = g_rand_double_range (r, 1e-12, 1.0), v = g_rand_double (r);
  return sqrt (-2.0 * log (u)) * cos (2 * G_PI * v);
}

/* ------------------------------------------------------------ PCA */

/* Dimensions 0, 3, 5 follow a latent signal, 1 and 6 its negative, 2, 4, 7
 * are weak independent noise: ordered by PC1 the first three rows are
 * {0, 3, 5} and the last two {1, 6}. */
static void
test_order (void)
{
  enum { T = 400, D = 8 };
  g_autoptr(GRand) r = g_rand_new_with_seed (1);
  g_autofree float *x = g_new (float, T * D);

  for (int t = 0; t < T; t++)
    {
      double s = sin (t * 0.05) * 3.0;
      for (int d = 0; d < D; d++)
        {
          double sign = (d == 0 || d == 3 || d == 5) ? 1 : (d == 1 || d == 6) ? -1 : 0;
          x[t * D + d] = (float) (sign * s * (1.0 + 0.1 * d) + 0.2 * gauss (r) + 10.0 * d);
        }
    }
  g_autofree float *z = strata_feature_standardize (x, T, D);
  /* Standardised: mean 0, variance 1. */
  for (int d = 0; d < D; d++)
    {
      double m = 0, v = 0;
      for (int t = 0; t < T; t++)
        m += z[t * D + d];
      m /= T;
      for (int t = 0; t < T; t++)
        v += (z[t * D + d] - m) * (z[t * D + d] - m);
      g_assert_cmpfloat_with_epsilon (m, 0.0, 1e-5);
      g_assert_cmpfloat_with_epsilon (v / T, 1.0, 1e-4);
    }
  g_autofree int *order = strata_feature_order_dims (z, T, D);
  gboolean seen[D] = { FALSE };
  for (int j = 0; j < D; j++)
    {
      g_assert_cmpint (order[j], >=, 0);
      g_assert_cmpint (order[j], <, D);
      g_assert_false (seen[order[j]]);
      seen[order[j]] = TRUE;
    }
  for (int j = 0; j < 3; j++)
    g_assert_true (order[j] == 0 || order[j] == 3 || order[j] == 5);
  for (int j = 6; j < 8; j++)
    g_assert_true (order[j] == 1 || order[j] == 6);

  /* PC1 explains almost all of the correlated dimensions' variance (5 of 8). */
  float pc[2 * D];
  double var[2];
  strata_feature_pca (z, T, D, 2, pc, var);
  g_assert_cmpfloat (var[0], >, 4.5);
  g_assert_cmpfloat (var[0], <, 5.2);
  g_assert_cmpfloat (var[1], <, var[0]);
  double dot = 0, n0 = 0;
  for (int d = 0; d < D; d++)
    {
      dot += pc[d] * pc[D + d];
      n0 += pc[d] * pc[d];
    }
  g_assert_cmpfloat_with_epsilon (n0, 1.0, 1e-4);
  g_assert_cmpfloat_with_epsilon (dot, 0.0, 1e-3);
}

static int
rgb_dist (const guint8 *a, const guint8 *b)
{
  return abs (a[0] - b[0]) + abs (a[1] - b[1]) + abs (a[2] - b[2]);
}

/* Frames from four clusters (spanning three principal components) get four
 * clearly different colours, frames of one cluster nearly the same colour. */
static void
test_pca_rgb (void)
{
  enum { T = 300, D = 12 };
  g_autoptr(GRand) r = g_rand_new_with_seed (2);
  g_autofree float *x = g_new (float, T * D);
  float centre[4][D];
  guint8 rgb[T * 3];

  for (int c = 0; c < 4; c++)
    for (int d = 0; d < D; d++)
      centre[c][d] = (float) (3.0 * gauss (r));
  for (int t = 0; t < T; t++)
    for (int d = 0; d < D; d++)
      x[t * D + d] = centre[(t / 10) % 4][d] + (float) (0.1 * gauss (r));
  g_autofree float *z = strata_feature_standardize (x, T, D);
  strata_feature_pca_rgb (z, T, D, rgb);

  for (int t = 0; t < T; t++)
    {
      int c = (t / 10) % 4;
      g_assert_cmpint (rgb_dist (rgb + t * 3, rgb + c * 10 * 3), <, 30);
      for (int o = 0; o < 4; o++)
        if (o != c)
          g_assert_cmpint (rgb_dist (rgb + t * 3, rgb + o * 10 * 3), >, 100);
    }

  /* Fewer than three dimensions: the missing channels are grey. */
  float two[4 * 2] = { 0, 1, 1, 0, 2, 3, 3, 2 };
  guint8 out[4 * 3];
  g_autofree float *z2 = strata_feature_standardize (two, 4, 2);
  strata_feature_pca_rgb (z2, 4, 2, out);
  for (int t = 0; t < 4; t++)
    g_assert_cmpint (out[t * 3 + 2], ==, 128);
}

/* ------------------------------------------------------------ similarity */

static void
test_similar (void)
{
  enum { T = 600, D = 16, L = 20 };
  static const int planted[3] = { 50, 300, 480 };
  g_autoptr(GRand) r = g_rand_new_with_seed (3);
  g_autofree float *x = g_new (float, T * D);
  float motif[D];
  StrataMatch m[8];

  for (int d = 0; d < D; d++)
    motif[d] = (float) (2.0 * gauss (r));
  for (int t = 0; t < T; t++)
    for (int d = 0; d < D; d++)
      x[t * D + d] = (float) gauss (r);
  for (int p = 0; p < 3; p++)
    for (int t = planted[p]; t < planted[p] + L; t++)
      for (int d = 0; d < D; d++)
        x[t * D + d] = motif[d] + (float) (0.3 * gauss (r));
  g_autofree float *z = strata_feature_standardize (x, T, D);

  guint n = strata_feature_find_similar (z, T, D, planted[0], planted[0] + L, 8, 0.5, m);
  g_assert_cmpuint (n, >=, 2);
  g_assert_true ((m[0].start == planted[1] && m[1].start == planted[2])
                 || (m[0].start == planted[2] && m[1].start == planted[1]));
  g_assert_cmpfloat (m[0].end - m[0].start, ==, L);
  g_assert_cmpfloat (m[1].score, >, 0.9);
  g_assert_cmpfloat (m[0].score, >=, m[1].score);
  for (guint i = 2; i < n; i++)
    {
      g_assert_cmpfloat (m[i].score, <, 0.8);
      g_assert_cmpfloat (m[i].score, <=, m[i - 1].score);
    }
  /* No result overlaps the query or another result. */
  for (guint i = 0; i < n; i++)
    {
      g_assert_true (m[i].end <= planted[0] || m[i].start >= planted[0] + L);
      for (guint j = 0; j < i; j++)
        g_assert_true (m[i].end <= m[j].start || m[i].start >= m[j].end);
    }
  /* A high threshold keeps only the two repeats. */
  n = strata_feature_find_similar (z, T, D, planted[0], planted[0] + L, 8, 0.9, m);
  g_assert_cmpuint (n, ==, 2);
  /* The whole level as the query leaves nothing else. */
  g_assert_cmpuint (strata_feature_find_similar (z, T, D, 0, T, 8, -1.0, m), ==, 0);
}

/* The order of events counts: a motif played backwards (its four parts
 * in reverse) scores below the motif itself, and stationary noise finds
 * nothing at the default threshold. */
static void
test_similar_order (void)
{
  enum { T = 400, D = 24, P = 8 };   /* four parts of P frames */
  g_autoptr(GRand) r = g_rand_new_with_seed (5);
  g_autofree float *x = g_new (float, T * D);
  float part[4][D];
  StrataMatch m[8];

  for (int k = 0; k < 4; k++)
    for (int d = 0; d < D; d++)
      part[k][d] = (float) (2.0 * gauss (r));
  for (int t = 0; t < T; t++)
    for (int d = 0; d < D; d++)
      x[t * D + d] = (float) gauss (r);
  /* The motif at 40 and 240, reversed at 140. */
  for (int k = 0; k < 4; k++)
    for (int t = 0; t < P; t++)
      for (int d = 0; d < D; d++)
        {
          x[(40 + k * P + t) * D + d] = part[k][d] + (float) (0.3 * gauss (r));
          x[(240 + k * P + t) * D + d] = part[k][d] + (float) (0.3 * gauss (r));
          x[(140 + k * P + t) * D + d] = part[3 - k][d] + (float) (0.3 * gauss (r));
        }
  g_autofree float *z = strata_feature_standardize (x, T, D);
  guint n = strata_feature_find_similar (z, T, D, 40, 40 + 4 * P, 8, -1.0, m);
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpfloat (m[0].start, ==, 240);
  g_assert_cmpfloat (m[0].score, >, 0.9);
  for (guint i = 1; i < n; i++)
    if (m[i].start == 140)
      g_assert_cmpfloat (m[i].score, <, 0.5);

  /* Noise alone: nothing at the window's default threshold. */
  for (int t = 0; t < T; t++)
    for (int d = 0; d < D; d++)
      x[t * D + d] = (float) gauss (r);
  g_autofree float *noise = strata_feature_standardize (x, T, D);
  g_assert_cmpuint (strata_feature_find_similar (noise, T, D, 100, 100 + 4 * P, 8,
                                                 STRATA_FEATURE_SIMILAR_MIN_SCORE, m), ==, 0);
}

/* The change curve peaks where the features change and stays low inside
 * constant passages; it lies in [0, 1]. */
static void
test_change (void)
{
  enum { T = 300, D = 16 };
  g_autoptr(GRand) r = g_rand_new_with_seed (9);
  g_autofree float *x = g_new (float, T * D);
  float a[D], b[D];

  for (int d = 0; d < D; d++)
    {
      a[d] = (float) (2.0 * gauss (r));
      b[d] = (float) (2.0 * gauss (r));
    }
  for (int t = 0; t < T; t++)
    for (int d = 0; d < D; d++)
      x[t * D + d] = (t < 150 ? a[d] : b[d]) + (float) (0.2 * gauss (r));
  g_autofree float *z = strata_feature_standardize (x, T, D);
  g_autofree float *c = strata_feature_change (z, T, D, 10);
  int peak = 0;

  for (int t = 0; t < T; t++)
    {
      g_assert_cmpfloat (c[t], >=, 0.0f);
      g_assert_cmpfloat (c[t], <=, 1.0f);
      if (c[t] > c[peak])
        peak = t;
    }
  /* (The top 1 % is clipped to 1: the first of the frames there.) */
  g_assert_cmpint (ABS (peak - 150), <=, 2);
  g_assert_cmpfloat (c[150], >=, 0.9f);
  g_assert_cmpfloat (c[75], <, 0.2f);
  g_assert_cmpfloat (c[225], <, 0.2f);
}

/* ------------------------------------------------------------ sections */

/* Blocks of @pattern ("ABA"), each @len frames of its letter's vector plus
 * noise; returns standardised features. */
static float *
blocks (const char *pattern, int len, int D, GRand *r, int *T_out)
{
  int T = (int) strlen (pattern) * len;
  g_autofree float *x = g_new (float, (gsize) T * D);
  float centre[26][32];

  g_assert_cmpint (D, <=, 32);
  for (int c = 0; c < 26; c++)
    for (int d = 0; d < D; d++)
      centre[c][d] = (float) (2.0 * gauss (r));
  for (int t = 0; t < T; t++)
    for (int d = 0; d < D; d++)
      x[t * D + d] = centre[pattern[t / len] - 'A'][d] + (float) (0.4 * gauss (r));
  *T_out = T;
  return strata_feature_standardize (x, T, D);
}

static void
check_sections (const char *pattern, int len, double rate)
{
  enum { D = 24 };
  g_autoptr(GRand) r = g_rand_new_with_seed (4);
  int T;
  guint n;
  g_autofree float *z = blocks (pattern, len, D, r, &T);
  g_autofree StrataSection *s = strata_feature_sections (z, T, D, rate, &n);

  g_test_message ("%s: %u sections", pattern, n);
  {
    /* Novelty near 1 at each planted change. */
    g_autofree double *nov = strata_feature_novelty (z, T, D, 10);
    for (guint i = 1; i < strlen (pattern); i++)
      g_assert_cmpfloat (nov[i * len], >, 0.6);
  }
  g_assert_cmpuint (n, ==, strlen (pattern));
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpfloat (fabs (s[i].start - i * len / rate), <=, 1.01 / rate);
      g_assert_cmpint (s[i].label, ==, pattern[i] - 'A');
      if (i > 0)
        g_assert_cmpfloat (s[i].start, ==, s[i - 1].end);
    }
  g_assert_cmpfloat (s[0].start, ==, 0.0);
  g_assert_cmpfloat_with_epsilon (s[n - 1].end, T / rate, 1e-9);
}

static void
test_sections (void)
{
  check_sections ("ABA", 40, 5.0);
  check_sections ("ABCAB", 60, 44100.0 / 512 / 16);

  /* Without changes: one section, "A". */
  enum { T = 100, D = 8 };
  g_autoptr(GRand) r = g_rand_new_with_seed (5);
  g_autofree float *x = g_new (float, T * D);
  guint n;
  for (int i = 0; i < T * D; i++)
    x[i] = (float) (0.01 * gauss (r)) + (float) (i % D);
  g_autofree float *z = strata_feature_standardize (x, T, D);
  g_autofree StrataSection *s = strata_feature_sections (z, T, D, 5.0, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (s[0].label, ==, 0);
  g_autofree double *nov = strata_feature_novelty (z, T, D, 20);
  for (int t = 0; t < T; t++)
    g_assert_cmpfloat (nov[t], <, 0.25);

  /* A single frame. */
  g_autofree StrataSection *one = strata_feature_sections (z, 1, D, 5.0, &n);
  g_assert_cmpuint (n, ==, 1);

  g_autofree char *a = strata_section_label_name (0);
  g_autofree char *zz = strata_section_label_name (25);
  g_autofree char *a2 = strata_section_label_name (26);
  g_assert_cmpstr (a, ==, "A");
  g_assert_cmpstr (zz, ==, "Z");
  g_assert_cmpstr (a2, ==, "A2");
}

/* ------------------------------------------------------------ cache payload */

static StrataFeatures *
make_features (int seed)
{
  g_autoptr(GRand) r = g_rand_new_with_seed (seed);
  StrataFeatures *f = g_new0 (StrataFeatures, 1);
  static const int Ts[3] = { 5, 20, 80 };

  f->ref_count = 1;
  f->duration = 0.93;
  f->layer = 2;
  f->model_version = g_strdup ("strata-foundation/1/0123456789ab");
  f->condition = g_strsplit ("rock,piano", ",", -1);
  for (int l = 0; l < 3; l++)
    {
      StrataFeatureLevel *fl = &f->level[l];
      fl->T = Ts[l];
      fl->D = 4 + l;
      fl->K = 16;
      fl->rate = 44100.0 / 512 / (1 << (4 - 2 * l));
      fl->features = g_new (float, fl->T * fl->D);
      fl->tokens = g_new (int32_t, fl->T);
      for (int i = 0; i < fl->T * fl->D; i++)
        fl->features[i] = (float) gauss (r);
      for (int t = 0; t < fl->T; t++)
        fl->tokens[t] = g_rand_int_range (r, 0, fl->K);
    }
  return f;
}

static void
assert_same_features (const StrataFeatures *a, const StrataFeatures *b)
{
  g_assert_cmpfloat (a->duration, ==, b->duration);
  g_assert_cmpint (a->layer, ==, b->layer);
  g_assert_cmpstr (a->model_version, ==, b->model_version);
  g_assert_cmpuint (a->condition ? g_strv_length (a->condition) : 0, ==,
                    b->condition ? g_strv_length (b->condition) : 0);
  for (guint i = 0; a->condition && a->condition[i]; i++)
    g_assert_cmpstr (a->condition[i], ==, b->condition[i]);
  for (int l = 0; l < 3; l++)
    {
      g_assert_cmpint (a->level[l].T, ==, b->level[l].T);
      g_assert_cmpint (a->level[l].D, ==, b->level[l].D);
      g_assert_cmpint (a->level[l].K, ==, b->level[l].K);
      g_assert_cmpfloat (a->level[l].rate, ==, b->level[l].rate);
      g_assert_cmpmem (a->level[l].features, a->level[l].T * a->level[l].D * 4,
                       b->level[l].features, b->level[l].T * b->level[l].D * 4);
      g_assert_cmpmem (a->level[l].tokens, a->level[l].T * 4, b->level[l].tokens, b->level[l].T * 4);
    }
}

static void
test_roundtrip (void)
{
  g_autoptr(StrataFeatures) f = make_features (6);
  g_autoptr(GBytes) blob = strata_features_to_bytes (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataFeatures) back = strata_features_from_cache (blob, &error);

  g_assert_no_error (error);
  assert_same_features (f, back);

  /* Without a condition. */
  g_clear_pointer (&f->condition, g_strfreev);
  g_autoptr(GBytes) blob2 = strata_features_to_bytes (f);
  g_autoptr(StrataFeatures) back2 = strata_features_from_cache (blob2, &error);
  g_assert_no_error (error);
  g_assert_null (back2->condition);
  assert_same_features (f, back2);

  /* The cache key depends on every field. */
  const char *c1[] = { "rock", NULL }, *c2[] = { "piano", NULL };
  g_autofree char *k0 = strata_features_dup_cache_key ("ab12", "v1", 2, NULL);
  g_autofree char *k1 = strata_features_dup_cache_key ("ab12", "v1", 2, c1);
  g_autofree char *k2 = strata_features_dup_cache_key ("ab12", "v1", 2, c2);
  g_autofree char *k3 = strata_features_dup_cache_key ("ab12", "v1", 1, NULL);
  g_autofree char *k4 = strata_features_dup_cache_key ("ab12", "v2", 2, NULL);
  g_autofree char *k5 = strata_features_dup_cache_key ("ab13", "v1", 2, NULL);
  g_autofree char *k0b = strata_features_dup_cache_key ("ab12", "v1", 2, NULL);
  const char *keys[] = { k0, k1, k2, k3, k4, k5 };
  g_assert_cmpstr (k0, ==, k0b);
  g_assert_cmpuint (strlen (k0), ==, 64);
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < i; j++)
      g_assert_cmpstr (keys[i], !=, keys[j]);
}

static void
expect_corrupt (const guint8 *data, gsize len)
{
  g_autoptr(GBytes) b = g_bytes_new (data, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataFeatures) f = strata_features_from_cache (b, &error);
  g_assert_null (f);
  g_assert_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INVALID);
}

/* Serialises @f after @edit spoilt it, and expects the blob refused. */
static void
expect_refused (void (*edit) (StrataFeatures *f))
{
  g_autoptr(StrataFeatures) f = make_features (10);
  edit (f);
  g_autoptr(GBytes) blob = strata_features_to_bytes (f);
  gsize len;
  const guint8 *data = g_bytes_get_data (blob, &len);
  expect_corrupt (data, len);
}

static void edit_nan (StrataFeatures *f) { f->level[1].features[3] = NAN; }
static void edit_inf (StrataFeatures *f) { f->level[2].features[0] = -INFINITY; }
static void edit_token_k (StrataFeatures *f) { f->level[0].tokens[4] = f->level[0].K; }
static void edit_token_neg (StrataFeatures *f) { f->level[2].tokens[0] = -1; }
static void edit_rate_nan (StrataFeatures *f) { f->level[1].rate = NAN; }
static void edit_rate_zero (StrataFeatures *f) { f->level[0].rate = 0.0; }
static void edit_duration (StrataFeatures *f) { f->duration = -1.0; }
static void edit_layer (StrataFeatures *f) { f->layer = 0; }

static void
test_hostile (void)
{
  g_autoptr(StrataFeatures) f = make_features (7);
  g_autoptr(GBytes) blob = strata_features_to_bytes (f);
  gsize len;
  const guint8 *orig = g_bytes_get_data (blob, &len);
  g_autofree guint8 *buf = g_memdup2 (orig, len + 8);

  /* Every truncation. */
  for (gsize n = 0; n < len; n++)
    expect_corrupt (orig, n);
  /* Trailing garbage. */
  memset (buf + len, 'x', 8);
  expect_corrupt (buf, len + 4);

  /* Well-formed blobs with values the views cannot draw. */
  expect_refused (edit_nan);
  expect_refused (edit_inf);
  expect_refused (edit_token_k);
  expect_refused (edit_token_neg);
  expect_refused (edit_rate_nan);
  expect_refused (edit_rate_zero);
  expect_refused (edit_duration);
  expect_refused (edit_layer);

  /* Huge sizes in the first level's header (magic, version, duration,
   * layer, condition count come first: 24 bytes). */
  static const gint32 huge[][3] = { { 0x7fffffff, 4, 16 }, { 5, 0x7fffffff, 16 },
                                    { 1 << 24, 4096, 16 }, { -5, 4, 16 }, { 5, 4, 0 } };
  for (guint i = 0; i < G_N_ELEMENTS (huge); i++)
    {
      memcpy (buf, orig, len);
      for (int k = 0; k < 3; k++)
        {
          gint32 v = GINT32_TO_LE (huge[i][k]);
          memcpy (buf + 24 + 4 * k, &v, 4);
        }
      expect_corrupt (buf, len);
    }

  /* Random flips never crash; whatever is accepted is consistent. */
  g_autoptr(GRand) r = g_rand_new_with_seed (8);
  for (int i = 0; i < 3000; i++)
    {
      memcpy (buf, orig, len);
      int flips = g_rand_int_range (r, 1, 4);
      for (int k = 0; k < flips; k++)
        buf[g_rand_int_range (r, 0, (gint32) len)] ^= (guint8) g_rand_int_range (r, 1, 256);
      g_autoptr(GBytes) b = g_bytes_new (buf, len);
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataFeatures) got = strata_features_from_cache (b, &error);
      if (got == NULL)
        g_assert_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INVALID);
      else
        for (int l = 0; l < 3; l++)
          {
            for (int t = 0; t < got->level[l].T; t++)
              g_assert_cmpint (got->level[l].tokens[t], <, got->level[l].K);
            /* And the maps can be made from it. */
          }
      if (got != NULL)
        {
          g_autoptr(StrataFeatureMaps) maps = strata_feature_maps_new (got);
          g_assert_nonnull (maps);
        }
    }
  /* Empty. */
  expect_corrupt ((const guint8 *) "", 0);
}

/* ------------------------------------------------------------ the job */

typedef struct {
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Wait *w = data;
  w->result = g_object_ref (result);
}

static StrataFeatureMaps *
run_job (StrataEngine *engine, StrataModel *model, StrataTrack *track, int layer,
         const char *const *condition, GCancellable *cancellable, GError **error)
{
  Wait w = { NULL };
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  StrataFeatureMaps *maps;

  strata_features_job_async (engine, model, track, layer, condition, cancellable, done_cb, &w);
  while (w.result == NULL && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (w.result);
  maps = strata_features_job_finish (engine, w.result, error);
  g_object_unref (w.result);
  return maps;
}

static void
load_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Wait *w = data;
  w->result = g_object_ref (result);
}

static void
test_job (void)
{
  g_autofree char *dir = g_dir_make_tmp ("strata-analysis-XXXXXX", NULL);
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autofree char *wav = g_build_filename (dir, "tones.wav", NULL);
  g_autoptr(StrataModel) model = strata_test_load_model (dir);
  g_autoptr(StrataEngine) engine = strata_engine_new (cache);
  g_autoptr(GError) error = NULL;
  gint64 n = 5 * STRATA_SAMPLE_RATE;
  g_autofree float *s = g_new (float, n * 2);
  Wait w = { NULL };

  /* Two halves of different chords. */
  for (gint64 i = 0; i < n; i++)
    {
      double t = (double) i / STRATA_SAMPLE_RATE;
      double f = t < 2.5 ? 220.0 : 330.0;
      s[2 * i] = s[2 * i + 1] = (float) (0.3 * sin (2 * G_PI * f * t) + 0.2 * sin (2 * G_PI * f * 1.25 * t));
    }
  g_assert_true (strata_audio_write (wav, s, n, 2, STRATA_SAMPLE_RATE,
                                     STRATA_AUDIO_FORMAT_WAV_PCM16, &error));
  strata_track_load_async (engine, wav, NULL, load_done_cb, &w);
  while (w.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_autoptr(StrataTrack) track = strata_track_load_finish (engine, w.result, &error);
  g_clear_object (&w.result);
  g_assert_no_error (error);

  /* First run: extracted, then cached. */
  g_autoptr(StrataFeatureMaps) maps = run_job (engine, model, track, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  StrataFeatures *f = strata_feature_maps_get_features (maps);
  g_assert_cmpint (f->layer, ==, strata_model_get_default_layer (model));
  g_assert_cmpstr (f->model_version, ==, strata_model_get_version (model));
  for (int l = 0; l < 3; l++)
    {
      const StrataFeatureLevel *fl = &f->level[l];
      g_assert_cmpint (fl->T, >, 0);
      g_assert_cmpint (fl->D, ==, strata_model_get_dim (model, l));
      g_assert_cmpfloat_with_epsilon (fl->T / fl->rate, 5.0, 0.5);
      const float *heat = strata_feature_maps_get_heat (maps, l);
      for (int i = 0; i < fl->T * fl->D; i++)
        g_assert_true (heat[i] >= 0.0f && heat[i] <= 1.0f);
      g_assert_nonnull (strata_feature_maps_get_rgb (maps, l));
      g_assert_nonnull (strata_feature_maps_get_order (maps, l));
    }
  /* The job (the task, on the compute queue) gives the very bytes of a
   * direct extraction at the task layer's BLAS thread count. */
  g_autoptr(StrataFeatures) direct = strata_model_extract (model, strata_track_get_audio (track),
                                                           NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_same_features (f, direct);

  guint n_sec;
  const StrataSection *sec = strata_feature_maps_get_sections (maps, &n_sec);
  g_assert_cmpuint (n_sec, >=, 1);
  g_assert_cmpfloat (sec[0].start, ==, 0.0);

  g_autofree char *key = strata_features_dup_cache_key (strata_track_get_hash (track),
                                                        strata_model_get_version (model),
                                                        f->layer, NULL);
  g_autoptr(GBytes) stored = strata_cache_lookup (strata_engine_get_cache_dir (engine), key, STRATA_FEATURES_CACHE_KIND,
                                                         STRATA_FEATURES_CACHE_VERSION);
  g_assert_nonnull (stored);
  g_autoptr(StrataFeatures) from_cache = strata_features_from_cache (stored, &error);
  g_assert_no_error (error);
  assert_same_features (f, from_cache);

  /* Second run is served from the cache: plant other values there. */
  g_autoptr(StrataFeatures) planted = make_features (9);
  g_free (planted->model_version);
  planted->model_version = g_strdup (strata_model_get_version (model));
  g_clear_pointer (&planted->condition, g_strfreev);
  planted->layer = f->layer;
  g_autoptr(GBytes) blob = strata_features_to_bytes (planted);
  g_assert_true (strata_cache_store (strata_engine_get_cache_dir (engine), key, STRATA_FEATURES_CACHE_KIND,
                                            STRATA_FEATURES_CACHE_VERSION, blob, &error));
  g_autoptr(StrataFeatureMaps) again = run_job (engine, model, track, f->layer, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_same_features (planted, strata_feature_maps_get_features (again));

  /* Similarity search in seconds at the fine level: nothing overlaps the query. */
  StrataMatch m[4];
  guint nm = strata_feature_maps_find_similar (maps, STRATA_LEVEL_FINE, 1.0, 1.5, 4, m);
  for (guint i = 0; i < nm; i++)
    g_assert_true (m[i].end <= 1.0 + 1e-6 || m[i].start >= 1.5 - 1e-6);

  /* A condition gives a separate entry. */
  if (strata_model_get_n_tags (model) > 0)
    {
      const char *cond[] = { strata_model_get_tag_name (model, 0), NULL };
      g_autoptr(StrataFeatureMaps) cm = run_job (engine, model, track, 0, cond, NULL, &error);
      g_assert_no_error (error);
      StrataFeatures *cf = strata_feature_maps_get_features (cm);
      g_assert_nonnull (cf->condition);
      g_assert_cmpstr (cf->condition[0], ==, cond[0]);
    }
  /* An unknown tag is the model's error. */
  const char *bad[] = { "no-such-tag-xyz", NULL };
  g_autoptr(StrataFeatureMaps) none = run_job (engine, model, track, 0, bad, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_BAD_OPTION);
  g_clear_error (&error);

  /* Cancelled before it starts. */
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_cancellable_cancel (cancel);
  g_autoptr(StrataFeatureMaps) cancelled = run_job (engine, model, track, 1, NULL, cancel, &error);
  g_assert_null (cancelled);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  strata_engine_shutdown (engine);
  g_clear_object (&engine);
  g_remove (wav);
  {
    g_autoptr(GDir) d = g_dir_open (cache, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name (d)))
      {
        g_autofree char *p = g_build_filename (cache, name, NULL);
        g_remove (p);
      }
  }
  g_rmdir (cache);
  g_autofree char *mp = g_build_filename (dir, "random-model.safetensors", NULL);
  g_remove (mp);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/strata/analysis/pca/order", test_order);
  g_test_add_func ("/strata/analysis/pca/rgb", test_pca_rgb);
  g_test_add_func ("/strata/analysis/similar/planted", test_similar);
  g_test_add_func ("/strata/analysis/similar/order", test_similar_order);
  g_test_add_func ("/strata/analysis/change", test_change);
  g_test_add_func ("/strata/analysis/sections/planted", test_sections);
  g_test_add_func ("/strata/analysis/cache/roundtrip", test_roundtrip);
  g_test_add_func ("/strata/analysis/cache/hostile", test_hostile);
  g_test_add_func ("/strata/analysis/job", test_job);
  return g_test_run ();
}
