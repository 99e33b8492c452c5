/* strata-head-task.c: a task head's one road from a track (see the header).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "model/strata-model.h"
#include "tasks/strata-head-task.h"

/**
 * strata_head_task_run:
 * @head_task: the head's description
 * @path: the track's file
 * @hash: its content hash
 * @audio: (nullable): the decoded track (else decoded on a cache miss)
 * @ctx: the running context (progress, cancel)
 * @error: return location for a #GError, or %NULL
 *
 * The head (and the foundation model when it takes features) from the
 * registry, then the head's task through the cache, on the caller's thread.
 *
 * Returns: (transfer full) (nullable): the task's result, or %NULL with @error set
 */
gpointer
strata_head_task_run (const StrataHeadTask *head_task,
                      const char           *path,
                      const char           *hash,
                      StrataAudio          *audio,
                      StrataTaskContext    *ctx,
                      GError              **error)
{
  g_autoptr(StrataModel) foundation = NULL;
  gpointer head, input, result;

  g_return_val_if_fail (head_task != NULL && path != NULL && hash != NULL, NULL);

  strata_task_progress (ctx, 0.0, head_task->name);
  head = strata_model_registry_get (head_task->head_kind, NULL, error);
  if (head == NULL)
    return NULL;
  if (head_task->takes_features (head)
      && (foundation = strata_model_registry_get_foundation (NULL, error)) == NULL)
    {
      head_task->head_kind->unref (head);
      return NULL;
    }
  input = head_task->input_new (head, foundation, path, hash, audio);
  head_task->head_kind->unref (head);
  result = strata_task_run (head_task->task, input, ctx, error);
  head_task->input_free (input);
  return result;
}

typedef struct {
  const StrataHeadTask *head_task;
  char *path;
  char *hash;
  StrataAudio *audio;   /* nullable */
} HeadJob;

static void
head_job_free (gpointer data)
{
  HeadJob *hj = data;

  g_free (hj->path);
  g_free (hj->hash);
  if (hj->audio)
    strata_audio_unref (hj->audio);
  g_free (hj);
}

static gpointer
head_job_run (StrataJob *job, gpointer data, GError **error)
{
  HeadJob *hj = data;
  StrataTaskContext ctx;

  strata_task_context_init_for_job (&ctx, job);
  return strata_head_task_run (hj->head_task, hj->path, hj->hash, hj->audio, &ctx, error);
}

/**
 * strata_head_task_run_async:
 * @engine: the engine
 * @head_task: the head's description
 * @path: the track's file
 * @hash: its content hash
 * @audio: (nullable): the decoded track (a reference is taken)
 * @cancellable: (nullable): cancels the run
 * @callback: called on the caller's thread-default context when done
 * @user_data: for @callback
 *
 * strata_head_task_run() as an engine job (progress, cancel), named after
 * the head.
 */
void
strata_head_task_run_async (StrataEngine         *engine,
                            const StrataHeadTask *head_task,
                            const char           *path,
                            const char           *hash,
                            StrataAudio          *audio,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  HeadJob *hj;

  g_return_if_fail (STRATA_IS_ENGINE (engine));
  g_return_if_fail (head_task != NULL && path != NULL && hash != NULL);

  hj = g_new0 (HeadJob, 1);
  hj->head_task = head_task;
  hj->path = g_strdup (path);
  hj->hash = g_strdup (hash);
  hj->audio = audio ? strata_audio_ref (audio) : NULL;
  strata_engine_run_async (engine, head_task->name, head_job_run, hj, head_job_free,
                           head_task->task->free, cancellable, callback, user_data);
}
