/* strata-engine.h: the background engine, a plain job runner that knows no
 * task. It owns two worker threads, each with its own queue: the compute
 * queue (the process's one BLAS user: feature extraction, model heads) and
 * the I/O queue (hashing, probing, decoding, loading weights). Results and
 * progress are delivered on the thread-default main context of the caller
 * that started the job (the GTK main thread in the app). The caller never
 * waits on a job. The tasks (core/tasks/) run on it through
 * strata_task_run_async().
 *
 * Threading contract: a StrataEngine is created and used from one thread
 * (the main thread); its properties and signals are emitted there only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "strata-types.h"

G_BEGIN_DECLS

#define STRATA_TYPE_ENGINE (strata_engine_get_type ())
G_DECLARE_FINAL_TYPE (StrataEngine, strata_engine, STRATA, ENGINE, GObject)

/**
 * StrataEngineQueue:
 * @STRATA_ENGINE_QUEUE_COMPUTE: the compute thread, the one BLAS user
 * @STRATA_ENGINE_QUEUE_IO: the I/O thread (read, decode, load)
 *
 * Jobs on one queue run one after another; the two queues run side by side.
 */
typedef enum {
  STRATA_ENGINE_QUEUE_COMPUTE,
  STRATA_ENGINE_QUEUE_IO,
} StrataEngineQueue;

#define STRATA_TYPE_JOB_INFO (strata_job_info_get_type ())
G_DECLARE_FINAL_TYPE (StrataJobInfo, strata_job_info, STRATA, JOB_INFO, GObject)

/* @cache_dir: (nullable): where results are cached; NULL means
 * $XDG_CACHE_HOME/strata. */
StrataEngine *strata_engine_new            (const char *cache_dir);
const char   *strata_engine_get_cache_dir  (StrataEngine *self);

/* Properties, for binding a progress bar:
 *   "busy"     gboolean  a job is queued or running
 *   "fraction" double    0..1 of the job shown: the newest running one (the
 *                        newest queued one while none runs)
 *   "stage"    string    that job's untranslated stage name ("decode");
 *                        strata_task_stage_text() gives its text
 * Every job's own progress: strata_engine_get_jobs().
 */
gboolean      strata_engine_get_busy       (StrataEngine *self);
double        strata_engine_get_fraction   (StrataEngine *self);
const char   *strata_engine_get_stage      (StrataEngine *self);

/* (transfer none): a GListModel of StrataJobInfo, the queued and running
 * jobs in submission order (main thread only). */
GListModel   *strata_engine_get_jobs       (StrataEngine *self);

/* A job as the main thread sees it; properties "kind" (string), "queue"
 * (int, StrataEngineQueue), "running" (gboolean), "fraction" (double) and
 * "stage" (untranslated name), notified on the main thread. */
const char   *strata_job_info_get_kind     (StrataJobInfo *info);
StrataEngineQueue strata_job_info_get_queue (StrataJobInfo *info);
gboolean      strata_job_info_get_running  (StrataJobInfo *info);
double        strata_job_info_get_fraction (StrataJobInfo *info);
const char   *strata_job_info_get_stage    (StrataJobInfo *info);

/* Cancels every running and queued job; each finishes with
 * G_IO_ERROR_CANCELLED within 200 ms. */
void          strata_engine_cancel_all     (StrataEngine *self);

/* Shutdown (Clapper's order): stops accepting jobs (later ones fail with
 * G_IO_ERROR_CLOSED), cancels every job, and joins the worker threads (each
 * stops within one chunk of work). Idempotent; dispose calls it. Call it at
 * application exit, since running jobs keep the engine alive. The callbacks
 * of the cancelled jobs still arrive on their contexts. */
void          strata_engine_shutdown       (StrataEngine *self);

/* A job: @func runs on the worker of @queue; it reports with
 * strata_job_progress() and checks strata_job_is_cancelled() between steps;
 * it returns a result (freed with @result_free if never collected) or NULL
 * with @error set. */
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
/* The engine the job runs on; its cache folder may be read from the
 * worker. (transfer none) */
StrataEngine *strata_job_get_engine      (StrataJob *job);

void     strata_engine_run_on_async    (StrataEngine        *self,
                                        StrataEngineQueue    queue,
                                        const char          *kind,
                                        StrataJobFunc        func,
                                        gpointer             job_data,
                                        GDestroyNotify       job_data_free,
                                        GDestroyNotify       result_free,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
/* strata_engine_run_on_async() on the compute queue. */
void     strata_engine_run_async       (StrataEngine        *self,
                                        const char          *kind,
                                        StrataJobFunc        func,
                                        gpointer             job_data,
                                        GDestroyNotify       job_data_free,
                                        GDestroyNotify       result_free,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
/* Finishes either. */
gpointer strata_engine_run_finish      (StrataEngine        *self,
                                        GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
