/* strata-transcription-model.c: the transcription head's parameters,
 * forward and backward passes, loading and chunked inference.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "nn/strata-nn-ops.h"
#include "nn/strata-safetensors.h"
#include "tasks/strata-model-registry.h"
#include "tasks/transcription/strata-transcription-private.h"

#define P88 STRATA_TRANSCRIPTION_N_PITCHES
#define NB STRATA_TRANSCRIPTION_N_BINS

G_DEFINE_QUARK (strata-transcription-error-quark, strata_transcription_error)

void
strata_transcription_config_init (StrataTranscriptionConfig *config)
{
  memset (config, 0, sizeof *config);
  config->conv_channels = 8;
  config->embed = 128;
  config->hidden = 96;
  config->features = 0;
  config->proj = 32;
}

static gboolean
config_valid (const StrataTranscriptionConfig *c)
{
  gboolean ok = c->conv_channels >= 1 && c->conv_channels <= 64 && c->embed >= 1 &&
                c->embed <= 1024 && c->hidden >= 1 && c->hidden <= 1024 &&
                (c->features == 0 || c->features == 1);
  if (ok && c->features)
    ok = c->fine_dim >= 1 && c->fine_dim <= 4096 && c->medium_dim >= 1 &&
         c->medium_dim <= 4096 && c->proj >= 1 && c->proj <= 1024;
  return ok;
}

char *
_strata_tr_config_to_json (const StrataTranscriptionConfig *c)
{
  return g_strdup_printf ("{\"conv_channels\": %d, \"embed\": %d, \"hidden\": %d, "
                          "\"features\": %d, \"fine_dim\": %d, \"medium_dim\": %d, "
                          "\"proj\": %d, \"n_fft\": %d, \"hop\": %d, \"n_bins\": %d}",
                          c->conv_channels, c->embed, c->hidden, c->features,
                          c->features ? c->fine_dim : 0, c->features ? c->medium_dim : 0,
                          c->proj, STRATA_TRANSCRIPTION_N_FFT, STRATA_TRANSCRIPTION_HOP, NB);
}

static int
declare (StrataTranscriber *tr, const char *name, int ndim, int64_t a, int64_t b, int64_t c,
         int64_t d, unsigned flags)
{
  const int64_t shape[4] = { a, b, c, d };
  return strata_params_declare (&tr->params, name, ndim, shape, flags);
}

/* Declares every tensor of @cfg and allocates; the values are zero. */
static StrataTranscriber *
transcriber_alloc (const StrataTranscriptionConfig *cfg)
{
  if (!config_valid (cfg))
    return NULL;
  StrataTranscriber *tr = g_new0 (StrataTranscriber, 1);
  g_atomic_ref_count_init (&tr->ref_count);
  tr->cfg = *cfg;
  strata_params_init (&tr->params);
  const int C = cfg->conv_channels, E = cfg->embed, H = cfg->hidden;
  tr->F2 = (NB + 2 - 3) / 2 + 1;
  tr->in_dim = E + (cfg->features ? 2 * cfg->proj : 0);
  tr->i_c1w = declare (tr, "conv1.weight", 4, C, 1, 3, 3, 0);
  tr->i_c1b = declare (tr, "conv1.bias", 1, C, 0, 0, 0, STRATA_PARAM_NO_DECAY);
  tr->i_c2w = declare (tr, "conv2.weight", 4, C, C, 3, 3, 0);
  tr->i_c2b = declare (tr, "conv2.bias", 1, C, 0, 0, 0, STRATA_PARAM_NO_DECAY);
  tr->i_ew = declare (tr, "embed.weight", 2, E, (int64_t) tr->F2 * C, 0, 0, 0);
  tr->i_eb = declare (tr, "embed.bias", 1, E, 0, 0, 0, STRATA_PARAM_NO_DECAY);
  tr->i_fw = tr->i_fb = tr->i_mw = tr->i_mb = -1;
  if (cfg->features)
    {
      tr->i_fw = declare (tr, "fine_proj.weight", 2, cfg->proj, cfg->fine_dim, 0, 0, 0);
      tr->i_fb = declare (tr, "fine_proj.bias", 1, cfg->proj, 0, 0, 0, STRATA_PARAM_NO_DECAY);
      tr->i_mw = declare (tr, "medium_proj.weight", 2, cfg->proj, cfg->medium_dim, 0, 0, 0);
      tr->i_mb = declare (tr, "medium_proj.bias", 1, cfg->proj, 0, 0, 0, STRATA_PARAM_NO_DECAY);
    }
  for (int d = 0; d < 2; d++)
    {
      const char *sfx = d ? "_reverse" : "";
      g_autofree char *n0 = g_strdup_printf ("gru.weight_ih_l0%s", sfx);
      g_autofree char *n1 = g_strdup_printf ("gru.weight_hh_l0%s", sfx);
      g_autofree char *n2 = g_strdup_printf ("gru.bias_ih_l0%s", sfx);
      g_autofree char *n3 = g_strdup_printf ("gru.bias_hh_l0%s", sfx);
      tr->i_gru[d][0] = declare (tr, n0, 2, 3 * H, tr->in_dim, 0, 0, 0);
      tr->i_gru[d][1] = declare (tr, n1, 2, 3 * H, H, 0, 0, 0);
      tr->i_gru[d][2] = declare (tr, n2, 1, 3 * H, 0, 0, 0, STRATA_PARAM_NO_DECAY);
      tr->i_gru[d][3] = declare (tr, n3, 1, 3 * H, 0, 0, 0, STRATA_PARAM_NO_DECAY);
    }
  tr->i_ow = declare (tr, "out.weight", 2, STRATA_TRANSCRIPTION_N_OUT, 2 * H, 0, 0, 0);
  tr->i_ob = declare (tr, "out.bias", 1, STRATA_TRANSCRIPTION_N_OUT, 0, 0, 0,
                      STRATA_PARAM_NO_DECAY);
  if (strata_params_allocate (&tr->params) != STRATA_NN_OK)
    {
      strata_transcriber_free (tr);
      return NULL;
    }
  tr->path = g_strdup ("");
  tr->version = g_strdup ("strata-transcription/1/untrained");
  return tr;
}

static float *
V (const StrataTranscriber *tr, int i)
{
  return strata_params_value (&tr->params, i);
}

static float *
G (const StrataTranscriber *tr, int i)
{
  return strata_params_grad (&tr->params, i);
}

StrataTranscriber *
strata_transcriber_new (const StrataTranscriptionConfig *config, uint64_t seed)
{
  StrataTranscriber *tr = transcriber_alloc (config);
  if (!tr)
    return NULL;
  StrataRng rng;
  strata_rng_seed (&rng, seed);
  const int C = config->conv_channels, H = config->hidden;
  /* He initialisation before ReLUs, Glorot-like elsewhere, PyTorch's GRU
   * uniform(-1/sqrt(H), 1/sqrt(H)). */
  strata_rng_fill_normal (&rng, V (tr, tr->i_c1w), (size_t) C * 9, 0.0f, sqrtf (2.0f / 9.0f));
  strata_rng_fill_normal (&rng, V (tr, tr->i_c2w), (size_t) C * C * 9, 0.0f,
                          sqrtf (2.0f / (9.0f * C)));
  strata_rng_fill_normal (&rng, V (tr, tr->i_ew), (size_t) config->embed * tr->F2 * C, 0.0f,
                          sqrtf (2.0f / (float) (tr->F2 * C)));
  if (config->features)
    {
      strata_rng_fill_normal (&rng, V (tr, tr->i_fw), (size_t) config->proj * config->fine_dim,
                              0.0f, sqrtf (1.0f / config->fine_dim));
      strata_rng_fill_normal (&rng, V (tr, tr->i_mw),
                              (size_t) config->proj * config->medium_dim, 0.0f,
                              sqrtf (1.0f / config->medium_dim));
    }
  const float k = 1.0f / sqrtf ((float) H);
  for (int d = 0; d < 2; d++)
    for (int j = 0; j < 4; j++)
      {
        int i = tr->i_gru[d][j];
        strata_rng_fill_uniform (&rng, V (tr, i), tr->params.info[i].numel, -k, k);
      }
  strata_rng_fill_normal (&rng, V (tr, tr->i_ow), (size_t) STRATA_TRANSCRIPTION_N_OUT * 2 * H,
                          0.0f, sqrtf (1.0f / (2.0f * H)));
  /* Notes are rare: start the detectors near their base rates. */
  float *ob = V (tr, tr->i_ob);
  for (int p = 0; p < P88; p++)
    {
      ob[TR_FRAME * P88 + p] = -3.0f;
      ob[TR_ONSET * P88 + p] = -5.0f;
      ob[TR_OFFSET * P88 + p] = -5.0f;
      ob[TR_VELOCITY * P88 + p] = 0.0f;
    }
  return tr;
}

StrataTranscriber *
strata_transcriber_ref (StrataTranscriber *tr)
{
  g_return_val_if_fail (tr != NULL, NULL);
  g_atomic_ref_count_inc (&tr->ref_count);
  return tr;
}

void
strata_transcriber_free (StrataTranscriber *tr)
{
  if (!tr || !g_atomic_ref_count_dec (&tr->ref_count))
    return;
  strata_params_clear (&tr->params);
  g_free (tr->path);
  g_free (tr->version);
  g_free (tr);
}

const StrataTranscriptionConfig *
strata_transcriber_get_config (const StrataTranscriber *tr)
{
  return &tr->cfg;
}

const char *
strata_transcriber_get_path (const StrataTranscriber *tr)
{
  return tr->path;
}

const char *
strata_transcriber_get_version (const StrataTranscriber *tr)
{
  return tr->version;
}

size_t
strata_transcriber_get_n_params (const StrataTranscriber *tr)
{
  return strata_params_count (&tr->params);
}

/* ------------------------------------------------------------ loading */

static gboolean
config_int (JsonObject *o, const char *name, int *out)
{
  JsonNode *n = json_object_get_member (o, name);
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  gint64 v = json_node_get_int (n);
  if (v < 0 || v > 1 << 20)
    return FALSE;
  *out = (int) v;
  return TRUE;
}

StrataTranscriber *
strata_transcriber_load (const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (StrataSafetensors) st = strata_safetensors_read_file (path, &local);
  if (!st)
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
                   "%s", local->message);
      return NULL;
    }
  const char *arch = strata_safetensors_get_metadata (st, "strata.architecture");
  if (g_strcmp0 (arch, STRATA_TRANSCRIPTION_ARCHITECTURE) != 0)
    {
      if (arch)
        g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
                     _("%s is not a transcription model (architecture “%s”)"), path, arch);
      else
        g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
                     _("%s is not a transcription model (no strata.architecture)"), path);
      return NULL;
    }
  const char *text = strata_safetensors_get_metadata (st, "strata.config");
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  StrataTranscriptionConfig cfg;
  strata_transcription_config_init (&cfg);
  int n_bins = 0, hop = 0, n_fft = 0;
  if (!text || !json_parser_load_from_data (parser, text, -1, NULL) ||
      !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root) ||
      !config_int (json_node_get_object (root), "conv_channels", &cfg.conv_channels) ||
      !config_int (json_node_get_object (root), "embed", &cfg.embed) ||
      !config_int (json_node_get_object (root), "hidden", &cfg.hidden) ||
      !config_int (json_node_get_object (root), "features", &cfg.features) ||
      !config_int (json_node_get_object (root), "fine_dim", &cfg.fine_dim) ||
      !config_int (json_node_get_object (root), "medium_dim", &cfg.medium_dim) ||
      !config_int (json_node_get_object (root), "proj", &cfg.proj) ||
      !config_int (json_node_get_object (root), "n_bins", &n_bins) ||
      !config_int (json_node_get_object (root), "hop", &hop) ||
      !config_int (json_node_get_object (root), "n_fft", &n_fft) || !config_valid (&cfg) ||
      n_bins != NB || hop != STRATA_TRANSCRIPTION_HOP || n_fft != STRATA_TRANSCRIPTION_N_FFT)
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
                   _("%s: missing or invalid strata.config"), path);
      return NULL;
    }
  StrataTranscriber *tr = transcriber_alloc (&cfg);
  if (!tr)
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_FAILED,
                   _("%s: out of memory"), path);
      return NULL;
    }
  if (!strata_params_load (&tr->params, path, STRATA_TRANSCRIPTION_ARCHITECTURE, FALSE, &local))
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
                   "%s", local->message);
      strata_transcriber_free (tr);
      return NULL;
    }
  for (size_t i = 0; i < tr->params.total; i++)
    if (!isfinite (tr->params.values[i]))
      {
        g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
                     _("%s: the weights hold values that are not finite"), path);
        strata_transcriber_free (tr);
        return NULL;
      }
  g_free (tr->path);
  tr->path = g_strdup (path);
  g_free (tr->version);
  tr->version = strata_model_file_version (STRATA_TRANSCRIPTION_ARCHITECTURE, path);
  return tr;
}

char *
strata_transcription_dup_default_path (void)
{
  return strata_model_file_find ("STRATA_TRANSCRIPTION_MODEL_PATH", STRATA_MODELS_DIR,
                                 STRATA_TRANSCRIPTION_DEFAULT_FILE);
}

StrataTranscriber *
strata_transcriber_load_default (GError **error)
{
  g_autofree char *path = strata_transcription_dup_default_path ();
  if (!path)
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_NOT_FOUND,
                   _("No transcription model found (looked for %s in %s and in "
                     "the source tree; set STRATA_TRANSCRIPTION_MODEL_PATH)"),
                   STRATA_TRANSCRIPTION_DEFAULT_FILE, STRATA_MODELS_DIR);
      return NULL;
    }
  return strata_transcriber_load (path, error);
}

/* ------------------------------------------------------------ graph */

static StrataConv2d
conv1_of (const StrataTranscriber *tr, int B, int T)
{
  return (StrataConv2d) { B, T, NB, 1, tr->cfg.conv_channels, 3, 3, 1, 1, 1, 1, 1, 1 };
}

static StrataConv2d
conv2_of (const StrataTranscriber *tr, int B, int T)
{
  const int C = tr->cfg.conv_channels;
  return (StrataConv2d) { B, T, NB, C, C, 3, 3, 1, 2, 1, 1, 1, 1 };
}

TrActs *
_strata_tr_acts_new (const StrataTranscriber *tr, int B, int T)
{
  const StrataTranscriptionConfig *c = &tr->cfg;
  const size_t N = (size_t) B * T;
  const int C = c->conv_channels, E = c->embed, H = c->hidden, P = c->proj;
  TrActs *a = g_new0 (TrActs, 1);
  a->B = B, a->T = T, a->Tm = (T + 3) / 4;
  const size_t Nm = (size_t) B * a->Tm;
  a->x = strata_nn_alloc (N * NB);
  a->h1 = strata_nn_alloc (N * NB * C);
  a->a1 = strata_nn_alloc (N * NB * C);
  a->h2 = strata_nn_alloc (N * tr->F2 * C);
  a->a2 = strata_nn_alloc (N * tr->F2 * C);
  a->e = strata_nn_alloc (N * E);
  a->ea = strata_nn_alloc (N * E);
  a->cat = strata_nn_alloc (N * tr->in_dim);
  a->gcat = strata_nn_alloc (N * 2 * H);
  a->logits = strata_nn_alloc (N * STRATA_TRANSCRIPTION_N_OUT);
  a->da1 = strata_nn_alloc (N * NB * C);
  a->da2 = strata_nn_alloc (N * tr->F2 * C);
  a->dea = strata_nn_alloc (N * E);
  a->dh = strata_nn_alloc (N * NB * C);
  a->dcat = strata_nn_alloc (N * tr->in_dim);
  a->dgcat = strata_nn_alloc (N * 2 * H);
  a->dlogits = strata_nn_alloc (N * STRATA_TRANSCRIPTION_N_OUT);
  for (int d = 0; d < 2; d++)
    {
      StrataGru g = { B, T, tr->in_dim, H, d == 1 };
      a->g[d] = strata_nn_alloc (N * H);
      a->dg[d] = strata_nn_alloc (N * H);
      a->gcache[d] = strata_nn_alloc (strata_gru_cache_size (&g));
      a->scratch_size = MAX (a->scratch_size, strata_gru_scratch_size (&g));
    }
  if (c->features)
    {
      a->fine = strata_nn_alloc (N * c->fine_dim);
      a->medium = strata_nn_alloc (Nm * c->medium_dim);
      a->fp = strata_nn_alloc (N * P);
      a->mp = strata_nn_alloc (Nm * P);
      a->dfp = strata_nn_alloc (N * P);
      a->dmp = strata_nn_alloc (Nm * P);
    }
  StrataConv2d c1 = conv1_of (tr, B, T), c2 = conv2_of (tr, B, T);
  a->scratch_size = MAX (a->scratch_size, strata_conv2d_scratch_size (&c1));
  a->scratch_size = MAX (a->scratch_size, strata_conv2d_scratch_size (&c2));
  a->scratch = strata_nn_alloc (a->scratch_size);
  gboolean ok = a->x && a->h1 && a->a1 && a->h2 && a->a2 && a->e && a->ea && a->cat &&
                a->gcat && a->logits && a->da1 && a->da2 && a->dea && a->dh && a->dcat &&
                a->dgcat && a->dlogits && a->g[0] && a->g[1] && a->dg[0] && a->dg[1] &&
                a->gcache[0] && a->gcache[1] && a->scratch &&
                (!c->features || (a->fine && a->medium && a->fp && a->mp && a->dfp && a->dmp));
  if (!ok)
    {
      _strata_tr_acts_free (a);
      return NULL;
    }
  return a;
}

void
_strata_tr_acts_free (TrActs *a)
{
  if (!a)
    return;
  float *bufs[] = { a->x, a->h1, a->a1, a->h2, a->a2, a->e, a->ea, a->fine, a->medium, a->fp,
                    a->mp, a->cat, a->g[0], a->g[1], a->gcache[0], a->gcache[1], a->gcat,
                    a->logits, a->da1, a->da2, a->dea, a->dh, a->dcat, a->dg[0], a->dg[1],
                    a->dgcat, a->dlogits, a->dfp, a->dmp, a->scratch };
  for (guint i = 0; i < G_N_ELEMENTS (bufs); i++)
    strata_nn_free (bufs[i]);
  g_free (a);
}

void
_strata_tr_forward (StrataTranscriber *tr, TrActs *a)
{
  const StrataTranscriptionConfig *c = &tr->cfg;
  const int B = a->B, T = a->T, N = B * T;
  const int C = c->conv_channels, E = c->embed, H = c->hidden, P = c->proj, In = tr->in_dim;
  StrataConv2d c1 = conv1_of (tr, B, T), c2 = conv2_of (tr, B, T);
  strata_conv2d_forward (&c1, a->h1, a->x, V (tr, tr->i_c1w), V (tr, tr->i_c1b), a->scratch);
  strata_relu_forward (a->a1, a->h1, (size_t) N * NB * C);
  strata_conv2d_forward (&c2, a->h2, a->a1, V (tr, tr->i_c2w), V (tr, tr->i_c2b), a->scratch);
  strata_relu_forward (a->a2, a->h2, (size_t) N * tr->F2 * C);
  strata_linear_forward (a->e, a->a2, V (tr, tr->i_ew), V (tr, tr->i_eb), N, tr->F2 * C, E);
  strata_relu_forward (a->ea, a->e, (size_t) N * E);
  if (c->features)
    {
      strata_linear_forward (a->fp, a->fine, V (tr, tr->i_fw), V (tr, tr->i_fb), N,
                             c->fine_dim, P);
      strata_linear_forward (a->mp, a->medium, V (tr, tr->i_mw), V (tr, tr->i_mb),
                             B * a->Tm, c->medium_dim, P);
    }
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      {
        size_t n = (size_t) b * T + t;
        float *row = a->cat + n * In;
        memcpy (row, a->ea + n * E, (size_t) E * sizeof (float));
        if (c->features)
          {
            memcpy (row + E, a->fp + n * P, (size_t) P * sizeof (float));
            /* nearest upsampling x4 of the medium stratum */
            memcpy (row + E + P, a->mp + ((size_t) b * a->Tm + t / 4) * P,
                    (size_t) P * sizeof (float));
          }
      }
  for (int d = 0; d < 2; d++)
    {
      StrataGru g = { B, T, In, H, d == 1 };
      strata_gru_forward (&g, a->g[d], a->gcache[d], a->cat, NULL, V (tr, tr->i_gru[d][0]),
                          V (tr, tr->i_gru[d][1]), V (tr, tr->i_gru[d][2]),
                          V (tr, tr->i_gru[d][3]));
    }
  strata_concat_forward (a->gcat, a->g[0], a->g[1], N, H, H);
  strata_linear_forward (a->logits, a->gcat, V (tr, tr->i_ow), V (tr, tr->i_ob), N, 2 * H,
                         STRATA_TRANSCRIPTION_N_OUT);
}

static void
zero (float *x, size_t n)
{
  memset (x, 0, n * sizeof (float));
}

void
_strata_tr_backward (StrataTranscriber *tr, TrActs *a)
{
  const StrataTranscriptionConfig *c = &tr->cfg;
  const int B = a->B, T = a->T, N = B * T;
  const int C = c->conv_channels, E = c->embed, H = c->hidden, P = c->proj, In = tr->in_dim;
  zero (a->dgcat, (size_t) N * 2 * H);
  strata_linear_backward (a->dgcat, G (tr, tr->i_ow), G (tr, tr->i_ob), a->dlogits, a->gcat,
                          V (tr, tr->i_ow), N, 2 * H, STRATA_TRANSCRIPTION_N_OUT);
  zero (a->dg[0], (size_t) N * H);
  zero (a->dg[1], (size_t) N * H);
  strata_concat_backward (a->dg[0], a->dg[1], a->dgcat, N, H, H);
  zero (a->dcat, (size_t) N * In);
  for (int d = 0; d < 2; d++)
    {
      StrataGru g = { B, T, In, H, d == 1 };
      strata_gru_backward (&g, a->dcat, NULL, G (tr, tr->i_gru[d][0]), G (tr, tr->i_gru[d][1]),
                           G (tr, tr->i_gru[d][2]), G (tr, tr->i_gru[d][3]), a->dg[d], a->g[d],
                           a->gcache[d], a->cat, NULL, V (tr, tr->i_gru[d][0]),
                           V (tr, tr->i_gru[d][1]), a->scratch);
    }
  if (c->features)
    {
      zero (a->dmp, (size_t) B * a->Tm * P);
      for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
          {
            size_t n = (size_t) b * T + t;
            const float *row = a->dcat + n * In;
            memcpy (a->dfp + n * P, row + E, (size_t) P * sizeof (float));
            float *m = a->dmp + ((size_t) b * a->Tm + t / 4) * P;
            for (int j = 0; j < P; j++)
              m[j] += row[E + P + j];
          }
      strata_linear_backward (NULL, G (tr, tr->i_fw), G (tr, tr->i_fb), a->dfp, a->fine,
                              V (tr, tr->i_fw), N, c->fine_dim, P);
      strata_linear_backward (NULL, G (tr, tr->i_mw), G (tr, tr->i_mb), a->dmp, a->medium,
                              V (tr, tr->i_mw), B * a->Tm, c->medium_dim, P);
    }
  float *de = a->dea;   /* gradient at the embedding's ReLU output, then input */
  for (size_t n = 0; n < (size_t) N; n++)
    memcpy (de + n * E, a->dcat + n * In, (size_t) E * sizeof (float));
  float *dpre = a->dh;  /* reused as the pre-activation gradient buffer */
  zero (dpre, (size_t) N * E);
  strata_relu_backward (dpre, de, a->e, (size_t) N * E);
  zero (a->da2, (size_t) N * tr->F2 * C);
  strata_linear_backward (a->da2, G (tr, tr->i_ew), G (tr, tr->i_eb), dpre, a->a2,
                          V (tr, tr->i_ew), N, tr->F2 * C, E);
  zero (dpre, (size_t) N * tr->F2 * C);
  strata_relu_backward (dpre, a->da2, a->h2, (size_t) N * tr->F2 * C);
  StrataConv2d c1 = conv1_of (tr, B, T), c2 = conv2_of (tr, B, T);
  zero (a->da1, (size_t) N * NB * C);
  strata_conv2d_backward (&c2, a->da1, G (tr, tr->i_c2w), G (tr, tr->i_c2b), dpre, a->a1,
                          V (tr, tr->i_c2w), a->scratch);
  zero (dpre, (size_t) N * NB * C);
  strata_relu_backward (dpre, a->da1, a->h1, (size_t) N * NB * C);
  strata_conv2d_backward (&c1, NULL, G (tr, tr->i_c1w), G (tr, tr->i_c1b), dpre, a->x,
                          V (tr, tr->i_c1w), a->scratch);
}

/* ------------------------------------------------------------ loss */

static inline float
sigmoid (float x)
{
  return x >= 0 ? 1.0f / (1.0f + expf (-x)) : expf (x) / (1.0f + expf (x));
}

static inline float
bce (float x, float t, float *grad)
{
  *grad = sigmoid (x) - t;
  return (x > 0.0f ? x : 0.0f) - x * t + log1pf (expf (-fabsf (x)));
}

float
_strata_tr_loss (TrActs *a, const TrTargetRow *targets, float onset_weight, float scale,
                 gboolean grad)
{
  const size_t N = (size_t) a->B * a->T;
  double l_frame = 0, l_onset = 0, l_offset = 0, l_vel = 0;
  size_t n_vel = 0;
  for (size_t n = 0; n < N; n++)
    for (int p = 0; p < P88; p++)
      n_vel += targets[n].onset[p] > 0.5f;
  const float k = scale / (float) (N * P88);
  const float kv = n_vel ? scale / (float) n_vel : 0.0f;
  for (size_t n = 0; n < N; n++)
    {
      const float *x = a->logits + n * STRATA_TRANSCRIPTION_N_OUT;
      float *dx = a->dlogits + n * STRATA_TRANSCRIPTION_N_OUT;
      const TrTargetRow *r = &targets[n];
      for (int p = 0; p < P88; p++)
        {
          float g;
          l_frame += bce (x[TR_FRAME * P88 + p], r->frame[p], &g);
          if (grad)
            dx[TR_FRAME * P88 + p] = k * g;
          float w = r->onset[p] > 0.5f ? onset_weight : 1.0f;
          l_onset += w * bce (x[TR_ONSET * P88 + p], r->onset[p], &g);
          if (grad)
            dx[TR_ONSET * P88 + p] = k * w * g;
          l_offset += bce (x[TR_OFFSET * P88 + p], r->offset[p], &g);
          if (grad)
            dx[TR_OFFSET * P88 + p] = k * g;
          float dv = 0.0f;
          if (r->onset[p] > 0.5f)
            {
              float s = sigmoid (x[TR_VELOCITY * P88 + p]);
              float e = s - r->velocity[p];
              l_vel += e * e;
              dv = kv * 2.0f * e * s * (1.0f - s);
            }
          if (grad)
            dx[TR_VELOCITY * P88 + p] = dv;
        }
    }
  double cells = (double) N * P88;
  return (float) ((l_frame + l_onset + l_offset) / cells + (n_vel ? l_vel / n_vel : 0.0));
}

void
_strata_tr_targets (const GArray *notes, int t0, int T, TrTargetRow *rows)
{
  memset (rows, 0, (size_t) T * sizeof *rows);
  const double rate = STRATA_TRANSCRIPTION_RATE;
  for (guint i = 0; notes && i < notes->len; i++)
    {
      const StrataTimedNote *nt = &g_array_index (notes, StrataTimedNote, i);
      int p = nt->pitch - STRATA_TRANSCRIPTION_MIN_PITCH;
      if (p < 0 || p >= P88)
        continue;
      int on = (int) lround (nt->onset * rate) - t0;
      int off = (int) lround (nt->offset * rate) - t0;
      if (off <= on)
        off = on + 1;
      if (on >= T || off < 0)
        continue;
      for (int t = MAX (on, 0); t < MIN (off, T); t++)
        rows[t].frame[p] = 1.0f;
      if (on >= 0)
        {
          rows[on].onset[p] = 1.0f;
          rows[on].velocity[p] = (float) nt->velocity / 127.0f;
        }
      if (off < T)
        rows[off].offset[p] = 1.0f;
    }
}

/* ------------------------------------------------------------ inference */

#define CHUNK 1024
#define CONTEXT 64

void
strata_transcription_output_free (StrataTranscriptionOutput *out)
{
  if (!out)
    return;
  g_free (out->frame);
  g_free (out->onset);
  g_free (out->offset);
  g_free (out->velocity);
  g_free (out);
}

StrataTranscriptionOutput *
strata_transcriber_run (StrataTranscriber *tr, const float *spec, int T, const float *fine,
                        const float *medium, StrataAbortFunc abort_func, void *abort_data,
                        GError **error)
{
  const StrataTranscriptionConfig *c = &tr->cfg;
  if (T < 1)
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
                   _("No audio frames to transcribe"));
      return NULL;
    }
  if (c->features && (!fine || !medium))
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_FEATURES,
                   _("The transcription model %s needs the foundation model's features"),
                   tr->path);
      return NULL;
    }
  const int L = MIN (T, CHUNK);
  /* a window holds the chunk and CONTEXT frames on each side; its start is
   * a multiple of 4 so that the medium stratum lines up, and what it holds
   * past the end of the track reads as silence */
  const int W = T <= L + 2 * CONTEXT ? T : L + 2 * CONTEXT;
  TrActs *a = _strata_tr_acts_new (tr, 1, W);
  StrataTranscriptionOutput *out = g_new0 (StrataTranscriptionOutput, 1);
  out->T = T;
  out->frame = g_try_new (float, (gsize) T * P88);
  out->onset = g_try_new (float, (gsize) T * P88);
  out->offset = g_try_new (float, (gsize) T * P88);
  out->velocity = g_try_new (float, (gsize) T * P88);
  if (!a || !out->frame || !out->onset || !out->offset || !out->velocity)
    {
      _strata_tr_acts_free (a);
      strata_transcription_output_free (out);
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_FAILED,
                   _("Out of memory for the transcription of %d frames"), T);
      return NULL;
    }
  const int Tm_all = (T + 3) / 4;
  for (int t0 = 0; t0 < T; t0 += L)
    {
      if (abort_func && abort_func (abort_data))
        {
          _strata_tr_acts_free (a);
          strata_transcription_output_free (out);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
          return NULL;
        }
      const int t1 = MIN (T, t0 + L);
      const int ws = W == T ? 0 : MAX (0, t0 - CONTEXT) / 4 * 4;
      const int n = MIN (T, ws + W) - ws;
      memcpy (a->x, spec + (size_t) ws * NB, (size_t) n * NB * sizeof (float));
      for (size_t i = (size_t) n * NB; i < (size_t) W * NB; i++)
        a->x[i] = STRATA_TRANSCRIPTION_SILENCE;
      if (c->features)
        {
          memset (a->fine, 0, (size_t) W * c->fine_dim * sizeof (float));
          memcpy (a->fine, fine + (size_t) ws * c->fine_dim,
                  (size_t) n * c->fine_dim * sizeof (float));
          memset (a->medium, 0, (size_t) a->Tm * c->medium_dim * sizeof (float));
          int m0 = ws / 4, mn = MIN (a->Tm, Tm_all - m0);
          memcpy (a->medium, medium + (size_t) m0 * c->medium_dim,
                  (size_t) mn * c->medium_dim * sizeof (float));
        }
      _strata_tr_forward (tr, a);
      for (int t = t0; t < t1; t++)
        {
          const float *x = a->logits + (size_t) (t - ws) * STRATA_TRANSCRIPTION_N_OUT;
          for (int p = 0; p < P88; p++)
            {
              size_t o = (size_t) t * P88 + p;
              out->frame[o] = sigmoid (x[TR_FRAME * P88 + p]);
              out->onset[o] = sigmoid (x[TR_ONSET * P88 + p]);
              out->offset[o] = sigmoid (x[TR_OFFSET * P88 + p]);
              out->velocity[o] = sigmoid (x[TR_VELOCITY * P88 + p]);
            }
        }
    }
  _strata_tr_acts_free (a);
  return out;
}
