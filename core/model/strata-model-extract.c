/* strata-model-extract.c: coarse / medium / fine features of a track.
 *
 * Log-mel of the mono mix, stage-1 tokens (chunked, see strata-model.c),
 * then each prior under teacher forcing on overlapping windows of ctx
 * tokens, cross-faded (run_prior).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "model/strata-model-private.h"

StrataFeatures *
strata_features_ref (StrataFeatures *features)
{
  g_return_val_if_fail (features, NULL);
  g_atomic_int_inc (&features->ref_count);
  return features;
}

void
strata_features_unref (StrataFeatures *features)
{
  if (!features || !g_atomic_int_dec_and_test (&features->ref_count))
    return;
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      g_free (features->level[l].features);
      g_free (features->level[l].tokens);
    }
  g_free (features->section_basis.data);
  g_free (features->model_version);
  g_strfreev (features->condition);
  g_free (features);
}

static gboolean
cancelled (StrataAbortFunc abort_func, gpointer abort_data, GError **error)
{
  if (abort_func && abort_func (abort_data))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
      return TRUE;
    }
  return FALSE;
}

/* Cross-fade weight of row @q of the window that starts at row @w0, for a
 * prior that attends to the last @span tokens (see run_prior). */
static float
window_weight (int q, int w0, int span, int ctx)
{
  if (q < span)   /* the window's first token is still in view */
    return w0 == 0 ? 1.0f : 1e-6f;
  /* a triangle over the steady rows [span, ctx), peak in the middle */
  const float x = ((float) (q - span) + 0.5f) / (float) (ctx - span);
  return MAX (1.0f - fabsf (2.0f * x - 1.0f), 1e-6f);
}

/* Hidden states of @layer for the whole token sequence of one level.
 *
 * The prior attends to the last span tokens (ctx/2 in the models so far)
 * and its positions are absolute within its context of ctx tokens, so a
 * row depends on where its window starts: a window's first span rows still
 * see its first token (the state changes when that token leaves the view,
 * at row span), and the position embedding jumps from one window to the
 * next. So only the steady rows [span, ctx) of a window are used (and the
 * first window's first rows, which nothing else covers): windows start
 * every (ctx - span)/2 rows and each row is the cross-fade of the two
 * windows whose steady rows hold it, with triangular weights that sum to
 * one. The features then change smoothly along the track instead of
 * jumping every ctx/2 rows (on pink noise the change across a boundary was
 * 1.9x the change elsewhere; tests/model, default/seamless); the priors
 * cost twice what windows at a hop of ctx/2 cost. */
static gboolean
run_prior (Prior *p, const int32_t *tok, int T, const int32_t *parent, int T_parent,
           const float *tags, int layer, float *out, StrataAbortFunc abort_func,
           gpointer abort_data)
{
  PriorActs *a = _strata_prior_acts_new (p, 1);
  float *wsum = g_try_new0 (float, MAX (T, 1));
  if (!a || !wsum)
    {
      if (a)
        _strata_prior_acts_free (a);
      g_free (wsum);
      return FALSE;
    }
  const int ctx = p->ctx, d = p->d;
  const int span = p->window > 0 && p->window < ctx ? p->window : ctx / 2;
  const int stride = MAX (4, (ctx - span) / 2);
  int32_t *at = _strata_prior_acts_tokens (a), *ap = _strata_prior_acts_parent (a);
  if (p->n_tags > 0)
    memcpy (_strata_prior_acts_tags (a), tags, (size_t) p->n_tags * sizeof (float));
  memset (out, 0, (size_t) T * d * sizeof (float));
  gboolean ok = TRUE;
  for (int s = 0;; s += stride)
    {
      if (abort_func && abort_func (abort_data))
        {
          ok = FALSE;
          break;
        }
      /* window starts are multiples of 4 so the parent alignment is exact */
      int w0 = s & ~3;
      if (w0 + ctx > T)
        w0 = MAX (0, (T - ctx + 3) & ~3);
      const int n = MIN (ctx, T - w0);
      memcpy (at, tok + w0, (size_t) n * sizeof (int32_t));
      const int np = (n + 3) / 4;
      for (int k = 0; k < np; k++)
        ap[k] = w0 / 4 + k < T_parent ? parent[w0 / 4 + k] : 0;
      _strata_prior_forward (p, a, n, layer);
      const float *h = _strata_prior_acts_hidden (a, layer);
      const gboolean last = w0 + n >= T;
      for (int q = 0; q < n; q++)
        {
          const float w = window_weight (q, w0, span, ctx);
          float *o = out + (size_t) (w0 + q) * d;
          const float *hq = h + (size_t) q * d;
          for (int k = 0; k < d; k++)
            o[k] += w * hq[k];
          wsum[w0 + q] += w;
        }
      if (last)
        break;
    }
  for (int t = 0; ok && t < T; t++)
    {
      const float inv = 1.0f / wsum[t];
      float *o = out + (size_t) t * d;
      for (int k = 0; k < d; k++)
        o[k] *= inv;
    }
  g_free (wsum);
  _strata_prior_acts_free (a);
  return ok;
}

/* The sections' basis (StrataSectionBasis) from the log-mel (T frames)
 * and the coarse level's tokens. */
static gboolean
section_basis (const HqVae *vae, const float *mel, int T, const StrataFeatureLevel *coarse,
               StrataSectionBasis *b)
{
  const int M = vae->cfg.n_mels, C = vae->cfg.code_dim, D = M + C;
  const int per = 1 << (2 * (STRATA_N_LEVELS - 1));   /* fine frames a coarse frame */
  const float *cb = strata_params_value (&vae->params, vae->i_cb[STRATA_LEVEL_COARSE]);
  b->T = coarse->T, b->D_mel = M, b->D_code = C;
  b->data = coarse->T > 0 ? g_try_new0 (float, (gsize) coarse->T * D) : NULL;
  if (coarse->T > 0 && !b->data)
    return FALSE;
  for (int t = 0; t < coarse->T; t++)
    {
      float *row = b->data + (gsize) t * D;
      const int a = t * per, e = MIN (T, a + per);
      for (int i = a; i < e; i++)
        for (int m = 0; m < M; m++)
          row[m] += mel[(gsize) i * M + m] / (float) (e - a);
      memcpy (row + M, cb + (gsize) coarse->tokens[t] * C, (size_t) C * sizeof (float));
    }
  return TRUE;
}

StrataFeatures *
strata_model_extract (StrataModel *model, StrataAudio *audio,
                      const StrataFeatureOptions *options, StrataProgressFunc progress,
                      gpointer progress_data, StrataAbortFunc abort_func, gpointer abort_data,
                      GError **error)
{
  g_return_val_if_fail (model && audio, NULL);
  const gint64 n = strata_audio_get_n_frames (audio);
  const float *s = strata_audio_get_samples (audio);
  float *mono = g_try_new (float, MAX (n, 1));
  if (!mono)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of memory"));
      return NULL;
    }
  for (gint64 i = 0; i < n; i++)
    mono[i] = 0.5f * (s[2 * i] + s[2 * i + 1]);
  return strata_model_extract_mono_take (model, mono, n, options, progress, progress_data,
                                         abort_func, abort_data, error);
}

/**
 * strata_model_extract_mono_take:
 * @model: a model
 * @mono: (transfer full): @n samples of the mono mix at 44.1 kHz, 0.5 (L + R)
 * @n: their number
 * @options: (nullable): layer and condition
 * @progress: (nullable): progress callback
 * @progress_data: its data
 * @abort_func: (nullable): polled between chunks
 * @abort_data: its data
 * @error: return location for a #GError, or %NULL
 *
 * strata_model_extract() from the mono mix, which is freed as soon as the
 * spectrogram is made (so a long file's samples do not stay in memory while
 * the features are computed). strata_model_extract() is this function on
 * the track's downmix: the features are the same.
 *
 * Returns: (transfer full) (nullable): the features, or %NULL with @error set
 */
StrataFeatures *
strata_model_extract_mono_take (StrataModel *model, float *mono, gint64 n,
                                const StrataFeatureOptions *options, StrataProgressFunc progress,
                                gpointer progress_data, StrataAbortFunc abort_func,
                                gpointer abort_data, GError **error)
{
  g_autofree float *owned = mono;
  g_return_val_if_fail (model && (mono || n == 0), NULL);
  const StrataModelConfig *cfg = &model->vae.cfg;
  int layer = options && options->layer > 0 ? options->layer : cfg->default_layer;
  if (layer > cfg->prior_layers)
    {
      g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_BAD_OPTION,
                   _("Layer %d does not exist: the model’s priors have %d blocks (1–%d)"),
                   layer, cfg->prior_layers, cfg->prior_layers);
      return NULL;
    }
  float tags[STRATA_MODEL_MAX_TAGS] = { 0 };
  for (int i = 0; options && options->condition && options->condition[i]; i++)
    {
      int k = _strata_model_config_find_tag (cfg, options->condition[i]);
      if (k < 0)
        {
          g_autoptr (GString) known = g_string_new (NULL);
          for (int j = 0; j < cfg->n_tags; j++)
            g_string_append_printf (known, "%s%s", j ? ", " : "", cfg->tags[j]);
          g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_BAD_OPTION,
                       _("Unknown tag “%s” (known tags: %s)"), options->condition[i],
                       known->str);
          return NULL;
        }
      tags[k] = 1.0f;
    }
  if (n < 16 * 512)
    {
      g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_TOO_SHORT,
                   _("The audio is too short for the model (%.3f s; at least 0.19 s)"),
                   (double) n / 44100.0);
      return NULL;
    }
  if (progress)
    progress (0.0, "spectrogram", progress_data);
  int T = 0;
  g_autofree float *mel = _strata_model_input (&model->vae, owned, n, &T);
  g_clear_pointer (&owned, g_free);
  if (!mel)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of memory"));
      return NULL;
    }
  if (cancelled (abort_func, abort_data, error))
    return NULL;
  if (progress)
    progress (0.1, "tokens", progress_data);
  g_autoptr (StrataFeatures) f = g_new0 (StrataFeatures, 1);
  f->ref_count = 1;
  const int T_pad = (T + 15) / 16 * 16;
  int T_lv[3];
  int32_t *tok[3];
  for (int l = 0; l < 3; l++)
    {
      StrataFeatureLevel *fl = &f->level[l];
      fl->T = T_pad >> (2 * (2 - l));
      fl->D = cfg->prior_dim[l];
      fl->K = cfg->K[l];
      fl->rate = strata_model_get_rate (model, l);
      fl->tokens = g_try_new0 (int32_t, fl->T);
      fl->features = g_try_new0 (float, (gsize) fl->T * fl->D);
      if (!fl->tokens || !fl->features)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of memory"));
          return NULL;
        }
      tok[l] = fl->tokens;
    }
  if (!_strata_model_tokens (&model->vae, mel, T, tok, T_lv, NULL, abort_func, abort_data))
    {
      if (!cancelled (abort_func, abort_data, error))
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of memory"));
      return NULL;
    }
  if (!section_basis (&model->vae, mel, T, &f->level[STRATA_LEVEL_COARSE], &f->section_basis))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of memory"));
      return NULL;
    }
  static const double frac[4] = { 0.3, 0.4, 0.6, 1.0 };
  for (int l = 0; l < 3; l++)
    {
      if (progress)
        progress (frac[l], strata_level_get_name (l), progress_data);
      StrataFeatureLevel *fl = &f->level[l];
      const int32_t *par = l > 0 ? f->level[l - 1].tokens : NULL;
      const int T_par = l > 0 ? f->level[l - 1].T : 0;
      if (!run_prior (&model->prior[l], fl->tokens, fl->T, par, T_par, tags, layer, fl->features,
                      abort_func, abort_data))
        {
          if (!cancelled (abort_func, abort_data, error))
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of memory"));
          return NULL;
        }
    }
  if (progress)
    progress (1.0, "fine", progress_data);
  f->duration = (double) n / 44100.0;
  f->layer = layer;
  f->model_version = g_strdup (model->version);
  if (options && options->condition && options->condition[0])
    f->condition = g_strdupv ((char **) options->condition);
  return g_steal_pointer (&f);
}

/* ------------------------------------------------------------ cache form */

/* Layout (little-endian): "SFEA", u32 version 2, f64 duration, i32 layer,
 * i32 n_condition, then per level i32 T, D, K, f64 rate, T×D f32, T i32;
 * the section basis i32 T, D_mel, D_code, T×(D_mel+D_code) f32; then
 * NUL-terminated strings: the model version and each condition. */
#define FEATURES_MAGIC "SFEA"
#define FEATURES_VERSION 2

GBytes *
strata_features_to_bytes (const StrataFeatures *f)
{
  g_return_val_if_fail (f, NULL);
  GByteArray *b = g_byte_array_new ();
  const guint32 ver = GUINT32_TO_LE (FEATURES_VERSION);
  const gint32 layer = GINT32_TO_LE (f->layer);
  const gint32 n_cond = GINT32_TO_LE (f->condition ? (gint32) g_strv_length (f->condition) : 0);
  g_byte_array_append (b, (const guint8 *) FEATURES_MAGIC, 4);
  g_byte_array_append (b, (const guint8 *) &ver, 4);
  g_byte_array_append (b, (const guint8 *) &f->duration, 8);
  g_byte_array_append (b, (const guint8 *) &layer, 4);
  g_byte_array_append (b, (const guint8 *) &n_cond, 4);
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      const StrataFeatureLevel *fl = &f->level[l];
      const gint32 dims[3] = { fl->T, fl->D, fl->K };
      g_byte_array_append (b, (const guint8 *) dims, sizeof dims);
      g_byte_array_append (b, (const guint8 *) &fl->rate, 8);
      g_byte_array_append (b, (const guint8 *) fl->features, (guint) ((gsize) fl->T * fl->D * 4));
      g_byte_array_append (b, (const guint8 *) fl->tokens, (guint) ((gsize) fl->T * 4));
    }
  const StrataSectionBasis *sb = &f->section_basis;
  const gint32 bdims[3] = { sb->T, sb->D_mel, sb->D_code };
  g_byte_array_append (b, (const guint8 *) bdims, sizeof bdims);
  if (sb->T > 0)
    g_byte_array_append (b, (const guint8 *) sb->data,
                         (guint) ((gsize) sb->T * (sb->D_mel + sb->D_code) * 4));
  const char *v = f->model_version ? f->model_version : "";
  g_byte_array_append (b, (const guint8 *) v, (guint) strlen (v) + 1);
  for (int i = 0; f->condition && f->condition[i]; i++)
    g_byte_array_append (b, (const guint8 *) f->condition[i], (guint) strlen (f->condition[i]) + 1);
  return g_byte_array_free_to_bytes (b);
}

typedef struct {
  const guint8 *p;
  gsize left;
} Reader;

static gboolean
take (Reader *r, void *out, gsize n)
{
  if (r->left < n)
    return FALSE;
  memcpy (out, r->p, n);
  r->p += n;
  r->left -= n;
  return TRUE;
}

static char *
take_string (Reader *r)
{
  const guint8 *end = memchr (r->p, 0, r->left);
  if (!end)
    return NULL;
  gsize n = (gsize) (end - r->p) + 1;
  if (!g_utf8_validate ((const char *) r->p, (gssize) n - 1, NULL))
    return NULL;
  char *s = g_strndup ((const char *) r->p, n - 1);
  r->p += n;
  r->left -= n;
  return s;
}

StrataFeatures *
strata_features_new_from_bytes (GBytes *bytes, GError **error)
{
  g_return_val_if_fail (bytes, NULL);
  gsize len;
  Reader r;
  r.p = g_bytes_get_data (bytes, &len);
  r.left = len;
  g_autoptr (StrataFeatures) f = g_new0 (StrataFeatures, 1);
  f->ref_count = 1;
  char magic[4];
  guint32 ver = 0;
  gint32 n_cond = 0;
  gboolean ok = take (&r, magic, 4) && memcmp (magic, FEATURES_MAGIC, 4) == 0 &&
                take (&r, &ver, 4) && GUINT32_FROM_LE (ver) == FEATURES_VERSION &&
                take (&r, &f->duration, 8) && take (&r, &f->layer, 4) && take (&r, &n_cond, 4) &&
                n_cond >= 0 && n_cond <= STRATA_MODEL_MAX_TAGS;
  for (int l = 0; ok && l < STRATA_N_LEVELS; l++)
    {
      StrataFeatureLevel *fl = &f->level[l];
      gint32 dims[3];
      ok = take (&r, dims, sizeof dims) && take (&r, &fl->rate, 8) && dims[0] >= 0 &&
           dims[1] > 0 && dims[2] > 0 && dims[1] <= 65536 &&
           (gsize) dims[0] * ((gsize) dims[1] + 1) * 4 <= r.left;
      if (!ok)
        break;
      fl->T = dims[0], fl->D = dims[1], fl->K = dims[2];
      fl->features = g_new (float, (gsize) fl->T * fl->D);
      fl->tokens = g_new (int32_t, MAX (fl->T, 1));
      ok = take (&r, fl->features, (gsize) fl->T * fl->D * 4) &&
           take (&r, fl->tokens, (gsize) fl->T * 4);
    }
  if (ok)
    {
      StrataSectionBasis *sb = &f->section_basis;
      gint32 bdims[3];
      ok = take (&r, bdims, sizeof bdims) && bdims[0] >= 0 && bdims[1] >= 0 && bdims[2] >= 0
           && bdims[1] <= 65536 && bdims[2] <= 65536
           && (gsize) bdims[0] * ((gsize) bdims[1] + bdims[2]) * 4 <= r.left;
      if (ok)
        {
          sb->T = bdims[0], sb->D_mel = bdims[1], sb->D_code = bdims[2];
          const gsize n = (gsize) sb->T * (sb->D_mel + sb->D_code);
          sb->data = n > 0 ? g_new (float, n) : NULL;
          ok = n == 0 || take (&r, sb->data, n * 4);
        }
    }
  if (ok)
    ok = (f->model_version = take_string (&r)) != NULL;
  if (ok && n_cond > 0)
    {
      f->condition = g_new0 (char *, n_cond + 1);
      for (int i = 0; ok && i < n_cond; i++)
        ok = (f->condition[i] = take_string (&r)) != NULL;
    }
  if (!ok || r.left != 0)
    {
      g_set_error_literal (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INVALID,
                           _("Cached features are damaged or from another version"));
      return NULL;
    }
  return g_steal_pointer (&f);
}
