/* strata-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>
#include "strata-ruler-lane.h"
#include "strata-settings.h"
#include "strata-spectrogram-lane.h"
#include "strata-waveform-lane.h"
#include "strata-window-private.h"
#include "tasks/strata-track-load.h"

#define MAX_RECENT 6
#define LABEL_HZ 15


G_DEFINE_FINAL_TYPE (StrataWindow, strata_window, ADW_TYPE_APPLICATION_WINDOW)

/* Shows @message in the error bar (until closed or a track opens). */
void
_strata_window_show_error (StrataWindow *self, const char *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

static void
error_close_clicked_cb (StrataWindow *self)
{
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
}

/* "position / duration" in the transport bar. */
static void
update_position_label (StrataWindow *self, double pos)
{
  g_autofree char *a = strata_timeline_format_time (pos);
  g_autofree char *b = strata_timeline_format_time (strata_player_get_duration (self->player));
  g_autofree char *text = g_strdup_printf ("%s / %s", a, b);

  gtk_label_set_label (self->position_label, text);
}

/* Updates the position label and the playhead from the player, now. */
void
_strata_window_update_position (StrataWindow *self)
{
  double pos = strata_player_get_position (self->player);

  update_position_label (self, pos);
  strata_viewport_set_playhead (strata_timeline_get_viewport (self->timeline), pos);
}

/* While playing: redraw only what changes visibly. The playhead moves when
 * it reaches another pixel column (a few times a second at a whole-track
 * zoom), the position label at most LABEL_HZ times a second; frames that
 * change neither cost nothing (software GL redraws whole windows). */
static gboolean
tick_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  StrataWindow *self = STRATA_WINDOW (widget);
  StrataViewport *vp = strata_timeline_get_viewport (self->timeline);
  double pos = strata_player_get_position (self->player);
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  if (now - self->label_time >= G_USEC_PER_SEC / LABEL_HZ)
    {
      update_position_label (self, pos);
      self->label_time = now;
    }
  if (round (strata_viewport_time_to_x (vp, pos))
      != round (strata_viewport_time_to_x (vp, strata_viewport_get_playhead (vp))))
    strata_viewport_set_playhead (vp, pos);
  strata_viewport_ensure_visible (vp, pos);
  return G_SOURCE_CONTINUE;
}

static void
playing_changed_cb (StrataWindow *self)
{
  gboolean playing = strata_player_get_playing (self->player);

  gtk_button_set_icon_name (self->play_button, playing ? "media-playback-pause-symbolic"
                                                       : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button), playing ? _("Pause") : _("Play"));
  if (playing && self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
  else if (!playing && self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  _strata_window_update_position (self);
}

static void
player_error_cb (StrataWindow *self, const char *message)
{
  _strata_window_show_error (self, message);
}

/* ---- loop and selection ----------------------------------------------------- */

static gboolean
loop_wanted (StrataWindow *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "loop");
  g_autoptr(GVariant) state = g_action_get_state (action);

  return g_variant_get_boolean (state);
}

/* Shows the selection in the transport bar. */
static void
update_loop_label (StrataWindow *self)
{
  StrataViewport *vp = strata_timeline_get_viewport (self->timeline);
  double a, b;

  if (strata_viewport_get_selection (vp, &a, &b))
    {
      g_autofree char *sa = strata_timeline_format_time (a);
      g_autofree char *sb = strata_timeline_format_time (b);
      g_autofree char *text = g_strdup_printf (_("Loop %s – %s"), sa, sb);
      gtk_label_set_label (self->loop_label, text);
      gtk_widget_set_opacity (GTK_WIDGET (self->loop_label), loop_wanted (self) ? 1.0 : 0.6);
    }
  else
    gtk_label_set_label (self->loop_label, "");
}

/* Makes the player loop the selection when the loop is on and there is one
 * (not while a selection is being dragged: each change would seek). */
void
_strata_window_apply_loop (StrataWindow *self)
{
  StrataViewport *vp = strata_timeline_get_viewport (self->timeline);
  double a, b, la, lb;
  gboolean has = strata_viewport_get_selection (vp, &a, &b);
  gboolean looping = strata_player_get_loop (self->player, &la, &lb);

  if (loop_wanted (self) && has)
    {
      if (!looping || la != a || lb != b)
        strata_player_set_loop (self->player, TRUE, a, b);
    }
  else if (looping)
    strata_player_set_loop (self->player, FALSE, 0, 0);
  update_loop_label (self);
}

static void
selection_changed_cb (StrataWindow *self)
{
  StrataViewport *vp = strata_timeline_get_viewport (self->timeline);

  update_loop_label (self);
  if (!strata_viewport_get_selection (vp, NULL, NULL))
    _strata_window_apply_loop (self);   /* cleared: stop looping */
}

static void
timeline_seek_cb (StrataWindow *self, double seconds)
{
  strata_player_seek (self->player, seconds);
  _strata_window_update_position (self);
}

/* ---- recent files ------------------------------------------------------------ */

static gint
compare_recent (gconstpointer a, gconstpointer b)
{
  GDateTime *ta = gtk_recent_info_get_modified (*(GtkRecentInfo **) a);
  GDateTime *tb = gtk_recent_info_get_modified (*(GtkRecentInfo **) b);
  return g_date_time_compare (tb, ta);
}

static void
rebuild_recent_menu (StrataWindow *self)
{
  GList *items = gtk_recent_manager_get_items (self->recent);
  g_autoptr(GPtrArray) mine = g_ptr_array_new ();
  const char *app_name = g_get_application_name ();

  g_menu_remove_all (self->recent_section);
  for (GList *l = items; l; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      if (app_name != NULL && gtk_recent_info_has_application (info, app_name)
          && gtk_recent_info_is_local (info))
        g_ptr_array_add (mine, info);
    }
  g_ptr_array_sort (mine, compare_recent);
  for (guint i = 0; i < MIN (mine->len, MAX_RECENT); i++)
    {
      GtkRecentInfo *info = g_ptr_array_index (mine, i);
      g_autoptr(GMenuItem) item = g_menu_item_new (gtk_recent_info_get_display_name (info), NULL);

      g_menu_item_set_action_and_target (item, "win.open-uri", "s", gtk_recent_info_get_uri (info));
      g_menu_append_item (self->recent_section, item);
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
}

/* ---- loading ----------------------------------------------------------------- */

typedef struct
{
  GWeakRef window;
  GCancellable *cancellable;
  GFile *file;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_weak_ref_clear (&data->window);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->file);
  g_free (data);
}

/* Shows @track (the stem lanes of the one before go). */
void
_strata_window_set_track (StrataWindow *self, StrataTrack *track)
{
  const char *path = strata_track_get_path (track);
  g_autofree char *basename = g_path_get_basename (path);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *folder = g_path_get_basename (dir);
  g_autofree char *dur = strata_timeline_format_time (strata_track_get_duration (track));
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  char *dot;

  /* m:ss.mmm -> m:ss for the title. */
  if ((dot = strrchr (dur, '.')))
    *dot = '\0';
  /* The parent folder too: many collections name every file alike (each
   * Frets on Fire song is song.ogg, each stem export drums.wav). */
  if (g_strcmp0 (folder, ".") == 0 || g_strcmp0 (folder, G_DIR_SEPARATOR_S) == 0)
    g_clear_pointer (&folder, g_free);
  /* TRANSLATORS: the window title: file name, (its folder), duration */
  title = folder ? g_strdup_printf (_("%s (%s) — %s"), basename, folder, dur)
                 : g_strdup_printf ("%s — %s", basename, dur);
  /* TRANSLATORS: the header bar's subtitle: the file's folder · duration */
  subtitle = folder ? g_strdup_printf (_("%s · %s"), folder, dur) : g_strdup (dur);

  g_clear_pointer (&self->track, strata_track_unref);
  self->track = strata_track_ref (track);

  _strata_window_stems_track_changed (self, strata_track_get_audio (track));
  /* The lanes hold a reference on the track for the summaries they borrow. */
  strata_waveform_lane_set_peaks (self->waveform, strata_track_get_peaks (track),
                                  strata_track_get_audio (track), strata_track_ref (track),
                                  (GDestroyNotify) strata_track_unref);
  strata_spectrogram_lane_set_specgram (self->spectrogram, strata_track_get_specgram (track),
                                        strata_track_ref (track),
                                        (GDestroyNotify) strata_track_unref);
  strata_timeline_set_duration (self->timeline, strata_track_get_duration (track));
  strata_ruler_lane_set_beats (self->ruler, strata_track_get_beats (track),
                               strata_track_ref (track), (GDestroyNotify) strata_track_unref);
  strata_timeline_set_beats (self->timeline, strata_track_get_beats (track),
                             strata_track_ref (track), (GDestroyNotify) strata_track_unref);
  strata_feature_controller_set_track (self->features, track);
  _strata_window_markers_reset (self);
  _strata_window_separation_cancel (self);
  _strata_window_transcription_set_track (self, track);
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, basename);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->window_title), path);
  gtk_stack_set_visible_child_name (self->stack, "timeline");
  _strata_window_set_track_actions_enabled (self, TRUE);
  g_simple_action_set_state (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "loop")),
                             g_variant_new_boolean (FALSE));
  _strata_window_apply_loop (self);
  _strata_window_update_position (self);
}

static void
load_ready_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LoadData *data = user_data;
  g_autoptr(StrataWindow) self = g_weak_ref_get (&data->window);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataTrack) track = strata_track_load_finish (STRATA_ENGINE (source), result, &error);

  if (self == NULL)
    goto out;
  if (self->load_cancellable == data->cancellable)
    g_clear_object (&self->load_cancellable);

  if (track == NULL)
    {
      g_autofree char *name = g_file_get_basename (data->file);
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        goto out;   /* the user asked for it: silent */
      /* The engine's messages usually name the file already. */
      if (strstr (error->message, name) != NULL)
        message = g_strdup (error->message);
      else
        message = g_strdup_printf (_("Could not open “%s”: %s"), name, error->message);
      _strata_window_show_error (self, message);
      goto out;
    }

  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
  _strata_window_set_track (self, track);

  {
    g_autofree char *uri = g_file_get_uri (data->file);
    g_autoptr(GFile) parent = g_file_get_parent (data->file);

    gtk_recent_manager_add_item (self->recent, uri);
    if (self->settings && parent && g_file_peek_path (parent))
      g_settings_set_string (self->settings, "last-folder", g_file_peek_path (parent));
  }

out:
  load_data_free (data);
}

/**
 * strata_window_open:
 * @self: a #StrataWindow
 * @file: the file to open
 *
 * Loads @file with the engine in the background (cancelling a load that
 * is still running). On success the track replaces the open one; on
 * failure the error bar names the file and the reason and the open track
 * stays; a cancelled load changes nothing.
 */
void
strata_window_open (StrataWindow *self, GFile *file)
{
  LoadData *data;
  g_autofree char *path = NULL;

  g_return_if_fail (STRATA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf (_("Could not open “%s”: only local files can be opened"), uri);
      _strata_window_show_error (self, message);
      return;
    }

  if (self->load_cancellable)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  data = g_new0 (LoadData, 1);
  g_weak_ref_init (&data->window, self);
  data->cancellable = g_object_ref (self->load_cancellable);
  data->file = g_object_ref (file);
  strata_track_load_async (self->engine, path, self->load_cancellable, load_ready_cb, data);
}

/* ---- drag and drop ------------------------------------------------------------ */

/* A dropped folder opens as stems, anything else as a track (the type is
 * asked off the main thread). */
static void
dropped_type_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(StrataWindow) self = data;
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, NULL);

  if (info != NULL && g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    strata_window_open_stems (self, G_FILE (source));
  else
    strata_window_open (self, G_FILE (source));   /* a missing file: the load says why */
}

static gboolean
drop_cb (GtkDropTarget *target, const GValue *value, double x, double y, StrataWindow *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;
  g_file_query_info_async (files->data, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, NULL, dropped_type_cb, g_object_ref (self));
  g_slist_free (files);
  return TRUE;
}

/* ---- GObject ------------------------------------------------------------------- */

static void
strata_window_dispose (GObject *object)
{
  StrataWindow *self = STRATA_WINDOW (object);

  if (self->load_cancellable)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->tick_id)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  _strata_window_stems_dispose (self);
  if (self->player)
    {
      g_signal_handlers_disconnect_by_data (self->player, self);
      strata_player_set_audio (self->player, NULL);
    }
  if (self->recent)
    g_signal_handlers_disconnect_by_data (self->recent, self);
  if (self->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  _strata_window_features_dispose (self);
  _strata_window_markers_dispose (self);
  _strata_window_separation_cancel (self);
  _strata_window_transcription_dispose (self);
  g_clear_object (&self->player);
  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->track, strata_track_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), STRATA_TYPE_WINDOW);
  G_OBJECT_CLASS (strata_window_parent_class)->dispose (object);
}

/* ---- side panel ----------------------------------------------------------- */

/* "win.side-panel" toggles the panel's revealer; the open state is kept
 * in GSettings (when the schema is there). */
static void
side_panel_init (StrataWindow *self)
{
  g_autoptr(GPropertyAction) toggle = g_property_action_new ("side-panel", self->side_revealer,
                                                            "reveal-child");

  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (toggle));
  if (self->settings)
    g_settings_bind (self->settings, "side-panel-open", self->side_revealer, "reveal-child",
                     G_SETTINGS_BIND_DEFAULT);
}

/**
 * strata_window_add_side_page:
 * @self: a #StrataWindow
 * @name: the page's name (unique in the panel)
 * @title: (nullable): its title in the panel's switcher (translated)
 * @page: (transfer floating): the page
 *
 * Adds a page to the side panel and makes it the visible one; the
 * placeholder goes, and with two pages or more a switcher shows. Does not
 * open the panel (that is the user's choice).
 */
void
strata_window_add_side_page (StrataWindow *self, const char *name, const char *title,
                             GtkWidget *page)
{
  guint n_pages = 0;

  g_return_if_fail (STRATA_IS_WINDOW (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (GTK_IS_WIDGET (page));
  g_return_if_fail (gtk_stack_get_child_by_name (self->side_stack, name) == NULL);

  gtk_stack_add_titled (self->side_stack, page, name, title);
  gtk_widget_set_visible (self->side_placeholder, FALSE);
  gtk_stack_set_visible_child (self->side_stack, page);
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->side_stack)); c;
       c = gtk_widget_get_next_sibling (c))
    n_pages += c != self->side_placeholder;
  gtk_widget_set_visible (self->side_switcher, n_pages >= 2);
}

/**
 * strata_window_get_side_panel_open:
 * @self: a #StrataWindow
 *
 * Returns: whether the side panel is open (or opening)
 */
gboolean
strata_window_get_side_panel_open (StrataWindow *self)
{
  g_return_val_if_fail (STRATA_IS_WINDOW (self), FALSE);
  return gtk_revealer_get_reveal_child (self->side_revealer);
}

static void
strata_window_class_init (StrataWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = strata_window_dispose;

  g_type_ensure (STRATA_TYPE_TIMELINE);
  g_type_ensure (STRATA_TYPE_FEATURE_BAR);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/strata/Strata/ui/strata-window.ui");
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, recent_section);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, stage_label);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, strata_bar);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, play_button);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, position_label);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, loop_label);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, side_revealer);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, side_stack);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, side_switcher);
  gtk_widget_class_bind_template_child (widget_class, StrataWindow, side_placeholder);
  gtk_widget_class_bind_template_callback (widget_class, error_close_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, timeline_seek_cb);
}

static void
strata_window_init (StrataWindow *self)
{
  GtkDropTarget *drop;
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));
  _strata_window_add_actions (self);

  self->ruler = STRATA_RULER_LANE (strata_ruler_lane_new ());
  strata_timeline_add_lane (self->timeline, STRATA_LANE (self->ruler));
  self->waveform = STRATA_WAVEFORM_LANE (strata_waveform_lane_new ());
  strata_timeline_add_lane (self->timeline, STRATA_LANE (self->waveform));
  self->spectrogram = STRATA_SPECTROGRAM_LANE (strata_spectrogram_lane_new ());
  strata_timeline_add_lane (self->timeline, STRATA_LANE (self->spectrogram));
  g_signal_connect_swapped (strata_timeline_get_viewport (self->timeline), "selection-changed",
                            G_CALLBACK (selection_changed_cb), self);
  g_signal_connect_swapped (self->timeline, "selection-finished", G_CALLBACK (_strata_window_apply_loop), self);

  self->player = strata_player_new ();
  g_signal_connect_swapped (self->player, "notify::playing", G_CALLBACK (playing_changed_cb), self);
  g_signal_connect_swapped (self->player, "error", G_CALLBACK (player_error_cb), self);
  _strata_window_stems_init (self);

  self->settings = strata_settings_new ();
  side_panel_init (self);
  if (self->settings)
    {
      g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
    }

  self->recent = gtk_recent_manager_get_default ();
  g_signal_connect_swapped (self->recent, "changed", G_CALLBACK (rebuild_recent_menu), self);
  rebuild_recent_menu (self);

  /* Space plays/pauses even when a button has the keyboard focus. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, 0),
                                                          gtk_named_action_new ("win.play-pause")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  update_loop_label (self);
}

/**
 * strata_window_new:
 * @app: the application
 * @engine: (transfer none): the engine that loads and analyses files
 *
 * Returns: (transfer none): a new main window, owned by @app
 */
/* The engine reports untranslated stage names; the label shows their text. */
static gboolean
stage_to_text (GBinding *binding, const GValue *from, GValue *to, gpointer data)
{
  g_value_set_string (to, strata_task_stage_text (g_value_get_string (from)));
  return TRUE;
}

StrataWindow *
strata_window_new (GtkApplication *app, StrataEngine *engine)
{
  StrataWindow *self = g_object_new (STRATA_TYPE_WINDOW, "application", app, NULL);

  self->engine = g_object_ref (engine);
  g_object_bind_property (engine, "busy", self->progress_revealer, "reveal-child", G_BINDING_SYNC_CREATE);
  g_object_bind_property (engine, "fraction", self->progress_bar, "fraction", G_BINDING_SYNC_CREATE);
  g_object_bind_property_full (engine, "stage", self->stage_label, "label", G_BINDING_SYNC_CREATE,
                               stage_to_text, NULL, NULL, NULL);
  _strata_window_features_init (self);
  _strata_window_markers_init (self);
  _strata_window_separation_init (self);
  _strata_window_transcription_init (self);
  return self;
}

/**
 * strata_window_get_loading:
 * @self: a #StrataWindow
 *
 * Returns: whether a load is running
 */
gboolean
strata_window_get_loading (StrataWindow *self)
{
  g_return_val_if_fail (STRATA_IS_WINDOW (self), FALSE);
  return self->load_cancellable != NULL;
}

/**
 * strata_window_get_track:
 * @self: a #StrataWindow
 *
 * Returns: (transfer none) (nullable): the open track
 */
StrataTrack *
strata_window_get_track (StrataWindow *self)
{
  g_return_val_if_fail (STRATA_IS_WINDOW (self), NULL);
  return self->track;
}

/**
 * strata_window_get_player:
 * @self: a #StrataWindow
 *
 * Returns: (transfer none): the window's player
 */
StrataPlayer *
strata_window_get_player (StrataWindow *self)
{
  g_return_val_if_fail (STRATA_IS_WINDOW (self), NULL);
  return self->player;
}

/**
 * strata_window_get_timeline:
 * @self: a #StrataWindow
 *
 * Returns: (transfer none): the timeline
 */
StrataTimeline *
strata_window_get_timeline (StrataWindow *self)
{
  g_return_val_if_fail (STRATA_IS_WINDOW (self), NULL);
  return self->timeline;
}

/**
 * strata_window_get_error:
 * @self: a #StrataWindow
 *
 * Returns: (nullable): the error bar's message while it is shown
 */
const char *
strata_window_get_error (StrataWindow *self)
{
  g_return_val_if_fail (STRATA_IS_WINDOW (self), NULL);
  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;
  return gtk_label_get_label (self->error_label);
}
