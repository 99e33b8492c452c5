/* strata-task.h: one road for every analysis (DESIGN §3, §6b).
 *
 * A task kind is a const StrataTaskKind: what the task is called, the
 * version of its result, its stage names, how its cache key is made from
 * its input, how it computes, and how its result is serialised and read
 * back. strata_task_run() runs a kind synchronously through the cache:
 * lookup, compute on a miss, store on success. It is called on an engine
 * worker (strata_task_run_async()) and by the CLI alike, and tasks call
 * each other with it on the same thread (features need the decoded track,
 * transcription will need the features).
 *
 * Cache entries of a run, and of the runs it makes, are written only when
 * the outermost run succeeds: a cancel or an error on the way leaves no
 * entry behind. A corrupt or hostile entry is a miss (deserialize() says
 * why), never a crash.
 *
 * Threading contract: a kind is immutable and shared; a StrataTaskContext
 * belongs to the thread that runs the task.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "strata-types.h"
#include "engine/strata-engine.h"

G_BEGIN_DECLS

/**
 * StrataTaskStage:
 * @name: untranslated stage name, passed through progress ("decode")
 * @text: its text for people, marked with N_() and translated where shown
 */
typedef struct {
  const char *name;
  const char *text;
} StrataTaskStage;

/**
 * StrataTaskContext:
 *
 * Where a run reports and what stops it: the cache folder (NULL: no
 * cache), the cancellable, the progress sink and the span of it this run
 * owns. Initialise with strata_task_context_init(); give a sub-step its
 * part of the span with strata_task_context_span(). The fields are
 * private.
 */
typedef struct _StrataTaskContext StrataTaskContext;
struct _StrataTaskContext {
  /*< private >*/
  const char *cache_dir;
  GCancellable *cancellable;
  StrataProgressFunc progress;
  void *progress_data;
  double lo, hi;
  GPtrArray *pending;
};

typedef struct _StrataTaskKind StrataTaskKind;

/**
 * StrataTaskKind:
 * @name: lowercase letters, digits, '-' and '_' (at most 31): the cache
 *   entry kind and the engine job's kind
 * @version: version of the result and its payload; bump it whenever
 *   compute() or serialize() change what they give, so old entries miss
 * @queue: the engine queue strata_task_run_async() uses (compute: the BLAS
 *   user; I/O: reading and decoding)
 * @stages: the stage names compute() reports, ended by { NULL, NULL }
 * @dup_key: (nullable): the cache key of an input: a hex digest of the
 *   inputs' content hashes, the models' versions and the options (see
 *   strata_task_dup_key()); NULL, or a NULL key, means never cached
 * @compute: the work; reports with strata_task_progress(), checks
 *   strata_task_is_cancelled() between steps; returns the result or NULL
 *   with @error set
 * @serialize: (nullable): the result as a cache payload
 * @deserialize: (nullable): a result from a payload, checked completely
 *   (against @input too, e.g. the frame count); NULL with @error set when
 *   the payload is damaged or does not fit
 * @free: frees a result
 */
struct _StrataTaskKind {
  const char *name;
  int version;
  StrataEngineQueue queue;
  const StrataTaskStage *stages;
  char     *(*dup_key)     (gconstpointer input);
  gpointer  (*compute)     (gconstpointer input, StrataTaskContext *ctx, GError **error);
  GBytes   *(*serialize)   (gconstpointer result);
  gpointer  (*deserialize) (GBytes *payload, gconstpointer input, GError **error);
  GDestroyNotify free;
};

void     strata_task_context_init  (StrataTaskContext  *ctx,
                                    const char         *cache_dir,
                                    GCancellable       *cancellable,
                                    StrataProgressFunc  progress,
                                    void               *progress_data);
void     strata_task_context_span  (StrataTaskContext       *child,
                                    const StrataTaskContext *parent,
                                    double                   lo,
                                    double                   hi);
void     strata_task_progress      (const StrataTaskContext *ctx,
                                    double                   fraction,
                                    const char              *stage);
gboolean strata_task_is_cancelled  (const StrataTaskContext *ctx);
gboolean strata_task_set_error_if_cancelled (const StrataTaskContext *ctx, GError **error);
/* For plain-C code (dsp, nn, model): pass the context as user data. */
bool     strata_task_abort_func    (void *ctx);
void     strata_task_progress_func (double fraction, const char *stage, void *ctx);
GCancellable *strata_task_context_get_cancellable (const StrataTaskContext *ctx);

gpointer strata_task_run           (const StrataTaskKind *kind,
                                    gconstpointer         input,
                                    StrataTaskContext    *ctx,
                                    GError              **error);

char    *strata_task_dup_keyv      (const char *const *fields);
char    *strata_task_dup_key       (const char *first, ...) G_GNUC_NULL_TERMINATED;

void     strata_task_register_stages (const StrataTaskStage *stages);
const char *strata_task_stage_text (const char *stage);

guint    strata_task_get_n_computed (const StrataTaskKind *kind);
guint    strata_task_get_n_cached   (const StrataTaskKind *kind);

void     strata_task_run_async     (StrataEngine         *engine,
                                    const StrataTaskKind *kind,
                                    gpointer              input,
                                    GDestroyNotify        input_free,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
gpointer strata_task_run_finish    (StrataEngine         *engine,
                                    GAsyncResult         *result,
                                    GError              **error);
void     strata_task_context_init_for_job (StrataTaskContext *ctx,
                                           StrataJob         *job);

G_END_DECLS
