/* strata-export.c: PNG, .npz and text exports on the engine's I/O queue.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include "io/strata-output.h"
#include "tasks/strata-task.h"
#include "strata-export.h"

static const StrataTaskStage export_stages[] = {
  { "export", N_("Saving") },
  { NULL, NULL }
};

/**
 * _strata_export_write_png:
 * @texture: what to save (a memory texture when called off the main
 *   thread)
 * @file: the PNG file
 * @input: (nullable): the track's file, which the export may not replace
 * @error: return location for an error naming @file
 *
 * Encodes @texture as PNG and writes it atomically: through the output
 * writer for a local file, else with GIO's replace.
 *
 * Returns: %TRUE on success
 */
gboolean
_strata_export_write_png (GdkTexture *texture, GFile *file, const char *input, GError **error)
{
  g_autoptr(GBytes) png = gdk_texture_save_to_png_bytes (texture);
  g_autoptr(GError) local = NULL;

  if (g_file_peek_path (file) != NULL)
    {
      const char *inputs[] = { input, NULL };
      return strata_output_write_bytes (g_file_peek_path (file), inputs, png, error);
    }
  if (!g_file_replace_contents (file, g_bytes_get_data (png, NULL), g_bytes_get_size (png), NULL,
                                FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, NULL, &local))
    {
      g_autofree char *name = g_file_get_parse_name (file);
      g_set_error (error, local->domain, local->code, _("Could not save “%s”: %s"), name,
                   local->message);
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  GdkTexture *texture;          /* (nullable) a memory texture */
  GFile *file;                  /* (nullable) */
  StrataFeatures *features;     /* (nullable) */
  GBytes *bytes;                /* (nullable) a file's contents, made on the main thread */
  char *path;                   /* (nullable) */
  char *input;                  /* (nullable) */
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *ej = data;
  g_clear_object (&ej->texture);
  g_clear_object (&ej->file);
  g_clear_pointer (&ej->features, strata_features_unref);
  g_clear_pointer (&ej->bytes, g_bytes_unref);
  g_free (ej->path);
  g_free (ej->input);
  g_free (ej);
}

static gpointer
export_job_run (StrataJob *job, gpointer data, GError **error)
{
  ExportJob *ej = data;
  gboolean ok;

  strata_task_register_stages (export_stages);
  strata_job_progress (job, 0.0, "export");
  if (ej->texture != NULL)
    ok = _strata_export_write_png (ej->texture, ej->file, ej->input, error);
  else
    {
      const char *inputs[] = { ej->input, NULL };
      if (ej->bytes != NULL)
        ok = strata_output_write_bytes (ej->path, inputs, ej->bytes, error);
      else
        ok = strata_features_write_npz (ej->features, ej->path, inputs, error);
    }
  return ok ? GINT_TO_POINTER (TRUE) : NULL;
}

static void
submit (StrataEngine *engine, ExportJob *ej, const char *input, GCancellable *cancellable,
        GAsyncReadyCallback callback, gpointer user_data)
{
  ej->input = g_strdup (input);
  strata_engine_run_on_async (engine, STRATA_ENGINE_QUEUE_IO, "export", export_job_run, ej,
                              export_job_free, NULL, cancellable, callback, user_data);
}

/* A texture any thread may read: the renderer's may live on the GPU. */
static GdkTexture *
dup_memory_texture (GdkTexture *texture)
{
  if (GDK_IS_MEMORY_TEXTURE (texture))
    return g_object_ref (texture);
  int w = gdk_texture_get_width (texture), h = gdk_texture_get_height (texture);
  gsize stride = (gsize) w * 4;
  guchar *data = g_malloc (stride * (gsize) h);
  gdk_texture_download (texture, data, stride);
  g_autoptr(GBytes) bytes = g_bytes_new_take (data, stride * (gsize) h);
  return gdk_memory_texture_new (w, h, GDK_MEMORY_DEFAULT, bytes, stride);
}

/**
 * _strata_export_png_async:
 * @engine: the engine
 * @texture: the rendered picture
 * @file: where to write it
 * @input: (nullable): the track's file
 * @cancellable: (nullable): cancels the export before it writes
 * @callback: called on the main thread
 * @user_data: for @callback
 *
 * _strata_export_write_png() on the engine's I/O queue.
 */
void
_strata_export_png_async (StrataEngine *engine, GdkTexture *texture, GFile *file,
                          const char *input, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  ExportJob *ej = g_new0 (ExportJob, 1);
  ej->texture = dup_memory_texture (texture);
  ej->file = g_object_ref (file);
  submit (engine, ej, input, cancellable, callback, user_data);
}

/**
 * _strata_export_npz_async:
 * @engine: the engine
 * @features: the features to write (a reference is taken)
 * @path: the .npz file
 * @input: (nullable): the track's file
 * @cancellable: (nullable): cancels the export before it writes
 * @callback: called on the main thread
 * @user_data: for @callback
 *
 * strata_features_write_npz() on the engine's I/O queue.
 */
void
_strata_export_npz_async (StrataEngine *engine, StrataFeatures *features, const char *path,
                          const char *input, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  ExportJob *ej = g_new0 (ExportJob, 1);
  ej->features = strata_features_ref (features);
  ej->path = g_strdup (path);
  submit (engine, ej, input, cancellable, callback, user_data);
}

/**
 * _strata_export_bytes_async:
 * @engine: the engine
 * @bytes: the file's contents (a reference is taken)
 * @path: the file
 * @input: (nullable): the track's file
 * @cancellable: (nullable): cancels the export before it writes
 * @callback: called on the main thread
 * @user_data: for @callback
 *
 * strata_output_write_bytes() on the engine's I/O queue.
 */
void
_strata_export_bytes_async (StrataEngine *engine, GBytes *bytes, const char *path,
                            const char *input, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  ExportJob *ej = g_new0 (ExportJob, 1);
  ej->bytes = g_bytes_ref (bytes);
  ej->path = g_strdup (path);
  submit (engine, ej, input, cancellable, callback, user_data);
}

/**
 * _strata_export_finish:
 * @engine: the engine
 * @result: the result given to the callback
 * @error: return location for an error naming the file
 *
 * Returns: %TRUE when the file was written
 */
gboolean
_strata_export_finish (StrataEngine *engine, GAsyncResult *result, GError **error)
{
  return strata_engine_run_finish (engine, result, error) != NULL;
}
