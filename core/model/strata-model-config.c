/* strata-model-config.c: hyper-parameters of the foundation model and
 * their JSON form (the strata.config metadata string).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "dsp/strata-logfreq.h"

#include "model/strata-model-private.h"

/* Tags: the corpus styles, then the stems (instrument families). */
static const char *const default_tags[] = {
  "pop", "rock", "metal", "blues", "jazz", "funk", "reggae", "country", "electronic",
  "hiphop", "ballad", "bossa", "waltz", "chamber",
  "drums", "bass", "guitar", "piano", "vocals", "other",
};

void
_strata_model_config_default (StrataModelConfig *cfg)
{
  memset (cfg, 0, sizeof *cfg);
  cfg->n_mels = 128;
  cfg->width[0] = 128, cfg->width[1] = 128, cfg->width[2] = 96;
  cfg->code_dim = 32;
  cfg->K[0] = 256, cfg->K[1] = 512, cfg->K[2] = 512;
  cfg->prior_dim[0] = 128, cfg->prior_dim[1] = 96, cfg->prior_dim[2] = 96;
  cfg->prior_layers = 4;
  cfg->prior_heads = 4;
  cfg->prior_ctx[0] = 128, cfg->prior_ctx[1] = 256, cfg->prior_ctx[2] = 256;
  cfg->prior_window[0] = 64, cfg->prior_window[1] = 128, cfg->prior_window[2] = 128;
  cfg->default_layer = 2;
  cfg->n_tags = G_N_ELEMENTS (default_tags);
  for (int i = 0; i < cfg->n_tags; i++)
    cfg->tags[i] = g_strdup (default_tags[i]);
}

void
_strata_model_config_tiny (StrataModelConfig *cfg)
{
  memset (cfg, 0, sizeof *cfg);
  cfg->n_mels = 8;
  cfg->width[0] = 6, cfg->width[1] = 5, cfg->width[2] = 4;
  cfg->code_dim = 3;
  cfg->K[0] = 5, cfg->K[1] = 6, cfg->K[2] = 7;
  cfg->prior_dim[0] = 8, cfg->prior_dim[1] = 8, cfg->prior_dim[2] = 8;
  cfg->prior_layers = 2;
  cfg->prior_heads = 2;
  cfg->prior_ctx[0] = 8, cfg->prior_ctx[1] = 16, cfg->prior_ctx[2] = 16;
  cfg->prior_window[0] = 4, cfg->prior_window[1] = 8, cfg->prior_window[2] = 8;
  cfg->default_layer = 1;
  cfg->n_tags = 3;
  cfg->tags[0] = g_strdup ("rock");
  cfg->tags[1] = g_strdup ("jazz");
  cfg->tags[2] = g_strdup ("piano");
}

void
_strata_model_config_small (StrataModelConfig *cfg)
{
  _strata_model_config_tiny (cfg);
  cfg->n_mels = 128;
  cfg->width[0] = cfg->width[1] = cfg->width[2] = 16;
  cfg->code_dim = 4;
  cfg->K[0] = 8, cfg->K[1] = 16, cfg->K[2] = 16;
  cfg->prior_dim[0] = cfg->prior_dim[1] = cfg->prior_dim[2] = 16;
}

void
_strata_model_config_clear (StrataModelConfig *cfg)
{
  for (int i = 0; i < cfg->n_tags; i++)
    g_clear_pointer (&cfg->tags[i], g_free);
  cfg->n_tags = 0;
}

gboolean
_strata_params_fit (const StrataParams *params, size_t max_numel)
{
  size_t n = 0;
  for (int i = 0; i < params->n_params; i++)
    n += params->info[i].numel;
  return max_numel == 0 || n <= max_numel;
}

int
_strata_model_config_find_tag (const StrataModelConfig *cfg, const char *name)
{
  for (int i = 0; i < cfg->n_tags; i++)
    if (g_ascii_strcasecmp (cfg->tags[i], name) == 0)
      return i;
  return -1;
}

static void
add_ints (JsonBuilder *b, const char *key, const int *v, int n)
{
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    json_builder_add_int_value (b, v[i]);
  json_builder_end_array (b);
}

char *
_strata_model_config_to_json (const StrataModelConfig *cfg)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  /* written only when it is not the log-mel of versions 1 and 2 */
  if (cfg->frontend == STRATA_MODEL_FRONTEND_LOG_FREQ)
    {
      json_builder_set_member_name (b, "frontend");
      json_builder_add_string_value (b, "log-frequency");
    }
  json_builder_set_member_name (b, "n_mels");
  json_builder_add_int_value (b, cfg->n_mels);
  add_ints (b, "width", cfg->width, 3);
  json_builder_set_member_name (b, "code_dim");
  json_builder_add_int_value (b, cfg->code_dim);
  add_ints (b, "codebook_size", cfg->K, 3);
  add_ints (b, "prior_dim", cfg->prior_dim, 3);
  json_builder_set_member_name (b, "prior_layers");
  json_builder_add_int_value (b, cfg->prior_layers);
  json_builder_set_member_name (b, "prior_heads");
  json_builder_add_int_value (b, cfg->prior_heads);
  add_ints (b, "prior_ctx", cfg->prior_ctx, 3);
  add_ints (b, "prior_window", cfg->prior_window, 3);
  json_builder_set_member_name (b, "default_layer");
  json_builder_add_int_value (b, cfg->default_layer);
  json_builder_set_member_name (b, "tags");
  json_builder_begin_array (b);
  for (int i = 0; i < cfg->n_tags; i++)
    json_builder_add_string_value (b, cfg->tags[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static gboolean
get_int (JsonObject *o, const char *key, int lo, int hi, int *out)
{
  JsonNode *n = json_object_get_member (o, key);
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  gint64 v = json_node_get_int (n);
  if (v < lo || v > hi)
    return FALSE;
  *out = (int) v;
  return TRUE;
}

static gboolean
get_ints (JsonObject *o, const char *key, int lo, int hi, int *out)
{
  JsonNode *n = json_object_get_member (o, key);
  if (!n || !JSON_NODE_HOLDS_ARRAY (n))
    return FALSE;
  JsonArray *a = json_node_get_array (n);
  if (json_array_get_length (a) != 3)
    return FALSE;
  for (guint i = 0; i < 3; i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64)
        return FALSE;
      gint64 v = json_node_get_int (e);
      if (v < lo || v > hi)
        return FALSE;
      out[i] = (int) v;
    }
  return TRUE;
}

gboolean
_strata_model_config_from_json (StrataModelConfig *cfg, const char *json, GError **error)
{
  memset (cfg, 0, sizeof *cfg);
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json || !json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INVALID,
                           _("strata.config is not a JSON object"));
      return FALSE;
    }
  JsonObject *o = json_node_get_object (json_parser_get_root (parser));
  const char *bad = NULL;
  /* Bounds keep every buffer size far from overflow. */
  if (!get_int (o, "n_mels", 1, 512, &cfg->n_mels))
    bad = "n_mels";
  else if (!get_ints (o, "width", 1, 1024, cfg->width))
    bad = "width";
  else if (!get_int (o, "code_dim", 1, 512, &cfg->code_dim))
    bad = "code_dim";
  else if (!get_ints (o, "codebook_size", 2, 65536, cfg->K))
    bad = "codebook_size";
  else if (!get_ints (o, "prior_dim", 1, 2048, cfg->prior_dim))
    bad = "prior_dim";
  else if (!get_int (o, "prior_layers", 1, STRATA_PRIOR_MAX_LAYERS, &cfg->prior_layers))
    bad = "prior_layers";
  else if (!get_int (o, "prior_heads", 1, 16, &cfg->prior_heads))
    bad = "prior_heads";
  else if (!get_ints (o, "prior_ctx", 8, 2048, cfg->prior_ctx))
    bad = "prior_ctx";
  else if (!get_ints (o, "prior_window", 0, 2048, cfg->prior_window))
    bad = "prior_window";
  else if (!get_int (o, "default_layer", 1, cfg->prior_layers, &cfg->default_layer))
    bad = "default_layer";
  JsonNode *fn = json_object_get_member (o, "frontend");
  if (!bad && fn)
    {
      const char *name = JSON_NODE_HOLDS_VALUE (fn) &&
                         json_node_get_value_type (fn) == G_TYPE_STRING
                         ? json_node_get_string (fn) : NULL;
      if (g_strcmp0 (name, "log-frequency") == 0)
        cfg->frontend = STRATA_MODEL_FRONTEND_LOG_FREQ;
      else if (g_strcmp0 (name, "log-mel") != 0)
        bad = "frontend";
    }
  for (int l = 0; !bad && l < 3; l++)
    if (cfg->prior_dim[l] % cfg->prior_heads != 0 || cfg->prior_ctx[l] % 4 != 0)
      bad = "prior_dim/prior_ctx";
  JsonNode *tn = json_object_get_member (o, "tags");
  if (!bad && (!tn || !JSON_NODE_HOLDS_ARRAY (tn) ||
               json_array_get_length (json_node_get_array (tn)) > STRATA_MODEL_MAX_TAGS))
    bad = "tags";
  if (!bad)
    {
      JsonArray *ta = json_node_get_array (tn);
      for (guint i = 0; i < json_array_get_length (ta); i++)
        {
          JsonNode *e = json_array_get_element (ta, i);
          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
            {
              bad = "tags";
              break;
            }
          cfg->tags[cfg->n_tags++] = g_strdup (json_node_get_string (e));
        }
    }
  if (bad)
    {
      _strata_model_config_clear (cfg);
      g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INVALID,
                   _("strata.config has a missing or invalid “%s”"), bad);
      return FALSE;
    }
  return TRUE;
}

const char *
_strata_model_frontend_json (StrataModelFrontend frontend)
{
  if (frontend == STRATA_MODEL_FRONTEND_LOG_FREQ)
    return "{\"sample_rate\":44100,\"n_fft\":4096,\"hop\":512,\"bins\":264,"
           "\"scale\":\"log-frequency, 3 bins a semitone, MIDI 20.67..108.33\","
           "\"window\":\"hann-periodic\",\"center\":true,\"channels\":\"mean-of-stereo\","
           "\"log\":\"(max(dB re full-scale sine,-100)+50)/25\","
           "\"normalization\":\"per-band (x-frontend.mel_mean)/frontend.mel_std\"}";
  return "{\"sample_rate\":44100,\"n_fft\":2048,\"hop\":512,\"n_mels\":128,\"fmin\":0,"
         "\"fmax\":22050,\"mel\":\"slaney\",\"window\":\"hann-periodic\",\"center\":true,"
         "\"channels\":\"mean-of-stereo\",\"log\":\"ln(max(mel,1e-5))\","
         "\"normalization\":\"per-band (x-frontend.mel_mean)/frontend.mel_std\"}";
}

int
_strata_model_frontend_bins (StrataModelFrontend frontend)
{
  return frontend == STRATA_MODEL_FRONTEND_LOG_FREQ ? STRATA_LOGFREQ_N_BINS : 128;
}

float
_strata_model_frontend_silence (StrataModelFrontend frontend)
{
  return frontend == STRATA_MODEL_FRONTEND_LOG_FREQ ? STRATA_LOGFREQ_SILENCE : logf (1e-5f);
}
