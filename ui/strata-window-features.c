/* strata-window-features.c: the window's feature strata: the controller
 * (section ribbon and coarse/medium/fine lanes under the spectrogram) and
 * its bar, started when a track loads, and the feature exports (PNG, .npz,
 * sections as CSV or Audacity labels).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include "strata-similar-page.h"
#include "strata-window-private.h"

static void
has_features_cb (StrataWindow *self)
{
  gboolean on = strata_feature_controller_get_has_features (self->features);
  static const char *names[] = { "export-feature-maps", "export-features", "export-sections" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), names[i])),
                                 on);
}

typedef enum { EXPORT_PNG, EXPORT_NPZ, EXPORT_SECTIONS } ExportKind;

static void
export_response_cb (GtkNativeDialog *dialog, int response, StrataWindow *self)
{
  ExportKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "strata-export-kind"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      /* Written off the main thread; a failure shows in the error bar. */
      if (file != NULL && kind == EXPORT_PNG)
        strata_feature_controller_export_png_async (self->features, file, NULL,
                                                    _strata_window_export_done,
                                                    g_object_ref (self));
      else if (file != NULL && g_file_peek_path (file) != NULL && kind == EXPORT_SECTIONS)
        strata_feature_controller_export_sections_async (self->features, g_file_peek_path (file),
                                                         NULL, _strata_window_export_done,
                                                         g_object_ref (self));
      else if (file != NULL && g_file_peek_path (file) != NULL)
        strata_feature_controller_export_npz_async (self->features, g_file_peek_path (file), NULL,
                                                    _strata_window_export_done,
                                                    g_object_ref (self));
    }
  g_clear_object (&self->chooser);
}

static void
export (StrataWindow *self, ExportKind kind)
{
  if (self->chooser != NULL)
    return;   /* another dialog is open */
  if (kind == EXPORT_PNG)
    _strata_window_show_save_dialog (self, _("Export Feature Maps"), "-strata.png",
                                     G_CALLBACK (export_response_cb));
  else if (kind == EXPORT_NPZ)
    _strata_window_show_save_dialog (self, _("Export Features"), "-features.npz",
                                     G_CALLBACK (export_response_cb));
  else
    _strata_window_show_save_dialog (self, _("Export Sections (.csv, or Audacity labels .txt)"),
                                     "-sections.csv", G_CALLBACK (export_response_cb));
  if (self->chooser)
    g_object_set_data (G_OBJECT (self->chooser), "strata-export-kind", GINT_TO_POINTER (kind));
}

static void
export_maps_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  export (user_data, EXPORT_PNG);
}

static void
export_features_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  export (user_data, EXPORT_NPZ);
}

static void
export_sections_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  export (user_data, EXPORT_SECTIONS);
}

/* ---- similar passages ------------------------------------------------------ */

/* Moves the playhead to match @index and brings it into view. */
static void
go_to_match (StrataWindow *self, guint index)
{
  guint n = 0;
  const StrataMatch *m = strata_feature_controller_get_matches (self->features, &n, NULL);

  if (index >= n)
    return;
  strata_player_seek (self->player, m[index].start);
  _strata_window_update_position (self);
  strata_viewport_ensure_visible (strata_timeline_get_viewport (self->timeline), m[index].start);
  strata_viewport_ensure_visible (strata_timeline_get_viewport (self->timeline), m[index].end);
}

static void
match_activated_cb (StrataWindow *self, guint index, double start)
{
  go_to_match (self, index);
}

static void
step_match (StrataWindow *self, gboolean forward)
{
  int i = strata_feature_controller_step_match (self->features,
                                                strata_player_get_position (self->player), forward);

  if (i < 0)
    return;
  go_to_match (self, (guint) i);
  strata_similar_page_select_row (STRATA_SIMILAR_PAGE (self->similar_page), i);
}

static void
next_match_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  step_match (user_data, TRUE);
}

static void
previous_match_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  step_match (user_data, FALSE);
}

static const GActionEntry feature_entries[] = {
  { .name = "export-feature-maps", .activate = export_maps_action },
  { .name = "export-features", .activate = export_features_action },
  { .name = "export-sections", .activate = export_sections_action },
  { .name = "next-match", .activate = next_match_action },
  { .name = "previous-match", .activate = previous_match_action },
};

/**
 * _strata_window_features_init:
 * @self: a #StrataWindow
 *
 * Adds the feature strata to the timeline (after the spectrogram), binds
 * the strata bar, adds the export actions (enabled once features show), the
 * side page of the similarity search and the actions that step through its
 * matches (N, Shift+N).
 */
void
_strata_window_features_init (StrataWindow *self)
{
  self->features = strata_feature_controller_new (self->engine, self->timeline);
  strata_feature_bar_set_controller (self->strata_bar, self->features);
  g_action_map_add_action_entries (G_ACTION_MAP (self), feature_entries,
                                   G_N_ELEMENTS (feature_entries), self);
  g_signal_connect_swapped (self->features, "notify::has-features", G_CALLBACK (has_features_cb), self);
  has_features_cb (self);

  self->similar_page = strata_similar_page_new (self->features);
  g_signal_connect_swapped (self->similar_page, "match-activated", G_CALLBACK (match_activated_cb),
                            self);
  strata_window_add_side_page (self, "similar", _("Similar"), self->similar_page);
}

/**
 * _strata_window_features_dispose:
 * @self: a #StrataWindow
 *
 * Cancels the running feature job and drops the controller.
 */
void
_strata_window_features_dispose (StrataWindow *self)
{
  if (self->features == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->features, self);
  if (self->similar_page)
    g_signal_handlers_disconnect_by_data (self->similar_page, self);
  self->similar_page = NULL;   /* owned by the side panel */
  strata_feature_controller_cancel (self->features);
  if (self->strata_bar)
    strata_feature_bar_set_controller (self->strata_bar, NULL);
  g_clear_object (&self->features);
}

/**
 * strata_window_get_feature_controller:
 * @self: a #StrataWindow
 *
 * Returns: (transfer none): the controller of the feature strata
 */
StrataFeatureController *
strata_window_get_feature_controller (StrataWindow *self)
{
  g_return_val_if_fail (STRATA_IS_WINDOW (self), NULL);
  return self->features;
}

/**
 * strata_window_get_similar_page:
 * @self: a #StrataWindow
 *
 * Returns: (transfer none): the side page of the similarity search
 */
GtkWidget *
strata_window_get_similar_page (StrataWindow *self)
{
  g_return_val_if_fail (STRATA_IS_WINDOW (self), NULL);
  return self->similar_page;
}
