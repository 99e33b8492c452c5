/* strata-track-load.c: the load task and its parts: content hash, decode,
 * waveform peaks, spectrogram.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "dsp/strata-summary-private.h"
#include "tasks/strata-track-load.h"

static const StrataTaskStage load_stages[] = {
  { "hash", N_("Reading") },
  { "decode", N_("Decoding") },
  { "peaks", N_("Drawing the waveform") },
  { "spectrogram", N_("Computing the spectrogram") },
  { "beats", N_("Finding the beats") },
  { NULL, NULL }
};

#define HASH_CHUNK (1 << 20)

/**
 * strata_task_hash_file:
 * @path: a file
 * @ctx: the running context (progress "hash", cancel between chunks)
 * @error: return location for an error naming @path
 *
 * Returns: (transfer full) (nullable): the hex SHA-256 of the file's bytes,
 *   read in 1 MiB chunks: the content hash every cache key starts from
 */
char *
strata_task_hash_file (const char *path, const StrataTaskContext *ctx, GError **error)
{
  FILE *f = g_fopen (path, "rb");
  if (f == NULL)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not open “%s”: %s"), path, g_strerror (saved));
      return NULL;
    }
  gint64 total = -1;
  GStatBuf st;
  if (g_stat (path, &st) == 0)
    total = st.st_size;

  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (HASH_CHUNK);
  gint64 done = 0;
  strata_task_progress (ctx, 0.0, "hash");
  for (;;)
    {
      if (strata_task_set_error_if_cancelled (ctx, error))
        {
          fclose (f);
          return NULL;
        }
      size_t n = fread (buf, 1, HASH_CHUNK, f);
      if (n > 0)
        g_checksum_update (sum, buf, (gssize) n);
      done += (gint64) n;
      if (total > 0)
        strata_task_progress (ctx, (double) done / (double) total, "hash");
      if (n < HASH_CHUNK)
        {
          if (ferror (f))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Could not read “%s”: read error"), path);
              fclose (f);
              return NULL;
            }
          break;
        }
    }
  fclose (f);
  return g_strdup (g_checksum_get_string (sum));
}

/* ---- decode ------------------------------------------------------------------ */

static gpointer
decode_compute (gconstpointer input, StrataTaskContext *ctx, GError **error)
{
  strata_task_progress (ctx, 0.0, "decode");
  return strata_audio_decode (input, strata_task_progress_func, ctx,
                              strata_task_context_get_cancellable (ctx), error);
}

const StrataTaskKind strata_decode_task = {
  .name = "decode",
  .version = 1,
  .queue = STRATA_ENGINE_QUEUE_IO,
  .stages = load_stages,
  .compute = decode_compute,
  .free = (GDestroyNotify) strata_audio_unref,
};

/* ---- summaries --------------------------------------------------------------- */

static char *
summary_key (gconstpointer input)
{
  const StrataSummaryInput *in = input;
  return g_strdup (in->hash);
}

/* A summary came back NULL: cancelled, or out of memory. */
static void
set_summary_error (const StrataTaskContext *ctx, GError **error)
{
  if (!strata_task_set_error_if_cancelled (ctx, error))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                         _("Could not summarise the audio: out of memory"));
}

static GBytes *
blob_to_bytes (void *blob, size_t size)
{
  return blob != NULL ? g_bytes_new_with_free_func (blob, size, free, blob) : NULL;
}

static gpointer
damaged (GError **error, const char *message)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, message);
  return NULL;
}

static gpointer
peaks_compute (gconstpointer input, StrataTaskContext *ctx, GError **error)
{
  const StrataSummaryInput *in = input;
  strata_task_progress (ctx, 0.0, "peaks");
  StrataPeaks *peaks = strata_peaks_new (strata_audio_get_samples (in->audio),
                                         strata_audio_get_n_frames (in->audio),
                                         strata_task_progress_func, strata_task_abort_func, ctx);
  if (peaks == NULL)
    set_summary_error (ctx, error);
  return peaks;
}

static GBytes *
peaks_serialize (gconstpointer result)
{
  size_t size = 0;
  void *blob = strata_peaks_serialize (result, &size);
  return blob_to_bytes (blob, size);
}

static gpointer
peaks_deserialize (GBytes *payload, gconstpointer input, GError **error)
{
  const StrataSummaryInput *in = input;
  gsize size;
  const void *blob = g_bytes_get_data (payload, &size);
  StrataPeaks *peaks = strata_peaks_deserialize (blob, size);
  if (peaks != NULL && strata_peaks_get_n_frames (peaks) != strata_audio_get_n_frames (in->audio))
    g_clear_pointer (&peaks, strata_peaks_free);
  return peaks != NULL ? peaks : damaged (error, _("The stored waveform does not fit the audio"));
}

const StrataTaskKind strata_peaks_task = {
  .name = "peaks",
  .version = STRATA_PEAKS_FORMAT_VERSION,
  .queue = STRATA_ENGINE_QUEUE_COMPUTE,
  .stages = load_stages,
  .dup_key = summary_key,
  .compute = peaks_compute,
  .serialize = peaks_serialize,
  .deserialize = peaks_deserialize,
  .free = (GDestroyNotify) strata_peaks_free,
};

static gpointer
specgram_compute (gconstpointer input, StrataTaskContext *ctx, GError **error)
{
  const StrataSummaryInput *in = input;
  strata_task_progress (ctx, 0.0, "spectrogram");
  StrataSpecgram *spec = strata_specgram_new (strata_audio_get_samples (in->audio),
                                              strata_audio_get_n_frames (in->audio),
                                              strata_task_progress_func, strata_task_abort_func,
                                              ctx);
  if (spec == NULL)
    set_summary_error (ctx, error);
  return spec;
}

static GBytes *
specgram_serialize (gconstpointer result)
{
  size_t size = 0;
  void *blob = strata_specgram_serialize (result, &size);
  return blob_to_bytes (blob, size);
}

static gpointer
specgram_deserialize (GBytes *payload, gconstpointer input, GError **error)
{
  const StrataSummaryInput *in = input;
  gsize size;
  const void *blob = g_bytes_get_data (payload, &size);
  StrataSpecgram *spec = strata_specgram_deserialize (blob, size);
  if (spec != NULL && strata_specgram_get_n_frames (spec) !=
                      strata_audio_get_n_frames (in->audio) / STRATA_SPECGRAM_HOP + 1)
    g_clear_pointer (&spec, strata_specgram_free);
  return spec != NULL ? spec : damaged (error, _("The stored spectrogram does not fit the audio"));
}

const StrataTaskKind strata_specgram_task = {
  .name = "specgram",
  .version = STRATA_SPECGRAM_FORMAT_VERSION,
  .queue = STRATA_ENGINE_QUEUE_COMPUTE,
  .stages = load_stages,
  .dup_key = summary_key,
  .compute = specgram_compute,
  .serialize = specgram_serialize,
  .deserialize = specgram_deserialize,
  .free = (GDestroyNotify) strata_specgram_free,
};

/* ---- beats --------------------------------------------------------------------- */

static gpointer
beats_compute (gconstpointer input, StrataTaskContext *ctx, GError **error)
{
  const StrataSummaryInput *in = input;
  strata_task_progress (ctx, 0.0, "beats");
  return strata_beats_estimate_stereo (strata_audio_get_samples (in->audio),
                                       strata_audio_get_n_frames (in->audio),
                                       strata_task_abort_func, ctx, error);
}

static GBytes *
beats_serialize (gconstpointer result)
{
  return strata_beats_to_bytes (result);
}

static gpointer
beats_deserialize (GBytes *payload, gconstpointer input, GError **error)
{
  const StrataSummaryInput *in = input;
  StrataBeats *beats = strata_beats_from_bytes (payload, error);
  double duration = strata_audio_get_duration (in->audio);

  if (beats != NULL && beats->beats->len > 0
      && g_array_index (beats->beats, double, beats->beats->len - 1) > duration + 1.0)
    {
      strata_beats_free (beats);
      return damaged (error, _("The stored beats do not fit the audio"));
    }
  return beats;
}

const StrataTaskKind strata_beats_task = {
  .name = "beats",
  .version = 1,
  .queue = STRATA_ENGINE_QUEUE_COMPUTE,
  .stages = load_stages,
  .dup_key = summary_key,
  .compute = beats_compute,
  .serialize = beats_serialize,
  .deserialize = beats_deserialize,
  .free = (GDestroyNotify) strata_beats_free,
};

/* ---- the load ------------------------------------------------------------------ */

static gpointer
load_compute (gconstpointer input, StrataTaskContext *ctx, GError **error)
{
  const char *path = input;
  StrataTaskContext sub;

  strata_task_context_span (&sub, ctx, 0.0, 0.05);
  g_autofree char *hash = strata_task_hash_file (path, &sub, error);
  if (hash == NULL)
    return NULL;

  StrataAudioInfo info = { 0 };
  if (!strata_audio_probe (path, &info, error))
    return NULL;

  strata_task_context_span (&sub, ctx, 0.05, 0.70);
  g_autoptr (StrataAudio) audio = strata_task_run (&strata_decode_task, path, &sub, error);
  if (audio == NULL)
    {
      strata_audio_info_clear (&info);
      return NULL;
    }

  /* The summaries' cache entries are written when this run succeeds, so a
   * load cancelled on the way leaves none behind. */
  StrataSummaryInput summary = { hash, audio };
  strata_task_context_span (&sub, ctx, 0.70, 0.73);
  StrataPeaks *peaks = strata_task_run (&strata_peaks_task, &summary, &sub, error);
  if (peaks == NULL)
    {
      strata_audio_info_clear (&info);
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  strata_task_context_span (&sub, ctx, 0.73, 0.95);
  StrataSpecgram *spec = strata_task_run (&strata_specgram_task, &summary, &sub, error);
  if (spec == NULL)
    {
      strata_peaks_free (peaks);
      strata_audio_info_clear (&info);
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }

  /* The beat grid is an aid: a failure other than a cancel leaves the
   * track without one. */
  strata_task_context_span (&sub, ctx, 0.95, 1.0);
  g_autoptr (GError) beats_error = NULL;
  StrataBeats *beats = strata_task_run (&strata_beats_task, &summary, &sub, &beats_error);
  if (beats == NULL && strata_task_set_error_if_cancelled (ctx, error))
    {
      strata_specgram_free (spec);
      strata_peaks_free (peaks);
      strata_audio_info_clear (&info);
      return NULL;
    }
  if (beats == NULL)
    g_warning ("%s: no beat grid: %s", path, beats_error->message);

  StrataTrack *track = strata_track_new (path, &info, hash, audio, peaks, spec);
  strata_track_set_beats (track, beats);
  strata_audio_info_clear (&info);
  return track;
}

const StrataTaskKind strata_track_load_task = {
  .name = "load",
  .version = 1,
  .queue = STRATA_ENGINE_QUEUE_IO,
  .stages = load_stages,
  .compute = load_compute,
  .free = (GDestroyNotify) strata_track_unref,
};

/**
 * strata_track_load_async:
 * @engine: the engine
 * @path: the file to open
 * @cancellable: (nullable): cancels the load
 * @callback: called on the caller's thread-default context when done
 * @user_data: for @callback
 *
 * Runs %strata_track_load_task on the engine's I/O queue: hashes, probes
 * and decodes @path and computes (or reads from the cache) its waveform
 * peaks and spectrogram.
 */
void
strata_track_load_async (StrataEngine *engine, const char *path, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (path != NULL);
  strata_task_run_async (engine, &strata_track_load_task, g_strdup (path), g_free, cancellable,
                         callback, user_data);
}

/**
 * strata_track_load_finish:
 * @engine: the engine
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the track, or NULL with @error set
 */
StrataTrack *
strata_track_load_finish (StrataEngine *engine, GAsyncResult *result, GError **error)
{
  return strata_task_run_finish (engine, result, error);
}
