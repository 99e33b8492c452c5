/* strata-model-train.c: training the foundation model (MODEL-NOTES §4,
 * scaled to this machine; the sizes are in strata-model-config.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "audio/strata-audio.h"
#include "corpus/strata-test-set.h"
#include "nn/strata-safetensors.h"
#include "model/strata-model-private.h"
#include "model/strata-model-train.h"

#define STAGE1_ARCH "strata-foundation-stage1"
#define PRIOR_ARCH "strata-foundation-prior"

void
strata_train_options_init (StrataTrainOptions *opt)
{
  memset (opt, 0, sizeof *opt);
  opt->steps1 = 3000;
  opt->batch1 = 16;
  opt->crop1 = 256;
  opt->steps_prior[0] = 600, opt->steps_prior[1] = 1200, opt->steps_prior[2] = 1500;
  opt->batch_prior[0] = 16, opt->batch_prior[1] = 12, opt->batch_prior[2] = 12;
  opt->anneal[0] = opt->anneal[1] = opt->anneal[2] = 1.0f;
  opt->lr1 = 1e-3f;
  opt->lr_prior = 1e-3f;
  opt->half = TRUE;
  opt->seed = 1;
  opt->log_every = 25;
  opt->valid_every = 250;
  opt->valid_every_prior = 100;
}

typedef struct {
  char *name;
  int T;                 /* fine frames */
  float *mel;            /* (T, M), raw log-mel, later standardised */
  float tags[STRATA_MODEL_MAX_TAGS];
  int32_t *tok[3];
  int T_tok[3];
} Piece;

typedef struct {
  StrataTrainOptions *opt;
  StrataModelConfig cfg;
  GPtrArray *train, *valid;   /* Piece */
  double total_frames;
  HqVae vae;
  HqActs *acts;
  HqStats stats;
  int32_t *age[3];
  int dead[3];           /* codes unused for 300 steps, at the last step */
  float *hist;
  int n_levels_used;
  Prior *prior;
  PriorActs *pacts;
  int level;
  GTimer *timer;
} Trainer;

void
strata_train_log (void (*log) (const char *line, void *user_data), void *log_data,
                  const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *line = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (log)
    log (line, log_data);
  else
    g_message ("%s", line);
}

#define say(t, ...) strata_train_log ((t)->opt->log, (t)->opt->log_data, __VA_ARGS__)

static void
piece_free (gpointer p)
{
  Piece *pc = p;
  g_free (pc->name);
  g_free (pc->mel);
  for (int l = 0; l < 3; l++)
    g_free (pc->tok[l]);
  g_free (pc);
}

/* ------------------------------------------------------------ corpus */

static void
read_tags (Piece *pc, const char *dir, const StrataModelConfig *cfg)
{
  g_autofree char *path = g_build_filename (dir, "tags.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, path, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  const char *style = json_object_get_string_member_with_default (o, "style", NULL);
  int i = style ? _strata_model_config_find_tag (cfg, style) : -1;
  if (i >= 0)
    pc->tags[i] = 1.0f;
  JsonNode *sn = json_object_get_member (o, "stems_present");
  if (sn && JSON_NODE_HOLDS_ARRAY (sn))
    {
      JsonArray *a = json_node_get_array (sn);
      for (guint k = 0; k < json_array_get_length (a); k++)
        {
          JsonNode *e = json_array_get_element (a, k);
          if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING &&
              (i = _strata_model_config_find_tag (cfg, json_node_get_string (e))) >= 0)
            pc->tags[i] = 1.0f;
        }
    }
}

/* The front end's raw input (T, M) of @audio_path, cached under
 * @cache_dir (the key names the front end). */
static float *
load_mel (const char *audio_path, const char *cache_dir, StrataModelFrontend frontend, int *T,
          GError **error)
{
  const int M = _strata_model_frontend_bins (frontend);
  GStatBuf sb;
  if (g_stat (audio_path, &sb) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), _("Cannot read “%s”: %s"),
                   audio_path, g_strerror (e));
      return NULL;
    }
  /* log-mel keys are those of versions 1 and 2, so their caches stay valid */
  g_autofree char *key = g_strdup_printf ("%s:%lld:%lld%s", audio_path, (long long) sb.st_size,
                                          (long long) sb.st_mtime,
                                          frontend == STRATA_MODEL_FRONTEND_LOG_FREQ
                                          ? ":log-frequency" : "");
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, key, -1);
  g_autofree char *file = g_strconcat (hash, ".mel", NULL);
  g_autofree char *cpath = g_build_filename (cache_dir, file, NULL);
  gchar *data = NULL;
  gsize len = 0;
  if (g_file_get_contents (cpath, &data, &len, NULL) && len >= 8 &&
      (len - 8) % (M * sizeof (float)) == 0)
    {
      gint32 hdr[2];
      memcpy (hdr, data, 8);
      if (hdr[0] == 0x4c454d53 && (gsize) hdr[1] * M * sizeof (float) == len - 8)
        {
          float *mel = g_malloc (len - 8);
          memcpy (mel, data + 8, len - 8);
          g_free (data);
          *T = hdr[1];
          return mel;
        }
    }
  g_free (data);
  g_autoptr (StrataAudio) audio = strata_audio_decode (audio_path, NULL, NULL, NULL, error);
  if (!audio)
    return NULL;
  const gint64 n = strata_audio_get_n_frames (audio);
  const float *s = strata_audio_get_samples (audio);
  g_autofree float *mono = g_new (float, n);
  for (gint64 i = 0; i < n; i++)
    mono[i] = 0.5f * (s[2 * i] + s[2 * i + 1]);
  float *mel = _strata_model_input_raw (frontend, mono, n, T);
  if (!mel)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM, _("Out of memory for “%s”"),
                   audio_path);
      return NULL;
    }
  gsize bytes = (gsize) *T * M * sizeof (float);
  g_autofree char *blob = g_malloc (bytes + 8);
  gint32 hdr[2] = { 0x4c454d53, *T };
  memcpy (blob, hdr, 8);
  memcpy (blob + 8, mel, bytes);
  g_mkdir_with_parents (cache_dir, 0755);
  g_file_set_contents (cpath, blob, (gssize) (bytes + 8), NULL);
  return mel;
}

static int
cmp_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The paths of a `strata-cli corpus index` manifest (one JSON object a
 * line), in file order, without the entries marked "training": false (the
 * Frets on Fire songs: Strata's real-music test set). */
static GPtrArray *
read_manifest (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (JsonParser) parser = json_parser_new ();
  for (int i = 0; lines[i]; i++)
    {
      if (!*g_strstrip (lines[i]))
        continue;
      JsonNode *root;
      if (!json_parser_load_from_data (parser, lines[i], -1, NULL) ||
          !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       _("%s, line %d: not a JSON object"), path, i + 1);
          return NULL;
        }
      JsonObject *o = json_node_get_object (root);
      JsonNode *pn = json_object_get_member (o, "path");
      if (!pn || !JSON_NODE_HOLDS_VALUE (pn) || json_node_get_value_type (pn) != G_TYPE_STRING)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       _("%s, line %d: no \"path\""), path, i + 1);
          return NULL;
        }
      JsonNode *tn = json_object_get_member (o, "training");
      if (tn && JSON_NODE_HOLDS_VALUE (tn) && json_node_get_value_type (tn) == G_TYPE_BOOLEAN &&
          !json_node_get_boolean (tn))
        continue;
      g_ptr_array_add (paths, g_strdup (json_node_get_string (pn)));
    }
  return g_steal_pointer (&paths);
}

/* Each entry of @dirs is a corpus folder (piece folders with mix.flac, or
 * audio files) or a .jsonl manifest written by `strata-cli corpus index`. */
static gboolean
scan_corpus (Trainer *t, char **dirs, GPtrArray *out, GError **error)
{
  g_autofree char *cache = g_strconcat (t->opt->output, ".mel-cache", NULL);
  for (int d = 0; dirs && dirs[d]; d++)
    {
      g_autoptr (GPtrArray) names = NULL;
      gboolean manifest = g_str_has_suffix (dirs[d], ".jsonl") &&
                          g_file_test (dirs[d], G_FILE_TEST_IS_REGULAR);
      if (manifest)
        {
          if (!(names = read_manifest (dirs[d], error)))
            return FALSE;
        }
      else
        {
          g_autoptr (GDir) dir = g_dir_open (dirs[d], 0, error);
          if (!dir)
            return FALSE;
          names = g_ptr_array_new_with_free_func (g_free);
          const char *n;
          while ((n = g_dir_read_name (dir)))
            if (n[0] != '.')
              g_ptr_array_add (names, g_strdup (n));
          g_ptr_array_sort (names, cmp_names);
        }
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *p = manifest ? g_strdup (names->pdata[i])
                                        : g_build_filename (dirs[d], names->pdata[i], NULL);
          g_autofree char *audio = NULL;
          if (g_file_test (p, G_FILE_TEST_IS_DIR))
            {
              const char *cands[] = { "mix.flac", "mix.wav" };
              for (guint c = 0; c < 2 && !audio; c++)
                {
                  g_autofree char *q = g_build_filename (p, cands[c], NULL);
                  if (g_file_test (q, G_FILE_TEST_IS_REGULAR))
                    audio = g_steal_pointer (&q);
                }
            }
          else if (manifest || g_str_has_suffix (p, ".flac") || g_str_has_suffix (p, ".wav") ||
                   g_str_has_suffix (p, ".ogg") || g_str_has_suffix (p, ".mp3"))
            audio = g_strdup (p);
          if (!audio)
            continue;
          if (strata_corpus_path_is_test_set (audio))
            {
              say (t, "skipped %s: Frets on Fire songs are the separation test set, never "
                   "training data", audio);
              continue;
            }
          Piece *pc = g_new0 (Piece, 1);
          pc->name = g_strdup (p);
          pc->mel = load_mel (audio, cache, t->cfg.frontend, &pc->T, error);
          if (!pc->mel)
            {
              piece_free (pc);
              return FALSE;
            }
          if (g_file_test (p, G_FILE_TEST_IS_DIR))
            read_tags (pc, p, &t->cfg);
          if (pc->T < t->opt->crop1 + 16)
            {
              piece_free (pc);
              continue;
            }
          g_ptr_array_add (out, pc);
          if (t->opt->abort_func && t->opt->abort_func (t->opt->abort_data))
            return FALSE;
        }
    }
  return TRUE;
}

/* ------------------------------------------------------------ stage 1 */

static void
crop_batch (Trainer *t, GPtrArray *pieces, StrataRng *rng, float *x, int B, int T)
{
  const int M = t->cfg.n_mels;
  double total = 0.0;
  for (guint i = 0; i < pieces->len; i++)
    total += ((Piece *) pieces->pdata[i])->T;
  for (int b = 0; b < B; b++)
    {
      double r = strata_rng_uniform (rng) * total;
      guint i = 0;
      for (; i + 1 < pieces->len; i++)
        {
          r -= ((Piece *) pieces->pdata[i])->T;
          if (r < 0)
            break;
        }
      Piece *pc = pieces->pdata[i];
      int off = (int) strata_rng_below (rng, (uint32_t) (pc->T - T + 1));
      memcpy (x + (size_t) b * T * M, pc->mel + (size_t) off * M, (size_t) T * M * sizeof (float));
    }
}

/* The variance schedule's factor on s0² of @level before stage-1 step
 * @step (0-based). */
static double
anneal_factor (const StrataTrainOptions *opt, int level, int64_t step)
{
  const double u = ((double) step / MAX (opt->steps1, 1) - 0.1) / 0.6;
  return pow (opt->anneal[level], CLAMP (u, 0.0, 1.0));
}

static StrataNnStatus
stage1_step (void *user_data, int64_t step, int micro, float *loss)
{
  Trainer *t = user_data;
  /* the schedule scales the s0² the checkpoint holds, step by step, so a
   * resumed run follows an uninterrupted one */
  for (int l = 0; micro == 0 && step > 0 && l < 3; l++)
    if (t->opt->anneal[l] != 1.0f)
      strata_params_value (&t->vae.params, t->vae.i_s0[l])[0] *=
        (float) (anneal_factor (t->opt, l, step) / anneal_factor (t->opt, l, step - 1));
  StrataRng rng;
  strata_rng_seed (&rng, t->opt->seed * 1000003u + (uint64_t) step * 64 + (uint64_t) micro);
  crop_batch (t, t->train, &rng, _strata_hqvae_acts_input (t->acts), t->opt->batch1,
              t->opt->crop1);
  /* level dropout (MODEL-NOTES pitfall 4): 15 % of steps without the finer injections */
  float u = strata_rng_uniform (&rng);
  t->n_levels_used = u < 0.05f ? 1 : u < 0.15f ? 2 : 3;
  /* τ = 1, lowered to 0.3 over the last 20 % of the steps (MODEL-NOTES pitfall 3) */
  const double f = (double) step / MAX (t->opt->steps1, 1);
  const float tau = f < 0.8 ? 1.0f : (float) (1.0 - 0.7 * (f - 0.8) / 0.2);
  _strata_hqvae_forward (&t->vae, t->acts, true, &rng, tau, t->n_levels_used, &t->stats);
  _strata_hqvae_backward (&t->vae, t->acts, tau);
  *loss = t->stats.loss;
  /* codebook use and dead-code re-seeding */
  for (int l = 0; l < 3; l++)
    {
      int N;
      const float *zhat = _strata_hqvae_acts_zhat (t->acts, l, &N);
      t->dead[l] = strata_sq_update_usage (t->age[l], _strata_hqvae_acts_tokens (t->acts, l), N,
                                           t->cfg.K[l], 300);
      if (step % 50 == 49)
        t->opt->reseeded[l] +=
          strata_sq_reseed (strata_params_value (&t->vae.params, t->vae.i_cb[l]), t->age[l],
                            t->cfg.K[l], t->cfg.code_dim, 300, zhat, N, 0.01f, &rng);
    }
  return isfinite (*loss) ? STRATA_NN_OK : STRATA_NN_ERROR_NONFINITE;
}

/* Sets s0² so that the initial mean max-posterior is ~0.2, and the
 * codebook from encoder outputs (MODEL-NOTES §2 and §4). */
static void
data_init (Trainer *t)
{
  HqVae *m = &t->vae;
  StrataRng rng;
  strata_rng_seed (&rng, t->opt->seed + 77);
  for (int l = 0; l < 3; l++)
    {
      crop_batch (t, t->train, &rng, _strata_hqvae_acts_input (t->acts), t->opt->batch1,
                  t->opt->crop1);
      _strata_hqvae_forward (m, t->acts, false, NULL, 1.0f, 3, NULL);
      int N;
      const float *zhat = _strata_hqvae_acts_zhat (t->acts, l, &N);
      const int K = t->cfg.K[l], d = t->cfg.code_dim;
      float *cb = strata_params_value (&m->params, m->i_cb[l]);
      double var = 0.0, mean[512] = { 0 };
      for (int i = 0; i < N; i++)
        for (int j = 0; j < d; j++)
          mean[j] += zhat[(size_t) i * d + j] / N;
      for (int i = 0; i < N; i++)
        for (int j = 0; j < d; j++)
          var += pow (zhat[(size_t) i * d + j] - mean[j], 2) / ((double) N * d);
      for (int k = 0; k < K; k++)
        {
          int r = (int) strata_rng_below (&rng, (uint32_t) N);
          for (int j = 0; j < d; j++)
            cb[(size_t) k * d + j] = zhat[(size_t) r * d + j] +
                                     0.1f * sqrtf ((float) var) * strata_rng_normal (&rng);
        }
      /* bisection on log s² for a mean max-posterior of 0.2 */
      StrataSq q = { N, K, d };
      float *zq = g_new (float, (size_t) N * d);
      int32_t *idx = g_new (int32_t, N);
      float *cache = g_new (float, strata_sq_cache_size (&q));
      double lo = log (var * 1e-3), hi = log (var * 1e3 * d);
      for (int it = 0; it < 24; it++)
        {
          double mid = 0.5 * (lo + hi);
          StrataSqTerms terms;
          strata_sq_forward (&q, zq, idx, cache, &terms, zhat, cb, (float) mid, 1.0f, NULL, false);
          if (terms.mean_max_posterior > 0.2f)
            lo = mid;
          else
            hi = mid;
        }
      strata_params_value (&m->params, m->i_s0[l])[0] = (float) exp (0.5 * (lo + hi));
      say (t, "init %s: encoder variance %.4g, s0² %.4g", strata_level_get_name (l), var,
           exp (0.5 * (lo + hi)));
      g_free (zq);
      g_free (idx);
      g_free (cache);
    }
}

static float
validate1 (Trainer *t)
{
  GPtrArray *v = t->valid->len ? t->valid : t->train;
  StrataRng rng;
  strata_rng_seed (&rng, 4242);
  double mse[3] = { 0 };
  const int reps = 4;
  for (int r = 0; r < reps; r++)
    {
      crop_batch (t, v, &rng, _strata_hqvae_acts_input (t->acts), t->opt->batch1, t->opt->crop1);
      for (int k = 0; k < 3; k++)
        {
          HqStats st;
          _strata_hqvae_forward (&t->vae, t->acts, false, NULL, 1.0f, k + 1, &st);
          mse[k] += st.rec_mse / reps;
        }
    }
  for (int k = 0; k < 3; k++)
    t->opt->valid_mse[k] = (float) mse[k];
  say (t, "  valid hard-code MSE (standardised input; 1.0 = predicting the mean): "
       "coarse %.4f  coarse+medium %.4f  all %.4f", mse[0], mse[1], mse[2]);
  return (float) mse[2];
}

typedef struct {
  Trainer *t;
  int64_t first_step;
} ProgressCtx;

static void
stage1_progress (const StrataTrainProgress *p, void *user_data)
{
  Trainer *t = user_data;
  g_autoptr (GString) s = g_string_new (NULL);
  g_string_append_printf (s, "stage1 %5" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                          "  loss %.4f  mse %.4f  lr %.2e  |g| %.3g",
                          p->step, (gint64) t->opt->steps1, p->loss, t->stats.rec_mse, p->lr,
                          p->grad_norm);
  for (int l = 0; l < 3; l++)
    {
      int N;
      _strata_hqvae_acts_zhat (t->acts, l, &N);
      float ppl = strata_sq_perplexity (_strata_hqvae_acts_tokens (t->acts, l), N, t->cfg.K[l],
                                        t->hist);
      int used = 0;
      for (int k = 0; k < t->cfg.K[l]; k++)
        used += t->age[l][k] < 100;
      t->opt->perplexity[l] = ppl;
      t->opt->used_fraction[l] = (float) used / t->cfg.K[l];
      g_string_append_printf (s, "  %c: ppl %.0f used %.0f%% dead %d reseeded %d p %.2f s² %.3g",
                              strata_level_get_name (l)[0], ppl, 100.0 * used / t->cfg.K[l],
                              t->dead[l], t->opt->reseeded[l], t->stats.max_post[l],
                              exp (_strata_hqvae_log_var (&t->vae, l, NULL)));
    }
  g_string_append_printf (s, "  %.2f steps/s  ETA %.0f s", p->steps_per_second,
                          p->steps_per_second > 0 ? (t->opt->steps1 - p->step) / p->steps_per_second : 0.0);
  say (t, "%s", s->str);
  if (t->opt->first_loss1 == 0.0f)
    t->opt->first_loss1 = p->loss;
  t->opt->last_loss1 = p->loss;
}

/* Score stored beside the best parameters of a stage (early stopping). */
static float
read_best_score (const char *best_path)
{
  g_autoptr (StrataSafetensors) st = strata_safetensors_read_file (best_path, NULL);
  const char *v = st ? strata_safetensors_get_metadata (st, "strata.valid_score") : NULL;
  return v ? (float) g_ascii_strtod (v, NULL) : INFINITY;
}

/* The dead-code ages of the three codebooks as "a,b,…;a,b,…;a,b,…". */
static char *
ages_to_string (Trainer *t)
{
  GString *s = g_string_new (NULL);
  for (int l = 0; l < 3; l++)
    for (int k = 0; k < t->cfg.K[l]; k++)
      g_string_append_printf (s, "%s%d", k ? "," : l ? ";" : "", t->age[l][k]);
  return g_string_free (s, FALSE);
}

/* Restores the ages saved by ages_to_string(); FALSE, with every age 0,
 * when @text is missing or does not fit this configuration. */
static gboolean
ages_from_string (Trainer *t, const char *text)
{
  if (!text)
    return FALSE;
  g_auto (GStrv) levels = g_strsplit (text, ";", -1);
  if (g_strv_length (levels) != 3)
    return FALSE;
  for (int l = 0; l < 3; l++)
    {
      g_auto (GStrv) v = g_strsplit (levels[l], ",", -1);
      if (g_strv_length (v) != (guint) t->cfg.K[l])
        return FALSE;
      for (int k = 0; k < t->cfg.K[l]; k++)
        {
          gint64 a;
          if (!g_ascii_string_to_signed (v[k], 10, 0, G_MAXINT32, &a, NULL))
            {
              for (int m = 0; m < 3; m++)
                memset (t->age[m], 0, t->cfg.K[m] * sizeof (int32_t));
              return FALSE;
            }
          t->age[l][k] = (int32_t) a;
        }
    }
  return TRUE;
}

/* Trains @params to @steps with checkpoints every 100 steps. With
 * @best_path, every validation that beats the best so far saves the
 * parameters there, and the best ones are restored at the end. */
static gboolean
run_stage (Trainer *t, StrataParams *params, int steps, float lr, float weight_decay,
           int valid_every, StrataTrainStepFunc fn, StrataTrainProgressFunc progress,
           const char *ckpt, const char *arch, float (*validate) (Trainer *),
           const char *best_path, GError **error)
{
  StrataTrainer tr = {
    .optim = strata_adamw_config_default (),
    .step_func = fn, .step_data = t,
    .abort_func = t->opt->abort_func, .abort_data = t->opt->abort_data,
    .progress_func = progress, .progress_data = t,
    .progress_every = t->opt->log_every,
  };
  tr.optim.lr = lr;
  tr.optim.lr_min = lr * 0.1f;
  tr.optim.warmup_steps = MIN (100, steps / 10 + 1);
  tr.optim.total_steps = steps;
  tr.optim.weight_decay = weight_decay;
  tr.optim.clip_norm = 1.0f;
  g_autofree char *config = _strata_model_config_to_json (&t->cfg);
  float best = best_path && g_file_test (best_path, G_FILE_TEST_EXISTS)
               ? read_best_score (best_path) : INFINITY;
  while (params->step < steps)
    {
      int64_t next = MIN ((int64_t) steps, (params->step / 100 + 1) * 100);
      StrataNnStatus st = strata_train_run (&tr, params, next);
      if (st == STRATA_NN_ABORTED)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Training stopped"));
          return FALSE;
        }
      if (st != STRATA_NN_OK)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Training failed at step %lld: %s"),
                       (long long) params->step, strata_nn_status_to_string (st));
          return FALSE;
        }
      /* stage 1 also keeps the codes' ages, so that a resumed run re-seeds
       * the same dead codes as an uninterrupted one */
      g_autofree char *ages = strcmp (arch, STAGE1_ARCH) == 0 ? ages_to_string (t) : NULL;
      const char *ck_meta[] = { "strata.code_age", ages, NULL };
      if (!strata_params_save (params, ckpt, arch, config, ages ? ck_meta : NULL, TRUE, error))
        return FALSE;
      if (validate && (params->step % valid_every == 0 || params->step == steps))
        {
          float score = validate (t);
          if (best_path && score < best)
            {
              char buf[G_ASCII_DTOSTR_BUF_SIZE];
              g_ascii_dtostr (buf, sizeof buf, score);
              g_autofree char *step = g_strdup_printf ("%" G_GINT64_FORMAT, params->step);
              const char *meta[] = { "strata.valid_score", buf, "strata.best_step", step, NULL };
              if (!strata_params_save (params, best_path, arch, config, meta, FALSE, error))
                return FALSE;
              best = score;
            }
        }
    }
  if (best_path && g_file_test (best_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr (StrataSafetensors) st = strata_safetensors_read_file (best_path, NULL);
      const char *bs = st ? strata_safetensors_get_metadata (st, "strata.best_step") : NULL;
      const int64_t step = params->step;
      if (!strata_params_load (params, best_path, arch, FALSE, error))
        return FALSE;
      params->step = step;
      say (t, "  keeping the parameters of step %s (best validation %.4f)", bs ? bs : "?", best);
    }
  return TRUE;
}

/* ------------------------------------------------------------ stage 2 */

static StrataNnStatus
prior_step (void *user_data, int64_t step, int micro, float *loss)
{
  Trainer *t = user_data;
  Prior *p = t->prior;
  const int l = t->level, B = t->opt->batch_prior[l], T = p->ctx, TP = T / 4;
  StrataRng rng;
  strata_rng_seed (&rng, t->opt->seed * 7919u + (uint64_t) l * 1000003u + (uint64_t) step * 64 +
                           (uint64_t) micro);
  int32_t *tok = _strata_prior_acts_tokens (t->pacts), *par = _strata_prior_acts_parent (t->pacts);
  float *tags = _strata_prior_acts_tags (t->pacts);
  double total = 0.0;
  for (guint i = 0; i < t->train->len; i++)
    total += ((Piece *) t->train->pdata[i])->T_tok[l];
  for (int b = 0; b < B; b++)
    {
      double r = strata_rng_uniform (&rng) * total;
      guint i = 0;
      for (; i + 1 < t->train->len; i++)
        if ((r -= ((Piece *) t->train->pdata[i])->T_tok[l]) < 0)
          break;
      Piece *pc = t->train->pdata[i];
      const int span = pc->T_tok[l] - T;
      int off = span > 0 ? (int) strata_rng_below (&rng, (uint32_t) (span / 4 + 1)) * 4 : 0;
      for (int k = 0; k < T; k++)
        tok[b * T + k] = off + k < pc->T_tok[l] ? pc->tok[l][off + k] : -1;
      if (l > 0)
        for (int k = 0; k < TP; k++)
          par[b * TP + k] = off / 4 + k < pc->T_tok[l - 1] ? pc->tok[l - 1][off / 4 + k] : 0;
      const bool drop = strata_rng_uniform (&rng) < 0.2f;  /* conditioning dropout */
      for (int k = 0; k < p->n_tags; k++)
        tags[b * p->n_tags + k] = drop ? 0.0f : pc->tags[k];
    }
  /* padding targets (-1) are ignored by the loss; their inputs become 0 */
  *loss = _strata_prior_forward (p, t->pacts, T, 0);
  _strata_prior_backward (p, t->pacts, T);
  return isfinite (*loss) ? STRATA_NN_OK : STRATA_NN_ERROR_NONFINITE;
}

static void
prior_progress (const StrataTrainProgress *p, void *user_data)
{
  Trainer *t = user_data;
  say (t, "prior %-6s %5" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
       "  loss %.3f bits/token  lr %.2e  |g| %.3g  %.2f steps/s  ETA %.0f s",
       strata_level_get_name (t->level), p->step, (gint64) t->opt->steps_prior[t->level], p->loss / G_LN2, p->lr,
       p->grad_norm, p->steps_per_second,
       p->steps_per_second > 0 ? (t->opt->steps_prior[t->level] - p->step) / p->steps_per_second : 0.0);
  if (t->opt->first_loss_prior[t->level] == 0.0f)
    t->opt->first_loss_prior[t->level] = p->loss / (float) G_LN2;
  t->opt->last_loss_prior[t->level] = p->loss / (float) G_LN2;
}

static float
validate_prior (Trainer *t)
{
  GPtrArray *v = t->valid->len ? t->valid : t->train;
  Prior *p = t->prior;
  const int l = t->level, B = t->opt->batch_prior[l], T = p->ctx, TP = T / 4;
  int32_t *tok = _strata_prior_acts_tokens (t->pacts), *par = _strata_prior_acts_parent (t->pacts);
  float *tags = _strata_prior_acts_tags (t->pacts);
  double sum = 0.0, count = 0.0;
  /* every non-overlapping window of every piece, unconditional, B at a time */
  int b = 0, counted = 0;
  for (guint i = 0; i < v->len; i++)
    {
      Piece *pc = v->pdata[i];
      for (int w = 0; w < pc->T_tok[l]; w += T)
        {
          for (int k = 0; k < T; k++)
            tok[b * T + k] = w + k < pc->T_tok[l] ? pc->tok[l][w + k] : -1;
          counted += MIN (T, pc->T_tok[l] - w);
          if (l > 0)
            for (int k = 0; k < TP; k++)
              par[b * TP + k] = w / 4 + k < pc->T_tok[l - 1] ? pc->tok[l - 1][w / 4 + k] : 0;
          memset (tags + b * p->n_tags, 0, p->n_tags * sizeof (float));
          const gboolean last = i + 1 == v->len && w + T >= pc->T_tok[l];
          if (++b == B || last)
            {
              for (; b < B; b++)   /* pad the batch with ignored rows */
                for (int k = 0; k < T; k++)
                  tok[b * T + k] = -1;
              sum += (double) _strata_prior_forward (p, t->pacts, T, 0) * counted;
              count += counted;
              b = 0, counted = 0;
            }
        }
    }
  /* unigram entropy of the training tokens, for reference */
  g_autofree double *cnt = g_new0 (double, p->K);
  double tot = 0.0, H = 0.0;
  for (guint i = 0; i < t->train->len; i++)
    {
      Piece *pc = t->train->pdata[i];
      for (int k = 0; k < pc->T_tok[l]; k++)
        cnt[pc->tok[l][k]]++, tot++;
    }
  for (int k = 0; k < p->K; k++)
    if (cnt[k] > 0)
      H -= cnt[k] / tot * log2 (cnt[k] / tot);
  const double bits = sum / MAX (count, 1.0) / G_LN2;
  t->opt->valid_prior[l] = (float) bits;
  say (t, "  valid %s prior: %.3f bits/token over %.0f tokens (unigram entropy of the training "
       "tokens %.3f)", strata_level_get_name (l), bits, count, H);
  return (float) bits;
}

/* ------------------------------------------------------------ driver */

static void
standardise (GPtrArray *pieces, int M, const float *mean, const float *sd)
{
  for (guint i = 0; i < pieces->len; i++)
    {
      Piece *pc = pieces->pdata[i];
      for (size_t k = 0; k < (size_t) pc->T * M; k++)
        pc->mel[k] = (pc->mel[k] - mean[k % M]) / sd[k % M];
    }
}

gboolean
strata_model_train_foundation (StrataTrainOptions *opt, GError **error)
{
  Trainer tr = { .opt = opt }, *t = &tr;
  gboolean ok = FALSE;
  if (opt->tiny)
    _strata_model_config_small (&t->cfg);
  else
    _strata_model_config_default (&t->cfg);
  /* the corpus is real audio through the chosen front end */
  t->cfg.frontend = opt->frontend;
  t->cfg.n_mels = _strata_model_frontend_bins (opt->frontend);
  t->train = g_ptr_array_new_with_free_func (piece_free);
  t->valid = g_ptr_array_new_with_free_func (piece_free);
  t->timer = g_timer_new ();
  g_autofree char *ck1 = g_strconcat (opt->output, ".stage1.ckpt", NULL);
  Prior priors[3];
  memset (priors, 0, sizeof priors);

  if (!scan_corpus (t, opt->corpus_dirs, t->train, error))
    goto out;
  if (opt->valid_dirs && !scan_corpus (t, opt->valid_dirs, t->valid, error))
    goto out;
  if (!opt->valid_dirs)
    for (guint i = t->train->len; i-- > 0;)
      if (i % 20 == 19)
        g_ptr_array_add (t->valid, g_ptr_array_steal_index (t->train, i));
  if (t->train->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("No training audio found in %s (expected piece folders with mix.flac, "
                     "audio files, or a corpus index manifest)"), opt->corpus_dirs[0]);
      goto out;
    }
  opt->n_train = t->train->len, opt->n_valid = t->valid->len;
  double frames = 0;
  for (guint i = 0; i < t->train->len; i++)
    frames += ((Piece *) t->train->pdata[i])->T;
  say (t, "corpus: %u training pieces (%.1f min), %u validation pieces; %s in %.0f s",
       t->train->len, frames * 512 / 44100 / 60, t->valid->len,
       opt->frontend == STRATA_MODEL_FRONTEND_LOG_FREQ ? "log-frequency spectra" : "log-mel",
       g_timer_elapsed (t->timer, NULL));

  if (!_strata_hqvae_init (&t->vae, &t->cfg, 0))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of memory"));
      goto out;
    }
  _strata_hqvae_init_random (&t->vae, opt->seed);
  if (opt->resume && g_file_test (ck1, G_FILE_TEST_EXISTS))
    {
      if (!strata_params_load (&t->vae.params, ck1, STAGE1_ARCH, TRUE, error))
        goto out;
      say (t, "resumed stage 1 at step %" G_GINT64_FORMAT, t->vae.params.step);
    }
  else
    {
      /* per-band statistics of the training corpus */
      float *mean = strata_params_value (&t->vae.params, t->vae.i_mean);
      float *sd = strata_params_value (&t->vae.params, t->vae.i_std);
      const int M = t->cfg.n_mels;
      g_autofree double *s1 = g_new0 (double, M), *s2 = g_new0 (double, M);
      double n = 0;
      for (guint i = 0; i < t->train->len; i++)
        {
          Piece *pc = t->train->pdata[i];
          for (size_t k = 0; k < (size_t) pc->T * M; k++)
            s1[k % M] += pc->mel[k], s2[k % M] += (double) pc->mel[k] * pc->mel[k];
          n += pc->T;
        }
      for (int m = 0; m < M; m++)
        {
          mean[m] = (float) (s1[m] / n);
          sd[m] = (float) sqrt (MAX (s2[m] / n - (s1[m] / n) * (s1[m] / n), 1e-4));
        }
    }
  standardise (t->train, t->cfg.n_mels, strata_params_value (&t->vae.params, t->vae.i_mean),
               strata_params_value (&t->vae.params, t->vae.i_std));
  standardise (t->valid, t->cfg.n_mels, strata_params_value (&t->vae.params, t->vae.i_mean),
               strata_params_value (&t->vae.params, t->vae.i_std));
  t->acts = _strata_hqvae_acts_new (&t->vae, opt->batch1, opt->crop1);
  for (int l = 0; l < 3; l++)
    t->age[l] = g_new0 (int32_t, t->cfg.K[l]);
  if (t->vae.params.step > 0)
    {
      g_autoptr (StrataSafetensors) st = strata_safetensors_read_file (ck1, NULL);
      if (!ages_from_string (t, st ? strata_safetensors_get_metadata (st, "strata.code_age") : NULL))
        say (t, "  the checkpoint holds no code ages: counting from zero");
    }
  t->hist = g_new0 (float, 65536);
  if (t->vae.params.step == 0)
    data_init (t);
  for (int l = 0; l < 3; l++)
    if (opt->anneal[l] != 1.0f)
      say (t, "variance schedule: %s s0² × %g between steps %d and %d", strata_level_get_name (l),
           opt->anneal[l], opt->steps1 / 10, opt->steps1 * 7 / 10);
  if (t->vae.params.step < opt->steps1)
    {
      say (t, "stage 1: %zu parameters, %d steps of %d × %d frames",
           strata_params_count (&t->vae.params), opt->steps1, opt->batch1, opt->crop1);
      if (!run_stage (t, &t->vae.params, opt->steps1, opt->lr1, 0.01f, opt->valid_every,
                      stage1_step, stage1_progress, ck1, STAGE1_ARCH, validate1, NULL, error))
        goto out;
    }
  validate1 (t);

  /* tokens of every piece */
  GPtrArray *sets[2] = { t->train, t->valid };
  for (int s = 0; s < 2; s++)
    for (guint i = 0; i < sets[s]->len; i++)
      {
        Piece *pc = sets[s]->pdata[i];
        const int T_pad = (pc->T + 15) / 16 * 16;
        for (int l = 0; l < 3; l++)
          pc->tok[l] = g_new0 (int32_t, T_pad >> (2 * (2 - l)));
        _strata_model_tokens (&t->vae, pc->mel, pc->T, pc->tok, pc->T_tok, NULL, NULL, NULL);
      }
  say (t, "tokens extracted (%.0f s)", g_timer_elapsed (t->timer, NULL));

  for (int l = 0; l < 3; l++)
    {
      g_autofree char *ck = g_strdup_printf ("%s.prior-%s.ckpt", opt->output,
                                             strata_level_get_name (l));
      if (!_strata_prior_init (&priors[l], &t->cfg, l, 0))
        goto out;
      _strata_prior_init_random (&priors[l], opt->seed * 31 + (uint64_t) l);
      if (opt->resume && g_file_test (ck, G_FILE_TEST_EXISTS))
        {
          if (!strata_params_load (&priors[l].params, ck, PRIOR_ARCH, TRUE, error))
            goto out;
          say (t, "resumed the %s prior at step %" G_GINT64_FORMAT, strata_level_get_name (l),
               priors[l].params.step);
        }
      t->prior = &priors[l];
      t->level = l;
      t->pacts = _strata_prior_acts_new (&priors[l], opt->batch_prior[l]);
      say (t, "prior %s: %zu parameters, %d steps of %d × %d tokens", strata_level_get_name (l),
           strata_params_count (&priors[l].params), opt->steps_prior[l], opt->batch_prior[l],
           priors[l].ctx);
      g_autofree char *best = g_strdup_printf ("%s.prior-%s.best", opt->output,
                                               strata_level_get_name (l));
      /* the priors overfit a one-hour corpus within ~1000 steps: weight
       * decay 0.1 and early stopping on the held-out pieces */
      gboolean r = run_stage (t, &priors[l].params, opt->steps_prior[l], opt->lr_prior, 0.1f,
                              opt->valid_every_prior, prior_step, prior_progress, ck, PRIOR_ARCH,
                              validate_prior, best, error);
      if (r)
        validate_prior (t);
      g_clear_pointer (&t->pacts, _strata_prior_acts_free);
      if (!r)
        goto out;
    }

  {
    g_autoptr (StrataModel) model = _strata_model_new_from_parts (&t->vae, priors, opt->output);
    if (!_strata_model_save (model, opt->output, opt->half, error))
      goto out;
    say (t, "wrote %s (%s) after %.0f s", opt->output, strata_model_get_version (model),
         g_timer_elapsed (t->timer, NULL));
  }
  ok = TRUE;
out:
  g_clear_pointer (&t->acts, _strata_hqvae_acts_free);
  g_clear_pointer (&t->pacts, _strata_prior_acts_free);
  _strata_hqvae_clear (&t->vae);
  for (int l = 0; l < 3; l++)
    {
      _strata_prior_clear (&priors[l]);
      g_free (t->age[l]);
    }
  g_free (t->hist);
  _strata_model_config_clear (&t->cfg);
  g_ptr_array_unref (t->train);
  g_ptr_array_unref (t->valid);
  g_timer_destroy (t->timer);
  return ok;
}
