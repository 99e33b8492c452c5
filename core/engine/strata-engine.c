/* strata-engine.c: the background engine: worker threads, jobs, coalesced
 * progress, cancellation.
 *
 * How a job travels (StrataJob):
 *   strata_engine_run_on_async (main thread) creates the job and its GTask on
 *   the caller's thread-default context and pushes it on its queue's
 *   GAsyncQueue. That queue's one GThread pops it, runs the job function and
 *   returns the GTask; GTask delivers job_task_done() on the caller's context,
 *   which updates the engine's properties and calls the caller back.
 * A job's state goes QUEUED -> RUNNING -> DONE, or QUEUED -> DONE when it is
 *   cancelled before a worker took it (then it is returned from an idle on
 *   the task's context, so it finishes quickly even when both workers are
 *   busy). Compare-and-swap decides who returns the task.
 * Progress: workers store the latest value under the job's lock and attach at
 *   most one dispatch source to the task's context, no sooner than 1/30 s
 *   after the previous dispatch. The dispatch updates the job's
 *   StrataJobInfo, and the engine's summary when the job is the one shown.
 * References: the queue, the GTask callback, each pending source and the
 *   cancellable handler each hold a job reference. The job holds the GTask,
 *   and the GTask the engine; the last GTask reference is always dropped on
 *   the task's context, so the engine is never finalised on a worker.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "engine/strata-engine.h"
#include "engine/strata-engine-private.h"

enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct _StrataJob
{
  gatomicrefcount ref;
  StrataEngine *engine;          /* not owned: the GTask holds it */
  GTask *task;                   /* owned */
  GCancellable *cancellable;     /* owned: the task's cancellable */
  GCancellable *user_cancellable;
  gulong user_handler;
  gulong own_handler;
  char *kind;
  StrataEngineQueue queue;
  StrataJobInfo *info;           /* main context only */
  StrataJobFunc func;
  gpointer job_data;
  GDestroyNotify job_data_free;
  GDestroyNotify result_free;
  GAsyncReadyCallback callback;
  gpointer user_data;
  int state;                     /* atomic: JOB_* */

  GMutex lock;                   /* guards the next five */
  gboolean started;
  double fraction;
  char stage[64];
  gboolean dispatch_pending;
  gint64 last_dispatch;

  /* Main context only. */
  gboolean finished;
};

struct _StrataEngine
{
  GObject parent_instance;

  char *cache_dir;
  /* StrataJob * (one ref each) or &quit_marker, one a queue. */
  GAsyncQueue *queues[STRATA_ENGINE_N_QUEUES];
  GThread *workers[STRATA_ENGINE_N_QUEUES];

  /* Main thread only. */
  GList *jobs;                   /* queued + running, in submission order (refs) */
  GListStore *infos;             /* their StrataJobInfo, in the same order */
  gboolean busy;
  double fraction;
  char *stage;
  gboolean shut_down;
};

G_DEFINE_FINAL_TYPE (StrataEngine, strata_engine, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CACHE_DIR,
  PROP_BUSY,
  PROP_FRACTION,
  PROP_STAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
static char quit_marker;

/* ---- jobs ------------------------------------------------------------------ */

static StrataJob *
job_ref (StrataJob *job)
{
  g_atomic_ref_count_inc (&job->ref);
  return job;
}

static gboolean
idle_nothing (gpointer data)
{
  return G_SOURCE_REMOVE;
}

/* Drops @obj on @context: immediately when this thread runs it, otherwise
 * from an idle there. */
static void
unref_on_context (GMainContext *context, gpointer obj)
{
  if (g_main_context_is_owner (context))
    {
      g_object_unref (obj);
      return;
    }
  GSource *source = g_idle_source_new ();
  g_source_set_callback (source, idle_nothing, obj, g_object_unref);
  g_source_set_static_name (source, "[strata] unref task");
  g_source_attach (source, context);
  g_source_unref (source);
}

static void
job_unref (gpointer data)
{
  StrataJob *job = data;
  if (!g_atomic_ref_count_dec (&job->ref))
    return;
  if (job->job_data_free != NULL && job->job_data != NULL)
    job->job_data_free (job->job_data);
  g_clear_object (&job->user_cancellable);
  g_clear_object (&job->cancellable);
  g_free (job->kind);
  g_mutex_clear (&job->lock);
  GTask *task = g_steal_pointer (&job->task);
  GMainContext *context = g_task_get_context (task);
  if (job->info != NULL)
    unref_on_context (context, job->info);
  g_free (job);
  unref_on_context (context, task);
}

/**
 * strata_job_get_cancellable:
 * @job: the running job
 *
 * Returns: (transfer none): the job's cancellable
 */
GCancellable *
strata_job_get_cancellable (StrataJob *job)
{
  g_return_val_if_fail (job != NULL, NULL);
  return job->cancellable;
}

/**
 * strata_job_get_engine:
 * @job: the running job
 *
 * Returns: (transfer none): the engine running @job (alive while it runs)
 */
StrataEngine *
strata_job_get_engine (StrataJob *job)
{
  g_return_val_if_fail (job != NULL, NULL);
  return job->engine;
}

/**
 * strata_job_is_cancelled:
 * @job: the running job
 *
 * Returns: whether the job must stop (call from the job function, any thread)
 */
gboolean
strata_job_is_cancelled (StrataJob *job)
{
  g_return_val_if_fail (job != NULL, TRUE);
  return g_cancellable_is_cancelled (job->cancellable);
}

/**
 * strata_job_abort_func:
 * @job: (type StrataJob): the running job
 *
 * A #StrataAbortFunc for plain-C code: true once the job is cancelled.
 */
bool
strata_job_abort_func (void *job)
{
  return strata_job_is_cancelled (job);
}

/**
 * strata_job_progress_func:
 * @fraction: 0..1
 * @stage: (nullable): untranslated stage name
 * @job: (type StrataJob): the running job
 *
 * A #StrataProgressFunc forwarding to strata_job_progress().
 */
void
strata_job_progress_func (double fraction, const char *stage, void *job)
{
  strata_job_progress (job, fraction, stage);
}

static void
engine_set_state (StrataEngine *self, gboolean busy, double fraction, const char *stage)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->busy != busy)
    {
      self->busy = busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
  if (self->fraction != fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  if (g_strcmp0 (self->stage, stage) != 0)
    {
      g_free (self->stage);
      self->stage = g_strdup (stage);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAGE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* The job the summary shows: the newest running one, else the newest
 * queued one, so a job started later never hides behind an older one that
 * waits, and the fraction and stage always come from one job. */
static StrataJob *
engine_shown_job (StrataEngine *self)
{
  StrataJob *shown = NULL;
  for (GList *l = self->jobs; l != NULL; l = l->next)
    {
      StrataJob *job = l->data;
      if (shown == NULL || strata_job_info_get_running (job->info) ||
          !strata_job_info_get_running (shown->info))
        shown = job;
    }
  return shown;
}

/* When no job is left, busy goes FALSE and fraction keeps its last value
 * until the next job starts. */
static void
engine_update (StrataEngine *self)
{
  StrataJob *shown = engine_shown_job (self);
  if (shown == NULL)
    {
      engine_set_state (self, FALSE, self->fraction, "");
      return;
    }
  engine_set_state (self, TRUE, strata_job_info_get_fraction (shown->info),
                    strata_job_info_get_stage (shown->info));
}

static gboolean
progress_dispatch (gpointer data)
{
  StrataJob *job = data;
  g_mutex_lock (&job->lock);
  gboolean started = job->started;
  double fraction = job->fraction;
  char stage[sizeof job->stage];
  memcpy (stage, job->stage, sizeof stage);
  job->dispatch_pending = FALSE;
  job->last_dispatch = g_get_monotonic_time ();
  g_mutex_unlock (&job->lock);

  if (job->finished)
    return G_SOURCE_REMOVE;
  _strata_job_info_update (job->info, started, fraction, stage);
  engine_update (job->engine);
  return G_SOURCE_REMOVE;
}

/**
 * strata_job_progress:
 * @job: the running job
 * @fraction: 0..1 of the whole job; never goes backwards (smaller values
 *   are raised to the last one)
 * @stage: (nullable): short untranslated stage name; NULL keeps the last
 *
 * Records progress; callable from any thread, as often as wanted: the
 * engine forwards the latest value to the main context at most 30 times a
 * second.
 */
static void job_record (StrataJob *job, double fraction, const char *stage);

void
strata_job_progress (StrataJob *job, double fraction, const char *stage)
{
  g_return_if_fail (job != NULL);
  if (!(fraction >= 0.0))
    fraction = 0.0;
  if (fraction > 1.0)
    fraction = 1.0;
  job_record (job, fraction, stage);
}

/* Records progress (or only the start when @fraction < 0) and schedules
 * one dispatch. */
static void
job_record (StrataJob *job, double fraction, const char *stage)
{
  g_mutex_lock (&job->lock);
  job->started = TRUE;
  if (fraction > job->fraction)
    job->fraction = fraction;
  if (stage != NULL)
    g_strlcpy (job->stage, stage, sizeof job->stage);
  if (!job->dispatch_pending)
    {
      job->dispatch_pending = TRUE;
      gint64 wait_us = job->last_dispatch + STRATA_ENGINE_PROGRESS_INTERVAL_US -
                       g_get_monotonic_time ();
      GSource *source = wait_us > 0
                        ? g_timeout_source_new ((guint) ((wait_us + 999) / 1000))
                        : g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, progress_dispatch, job_ref (job), job_unref);
      g_source_set_static_name (source, "[strata] job progress");
      g_source_attach (source, g_task_get_context (job->task));
      g_source_unref (source);
    }
  g_mutex_unlock (&job->lock);
}

/* On the task's context, for a job cancelled while still queued. */
static gboolean
cancel_queued_idle (gpointer data)
{
  StrataJob *job = data;
  if (g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_DONE))
    g_task_return_new_error (job->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The job “%s” was cancelled"), job->kind);
  return G_SOURCE_REMOVE;
}

/* Runs in whichever thread cancelled; only schedules. */
static void
on_job_cancelled (GCancellable *cancellable, gpointer data)
{
  StrataJob *job = data;
  if (g_atomic_int_get (&job->state) != JOB_QUEUED)
    return;   /* running: the job function notices; done: nothing to do */
  GSource *source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, cancel_queued_idle, job_ref (job), job_unref);
  g_source_set_static_name (source, "[strata] cancel queued job");
  g_source_attach (source, g_task_get_context (job->task));
  g_source_unref (source);
}

static void
on_user_cancelled (GCancellable *cancellable, gpointer own)
{
  g_cancellable_cancel (own);
}

/* The GTask's callback, on the caller's context. */
static void
job_task_done (GObject *source, GAsyncResult *result, gpointer data)
{
  StrataJob *job = data;
  StrataEngine *self = job->engine;

  if (job->user_cancellable != NULL)
    g_cancellable_disconnect (job->user_cancellable, job->user_handler);
  g_cancellable_disconnect (job->cancellable, job->own_handler);
  job->user_handler = job->own_handler = 0;

  job->finished = TRUE;
  GList *link = g_list_find (self->jobs, job);
  if (link != NULL)
    {
      gboolean was_shown = engine_shown_job (self) == job;
      guint position;
      if (g_list_store_find (self->infos, job->info, &position))
        g_list_store_remove (self->infos, position);
      self->jobs = g_list_delete_link (self->jobs, link);
      if (was_shown && g_task_had_error (G_TASK (result)) == FALSE)
        engine_set_state (self, TRUE, 1.0, self->stage);
      engine_update (self);
      job_unref (job);   /* the list's reference */
    }

  if (job->callback != NULL)
    job->callback (source, result, job->user_data);
  job_unref (job);       /* the callback's reference */
}

static gpointer
worker_main (gpointer data)
{
  GAsyncQueue *queue = data;
  for (;;)
    {
      gpointer item = g_async_queue_pop (queue);
      if (item == &quit_marker)
        break;
      StrataJob *job = item;
      if (!g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_RUNNING))
        {
          job_unref (job);   /* cancelled while queued: already returned */
          continue;
        }

      job_record (job, -1.0, NULL);   /* the job info shows it running */
      GError *error = NULL;
      gpointer result = NULL;
      if (!g_cancellable_is_cancelled (job->cancellable))
        result = job->func (job, job->job_data, &error);
      g_atomic_int_set (&job->state, JOB_DONE);

      GError *cancel_error = NULL;
      if (g_cancellable_set_error_if_cancelled (job->cancellable, &cancel_error))
        {
          if (result != NULL && job->result_free != NULL)
            job->result_free (result);
          result = NULL;
          g_clear_error (&error);
          error = cancel_error;
        }
      if (result != NULL)
        {
          g_clear_error (&error);
          g_task_return_pointer (job->task, result, job->result_free);
        }
      else
        {
          if (error == NULL)
            error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                 _("The job “%s” failed without a reason"), job->kind);
          g_task_return_error (job->task, error);
        }
      job_unref (job);   /* the queue's reference */
    }
  g_async_queue_unref (queue);
  return NULL;
}

/* ---- the engine -------------------------------------------------------------- */

/**
 * strata_engine_shutdown:
 * @self: the engine
 *
 * Stops accepting jobs, cancels all, joins the workers. Idempotent.
 */
void
strata_engine_shutdown (StrataEngine *self)
{
  g_return_if_fail (STRATA_IS_ENGINE (self));
  self->shut_down = TRUE;
  strata_engine_cancel_all (self);
  if (self->queues[0] != NULL)
    {
      for (int i = 0; i < STRATA_ENGINE_N_QUEUES; i++)
        g_async_queue_push_front (self->queues[i], &quit_marker);
      for (int i = 0; i < STRATA_ENGINE_N_QUEUES; i++)
        {
          GThread *thread = g_steal_pointer (&self->workers[i]);
          if (thread == NULL)
            continue;
          if (thread == g_thread_self ())
            g_thread_unref (thread);
          else
            g_thread_join (thread);
        }
      /* Jobs still queued were cancelled above; drop the queues' refs. */
      for (int i = 0; i < STRATA_ENGINE_N_QUEUES; i++)
        {
          gpointer item;
          while ((item = g_async_queue_try_pop (self->queues[i])) != NULL)
            if (item != &quit_marker)
              job_unref (item);
          g_clear_pointer (&self->queues[i], g_async_queue_unref);
        }
    }
}

static void
strata_engine_dispose (GObject *object)
{
  StrataEngine *self = STRATA_ENGINE (object);

  strata_engine_shutdown (self);
  g_list_free_full (g_steal_pointer (&self->jobs), job_unref);
  if (self->infos != NULL)
    g_list_store_remove_all (self->infos);

  G_OBJECT_CLASS (strata_engine_parent_class)->dispose (object);
}

static void
strata_engine_finalize (GObject *object)
{
  StrataEngine *self = STRATA_ENGINE (object);
  g_free (self->cache_dir);
  g_free (self->stage);
  g_clear_object (&self->infos);
  G_OBJECT_CLASS (strata_engine_parent_class)->finalize (object);
}

static void
strata_engine_constructed (GObject *object)
{
  StrataEngine *self = STRATA_ENGINE (object);
  G_OBJECT_CLASS (strata_engine_parent_class)->constructed (object);

  if (self->cache_dir == NULL)
    self->cache_dir = g_build_filename (g_get_user_cache_dir (), "strata", NULL);
  static const char *const names[STRATA_ENGINE_N_QUEUES] = {
    [STRATA_ENGINE_QUEUE_COMPUTE] = "strata-compute",
    [STRATA_ENGINE_QUEUE_IO] = "strata-io",
  };
  for (int i = 0; i < STRATA_ENGINE_N_QUEUES; i++)
    {
      self->queues[i] = g_async_queue_new ();
      self->workers[i] = g_thread_new (names[i], worker_main,
                                       g_async_queue_ref (self->queues[i]));
    }
}

static void
strata_engine_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StrataEngine *self = STRATA_ENGINE (object);
  switch (prop_id)
    {
    case PROP_CACHE_DIR:
      g_value_set_string (value, self->cache_dir);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_STAGE:
      g_value_set_string (value, self->stage);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_engine_set_property (GObject *object, guint prop_id, const GValue *value,
                            GParamSpec *pspec)
{
  StrataEngine *self = STRATA_ENGINE (object);
  switch (prop_id)
    {
    case PROP_CACHE_DIR:
      g_free (self->cache_dir);
      self->cache_dir = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_engine_class_init (StrataEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = strata_engine_constructed;
  object_class->dispose = strata_engine_dispose;
  object_class->finalize = strata_engine_finalize;
  object_class->get_property = strata_engine_get_property;
  object_class->set_property = strata_engine_set_property;

  properties[PROP_CACHE_DIR] =
    g_param_spec_string ("cache-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STAGE] =
    g_param_spec_string ("stage", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
strata_engine_init (StrataEngine *self)
{
  self->stage = g_strdup ("");
  self->infos = g_list_store_new (STRATA_TYPE_JOB_INFO);
}

/**
 * strata_engine_new:
 * @cache_dir: (nullable): cache folder; NULL for $XDG_CACHE_HOME/strata
 *
 * Starts the engine and its worker threads. Use it from one thread (the main
 * thread); dropping the last reference cancels every job and joins the
 * workers.
 *
 * Returns: (transfer full): a new engine
 */
StrataEngine *
strata_engine_new (const char *cache_dir)
{
  return g_object_new (STRATA_TYPE_ENGINE, "cache-dir", cache_dir, NULL);
}

/**
 * strata_engine_get_cache_dir:
 * @self: the engine
 *
 * Returns: (transfer none): the cache folder
 */
const char *
strata_engine_get_cache_dir (StrataEngine *self)
{
  g_return_val_if_fail (STRATA_IS_ENGINE (self), NULL);
  return self->cache_dir;
}

gboolean
strata_engine_get_busy (StrataEngine *self)
{
  g_return_val_if_fail (STRATA_IS_ENGINE (self), FALSE);
  return self->busy;
}

double
strata_engine_get_fraction (StrataEngine *self)
{
  g_return_val_if_fail (STRATA_IS_ENGINE (self), 0.0);
  return self->fraction;
}

const char *
strata_engine_get_stage (StrataEngine *self)
{
  g_return_val_if_fail (STRATA_IS_ENGINE (self), NULL);
  return self->stage;
}

/**
 * strata_engine_get_jobs:
 * @self: the engine
 *
 * Every queued and running job, each with its own progress (main thread).
 *
 * Returns: (transfer none): a #GListModel of #StrataJobInfo
 */
GListModel *
strata_engine_get_jobs (StrataEngine *self)
{
  g_return_val_if_fail (STRATA_IS_ENGINE (self), NULL);
  return G_LIST_MODEL (self->infos);
}

/**
 * strata_engine_cancel_all:
 * @self: the engine
 *
 * Cancels every queued and running job; each finishes with
 * %G_IO_ERROR_CANCELLED.
 */
void
strata_engine_cancel_all (StrataEngine *self)
{
  g_return_if_fail (STRATA_IS_ENGINE (self));
  /* Copy: cancelling may not change the list now, but stay safe. */
  GList *jobs = g_list_copy (self->jobs);
  for (GList *l = jobs; l != NULL; l = l->next)
    g_cancellable_cancel (((StrataJob *) l->data)->cancellable);
  g_list_free (jobs);
}

static void
engine_submit (StrataEngine        *self,
               StrataEngineQueue    queue,
               const char          *kind,
               gpointer             source_tag,
               StrataJobFunc        func,
               gpointer             job_data,
               GDestroyNotify       job_data_free,
               GDestroyNotify       result_free,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  if (self->shut_down)
    {
      g_task_report_new_error (self, callback, user_data, source_tag, G_IO_ERROR,
                               G_IO_ERROR_CLOSED, _("The engine has shut down; “%s” was not run"),
                               kind != NULL ? kind : "job");
      if (job_data_free != NULL && job_data != NULL)
        job_data_free (job_data);
      return;
    }

  StrataJob *job = g_new0 (StrataJob, 1);
  g_atomic_ref_count_init (&job->ref);
  g_mutex_init (&job->lock);
  job->engine = self;
  job->kind = g_strdup (kind != NULL ? kind : "job");
  job->queue = queue;
  job->info = _strata_job_info_new (job->kind, queue);
  job->func = func;
  job->job_data = job_data;
  job->job_data_free = job_data_free;
  job->result_free = result_free;
  job->callback = callback;
  job->user_data = user_data;
  job->state = JOB_QUEUED;
  job->cancellable = g_cancellable_new ();

  job->task = g_task_new (self, job->cancellable, job_task_done, job_ref (job));
  g_task_set_source_tag (job->task, source_tag);
  g_task_set_name (job->task, job->kind);

  job->own_handler = g_cancellable_connect (job->cancellable, G_CALLBACK (on_job_cancelled),
                                            job_ref (job), job_unref);
  if (cancellable != NULL)
    {
      job->user_cancellable = g_object_ref (cancellable);
      job->user_handler = g_cancellable_connect (cancellable, G_CALLBACK (on_user_cancelled),
                                                 g_object_ref (job->cancellable),
                                                 g_object_unref);
    }

  if (self->jobs == NULL)
    engine_set_state (self, TRUE, 0.0, "");
  self->jobs = g_list_append (self->jobs, job_ref (job));
  g_list_store_append (self->infos, job->info);
  engine_update (self);
  g_async_queue_push (self->queues[queue], job);   /* the creation reference */
}

/**
 * strata_engine_run_on_async:
 * @self: the engine
 * @queue: the queue (and so the worker thread) the job runs on
 * @kind: short name of the job, for messages and debugging
 * @func: the work, run on a worker thread
 * @job_data: (nullable): passed to @func
 * @job_data_free: (nullable): frees @job_data when the job is over
 * @result_free: (nullable): frees a result nobody collected
 * @cancellable: (nullable): cancels this job
 * @callback: called on the caller's thread-default context when done
 * @user_data: for @callback
 *
 * Queues a job. Progress reported by @func shows in its #StrataJobInfo,
 * and in the engine's properties while it is the job shown.
 */
void
strata_engine_run_on_async (StrataEngine        *self,
                            StrataEngineQueue    queue,
                            const char          *kind,
                            StrataJobFunc        func,
                            gpointer             job_data,
                            GDestroyNotify       job_data_free,
                            GDestroyNotify       result_free,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (STRATA_IS_ENGINE (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (queue == STRATA_ENGINE_QUEUE_COMPUTE || queue == STRATA_ENGINE_QUEUE_IO);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  engine_submit (self, queue, kind, strata_engine_run_async, func, job_data, job_data_free,
                 result_free, cancellable, callback, user_data);
}

/**
 * strata_engine_run_async:
 * @self: the engine
 * @kind: short name of the job, for messages and debugging
 * @func: the work, run on the compute thread
 * @job_data: (nullable): passed to @func
 * @job_data_free: (nullable): frees @job_data when the job is over
 * @result_free: (nullable): frees a result nobody collected
 * @cancellable: (nullable): cancels this job
 * @callback: called on the caller's thread-default context when done
 * @user_data: for @callback
 *
 * strata_engine_run_on_async() on %STRATA_ENGINE_QUEUE_COMPUTE.
 */
void
strata_engine_run_async (StrataEngine        *self,
                         const char          *kind,
                         StrataJobFunc        func,
                         gpointer             job_data,
                         GDestroyNotify       job_data_free,
                         GDestroyNotify       result_free,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  strata_engine_run_on_async (self, STRATA_ENGINE_QUEUE_COMPUTE, kind, func, job_data,
                              job_data_free, result_free, cancellable, callback, user_data);
}

/**
 * strata_engine_run_finish:
 * @self: the engine
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the job's result, or NULL with @error
 * set (%G_IO_ERROR_CANCELLED when cancelled)
 */
gpointer
strata_engine_run_finish (StrataEngine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (STRATA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == strata_engine_run_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
