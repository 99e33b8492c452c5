/* strata-transcription-task.c: the transcription task, its cache key and
 * payload, and the head as a registry model kind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "tasks/strata-features-task.h"
#include "tasks/strata-track-load.h"
#include "tasks/transcription/strata-transcription-task.h"

#define PAYLOAD_MAGIC "STRN"
#define PAYLOAD_VERSION 1
#define HEADER_SIZE (4 + 4 + 8 + 4)
#define NOTE_SIZE (8 + 8 + 4 + 4)
#define MAX_NOTES (1 << 24)
#define MAX_TEMPO 1000.0

/* ---------------------------------------------------------------- the head as a model kind */

static gpointer
head_load (const char *path, GError **error)
{
  return path != NULL ? strata_transcriber_load (path, error)
                      : strata_transcriber_load_default (error);
}

static gpointer
head_ref (gpointer model)
{
  return strata_transcriber_ref (model);
}

static void
head_unref (gpointer model)
{
  strata_transcriber_free (model);
}

const StrataModelKind strata_transcription_model_kind = {
  .name = "transcription",
  .dup_default_path = strata_transcription_dup_default_path,
  .load = head_load,
  .ref = head_ref,
  .unref = head_unref,
};

/* ---------------------------------------------------------------- input and result */

StrataTranscriptionTaskInput *
strata_transcription_task_input_new (StrataTranscriber *head, StrataModel *foundation,
                                     const char *path, const char *hash, StrataAudio *audio,
                                     const StrataDecodeOptions *options)
{
  g_return_val_if_fail (head != NULL && path != NULL && hash != NULL, NULL);

  StrataTranscriptionTaskInput *in = g_new0 (StrataTranscriptionTaskInput, 1);
  in->head = strata_transcriber_ref (head);
  in->foundation = foundation != NULL ? strata_model_ref (foundation) : NULL;
  in->path = g_strdup (path);
  in->hash = g_strdup (hash);
  in->audio = audio != NULL ? strata_audio_ref (audio) : NULL;
  if (options != NULL)
    in->options = *options;
  else
    strata_decode_options_init (&in->options);
  return in;
}

/**
 * strata_transcription_task_input_free:
 * @input: (nullable): an input from strata_transcription_task_input_new()
 *
 * Drops its references and copies.
 */
void
strata_transcription_task_input_free (StrataTranscriptionTaskInput *input)
{
  if (input == NULL)
    return;
  strata_transcriber_free (input->head);
  if (input->foundation != NULL)
    strata_model_unref (input->foundation);
  g_free ((char *) input->path);
  g_free ((char *) input->hash);
  if (input->audio != NULL)
    strata_audio_unref (input->audio);
  g_free (input);
}

/**
 * strata_transcription_free:
 * @result: (nullable): a result
 *
 * Frees the notes and the result.
 */
void
strata_transcription_free (StrataTranscription *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->notes, g_array_unref);
  g_free (result);
}

static gboolean
takes_features (const StrataTranscriptionTaskInput *in)
{
  return strata_transcriber_get_config (in->head)->features != 0;
}

char *
strata_transcription_dup_cache_key (const StrataTranscriptionTaskInput *in)
{
  g_return_val_if_fail (in != NULL && in->head != NULL && in->hash != NULL, NULL);

  const StrataDecodeOptions *o = &in->options;
  char options[4 * G_ASCII_DTOSTR_BUF_SIZE];
  /* %a: the exact bits, so that no two options share a key */
  g_snprintf (options, sizeof options, "onset=%a frame=%a min=%a merge=%a", o->onset_threshold,
              o->frame_threshold, o->min_note_ms, o->merge_gap_ms);
  const char *foundation = "";
  if (takes_features (in) && in->foundation != NULL)
    foundation = strata_model_get_version (in->foundation);
  return strata_task_dup_key (in->hash, strata_transcriber_get_version (in->head), foundation,
                              options, NULL);
}

/* ---------------------------------------------------------------- payload */

static void
put_u32 (GByteArray *b, guint32 v)
{
  v = GUINT32_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &v, 4);
}

static void
put_f64 (GByteArray *b, double d)
{
  guint64 v;
  memcpy (&v, &d, 8);
  v = GUINT64_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &v, 8);
}

static guint32
get_u32 (const guint8 *p)
{
  guint32 v;
  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static double
get_f64 (const guint8 *p)
{
  guint64 v;
  double d;
  memcpy (&v, p, 8);
  v = GUINT64_FROM_LE (v);
  memcpy (&d, &v, 8);
  return d;
}

GBytes *
strata_transcription_to_bytes (const StrataTranscription *result)
{
  g_return_val_if_fail (result != NULL && result->notes != NULL, NULL);

  const GArray *notes = result->notes;
  GByteArray *b = g_byte_array_sized_new (HEADER_SIZE + notes->len * NOTE_SIZE);
  g_byte_array_append (b, (const guint8 *) PAYLOAD_MAGIC, 4);
  put_u32 (b, PAYLOAD_VERSION);
  put_f64 (b, result->tempo_bpm);
  put_u32 (b, notes->len);
  for (guint i = 0; i < notes->len; i++)
    {
      const StrataTimedNote *n = &g_array_index (notes, StrataTimedNote, i);
      put_f64 (b, n->onset);
      put_f64 (b, n->offset);
      put_u32 (b, (guint32) n->pitch);
      put_u32 (b, (guint32) n->velocity);
    }
  return g_byte_array_free_to_bytes (b);
}

static StrataTranscription *
damaged (StrataTranscription *r, GError **error, const char *why)
{
  g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
               _("Stored transcription is damaged: %s"), why);
  strata_transcription_free (r);
  return NULL;
}

StrataTranscription *
strata_transcription_from_bytes (GBytes *bytes, GError **error)
{
  g_return_val_if_fail (bytes != NULL, NULL);

  gsize size;
  const guint8 *p = g_bytes_get_data (bytes, &size);
  if (size < HEADER_SIZE || memcmp (p, PAYLOAD_MAGIC, 4) != 0)
    return damaged (NULL, error, _("not a transcription"));
  if (get_u32 (p + 4) != PAYLOAD_VERSION)
    return damaged (NULL, error, _("another format version"));
  const double tempo = get_f64 (p + 8);
  const guint32 n = get_u32 (p + 16);
  if (!isfinite (tempo) || tempo <= 0 || tempo > MAX_TEMPO)
    return damaged (NULL, error, _("bad tempo"));
  if (n > MAX_NOTES || size != HEADER_SIZE + (gsize) n * NOTE_SIZE)
    return damaged (NULL, error, _("the size does not match the note count"));

  StrataTranscription *r = g_new0 (StrataTranscription, 1);
  r->tempo_bpm = tempo;
  r->notes = g_array_sized_new (FALSE, FALSE, sizeof (StrataTimedNote), n);
  for (guint32 i = 0; i < n; i++)
    {
      const guint8 *q = p + HEADER_SIZE + (gsize) i * NOTE_SIZE;
      StrataTimedNote note = {
        .onset = get_f64 (q),
        .offset = get_f64 (q + 8),
        .pitch = (gint32) get_u32 (q + 16),
        .velocity = (gint32) get_u32 (q + 20),
      };
      if (!isfinite (note.onset) || !isfinite (note.offset) || note.onset < 0
          || note.onset >= note.offset)
        return damaged (r, error, _("a note has bad times"));
      if (note.pitch < STRATA_TRANSCRIPTION_MIN_PITCH
          || note.pitch >= STRATA_TRANSCRIPTION_MIN_PITCH + STRATA_TRANSCRIPTION_N_PITCHES)
        return damaged (r, error, _("a pitch is out of range"));
      if (note.velocity < 1 || note.velocity > 127)
        return damaged (r, error, _("a velocity is out of range"));
      g_array_append_val (r->notes, note);
    }
  return r;
}

/* ---------------------------------------------------------------- the task */

static const StrataTaskStage transcription_stages[] = {
  { "transcription", N_("Preparing the transcription") },
  { "transcription-input", N_("Preparing the transcription") },
  { "transcription-head", N_("Transcribing notes") },
  { "transcription-notes", N_("Reading the notes") },
  { NULL, NULL }
};

static char *
transcription_key (gconstpointer input)
{
  return strata_transcription_dup_cache_key (input);
}

static gpointer
transcription_compute (gconstpointer input, StrataTaskContext *ctx, GError **error)
{
  const StrataTranscriptionTaskInput *in = input;
  g_autoptr (StrataAudio) decoded = NULL;
  g_autoptr (StrataFeatures) features = NULL;
  StrataAudio *audio = in->audio;
  StrataTaskContext sub;
  double at = 0.0;

  strata_task_progress (ctx, 0.0, "transcription");
  if (takes_features (in) && in->foundation == NULL)
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_FEATURES,
                   _("The transcription model %s needs the foundation model's features"),
                   strata_transcriber_get_path (in->head));
      return NULL;
    }
  if (audio == NULL)
    {
      /* the CLI: decode only on a miss */
      strata_task_context_span (&sub, ctx, 0.0, 0.2);
      decoded = strata_task_run (&strata_decode_task, in->path, &sub, error);
      if (decoded == NULL)
        return NULL;
      audio = decoded;
      at = 0.2;
    }
  if (takes_features (in))
    {
      StrataFeaturesInput fin = {
        .model = in->foundation,
        .path = in->path,
        .hash = in->hash,
        .audio = audio,
      };
      strata_task_context_span (&sub, ctx, at, 0.7);
      features = strata_task_run (&strata_features_task, &fin, &sub, error);
      if (features == NULL)
        return NULL;
      at = 0.7;
    }
  if (strata_task_set_error_if_cancelled (ctx, error))
    return NULL;

  strata_task_progress (ctx, at, "transcription-input");
  g_autoptr (StrataTranscriptionInput) tin = strata_transcription_input_new (audio, NULL, NULL,
                                                                             NULL, error);
  if (tin == NULL || (features != NULL
                      && !strata_transcription_input_set_features (tin, features, error)))
    return NULL;
  if (strata_task_set_error_if_cancelled (ctx, error))
    return NULL;

  strata_task_progress (ctx, at + (1.0 - at) * 0.1, "transcription-head");
  g_autoptr (StrataTranscriptionOutput) out = strata_transcriber_run (
      in->head, tin->spec, tin->T, tin->fine, tin->medium, strata_task_abort_func, ctx, error);
  if (out == NULL)
    return NULL;
  if (strata_task_set_error_if_cancelled (ctx, error))
    return NULL;

  strata_task_progress (ctx, at + (1.0 - at) * 0.95, "transcription-notes");
  StrataTranscription *r = g_new0 (StrataTranscription, 1);
  r->notes = strata_transcription_decode (out, &in->options);
  r->tempo_bpm = strata_estimate_tempo (r->notes);
  return r;
}

static GBytes *
transcription_serialize (gconstpointer result)
{
  return strata_transcription_to_bytes (result);
}

static gpointer
transcription_deserialize (GBytes *payload, gconstpointer input, GError **error)
{
  (void) input;
  return strata_transcription_from_bytes (payload, error);
}

const StrataTaskKind strata_transcription_task = {
  .name = STRATA_TRANSCRIPTION_CACHE_KIND,
  .version = STRATA_TRANSCRIPTION_CACHE_VERSION,
  .queue = STRATA_ENGINE_QUEUE_COMPUTE,
  .stages = transcription_stages,
  .dup_key = transcription_key,
  .compute = transcription_compute,
  .serialize = transcription_serialize,
  .deserialize = transcription_deserialize,
  .free = (GDestroyNotify) strata_transcription_free,
};

/* ---- the head's road from a track (strata-head-task.h) ---------------------------- */

static gboolean
transcription_takes_features (gconstpointer head)
{
  return strata_transcriber_get_config (head)->features;
}

static gpointer
transcription_head_input_new (gpointer head, StrataModel *foundation, const char *path,
                              const char *hash, StrataAudio *audio)
{
  return strata_transcription_task_input_new (head, foundation, path, hash, audio, NULL);
}

const StrataHeadTask strata_transcription_head_task = {
  .name = "transcription",
  .head_kind = &strata_transcription_model_kind,
  .takes_features = transcription_takes_features,
  .input_new = transcription_head_input_new,
  .input_free = (GDestroyNotify) strata_transcription_task_input_free,
  .task = &strata_transcription_task,
};
