/* strata-head-task.h: a task head's one road from a track to its result.
 *
 * Every head (transcription, separation, and the ones to come) runs the
 * same way: its weights from the model registry (loaded once a process),
 * the foundation model too when the head takes features, then its task
 * through the result cache. A head describes that once, as a const
 * StrataHeadTask beside its task kind; the window and the CLI run it with
 * strata_head_task_run_async() / strata_head_task_run().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "engine/strata-engine.h"
#include "tasks/strata-model-registry.h"
#include "tasks/strata-task.h"

G_BEGIN_DECLS

typedef struct {
  const char            *name;        /* the engine job and its first stage ("transcription") */
  const StrataModelKind *head_kind;   /* the head's weights in the registry */
  /* Whether @head injects the foundation model's features. */
  gboolean               (*takes_features) (gconstpointer head);
  /* The task's input for one track; it takes its own references. */
  gpointer               (*input_new)      (gpointer     head,
                                            StrataModel *foundation,   /* nullable */
                                            const char  *path,
                                            const char  *hash,
                                            StrataAudio *audio);       /* nullable */
  GDestroyNotify         input_free;
  const StrataTaskKind  *task;        /* its result is the run's result */
} StrataHeadTask;

gpointer strata_head_task_run       (const StrataHeadTask *head_task,
                                     const char           *path,
                                     const char           *hash,
                                     StrataAudio          *audio,
                                     StrataTaskContext    *ctx,
                                     GError              **error);
/* On the engine's compute queue; finish with strata_engine_run_finish()
 * (the result is the task kind's, freed with its free function). */
void     strata_head_task_run_async (StrataEngine         *engine,
                                     const StrataHeadTask *head_task,
                                     const char           *path,
                                     const char           *hash,
                                     StrataAudio          *audio,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);

G_END_DECLS
