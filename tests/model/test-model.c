/* test-model.c: the foundation model — gradient checks of both stages on a
 * tiny configuration, a training smoke test on synthetic tones, feature
 * extraction (shapes, determinism, options, errors), bad weights files,
 * the .npz writer and `strata-cli features` read back by numpy, and the
 * committed default model against its stored reference.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/strata-feature-maps.h"
#include "audio/strata-audio.h"
#include "corpus/strata-compose.h"
#include "nn/strata-safetensors.h"
#include "model/strata-model-private.h"
#include "model/strata-model-train.h"
#include "model/strata-npz.h"
#include "strata-check-npz.h"

static char *tmpdir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

/* ------------------------------------------------------------ gradient checks */

/* Compares analytic gradients with central differences on up to @per_tensor
 * entries of every trainable tensor. Tolerance: 3 % of the larger magnitude
 * plus GRAD_ABS_TOL. Counts the entries checked and the "strong" ones whose
 * gradient exceeds GRAD_STRONG (10× the absolute floor), where the check
 * cannot pass by both values being near zero. */
#define GRAD_ABS_TOL 2e-4
#define GRAD_STRONG (10 * GRAD_ABS_TOL)

typedef float (*LossFunc) (void *ctx);

typedef struct {
  int checked, strong;
} GradCount;

static GradCount
check_grads (StrataParams *ps, LossFunc loss, void *ctx, int per_tensor, float eps)
{
  GradCount n = { 0, 0 };
  StrataRng rng;
  strata_rng_seed (&rng, 99);
  for (int i = 0; i < ps->n_params; i++)
    {
      const StrataParamInfo *in = &ps->info[i];
      if (in->flags & STRATA_PARAM_FROZEN)
        continue;
      float *v = strata_params_value (ps, i);
      const float *g = strata_params_grad (ps, i);
      for (int k = 0; k < per_tensor && k < (int) in->numel; k++)
        {
          size_t j = in->numel <= (size_t) per_tensor ? (size_t) k
                                                      : strata_rng_below (&rng, (uint32_t) in->numel);
          const float save = v[j];
          v[j] = save + eps;
          double lp = loss (ctx);
          v[j] = save - eps;
          double lm = loss (ctx);
          v[j] = save;
          double num = (lp - lm) / (2.0 * eps), ana = g[j];
          double tol = 0.03 * MAX (fabs (num), fabs (ana)) + GRAD_ABS_TOL;
          if (fabs (num - ana) > tol)
            g_error ("%s[%zu]: analytic %.6g, numeric %.6g", in->name, j, ana, num);
          n.checked++;
          n.strong += MAX (fabs (num), fabs (ana)) > GRAD_STRONG;
        }
    }
  return n;
}

typedef struct {
  HqVae vae;
  HqActs *acts;
  float *x;
  int n_levels_used;
} Stage1Ctx;

static float
stage1_loss (void *p)
{
  Stage1Ctx *c = p;
  StrataRng rng;
  strata_rng_seed (&rng, 5);
  memcpy (_strata_hqvae_acts_input (c->acts), c->x, 2 * 32 * 8 * sizeof (float));
  HqStats st;
  _strata_hqvae_forward (&c->vae, c->acts, true, &rng, 0.7f, c->n_levels_used, &st);
  return st.loss;
}

/* The whole stage-1 loss with all three levels injected, and with level
 * dropout (only the coarse, or the coarse and medium codes reach the
 * decoder: the finer levels' P gets no gradient, their quantisers only
 * the latent terms). */
static void
test_gradcheck_stage1 (gconstpointer data)
{
  const int n_levels_used = GPOINTER_TO_INT (data);
  StrataModelConfig cfg;
  _strata_model_config_tiny (&cfg);
  Stage1Ctx c;
  g_assert_true (_strata_hqvae_init (&c.vae, &cfg, 0));
  _strata_hqvae_init_random (&c.vae, 3);
  /* larger weights than the training init (whose residual branches start
   * near zero) so that every path carries a gradient well above the floor */
  for (int i = 0; i < c.vae.params.n_params; i++)
    {
      if (c.vae.params.info[i].flags & STRATA_PARAM_FROZEN)
        continue;
      StrataRng r;
      strata_rng_seed (&r, 200 + (uint64_t) i);
      float *v = strata_params_value (&c.vae.params, i);
      for (size_t k = 0; k < c.vae.params.info[i].numel; k++)
        v[k] += 0.3f * strata_rng_normal (&r);
    }
  /* a variance that keeps the posterior neither flat nor one-hot */
  for (int l = 0; l < 3; l++)
    strata_params_value (&c.vae.params, c.vae.i_s0[l])[0] = 0.5f;
  strata_params_value (&c.vae.params, c.vae.i_theta[0])[0] = 0.3f;
  c.acts = _strata_hqvae_acts_new (&c.vae, 2, 32);
  c.x = g_new (float, 2 * 32 * 8);
  c.n_levels_used = n_levels_used;
  StrataRng rng;
  strata_rng_seed (&rng, 11);
  strata_rng_fill_normal (&rng, c.x, 2 * 32 * 8, 0.0f, 1.0f);
  strata_params_zero_grad (&c.vae.params);
  stage1_loss (&c);
  _strata_hqvae_backward (&c.vae, c.acts, 0.7f);
  /* unused levels: no gradient reaches their P */
  for (int l = n_levels_used; l < 3; l++)
    {
      const float *g = strata_params_grad (&c.vae.params, c.vae.i_p_w[l]);
      for (size_t k = 0; k < c.vae.params.info[c.vae.i_p_w[l]].numel; k++)
        g_assert_cmpfloat (g[k], ==, 0.0f);
    }
  GradCount n = check_grads (&c.vae.params, stage1_loss, &c, 6, 1e-2f);
  g_test_message ("stage 1, %d level(s) used: %d gradient entries checked, %d with |g| > %g",
                  n_levels_used, n.checked, n.strong, GRAD_STRONG);
  g_assert_cmpint (n.checked, >, 150);
  g_assert_cmpint (3 * n.strong, >=, 2 * n.checked);
  g_free (c.x);
  _strata_hqvae_acts_free (c.acts);
  _strata_hqvae_clear (&c.vae);
  _strata_model_config_clear (&cfg);
}

typedef struct {
  Prior prior;
  PriorActs *acts;
  int T;
  int32_t tok[2 * 16], par[2 * 4];
  float tags[2 * 3];
} PriorCtx;

static float
prior_loss (void *p)
{
  PriorCtx *c = p;
  const int T = c->T;
  memcpy (_strata_prior_acts_tokens (c->acts), c->tok, 2 * T * sizeof (int32_t));
  memcpy (_strata_prior_acts_parent (c->acts), c->par, 2 * ((T + 3) / 4) * sizeof (int32_t));
  memcpy (_strata_prior_acts_tags (c->acts), c->tags, sizeof c->tags);
  return _strata_prior_forward (&c->prior, c->acts, T, 0);
}

/* Each prior at its full context: coarse (T = 8, window 4, no parent path),
 * medium and fine (T = 16, window 8, parent conditioning); all with tags. */
static void
test_gradcheck_prior (gconstpointer data)
{
  const StrataLevel level = GPOINTER_TO_INT (data);
  StrataModelConfig cfg;
  _strata_model_config_tiny (&cfg);
  PriorCtx c;
  g_assert_true (_strata_prior_init (&c.prior, &cfg, level, 0));
  _strata_prior_init_random (&c.prior, 4);
  c.T = c.prior.ctx;
  g_assert_cmpint (c.T, <=, 16);
  g_assert_cmpint (c.prior.window, <, c.T);
  /* larger weights than the training init so every path matters */
  for (int i = 0; i < c.prior.params.n_params; i++)
    {
      StrataRng r;
      strata_rng_seed (&r, 100 + (uint64_t) i);
      float *v = strata_params_value (&c.prior.params, i);
      for (size_t k = 0; k < c.prior.params.info[i].numel; k++)
        v[k] += 0.3f * strata_rng_normal (&r);
    }
  c.acts = _strata_prior_acts_new (&c.prior, 2);
  StrataRng rng;
  strata_rng_seed (&rng, 12);
  memset (c.tok, 0, sizeof c.tok);
  memset (c.par, 0, sizeof c.par);
  for (int i = 0; i < 2 * c.T; i++)
    c.tok[i] = (int32_t) strata_rng_below (&rng, (uint32_t) c.prior.K);
  c.tok[2 * c.T - 1] = -1;   /* padding: no target */
  for (int i = 0; level > STRATA_LEVEL_COARSE && i < 2 * ((c.T + 3) / 4); i++)
    c.par[i] = (int32_t) strata_rng_below (&rng, (uint32_t) c.prior.K_parent);
  const float tags[6] = { 1, 0, 1, 0, 0, 0 };
  memcpy (c.tags, tags, sizeof tags);
  strata_params_zero_grad (&c.prior.params);
  float l0 = prior_loss (&c);
  g_assert_true (isfinite (l0));
  _strata_prior_backward (&c.prior, c.acts, c.T);
  GradCount n = check_grads (&c.prior.params, prior_loss, &c, 5, 1e-2f);
  g_test_message ("%s prior: %d gradient entries checked, %d with |g| > %g, loss %.4f",
                  strata_level_get_name (level), n.checked, n.strong, GRAD_STRONG, l0);
  g_assert_cmpint (n.checked, >, level == STRATA_LEVEL_COARSE ? 80 : 100);
  g_assert_cmpint (3 * n.strong, >=, 2 * n.checked);
  _strata_prior_acts_free (c.acts);
  _strata_prior_clear (&c.prior);
  _strata_model_config_clear (&cfg);
}

/* Causality: changing token t changes no hidden state before t + 1 (inputs
 * are shifted by one), and the parent mapping is ⌊t/4⌋. */
static void
test_prior_causal (void)
{
  StrataModelConfig cfg;
  _strata_model_config_tiny (&cfg);
  Prior p;
  g_assert_true (_strata_prior_init (&p, &cfg, STRATA_LEVEL_FINE, 0));
  _strata_prior_init_random (&p, 9);
  PriorActs *a = _strata_prior_acts_new (&p, 1);
  const int T = 16, d = p.d;
  int32_t *tok = _strata_prior_acts_tokens (a), *par = _strata_prior_acts_parent (a);
  for (int t = 0; t < T; t++)
    tok[t] = t % 7;
  for (int t = 0; t < 4; t++)
    par[t] = t;
  _strata_prior_forward (&p, a, T, 2);
  g_autofree float *h0 = g_memdup2 (_strata_prior_acts_hidden (a, 2), (gsize) T * d * 4);
  tok[9] = 3;   /* was 2 */
  _strata_prior_forward (&p, a, T, 2);
  const float *h1 = _strata_prior_acts_hidden (a, 2);
  g_assert_cmpmem (h0, 10 * d * 4, h1, 10 * d * 4);
  g_assert_true (memcmp (h0 + 10 * d, h1 + 10 * d, (gsize) d * 4) != 0);
  tok[9] = 2;
  /* parent 2 covers t = 8..11; the conv (k = 3) reaches t = 7..12 */
  par[2] = 0;
  _strata_prior_forward (&p, a, T, 2);
  const float *h2 = _strata_prior_acts_hidden (a, 2);
  g_assert_cmpmem (h0, 7 * d * 4, h2, 7 * d * 4);
  g_assert_true (memcmp (h0 + 8 * d, h2 + 8 * d, (gsize) d * 4) != 0);
  _strata_prior_acts_free (a);
  _strata_prior_clear (&p);
  _strata_model_config_clear (&cfg);
}

/* ------------------------------------------------------------ training smoke */

/* Synthetic "music": notes of random pitch and length, two harmonics. */
static float *
tone_track (uint64_t seed, double seconds, gint64 *n_frames)
{
  const gint64 n = (gint64) (seconds * 44100);
  float *s = g_new0 (float, 2 * n);
  StrataRng rng;
  strata_rng_seed (&rng, seed);
  gint64 i = 0;
  while (i < n)
    {
      gint64 len = 4410 + strata_rng_below (&rng, 17640);
      double f = 110.0 * pow (2.0, strata_rng_below (&rng, 36) / 12.0);
      for (gint64 k = 0; k < len && i < n; k++, i++)
        {
          double env = exp (-3.0 * k / len);
          float v = (float) (0.3 * env * (sin (2 * G_PI * f * i / 44100) +
                                          0.3 * sin (4 * G_PI * f * i / 44100)));
          s[2 * i] = s[2 * i + 1] = v;
        }
    }
  *n_frames = n;
  return s;
}

static char *tiny_model_path;
static StrataTrainOptions tiny_stats;   /* the run that trained it */

static void
log_quiet (const char *line, void *user_data)
{
  g_test_message ("%s", line);
}

/* The tiny model the extraction and CLI tests use: trained once, by the
 * first test that needs it (the smoke test in a full run, or any of them
 * run alone with -p), on two pieces in a corpus folder (plus a Frets on
 * Fire song, skipped) and two more listed by a `corpus index` manifest
 * beside an entry marked "training": false whose file does not exist
 * (skipped, not read). Its training figures are in tiny_stats. */
static const char *
tiny_model (void)
{
  if (tiny_model_path != NULL)
    return tiny_model_path;

  g_autofree char *corpus = tmp_path ("corpus");
  g_autofree char *real = tmp_path ("real");
  g_mkdir_with_parents (corpus, 0755);
  g_mkdir_with_parents (real, 0755);
  GString *manifest = g_string_new (NULL);
  for (int k = 0; k < 4; k++)
    {
      gint64 n;
      g_autofree float *s = tone_track (10 + (uint64_t) k, 4.0, &n);
      g_autofree char *name = g_strdup_printf ("piece%d.wav", k);
      g_autofree char *path = g_build_filename (k < 2 ? corpus : real, name, NULL);
      g_autoptr (GError) error = NULL;
      g_assert_true (strata_audio_write (path, s, n, 2, 44100, STRATA_AUDIO_FORMAT_WAV_F32,
                                         &error));
      if (k >= 2)
        g_string_append_printf (manifest, "{\"path\":\"%s\",\"training\":true}\n", path);
    }
  /* a Frets on Fire song in the folder: skipped by its path */
  {
    gint64 n;
    g_autofree float *s = tone_track (99, 4.0, &n);
    g_autofree char *path = g_build_filename (corpus, "fretsonfire-song.wav", NULL);
    g_assert_true (strata_audio_write (path, s, n, 2, 44100, STRATA_AUDIO_FORMAT_WAV_F32, NULL));
  }
  g_string_append_printf (manifest, "{\"path\":\"%s/fretsonfire/song.ogg\",\"training\":false}\n",
                          real);
  g_autofree char *manifest_path = tmp_path ("real.jsonl");
  g_assert_true (g_file_set_contents (manifest_path, manifest->str, -1, NULL));
  g_string_free (manifest, TRUE);
  StrataTrainOptions opt;
  strata_train_options_init (&opt);
  char *dirs[] = { corpus, manifest_path, NULL };
  g_autofree char *path = tmp_path ("tiny.safetensors");
  opt.corpus_dirs = dirs;
  opt.output = path;
  opt.tiny = TRUE;
  opt.steps1 = 300, opt.batch1 = 4, opt.crop1 = 64;
  opt.lr1 = opt.lr_prior = 3e-3f;
  for (int l = 0; l < 3; l++)
    opt.steps_prior[l] = 60, opt.batch_prior[l] = 4;
  opt.log_every = 10, opt.valid_every = 50;
  opt.log = log_quiet;
  g_autoptr (GError) error = NULL;
  g_assert_true (strata_model_train_foundation (&opt, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  opt.corpus_dirs = NULL;   /* the figures outlive the run's strings */
  opt.output = NULL;
  tiny_stats = opt;
  tiny_model_path = g_steal_pointer (&path);
  return tiny_model_path;
}

static void
test_train_smoke (void)
{
  const StrataTrainOptions *opt = &tiny_stats;

  g_assert_nonnull (tiny_model ());
  g_assert_cmpuint (opt->n_train, ==, 4);
  g_test_message ("stage 1 loss %.4f -> %.4f; valid MSE c %.3f cm %.3f all %.3f",
                  opt->first_loss1, opt->last_loss1, opt->valid_mse[0], opt->valid_mse[1],
                  opt->valid_mse[2]);
  /* Stated: the all-level reconstruction MSE of held-out crops (standardised
   * log-mel; predicting the band means gives ~1) ends below 0.6, and the
   * stage-1 loss falls. Each prior's loss falls by at least 10 %. */
  g_assert_cmpfloat (opt->valid_mse[2], <, 0.6f);
  g_assert_cmpfloat (opt->last_loss1, <, opt->first_loss1);
  for (int l = 0; l < 3; l++)
    {
      g_test_message ("prior %d: %.3f -> %.3f bits/token", l, opt->first_loss_prior[l],
                      opt->last_loss_prior[l]);
      g_assert_cmpfloat (opt->last_loss_prior[l], <, 0.9f * opt->first_loss_prior[l]);
    }
  g_assert_true (g_file_test (tiny_model_path, G_FILE_TEST_IS_REGULAR));
}

static bool
abort_after (void *data)
{
  int *calls = data;
  return --*calls < 0;
}

static StrataAudio *tone_audio (double seconds);

/* Keeps the initial s0² of the fine level from the "init fine" line. */
static void
log_fine_s0 (const char *line, void *user_data)
{
  const char *at = strstr (line, "init fine:");
  if (at && strstr (at, "s0² "))
    *(double *) user_data = g_ascii_strtod (strstr (at, "s0² ") + strlen ("s0² "), NULL);
  g_test_message ("%s", line);
}

/* `train foundation --resume` after a stop continues bit-identically: the
 * same weights file as an uninterrupted run (one OpenBLAS thread), with
 * the log-frequency front end and a variance schedule that the stop cuts
 * in the middle, and with
 * dead codes re-seeded after the checkpoint at step 400 that died before it
 * (at steps 549 and 649 here; their ages are in the checkpoint). */
static void
test_train_resume (gconstpointer data)
{
  /* 1: the log-frequency front end with a variance schedule */
  const gboolean logfreq = GPOINTER_TO_INT (data);
  g_autofree char *corpus = tmp_path ("resume-corpus");
  g_mkdir_with_parents (corpus, 0755);   /* written again by the second run: same bytes */
  for (int k = 0; k < 3; k++)
    {
      gint64 n;
      g_autofree float *s = tone_track (40 + (uint64_t) k, 3.0, &n);
      g_autofree char *name = g_strdup_printf ("piece%d.wav", k);
      g_autofree char *path = g_build_filename (corpus, name, NULL);
      g_assert_true (strata_audio_write (path, s, n, 2, 44100, STRATA_AUDIO_FORMAT_WAV_F32, NULL));
    }
  char *dirs[] = { corpus, NULL };
  g_autofree char *straight = tmp_path (logfreq ? "straight-lf.safetensors"
                                                 : "straight.safetensors");
  g_autofree char *stopped = tmp_path (logfreq ? "stopped-lf.safetensors" : "stopped.safetensors");
  strata_nn_set_num_threads (1);
  int reseeded_straight = 0;
  double s0_fine = 0.0;
  for (int run = 0; run < 3; run++)   /* straight; stopped; resumed */
    {
      StrataTrainOptions opt;
      strata_train_options_init (&opt);
      opt.corpus_dirs = dirs;
      opt.output = run == 0 ? straight : stopped;
      opt.tiny = TRUE;
      if (logfreq)
        {
          opt.frontend = STRATA_MODEL_FRONTEND_LOG_FREQ;
          opt.anneal[1] = 0.5f, opt.anneal[2] = 0.1f;
        }
      opt.steps1 = 1000, opt.batch1 = 2, opt.crop1 = 64;
      for (int l = 0; l < 3; l++)
        opt.steps_prior[l] = 30, opt.batch_prior[l] = 2;
      opt.log_every = 100, opt.valid_every = 100;
      opt.log = log_fine_s0, opt.log_data = &s0_fine;
      opt.resume = run == 2;
      int calls = 460;   /* a few for the corpus scan, then one a step: stops near step 455 */
      if (run == 1)
        opt.abort_func = abort_after, opt.abort_data = &calls;
      g_autoptr (GError) error = NULL;
      const gboolean ok = strata_model_train_foundation (&opt, &error);
      if (run == 1)
        {
          g_assert_false (ok);
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_assert_false (g_file_test (stopped, G_FILE_TEST_EXISTS));
          continue;
        }
      g_assert_no_error (error);
      g_assert_true (ok);
      int r = opt.reseeded[0] + opt.reseeded[1] + opt.reseeded[2];
      g_test_message ("run %d: %d codes re-seeded", run, r);
      if (run == 0)
        reseeded_straight = r;
      else if (!logfreq)
        g_assert_cmpint (r, >, 0);   /* the resumed part re-seeded codes too */
    }
  if (!logfreq)
    g_assert_cmpint (reseeded_straight, >, 0);
  gchar *a, *b;
  gsize na, nb;
  g_assert_true (g_file_get_contents (straight, &a, &na, NULL));
  g_assert_true (g_file_get_contents (stopped, &b, &nb, NULL));
  g_assert_cmpuint (na, ==, nb);
  g_assert_true (memcmp (a, b, na) == 0);
  g_free (a);
  g_free (b);
  if (!logfreq)
    return;
  /* the file reads the log-frequency bins, and the schedule ran its course */
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataModel) m = strata_model_load (straight, &error);
  g_assert_no_error (error);
  g_assert_cmpint (m->vae.cfg.frontend, ==, STRATA_MODEL_FRONTEND_LOG_FREQ);
  g_assert_cmpint (m->vae.cfg.n_mels, ==, 264);
  const float s0_end = strata_params_value (&m->vae.params, m->vae.i_s0[2])[0];
  g_assert_cmpfloat (s0_fine, >, 0.0);
  g_assert_cmpfloat_with_epsilon (s0_end / s0_fine, 0.1, 1e-3);
  g_autoptr (StrataAudio) audio = tone_audio (1.0);
  g_autoptr (StrataFeatures) f = strata_model_extract (m, audio, NULL, NULL, NULL, NULL, NULL,
                                                       &error);
  g_assert_no_error (error);
  g_assert_cmpint (f->level[2].T, ==, ((int) (44100 / 512 + 1) + 15) / 16 * 16);
  g_assert_cmpint (f->section_basis.D_mel, ==, 264);
}

/* A damaged manifest, a manifest naming a missing file, and one whose only
 * entry is excluded from training: each an error naming the problem, before
 * any training starts. */
static void
test_train_bad_corpus (void)
{
  struct { const char *name, *text, *needle; } cases[] = {
    { "notjson.jsonl", "{\"path\": \"a.wav\"}\nnot json\n", "line 2" },
    { "nopath.jsonl", "{\"duration_s\": 3}\n", "path" },
    { "missing.jsonl", "{\"path\": \"/nonexistent/strata/a.ogg\"}\n", "/nonexistent/strata/a.ogg" },
    { "excluded.jsonl", "{\"path\": \"/nonexistent/b.ogg\", \"training\": false}\n",
      "No training audio" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = tmp_path (cases[i].name);
      g_assert_true (g_file_set_contents (path, cases[i].text, -1, NULL));
      g_autofree char *out = tmp_path ("bad-corpus.safetensors");
      StrataTrainOptions opt;
      strata_train_options_init (&opt);
      char *dirs[] = { path, NULL };
      opt.corpus_dirs = dirs;
      opt.output = out;
      opt.tiny = TRUE;
      opt.log = log_quiet;
      g_autoptr (GError) error = NULL;
      g_assert_false (strata_model_train_foundation (&opt, &error));
      g_assert_nonnull (error);
      g_test_message ("%s: %s", cases[i].name, error->message);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }
}

/* ------------------------------------------------------------ extraction */

static StrataAudio *
tone_audio (double seconds)
{
  gint64 n;
  float *s = tone_track (77, seconds, &n);
  return strata_audio_new_take (s, n);
}

static bool
abort_now (void *data)
{
  return TRUE;
}

static void
test_extract (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataModel) m = strata_model_load (tiny_model (), &error);
  g_assert_no_error (error);
  g_assert_cmpint (strata_model_get_n_layers (m), ==, 2);
  g_assert_cmpint (strata_model_get_default_layer (m), ==, 1);
  g_assert_cmpuint (strata_model_get_n_tags (m), ==, 3);
  g_assert_true (g_str_has_prefix (strata_model_get_version (m), "strata-foundation/1/"));
  g_autoptr (StrataAudio) audio = tone_audio (3.3);
  const gint64 n = strata_audio_get_n_frames (audio);
  g_autoptr (StrataFeatures) f = strata_model_extract (m, audio, NULL, NULL, NULL, NULL, NULL,
                                                       &error);
  g_assert_no_error (error);
  const int T = (int) (n / 512 + 1), T_pad = (T + 15) / 16 * 16;
  for (int l = 0; l < 3; l++)
    {
      const StrataFeatureLevel *fl = &f->level[l];
      g_assert_cmpint (fl->T, ==, T_pad >> (2 * (2 - l)));
      g_assert_cmpint (fl->D, ==, strata_model_get_dim (m, l));
      g_assert_cmpfloat_with_epsilon (fl->rate, 44100.0 / 512 / (1 << (2 * (2 - l))), 1e-9);
      for (int t = 0; t < fl->T; t++)
        g_assert_true (fl->tokens[t] >= 0 && fl->tokens[t] < fl->K);
      for (size_t k = 0; k < (size_t) fl->T * fl->D; k++)
        g_assert_true (isfinite (fl->features[k]));
    }
  g_assert_cmpint (f->layer, ==, 1);
  g_assert_cmpstr (f->model_version, ==, strata_model_get_version (m));
  /* deterministic */
  g_autoptr (StrataFeatures) f2 = strata_model_extract (m, audio, NULL, NULL, NULL, NULL, NULL,
                                                        &error);
  for (int l = 0; l < 3; l++)
    {
      g_assert_cmpmem (f->level[l].tokens, f->level[l].T * 4, f2->level[l].tokens,
                       f2->level[l].T * 4);
      g_assert_cmpmem (f->level[l].features, (gsize) f->level[l].T * f->level[l].D * 4,
                       f2->level[l].features, (gsize) f2->level[l].T * f2->level[l].D * 4);
    }
  /* the cache form round-trips; damaged bytes are refused */
  g_autoptr (GBytes) bytes = strata_features_to_bytes (f);
  g_autoptr (StrataFeatures) back = strata_features_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->model_version, ==, f->model_version);
  g_assert_cmpint (back->layer, ==, f->layer);
  g_assert_cmpfloat (back->duration, ==, f->duration);
  for (int l = 0; l < 3; l++)
    {
      g_assert_cmpint (back->level[l].T, ==, f->level[l].T);
      g_assert_cmpfloat (back->level[l].rate, ==, f->level[l].rate);
      g_assert_cmpmem (back->level[l].features, (gsize) f->level[l].T * f->level[l].D * 4,
                       f->level[l].features, (gsize) f->level[l].T * f->level[l].D * 4);
    }
  gsize blen;
  const guint8 *bdata = g_bytes_get_data (bytes, &blen);
  for (gsize cut = 0; cut < blen; cut += 1 + cut / 3)
    {
      g_autoptr (GBytes) part = g_bytes_new (bdata, cut);
      g_assert_null (strata_features_new_from_bytes (part, &error));
      g_assert_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INVALID);
      g_clear_error (&error);
    }
  /* another layer and a condition change the features, not the tokens */
  const char *cond[] = { "jazz", NULL };
  StrataFeatureOptions o2 = { 2, cond };
  g_autoptr (StrataFeatures) f3 = strata_model_extract (m, audio, &o2, NULL, NULL, NULL, NULL,
                                                        &error);
  g_assert_no_error (error);
  g_autoptr (GBytes) bytes3 = strata_features_to_bytes (f3);
  g_autoptr (StrataFeatures) back3 = strata_features_new_from_bytes (bytes3, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back3->condition[0], ==, "jazz");
  g_assert_null (back3->condition[1]);
  g_assert_cmpint (f3->layer, ==, 2);
  g_assert_cmpstr (f3->condition[0], ==, "jazz");
  g_assert_cmpmem (f->level[2].tokens, f->level[2].T * 4, f3->level[2].tokens,
                   f3->level[2].T * 4);
  g_assert_true (memcmp (f->level[2].features, f3->level[2].features, 4 * f->level[2].D) != 0);
  /* bad options */
  const char *bad_cond[] = { "polka", NULL };
  StrataFeatureOptions o3 = { 0, bad_cond };
  g_assert_null (strata_model_extract (m, audio, &o3, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_BAD_OPTION);
  g_assert_nonnull (strstr (error->message, "polka"));
  g_clear_error (&error);
  StrataFeatureOptions o4 = { 3, NULL };
  g_assert_null (strata_model_extract (m, audio, &o4, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_BAD_OPTION);
  g_clear_error (&error);
  /* cancel */
  g_assert_null (strata_model_extract (m, audio, NULL, NULL, NULL, abort_now, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  /* too short: 0.1 s */
  g_autoptr (StrataAudio) tiny = strata_audio_new_take (g_new0 (float, 2 * 4410), 4410);
  g_assert_null (strata_model_extract (m, tiny, NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_TOO_SHORT);
  g_clear_error (&error);
  /* long enough for several prior windows (fine ctx 16): still exact shapes */
  g_autoptr (StrataAudio) longer = tone_audio (1.0);
  g_autoptr (StrataFeatures) f4 = strata_model_extract (m, longer, NULL, NULL, NULL, NULL, NULL,
                                                        &error);
  g_assert_no_error (error);
  g_assert_cmpint (f4->level[2].T, ==, ((int) (44100 / 512 + 1) + 15) / 16 * 16);
}

/* ------------------------------------------------------------ bad files */

/* A tiny random model with 128 mel bands, saved as F32. */
static char *
write_valid_model (const char *name)
{
  StrataModelConfig cfg;
  _strata_model_config_tiny (&cfg);
  cfg.n_mels = 128;
  HqVae vae;
  Prior priors[3];
  g_assert_true (_strata_hqvae_init (&vae, &cfg, 0));
  _strata_hqvae_init_random (&vae, 1);
  for (int l = 0; l < 3; l++)
    {
      g_assert_true (_strata_prior_init (&priors[l], &cfg, l, 0));
      _strata_prior_init_random (&priors[l], 2 + (uint64_t) l);
    }
  _strata_model_config_clear (&cfg);
  char *path = tmp_path (name);
  g_autoptr (StrataModel) m = _strata_model_new_from_parts (&vae, priors, path);
  g_autoptr (GError) error = NULL;
  g_assert_true (_strata_model_save (m, path, FALSE, &error));
  return path;
}

typedef enum { EDIT_DROP, EDIT_EXTRA, EDIT_SHAPE, EDIT_NAN, EDIT_ARCH, EDIT_CONFIG,
               EDIT_HUGE, EDIT_FRONTEND, EDIT_FRONTEND_BINS } Edit;

/* Rewrites @src with one change. */
static char *
write_edited (const char *src, Edit edit, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataSafetensors) st = strata_safetensors_read_file (src, &error);
  g_assert_no_error (error);
  guint n = strata_safetensors_get_n_tensors (st);
  g_autofree StrataTensorRef *refs = g_new0 (StrataTensorRef, n + 1);
  guint k = 0;
  static const int64_t shape_bad[1] = { 3 }, shape_extra[1] = { 2 };
  static const float extra_data[3] = { 1, 2, 3 };
  g_autofree float *nan_copy = NULL;
  for (guint i = 0; i < n; i++)
    {
      const StrataTensorEntry *e = strata_safetensors_get_tensor (st, i);
      if (edit == EDIT_DROP && g_str_equal (e->name, "prior.fine.head.bias"))
        continue;
      refs[k] = (StrataTensorRef) { e->name, e->ndim, e->shape, e->data };
      if (edit == EDIT_SHAPE && g_str_equal (e->name, "quant.medium.theta"))
        refs[k] = (StrataTensorRef) { e->name, 1, shape_bad, extra_data };
      if (edit == EDIT_NAN && g_str_equal (e->name, "enc.in.bias"))
        {
          nan_copy = g_memdup2 (e->data, e->numel * sizeof (float));
          nan_copy[0] = NAN;
          refs[k].data = nan_copy;
        }
      k++;
    }
  if (edit == EDIT_EXTRA)
    refs[k++] = (StrataTensorRef) { "prior.fine.surplus", 1, shape_extra, extra_data };
  g_autofree char *config = g_strdup (strata_safetensors_get_metadata (st, "strata.config"));
  if (edit == EDIT_CONFIG)
    {
      g_free (config);
      config = g_strdup ("{\"n_mels\": 128}");
    }
  if (edit == EDIT_FRONTEND || edit == EDIT_FRONTEND_BINS)
    {
      /* an unknown front end; the log-frequency one over 128-band weights */
      g_assert_true (g_str_has_prefix (config, "{\"n_mels\""));
      char *c2 = g_strconcat (edit == EDIT_FRONTEND ? "{\"frontend\":\"cqt\","
                                                    : "{\"frontend\":\"log-frequency\",",
                              config + 1, NULL);
      g_free (config);
      config = c2;
    }
  if (edit == EDIT_HUGE)
    {
      /* valid JSON, bounded values, but far more weights than the file holds */
      g_autofree char *c2 = g_strdup (config);
      char *w = strstr (c2, "\"prior_dim\":[");
      g_assert_nonnull (w);
      g_autoptr (GString) s = g_string_new_len (c2, w - c2);
      g_string_append (s, "\"prior_dim\":[2048,2048,2048]");
      g_string_append (s, strchr (w, ']') + 1);
      g_free (config);
      config = g_string_free (g_steal_pointer (&s), FALSE);
    }
  const char *meta[] = {
    "strata.format_version", "1",
    "strata.architecture", edit == EDIT_ARCH ? "strata-separator" : STRATA_MODEL_ARCHITECTURE,
    "strata.config", config, NULL
  };
  char *path = tmp_path (name);
  g_assert_true (strata_safetensors_write_file (path, refs, k, meta, &error));
  return path;
}

static void
expect_load_error (const char *path, int code, const char *needle)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataModel) m = strata_model_load (path, &error);
  g_assert_null (m);
  g_assert_error (error, STRATA_MODEL_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  if (needle)
    g_assert_nonnull (strstr (error->message, needle));
}

static void
test_bad_files (void)
{
  g_autofree char *good = write_valid_model ("good.safetensors");
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataModel) m = strata_model_load (good, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (strata_model_get_path (m), ==, good);

  g_autofree char *missing = tmp_path ("missing.safetensors");
  expect_load_error (missing, STRATA_MODEL_ERROR_NOT_FOUND, "does not exist");

  /* a folder given as the model: said in the user's terms */
  g_autofree char *folder = tmp_path ("a-folder.safetensors");
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  expect_load_error (folder, STRATA_MODEL_ERROR_INVALID, "is a folder, not a model file");
  g_rmdir (folder);

  g_autofree char *garbage = tmp_path ("garbage.safetensors");
  g_assert_true (g_file_set_contents (garbage, "\xff\xff\xff\xff\xff\xff\xff\x7fhello", 13, NULL));
  expect_load_error (garbage, STRATA_MODEL_ERROR_INVALID, NULL);

  g_autofree char *empty = tmp_path ("empty.safetensors");
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  expect_load_error (empty, STRATA_MODEL_ERROR_INVALID, NULL);

  /* truncated: the last tensor's bytes are cut */
  gchar *data;
  gsize len;
  g_assert_true (g_file_get_contents (good, &data, &len, NULL));
  g_autofree char *cut = tmp_path ("cut.safetensors");
  g_assert_true (g_file_set_contents (cut, data, (gssize) len - 10, NULL));
  g_free (data);
  expect_load_error (cut, STRATA_MODEL_ERROR_INVALID, NULL);

  struct { Edit edit; int code; const char *needle; } cases[] = {
    { EDIT_DROP, STRATA_MODEL_ERROR_INVALID, "prior.fine.head.bias" },
    { EDIT_EXTRA, STRATA_MODEL_ERROR_INVALID, "does not use" },
    { EDIT_SHAPE, STRATA_MODEL_ERROR_INVALID, "quant.medium.theta" },
    { EDIT_NAN, STRATA_MODEL_ERROR_INVALID, "enc.in.bias" },
    { EDIT_ARCH, STRATA_MODEL_ERROR_INCOMPATIBLE, "strata-separator" },
    { EDIT_CONFIG, STRATA_MODEL_ERROR_INVALID, "strata.config" },
    { EDIT_HUGE, STRATA_MODEL_ERROR_INVALID, "fewer weights" },
    { EDIT_FRONTEND, STRATA_MODEL_ERROR_INVALID, "frontend" },
    { EDIT_FRONTEND_BINS, STRATA_MODEL_ERROR_INCOMPATIBLE, "front end gives 264" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("edit%u.safetensors", i);
      g_autofree char *path = write_edited (good, cases[i].edit, name);
      expect_load_error (path, cases[i].code, cases[i].needle);
    }
}

/* ------------------------------------------------------------ npz + CLI */


static void
test_npz (void)
{
  g_assert_cmphex (strata_crc32 (0, (const guint8 *) "123456789", 9), ==, 0xcbf43926);
  g_autoptr (StrataNpz) npz = strata_npz_new ();
  const float a[6] = { 1, 2, 3, 4, 5, 6.5f };
  const int32_t t[3] = { 7, -1, 9 };
  const double r[3] = { 5.0, 21.5, 86.0 };
  const int64_t s23[2] = { 2, 3 }, s3[1] = { 3 };
  strata_npz_add (npz, "coarse", "<f4", 2, s23, a);
  strata_npz_add (npz, "coarse_tokens", "<i4", 1, s3, t);
  strata_npz_add (npz, "rates", "<f8", 1, s3, r);
  const char *v[] = { "strata-foundation/1/abc", NULL };
  strata_npz_add_strings (npz, "model_version", v, 1);
  g_autofree char *path = tmp_path ("t.npz");
  g_autoptr (GError) error = NULL;
  g_assert_true (strata_npz_write (npz, path, NULL, &error));
  g_autofree char *out = strata_check_npz (path);
  if (!out)
    {
      g_test_skip ("no /usr/bin/python3 with numpy");
      return;
    }
  g_assert_nonnull (strstr (out, "coarse <f4 2x3\n"));
  g_assert_nonnull (strstr (out, "coarse_tokens <i4 3\n"));
  g_assert_nonnull (strstr (out, "rates 5.000000 21.500000 86.000000\n"));
  g_assert_nonnull (strstr (out, "model_version <U23 1\n"));
  g_assert_nonnull (strstr (out, "model_version strata-foundation/1/abc\n"));
  g_assert_nonnull (strstr (out, "check coarse 1 -1 9 21.500000\n"));
}

/* The eight arrays of a features .npz, exactly, as check-npz.py lists them
 * (sorted by name): float32 T×D features and int32 T tokens per level,
 * float64[3] rates, the model version as a one-element string array. */
static void
assert_npz_arrays (const char *out, const int T[3], const int D[3], const char *version)
{
  g_autofree char *want = g_strdup_printf (
    "coarse <f4 %dx%d\ncoarse_tokens <i4 %d\n"
    "fine <f4 %dx%d\nfine_tokens <i4 %d\n"
    "medium <f4 %dx%d\nmedium_tokens <i4 %d\n"
    "model_version <U%d 1\nrates <f8 3\nrates ",
    T[0], D[0], T[0], T[2], D[2], T[2], T[1], D[1], T[1], (int) g_utf8_strlen (version, -1));
  if (!g_str_has_prefix (out, want))
    g_error ("arrays:\n%s\nexpected:\n%s", out, want);
  g_autofree char *want_v = g_strdup_printf ("\nmodel_version %s\n", version);
  g_assert_nonnull (strstr (out, want_v));
  for (int l = 0; l < 3; l++)
    {
      g_autofree char *check = g_strdup_printf ("\ncheck %s 1 ", strata_level_get_name (l));
      g_assert_nonnull (strstr (out, check));
    }
}


static int
run_cli (const char *const *args, char **err_out)
{
  g_autofree char *cli = g_build_filename (g_getenv ("STRATA_BUILD_DIR"), "app", "strata-cli",
                                           NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, cli);
  for (int i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  int status = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, err_out, &status, &error));
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* Runs `strata-cli features WAV -o NPZ --model TINY` + @extra (NULL-ended)
 * and returns check-npz.py's report (NULL: no numpy). */
static char *
cli_features_npz (const char *wav, const char *npz, const char *const *extra)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const char *base[] = { "features", wav, "-o", npz, "--model", tiny_model_path };
  for (guint i = 0; i < G_N_ELEMENTS (base); i++)
    g_ptr_array_add (args, (gpointer) base[i]);
  for (int i = 0; extra[i]; i++)
    g_ptr_array_add (args, (gpointer) extra[i]);
  g_ptr_array_add (args, NULL);
  char *err = NULL;
  int rc = run_cli ((const char *const *) args->pdata, &err);
  if (rc != 0)
    g_error ("strata-cli features failed (%d): %s", rc, err);
  g_free (err);
  return strata_check_npz (npz);
}

static void
test_cli_features (void)
{
  g_autofree char *cli = g_build_filename (g_getenv ("STRATA_BUILD_DIR"), "app", "strata-cli",
                                           NULL);
  if (!g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("needs strata-cli");
      return;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataModel) m = strata_model_load (tiny_model (), &error);
  g_assert_no_error (error);
  g_assert_cmpint (strata_model_get_n_layers (m), ==, 2);
  g_assert_cmpint (strata_model_get_default_layer (m), ==, 1);
  gint64 n;
  g_autofree float *s = tone_track (5, 2.0, &n);
  g_autofree char *wav = tmp_path ("tone.wav");
  g_autofree char *npz = tmp_path ("tone.npz");
  g_assert_true (strata_audio_write (wav, s, n, 2, 44100, STRATA_AUDIO_FORMAT_WAV_F32, &error));
  const char *layer1[] = { "--layer", "1", NULL };
  g_autofree char *out1 = cli_features_npz (wav, npz, layer1);
  if (!out1)
    {
      g_test_skip ("no /usr/bin/python3 with numpy");
      return;
    }
  const int T = (int) (n / 512 + 1), T_pad = (T + 15) / 16 * 16;
  const int T_lv[3] = { T_pad / 16, T_pad / 4, T_pad };
  int D[3];
  for (int l = 0; l < 3; l++)
    D[l] = strata_model_get_dim (m, l);
  assert_npz_arrays (out1, T_lv, D, strata_model_get_version (m));
  g_assert_nonnull (strstr (out1, "\nrates 5.383301 21.533203 86.132812\n"));

  /* another layer, a condition: other features, the same tokens; no
   * --layer: the default layer (1) */
  const char *layer2[] = { "--layer", "2", NULL };
  const char *rock[] = { "--layer", "1", "--condition", "rock", NULL };
  const char *none[] = { NULL };
  g_autofree char *out2 = cli_features_npz (wav, npz, layer2);
  g_autofree char *out_rock = cli_features_npz (wav, npz, rock);
  g_autofree char *out_def = cli_features_npz (wav, npz, none);
  assert_npz_arrays (out2, T_lv, D, strata_model_get_version (m));
  assert_npz_arrays (out_rock, T_lv, D, strata_model_get_version (m));
  for (int l = 0; l < 3; l++)
    {
      const char *lv = strata_level_get_name (l);
      g_autofree char *tn = g_strconcat (lv, "_tokens", NULL);
      g_autofree char *f1 = strata_npz_digest (out1, lv), *t1 = strata_npz_digest (out1, tn);
      g_autofree char *f2 = strata_npz_digest (out2, lv), *t2 = strata_npz_digest (out2, tn);
      g_autofree char *fr = strata_npz_digest (out_rock, lv), *tr = strata_npz_digest (out_rock, tn);
      g_autofree char *fd = strata_npz_digest (out_def, lv), *td = strata_npz_digest (out_def, tn);
      g_assert_cmpstr (t2, ==, t1);
      g_assert_cmpstr (tr, ==, t1);
      g_assert_cmpstr (td, ==, t1);
      g_assert_cmpstr (f2, !=, f1);
      g_assert_cmpstr (fr, !=, f1);
      g_assert_cmpstr (fr, !=, f2);
      g_assert_cmpstr (fd, ==, f1);
    }

  /* errors: a missing input names the file (1); bad usage (2) */
  char *err = NULL;
  g_autofree char *nowhere = tmp_path ("nowhere.flac");
  const char *missing[] = { "features", nowhere, "-o", npz, "--model", tiny_model_path, NULL };
  g_assert_cmpint (run_cli (missing, &err), ==, 1);
  g_assert_nonnull (strstr (err, "nowhere.flac"));
  g_free (err);
  const char *bad_model[] = { "features", wav, "-o", npz, "--model", nowhere, NULL };
  g_assert_cmpint (run_cli (bad_model, &err), ==, 1);
  g_assert_nonnull (strstr (err, "nowhere.flac"));
  g_free (err);
  const char *no_out[] = { "features", wav, NULL };
  g_assert_cmpint (run_cli (no_out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "usage: strata-cli features"));
  g_free (err);
  const char *bad_tag[] = { "features", wav, "-o", npz, "--model", tiny_model_path,
                            "--condition", "polka", NULL };
  g_assert_cmpint (run_cli (bad_tag, &err), ==, 2);
  g_assert_nonnull (strstr (err, "polka"));
  g_free (err);
  /* --layer given as 0, negative, not a number, or past the last block */
  const char *bad_layers[] = { "0", "-1", "-2147483648", "two", "3" };
  for (guint i = 0; i < G_N_ELEMENTS (bad_layers); i++)
    {
      const char *args[] = { "features", wav, "-o", npz, "--model", tiny_model_path,
                             "--layer", bad_layers[i], NULL };
      g_assert_cmpint (run_cli (args, &err), ==, 2);
      g_test_message ("--layer %s: %s", bad_layers[i], err);
      if (i < 3)
        {
          g_assert_nonnull (strstr (err, "--layer must be at least 1"));
          g_assert_nonnull (strstr (err, "usage: strata-cli features"));
        }
      else
        g_assert_nonnull (strstr (err, bad_layers[i]));
      g_free (err);
    }
}

/* ------------------------------------------------------------ default model */

/* The reference: features and tokens of the first 20 s of the demo track,
 * summarised (tokens of every level, features of the first 64 rows of each
 * level, the per-dimension means over time), made by running this test with
 * STRATA_WRITE_REFERENCE=1 and committed as tests/model/data/demo-reference.safetensors. */
#define REF_ROWS 64

static void
test_default_reference (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("STRATA_SOURCE_DIR"), "resources", "models",
                                            STRATA_MODEL_DEFAULT_FILE, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("no default model committed yet");
      return;
    }
  /* one BLAS thread unless OPENBLAS_NUM_THREADS asks for more (the
   * tolerances below hold for 1 and 2) */
  const char *threads = g_getenv ("OPENBLAS_NUM_THREADS");
  const int n_threads = threads ? MAX (1, atoi (threads)) : 1;
  strata_nn_set_num_threads (n_threads);
  g_test_message ("%d BLAS thread(s)", n_threads);
  g_autoptr (StrataModel) m = strata_model_load (path, &error);
  g_assert_no_error (error);
  g_autofree char *demo = g_build_filename (g_getenv ("STRATA_SOURCE_DIR"), "resources", "demo",
                                            "strata-demo.flac", NULL);
  g_autoptr (StrataAudio) full = strata_audio_decode (demo, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  const gint64 n = MIN (strata_audio_get_n_frames (full), 20 * 44100);
  g_autoptr (StrataAudio) audio = strata_audio_new_take (
    g_memdup2 (strata_audio_get_samples (full), (gsize) n * 2 * sizeof (float)), n);
  g_autoptr (StrataFeatures) f = strata_model_extract (m, audio, NULL, NULL, NULL, NULL, NULL,
                                                       &error);
  g_assert_no_error (error);
  g_autofree char *ref = g_build_filename (g_getenv ("STRATA_SOURCE_DIR"), "tests", "model",
                                           "data", "demo-reference.safetensors", NULL);
  if (g_getenv ("STRATA_WRITE_REFERENCE"))
    {
      StrataTensorRef refs[9];
      float *keep[6];
      int64_t shapes[9][2];
      for (int l = 0; l < 3; l++)
        {
          const StrataFeatureLevel *fl = &f->level[l];
          const int rows = MIN (REF_ROWS, fl->T);
          float *tok = g_new (float, fl->T);
          for (int t = 0; t < fl->T; t++)
            tok[t] = (float) fl->tokens[t];
          float *mean = g_new0 (float, fl->D);
          for (int t = 0; t < fl->T; t++)
            for (int d = 0; d < fl->D; d++)
              mean[d] += fl->features[(size_t) t * fl->D + d] / fl->T;
          keep[2 * l] = tok, keep[2 * l + 1] = mean;
          shapes[3 * l][0] = fl->T;
          shapes[3 * l + 1][0] = rows, shapes[3 * l + 1][1] = fl->D;
          shapes[3 * l + 2][0] = fl->D;
          const char *lv = strata_level_get_name (l);
          refs[3 * l] = (StrataTensorRef) { g_strconcat (lv, ".tokens", NULL), 1, shapes[3 * l], tok };
          refs[3 * l + 1] = (StrataTensorRef) { g_strconcat (lv, ".head", NULL), 2,
                                                shapes[3 * l + 1], fl->features };
          refs[3 * l + 2] = (StrataTensorRef) { g_strconcat (lv, ".mean", NULL), 1,
                                                shapes[3 * l + 2], mean };
        }
      const char *meta[] = { "strata.model_version", strata_model_get_version (m), NULL };
      g_assert_true (strata_safetensors_write_file (ref, refs, 9, meta, &error));
      for (int i = 0; i < 9; i++)
        g_free ((char *) refs[i].name);
      for (int i = 0; i < 6; i++)
        g_free (keep[i]);
      g_test_message ("wrote %s", ref);
    }
  g_autoptr (StrataSafetensors) st = strata_safetensors_read_file (ref, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (strata_safetensors_get_metadata (st, "strata.model_version"), ==,
                   strata_model_get_version (m));
  /* Tolerances: tokens identical in >= 99 % of the frames (an argmax may
   * flip on a near-tie with another BLAS kernel); features within 2e-3
   * absolute (+1 % relative) in every stored row whose inputs agree with
   * the reference: a prior's row t sees this level's tokens before t and
   * the parent tokens up to ⌊(t + 1)/4⌋ (the parent conv), so a row is
   * compared when all of this level's tokens up to t and all parent
   * tokens up to ⌊(t + 1)/4⌋ are as in the reference (a prefix, which
   * covers the extraction window holding the row); per-dimension means over
   * all rows within 2e-2 (+2 %). */
  const float *ref_tok[3] = { NULL };
  for (int l = 0; l < 3; l++)
    {
      const StrataFeatureLevel *fl = &f->level[l];
      const char *lv = strata_level_get_name (l);
      g_autofree char *tn = g_strconcat (lv, ".tokens", NULL);
      g_autofree char *hn = g_strconcat (lv, ".head", NULL);
      g_autofree char *mn = g_strconcat (lv, ".mean", NULL);
      const StrataTensorEntry *te = strata_safetensors_lookup (st, tn);
      const StrataTensorEntry *he = strata_safetensors_lookup (st, hn);
      const StrataTensorEntry *me = strata_safetensors_lookup (st, mn);
      g_assert_nonnull (te);
      g_assert_nonnull (he);
      g_assert_nonnull (me);
      g_assert_cmpint (te->shape[0], ==, fl->T);
      g_assert_cmpint (he->shape[0], ==, MIN (REF_ROWS, fl->T));
      g_assert_cmpint (he->shape[1], ==, fl->D);
      ref_tok[l] = te->data;
      int same = 0;
      for (int t = 0; t < fl->T; t++)
        same += (int) te->data[t] == fl->tokens[t];
      g_assert_cmpint (same, >=, (int) ceil (0.99 * fl->T));
      /* length of the prefix of tokens as in the reference, this level and the parent */
      int prefix = 0, parent_prefix = 0;
      while (prefix < fl->T && (int) te->data[prefix] == fl->tokens[prefix])
        prefix++;
      if (l > 0)
        {
          const StrataFeatureLevel *pl = &f->level[l - 1];
          while (parent_prefix < pl->T
                 && (int) ref_tok[l - 1][parent_prefix] == pl->tokens[parent_prefix])
            parent_prefix++;
        }
      int compared = 0;
      double worst = 0;
      for (int t = 0; t < he->shape[0]; t++)
        {
          if (t >= prefix || (l > 0 && (t + 1) / 4 >= parent_prefix))
            continue;
          for (int d = 0; d < fl->D; d++)
            {
              float want = he->data[t * fl->D + d], got = fl->features[(size_t) t * fl->D + d];
              worst = MAX (worst, fabsf (want - got));
              if (fabsf (want - got) > 2e-3f + 0.01f * fabsf (want))
                g_error ("%s features[%d,%d]: %g, reference %g", lv, t, d, got, want);
            }
          compared++;
        }
      g_test_message ("%s: %d/%d tokens as in the reference; %d/%d stored rows compared, "
                      "largest difference %.3g", lv, same, fl->T, compared,
                      (int) he->shape[0], worst);
      for (int d = 0; d < fl->D; d++)
        {
          double mean = 0;
          for (int t = 0; t < fl->T; t++)
            mean += fl->features[(size_t) t * fl->D + d] / fl->T;
          g_assert_cmpfloat (fabs (mean - me->data[d]), <=, 2e-2 + 0.02 * fabs (me->data[d]));
        }
    }
  strata_nn_set_num_threads (1);
}

/* Features must not depend on where an extraction window starts: on
 * stationary pink noise the frame-to-frame change of every level's
 * features across a window boundary (every ctx/2 rows: the steps from row
 * k*hop - 1 to k*hop and from k*hop to k*hop + 1) stays within 1.2x its
 * mean elsewhere. The first boundary is left out: there the prior's first
 * token leaves its view, which rows before it never had, wherever windows
 * start.
 * Returns the larger of the two steps' mean over the boundaries, over the
 * mean step elsewhere (mean against mean: the steps of a level whose tokens
 * change are skewed, a few large among many small, so a mean against a
 * median would measure that skew, not a seam). */
static double
seam_ratio (const StrataFeatureLevel *fl, int hop)
{
  const int n = fl->T - 1;
  double at[2] = { 0, 0 }, elsewhere = 0;
  int n_at = 0, n_elsewhere = 0;
  for (int t = 2 * hop - 1; t < n - hop; t++)
    {
      double s = 0;
      for (int k = 0; k < fl->D; k++)
        {
          const double e = fl->features[(size_t) (t + 1) * fl->D + k]
                           - fl->features[(size_t) t * fl->D + k];
          s += e * e;
        }
      const int phase = (t + 1) % hop;   /* 0: the step into row k*hop */
      if (phase == 0)
        at[0] += sqrt (s), n_at++;
      else if (phase == 1)
        at[1] += sqrt (s);
      else
        elsewhere += sqrt (s), n_elsewhere++;
    }
  g_assert_cmpint (n_at, >=, 2);
  g_assert_cmpfloat (elsewhere, >, 0);
  return MAX (at[0], at[1]) / n_at / (elsewhere / n_elsewhere);
}

/* @seconds of stereo pink noise (Voss-McCartney, 12 rows), fixed seed:
 * stationary, so nothing in it should look like a seam or a section. */
static StrataAudio *
pink_noise (double seconds)
{
  const gint64 n = (gint64) (seconds * 44100);
  float *pcm = g_new (float, 2 * n);
  guint32 state = 12345;
  float rows[12] = { 0 }, sum = 0;
  for (gint64 i = 0; i < n; i++)
    {
      /* row k changes every 2^k samples */
      const int k = i == 0 ? 0 : MIN (__builtin_ctzll ((unsigned long long) i), 11);
      state = state * 1664525u + 1013904223u;
      const float r = (float) (state >> 8) / 16777216.0f - 0.5f;
      sum += r - rows[k];
      rows[k] = r;
      pcm[2 * i] = pcm[2 * i + 1] = 0.08f * sum;
    }
  return strata_audio_new_take (pcm, n);
}

/* The committed default model (resources/models). (transfer full) */
static StrataModel *
committed_model (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("STRATA_SOURCE_DIR"), "resources", "models",
                                            STRATA_MODEL_DEFAULT_FILE, NULL);
  StrataModel *m = strata_model_load (path, &error);
  g_assert_no_error (error);
  return m;
}

static void
test_default_seamless (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataModel) m = committed_model ();
  g_autoptr (StrataAudio) audio = pink_noise (60.0);
  g_autoptr (StrataFeatures) f = strata_model_extract (m, audio, NULL, NULL, NULL, NULL, NULL,
                                                       &error);
  g_assert_no_error (error);
  const StrataModelConfig *cfg = &m->vae.cfg;
  for (int l = 0; l < 3; l++)
    {
      const double ratio = seam_ratio (&f->level[l], cfg->prior_ctx[l] / 2);
      g_test_message ("%s: change across window boundaries %.2fx the mean change elsewhere",
                      strata_level_get_name (l), ratio);
      g_assert_cmpfloat (ratio, <, 1.2);
    }
}

/* The Sections lane on the default model: the demo track's composed
 * sections (intro, verse, chorus, outro: the composer is rerun for its
 * form) are found, a condition tag does not move them, and stationary
 * noise is one section. */
static void
test_default_sections (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StrataModel) m = committed_model ();
  g_autofree char *demo = g_build_filename (g_getenv ("STRATA_SOURCE_DIR"), "resources", "demo",
                                            "strata-demo.flac", NULL);
  g_autoptr (StrataAudio) audio = strata_audio_decode (demo, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  StrataComposeOptions co;
  strata_compose_options_init (&co);
  co.seconds = 30, co.demo_form = TRUE;   /* as `strata-cli corpus demo --seed 6` */
  g_autoptr (StrataPiece) piece = strata_piece_compose ("pop", 6, &co);
  g_assert_cmpuint (piece->sections->len, >=, 3);

  const char *tag = strata_model_get_tag_name (m, 0);
  const char *const cond[] = { tag, NULL };
  StrataFeatureOptions with = { 0, cond };
  g_autoptr (StrataFeatures) f = strata_model_extract (m, audio, NULL, NULL, NULL, NULL, NULL,
                                                       &error);
  g_assert_no_error (error);
  g_autoptr (StrataFeatures) fc = strata_model_extract (m, audio, &with, NULL, NULL, NULL, NULL,
                                                        &error);
  g_assert_no_error (error);
  g_autoptr (StrataFeatureMaps) maps = strata_feature_maps_new (f);
  g_autoptr (StrataFeatureMaps) maps_c = strata_feature_maps_new (fc);
  guint n = 0, n_c = 0;
  const StrataSection *s = strata_feature_maps_get_sections (maps, &n);
  const StrataSection *s_c = strata_feature_maps_get_sections (maps_c, &n_c);

  for (guint k = 0; k < n; k++)
    g_test_message ("section %u: %.2f-%.2f s, label %d", k, s[k].start, s[k].end, s[k].label);
  /* The intro is split off and the chorus found where it enters (within
   * 0.5 s: the window's sections used to miss both); of the composed
   * boundaries at least all but one are within 1 s of a found one (the
   * outro, which keeps the chorus's texture, is missed today; the
   * benchmark's F-measure at ±3 s is about 0.85 on validation renders),
   * and there are at most two boundaries besides. */
  guint near = 0;
  for (guint i = 1; i < piece->sections->len; i++)
    {
      const StrataPieceSection *cs = &g_array_index (piece->sections, StrataPieceSection, i);
      const double want = strata_piece_tick_to_seconds (piece, cs->first_bar * piece->bar_ticks);
      double best = G_MAXDOUBLE;
      for (guint k = 1; k < n; k++)
        best = MIN (best, fabs (s[k].start - want));
      g_test_message ("%s at %.2f s: nearest boundary %.2f s away", cs->name, want, best);
      if (g_str_equal (cs->name, "verse") || g_str_equal (cs->name, "chorus"))
        g_assert_cmpfloat (best, <=, 0.5);
      near += best <= 1.0;
    }
  g_assert_cmpuint (near + 1, >=, piece->sections->len - 1);
  g_assert_cmpuint (n - 1, <=, piece->sections->len - 1 + 2);

  /* conditioning moves no section */
  g_test_message ("conditioned on %s: %u sections, unconditioned %u", tag, n_c, n);
  g_assert_cmpuint (n_c, ==, n);
  for (guint k = 0; k < n; k++)
    {
      g_assert_cmpfloat (s_c[k].start, ==, s[k].start);
      g_assert_cmpfloat (s_c[k].end, ==, s[k].end);
    }

  /* one section of stationary noise */
  g_autoptr (StrataAudio) noise = pink_noise (60.0);
  g_autoptr (StrataFeatures) fn = strata_model_extract (m, noise, NULL, NULL, NULL, NULL, NULL,
                                                        &error);
  g_assert_no_error (error);
  g_autoptr (StrataFeatureMaps) maps_n = strata_feature_maps_new (fn);
  guint n_n = 0;
  const StrataSection *s_n = strata_feature_maps_get_sections (maps_n, &n_n);
  g_assert_cmpuint (n_n, ==, 1);
  g_assert_cmpfloat (s_n[0].start, ==, 0.0);
}

/* ------------------------------------------------------------ main */

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  strata_nn_set_num_threads (1);
  tmpdir = g_dir_make_tmp ("strata-model-XXXXXX", NULL);
  /* strata-cli features caches its results: in this run's folder. */
  g_autofree char *cache_home = tmp_path ("cache");
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  g_test_add_data_func ("/strata/model/gradcheck/stage1/3-levels", GINT_TO_POINTER (3),
                        test_gradcheck_stage1);
  g_test_add_data_func ("/strata/model/gradcheck/stage1/2-levels", GINT_TO_POINTER (2),
                        test_gradcheck_stage1);
  g_test_add_data_func ("/strata/model/gradcheck/stage1/1-level", GINT_TO_POINTER (1),
                        test_gradcheck_stage1);
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      g_autofree char *name = g_strdup_printf ("/strata/model/gradcheck/prior/%s",
                                               strata_level_get_name (l));
      g_test_add_data_func (name, GINT_TO_POINTER (l), test_gradcheck_prior);
    }
  g_test_add_func ("/strata/model/prior/causal", test_prior_causal);
  g_test_add_func ("/strata/model/train/smoke", test_train_smoke);
  g_test_add_func ("/strata/model/train/bad-corpus", test_train_bad_corpus);
  g_test_add_data_func ("/strata/model/train/resume", GINT_TO_POINTER (0), test_train_resume);
  g_test_add_data_func ("/strata/model/train/resume-log-frequency", GINT_TO_POINTER (1),
                        test_train_resume);
  g_test_add_func ("/strata/model/extract/options", test_extract);
  g_test_add_func ("/strata/model/load/bad-files", test_bad_files);
  g_test_add_func ("/strata/model/npz/numpy", test_npz);
  g_test_add_func ("/strata/model/cli/features", test_cli_features);
  g_test_add_func ("/strata/model/default/reference", test_default_reference);
  g_test_add_func ("/strata/model/default/seamless", test_default_seamless);
  g_test_add_func ("/strata/model/default/sections", test_default_sections);
  int rc = g_test_run ();
  g_autoptr (GFile) dir = g_file_new_for_path (tmpdir);
  g_autoptr (GFileEnumerator) en = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                              G_FILE_QUERY_INFO_NONE, NULL, NULL);
  /* remove the files (and the corpus, mel cache) */
  const char *rm[] = { "/bin/rm", "-rf", tmpdir, NULL };
  g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, NULL, NULL);
  g_free (tmpdir);
  g_free (tiny_model_path);
  return rc;
}
