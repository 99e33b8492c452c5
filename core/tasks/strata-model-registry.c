/* strata-model-registry.c: models loaded once, shared by reference.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "tasks/strata-model-registry.h"
#include "tasks/strata-task.h"

static const StrataTaskStage registry_stages[] = {
  { "model", N_("Loading the model") },
  { NULL, NULL }
};

typedef struct {
  const StrataModelKind *kind;
  gpointer model;
} Entry;

static GMutex lock;             /* held while loading: a second user waits */
static GHashTable *entries;     /* "kind\npath\nsize\nmtime" -> Entry */
static GHashTable *n_loads;     /* StrataModelKind * -> count */

static void
entry_free (gpointer data)
{
  Entry *e = data;
  e->kind->unref (e->model);
  g_free (e);
}

/* The entry name of @path as it is on disk now. */
static char *
dup_version_key (const StrataModelKind *kind, const char *path, GError **error)
{
  GStatBuf st;
  if (g_stat (path, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_NOT_FOUND,
                   _("Could not read the model “%s”: %s"), path, g_strerror (saved));
      return NULL;
    }
  g_autofree char *abs = g_canonicalize_filename (path, NULL);
  return g_strdup_printf ("%s\n%s\n%" G_GUINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                          ".%09ld", kind->name, abs, (guint64) st.st_ino, (gint64) st.st_size,
                          (gint64) st.st_mtim.tv_sec, (long) st.st_mtim.tv_nsec);
}

/**
 * strata_model_registry_get:
 * @kind: the model kind
 * @path: (nullable): a weights file; NULL for the kind's installed one
 * @error: return location for an error (%STRATA_MODEL_ERROR)
 *
 * The model of @kind in @path, loaded at the first call (and again when
 * the file changed), shared by every later call.
 *
 * Returns: (transfer full) (nullable): a reference to the model (drop it
 *   with @kind's unref), or NULL with @error set
 */
gpointer
strata_model_registry_get (const StrataModelKind *kind, const char *path, GError **error)
{
  g_return_val_if_fail (kind != NULL && kind->load != NULL, NULL);
  g_autofree char *default_path = NULL;

  if (path == NULL)
    {
      default_path = kind->dup_default_path ();
      if (default_path == NULL)
        {
          /* The loader gives the kind's own message for "none installed". */
          return kind->load (NULL, error);
        }
      path = default_path;
    }
  g_autofree char *key = dup_version_key (kind, path, error);
  if (key == NULL)
    return NULL;

  g_mutex_lock (&lock);
  if (entries == NULL)
    {
      entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
      n_loads = g_hash_table_new (NULL, NULL);
    }
  Entry *e = g_hash_table_lookup (entries, key);
  if (e == NULL)
    {
      gpointer model = kind->load (path, error);
      if (model == NULL)
        {
          g_mutex_unlock (&lock);
          return NULL;
        }
      /* An older version of the same file leaves the registry. */
      g_autofree char *prefix = g_strdup_printf ("%s\n", kind->name);
      GHashTableIter iter;
      gpointer k, v;
      g_autofree char *abs = g_canonicalize_filename (path, NULL);
      g_autofree char *same_file = g_strdup_printf ("%s%s\n", prefix, abs);
      g_hash_table_iter_init (&iter, entries);
      while (g_hash_table_iter_next (&iter, &k, &v))
        if (g_str_has_prefix (k, same_file))
          g_hash_table_iter_remove (&iter);

      e = g_new0 (Entry, 1);
      e->kind = kind;
      e->model = model;
      g_hash_table_insert (entries, g_strdup (key), e);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (n_loads, kind));
      g_hash_table_insert (n_loads, (gpointer) kind, GUINT_TO_POINTER (n + 1));
    }
  gpointer model = kind->ref (e->model);
  g_mutex_unlock (&lock);
  return model;
}

/**
 * strata_model_registry_get_n_loads:
 * @kind: the model kind
 *
 * Returns: how many files of @kind the registry loaded (for tests)
 */
guint
strata_model_registry_get_n_loads (const StrataModelKind *kind)
{
  g_mutex_lock (&lock);
  guint n = n_loads != NULL ? GPOINTER_TO_UINT (g_hash_table_lookup (n_loads, kind)) : 0;
  g_mutex_unlock (&lock);
  return n;
}

/**
 * strata_model_registry_clear:
 *
 * Drops the registry's references (users keep theirs); the next get loads
 * again. For tests and shutdown.
 */
void
strata_model_registry_clear (void)
{
  g_mutex_lock (&lock);
  if (entries != NULL)
    g_hash_table_remove_all (entries);
  g_mutex_unlock (&lock);
}

/* ---- the foundation model -------------------------------------------------- */

static gpointer
foundation_load (const char *path, GError **error)
{
  return path != NULL ? strata_model_load (path, error) : strata_model_load_default (error);
}

static gpointer
foundation_ref (gpointer model)
{
  return strata_model_ref (model);
}

static void
foundation_unref (gpointer model)
{
  strata_model_unref (model);
}

const StrataModelKind strata_foundation_model_kind = {
  .name = "foundation",
  .dup_default_path = strata_model_dup_default_path,
  .load = foundation_load,
  .ref = foundation_ref,
  .unref = foundation_unref,
};

/**
 * strata_model_registry_get_foundation:
 * @path: (nullable): a weights file; NULL for the installed model
 * @error: return location for an error (%STRATA_MODEL_ERROR)
 *
 * Returns: (transfer full) (nullable): the shared foundation model
 */
StrataModel *
strata_model_registry_get_foundation (const char *path, GError **error)
{
  return strata_model_registry_get (&strata_foundation_model_kind, path, error);
}

/* ---- on the engine ---------------------------------------------------------- */

typedef struct {
  const StrataModelKind *kind;
  char *path;
} GetJob;

static void
get_job_free (gpointer data)
{
  GetJob *gj = data;
  g_free (gj->path);
  g_free (gj);
}

static gpointer
get_job_run (StrataJob *job, gpointer data, GError **error)
{
  GetJob *gj = data;
  strata_task_register_stages (registry_stages);
  strata_job_progress (job, 0.0, "model");
  return strata_model_registry_get (gj->kind, gj->path, error);
}

/**
 * strata_model_registry_get_async:
 * @engine: the engine
 * @kind: the model kind (its unref frees an uncollected result)
 * @path: (nullable): a weights file; NULL for the installed one
 * @cancellable: (nullable): drops the result (a load under way ends first)
 * @callback: called on the caller's thread-default context
 * @user_data: for @callback
 *
 * strata_model_registry_get() on the engine's I/O queue (stage "model").
 */
void
strata_model_registry_get_async (StrataEngine *engine, const StrataModelKind *kind,
                                 const char *path, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (kind != NULL);
  GetJob *gj = g_new0 (GetJob, 1);
  gj->kind = kind;
  gj->path = g_strdup (path);
  strata_engine_run_on_async (engine, STRATA_ENGINE_QUEUE_IO, "model", get_job_run, gj,
                              get_job_free, kind->unref, cancellable, callback, user_data);
}

/**
 * strata_model_registry_get_finish:
 * @engine: the engine
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): a reference to the model, or NULL
 *   with @error set
 */
gpointer
strata_model_registry_get_finish (StrataEngine *engine, GAsyncResult *result, GError **error)
{
  return strata_engine_run_finish (engine, result, error);
}

char *
strata_model_file_find (const char *env_var, const char *installed_dir, const char *file_name)
{
  const char *env = g_getenv (env_var);
  if (env && *env)
    return g_strdup (env);
  g_autofree char *installed = g_build_filename (installed_dir, file_name, NULL);
  if (g_file_test (installed, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&installed);
  g_autofree char *source = g_build_filename (STRATA_SOURCE_DIR, "resources", "models",
                                              file_name, NULL);
  if (g_file_test (source, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&source);
  return NULL;
}

char *
strata_model_file_version (const char *name, const char *path)
{
  g_autofree char *hash = NULL;
  g_autoptr (GMappedFile) mf = g_mapped_file_new (path, FALSE, NULL);
  if (mf)
    hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                        (const guchar *) g_mapped_file_get_contents (mf),
                                        g_mapped_file_get_length (mf));
  return g_strdup_printf ("%s/1/%.12s", name, hash ? hash : "unknown");
}
