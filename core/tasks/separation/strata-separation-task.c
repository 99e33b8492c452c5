/* strata-separation-task.c: the separation task, its cache key and payload,
 * and the head as a registry model kind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "tasks/strata-features-task.h"
#include "tasks/strata-track-load.h"
#include "tasks/separation/strata-separation-task.h"
#include "tasks/transcription/strata-transcription.h"

#define PAYLOAD_MAGIC "SSEP"
#define PAYLOAD_VERSION 1
#define MAX_NAME 32

static gpointer
head_load (const char *path, GError **error)
{
  return path != NULL ? strata_separator_load (path, error)
                      : strata_separator_load_default (error);
}

static gpointer
head_ref (gpointer model)
{
  return strata_separator_ref (model);
}

static void
head_unref (gpointer model)
{
  strata_separator_free (model);
}

const StrataModelKind strata_separation_model_kind = {
  .name = "separation",
  .dup_default_path = strata_separation_dup_default_path,
  .load = head_load,
  .ref = head_ref,
  .unref = head_unref,
};

StrataSeparationTaskInput *
strata_separation_task_input_new (StrataSeparator *head, StrataModel *foundation,
                                  const char *path, const char *hash, StrataAudio *audio,
                                  const StrataSeparationOptions *options)
{
  g_return_val_if_fail (head != NULL && path != NULL && hash != NULL, NULL);

  StrataSeparationTaskInput *in = g_new0 (StrataSeparationTaskInput, 1);
  in->head = strata_separator_ref (head);
  in->foundation = foundation != NULL ? strata_model_ref (foundation) : NULL;
  in->path = g_strdup (path);
  in->hash = g_strdup (hash);
  in->audio = audio != NULL ? strata_audio_ref (audio) : NULL;
  if (options != NULL)
    in->options = *options;
  else
    strata_separation_options_init (&in->options);
  return in;
}

/**
 * strata_separation_task_input_free:
 * @input: (nullable): an input from strata_separation_task_input_new()
 *
 * Drops its references and copies.
 */
void
strata_separation_task_input_free (StrataSeparationTaskInput *input)
{
  if (input == NULL)
    return;
  strata_separator_free (input->head);
  if (input->foundation != NULL)
    strata_model_unref (input->foundation);
  g_free ((char *) input->path);
  g_free ((char *) input->hash);
  if (input->audio != NULL)
    strata_audio_unref (input->audio);
  g_free (input);
}

StrataAudio *const *
strata_stems_get (const StrataStems *stems, const char *const **names)
{
  g_return_val_if_fail (stems != NULL, NULL);
  if (names)
    *names = (const char *const *) stems->names;
  return stems->stems;
}

static gboolean
takes_features (const StrataSeparationTaskInput *in)
{
  return strata_separator_get_config (in->head)->features != 0;
}

static guint
stems_mask (const StrataSeparationOptions *o)
{
  const guint all = (1u << STRATA_SEPARATION_N_STEMS) - 1;
  return (o->stems & all) ? (o->stems & all) : all;
}

char *
strata_separation_dup_cache_key (const StrataSeparationTaskInput *in)
{
  g_return_val_if_fail (in != NULL && in->head != NULL && in->hash != NULL, NULL);

  g_autofree char *options = g_strdup_printf ("stems=%u em=%d", stems_mask (&in->options),
                                              in->options.em_iterations);
  const char *foundation = "";
  if (takes_features (in) && in->foundation != NULL)
    foundation = strata_model_get_version (in->foundation);
  return strata_task_dup_key (in->hash, strata_separator_get_version (in->head), foundation,
                              options, NULL);
}

/* ---------------------------------------------------------------- payload */

static void
put_u32 (GByteArray *b, guint32 v)
{
  v = GUINT32_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &v, 4);
}

static guint32
get_u32 (const guint8 *p)
{
  guint32 v;
  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

GBytes *
strata_stems_to_bytes (const StrataStems *stems)
{
  g_return_val_if_fail (stems != NULL && stems->n > 0, NULL);

  const gint64 n = strata_audio_get_n_frames (stems->stems[0]);
  const gsize samples = (gsize) stems->n * n * 2 * sizeof (float);
  if (samples > STRATA_SEPARATION_CACHE_MAX_BYTES)
    return NULL;
  GByteArray *b = g_byte_array_sized_new (64 + samples);
  g_byte_array_append (b, (const guint8 *) PAYLOAD_MAGIC, 4);
  put_u32 (b, PAYLOAD_VERSION);
  put_u32 (b, stems->n);
  put_u32 (b, (guint32) (n & 0xffffffff));
  put_u32 (b, (guint32) (n >> 32));
  for (guint i = 0; i < stems->n; i++)
    {
      const gsize len = strlen (stems->names[i]);
      put_u32 (b, (guint32) len);
      g_byte_array_append (b, (const guint8 *) stems->names[i], (guint) len);
    }
  for (guint i = 0; i < stems->n; i++)
    {
      const float *s = strata_audio_get_samples (stems->stems[i]);
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
      g_byte_array_append (b, (const guint8 *) s, (guint) (n * 2 * sizeof (float)));
#else
      for (gint64 k = 0; k < n * 2; k++)
        {
          guint32 v;
          memcpy (&v, &s[k], 4);
          put_u32 (b, v);
        }
#endif
    }
  return g_byte_array_free_to_bytes (b);
}

static StrataStems *
damaged (StrataStems *r, GError **error, const char *why)
{
  g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_INVALID,
               _("Stored stems are damaged: %s"), why);
  strata_stems_free (r);
  return NULL;
}

StrataStems *
strata_stems_from_bytes (GBytes *bytes, gint64 n_frames, GError **error)
{
  g_return_val_if_fail (bytes != NULL, NULL);

  gsize size;
  const guint8 *p = g_bytes_get_data (bytes, &size);
  if (size < 20 || memcmp (p, PAYLOAD_MAGIC, 4) != 0)
    return damaged (NULL, error, _("not stems"));
  if (get_u32 (p + 4) != PAYLOAD_VERSION)
    return damaged (NULL, error, _("another format version"));
  const guint32 count = get_u32 (p + 8);
  const guint64 n = get_u32 (p + 12) | ((guint64) get_u32 (p + 16) << 32);
  if (count < 1 || count > STRATA_SEPARATION_N_STEMS + 1)
    return damaged (NULL, error, _("a bad stem count"));
  if (n < 1 || n > STRATA_SEPARATION_CACHE_MAX_BYTES || (n_frames >= 0 && n != (guint64) n_frames))
    return damaged (NULL, error, _("the length does not match the track"));
  gsize at = 20;
  g_auto (GStrv) names = g_new0 (char *, count + 1);
  guint seen = 0;
  for (guint32 i = 0; i < count; i++)
    {
      if (at + 4 > size)
        return damaged (NULL, error, _("it is cut short"));
      const guint32 len = get_u32 (p + at);
      at += 4;
      if (len < 1 || len > MAX_NAME || at + len > size)
        return damaged (NULL, error, _("a bad stem name"));
      names[i] = g_strndup ((const char *) p + at, len);
      at += len;
      int j = strata_separation_stem_index (names[i]);
      guint bit = j >= 0 ? 1u << j : 1u << STRATA_SEPARATION_N_STEMS;
      if ((j < 0 && strcmp (names[i], STRATA_SEPARATION_REST) != 0) || (seen & bit))
        return damaged (NULL, error, _("a bad stem name"));
      seen |= bit;
    }
  if (size - at != (gsize) count * n * 2 * sizeof (float))
    return damaged (NULL, error, _("the size does not match the stems"));
  StrataStems *r = strata_stems_new (count, (gint64) n);
  if (!r)
    return damaged (NULL, error, _("out of memory"));
  for (guint32 i = 0; i < count; i++)
    {
      g_free (r->names[i]);
      r->names[i] = g_strdup (names[i]);
      float *s = (float *) strata_audio_get_samples (r->stems[i]);
      for (guint64 k = 0; k < n * 2; k++, at += 4)
        {
          guint32 v = get_u32 (p + at);
          memcpy (&s[k], &v, 4);
          if (!isfinite (s[k]))
            return damaged (r, error, _("a sample is not finite"));
        }
    }
  return r;
}

/* ---------------------------------------------------------------- the task */

static const StrataTaskStage separation_stages[] = {
  { "separation", N_("Preparing the separation") },
  { "separation-head", N_("Separating stems") },
  { NULL, NULL }
};

static char *
separation_key (gconstpointer input)
{
  return strata_separation_dup_cache_key (input);
}

static gpointer
separation_compute (gconstpointer input, StrataTaskContext *ctx, GError **error)
{
  const StrataSeparationTaskInput *in = input;
  g_autoptr (StrataAudio) decoded = NULL;
  g_autoptr (StrataFeatures) features = NULL;
  g_autoptr (StrataTranscriptionInput) aligned = NULL;
  StrataAudio *audio = in->audio;
  StrataTaskContext sub;
  double at = 0.0;

  strata_task_progress (ctx, 0.0, "separation");
  if (takes_features (in) && in->foundation == NULL)
    {
      g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_FEATURES,
                   _("The separation model %s needs the foundation model's features"),
                   strata_separator_get_path (in->head));
      return NULL;
    }
  if (audio == NULL)
    {
      strata_task_context_span (&sub, ctx, 0.0, 0.1);
      decoded = strata_task_run (&strata_decode_task, in->path, &sub, error);
      if (decoded == NULL)
        return NULL;
      audio = decoded;
      at = 0.1;
    }
  if (takes_features (in))
    {
      StrataFeaturesInput fin = {
        .model = in->foundation,
        .path = in->path,
        .hash = in->hash,
        .audio = audio,
      };
      strata_task_context_span (&sub, ctx, at, 0.5);
      features = strata_task_run (&strata_features_task, &fin, &sub, error);
      if (features == NULL)
        return NULL;
      at = 0.5;
      /* the transcription head's frames are the separator's (hop 512, the
       * centre convention): its alignment of the features serves both */
      aligned = g_new0 (StrataTranscriptionInput, 1);
      aligned->T = (int) (strata_audio_get_n_frames (audio) / STRATA_SEPARATION_HOP + 1);
      if (!strata_transcription_input_set_features (aligned, features, error))
        return NULL;
    }
  if (strata_task_set_error_if_cancelled (ctx, error))
    return NULL;
  strata_task_context_span (&sub, ctx, at, 1.0);
  return strata_separator_run (in->head, audio, aligned ? aligned->fine : NULL,
                               aligned ? aligned->medium : NULL, &in->options,
                               strata_task_progress_func, &sub, strata_task_abort_func, ctx,
                               error);
}

static GBytes *
separation_serialize (gconstpointer result)
{
  return strata_stems_to_bytes (result);
}

static gpointer
separation_deserialize (GBytes *payload, gconstpointer input, GError **error)
{
  const StrataSeparationTaskInput *in = input;
  return strata_stems_from_bytes (payload, in->audio ? strata_audio_get_n_frames (in->audio) : -1,
                                  error);
}

const StrataTaskKind strata_separation_task = {
  .name = STRATA_SEPARATION_CACHE_KIND,
  .version = STRATA_SEPARATION_CACHE_VERSION,
  .queue = STRATA_ENGINE_QUEUE_COMPUTE,
  .stages = separation_stages,
  .dup_key = separation_key,
  .compute = separation_compute,
  .serialize = separation_serialize,
  .deserialize = separation_deserialize,
  .free = (GDestroyNotify) strata_stems_free,
};

/* ---- the head's road from a track (strata-head-task.h) ---------------------------- */

static gboolean
separation_takes_features (gconstpointer head)
{
  return strata_separator_get_config (head)->features;
}

static gpointer
separation_head_input_new (gpointer head, StrataModel *foundation, const char *path,
                           const char *hash, StrataAudio *audio)
{
  return strata_separation_task_input_new (head, foundation, path, hash, audio, NULL);
}

const StrataHeadTask strata_separation_head_task = {
  .name = "separation",
  .head_kind = &strata_separation_model_kind,
  .takes_features = separation_takes_features,
  .input_new = separation_head_input_new,
  .input_free = (GDestroyNotify) strata_separation_task_input_free,
  .task = &strata_separation_task,
};
