/* bench-model.c: the foundation model's speed and what its strata know.
 *
 * 1. Speed: a 4-minute FLAC (the demo track tiled) decoded and its features
 *    extracted (1 and 2 OpenBLAS threads); seconds and peak memory
 *    (ru_maxrss) against the target (≤ 4 s, < 1 GB).
 * 2. Linear probes (issue 5 §2), fitted on the training corpus and scored
 *    on the validation corpus (another sound font), for each of: coarse,
 *    medium, fine features of the trained model, the same of a randomly
 *    initialised copy (control), and plain standardised log-mel:
 *      style      per 10-s clip, mean-pooled features, softmax regression,
 *                 accuracy;
 *      instrument per clip, the six stems' presence, logistic, mean AUC;
 *      pitch      per fine frame (every 8th), the 12 pitch classes sounding
 *                 (non-drum notes), logistic, mean AUC; coarser levels are
 *                 repeated to the fine rate.
 * 3. Stage-1 reconstruction MSE (standardised log-mel, hard codes) of the
 *    validation corpus with coarse only, coarse + medium, and all levels.
 *
 * Corpora: $STRATA_TRAIN_CORPUS and $STRATA_VALID_CORPUS (corpus folders
 * from `strata-cli corpus render`), default /work/corpora/{train,valid};
 * the probes are skipped without them. Model: $STRATA_MODEL_PATH or the
 * default model. $STRATA_BENCH_MAX_PIECES limits the training pieces.
 * Reports only; never fails on timing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "audio/strata-audio.h"
#include "model/strata-model-private.h"

#include <cblas.h>   /* last: it may define I (complex.h) */

#define CLIP_S 10.0
#define FRAME_STEP 8
#define N_STEMS 6
#define N_REPR 7   /* trained c/m/f, random c/m/f, log-mel */

static const char *const stems[N_STEMS] = { "drums", "bass", "guitar", "piano", "vocals", "other" };
static const char *const repr_names[N_REPR] = {
  "coarse", "medium", "fine", "random coarse", "random medium", "random fine", "log-mel",
};

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static long
peak_rss_mb (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

/* ------------------------------------------------------------ speed */

/* A real 4-minute FLAC (the demo track repeated), decoded and analysed as
 * `strata-cli features` does, at 1 and 2 threads; target ≤ 4 s and < 1 GB. */
static void
bench_speed (StrataModel *m)
{
  g_autofree char *demo = g_build_filename (STRATA_SOURCE_DIR, "resources", "demo",
                                            "strata-demo.flac", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataAudio) a = strata_audio_decode (demo, NULL, NULL, NULL, &error);
  if (!a)
    {
      printf ("speed: skipped (%s)\n", error->message);
      return;
    }
  const gint64 n = strata_audio_get_n_frames (a), want = 240 * 44100;
  float *s = g_new (float, 2 * want);
  for (gint64 i = 0; i < want; i++)
    {
      s[2 * i] = strata_audio_get_samples (a)[2 * (i % n)];
      s[2 * i + 1] = strata_audio_get_samples (a)[2 * (i % n) + 1];
    }
  g_autofree char *dir = g_dir_make_tmp ("strata-bench-model-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "four-minutes.flac", NULL);
  const gboolean written = strata_audio_write (path, s, want, 2, 44100,
                                               STRATA_AUDIO_FORMAT_FLAC, &error);
  g_free (s);
  if (!written)
    {
      printf ("speed: skipped (%s)\n", error->message);
      return;
    }
  for (int threads = 1; threads <= 2; threads++)
    {
      strata_nn_set_num_threads (threads);
      double t0 = now ();
      g_autoptr (StrataAudio) four = strata_audio_decode (path, NULL, NULL, NULL, &error);
      g_assert_nonnull (four);
      const double t_dec = now () - t0;
      t0 = now ();
      g_autoptr (StrataFeatures) f = strata_model_extract (m, four, NULL, NULL, NULL, NULL, NULL,
                                                           &error);
      const double t_ext = now () - t0;
      g_assert_nonnull (f);
      const long rss = peak_rss_mb ();
      printf ("speed (%d thread%s): 4-min FLAC: decode %.2f s + features %.2f s = %.2f s; "
              "peak RSS %ld MB (target <= 4 s and < 1 GB: %s)\n", threads, threads > 1 ? "s" : "",
              t_dec, t_ext, t_dec + t_ext, rss,
              t_dec + t_ext <= 4.0 && rss < 1024 ? "met" : "NOT met");
    }
  g_remove (path);
  g_rmdir (dir);
}

/* ------------------------------------------------------------ data */

typedef struct {
  int n, d;
  float *x;     /* (n, d) */
} Mat;

typedef struct {
  GArray *x[N_REPR];    /* floats, rows of d[r] */
  int d[N_REPR];
  GArray *style;        /* int per clip */
  GArray *inst;         /* float (N_STEMS) per clip */
  GArray *fx[N_REPR];   /* frame rows */
  GArray *pitch;        /* float (12) per frame */
} Set;

static void
set_init (Set *s)
{
  for (int r = 0; r < N_REPR; r++)
    {
      s->x[r] = g_array_new (FALSE, FALSE, sizeof (float));
      s->fx[r] = g_array_new (FALSE, FALSE, sizeof (float));
    }
  s->style = g_array_new (FALSE, FALSE, sizeof (int));
  s->inst = g_array_new (FALSE, FALSE, sizeof (float));
  s->pitch = g_array_new (FALSE, FALSE, sizeof (float));
}

static int
style_index (const char *style)
{
  static const char *const styles[] = {
    "pop", "rock", "metal", "blues", "jazz", "funk", "reggae", "country", "electronic",
    "hiphop", "ballad", "bossa", "waltz", "chamber",
  };
  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    if (g_strcmp0 (styles[i], style) == 0)
      return (int) i;
  return -1;
}

/* Adds one piece: features of both models and log-mel, labels. */
static gboolean
add_piece (Set *set, const char *dir, StrataModel *models[2])
{
  g_autofree char *mix = g_build_filename (dir, "mix.flac", NULL);
  g_autofree char *tags = g_build_filename (dir, "tags.json", NULL);
  g_autofree char *notes = g_build_filename (dir, "notes.csv", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, tags, NULL))
    return FALSE;
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  int style = style_index (json_object_get_string_member_with_default (o, "style", ""));
  float present[N_STEMS] = { 0 };
  JsonArray *sp = json_object_get_array_member (o, "stems_present");
  for (guint k = 0; sp && k < json_array_get_length (sp); k++)
    for (int s = 0; s < N_STEMS; s++)
      if (g_strcmp0 (json_array_get_string_element (sp, k), stems[s]) == 0)
        present[s] = 1.0f;
  g_autoptr (StrataAudio) audio = strata_audio_decode (mix, NULL, NULL, NULL, &error);
  if (!audio || style < 0)
    return FALSE;
  StrataFeatures *f[2];
  for (int k = 0; k < 2; k++)
    {
      f[k] = strata_model_extract (models[k], audio, NULL, NULL, NULL, NULL, NULL, &error);
      g_assert_nonnull (f[k]);
    }
  const gint64 n = strata_audio_get_n_frames (audio);
  g_autofree float *mono = g_new (float, n);
  for (gint64 i = 0; i < n; i++)
    mono[i] = 0.5f * (strata_audio_get_samples (audio)[2 * i] +
                      strata_audio_get_samples (audio)[2 * i + 1]);
  int T_mel;
  g_autofree float *mel = _strata_log_mel_raw (mono, n, &T_mel);
  const int T = MIN (T_mel, f[0]->level[2].T);
  /* pitch classes per fine frame */
  g_autofree float *pc = g_new0 (float, (gsize) T * 12);
  gchar *csv = NULL;
  if (g_file_get_contents (notes, &csv, NULL, NULL))
    {
      g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
      for (int i = 1; lines[i]; i++)
        {
          g_auto (GStrv) c = g_strsplit (lines[i], ",", -1);
          if (g_strv_length (c) < 6 || g_str_equal (c[5], "drums"))
            continue;
          double on = g_ascii_strtod (c[0], NULL), off = g_ascii_strtod (c[1], NULL);
          int p = atoi (c[2]) % 12;
          for (int t = (int) (on * 44100 / 512); t < T && t <= (int) (off * 44100 / 512); t++)
            if (t >= 0)
              pc[t * 12 + p] = 1.0f;
        }
      g_free (csv);
    }
  /* rows of representation r at fine frame t */
  for (int t = 0; t < T; t += FRAME_STEP)
    {
      for (int r = 0; r < N_REPR; r++)
        {
          if (r == 6)
            g_array_append_vals (set->fx[r], mel + (size_t) t * 128, 128);
          else
            {
              const StrataFeatureLevel *fl = &f[r / 3]->level[r % 3];
              const int row = t >> (2 * (2 - r % 3));
              g_array_append_vals (set->fx[r], fl->features + (size_t) row * fl->D, fl->D);
            }
        }
      g_array_append_vals (set->pitch, pc + (size_t) t * 12, 12);
    }
  /* clips */
  const int clip = (int) (CLIP_S * 44100 / 512);
  for (int c0 = 0; c0 + clip <= T; c0 += clip)
    {
      for (int r = 0; r < N_REPR; r++)
        {
          int D, shift = 0;
          const float *src;
          if (r == 6)
            D = 128, src = mel;
          else
            {
              const StrataFeatureLevel *fl = &f[r / 3]->level[r % 3];
              D = fl->D, src = fl->features, shift = 2 * (2 - r % 3);
            }
          set->d[r] = D;
          g_autofree float *mean = g_new0 (float, D);
          const int a = c0 >> shift, b = (c0 + clip) >> shift;
          for (int t = a; t < b; t++)
            for (int d = 0; d < D; d++)
              mean[d] += src[(size_t) t * D + d] / (b - a);
          g_array_append_vals (set->x[r], mean, D);
        }
      g_array_append_val (set->style, style);
      g_array_append_vals (set->inst, present, N_STEMS);
    }
  for (int r = 0; r < 6; r++)
    set->d[r] = f[r / 3]->level[r % 3].D;
  set->d[6] = 128;
  strata_features_unref (f[0]);
  strata_features_unref (f[1]);
  return TRUE;
}

/* g_ptr_array_sort() passes pointers to the elements */
static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static int
load_set (Set *set, const char *corpus, StrataModel *models[2], int max_pieces)
{
  g_autoptr (GDir) dir = g_dir_open (corpus, 0, NULL);
  if (!dir)
    return 0;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *nm;
  while ((nm = g_dir_read_name (dir)))
    if (nm[0] != '.')
      g_ptr_array_add (names, g_build_filename (corpus, nm, NULL));
  g_ptr_array_sort (names, compare_paths);
  int n = 0;
  for (guint i = 0; i < names->len && n < max_pieces; i++)
    if (g_file_test (names->pdata[i], G_FILE_TEST_IS_DIR))
      n += add_piece (set, names->pdata[i], models);
  return n;
}

/* ------------------------------------------------------------ probes */

/* Fits W (D+1, C) by full-batch Adam on standardised features.
 * softmax: y holds class ids (int); else y (n, C) in {0,1}, independent
 * sigmoids. Returns test predictions (n_test, C) as probabilities. */
static float *
fit_probe (const float *xtr, int ntr, const float *xte, int nte, int D, int C,
           const void *ytr, gboolean softmax)
{
  g_autofree float *mu = g_new0 (float, D), *sd = g_new0 (float, D);
  for (int i = 0; i < ntr; i++)
    for (int d = 0; d < D; d++)
      mu[d] += xtr[(size_t) i * D + d] / ntr;
  for (int i = 0; i < ntr; i++)
    for (int d = 0; d < D; d++)
      sd[d] += powf (xtr[(size_t) i * D + d] - mu[d], 2) / ntr;
  for (int d = 0; d < D; d++)
    sd[d] = sqrtf (sd[d]) + 1e-6f;
  const int D1 = D + 1;
  g_autofree float *A = g_new (float, (size_t) ntr * D1), *B = g_new (float, (size_t) nte * D1);
  for (int i = 0; i < ntr; i++)
    {
      for (int d = 0; d < D; d++)
        A[(size_t) i * D1 + d] = (xtr[(size_t) i * D + d] - mu[d]) / sd[d];
      A[(size_t) i * D1 + D] = 1.0f;
    }
  for (int i = 0; i < nte; i++)
    {
      for (int d = 0; d < D; d++)
        B[(size_t) i * D1 + d] = (xte[(size_t) i * D + d] - mu[d]) / sd[d];
      B[(size_t) i * D1 + D] = 1.0f;
    }
  g_autofree float *W = g_new0 (float, (size_t) D1 * C), *G = g_new0 (float, (size_t) D1 * C);
  g_autofree float *m1 = g_new0 (float, (size_t) D1 * C), *m2 = g_new0 (float, (size_t) D1 * C);
  g_autofree float *Z = g_new (float, (size_t) ntr * C);
  const float lr = 0.05f, l2 = 1e-3f;
  for (int it = 1; it <= 300; it++)
    {
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, ntr, C, D1, 1.0f, A, D1, W, C,
                   0.0f, Z, C);
      for (int i = 0; i < ntr; i++)
        {
          float *z = Z + (size_t) i * C;
          if (softmax)
            {
              float mx = z[0], sum = 0;
              for (int c = 1; c < C; c++)
                mx = MAX (mx, z[c]);
              for (int c = 0; c < C; c++)
                sum += (z[c] = expf (z[c] - mx));
              for (int c = 0; c < C; c++)
                z[c] = (z[c] / sum - (c == ((const int *) ytr)[i])) / ntr;
            }
          else
            for (int c = 0; c < C; c++)
              z[c] = (1.0f / (1.0f + expf (-z[c])) - ((const float *) ytr)[(size_t) i * C + c]) / ntr;
        }
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, D1, C, ntr, 1.0f, A, D1, Z, C, 0.0f,
                   G, C);
      for (size_t k = 0; k < (size_t) D1 * C; k++)
        {
          float g = G[k] + l2 * W[k];
          m1[k] = 0.9f * m1[k] + 0.1f * g;
          m2[k] = 0.999f * m2[k] + 0.001f * g * g;
          W[k] -= lr * (m1[k] / (1 - powf (0.9f, it))) /
                  (sqrtf (m2[k] / (1 - powf (0.999f, it))) + 1e-8f);
        }
    }
  float *P = g_new (float, (size_t) nte * C);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, nte, C, D1, 1.0f, B, D1, W, C, 0.0f,
               P, C);
  return P;
}

typedef struct {
  float s;
  float y;
} Scored;

static int
cmp_scored (const void *a, const void *b)
{
  float x = ((const Scored *) a)->s, y = ((const Scored *) b)->s;
  return x < y ? -1 : x > y;
}

/* Mean ROC AUC over the classes that have both labels in the test set. */
static double
mean_auc (const float *P, const float *Y, int n, int C)
{
  double sum = 0;
  int used = 0;
  g_autofree Scored *s = g_new (Scored, n);
  for (int c = 0; c < C; c++)
    {
      double pos = 0;
      for (int i = 0; i < n; i++)
        s[i] = (Scored) { P[(size_t) i * C + c], Y[(size_t) i * C + c] }, pos += s[i].y > 0.5f;
      if (pos == 0 || pos == n)
        continue;
      qsort (s, n, sizeof *s, cmp_scored);
      double rank_sum = 0;
      for (int i = 0; i < n; i++)
        if (s[i].y > 0.5f)
          rank_sum += i + 1;
      sum += (rank_sum - pos * (pos + 1) / 2) / (pos * (n - pos));
      used++;
    }
  return used ? sum / used : NAN;
}

static void
bench_probes (StrataModel *trained)
{
  const char *tr_dir = g_getenv ("STRATA_TRAIN_CORPUS") ? g_getenv ("STRATA_TRAIN_CORPUS")
                                                        : "/work/corpora/train";
  const char *va_dir = g_getenv ("STRATA_VALID_CORPUS") ? g_getenv ("STRATA_VALID_CORPUS")
                                                        : "/work/corpora/valid";
  if (!g_file_test (tr_dir, G_FILE_TEST_IS_DIR) || !g_file_test (va_dir, G_FILE_TEST_IS_DIR))
    {
      printf ("probes: skipped (no corpora at %s and %s)\n", tr_dir, va_dir);
      return;
    }
  /* the control: same architecture, random weights, the trained front end */
  HqVae vae;
  Prior priors[3];
  g_assert_true (_strata_hqvae_init (&vae, &trained->vae.cfg, 0));
  _strata_hqvae_init_random (&vae, 12345);
  memcpy (strata_params_value (&vae.params, vae.i_mean),
          strata_params_value (&trained->vae.params, trained->vae.i_mean), 128 * sizeof (float));
  memcpy (strata_params_value (&vae.params, vae.i_std),
          strata_params_value (&trained->vae.params, trained->vae.i_std), 128 * sizeof (float));
  for (int l = 0; l < 3; l++)
    {
      g_assert_true (_strata_prior_init (&priors[l], &trained->vae.cfg, l, 0));
      _strata_prior_init_random (&priors[l], 777 + (uint64_t) l);
    }
  StrataModel *random = _strata_model_new_from_parts (&vae, priors, "random");
  StrataModel *models[2] = { trained, random };
  const char *mp = g_getenv ("STRATA_BENCH_MAX_PIECES");
  Set tr, va;
  set_init (&tr);
  set_init (&va);
  double t0 = now ();
  int ntp = load_set (&tr, tr_dir, models, mp ? atoi (mp) : 1000);
  int nvp = load_set (&va, va_dir, models, 1000);
  printf ("probes: %d training pieces (%u clips, %u frames), %d validation pieces (%u clips, "
          "%u frames); features in %.0f s\n", ntp, tr.style->len, tr.pitch->len / 12, nvp,
          va.style->len, va.pitch->len / 12, now () - t0);
  printf ("  %-15s %8s %12s %10s\n", "features", "style", "instrument", "pitch");
  printf ("  %-15s %8s %12s %10s\n", "", "acc", "mean AUC", "mean AUC");
  for (int r = 0; r < N_REPR; r++)
    {
      const int D = tr.d[r], nc = (int) tr.style->len, nvc = (int) va.style->len;
      g_autofree float *Ps = fit_probe ((float *) tr.x[r]->data, nc, (float *) va.x[r]->data, nvc,
                                        D, 14, tr.style->data, TRUE);
      int correct = 0;
      for (int i = 0; i < nvc; i++)
        {
          int best = 0;
          for (int c = 1; c < 14; c++)
            if (Ps[i * 14 + c] > Ps[i * 14 + best])
              best = c;
          correct += best == g_array_index (va.style, int, i);
        }
      g_autofree float *Pi = fit_probe ((float *) tr.x[r]->data, nc, (float *) va.x[r]->data, nvc,
                                        D, N_STEMS, tr.inst->data, FALSE);
      const int nf = (int) tr.pitch->len / 12, nvf = (int) va.pitch->len / 12;
      g_autofree float *Pp = fit_probe ((float *) tr.fx[r]->data, nf, (float *) va.fx[r]->data,
                                        nvf, D, 12, tr.pitch->data, FALSE);
      printf ("  %-15s %7.1f%% %12.3f %10.3f\n", repr_names[r], 100.0 * correct / MAX (nvc, 1),
              mean_auc (Pi, (float *) va.inst->data, nvc, N_STEMS),
              mean_auc (Pp, (float *) va.pitch->data, nvf, 12));
    }
  printf ("  (chance: style %.1f%%, AUC 0.5)\n", 100.0 / 14);
  strata_model_unref (random);
}

/* ------------------------------------------------------------ reconstruction */

static void
bench_recon (StrataModel *m)
{
  const char *va_dir = g_getenv ("STRATA_VALID_CORPUS") ? g_getenv ("STRATA_VALID_CORPUS")
                                                        : "/work/corpora/valid";
  g_autoptr (GDir) dir = g_dir_open (va_dir, 0, NULL);
  if (!dir)
    return;
  HqActs *a = _strata_hqvae_acts_new (&m->vae, 1, 1024);
  double mse[3] = { 0 };
  int chunks = 0;
  const char *nm;
  while ((nm = g_dir_read_name (dir)))
    {
      g_autofree char *mix = g_build_filename (va_dir, nm, "mix.flac", NULL);
      g_autoptr (StrataAudio) audio = strata_audio_decode (mix, NULL, NULL, NULL, NULL);
      if (!audio)
        continue;
      const gint64 n = strata_audio_get_n_frames (audio);
      g_autofree float *mono = g_new (float, n);
      for (gint64 i = 0; i < n; i++)
        mono[i] = 0.5f * (strata_audio_get_samples (audio)[2 * i] +
                          strata_audio_get_samples (audio)[2 * i + 1]);
      int T;
      g_autofree float *mel = _strata_model_input (&m->vae, mono, n, &T);
      for (int s = 0; s + 1024 <= T; s += 1024)
        {
          memcpy (_strata_hqvae_acts_input (a), mel + (size_t) s * 128, 1024 * 128 * sizeof (float));
          for (int k = 0; k < 3; k++)
            {
              HqStats st;
              _strata_hqvae_forward (&m->vae, a, false, NULL, 1.0f, k + 1, &st);
              mse[k] += st.rec_mse;
            }
          chunks++;
        }
    }
  _strata_hqvae_acts_free (a);
  if (chunks)
    printf ("reconstruction MSE, validation corpus (standardised log-mel, hard codes, %d "
            "chunks of 11.9 s): coarse %.4f  coarse+medium %.4f  all %.4f\n", chunks,
            mse[0] / chunks, mse[1] / chunks, mse[2] / chunks);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataModel) m = strata_model_load_default (&error);
  if (!m)
    {
      printf ("model benchmark skipped: %s\n", error->message);
      return 0;
    }
  printf ("model %s (%s)\n", strata_model_get_path (m), strata_model_get_version (m));
  bench_speed (m);
  strata_nn_set_num_threads (2);
  bench_recon (m);
  bench_probes (m);
  return 0;
}
