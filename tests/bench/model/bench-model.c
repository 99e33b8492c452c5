/* bench-model.c: the foundation model's speed and what its strata know,
 * for one model or several side by side (version 2 and a candidate).
 *
 * 1. Speed: a 4-minute FLAC (the demo track tiled) decoded and its features
 *    extracted (1 and 2 OpenBLAS threads), in a child process per model so
 *    that its peak memory (ru_maxrss) is its own; target ≤ 4 s, < 1 GB.
 * 2. Stage 1 on the validation corpus, hard codes: reconstruction MSE
 *    (each model's own standardised input) with coarse only, coarse +
 *    medium and all levels; per level the codebook's perplexity, the
 *    fraction of codes in use and the mean max-posterior.
 * 3. Linear probes fitted on the training corpus and scored on the
 *    validation corpus (another sound font), for each model's coarse,
 *    medium and fine features, their concatenation, the same of a randomly
 *    initialised copy (control), plain log-mel (128 Slaney mels) and
 *    plain log-frequency (264 bins):
 *      style       per 10-s clip, mean-pooled, softmax regression, accuracy;
 *      instrument  per clip, the six stems' presence, logistic, mean AUC;
 *      pitch       per fine frame, the 88 sounding pitches (non-drum notes),
 *                  logistic, mean AUC over the pitches present;
 *      pitch class the same folded to 12 classes;
 *      onset       per fine frame, "an onset within ±1 frame", logistic;
 *                  the probability peak-picked and matched one to one with
 *                  the onsets within ±50 ms, F1 (threshold chosen on the
 *                  other half of the validation pieces).
 *    Coarser levels are repeated to the fine rate. With
 *    STRATA_BENCH_LAYERS=1 also every prior layer and the encoder's
 *    continuous latents ẑ of each level (where features come from).
 *
 * Models: `bench-model [--model FILE]...`, or $STRATA_MODEL_PATH (a
 * ':'-separated list), or the default model. Corpora: $STRATA_TRAIN_CORPUS
 * and $STRATA_VALID_CORPUS (folders from `strata-cli corpus render`),
 * default /work/corpora/train and /work/corpora/valid-tim-3; the probes are
 * skipped without them. $STRATA_BENCH_MAX_PIECES limits the training
 * pieces; STRATA_BENCH_RANDOM=0 leaves out the random controls (or
 * =m1,m3 keeps those models' only; STRATA_BENCH_LAYERS also takes a list);
 * STRATA_BENCH_SPEED=m1 times only the models listed.
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
#include <sys/wait.h>
#include <unistd.h>

#include "audio/strata-audio.h"
#include "dsp/strata-logfreq.h"
#include "model/strata-model-private.h"

#include <cblas.h>   /* last: it may define I (complex.h) */

#define CLIP_S 10.0
#define TRAIN_STEP 16   /* fine frames between the frame probes' training rows */
#define TEST_STEP 8     /* fine frames between the AUC probes' scored rows */
#define N_STEMS 6
#define N_STYLES 14
#define N_PITCH 88
#define ONSET_TOL 0.05

static const char *const stems[N_STEMS] = { "drums", "bass", "guitar", "piano", "vocals", "other" };

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

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
bench_speed (StrataModel *m, const char *label)
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
      printf ("%s speed (%d thread%s): 4-min FLAC: decode %.2f s + features %.2f s = %.2f s; "
              "peak RSS %ld MB (target <= 4 s and < 1 GB: %s)\n", label, threads,
              threads > 1 ? "s" : "",
              t_dec, t_ext, t_dec + t_ext, rss,
              t_dec + t_ext <= 4.0 && rss < 1024 ? "met" : "NOT met");
    }
  g_remove (path);
  g_rmdir (dir);
}

/* ------------------------------------------------------------ data */

/* A source is one sequence per piece at a level's rate (fine >> shift):
 * a stratum of a model at one prior layer, a level's encoder latents, or a
 * plain spectrogram. A representation is one source or several side by side. */
typedef struct {
  char *name;
  int model;          /* index into the bench's models (random controls after them); -1 = plain */
  int level;          /* StrataLevel, or -1 for the spectrograms */
  int layer;          /* prior block, 0 = the encoder's latents ẑ */
  int spectrogram;    /* 1 log-mel, 2 log-frequency (model -1) */
  int shift, D;
  GArray *train_rows;   /* floats (rows, D) at sampled fine frames */
  GArray *train_clips;  /* (clips, D) clip means */
  GArray *valid_clips;
  GPtrArray *valid_seq; /* per validation piece: (T_l, D) floats */
  GArray *valid_T;      /* T_l per validation piece */
} Source;

typedef struct {
  char *name;
  int n, src[4];
} Repr;

typedef struct {
  int T;
  float *pitch;       /* (T, 88) sounding pitches */
  GArray *onsets;     /* seconds, sorted, merged within 30 ms */
} ValidPiece;

typedef struct {
  GPtrArray *models;    /* StrataModel, the benched ones then their random controls */
  int n_bench;          /* models benched */
  GArray *control_of;   /* int: the benched model of each random control */
  GPtrArray *labels;    /* char *, a label per benched model */
  GPtrArray *sources;   /* Source */
  GPtrArray *reprs;     /* Repr */
  int need_layers;      /* the highest prior layer any source takes */
  /* training labels */
  GArray *style, *inst, *pitch, *onset;   /* per clip, per clip ×6, per row ×88, per row */
  /* validation labels */
  GArray *vstyle, *vinst;
  GPtrArray *vpieces;   /* ValidPiece */
} Bench;

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

static int
add_source (Bench *b, const char *name, int model, int level, int layer, int spectrogram,
            int shift, int D)
{
  Source *s = g_new0 (Source, 1);
  s->name = g_strdup (name);
  s->model = model, s->level = level, s->layer = layer, s->spectrogram = spectrogram;
  s->shift = shift, s->D = D;
  s->train_rows = g_array_new (FALSE, FALSE, sizeof (float));
  s->train_clips = g_array_new (FALSE, FALSE, sizeof (float));
  s->valid_clips = g_array_new (FALSE, FALSE, sizeof (float));
  s->valid_seq = g_ptr_array_new_with_free_func (g_free);
  s->valid_T = g_array_new (FALSE, FALSE, sizeof (int));
  g_ptr_array_add (b->sources, s);
  if (layer > b->need_layers)
    b->need_layers = layer;
  return (int) b->sources->len - 1;
}

static void
add_repr (Bench *b, const char *name, int n, const int *src)
{
  Repr *r = g_new0 (Repr, 1);
  r->name = g_strdup (name);
  r->n = n;
  memcpy (r->src, src, (size_t) n * sizeof (int));
  g_ptr_array_add (b->reprs, r);
}

static const char *const level_names[3] = { "coarse", "medium", "fine" };

/* Whether the benched model @k (0-based, label "m<k+1>") is in the list
 * $@var: "all", "none", or labels such as "m1,m3"; @dflt when unset. */
static gboolean
model_listed (const char *var, int k, gboolean dflt)
{
  const char *v = g_getenv (var);
  if (!v)
    return dflt;
  if (g_str_equal (v, "all") || g_str_equal (v, "1"))
    return TRUE;
  g_auto (GStrv) parts = g_strsplit (v, ",", -1);
  g_autofree char *label = g_strdup_printf ("m%d", k + 1);
  return g_strv_contains ((const char *const *) parts, label);
}

/* The sources and representations: for each benched model and its
 * random control the three strata at the default layer and their
 * concatenation; for the models in $STRATA_BENCH_LAYERS every prior layer
 * and the encoder latents of each level on their own, for those in
 * $STRATA_BENCH_LATENTS the latents; log-mel and log-frequency. */
static void
plan (Bench *b)
{
  const int n_all = (int) b->models->len;
  for (int k = 0; k < n_all; k++)
    {
      StrataModel *m = b->models->pdata[k];
      const char *label = b->labels->pdata[k < b->n_bench
                                           ? k : g_array_index (b->control_of, int, k - b->n_bench)];
      const gboolean random = k >= b->n_bench;
      const int L = strata_model_get_default_layer (m);
      int cat[3];
      for (int l = 0; l < 3; l++)
        {
          g_autofree char *nm = g_strdup_printf ("%s%s %s L%d", random ? "random " : "", label,
                                                 level_names[l], L);
          cat[l] = add_source (b, nm, k, l, L, 0, 2 * (2 - l), m->vae.cfg.prior_dim[l]);
          add_repr (b, nm, 1, &cat[l]);
        }
      g_autofree char *nm = g_strdup_printf ("%s%s c+m+f L%d", random ? "random " : "", label, L);
      add_repr (b, nm, 3, cat);
      if (random)
        continue;
      const gboolean layers = model_listed ("STRATA_BENCH_LAYERS", k, FALSE);
      const gboolean latent = layers || model_listed ("STRATA_BENCH_LATENTS", k, FALSE);
      for (int l = 0; l < 3; l++)
        for (int layer = 0; layer <= (layers ? m->vae.cfg.prior_layers : 0); layer++)
          {
            if (layer == L || (layer == 0 && !latent))
              continue;
            g_autofree char *ln = layer == 0
                                  ? g_strdup_printf ("%s %s latent", label, level_names[l])
                                  : g_strdup_printf ("%s %s L%d", label, level_names[l], layer);
            int s = add_source (b, ln, k, l, layer, 0, 2 * (2 - l),
                                layer == 0 ? m->vae.cfg.code_dim : m->vae.cfg.prior_dim[l]);
            add_repr (b, ln, 1, &s);
          }
    }
  int s = add_source (b, "log-mel", -1, -1, 0, 1, 0, 128);
  add_repr (b, "log-mel", 1, &s);
  s = add_source (b, "log-frequency", -1, -1, 0, 2, 0, STRATA_LOGFREQ_N_BINS);
  add_repr (b, "log-frequency", 1, &s);
}

/* Every source's sequence of one piece: seq[s] (T_l[s], D) (g_free). */
static void
piece_sources (Bench *b, StrataAudio *audio, float **seq, int *T_l, int *T_fine)
{
  const gint64 n = strata_audio_get_n_frames (audio);
  g_autofree float *mono = g_new (float, n);
  for (gint64 i = 0; i < n; i++)
    mono[i] = 0.5f * (strata_audio_get_samples (audio)[2 * i] +
                      strata_audio_get_samples (audio)[2 * i + 1]);
  const int n_all = (int) b->models->len;
  for (int k = 0; k < n_all; k++)
    {
      StrataModel *m = b->models->pdata[k];
      /* prior layers, one extraction each */
      for (int layer = 1; layer <= MIN (b->need_layers, m->vae.cfg.prior_layers); layer++)
        {
          gboolean wanted = FALSE;
          for (guint s = 0; s < b->sources->len; s++)
            {
              Source *src = b->sources->pdata[s];
              wanted |= src->model == k && src->layer == layer;
            }
          if (!wanted)
            continue;
          StrataFeatureOptions o = { .layer = layer };
          g_autoptr (GError) error = NULL;
          StrataFeatures *f = strata_model_extract (m, audio, &o, NULL, NULL, NULL, NULL, &error);
          g_assert_no_error (error);
          for (guint s = 0; s < b->sources->len; s++)
            {
              Source *src = b->sources->pdata[s];
              if (src->model != k || src->layer != layer)
                continue;
              const StrataFeatureLevel *fl = &f->level[src->level];
              T_l[s] = fl->T;
              seq[s] = g_memdup2 (fl->features, (gsize) fl->T * fl->D * sizeof (float));
            }
          strata_features_unref (f);
        }
      gboolean want_latent = FALSE;
      for (guint s = 0; s < b->sources->len; s++)
        {
          Source *src = b->sources->pdata[s];
          want_latent |= src->model == k && src->layer == 0;
        }
      if (want_latent)
        {
          int T;
          g_autofree float *x = _strata_model_input (&m->vae, mono, n, &T);
          const int T_pad = (T + 15) / 16 * 16;
          float *z[3];
          int32_t *tok[3];
          int T_tok[3];
          for (int l = 0; l < 3; l++)
            {
              z[l] = g_new0 (float, (gsize) (T_pad >> (2 * (2 - l))) * m->vae.cfg.code_dim);
              tok[l] = g_new0 (int32_t, T_pad >> (2 * (2 - l)));
            }
          _strata_model_tokens (&m->vae, x, T, tok, T_tok, z, NULL, NULL);
          for (guint s = 0; s < b->sources->len; s++)
            {
              Source *src = b->sources->pdata[s];
              if (src->model == k && src->layer == 0 && src->level >= 0)
                {
                  T_l[s] = T_pad >> (2 * (2 - src->level));
                  seq[s] = g_steal_pointer (&z[src->level]);
                }
            }
          for (int l = 0; l < 3; l++)
            g_free (z[l]), g_free (tok[l]);
        }
    }
  for (guint s = 0; s < b->sources->len; s++)
    {
      Source *src = b->sources->pdata[s];
      if (src->spectrogram == 1)
        seq[s] = _strata_log_mel_raw (mono, n, &T_l[s]);
      else if (src->spectrogram == 2)
        seq[s] = strata_logfreq (mono, n, &T_l[s]);
    }
  *T_fine = (int) (n / 512 + 1);
}

/* Row @t (a fine frame) of source @s. */
static const float *
source_row (const Source *src, const float *seq, int T_l, int t)
{
  return seq + (size_t) MIN (t >> src->shift, T_l - 1) * src->D;
}

/* Adds one piece: the sources, the labels; @valid: kept whole. */
static gboolean
add_piece (Bench *b, const char *dir, gboolean valid)
{
  g_autofree char *mix = g_build_filename (dir, "mix.flac", NULL);
  g_autofree char *tags = g_build_filename (dir, "tags.json", NULL);
  g_autofree char *notes = g_build_filename (dir, "notes.csv", NULL);
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
  g_autoptr (StrataAudio) audio = strata_audio_decode (mix, NULL, NULL, NULL, NULL);
  if (!audio || style < 0)
    return FALSE;
  const guint NS = b->sources->len;
  g_autofree float **seq = g_new0 (float *, NS);
  g_autofree int *T_l = g_new0 (int, NS);
  int T;
  piece_sources (b, audio, seq, T_l, &T);
  /* sounding pitches and onsets (every note, drums included, for onsets) */
  g_autofree float *pitch = g_new0 (float, (gsize) T * N_PITCH);
  g_autoptr (GArray) onsets = g_array_new (FALSE, FALSE, sizeof (double));
  gchar *csv = NULL;
  if (g_file_get_contents (notes, &csv, NULL, NULL))
    {
      g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
      for (int i = 1; lines[i]; i++)
        {
          g_auto (GStrv) c = g_strsplit (lines[i], ",", -1);
          if (g_strv_length (c) < 6)
            continue;
          double on = g_ascii_strtod (c[0], NULL), off = g_ascii_strtod (c[1], NULL);
          g_array_append_val (onsets, on);
          int p = atoi (c[2]) - 21;
          if (g_str_equal (c[5], "drums") || p < 0 || p >= N_PITCH)
            continue;
          for (int t = MAX ((int) (on * 44100 / 512), 0); t < T && t <= (int) (off * 44100 / 512);
               t++)
            pitch[(size_t) t * N_PITCH + p] = 1.0f;
        }
      g_free (csv);
    }
  g_array_sort (onsets, compare_doubles);
  /* one onset for notes struck together (within 30 ms) */
  guint w = 0;
  for (guint i = 0; i < onsets->len; i++)
    if (w == 0 || g_array_index (onsets, double, i) - g_array_index (onsets, double, w - 1) > 0.03)
      g_array_index (onsets, double, w++) = g_array_index (onsets, double, i);
  g_array_set_size (onsets, w);
  g_autofree guint8 *near = g_new0 (guint8, T);
  for (guint i = 0; i < onsets->len; i++)
    {
      const int f = (int) lround (g_array_index (onsets, double, i) * 44100 / 512);
      for (int t = MAX (f - 1, 0); t <= MIN (f + 1, T - 1); t++)
        near[t] = 1;
    }
  /* clips */
  const int clip = (int) (CLIP_S * 44100 / 512);
  int n_clips = 0;
  for (int c0 = 0; c0 + clip <= T; c0 += clip, n_clips++)
    for (guint s = 0; s < NS; s++)
      {
        Source *src = b->sources->pdata[s];
        g_autofree float *mean = g_new0 (float, src->D);
        const int a = c0 >> src->shift, e = MIN ((c0 + clip) >> src->shift, T_l[s]);
        for (int t = a; t < e; t++)
          for (int d = 0; d < src->D; d++)
            mean[d] += seq[s][(size_t) t * src->D + d] / (e - a);
        g_array_append_vals (valid ? src->valid_clips : src->train_clips, mean, src->D);
      }
  for (int c = 0; c < n_clips; c++)
    {
      g_array_append_val (valid ? b->vstyle : b->style, style);
      g_array_append_vals (valid ? b->vinst : b->inst, present, N_STEMS);
    }
  if (valid)
    {
      ValidPiece *vp = g_new0 (ValidPiece, 1);
      vp->T = T;
      vp->pitch = g_steal_pointer (&pitch);
      vp->onsets = g_array_ref (onsets);
      g_ptr_array_add (b->vpieces, vp);
      for (guint s = 0; s < NS; s++)
        {
          Source *src = b->sources->pdata[s];
          g_ptr_array_add (src->valid_seq, g_steal_pointer (&seq[s]));
          g_array_append_val (src->valid_T, T_l[s]);
        }
      return TRUE;
    }
  for (int t = 0; t < T; t += TRAIN_STEP)
    {
      for (guint s = 0; s < NS; s++)
        {
          Source *src = b->sources->pdata[s];
          g_array_append_vals (src->train_rows, source_row (src, seq[s], T_l[s], t), src->D);
        }
      g_array_append_vals (b->pitch, pitch + (size_t) t * N_PITCH, N_PITCH);
      float y = near[t];
      g_array_append_val (b->onset, y);
    }
  for (guint s = 0; s < NS; s++)
    g_free (seq[s]);
  return TRUE;
}

/* g_ptr_array_sort() passes pointers to the elements */
static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static int
load_set (Bench *b, const char *corpus, int max_pieces, gboolean valid)
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
      n += add_piece (b, names->pdata[i], valid);
  return n;
}

/* ------------------------------------------------------------ probes */

typedef struct {
  int D, C;
  float *mu, *sd, *W;   /* (D), (D), (D+1, C) */
} Probe;

static void
probe_clear (Probe *p)
{
  g_free (p->mu);
  g_free (p->sd);
  g_free (p->W);
}

/* Logits (n, C) of @x (n, D) under @p. */
static float *
probe_apply (const Probe *p, const float *x, int n)
{
  const int D = p->D, D1 = D + 1;
  g_autofree float *A = g_new (float, (size_t) MAX (n, 1) * D1);
  for (int i = 0; i < n; i++)
    {
      for (int d = 0; d < D; d++)
        A[(size_t) i * D1 + d] = (x[(size_t) i * D + d] - p->mu[d]) / p->sd[d];
      A[(size_t) i * D1 + D] = 1.0f;
    }
  float *Z = g_new (float, (size_t) MAX (n, 1) * p->C);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, p->C, D1, 1.0f, A, D1, p->W, p->C,
               0.0f, Z, p->C);
  return Z;
}

/* Fits W (D+1, C) by full-batch Adam on standardised features.
 * softmax: y holds class ids (int); else y (n, C) in {0,1}, independent
 * sigmoids. */
static void
fit_probe (Probe *p, const float *xtr, int ntr, int D, int C, const void *ytr, gboolean softmax,
           int iterations)
{
  p->D = D, p->C = C;
  p->mu = g_new0 (float, D), p->sd = g_new0 (float, D);
  for (int i = 0; i < ntr; i++)
    for (int d = 0; d < D; d++)
      p->mu[d] += xtr[(size_t) i * D + d] / ntr;
  for (int i = 0; i < ntr; i++)
    for (int d = 0; d < D; d++)
      p->sd[d] += powf (xtr[(size_t) i * D + d] - p->mu[d], 2) / ntr;
  for (int d = 0; d < D; d++)
    p->sd[d] = sqrtf (p->sd[d]) + 1e-6f;
  const int D1 = D + 1;
  g_autofree float *A = g_new (float, (size_t) ntr * D1);
  for (int i = 0; i < ntr; i++)
    {
      for (int d = 0; d < D; d++)
        A[(size_t) i * D1 + d] = (xtr[(size_t) i * D + d] - p->mu[d]) / p->sd[d];
      A[(size_t) i * D1 + D] = 1.0f;
    }
  p->W = g_new0 (float, (size_t) D1 * C);
  float *W = p->W;
  g_autofree float *G = g_new0 (float, (size_t) D1 * C);
  g_autofree float *m1 = g_new0 (float, (size_t) D1 * C), *m2 = g_new0 (float, (size_t) D1 * C);
  g_autofree float *Z = g_new (float, (size_t) ntr * C);
  const float lr = 0.05f, l2 = 1e-3f;
  for (int it = 1; it <= iterations; it++)
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

/* The pitch classes (n, 12) sounding in the pitch rows (n, 88). */
static float *
pitch_classes (const float *pitch, int n)
{
  float *pc = g_new0 (float, (size_t) MAX (n, 1) * 12);
  for (int i = 0; i < n; i++)
    for (int p = 0; p < N_PITCH; p++)
      if (pitch[(size_t) i * N_PITCH + p] > 0.5f)
        pc[(size_t) i * 12 + (p + 21) % 12] = 1.0f;
  return pc;
}

/* Rows of representation @r: the training rows, or (with @piece >= 0)
 * validation piece @piece at fine frames 0, @step, 2 @step, ... */
static float *
repr_rows (Bench *b, const Repr *r, int piece, int step, int *n_rows, int *D_out)
{
  int D = 0;
  for (int k = 0; k < r->n; k++)
    D += ((Source *) b->sources->pdata[r->src[k]])->D;
  *D_out = D;
  const int n = piece < 0 ? (int) b->onset->len
                          : (((ValidPiece *) b->vpieces->pdata[piece])->T + step - 1) / step;
  *n_rows = n;
  float *x = g_new (float, (size_t) MAX (n, 1) * D);
  int off = 0;
  for (int k = 0; k < r->n; k++)
    {
      const Source *src = b->sources->pdata[r->src[k]];
      for (int i = 0; i < n; i++)
        {
          const float *row = piece < 0
                             ? (const float *) src->train_rows->data + (size_t) i * src->D
                             : source_row (src, src->valid_seq->pdata[piece],
                                           g_array_index (src->valid_T, int, piece), i * step);
          memcpy (x + (size_t) i * D + off, row, (size_t) src->D * sizeof (float));
        }
      off += src->D;
    }
  return x;
}

static float *
repr_clips (Bench *b, const Repr *r, gboolean valid, int *n_clips, int *D_out)
{
  int D = 0;
  for (int k = 0; k < r->n; k++)
    D += ((Source *) b->sources->pdata[r->src[k]])->D;
  const int n = (int) (valid ? b->vstyle : b->style)->len;
  float *x = g_new (float, (size_t) MAX (n, 1) * D);
  int off = 0;
  for (int k = 0; k < r->n; k++)
    {
      const Source *src = b->sources->pdata[r->src[k]];
      const float *c = (const float *) (valid ? src->valid_clips : src->train_clips)->data;
      for (int i = 0; i < n; i++)
        memcpy (x + (size_t) i * D + off, c + (size_t) i * src->D, (size_t) src->D * sizeof (float));
      off += src->D;
    }
  *n_clips = n, *D_out = D;
  return x;
}

typedef struct {
  int tp, fp, fn;
} Counts;

/* Peaks of @p (T) at or above @threshold matched one to one with
 * @onsets within ±50 ms (greedy in time order). */
static Counts
onset_counts (const float *p, int T, const GArray *onsets, float threshold)
{
  g_autoptr (GArray) det = g_array_new (FALSE, FALSE, sizeof (double));
  for (int t = 0; t < T; t++)
    if (p[t] >= threshold && (t == 0 || p[t] >= p[t - 1]) && (t + 1 == T || p[t] > p[t + 1]))
      {
        double s = t * 512.0 / 44100.0;
        g_array_append_val (det, s);
      }
  Counts c = { 0, 0, 0 };
  guint j = 0;
  for (guint i = 0; i < onsets->len; i++)
    {
      const double r = g_array_index (onsets, double, i);
      while (j < det->len && g_array_index (det, double, j) < r - ONSET_TOL)
        j++, c.fp++;
      if (j < det->len && g_array_index (det, double, j) <= r + ONSET_TOL)
        j++, c.tp++;
      else
        c.fn++;
    }
  c.fp += (int) (det->len - j);
  return c;
}

static double
f1_of (Counts c)
{
  return c.tp ? 2.0 * c.tp / (2.0 * c.tp + c.fp + c.fn) : 0.0;
}

/* Onset F1 on the validation pieces: the threshold is chosen on the odd
 * pieces and scored on the even ones, and the other way round; the two
 * folds' counts are summed. */
static double
onset_f1 (Bench *b, const Repr *r, const Probe *probe)
{
  const int nv = (int) b->vpieces->len;
  float **prob = g_new0 (float *, nv);
  for (int i = 0; i < nv; i++)
    {
      int n, D;
      g_autofree float *x = repr_rows (b, r, i, 1, &n, &D);
      prob[i] = probe_apply (probe, x, n);
      for (int t = 0; t < n; t++)
        prob[i][t] = 1.0f / (1.0f + expf (-prob[i][t]));
    }
  Counts total = { 0, 0, 0 };
  for (int fold = 0; fold < 2; fold++)
    {
      float best_th = 0.5f;
      double best = -1;
      for (float th = 0.1f; th < 0.95f; th += 0.05f)
        {
          Counts c = { 0, 0, 0 };
          for (int i = 0; i < nv; i++)
            if (i % 2 != fold)
              {
                const ValidPiece *vp = b->vpieces->pdata[i];
                Counts k = onset_counts (prob[i], vp->T, vp->onsets, th);
                c.tp += k.tp, c.fp += k.fp, c.fn += k.fn;
              }
          if (f1_of (c) > best)
            best = f1_of (c), best_th = th;
        }
      for (int i = 0; i < nv; i++)
        if (i % 2 == fold)
          {
            const ValidPiece *vp = b->vpieces->pdata[i];
            Counts k = onset_counts (prob[i], vp->T, vp->onsets, best_th);
            total.tp += k.tp, total.fp += k.fp, total.fn += k.fn;
          }
    }
  for (int i = 0; i < nv; i++)
    g_free (prob[i]);
  g_free (prob);
  return f1_of (total);
}

static void
bench_probes (GPtrArray *bench_models, GPtrArray *labels)
{
  const char *tr_dir = g_getenv ("STRATA_TRAIN_CORPUS") ? g_getenv ("STRATA_TRAIN_CORPUS")
                                                        : "/work/corpora/train";
  const char *va_dir = g_getenv ("STRATA_VALID_CORPUS") ? g_getenv ("STRATA_VALID_CORPUS")
                                                        : "/work/corpora/valid-tim-3";
  if (!g_file_test (tr_dir, G_FILE_TEST_IS_DIR) || !g_file_test (va_dir, G_FILE_TEST_IS_DIR))
    {
      printf ("probes: skipped (no corpora at %s and %s)\n", tr_dir, va_dir);
      return;
    }
  Bench b = { 0 };
  b.models = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_model_unref);
  b.n_bench = (int) bench_models->len;
  b.labels = labels;
  for (guint k = 0; k < bench_models->len; k++)
    g_ptr_array_add (b.models, strata_model_ref (bench_models->pdata[k]));
  /* the controls: same architecture, random weights, the trained front end */
  g_autoptr (GArray) control_of = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint k = 0; k < bench_models->len; k++)
    {
      if (!model_listed ("STRATA_BENCH_RANDOM", (int) k, TRUE) ||
          g_strcmp0 (g_getenv ("STRATA_BENCH_RANDOM"), "0") == 0)
        continue;
      g_array_append_val (control_of, k);
      StrataModel *trained = bench_models->pdata[k];
      HqVae vae;
      Prior priors[3];
      const int M = trained->vae.cfg.n_mels;
      g_assert_true (_strata_hqvae_init (&vae, &trained->vae.cfg, 0));
      _strata_hqvae_init_random (&vae, 12345);
      memcpy (strata_params_value (&vae.params, vae.i_mean),
              strata_params_value (&trained->vae.params, trained->vae.i_mean), M * sizeof (float));
      memcpy (strata_params_value (&vae.params, vae.i_std),
              strata_params_value (&trained->vae.params, trained->vae.i_std), M * sizeof (float));
      for (int l = 0; l < 3; l++)
        {
          g_assert_true (_strata_prior_init (&priors[l], &trained->vae.cfg, l, 0));
          _strata_prior_init_random (&priors[l], 777 + (uint64_t) l);
        }
      g_ptr_array_add (b.models, _strata_model_new_from_parts (&vae, priors, "random"));
    }
  b.sources = g_ptr_array_new ();
  b.reprs = g_ptr_array_new ();
  b.style = g_array_new (FALSE, FALSE, sizeof (int));
  b.vstyle = g_array_new (FALSE, FALSE, sizeof (int));
  b.inst = g_array_new (FALSE, FALSE, sizeof (float));
  b.vinst = g_array_new (FALSE, FALSE, sizeof (float));
  b.pitch = g_array_new (FALSE, FALSE, sizeof (float));
  b.onset = g_array_new (FALSE, FALSE, sizeof (float));
  b.vpieces = g_ptr_array_new ();
  b.control_of = control_of;
  plan (&b);
  const char *mp = g_getenv ("STRATA_BENCH_MAX_PIECES");
  double t0 = now ();
  int ntp = load_set (&b, tr_dir, mp ? atoi (mp) : 1000, FALSE);
  int nvp = load_set (&b, va_dir, 1000, TRUE);
  gint64 nvf = 0;
  for (guint i = 0; i < b.vpieces->len; i++)
    nvf += ((ValidPiece *) b.vpieces->pdata[i])->T;
  printf ("probes: fitted on %d pieces of %s (%u clips of 10 s, %u frames), scored on %d pieces "
          "of %s (%u clips, %" G_GINT64_FORMAT " frames, every %d for the AUCs); features in "
          "%.0f s\n", ntp, tr_dir, b.style->len, b.onset->len, nvp, va_dir, b.vstyle->len, nvf,
          TEST_STEP, now () - t0);
  if (ntp == 0 || nvp == 0)
    return;
  printf ("  %-26s %7s %10s %9s %9s %7s\n", "features", "style", "instrument", "pitch", "pitch",
          "onset");
  printf ("  %-26s %7s %10s %9s %9s %7s\n", "", "acc", "mean AUC", "88 AUC", "class AUC", "F1");
  g_autofree float *pc_train = pitch_classes ((float *) b.pitch->data, (int) b.onset->len);
  /* validation labels at the AUC rows */
  g_autoptr (GArray) vpitch = g_array_new (FALSE, FALSE, sizeof (float));
  for (guint i = 0; i < b.vpieces->len; i++)
    {
      const ValidPiece *vp = b.vpieces->pdata[i];
      for (int t = 0; t < vp->T; t += TEST_STEP)
        g_array_append_vals (vpitch, vp->pitch + (size_t) t * N_PITCH, N_PITCH);
    }
  const int nva = (int) vpitch->len / N_PITCH;
  g_autofree float *pc_valid = pitch_classes ((float *) vpitch->data, nva);
  for (guint ri = 0; ri < b.reprs->len; ri++)
    {
      const Repr *r = b.reprs->pdata[ri];
      int nc, nvc, D;
      g_autofree float *xc = repr_clips (&b, r, FALSE, &nc, &D);
      g_autofree float *xvc = repr_clips (&b, r, TRUE, &nvc, &D);
      Probe ps = { 0 }, pi = { 0 }, pp = { 0 }, pk = { 0 }, po = { 0 };
      fit_probe (&ps, xc, nc, D, N_STYLES, b.style->data, TRUE, 300);
      g_autofree float *Ps = probe_apply (&ps, xvc, nvc);
      int correct = 0;
      for (int i = 0; i < nvc; i++)
        {
          int best = 0;
          for (int c = 1; c < N_STYLES; c++)
            if (Ps[i * N_STYLES + c] > Ps[i * N_STYLES + best])
              best = c;
          correct += best == g_array_index (b.vstyle, int, i);
        }
      fit_probe (&pi, xc, nc, D, N_STEMS, b.inst->data, FALSE, 300);
      g_autofree float *Pi = probe_apply (&pi, xvc, nvc);
      int nf;
      g_autofree float *xf = repr_rows (&b, r, -1, 0, &nf, &D);
      g_autoptr (GArray) xva = g_array_new (FALSE, FALSE, sizeof (float));
      for (guint i = 0; i < b.vpieces->len; i++)
        {
          int n;
          g_autofree float *x = repr_rows (&b, r, (int) i, TEST_STEP, &n, &D);
          g_array_append_vals (xva, x, (guint) n * D);
        }
      fit_probe (&pp, xf, nf, D, N_PITCH, b.pitch->data, FALSE, 200);
      g_autofree float *Pp = probe_apply (&pp, (float *) xva->data, nva);
      fit_probe (&pk, xf, nf, D, 12, pc_train, FALSE, 200);
      g_autofree float *Pk = probe_apply (&pk, (float *) xva->data, nva);
      fit_probe (&po, xf, nf, D, 1, b.onset->data, FALSE, 200);
      printf ("  %-26s %6.1f%% %10.3f %9.3f %9.3f %7.3f\n", r->name,
              100.0 * correct / MAX (nvc, 1), mean_auc (Pi, (float *) b.vinst->data, nvc, N_STEMS),
              mean_auc (Pp, (float *) vpitch->data, nva, N_PITCH),
              mean_auc (Pk, pc_valid, nva, 12), onset_f1 (&b, r, &po));
      fflush (stdout);
      probe_clear (&ps), probe_clear (&pi), probe_clear (&pp), probe_clear (&pk);
      probe_clear (&po);
    }
  printf ("  (chance: style %.1f%%, AUC 0.5; pitch 88 = mean over the pitches present; onset F1 "
          "±50 ms, peak-picked, threshold chosen on the other half of the pieces)\n",
          100.0 / N_STYLES);
  g_ptr_array_unref (b.models);
}

/* ------------------------------------------------------------ stage 1 */

static void
bench_stage1 (StrataModel *m, const char *label)
{
  const char *va_dir = g_getenv ("STRATA_VALID_CORPUS") ? g_getenv ("STRATA_VALID_CORPUS")
                                                        : "/work/corpora/valid-tim-3";
  g_autoptr (GDir) dir = g_dir_open (va_dir, 0, NULL);
  if (!dir)
    return;
  const int M = m->vae.cfg.n_mels, CH = 1024;
  HqActs *a = _strata_hqvae_acts_new (&m->vae, 1, CH);
  double mse[3] = { 0 }, maxp[3] = { 0 };
  g_autofree double *count[3] = { g_new0 (double, m->vae.cfg.K[0]),
                                  g_new0 (double, m->vae.cfg.K[1]),
                                  g_new0 (double, m->vae.cfg.K[2]) };
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
      g_autofree float *x = _strata_model_input (&m->vae, mono, n, &T);
      for (int s = 0; s + CH <= T; s += CH)
        {
          memcpy (_strata_hqvae_acts_input (a), x + (size_t) s * M, (size_t) CH * M * sizeof (float));
          for (int k = 0; k < 3; k++)
            {
              HqStats st;
              _strata_hqvae_forward (&m->vae, a, false, NULL, 1.0f, k + 1, &st);
              mse[k] += st.rec_mse;
              if (k < 2)
                continue;
              for (int l = 0; l < 3; l++)
                {
                  maxp[l] += st.max_post[l];
                  const int32_t *tok = _strata_hqvae_acts_tokens (a, l);
                  for (int t = 0; t < CH >> (2 * (2 - l)); t++)
                    count[l][tok[t]]++;
                }
            }
          chunks++;
        }
    }
  _strata_hqvae_acts_free (a);
  if (!chunks)
    return;
  printf ("%s stage 1, %s (hard codes, %d chunks of 11.9 s):\n", label, va_dir, chunks);
  printf ("  reconstruction MSE (standardised %s): coarse %.4f  coarse+medium %.4f  all %.4f\n",
          m->vae.cfg.frontend == STRATA_MODEL_FRONTEND_LOG_FREQ ? "log-frequency" : "log-mel",
          mse[0] / chunks, mse[1] / chunks, mse[2] / chunks);
  for (int l = 0; l < 3; l++)
    {
      const int K = m->vae.cfg.K[l];
      double tot = 0, H = 0;
      int used = 0;
      for (int k = 0; k < K; k++)
        tot += count[l][k], used += count[l][k] > 0;
      for (int k = 0; k < K; k++)
        if (count[l][k] > 0)
          H -= count[l][k] / tot * log (count[l][k] / tot);
      printf ("  %-6s K %4d  perplexity %6.1f  codes used %5.1f%%  mean max-posterior %.3f\n",
              level_names[l], K, exp (H), 100.0 * used / K, maxp[l] / chunks);
    }
}

/* Runs bench_speed() in a child, so that peak RSS is the model's own. */
static void
speed_in_child (const char *path, const char *label)
{
  fflush (stdout);
  pid_t pid = fork ();
  if (pid == 0)
    {
      g_autoptr (GError) error = NULL;
      StrataModel *m = path ? strata_model_load (path, &error) : strata_model_load_default (&error);
      if (m)
        bench_speed (m, label);
      else
        printf ("%s speed: skipped (%s)\n", label, error->message);
      fflush (stdout);
      _exit (0);
    }
  int status;
  if (pid > 0)
    waitpid (pid, &status, 0);
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--model") && i + 1 < argc)
      g_ptr_array_add (paths, g_strdup (argv[++i]));
    else if (g_str_has_prefix (argv[i], "--model="))
      g_ptr_array_add (paths, g_strdup (argv[i] + 8));
    else
      {
        fprintf (stderr, "usage: bench-model [--model FILE]...\n");
        return 2;
      }
  if (paths->len == 0 && g_getenv ("STRATA_MODEL_PATH"))
    {
      g_auto (GStrv) list = g_strsplit (g_getenv ("STRATA_MODEL_PATH"), ":", -1);
      for (int i = 0; list[i]; i++)
        if (*list[i])
          g_ptr_array_add (paths, g_strdup (list[i]));
    }
  g_autoptr (GPtrArray) models = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_model_unref);
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < MAX (paths->len, 1); i++)
    {
      g_autoptr (GError) error = NULL;
      const char *path = paths->len ? paths->pdata[i] : NULL;
      StrataModel *m = path ? strata_model_load (path, &error) : strata_model_load_default (&error);
      if (!m)
        {
          printf ("model benchmark skipped: %s\n", error->message);
          return 0;
        }
      g_ptr_array_add (models, m);
      g_ptr_array_add (labels, g_strdup_printf ("m%u", i + 1));
      printf ("m%u = %s (%s, %s front end, default layer %d)\n", i + 1,
              strata_model_get_path (m), strata_model_get_version (m),
              m->vae.cfg.frontend == STRATA_MODEL_FRONTEND_LOG_FREQ ? "log-frequency" : "log-mel",
              strata_model_get_default_layer (m));
    }
  for (guint i = 0; i < models->len; i++)
    if (model_listed ("STRATA_BENCH_SPEED", (int) i, TRUE))
      speed_in_child (paths->len ? paths->pdata[i] : NULL, labels->pdata[i]);
  strata_nn_set_num_threads (2);
  for (guint i = 0; i < models->len; i++)
    bench_stage1 (models->pdata[i], labels->pdata[i]);
  bench_probes (models, labels);
  return 0;
}
