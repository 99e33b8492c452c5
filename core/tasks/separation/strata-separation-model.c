/* strata-separation-model.c: the separation head's parameters, forward and
 * backward passes, loading and saving.
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
#include "tasks/separation/strata-separation-private.h"

G_DEFINE_QUARK (strata-separation-error-quark, strata_separation_error)

void
strata_separation_config_init (StrataSeparationConfig *config)
{
  memset (config, 0, sizeof *config);
  config->embed = 128;
  config->hidden = 128;
  config->decoder = 256;
}

static gboolean
config_valid (const StrataSeparationConfig *c)
{
  gboolean ok = c->embed >= 1 && c->embed <= 1024 && c->hidden >= 1 && c->hidden <= 1024 &&
                c->decoder >= 1 && c->decoder <= 4096 && (c->features == 0 || c->features == 1);
  if (ok && c->features)
    ok = c->fine_dim >= 1 && c->fine_dim <= 4096 && c->medium_dim >= 1 && c->medium_dim <= 4096;
  return ok;
}

char *
_strata_sep_config_to_json (const StrataSeparationConfig *c)
{
  return g_strdup_printf ("{\"embed\": %d, \"hidden\": %d, \"decoder\": %d, \"features\": %d, "
                          "\"fine_dim\": %d, \"medium_dim\": %d, \"n_fft\": %d, \"hop\": %d, "
                          "\"n_bands\": %d, \"n_stems\": %d}",
                          c->embed, c->hidden, c->decoder, c->features,
                          c->features ? c->fine_dim : 0, c->features ? c->medium_dim : 0,
                          STRATA_SEPARATION_N_FFT, STRATA_SEPARATION_HOP, SEP_NB, SEP_J);
}

static int
declare (StrataSeparator *s, const char *name, int ndim, int64_t a, int64_t b, unsigned flags)
{
  const int64_t shape[2] = { a, b };
  return strata_params_declare (&s->params, name, ndim, shape, flags);
}

static StrataSeparator *
separator_alloc (const StrataSeparationConfig *cfg)
{
  if (!config_valid (cfg))
    return NULL;
  StrataSeparator *s = g_new0 (StrataSeparator, 1);
  g_atomic_ref_count_init (&s->ref_count);
  s->cfg = *cfg;
  strata_params_init (&s->params);
  const int E = cfg->embed, H = cfg->hidden, D = cfg->decoder;
  s->i_ew = declare (s, "encoder.weight", 2, E, SEP_IN, 0);
  s->i_eb = declare (s, "encoder.bias", 1, E, 0, STRATA_PARAM_NO_DECAY);
  s->i_fw = s->i_fb = s->i_mw = s->i_mb = -1;
  if (cfg->features)
    {
      s->i_fw = declare (s, "fine_proj.weight", 2, E, cfg->fine_dim, 0);
      s->i_fb = declare (s, "fine_proj.bias", 1, E, 0, STRATA_PARAM_NO_DECAY);
      s->i_mw = declare (s, "medium_proj.weight", 2, E, cfg->medium_dim, 0);
      s->i_mb = declare (s, "medium_proj.bias", 1, E, 0, STRATA_PARAM_NO_DECAY);
    }
  for (int d = 0; d < 2; d++)
    {
      const char *sfx = d ? "_reverse" : "";
      g_autofree char *n0 = g_strdup_printf ("gru.weight_ih_l0%s", sfx);
      g_autofree char *n1 = g_strdup_printf ("gru.weight_hh_l0%s", sfx);
      g_autofree char *n2 = g_strdup_printf ("gru.bias_ih_l0%s", sfx);
      g_autofree char *n3 = g_strdup_printf ("gru.bias_hh_l0%s", sfx);
      s->i_gru[d][0] = declare (s, n0, 2, 3 * H, E, 0);
      s->i_gru[d][1] = declare (s, n1, 2, 3 * H, H, 0);
      s->i_gru[d][2] = declare (s, n2, 1, 3 * H, 0, STRATA_PARAM_NO_DECAY);
      s->i_gru[d][3] = declare (s, n3, 1, 3 * H, 0, STRATA_PARAM_NO_DECAY);
    }
  s->i_dw = declare (s, "decoder.weight", 2, D, E + 2 * H, 0);
  s->i_db = declare (s, "decoder.bias", 1, D, 0, STRATA_PARAM_NO_DECAY);
  s->i_ow = declare (s, "out.weight", 2, SEP_OUT, D, 0);
  s->i_ob = declare (s, "out.bias", 1, SEP_OUT, 0, STRATA_PARAM_NO_DECAY);
  if (strata_params_allocate (&s->params) != STRATA_NN_OK)
    {
      strata_separator_free (s);
      return NULL;
    }
  s->path = g_strdup ("");
  s->version = g_strdup ("strata-separation/1/untrained");
  return s;
}

static float *
V (const StrataSeparator *s, int i)
{
  return strata_params_value (&s->params, i);
}

static float *
G (const StrataSeparator *s, int i)
{
  return strata_params_grad (&s->params, i);
}

StrataSeparator *
strata_separator_new (const StrataSeparationConfig *config, uint64_t seed)
{
  StrataSeparator *s = separator_alloc (config);
  if (!s)
    return NULL;
  StrataRng rng;
  strata_rng_seed (&rng, seed);
  const int E = config->embed, H = config->hidden, D = config->decoder;
  strata_rng_fill_normal (&rng, V (s, s->i_ew), (size_t) E * SEP_IN, 0.0f, sqrtf (1.0f / SEP_IN));
  if (config->features)
    {
      /* small, so that a features-on head starts as the features-off one */
      strata_rng_fill_normal (&rng, V (s, s->i_fw), (size_t) E * config->fine_dim, 0.0f,
                              0.1f * sqrtf (1.0f / config->fine_dim));
      strata_rng_fill_normal (&rng, V (s, s->i_mw), (size_t) E * config->medium_dim, 0.0f,
                              0.1f * sqrtf (1.0f / config->medium_dim));
    }
  const float k = 1.0f / sqrtf ((float) H);
  for (int d = 0; d < 2; d++)
    for (int j = 0; j < 4; j++)
      {
        int i = s->i_gru[d][j];
        strata_rng_fill_uniform (&rng, V (s, i), s->params.info[i].numel, -k, k);
      }
  strata_rng_fill_normal (&rng, V (s, s->i_dw), (size_t) D * (E + 2 * H), 0.0f,
                          sqrtf (2.0f / (E + 2 * H)));
  strata_rng_fill_normal (&rng, V (s, s->i_ow), (size_t) SEP_OUT * D, 0.0f,
                          sqrtf (1.0f / D));
  return s;
}

StrataSeparator *
strata_separator_ref (StrataSeparator *sep)
{
  g_return_val_if_fail (sep != NULL, NULL);
  g_atomic_ref_count_inc (&sep->ref_count);
  return sep;
}

void
strata_separator_free (StrataSeparator *sep)
{
  if (!sep || !g_atomic_ref_count_dec (&sep->ref_count))
    return;
  strata_params_clear (&sep->params);
  g_free (sep->path);
  g_free (sep->version);
  g_free (sep);
}

const StrataSeparationConfig *
strata_separator_get_config (const StrataSeparator *sep)
{
  return &sep->cfg;
}

const char *
strata_separator_get_path (const StrataSeparator *sep)
{
  return sep->path;
}

const char *
strata_separator_get_version (const StrataSeparator *sep)
{
  return sep->version;
}

size_t
strata_separator_get_n_params (const StrataSeparator *sep)
{
  return strata_params_count (&sep->params);
}

gboolean
strata_separator_save (const StrataSeparator *sep, const char *path, gboolean half,
                       const char *const *extra_metadata, GError **error)
{
  g_autofree char *config = _strata_sep_config_to_json (&sep->cfg);
  if (half)
    return strata_params_save_f16 (&sep->params, path, STRATA_SEPARATION_ARCHITECTURE, config,
                                   extra_metadata, error);
  return strata_params_save (&sep->params, path, STRATA_SEPARATION_ARCHITECTURE, config,
                             extra_metadata, FALSE, error);
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

static StrataSeparator *
invalid (StrataSeparator *s, GError **error, const char *path, const char *why)
{
  g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_INVALID, "%s: %s", path,
               why);
  strata_separator_free (s);
  return NULL;
}

StrataSeparator *
strata_separator_load (const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (StrataSafetensors) st = strata_safetensors_read_file (path, &local);
  if (!st)
    {
      g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_INVALID, "%s",
                   local->message);
      return NULL;
    }
  const char *arch = strata_safetensors_get_metadata (st, "strata.architecture");
  if (g_strcmp0 (arch, STRATA_SEPARATION_ARCHITECTURE) != 0)
    {
      g_autofree char *why = g_strdup_printf (_("not a separation model (architecture “%s”)"),
                                              arch ? arch : "");
      return invalid (NULL, error, path, why);
    }
  const char *text = strata_safetensors_get_metadata (st, "strata.config");
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *o;
  StrataSeparationConfig cfg;
  strata_separation_config_init (&cfg);
  int n_bands = 0, hop = 0, n_fft = 0, n_stems = 0;
  if (!text || !json_parser_load_from_data (parser, text, -1, NULL) ||
      !(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root) ||
      !(o = json_node_get_object (root)) || !config_int (o, "embed", &cfg.embed) ||
      !config_int (o, "hidden", &cfg.hidden) || !config_int (o, "decoder", &cfg.decoder) ||
      !config_int (o, "features", &cfg.features) || !config_int (o, "fine_dim", &cfg.fine_dim) ||
      !config_int (o, "medium_dim", &cfg.medium_dim) || !config_int (o, "n_bands", &n_bands) ||
      !config_int (o, "hop", &hop) || !config_int (o, "n_fft", &n_fft) ||
      !config_int (o, "n_stems", &n_stems) || !config_valid (&cfg) || n_bands != SEP_NB ||
      hop != STRATA_SEPARATION_HOP || n_fft != STRATA_SEPARATION_N_FFT || n_stems != SEP_J)
    return invalid (NULL, error, path, _("missing or invalid strata.config"));
  StrataSeparator *s = separator_alloc (&cfg);
  if (!s)
    {
      g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_FAILED,
                   _("%s: out of memory"), path);
      return NULL;
    }
  if (!strata_params_load (&s->params, path, STRATA_SEPARATION_ARCHITECTURE, FALSE, &local))
    {
      g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_INVALID, "%s",
                   local->message);
      strata_separator_free (s);
      return NULL;
    }
  for (size_t i = 0; i < s->params.total; i++)
    if (!isfinite (s->params.values[i]))
      return invalid (s, error, path, _("the weights hold values that are not finite"));
  g_free (s->path);
  s->path = g_strdup (path);
  g_free (s->version);
  s->version = strata_model_file_version (STRATA_SEPARATION_ARCHITECTURE, path);
  return s;
}

char *
strata_separation_dup_default_path (void)
{
  return strata_model_file_find ("STRATA_SEPARATION_MODEL_PATH", STRATA_MODELS_DIR,
                                 STRATA_SEPARATION_DEFAULT_FILE);
}

StrataSeparator *
strata_separator_load_default (GError **error)
{
  g_autofree char *path = strata_separation_dup_default_path ();
  if (!path)
    {
      g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_NOT_FOUND,
                   _("No separation model found (looked for %s in %s and in the source "
                     "tree; set STRATA_SEPARATION_MODEL_PATH)"),
                   STRATA_SEPARATION_DEFAULT_FILE, STRATA_MODELS_DIR);
      return NULL;
    }
  return strata_separator_load (path, error);
}

/* ------------------------------------------------------------ graph */

SepActs *
_strata_sep_acts_new (const StrataSeparator *sep, int B, int T, gboolean train)
{
  const StrataSeparationConfig *c = &sep->cfg;
  const size_t N = (size_t) B * T;
  const int E = c->embed, H = c->hidden, D = c->decoder, W = E + 2 * H;
  SepActs *a = g_new0 (SepActs, 1);
  a->B = B, a->T = T, a->Tm = (T + 3) / 4;
  const size_t Nm = (size_t) B * a->Tm;
  gboolean ok = TRUE;
#define ALLOC(field, n) ok = ok && ((a->field = strata_nn_alloc (n)) != NULL)
  ALLOC (x, N * SEP_IN);
  ALLOC (e, N * E);
  ALLOC (ea, N * E);
  ALLOC (cat, N * W);
  ALLOC (d, N * D);
  ALLOC (da, N * D);
  ALLOC (logits, N * SEP_OUT);
  ALLOC (masks, N * SEP_OUT);
  for (int d = 0; d < 2; d++)
    {
      StrataGru g = { B, T, E, H, d == 1 };
      ALLOC (g[d], N * H);
      ALLOC (gcache[d], strata_gru_cache_size (&g));
      a->scratch_size = MAX (a->scratch_size, strata_gru_scratch_size (&g));
      if (train)
        ALLOC (dg[d], N * H);
    }
  if (c->features)
    {
      ALLOC (fine, N * c->fine_dim);
      ALLOC (medium, Nm * c->medium_dim);
      ALLOC (mp, Nm * E);
      if (train)
        ALLOC (dmp, Nm * E);
    }
  if (train)
    {
      ALLOC (dmasks, N * SEP_OUT);
      ALLOC (dlogits, N * SEP_OUT);
      ALLOC (dda, N * D);
      ALLOC (dcat, N * W);
      ALLOC (dea, N * E);
      ALLOC (de, N * E);
      ALLOC (scratch, MAX (a->scratch_size, 1));
    }
#undef ALLOC
  if (!ok)
    {
      _strata_sep_acts_free (a);
      return NULL;
    }
  return a;
}

void
_strata_sep_acts_free (SepActs *a)
{
  if (!a)
    return;
  float *bufs[] = { a->x, a->fine, a->medium, a->e, a->ea, a->mp, a->g[0], a->g[1],
                    a->gcache[0], a->gcache[1], a->cat, a->d, a->da, a->logits, a->masks,
                    a->dmasks, a->dlogits, a->dda, a->dcat, a->dg[0], a->dg[1], a->dea, a->de,
                    a->dmp, a->scratch };
  for (guint i = 0; i < G_N_ELEMENTS (bufs); i++)
    strata_nn_free (bufs[i]);
  g_free (a);
}

static void
zero (float *x, size_t n)
{
  memset (x, 0, n * sizeof (float));
}

void
_strata_sep_forward (StrataSeparator *sep, SepActs *a)
{
  const StrataSeparationConfig *c = &sep->cfg;
  const int B = a->B, T = a->T, N = B * T;
  const int E = c->embed, H = c->hidden, D = c->decoder, W = E + 2 * H;
  strata_linear_forward (a->e, a->x, V (sep, sep->i_ew), V (sep, sep->i_eb), N, SEP_IN, E);
  if (c->features)
    {
      /* the projected fine features, and the medium ones repeated x4, are
       * added into the encoder before its non-linearity */
      float *tmp = a->ea;
      strata_linear_forward (tmp, a->fine, V (sep, sep->i_fw), V (sep, sep->i_fb), N,
                             c->fine_dim, E);
      strata_add_forward (a->e, a->e, tmp, (size_t) N * E);
      strata_linear_forward (a->mp, a->medium, V (sep, sep->i_mw), V (sep, sep->i_mb),
                             B * a->Tm, c->medium_dim, E);
      for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
          {
            float *row = a->e + ((size_t) b * T + t) * E;
            const float *m = a->mp + ((size_t) b * a->Tm + t / 4) * E;
            for (int k = 0; k < E; k++)
              row[k] += m[k];
          }
    }
  strata_tanh_forward (a->ea, a->e, (size_t) N * E);
  for (int d = 0; d < 2; d++)
    {
      StrataGru g = { B, T, E, H, d == 1 };
      strata_gru_forward (&g, a->g[d], a->gcache[d], a->ea, NULL, V (sep, sep->i_gru[d][0]),
                          V (sep, sep->i_gru[d][1]), V (sep, sep->i_gru[d][2]),
                          V (sep, sep->i_gru[d][3]));
    }
  for (size_t n = 0; n < (size_t) N; n++)
    {
      float *row = a->cat + n * W;
      memcpy (row, a->ea + n * E, (size_t) E * sizeof (float));
      memcpy (row + E, a->g[0] + n * H, (size_t) H * sizeof (float));
      memcpy (row + E + H, a->g[1] + n * H, (size_t) H * sizeof (float));
    }
  strata_linear_forward (a->d, a->cat, V (sep, sep->i_dw), V (sep, sep->i_db), N, W, D);
  strata_relu_forward (a->da, a->d, (size_t) N * D);
  strata_linear_forward (a->logits, a->da, V (sep, sep->i_ow), V (sep, sep->i_ob), N, D,
                         SEP_OUT);
  /* logits and masks are (N, stem, band): a softmax over the stems a band */
  for (size_t n = 0; n < (size_t) N; n++)
    {
      const float *l = a->logits + n * SEP_OUT;
      float *m = a->masks + n * SEP_OUT;
      for (int b = 0; b < SEP_NB; b++)
        {
          float mx = l[b];
          for (int j = 1; j < SEP_J; j++)
            mx = MAX (mx, l[j * SEP_NB + b]);
          float sum = 0.0f;
          for (int j = 0; j < SEP_J; j++)
            sum += m[j * SEP_NB + b] = expf (l[j * SEP_NB + b] - mx);
          for (int j = 0; j < SEP_J; j++)
            m[j * SEP_NB + b] /= sum;
        }
    }
}

void
_strata_sep_backward (StrataSeparator *sep, SepActs *a)
{
  const StrataSeparationConfig *c = &sep->cfg;
  const int B = a->B, T = a->T, N = B * T;
  const int E = c->embed, H = c->hidden, D = c->decoder, W = E + 2 * H;
  for (size_t n = 0; n < (size_t) N; n++)
    {
      const float *m = a->masks + n * SEP_OUT, *dm = a->dmasks + n * SEP_OUT;
      float *dl = a->dlogits + n * SEP_OUT;
      for (int b = 0; b < SEP_NB; b++)
        {
          float dot = 0.0f;
          for (int j = 0; j < SEP_J; j++)
            dot += m[j * SEP_NB + b] * dm[j * SEP_NB + b];
          for (int j = 0; j < SEP_J; j++)
            dl[j * SEP_NB + b] = m[j * SEP_NB + b] * (dm[j * SEP_NB + b] - dot);
        }
    }
  zero (a->dda, (size_t) N * D);
  strata_linear_backward (a->dda, G (sep, sep->i_ow), G (sep, sep->i_ob), a->dlogits, a->da,
                          V (sep, sep->i_ow), N, D, SEP_OUT);
  float *dd = a->dda;  /* in place: relu backward reads dout and the input only */
  for (size_t k = 0; k < (size_t) N * D; k++)
    if (a->d[k] <= 0.0f)
      dd[k] = 0.0f;
  zero (a->dcat, (size_t) N * W);
  strata_linear_backward (a->dcat, G (sep, sep->i_dw), G (sep, sep->i_db), dd, a->cat,
                          V (sep, sep->i_dw), N, W, D);
  for (size_t n = 0; n < (size_t) N; n++)
    {
      const float *row = a->dcat + n * W;
      memcpy (a->dea + n * E, row, (size_t) E * sizeof (float));
      memcpy (a->dg[0] + n * H, row + E, (size_t) H * sizeof (float));
      memcpy (a->dg[1] + n * H, row + E + H, (size_t) H * sizeof (float));
    }
  for (int d = 0; d < 2; d++)
    {
      StrataGru g = { B, T, E, H, d == 1 };
      strata_gru_backward (&g, a->dea, NULL, G (sep, sep->i_gru[d][0]),
                           G (sep, sep->i_gru[d][1]), G (sep, sep->i_gru[d][2]),
                           G (sep, sep->i_gru[d][3]), a->dg[d], a->g[d], a->gcache[d], a->ea,
                           NULL, V (sep, sep->i_gru[d][0]), V (sep, sep->i_gru[d][1]),
                           a->scratch);
    }
  zero (a->de, (size_t) N * E);
  strata_tanh_backward (a->de, a->dea, a->e, (size_t) N * E);
  strata_linear_backward (NULL, G (sep, sep->i_ew), G (sep, sep->i_eb), a->de, a->x,
                          V (sep, sep->i_ew), N, SEP_IN, E);
  if (c->features)
    {
      strata_linear_backward (NULL, G (sep, sep->i_fw), G (sep, sep->i_fb), a->de, a->fine,
                              V (sep, sep->i_fw), N, c->fine_dim, E);
      zero (a->dmp, (size_t) B * a->Tm * E);
      for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
          {
            const float *row = a->de + ((size_t) b * T + t) * E;
            float *m = a->dmp + ((size_t) b * a->Tm + t / 4) * E;
            for (int k = 0; k < E; k++)
              m[k] += row[k];
          }
      strata_linear_backward (NULL, G (sep, sep->i_mw), G (sep, sep->i_mb), a->dmp, a->medium,
                              V (sep, sep->i_mw), B * a->Tm, c->medium_dim, E);
    }
}
