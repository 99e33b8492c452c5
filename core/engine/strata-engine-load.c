/* strata-engine-load.c: the load job: content hash, probe, decode, summaries
 * (through the cache).
 *
 * Progress of the whole job: hash 0-5 %, decode 5-70 %, peaks 70-73 %,
 * spectrogram 73-100 %.
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
#include "engine/strata-engine-private.h"

typedef struct {
  StrataEngine *engine;   /* not owned: the job's GTask keeps it alive */
  char *path;
} LoadData;

gpointer
_strata_engine_load_data_new (StrataEngine *engine, const char *path)
{
  LoadData *data = g_new0 (LoadData, 1);
  data->engine = engine;
  data->path = g_strdup (path);
  return data;
}

void
_strata_engine_load_data_free (gpointer p)
{
  LoadData *data = p;
  g_free (data->path);
  g_free (data);
}

/* Maps a sub-step's 0..1 onto [lo, hi] of the job. */
typedef struct {
  StrataJob *job;
  double lo, hi;
} Span;

static void
span_progress (double fraction, const char *stage, void *user_data)
{
  Span *span = user_data;
  strata_job_progress (span->job, span->lo + (span->hi - span->lo) * fraction, stage);
}

static bool
span_abort (void *user_data)
{
  Span *span = user_data;
  return strata_job_is_cancelled (span->job);
}

#define HASH_CHUNK (1 << 20)

/* Hex SHA-256 of the file's bytes, read in 1 MiB chunks, cancellable
 * between chunks. */
static char *
hash_file (StrataJob *job, const char *path, Span *span, GError **error)
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
  for (;;)
    {
      if (g_cancellable_set_error_if_cancelled (strata_job_get_cancellable (job), error))
        {
          fclose (f);
          return NULL;
        }
      size_t n = fread (buf, 1, HASH_CHUNK, f);
      if (n > 0)
        g_checksum_update (sum, buf, (gssize) n);
      done += (gint64) n;
      if (total > 0)
        span_progress ((double) done / (double) total, "hash", span);
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

/* One kind of summary, seen through void pointers so that the cache logic
 * exists once. */
typedef struct {
  const char *kind;
  int version;
  /* The object from a cache blob, or NULL when it is malformed or does not
   * describe @n_frames frames of audio. */
  void *(*from_blob) (const void *blob, size_t size, gint64 n_frames);
  void *(*compute) (StrataAudio *audio, Span *span);
  void *(*to_blob) (const void *obj, size_t *size);
  void (*free) (void *obj);
} SummaryKind;

static void *
peaks_from_blob (const void *blob, size_t size, gint64 n_frames)
{
  StrataPeaks *peaks = strata_peaks_deserialize (blob, size);
  if (peaks != NULL && strata_peaks_get_n_frames (peaks) != n_frames)
    g_clear_pointer (&peaks, strata_peaks_free);
  return peaks;
}

static void *
peaks_compute (StrataAudio *audio, Span *span)
{
  return strata_peaks_new (strata_audio_get_samples (audio), strata_audio_get_n_frames (audio),
                           span_progress, span_abort, span);
}

static void *
peaks_to_blob (const void *obj, size_t *size)
{
  return strata_peaks_serialize (obj, size);
}

static void
peaks_free (void *obj)
{
  strata_peaks_free (obj);
}

static void *
specgram_from_blob (const void *blob, size_t size, gint64 n_frames)
{
  StrataSpecgram *spec = strata_specgram_deserialize (blob, size);
  if (spec != NULL && strata_specgram_get_n_frames (spec) != n_frames / STRATA_SPECGRAM_HOP + 1)
    g_clear_pointer (&spec, strata_specgram_free);
  return spec;
}

static void *
specgram_compute (StrataAudio *audio, Span *span)
{
  return strata_specgram_new (strata_audio_get_samples (audio),
                              strata_audio_get_n_frames (audio), span_progress, span_abort,
                              span);
}

static void *
specgram_to_blob (const void *obj, size_t *size)
{
  return strata_specgram_serialize (obj, size);
}

static void
specgram_free (void *obj)
{
  strata_specgram_free (obj);
}

static const SummaryKind peaks_kind = {
  "peaks", STRATA_PEAKS_FORMAT_VERSION, peaks_from_blob, peaks_compute, peaks_to_blob,
  peaks_free,
};

static const SummaryKind specgram_kind = {
  "specgram", STRATA_SPECGRAM_FORMAT_VERSION, specgram_from_blob, specgram_compute,
  specgram_to_blob, specgram_free,
};

/* From the cache when a valid entry fits, else computed (*@computed set).
 * NULL when cancelled or out of memory. */
static void *
load_summary (LoadData *data, const SummaryKind *kind, const char *hash, StrataAudio *audio,
              Span *span, gboolean *computed)
{
  g_autoptr (GBytes) cached = strata_engine_cache_lookup (data->engine, hash, kind->kind,
                                                          kind->version);
  if (cached != NULL)
    {
      gsize size;
      const void *blob = g_bytes_get_data (cached, &size);
      void *obj = kind->from_blob (blob, size, strata_audio_get_n_frames (audio));
      if (obj != NULL)
        return obj;
      g_debug ("cache: %s entry for %s does not fit; recomputing", kind->kind, data->path);
    }
  *computed = TRUE;
  return kind->compute (audio, span);
}

/* Writes a computed summary to the cache; a failure only costs time later. */
static void
store_summary (LoadData *data, const SummaryKind *kind, const char *hash, const void *obj)
{
  size_t size = 0;
  void *blob = kind->to_blob (obj, &size);
  if (blob == NULL)
    return;
  g_autoptr (GBytes) bytes = g_bytes_new_with_free_func (blob, size, free, blob);
  g_autoptr (GError) error = NULL;
  if (!strata_engine_cache_store (data->engine, hash, kind->kind, kind->version, bytes, &error))
    g_debug ("cache: %s", error->message);
}

/* A summary came back NULL: cancelled, or out of memory. */
static void
set_summary_error (StrataJob *job, const char *path, GError **error)
{
  if (!g_cancellable_set_error_if_cancelled (strata_job_get_cancellable (job), error))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _("Could not summarise “%s”: out of memory"), path);
}

gpointer
_strata_engine_load_job (StrataJob *job, gpointer job_data, GError **error)
{
  LoadData *data = job_data;

  Span span = { job, 0.0, 0.05 };
  strata_job_progress (job, 0.0, "hash");
  g_autofree char *hash = hash_file (job, data->path, &span, error);
  if (hash == NULL)
    return NULL;

  StrataAudioInfo info = { 0 };
  if (!strata_audio_probe (data->path, &info, error))
    return NULL;

  span = (Span) { job, 0.05, 0.70 };
  strata_job_progress (job, 0.05, "decode");
  g_autoptr (StrataAudio) audio = strata_audio_decode (data->path, span_progress, &span,
                                                       strata_job_get_cancellable (job),
                                                       error);
  if (audio == NULL)
    {
      strata_audio_info_clear (&info);
      return NULL;
    }

  /* Both summaries first, then the cache writes: a job cancelled on the way
   * leaves no entry behind. */
  gboolean peaks_computed = FALSE, spec_computed = FALSE;
  span = (Span) { job, 0.70, 0.73 };
  StrataPeaks *peaks = load_summary (data, &peaks_kind, hash, audio, &span, &peaks_computed);
  if (peaks == NULL)
    {
      strata_audio_info_clear (&info);
      set_summary_error (job, data->path, error);
      return NULL;
    }
  span = (Span) { job, 0.73, 1.0 };
  StrataSpecgram *spec = load_summary (data, &specgram_kind, hash, audio, &span,
                                       &spec_computed);
  if (spec == NULL)
    {
      strata_peaks_free (peaks);
      strata_audio_info_clear (&info);
      set_summary_error (job, data->path, error);
      return NULL;
    }
  if (strata_job_is_cancelled (job))
    {
      strata_peaks_free (peaks);
      strata_specgram_free (spec);
      strata_audio_info_clear (&info);
      g_cancellable_set_error_if_cancelled (strata_job_get_cancellable (job), error);
      return NULL;
    }
  if (peaks_computed)
    store_summary (data, &peaks_kind, hash, peaks);
  if (spec_computed)
    store_summary (data, &specgram_kind, hash, spec);
  strata_job_progress (job, 1.0, NULL);

  StrataTrack *track = strata_track_new (data->path, &info, hash, audio, peaks, spec);
  strata_audio_info_clear (&info);
  return track;
}
