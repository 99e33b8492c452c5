/* strata-features-job.c: the features engine job, its cache key and the
 * checks on cached features.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "analysis/strata-features-job.h"

#define MAX_T (1 << 24)          /* frames: > 2 days at the fine rate */
#define MAX_D 4096
#define MAX_K (1 << 20)
#define MAX_RATE 1e5

static StrataFeatures *
invalid (StrataFeatures *f, GError **error, const char *why)
{
  g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_INVALID,
               _("Stored features are damaged: %s"), why);
  strata_features_unref (f);
  return NULL;
}

StrataFeatures *
strata_features_from_cache (GBytes *bytes, GError **error)
{
  g_return_val_if_fail (bytes != NULL, NULL);

  StrataFeatures *f = strata_features_new_from_bytes (bytes, error);

  if (f == NULL)
    return NULL;
  if (!isfinite (f->duration) || f->duration < 0 || f->layer < 1 || f->layer > 4096)
    return invalid (f, error, _("bad header"));
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      const StrataFeatureLevel *fl = &f->level[l];
      gsize n;

      if (fl->T < 0 || fl->T > MAX_T || fl->D < 1 || fl->D > MAX_D || fl->K < 1 || fl->K > MAX_K
          || !isfinite (fl->rate) || fl->rate <= 0 || fl->rate > MAX_RATE
          || (fl->T > 0 && (fl->features == NULL || fl->tokens == NULL)))
        return invalid (f, error, _("bad level size"));
      n = (gsize) fl->T * fl->D;
      for (gsize i = 0; i < n; i++)
        if (!isfinite (fl->features[i]))
          return invalid (f, error, _("a value is not a number"));
      for (int t = 0; t < fl->T; t++)
        if (fl->tokens[t] < 0 || fl->tokens[t] >= fl->K)
          return invalid (f, error, _("a token is out of range"));
    }
  return f;
}

char *
strata_features_dup_cache_key (const char *track_hash, const char *model_version, int layer,
                               const char *const *condition)
{
  g_return_val_if_fail (track_hash != NULL && model_version != NULL, NULL);

  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  char buf[32];

  /* NUL-separated fields so that no two keys run together. */
  g_checksum_update (sum, (const guchar *) track_hash, strlen (track_hash) + 1);
  g_checksum_update (sum, (const guchar *) model_version, strlen (model_version) + 1);
  g_snprintf (buf, sizeof buf, "%d", layer);
  g_checksum_update (sum, (const guchar *) buf, strlen (buf) + 1);
  for (guint i = 0; condition && condition[i]; i++)
    g_checksum_update (sum, (const guchar *) condition[i], strlen (condition[i]) + 1);
  return g_strdup (g_checksum_get_string (sum));
}

/* ---------------------------------------------------------------- the job */

typedef struct {
  StrataEngine *engine;   /* borrowed: the engine outlives its running jobs */
  StrataModel *model;
  StrataTrack *track;
  int layer;
  char **condition;
  StrataJob *job;
} FeaturesJob;

static void
features_job_free (gpointer data)
{
  FeaturesJob *fj = data;
  strata_model_unref (fj->model);
  strata_track_unref (fj->track);
  g_strfreev (fj->condition);
  g_free (fj);
}

static void
extract_progress (double fraction, const char *stage, void *data)
{
  FeaturesJob *fj = data;
  const char *text;

  if (g_strcmp0 (stage, "coarse") == 0)
    text = _("Computing coarse features");
  else if (g_strcmp0 (stage, "medium") == 0)
    text = _("Computing medium features");
  else if (g_strcmp0 (stage, "fine") == 0)
    text = _("Computing fine features");
  else if (g_strcmp0 (stage, "tokens") == 0)
    text = _("Computing tokens");
  else
    text = _("Preparing features");
  /* The maps take the last few per cent. */
  strata_job_progress (fj->job, 0.95 * fraction, text);
}

static gpointer
features_job_run (StrataJob *job, gpointer data, GError **error)
{
  FeaturesJob *fj = data;
  const char *hash = strata_track_get_hash (fj->track);
  g_autofree char *key = NULL;
  g_autoptr(StrataFeatures) features = NULL;
  g_autoptr(GBytes) cached = NULL;

  gint64 t0 = g_get_monotonic_time (), t1;

  fj->job = job;
  strata_job_progress (job, 0.0, _("Preparing features"));
  key = strata_features_dup_cache_key (hash, strata_model_get_version (fj->model), fj->layer,
                                       (const char *const *) fj->condition);
  cached = strata_engine_cache_lookup (fj->engine, key, STRATA_FEATURES_CACHE_KIND,
                                       STRATA_FEATURES_CACHE_VERSION);
  if (cached != NULL)
    {
      g_autoptr(GError) local = NULL;
      features = strata_features_from_cache (cached, &local);
      if (features == NULL)
        g_debug ("features cache entry %s unusable: %s", key, local->message);
      else if (g_strcmp0 (features->model_version, strata_model_get_version (fj->model)) != 0)
        g_clear_pointer (&features, strata_features_unref);
    }

  if (features == NULL)
    {
      StrataFeatureOptions options = { fj->layer, (const char *const *) fj->condition };
      g_autoptr(GBytes) blob = NULL;
      g_autoptr(GError) local = NULL;

      features = strata_model_extract (fj->model, strata_track_get_audio (fj->track), &options,
                                       extract_progress, fj, strata_job_abort_func, job, error);
      if (features == NULL)
        return NULL;
      blob = strata_features_to_bytes (features);
      if (!strata_engine_cache_store (fj->engine, key, STRATA_FEATURES_CACHE_KIND,
                                      STRATA_FEATURES_CACHE_VERSION, blob, &local))
        g_debug ("features not cached: %s", local->message);
    }

  if (strata_job_is_cancelled (job))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
      return NULL;
    }
  strata_job_progress (job, 0.96, _("Drawing the feature maps"));
  t1 = g_get_monotonic_time ();
  StrataFeatureMaps *maps = strata_feature_maps_new (features);
  g_debug ("features of %s: %s in %.0f ms, maps in %.0f ms", strata_track_get_path (fj->track),
           cached != NULL ? "cache lookup" : "extraction", (t1 - t0) / 1000.0,
           (g_get_monotonic_time () - t1) / 1000.0);
  return maps;
}

void
strata_features_job_async (StrataEngine *engine, StrataModel *model, StrataTrack *track,
                           int layer, const char *const *condition, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (STRATA_IS_ENGINE (engine));
  g_return_if_fail (model != NULL && track != NULL);

  FeaturesJob *fj = g_new0 (FeaturesJob, 1);
  fj->engine = engine;
  fj->model = strata_model_ref (model);
  fj->track = strata_track_ref (track);
  fj->layer = layer > 0 ? layer : strata_model_get_default_layer (model);
  if (condition != NULL && condition[0] != NULL)
    fj->condition = g_strdupv ((char **) condition);
  strata_engine_run_async (engine, "features", features_job_run, fj, features_job_free,
                           (GDestroyNotify) strata_feature_maps_unref, cancellable, callback,
                           user_data);
}

StrataFeatureMaps *
strata_features_job_finish (StrataEngine *engine, GAsyncResult *result, GError **error)
{
  return strata_engine_run_finish (engine, result, error);
}
