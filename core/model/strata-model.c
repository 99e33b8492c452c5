/* strata-model.c: loading, saving, and feature extraction of the
 * foundation model.
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

#include "dsp/strata-logfreq.h"
#include "dsp/strata-mel.h"
#include "io/strata-output.h"
#include "nn/strata-safetensors.h"
#include "model/strata-model-private.h"

G_DEFINE_QUARK (strata-model-error-quark, strata_model_error)

static const char *const level_names[STRATA_N_LEVELS] = { "coarse", "medium", "fine" };

const char *
strata_level_get_name (StrataLevel level)
{
  g_return_val_if_fail ((int) level >= 0 && level < STRATA_N_LEVELS, NULL);
  return level_names[level];
}

/* ------------------------------------------------------------ paths */

char *
strata_model_dup_default_path (void)
{
  const char *env = g_getenv ("STRATA_MODEL_PATH");
  if (env && *env)
    return g_strdup (env);
  g_autofree char *installed = g_build_filename (STRATA_MODELS_DIR, STRATA_MODEL_DEFAULT_FILE,
                                                 NULL);
  if (g_file_test (installed, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&installed);
  g_autofree char *source = g_build_filename (STRATA_SOURCE_DIR, "resources", "models",
                                              STRATA_MODEL_DEFAULT_FILE, NULL);
  if (g_file_test (source, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&source);
  return NULL;
}

/* ------------------------------------------------------------ lifetime */

StrataModel *
_strata_model_new_from_parts (HqVae *vae, Prior priors[STRATA_N_LEVELS], const char *path)
{
  StrataModel *m = g_new0 (StrataModel, 1);
  m->ref_count = 1;
  m->vae = *vae;
  memset (vae, 0, sizeof *vae);
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      m->prior[l] = priors[l];
      memset (&priors[l], 0, sizeof priors[l]);
    }
  m->path = g_strdup (path ? path : "");
  /* version: hash of the weights */
  g_autoptr (GChecksum) ck = g_checksum_new (G_CHECKSUM_SHA256);
  StrataParams *ps[4] = { &m->vae.params, &m->prior[0].params, &m->prior[1].params,
                          &m->prior[2].params };
  for (int k = 0; k < 4; k++)
    for (int i = 0; i < ps[k]->n_params; i++)
      g_checksum_update (ck, (const guchar *) strata_params_value (ps[k], i),
                         ps[k]->info[i].numel * sizeof (float));
  char hex[13];
  g_strlcpy (hex, g_checksum_get_string (ck), sizeof hex);
  m->version = g_strdup_printf ("%s/%s/%s", STRATA_MODEL_ARCHITECTURE,
                                STRATA_WEIGHTS_FORMAT_VERSION, hex);
  return m;
}

StrataModel *
strata_model_ref (StrataModel *model)
{
  g_return_val_if_fail (model, NULL);
  g_atomic_int_inc (&model->ref_count);
  return model;
}

void
strata_model_unref (StrataModel *model)
{
  if (!model || !g_atomic_int_dec_and_test (&model->ref_count))
    return;
  _strata_hqvae_clear (&model->vae);
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    _strata_prior_clear (&model->prior[l]);
  g_free (model->path);
  g_free (model->version);
  g_free (model);
}

const char *
strata_model_get_path (const StrataModel *model)
{
  return model->path;
}

const char *
strata_model_get_version (const StrataModel *model)
{
  return model->version;
}

double
strata_model_get_rate (const StrataModel *model, StrataLevel level)
{
  static const int shift[STRATA_N_LEVELS] = { 16, 4, 1 };
  g_return_val_if_fail ((int) level >= 0 && level < STRATA_N_LEVELS, 0.0);
  return 44100.0 / 512.0 / shift[level];
}

int
strata_model_get_dim (const StrataModel *model, StrataLevel level)
{
  return model->vae.cfg.prior_dim[level];
}

int
strata_model_get_codebook_size (const StrataModel *model, StrataLevel level)
{
  return model->vae.cfg.K[level];
}

int
strata_model_get_n_layers (const StrataModel *model)
{
  return model->vae.cfg.prior_layers;
}

int
strata_model_get_default_layer (const StrataModel *model)
{
  return model->vae.cfg.default_layer;
}

guint
strata_model_get_n_tags (const StrataModel *model)
{
  return (guint) model->vae.cfg.n_tags;
}

const char *
strata_model_get_tag_name (const StrataModel *model, guint i)
{
  g_return_val_if_fail (i < (guint) model->vae.cfg.n_tags, NULL);
  return model->vae.cfg.tags[i];
}

/* ------------------------------------------------------------ load */

static gboolean
take_tensors (StrataParams *ps, const StrataSafetensors *st, const char *path, guint *n_used,
              GError **error)
{
  for (int i = 0; i < ps->n_params; i++)
    {
      const StrataParamInfo *in = &ps->info[i];
      const StrataTensorEntry *e = strata_safetensors_lookup (st, in->name);
      if (!e)
        {
          g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INVALID,
                       _("Model file “%s” lacks the tensor “%s”"), path, in->name);
          return FALSE;
        }
      gboolean same = e->ndim == in->ndim;
      for (int k = 0; same && k < in->ndim; k++)
        same = e->shape[k] == in->shape[k];
      if (!same)
        {
          g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INVALID,
                       _("Model file “%s”: tensor “%s” has the wrong shape"), path, in->name);
          return FALSE;
        }
      for (size_t k = 0; k < e->numel; k++)
        if (!isfinite (e->data[k]))
          {
            g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INVALID,
                         _("Model file “%s”: tensor “%s” holds a non-finite value"), path,
                         in->name);
            return FALSE;
          }
      memcpy (strata_params_value (ps, i), e->data, e->numel * sizeof (float));
      (*n_used)++;
    }
  return TRUE;
}

StrataModel *
strata_model_load (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_NOT_FOUND,
                   _("Model file “%s” does not exist"), path);
      return NULL;
    }
  g_autoptr (GError) local = NULL;
  g_autoptr (StrataSafetensors) st = strata_safetensors_read_file (path, &local);
  if (!st)
    {
      g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INVALID, "%s", local->message);
      return NULL;
    }
  const char *arch = strata_safetensors_get_metadata (st, "strata.architecture");
  const char *ver = strata_safetensors_get_metadata (st, "strata.format_version");
  if (g_strcmp0 (arch, STRATA_MODEL_ARCHITECTURE) != 0 ||
      g_strcmp0 (ver, STRATA_WEIGHTS_FORMAT_VERSION) != 0)
    {
      g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INCOMPATIBLE,
                   _("Model file “%s” is not a Strata foundation model (architecture “%s”, "
                     "format version “%s”)"),
                   path, arch ? arch : "none", ver ? ver : "none");
      return NULL;
    }
  StrataModelConfig cfg;
  if (!_strata_model_config_from_json (&cfg, strata_safetensors_get_metadata (st, "strata.config"),
                                       &local))
    {
      g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INVALID,
                   _("Model file “%s”: %s"), path, local->message);
      return NULL;
    }
  const int want_bins = _strata_model_frontend_bins (cfg.frontend);
  if (cfg.n_mels != want_bins)
    {
      _strata_model_config_clear (&cfg);
      g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INCOMPATIBLE,
                   _("Model file “%s” expects %d input bands; its front end gives %d"), path,
                   cfg.n_mels, want_bins);
      return NULL;
    }
  /* The file's tensors bound what the config may make us allocate. */
  size_t file_numel = 0;
  for (guint i = 0; i < strata_safetensors_get_n_tensors (st); i++)
    file_numel += strata_safetensors_get_tensor (st, i)->numel;
  HqVae vae;
  Prior priors[STRATA_N_LEVELS];
  memset (priors, 0, sizeof priors);
  gboolean ok = _strata_hqvae_init (&vae, &cfg, file_numel);
  for (int l = 0; ok && l < STRATA_N_LEVELS; l++)
    ok = _strata_prior_init (&priors[l], &cfg, l, file_numel);
  _strata_model_config_clear (&cfg);
  guint n_used = 0;
  if (!ok)
    g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INVALID,
                 _("Model file “%s” has fewer weights than its configuration needs"), path);
  ok = ok && take_tensors (&vae.params, st, path, &n_used, error);
  for (int l = 0; ok && l < STRATA_N_LEVELS; l++)
    ok = take_tensors (&priors[l].params, st, path, &n_used, error);
  if (ok && n_used != strata_safetensors_get_n_tensors (st))
    {
      ok = FALSE;
      g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INVALID,
                   _("Model file “%s” holds %u tensors the model does not use"), path,
                   strata_safetensors_get_n_tensors (st) - n_used);
    }
  const float *sd = ok ? strata_params_value (&vae.params, vae.i_std) : NULL;
  for (int i = 0; ok && i < vae.cfg.n_mels; i++)
    if (!(sd[i] > 0.0f))
      {
        ok = FALSE;
        g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INVALID,
                     _("Model file “%s”: frontend.mel_std must be positive"), path);
      }
  if (!ok)
    {
      _strata_hqvae_clear (&vae);
      for (int l = 0; l < STRATA_N_LEVELS; l++)
        _strata_prior_clear (&priors[l]);
      return NULL;
    }
  return _strata_model_new_from_parts (&vae, priors, path);
}

StrataModel *
strata_model_load_default (GError **error)
{
  g_autofree char *path = strata_model_dup_default_path ();
  if (!path)
    {
      g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_NOT_FOUND,
                   _("No foundation model is installed (looked for %s in %s and %s)"),
                   STRATA_MODEL_DEFAULT_FILE, STRATA_MODELS_DIR,
                   STRATA_SOURCE_DIR "/resources/models");
      return NULL;
    }
  return strata_model_load (path, error);
}

/* ------------------------------------------------------------ save */

/* Tensors kept in F32 even in a half-precision file: the front end and the
 * quantiser variances (a few floats that set scales). */
static gboolean
keep_f32 (const char *name)
{
  return g_str_has_prefix (name, "frontend.") || g_str_has_suffix (name, ".theta") ||
         g_str_has_suffix (name, ".s0_sq");
}

gboolean
_strata_model_save (const StrataModel *model, const char *path, gboolean half, GError **error)
{
  const StrataParams *ps[4] = { &model->vae.params, &model->prior[0].params,
                                &model->prior[1].params, &model->prior[2].params };
  g_autofree char *config = _strata_model_config_to_json (&model->vae.cfg);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "__metadata__");
  json_builder_begin_object (b);
  const char *meta[] = {
    "strata.format_version", STRATA_WEIGHTS_FORMAT_VERSION,
    "strata.architecture", STRATA_MODEL_ARCHITECTURE,
    "strata.config", config,
    "strata.frontend", _strata_model_frontend_json (model->vae.cfg.frontend),
    "strata.license", "GPL-3.0-or-later",
    "strata.source", "trained by strata-cli train foundation on Strata's synthetic corpus",
  };
  for (guint i = 0; i < G_N_ELEMENTS (meta); i += 2)
    {
      json_builder_set_member_name (b, meta[i]);
      json_builder_add_string_value (b, meta[i + 1]);
    }
  json_builder_end_object (b);
  guint64 off = 0;
  for (int k = 0; k < 4; k++)
    for (int i = 0; i < ps[k]->n_params; i++)
      {
        const StrataParamInfo *in = &ps[k]->info[i];
        gboolean f16 = half && !keep_f32 (in->name);
        json_builder_set_member_name (b, in->name);
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "dtype");
        json_builder_add_string_value (b, f16 ? "F16" : "F32");
        json_builder_set_member_name (b, "shape");
        json_builder_begin_array (b);
        for (int d = 0; d < in->ndim; d++)
          json_builder_add_int_value (b, in->shape[d]);
        json_builder_end_array (b);
        guint64 nbytes = in->numel * (f16 ? 2 : 4);
        json_builder_set_member_name (b, "data_offsets");
        json_builder_begin_array (b);
        json_builder_add_int_value (b, (gint64) off);
        json_builder_add_int_value (b, (gint64) (off + nbytes));
        json_builder_end_array (b);
        json_builder_end_object (b);
        off += nbytes;
      }
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *header = json_to_string (root, FALSE);
  gsize hlen = strlen (header);
  gsize padded = (hlen + 7) & ~(gsize) 7;
  g_autoptr (GByteArray) out = g_byte_array_sized_new ((guint) (8 + padded + off));
  guint8 len8[8];
  for (int i = 0; i < 8; i++)
    len8[i] = (guint8) ((guint64) padded >> (8 * i));
  g_byte_array_append (out, len8, 8);
  g_byte_array_append (out, (const guint8 *) header, (guint) hlen);
  for (gsize i = hlen; i < padded; i++)
    g_byte_array_append (out, (const guint8 *) " ", 1);
  for (int k = 0; k < 4; k++)
    for (int i = 0; i < ps[k]->n_params; i++)
      {
        const StrataParamInfo *in = &ps[k]->info[i];
        const float *v = strata_params_value (ps[k], i);
        gboolean f16 = half && !keep_f32 (in->name);
        for (size_t j = 0; j < in->numel; j++)
          {
            guint8 bytes[4];
            if (f16)
              {
                guint16 h = strata_float_to_half (v[j]);
                bytes[0] = (guint8) h, bytes[1] = (guint8) (h >> 8);
                g_byte_array_append (out, bytes, 2);
              }
            else
              {
                union { float f; guint32 u; } u = { v[j] };
                for (int q = 0; q < 4; q++)
                  bytes[q] = (guint8) (u.u >> (8 * q));
                g_byte_array_append (out, bytes, 4);
              }
          }
      }
  g_autoptr (GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  return strata_output_write_bytes (path, NULL, bytes, error);
}

/* ------------------------------------------------------------ front end */

float *
_strata_log_mel_raw (const float *mono, gint64 n, int *n_frames)
{
  StrataMelConfig mc;
  strata_mel_config_init (&mc);
  mc.log_floor = 1e-5;
  StrataMelBank *bank = strata_mel_bank_new (&mc);
  g_assert (bank);
  gint64 T = strata_log_mel_get_n_frames (bank, n);
  float *out = g_try_malloc ((gsize) T * mc.n_mels * sizeof (float));
  if (out && !strata_log_mel (bank, mono, n, out))
    g_clear_pointer (&out, g_free);
  strata_mel_bank_free (bank);
  *n_frames = (int) T;
  return out;
}

float *
_strata_model_input_raw (StrataModelFrontend frontend, const float *mono, gint64 n,
                         int *n_frames)
{
  if (frontend == STRATA_MODEL_FRONTEND_LOG_MEL)
    return _strata_log_mel_raw (mono, n, n_frames);
  /* strata_logfreq() allocates with malloc(), which g_free() releases */
  return strata_logfreq (mono, n, n_frames);
}

float *
_strata_model_input (const HqVae *vae, const float *mono, gint64 n, int *n_frames)
{
  float *mel = _strata_model_input_raw (vae->cfg.frontend, mono, n, n_frames);
  if (!mel)
    return NULL;
  const int M = vae->cfg.n_mels;
  const float *mean = strata_params_value (&vae->params, vae->i_mean);
  const float *sd = strata_params_value (&vae->params, vae->i_std);
  for (gint64 t = 0; t < *n_frames; t++)
    for (int m = 0; m < M; m++)
      mel[t * M + m] = (mel[t * M + m] - mean[m]) / sd[m];
  return mel;
}

/* Chunks of stage 1 at extraction: CHUNK new frames with CONTEXT frames of
 * context each side (multiples of 16). */
#define TOK_CHUNK 1024
#define TOK_CONTEXT 128

gboolean
_strata_model_tokens (HqVae *vae, const float *mel, int T, int32_t *tokens[3], int T_level[3],
                      float *zhat[3], StrataAbortFunc abort_func, gpointer abort_data)
{
  const int d = vae->cfg.code_dim;
  const int M = vae->cfg.n_mels;
  const int T_pad = (T + 15) / 16 * 16;
  for (int l = 0; l < 3; l++)
    T_level[l] = T_pad >> (2 * (2 - l));
  const int win = MIN (T_pad, TOK_CHUNK + 2 * TOK_CONTEXT);
  HqActs *a = _strata_hqvae_acts_new (vae, 1, win);
  if (!a)
    return FALSE;
  /* silence in standardised units, for padding past the end */
  const float *mean = strata_params_value (&vae->params, vae->i_mean);
  const float *sd = strata_params_value (&vae->params, vae->i_std);
  const float silence = _strata_model_frontend_silence (vae->cfg.frontend);
  gboolean ok = TRUE;
  for (int s = 0; s < T_pad; s += TOK_CHUNK)
    {
      if (abort_func && abort_func (abort_data))
        {
          ok = FALSE;
          break;
        }
      int w0 = s - TOK_CONTEXT;
      if (w0 < 0)
        w0 = 0;
      if (w0 + win > T_pad)
        w0 = T_pad - win;
      float *x = _strata_hqvae_acts_input (a);
      for (int t = 0; t < win; t++)
        for (int m = 0; m < M; m++)
          x[(size_t) t * M + m] = w0 + t < T ? mel[(size_t) (w0 + t) * M + m]
                                             : (silence - mean[m]) / sd[m];
      _strata_hqvae_forward (vae, a, false, NULL, 1.0f, 3, NULL);
      const int e = MIN (s + TOK_CHUNK, T_pad);
      for (int l = 0; l < 3; l++)
        {
          const int sh = 2 * (2 - l);
          const int32_t *idx = _strata_hqvae_acts_tokens (a, l);
          for (int t = s >> sh; t < e >> sh; t++)
            tokens[l][t] = idx[t - (w0 >> sh)];
          int N;
          const float *z = _strata_hqvae_acts_zhat (a, l, &N);
          for (int t = s >> sh; zhat && t < e >> sh; t++)
            memcpy (zhat[l] + (size_t) t * d, z + (size_t) (t - (w0 >> sh)) * d,
                    (size_t) d * sizeof (float));
        }
    }
  _strata_hqvae_acts_free (a);
  return ok;
}
