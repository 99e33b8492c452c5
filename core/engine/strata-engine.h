/* strata-engine.h: the background engine. Jobs (decode, spectrogram, and
 * later the model's jobs) run on worker threads owned by the engine; results
 * and progress are delivered on the thread-default main context of the caller
 * that started the job (the GTK main thread in the app). The caller never
 * waits on a job.
 *
 * Threading contract: a StrataEngine is created and used from one thread
 * (the main thread); its properties and signals are emitted there only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "strata-types.h"
#include "engine/strata-track.h"

G_BEGIN_DECLS

#define STRATA_TYPE_ENGINE (strata_engine_get_type ())
G_DECLARE_FINAL_TYPE (StrataEngine, strata_engine, STRATA, ENGINE, GObject)

/* @cache_dir: (nullable): where results are cached; NULL means
 * $XDG_CACHE_HOME/strata. */
StrataEngine *strata_engine_new            (const char *cache_dir);
const char   *strata_engine_get_cache_dir  (StrataEngine *self);

/* Properties, for binding a progress bar:
 *   "busy"     gboolean  a job is running
 *   "fraction" double    0..1 of the current job
 *   "stage"    string    short translated stage text ("Decoding", ...)
 */
gboolean      strata_engine_get_busy       (StrataEngine *self);
double        strata_engine_get_fraction   (StrataEngine *self);
const char   *strata_engine_get_stage      (StrataEngine *self);

/* Cancels every running and queued job; each finishes with
 * G_IO_ERROR_CANCELLED within 200 ms. */
void          strata_engine_cancel_all     (StrataEngine *self);

/* Shutdown (Clapper's order): stops accepting jobs (later ones fail with
 * G_IO_ERROR_CLOSED), cancels every job, and joins the worker threads (each
 * stops within one chunk of work). Idempotent; dispose calls it. Call it at
 * application exit, since running jobs keep the engine alive. The callbacks
 * of the cancelled jobs still arrive on their contexts. */
void          strata_engine_shutdown       (StrataEngine *self);

/* Opens a file: decode, content hash, waveform peaks and spectrogram
 * (the summaries come from the cache when present). */
void          strata_engine_load_async     (StrataEngine        *self,
                                            const char          *path,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
StrataTrack  *strata_engine_load_finish    (StrataEngine        *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Generic job, for later analysis kinds (features, transcription, ...).
 * @func runs on a worker thread; it reports with strata_job_progress() and
 * checks strata_job_is_cancelled() between steps; it returns a result
 * (freed with @result_free if never collected) or NULL with @error set. */
typedef struct _StrataJob StrataJob;
typedef gpointer (*StrataJobFunc) (StrataJob *job, gpointer job_data, GError **error);

void     strata_job_progress           (StrataJob *job, double fraction, const char *stage);
gboolean strata_job_is_cancelled       (StrataJob *job);
/* The job's cancel check as a plain-C abort callback (for dsp/nn code):
 * pass strata_job_abort_func with the job as user data. */
bool     strata_job_abort_func         (void *job);
void     strata_job_progress_func      (double fraction, const char *stage, void *job);
/* The job's cancellable (fires on the caller's cancellable, on
 * strata_engine_cancel_all() and on engine shutdown), to hand to GIO-style
 * calls such as strata_audio_decode(). (transfer none) */
GCancellable *strata_job_get_cancellable (StrataJob *job);

void     strata_engine_run_async       (StrataEngine        *self,
                                        const char          *kind,
                                        StrataJobFunc        func,
                                        gpointer             job_data,
                                        GDestroyNotify       job_data_free,
                                        GDestroyNotify       result_free,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gpointer strata_engine_run_finish      (StrataEngine        *self,
                                        GAsyncResult        *result,
                                        GError             **error);

/* Cache: blobs keyed by content hash + job kind + version. Reads verify a
 * header and checksum (a corrupt entry reads as absent); writes are atomic.
 * Safe from any thread. */
GBytes  *strata_engine_cache_lookup    (StrataEngine *self, const char *hash,
                                        const char *kind, int version);
gboolean strata_engine_cache_store     (StrataEngine *self, const char *hash,
                                        const char *kind, int version,
                                        GBytes *data, GError **error);
/* Path of the entry (whether or not it exists); for tests. (transfer full) */
char    *strata_engine_cache_path      (StrataEngine *self, const char *hash,
                                        const char *kind, int version);

G_END_DECLS
