/* strata-task.c: strata_task_run() (cache or compute), progress spans,
 * stage texts, and the engine job that runs a task.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <string.h>

#include "nn/strata-nn.h"
#include "tasks/strata-cache.h"
#include "tasks/strata-task.h"

/* The compute queue is the one BLAS user: it gets a BLAS thread a core,
 * the count the window always ran with (OpenBLAS's own default), now for
 * the CLI too, so that both compute the same bytes for the shared cache. */
static int
blas_threads (void)
{
  return (int) MAX (1, g_get_num_processors ());
}

/* A result waiting for the outermost run to succeed. */
typedef struct {
  char *dir;
  char *key;
  char *kind;
  int version;
  GBytes *payload;
} Pending;

static void
pending_free (gpointer data)
{
  Pending *p = data;
  g_free (p->dir);
  g_free (p->key);
  g_free (p->kind);
  g_bytes_unref (p->payload);
  g_free (p);
}

/* Counters and stage texts, shared by every thread. */
static GMutex registry_lock;
static GHashTable *computed_counts;   /* StrataTaskKind * -> count */
static GHashTable *cached_counts;
static GPtrArray *stage_tables;       /* const StrataTaskStage * */

static void
count (GHashTable **table, const StrataTaskKind *kind)
{
  g_mutex_lock (&registry_lock);
  if (*table == NULL)
    *table = g_hash_table_new (NULL, NULL);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (*table, kind));
  g_hash_table_insert (*table, (gpointer) kind, GUINT_TO_POINTER (n + 1));
  g_mutex_unlock (&registry_lock);
}

static guint
get_count (GHashTable *const *table, const StrataTaskKind *kind)
{
  g_mutex_lock (&registry_lock);
  guint n = *table != NULL ? GPOINTER_TO_UINT (g_hash_table_lookup (*table, kind)) : 0;
  g_mutex_unlock (&registry_lock);
  return n;
}

/**
 * strata_task_get_n_computed:
 * @kind: a task kind
 *
 * Returns: how many times this process computed @kind (cache misses and
 *   uncached runs); for tests and `STRATA_TASK_STATS`
 */
guint
strata_task_get_n_computed (const StrataTaskKind *kind)
{
  return get_count (&computed_counts, kind);
}

/**
 * strata_task_get_n_cached:
 * @kind: a task kind
 *
 * Returns: how many runs of @kind this process answered from the cache
 */
guint
strata_task_get_n_cached (const StrataTaskKind *kind)
{
  return get_count (&cached_counts, kind);
}

/**
 * strata_task_register_stages:
 * @stages: a { NULL, NULL }-ended table with static storage
 *
 * Makes the texts of @stages known to strata_task_stage_text().
 * strata_task_run() registers each kind's table; code that reports stages
 * outside a task (the model registry) calls this itself. Idempotent.
 */
void
strata_task_register_stages (const StrataTaskStage *stages)
{
  if (stages == NULL)
    return;
  g_mutex_lock (&registry_lock);
  if (stage_tables == NULL)
    stage_tables = g_ptr_array_new ();
  if (!g_ptr_array_find (stage_tables, stages, NULL))
    g_ptr_array_add (stage_tables, (gpointer) stages);
  g_mutex_unlock (&registry_lock);
}

/**
 * strata_task_stage_text:
 * @stage: (nullable): an untranslated stage name, as progress carries it
 *
 * Where a stage is shown, its text: the translated text of the first
 * registered stage of that name, else @stage itself ("" for NULL).
 *
 * Returns: (transfer none): the text
 */
const char *
strata_task_stage_text (const char *stage)
{
  const char *text = NULL;

  if (stage == NULL)
    return "";
  g_mutex_lock (&registry_lock);
  for (guint i = 0; stage_tables != NULL && i < stage_tables->len && text == NULL; i++)
    for (const StrataTaskStage *s = stage_tables->pdata[i]; s->name != NULL; s++)
      if (g_str_equal (s->name, stage))
        {
          text = s->text;
          break;
        }
  g_mutex_unlock (&registry_lock);
  return text != NULL ? _(text) : stage;
}

/* ---- contexts --------------------------------------------------------------- */

/**
 * strata_task_context_init:
 * @ctx: a caller-allocated context
 * @cache_dir: (nullable): the cache folder; NULL runs without a cache
 * @cancellable: (nullable): stops the run (not referenced: it must outlive
 *   the run)
 * @progress: (nullable): receives 0..1 of the whole run and stage names
 * @progress_data: for @progress
 *
 * A root context spanning 0..1.
 */
void
strata_task_context_init (StrataTaskContext *ctx, const char *cache_dir,
                          GCancellable *cancellable, StrataProgressFunc progress,
                          void *progress_data)
{
  g_return_if_fail (ctx != NULL);
  *ctx = (StrataTaskContext) {
    .cache_dir = cache_dir,
    .cancellable = cancellable,
    .progress = progress,
    .progress_data = progress_data,
    .lo = 0.0,
    .hi = 1.0,
  };
}

/**
 * strata_task_context_span:
 * @child: (out caller-allocates): the sub-step's context
 * @parent: the running context
 * @lo: start of the sub-step within @parent, 0..1
 * @hi: its end, @lo..1
 *
 * The sub-step reports 0..1 of its own work; @parent's sink sees it mapped
 * onto [@lo, @hi] of @parent's span. Cache, cancellable and pending
 * entries are shared.
 */
void
strata_task_context_span (StrataTaskContext *child, const StrataTaskContext *parent, double lo,
                          double hi)
{
  g_return_if_fail (child != NULL && parent != NULL);
  *child = *parent;
  child->lo = parent->lo + (parent->hi - parent->lo) * CLAMP (lo, 0.0, 1.0);
  child->hi = parent->lo + (parent->hi - parent->lo) * CLAMP (hi, lo, 1.0);
}

/**
 * strata_task_progress:
 * @ctx: the running context
 * @fraction: 0..1 of this context's work
 * @stage: (nullable): an untranslated stage name; NULL keeps the last
 *
 * Reports progress to the context's sink (if any). Callable from the
 * thread running the task.
 */
void
strata_task_progress (const StrataTaskContext *ctx, double fraction, const char *stage)
{
  g_return_if_fail (ctx != NULL);
  if (ctx->progress == NULL)
    return;
  if (!(fraction >= 0.0))
    fraction = 0.0;
  ctx->progress (ctx->lo + (ctx->hi - ctx->lo) * MIN (fraction, 1.0), stage,
                 ctx->progress_data);
}

/**
 * strata_task_is_cancelled:
 * @ctx: the running context
 *
 * Returns: whether the run must stop
 */
gboolean
strata_task_is_cancelled (const StrataTaskContext *ctx)
{
  g_return_val_if_fail (ctx != NULL, TRUE);
  return g_cancellable_is_cancelled (ctx->cancellable);
}

/**
 * strata_task_set_error_if_cancelled:
 * @ctx: the running context
 * @error: return location for %G_IO_ERROR_CANCELLED
 *
 * Returns: TRUE (and @error set) when the run must stop
 */
gboolean
strata_task_set_error_if_cancelled (const StrataTaskContext *ctx, GError **error)
{
  g_return_val_if_fail (ctx != NULL, TRUE);
  return g_cancellable_set_error_if_cancelled (ctx->cancellable, error);
}

/**
 * strata_task_context_get_cancellable:
 * @ctx: the running context
 *
 * Returns: (transfer none) (nullable): the run's cancellable, for GIO-style
 *   calls such as strata_audio_decode()
 */
GCancellable *
strata_task_context_get_cancellable (const StrataTaskContext *ctx)
{
  g_return_val_if_fail (ctx != NULL, NULL);
  return ctx->cancellable;
}

/**
 * strata_task_abort_func:
 * @ctx: (type StrataTaskContext): the running context
 *
 * A #StrataAbortFunc for plain-C code: true once the run is cancelled.
 */
bool
strata_task_abort_func (void *ctx)
{
  return strata_task_is_cancelled (ctx);
}

/**
 * strata_task_progress_func:
 * @fraction: 0..1 of the context's work
 * @stage: (nullable): untranslated stage name
 * @ctx: (type StrataTaskContext): the running context
 *
 * A #StrataProgressFunc forwarding to strata_task_progress().
 */
void
strata_task_progress_func (double fraction, const char *stage, void *ctx)
{
  strata_task_progress (ctx, fraction, stage);
}

/* ---- keys ------------------------------------------------------------------- */

/**
 * strata_task_dup_keyv:
 * @fields: (array zero-terminated=1): the inputs' content hashes, the
 *   models' versions and the options, as strings
 *
 * The cache key of a task input: the hex SHA-256 of the fields, each
 * followed by a NUL so that no two lists of fields run together.
 *
 * Returns: (transfer full): the key
 */
char *
strata_task_dup_keyv (const char *const *fields)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint i = 0; fields != NULL && fields[i] != NULL; i++)
    g_checksum_update (sum, (const guchar *) fields[i], strlen (fields[i]) + 1);
  return g_strdup (g_checksum_get_string (sum));
}

/**
 * strata_task_dup_key:
 * @first: the first field
 * @...: more fields, then %NULL
 *
 * strata_task_dup_keyv() of the arguments.
 *
 * Returns: (transfer full): the key
 */
char *
strata_task_dup_key (const char *first, ...)
{
  g_autoptr (GPtrArray) fields = g_ptr_array_new ();
  va_list args;

  va_start (args, first);
  for (const char *field = first; field != NULL; field = va_arg (args, const char *))
    g_ptr_array_add (fields, (gpointer) field);
  va_end (args);
  g_ptr_array_add (fields, NULL);
  return strata_task_dup_keyv ((const char *const *) fields->pdata);
}

/* ---- the run ---------------------------------------------------------------- */

static void
init_compute_threads (void)
{
  static gsize done = 0;
  if (g_once_init_enter (&done))
    {
      strata_nn_set_num_threads (blas_threads ());
      g_once_init_leave (&done, 1);
    }
}

static void
commit_pending (GPtrArray *pending)
{
  for (guint i = 0; i < pending->len; i++)
    {
      Pending *p = pending->pdata[i];
      g_autoptr (GError) error = NULL;
      /* A failed write only costs time later. */
      if (!strata_cache_store (p->dir, p->key, p->kind, p->version, p->payload, &error))
        g_debug ("cache: %s", error->message);
    }
}

static gpointer
run_cached (const StrataTaskKind *kind, gconstpointer input, StrataTaskContext *ctx,
            GError **error)
{
  g_autofree char *key = NULL;

  if (strata_task_set_error_if_cancelled (ctx, error))
    return NULL;
  if (ctx->cache_dir != NULL && kind->dup_key != NULL && kind->serialize != NULL &&
      kind->deserialize != NULL)
    key = kind->dup_key (input);

  if (key != NULL)
    {
      g_autoptr (GBytes) payload = strata_cache_lookup (ctx->cache_dir, key, kind->name,
                                                        kind->version);
      if (payload != NULL)
        {
          g_autoptr (GError) local = NULL;
          gpointer result = kind->deserialize (payload, input, &local);
          if (result != NULL)
            {
              count (&cached_counts, kind);
              strata_task_progress (ctx, 1.0, NULL);
              return result;
            }
          g_debug ("cache: %s entry %s is unusable (%s); recomputing", kind->name, key,
                   local != NULL ? local->message : "no reason");
        }
    }

  count (&computed_counts, kind);
  GError *local = NULL;
  gpointer result = kind->compute (input, ctx, &local);
  if (strata_task_is_cancelled (ctx))
    {
      if (result != NULL)
        kind->free (result);
      g_clear_error (&local);
      strata_task_set_error_if_cancelled (ctx, error);
      return NULL;
    }
  if (result == NULL)
    {
      if (local == NULL)
        local = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("The task “%s” failed without a reason"), kind->name);
      g_propagate_error (error, local);
      return NULL;
    }
  g_clear_error (&local);

  if (key != NULL)
    {
      GBytes *payload = kind->serialize (result);
      if (payload != NULL)
        {
          Pending *p = g_new0 (Pending, 1);
          p->dir = g_strdup (ctx->cache_dir);
          p->key = g_steal_pointer (&key);
          p->kind = g_strdup (kind->name);
          p->version = kind->version;
          p->payload = payload;
          g_ptr_array_add (ctx->pending, p);
        }
    }
  strata_task_progress (ctx, 1.0, NULL);
  return result;
}

/**
 * strata_task_run:
 * @kind: what to run
 * @input: the kind's input
 * @ctx: the context: a root one from strata_task_context_init(), or a span
 *   of the caller's when a task runs another
 * @error: return location for an error (%G_IO_ERROR_CANCELLED when
 *   cancelled)
 *
 * Runs @kind through the cache, synchronously: a valid entry for the
 * input's key is deserialised, else the result is computed and (when the
 * outermost run succeeds) stored atomically. A damaged entry is a miss.
 *
 * Returns: (transfer full) (nullable): the result (free with @kind's free),
 *   or NULL with @error set
 */
gpointer
strata_task_run (const StrataTaskKind *kind, gconstpointer input, StrataTaskContext *ctx,
                 GError **error)
{
  g_return_val_if_fail (kind != NULL && kind->name != NULL && kind->compute != NULL, NULL);
  g_return_val_if_fail (kind->free != NULL, NULL);
  g_return_val_if_fail (ctx != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  init_compute_threads ();
  strata_task_register_stages (kind->stages);

  gboolean root = ctx->pending == NULL;
  if (root)
    ctx->pending = g_ptr_array_new_with_free_func (pending_free);
  gpointer result = run_cached (kind, input, ctx, error);
  if (root)
    {
      if (result != NULL && !strata_task_is_cancelled (ctx))
        commit_pending (ctx->pending);
      g_clear_pointer (&ctx->pending, g_ptr_array_unref);
    }
  return result;
}

/* ---- on the engine ---------------------------------------------------------- */

/**
 * strata_task_context_init_for_job:
 * @ctx: a caller-allocated context
 * @job: the running engine job
 *
 * A root context for a task run inside an engine job: the engine's cache
 * folder, the job's cancellable, progress to the job.
 */
void
strata_task_context_init_for_job (StrataTaskContext *ctx, StrataJob *job)
{
  strata_task_context_init (ctx, strata_engine_get_cache_dir (strata_job_get_engine (job)),
                            strata_job_get_cancellable (job), strata_job_progress_func, job);
}

typedef struct {
  const StrataTaskKind *kind;
  gpointer input;
  GDestroyNotify input_free;
} TaskJob;

static void
task_job_free (gpointer data)
{
  TaskJob *tj = data;
  if (tj->input_free != NULL && tj->input != NULL)
    tj->input_free (tj->input);
  g_free (tj);
}

static gpointer
task_job_run (StrataJob *job, gpointer data, GError **error)
{
  TaskJob *tj = data;
  StrataTaskContext ctx;

  strata_task_context_init_for_job (&ctx, job);
  return strata_task_run (tj->kind, tj->input, &ctx, error);
}

/**
 * strata_task_run_async:
 * @engine: the engine to run on
 * @kind: what to run (on @kind's queue)
 * @input: (transfer full): the input
 * @input_free: (nullable): frees @input when the job is over
 * @cancellable: (nullable): cancels the run
 * @callback: called on the caller's thread-default context when done
 * @user_data: for @callback
 *
 * strata_task_run() on an engine worker, with the engine's cache.
 */
void
strata_task_run_async (StrataEngine *engine, const StrataTaskKind *kind, gpointer input,
                       GDestroyNotify input_free, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (STRATA_IS_ENGINE (engine));
  g_return_if_fail (kind != NULL);

  TaskJob *tj = g_new0 (TaskJob, 1);
  tj->kind = kind;
  tj->input = input;
  tj->input_free = input_free;
  strata_engine_run_on_async (engine, kind->queue, kind->name, task_job_run, tj, task_job_free,
                              kind->free, cancellable, callback, user_data);
}

/**
 * strata_task_run_finish:
 * @engine: the engine
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the task's result, or NULL with
 *   @error set (%G_IO_ERROR_CANCELLED when cancelled)
 */
gpointer
strata_task_run_finish (StrataEngine *engine, GAsyncResult *result, GError **error)
{
  return strata_engine_run_finish (engine, result, error);
}
