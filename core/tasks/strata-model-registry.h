/* strata-model-registry.h: the models, loaded once and shared (DESIGN §6b).
 *
 * A model kind says how to find and load one kind of weights file (the
 * foundation model now; each head's model later). The registry keeps one
 * loaded model a (kind, file, file version): every user gets a reference
 * to the same model, and a weights file replaced on disk (other inode,
 * size or modification time) is loaded again as a new version, while the
 * users of the old one keep theirs.
 *
 * Threading contract: every function is safe from any thread; loading
 * blocks the caller, so the main thread uses strata_model_registry_get_async().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "engine/strata-engine.h"
#include "model/strata-model.h"

G_BEGIN_DECLS

/**
 * StrataModelKind:
 * @name: the kind's name ("foundation")
 * @dup_default_path: the installed file, or NULL when none is
 * @load: reads and validates a weights file; NULL with @error naming the
 *   file and the reason
 * @ref: takes a reference
 * @unref: drops one
 */
typedef struct {
  const char *name;
  char     *(*dup_default_path) (void);
  gpointer  (*load)             (const char *path, GError **error);
  gpointer  (*ref)              (gpointer model);
  void      (*unref)            (gpointer model);
} StrataModelKind;

extern const StrataModelKind strata_foundation_model_kind;

gpointer     strata_model_registry_get         (const StrataModelKind  *kind,
                                                const char             *path,
                                                GError                **error);
StrataModel *strata_model_registry_get_foundation (const char  *path,
                                                   GError     **error);
guint        strata_model_registry_get_n_loads (const StrataModelKind  *kind);
void         strata_model_registry_clear       (void);

void         strata_model_registry_get_async   (StrataEngine           *engine,
                                                const StrataModelKind  *kind,
                                                const char             *path,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
gpointer     strata_model_registry_get_finish  (StrataEngine           *engine,
                                                GAsyncResult           *result,
                                                GError                **error);

/**
 * strata_model_file_find:
 * @env_var: the variable that overrides the search (e.g.
 *   "STRATA_SEPARATION_MODEL_PATH")
 * @installed_dir: where the installed models are
 * @file_name: the weights' file name
 *
 * A task head's default weights: $@env_var when set, else the installed
 * file, else the source tree's resources/models copy.
 *
 * Returns: (transfer full) (nullable): the first path that exists.
 */
char        *strata_model_file_find            (const char *env_var,
                                                const char *installed_dir,
                                                const char *file_name);
/**
 * strata_model_file_version:
 * @name: the head's name ("strata-separation")
 * @path: its weights file
 *
 * Returns: (transfer full): "@name/1/<12 hex digits of the file's SHA-256>"
 *   ("unknown" when the file cannot be mapped), for cache keys.
 */
char        *strata_model_file_version         (const char *name,
                                                const char *path);

G_END_DECLS
