/* strata-features-task.c: the features task, its cache key, the checks on
 * cached features, and the window's features job.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "tasks/strata-features-task.h"
#include "tasks/strata-track-load.h"

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
  {
    const StrataSectionBasis *b = &f->section_basis;
    const gsize n = (gsize) b->T * (b->D_mel + b->D_code);
    /* absent (T 0: the sections fall back to the coarse features) or one
     * row a coarse frame */
    if ((b->T != 0 && b->T != f->level[STRATA_LEVEL_COARSE].T) || b->D_mel > MAX_D
        || b->D_code > MAX_D
        || (n > 0 && b->data == NULL))
      return invalid (f, error, _("bad level size"));
    for (gsize i = 0; i < n; i++)
      if (!isfinite (b->data[i]))
        return invalid (f, error, _("a value is not a number"));
  }
  return f;
}

char *
strata_features_dup_cache_key (const char *track_hash, const char *model_version, int layer,
                               const char *const *condition)
{
  g_return_val_if_fail (track_hash != NULL && model_version != NULL, NULL);

  g_autoptr (GPtrArray) fields = g_ptr_array_new ();
  char layer_text[32];

  g_snprintf (layer_text, sizeof layer_text, "%d", layer);
  g_ptr_array_add (fields, (gpointer) track_hash);
  g_ptr_array_add (fields, (gpointer) model_version);
  g_ptr_array_add (fields, layer_text);
  for (guint i = 0; condition && condition[i]; i++)
    g_ptr_array_add (fields, (gpointer) condition[i]);
  g_ptr_array_add (fields, NULL);
  return strata_task_dup_keyv ((const char *const *) fields->pdata);
}

/* ---------------------------------------------------------------- the task */

static const StrataTaskStage features_stages[] = {
  { "features", N_("Preparing features") },
  { "decode", N_("Decoding") },
  { "spectrogram", N_("Preparing features") },
  { "tokens", N_("Computing tokens") },
  { "coarse", N_("Computing coarse features") },
  { "medium", N_("Computing medium features") },
  { "fine", N_("Computing fine features") },
  { "maps", N_("Drawing the feature maps") },
  { NULL, NULL }
};

static int
resolved_layer (const StrataFeaturesInput *in)
{
  return in->layer > 0 ? in->layer : strata_model_get_default_layer (in->model);
}

static char *
features_key (gconstpointer input)
{
  const StrataFeaturesInput *in = input;
  return strata_features_dup_cache_key (in->hash, strata_model_get_version (in->model),
                                        resolved_layer (in), in->condition);
}

static gpointer
features_compute (gconstpointer input, StrataTaskContext *ctx, GError **error)
{
  const StrataFeaturesInput *in = input;
  StrataFeatureOptions options = { resolved_layer (in), in->condition };
  StrataTaskContext sub;

  strata_task_progress (ctx, 0.0, "features");
  if (in->audio == NULL)
    {
      /* A caller without the decoded track (the CLI): decode it here, only
       * on a cache miss, straight to the mono mix the model reads (half
       * the memory of the stereo track; the model frees it once it has the
       * spectrogram, so an hour of audio stays well under 1 GB). */
      const double decode_end = 0.25;
      gint64 n = 0;
      float *mono;

      strata_task_context_span (&sub, ctx, 0.0, decode_end);
      strata_task_progress (&sub, 0.0, "decode");
      mono = strata_audio_decode_mono (in->path, strata_task_progress_func, &sub,
                                       strata_task_context_get_cancellable (ctx), &n, error);
      if (mono == NULL)
        return NULL;
      strata_task_context_span (&sub, ctx, decode_end, 1.0);
      return strata_model_extract_mono_take (in->model, mono, n, &options,
                                             strata_task_progress_func, &sub,
                                             strata_task_abort_func, &sub, error);
    }
  strata_task_context_span (&sub, ctx, 0.0, 1.0);
  return strata_model_extract (in->model, in->audio, &options, strata_task_progress_func, &sub,
                               strata_task_abort_func, &sub, error);
}

static GBytes *
features_serialize (gconstpointer result)
{
  return strata_features_to_bytes (result);
}

static gpointer
features_deserialize (GBytes *payload, gconstpointer input, GError **error)
{
  const StrataFeaturesInput *in = input;
  StrataFeatures *f = strata_features_from_cache (payload, error);
  if (f != NULL && g_strcmp0 (f->model_version, strata_model_get_version (in->model)) != 0)
    return invalid (f, error, _("another model version"));
  return f;
}

const StrataTaskKind strata_features_task = {
  .name = STRATA_FEATURES_CACHE_KIND,
  .version = STRATA_FEATURES_CACHE_VERSION,
  .queue = STRATA_ENGINE_QUEUE_COMPUTE,
  .stages = features_stages,
  .dup_key = features_key,
  .compute = features_compute,
  .serialize = features_serialize,
  .deserialize = features_deserialize,
  .free = (GDestroyNotify) strata_features_unref,
};

/* ---------------------------------------------------------------- the job */

typedef struct {
  StrataModel *model;
  StrataTrack *track;
  int layer;
  char **condition;
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

static gpointer
features_job_run (StrataJob *job, gpointer data, GError **error)
{
  FeaturesJob *fj = data;
  StrataFeaturesInput input = {
    .model = fj->model,
    .path = strata_track_get_path (fj->track),
    .hash = strata_track_get_hash (fj->track),
    .audio = strata_track_get_audio (fj->track),
    .layer = fj->layer,
    .condition = (const char *const *) fj->condition,
  };
  StrataTaskContext ctx, sub;
  gint64 t0 = g_get_monotonic_time (), t1;
  guint hits = strata_task_get_n_cached (&strata_features_task);

  strata_task_context_init_for_job (&ctx, job);
  /* The maps take the last few per cent. */
  strata_task_context_span (&sub, &ctx, 0.0, 0.95);
  g_autoptr (StrataFeatures) features = strata_task_run (&strata_features_task, &input, &sub,
                                                         error);
  if (features == NULL)
    return NULL;
  if (strata_task_set_error_if_cancelled (&ctx, error))
    return NULL;
  strata_task_progress (&ctx, 0.96, "maps");
  t1 = g_get_monotonic_time ();
  StrataFeatureMaps *maps = strata_feature_maps_new (features);
  g_debug ("features of %s: %s in %.0f ms, maps in %.0f ms", input.path,
           strata_task_get_n_cached (&strata_features_task) != hits ? "cache lookup"
                                                                    : "extraction",
           (t1 - t0) / 1000.0, (g_get_monotonic_time () - t1) / 1000.0);
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
  fj->model = strata_model_ref (model);
  fj->track = strata_track_ref (track);
  fj->layer = layer;
  if (condition != NULL && condition[0] != NULL)
    fj->condition = g_strdupv ((char **) condition);
  strata_engine_run_on_async (engine, strata_features_task.queue, "features", features_job_run,
                              fj, features_job_free, (GDestroyNotify) strata_feature_maps_unref,
                              cancellable, callback, user_data);
}

StrataFeatureMaps *
strata_features_job_finish (StrataEngine *engine, GAsyncResult *result, GError **error)
{
  return strata_engine_run_finish (engine, result, error);
}
