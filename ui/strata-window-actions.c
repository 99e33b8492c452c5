/* strata-window-actions.c: the window's actions (open, export, transport,
 * zoom, loop) and the export of the timeline as a picture.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include "strata-export.h"
#include "strata-window-private.h"

#define SKIP_SECONDS 5.0

/* Playback, timeline and export actions only make sense with a track. */
void
_strata_window_set_track_actions_enabled (StrataWindow *self, gboolean enabled)
{
  static const char *names[] = { "export-picture", "play-pause", "stop", "skip-backward", "skip-forward",
                                 "zoom-in", "zoom-out", "zoom-fit", "clear-selection", "loop",
                                 "separate" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), names[i]);

      /* (the window's parts add their actions one after the other) */
      if (action != NULL)
        g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
    }
}

/* ---- export ------------------------------------------------------------------ */

/* What the timeline shows, rendered by the window's renderer; NULL with
 * @error set (naming @file) when there is no track. (transfer full) */
static GdkTexture *
render_timeline (StrataWindow *self, GFile *file, GError **error)
{
  GtkWidget *widget = GTK_WIDGET (self->timeline);
  g_autoptr(GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  GdkTexture *texture;
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);

  if (self->track == NULL || w <= 0 || h <= 0)
    {
      g_autofree char *name = g_file_get_parse_name (file);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                   _("Could not save “%s”: there is no track to show"), name);
      return NULL;
    }
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  gsk_render_node_unref (node);
  return texture;
}

/**
 * strata_window_export_picture:
 * @self: a #StrataWindow
 * @file: where to write the PNG
 * @error: return location for an error
 *
 * Saves what the timeline shows (all lanes, at the window's zoom) as a PNG
 * image, rendered by the window's renderer, on the calling thread; the
 * export action uses strata_window_export_picture_async().
 *
 * Returns: %TRUE on success; %FALSE with @error set (the message names the file)
 */
gboolean
strata_window_export_picture (StrataWindow *self, GFile *file, GError **error)
{
  g_return_val_if_fail (STRATA_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  g_autoptr(GdkTexture) texture = render_timeline (self, file, error);
  return texture != NULL &&
         _strata_export_write_png (texture, file, strata_track_get_path (self->track), error);
}

/**
 * strata_window_export_picture_async:
 * @self: a #StrataWindow
 * @file: where to write the PNG
 * @callback: called on the main thread when the file is written
 * @user_data: for @callback
 *
 * Renders now (main thread); encodes and writes on the engine's I/O queue.
 * Finish with strata_window_export_finish().
 */
void
strata_window_export_picture_async (StrataWindow *self, GFile *file, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_return_if_fail (STRATA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));
  GError *error = NULL;

  g_autoptr(GdkTexture) texture = render_timeline (self, file, &error);
  if (texture == NULL)
    {
      g_task_report_error (self->engine, callback, user_data, NULL, error);
      return;
    }
  _strata_export_png_async (self->engine, texture, file, strata_track_get_path (self->track),
                            NULL, callback, user_data);
}

/**
 * strata_window_export_finish:
 * @self: a #StrataWindow
 * @result: the result given to the callback
 * @error: return location for an error naming the file
 *
 * Finishes strata_window_export_picture_async() and the feature exports.
 *
 * Returns: %TRUE when the file was written
 */
gboolean
strata_window_export_finish (StrataWindow *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (STRATA_IS_WINDOW (self), FALSE);
  return strata_feature_controller_export_finish (self->features, result, error);
}

/* An export finished: a failure shows in the window's error bar. */
void
_strata_window_export_done (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(StrataWindow) self = data;
  g_autoptr(GError) error = NULL;

  if (!strata_window_export_finish (self, result, &error))
    _strata_window_show_error (self, error->message);
}

static void
export_response_cb (GtkNativeDialog *dialog, int response, StrataWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        strata_window_export_picture_async (self, file, _strata_window_export_done,
                                            g_object_ref (self));
    }
  g_clear_object (&self->chooser);
}

/**
 * _strata_window_show_save_dialog:
 * @self: a #StrataWindow
 * @title: the dialog's title
 * @suffix: appended to the open track's base name, e.g. ".png"
 * @response_cb: connected to the dialog's "response" with @self
 *
 * Opens a save dialog for an export of the open track (none without a
 * track or while another dialog is open); @response_cb clears
 * self->chooser.
 */
void
_strata_window_show_save_dialog (StrataWindow *self, const char *title, const char *suffix,
                                 GCallback response_cb)
{
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  char *dot;

  if (self->chooser || self->track == NULL)
    return;
  base = g_path_get_basename (strata_track_get_path (self->track));
  if ((dot = strrchr (base, '.')) != NULL)
    *dot = '\0';
  name = g_strconcat (base, suffix, NULL);

  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect (self->chooser, "response", response_cb, self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
export_picture_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  _strata_window_show_save_dialog (user_data, _("Export Picture"), ".png",
                                   G_CALLBACK (export_response_cb));
}

/* ---- actions ----------------------------------------------------------------- */

static void
chooser_response_cb (GtkNativeDialog *dialog, int response, StrataWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file)
        strata_window_open (self, file);
    }
  g_clear_object (&self->chooser);
}

/* The audio types the decoders read (libsndfile, then GStreamer), by MIME
 * type and by suffix. Not all of audio/: that includes audio/midi, and a MIDI
 * file holds notes, not audio. */
GtkFileFilter *
strata_audio_file_filter_new (void)
{
  static const char *const types[] = {
    "audio/x-wav", "audio/wav", "audio/vnd.wave", "audio/flac", "audio/x-flac",
    "audio/ogg", "audio/x-vorbis+ogg", "audio/x-opus+ogg", "audio/x-flac+ogg",
    "audio/mpeg", "audio/x-aiff", "audio/aiff", "audio/x-aifc", "audio/mp4",
    "audio/x-m4a", "audio/aac", "audio/x-wavpack", "audio/x-caf", "audio/basic",
    "audio/webm", "audio/x-ms-wma", "audio/x-matroska", "audio/x-w64", "audio/x-rf64",
  };
  static const char *const suffixes[] = {
    "wav", "wave", "flac", "ogg", "oga", "opus", "mp3", "aif", "aiff", "aifc",
    "m4a", "mp4", "aac", "wv", "caf", "au", "snd", "webm", "wma", "mka", "w64", "rf64",
  };
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Audio Files"));
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    gtk_file_filter_add_mime_type (filter, types[i]);
  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    gtk_file_filter_add_suffix (filter, suffixes[i]);
  return filter;
}

static void
open_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StrataWindow *self = user_data;
  GtkFileFilter *filter;
  g_autofree char *folder = NULL;

  if (self->chooser)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Open Audio File"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  filter = strata_audio_file_filter_new ();
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_unref (filter);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("All Files"));
  gtk_file_filter_add_pattern (filter, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_unref (filter);

  if (self->settings)
    folder = g_settings_get_string (self->settings, "last-folder");
  if (folder && *folder && g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) dir = g_file_new_for_path (folder);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), dir, NULL);
    }
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
open_uri_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (param, NULL));
  strata_window_open (STRATA_WINDOW (user_data), file);
}

static void
cancel_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StrataWindow *self = user_data;

  if (self->load_cancellable)
    g_cancellable_cancel (self->load_cancellable);
  if (self->features)
    strata_feature_controller_cancel (self->features);
  _strata_window_transcription_cancel (self);
  _strata_window_stems_cancel (self);
  strata_task_slot_cancel (&self->separation_slot);
}

static void
play_pause_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StrataWindow *self = user_data;

  if (strata_player_get_playing (self->player))
    strata_player_pause (self->player);
  else
    strata_player_play (self->player);
}

static void
stop_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StrataWindow *self = user_data;

  strata_player_stop (self->player);
  _strata_window_update_position (self);
}

static void
skip (StrataWindow *self, double delta)
{
  strata_player_seek (self->player, strata_player_get_position (self->player) + delta);
  _strata_window_update_position (self);
}

static void
skip_backward_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  skip (user_data, -SKIP_SECONDS);
}

static void
skip_forward_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  skip (user_data, SKIP_SECONDS);
}

static void
zoom_in_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  strata_timeline_zoom (STRATA_WINDOW (user_data)->timeline, STRATA_TIMELINE_ZOOM_STEP);
}

static void
zoom_out_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  strata_timeline_zoom (STRATA_WINDOW (user_data)->timeline, 1.0 / STRATA_TIMELINE_ZOOM_STEP);
}

static void
zoom_fit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  strata_viewport_fit (strata_timeline_get_viewport (STRATA_WINDOW (user_data)->timeline));
}

static void
clear_selection_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  strata_viewport_clear_selection (strata_timeline_get_viewport (STRATA_WINDOW (user_data)->timeline));
}

static void
loop_change_state (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  g_simple_action_set_state (action, value);
  _strata_window_apply_loop (STRATA_WINDOW (user_data));
}

static void
snap_change_state (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  g_simple_action_set_state (action, value);
  strata_timeline_set_snap (STRATA_WINDOW (user_data)->timeline, g_variant_get_boolean (value));
}

static const GActionEntry win_entries[] = {
  { .name = "open", .activate = open_action },
  { .name = "open-uri", .activate = open_uri_action, .parameter_type = "s" },
  { .name = "export-picture", .activate = export_picture_action },
  { .name = "cancel", .activate = cancel_action },
  { .name = "play-pause", .activate = play_pause_action },
  { .name = "stop", .activate = stop_action },
  { .name = "skip-backward", .activate = skip_backward_action },
  { .name = "skip-forward", .activate = skip_forward_action },
  { .name = "zoom-in", .activate = zoom_in_action },
  { .name = "zoom-out", .activate = zoom_out_action },
  { .name = "zoom-fit", .activate = zoom_fit_action },
  { .name = "clear-selection", .activate = clear_selection_action },
  { .name = "loop", .state = "false", .change_state = loop_change_state },
  { .name = "snap-to-beats", .state = "true", .change_state = snap_change_state },
};

/**
 * _strata_window_add_actions:
 * @self: a #StrataWindow
 *
 * Adds the "win." actions; those that need a track start disabled.
 */
void
_strata_window_add_actions (StrataWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_entries,
                                   G_N_ELEMENTS (win_entries), self);
  strata_timeline_set_snap (self->timeline, TRUE);
  _strata_window_set_track_actions_enabled (self, FALSE);
}
