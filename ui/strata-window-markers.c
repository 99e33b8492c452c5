/* strata-window-markers.c: markers — M adds one at the playhead; they are
 * named, listed in the side panel (click to go there, edit the name,
 * remove), drawn in the ruler and written with the sections by Export
 * Sections.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "strata-window-private.h"

/* Shows the markers in the ruler and hands them to the sections export. */
static void
markers_changed (StrataWindow *self)
{
  strata_ruler_lane_set_markers (self->ruler, (const StrataMarker *) self->markers->data,
                                 self->markers->len);
  strata_feature_controller_set_markers (self->features, (const StrataMarker *) self->markers->data,
                                         self->markers->len);
}

static void rebuild_list (StrataWindow *self);

static void
name_changed_cb (GtkEditable *entry, StrataWindow *self)
{
  guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (entry), "strata-marker"));

  if (i >= self->markers->len)
    return;
  {
    StrataMarker *m = &g_array_index (self->markers, StrataMarker, i);
    const char *text = gtk_editable_get_text (entry);

    if (g_strcmp0 (m->name, text) == 0)
      return;
    g_free (m->name);
    m->name = g_strdup (text);
  }
  markers_changed (self);
}

static void
remove_clicked_cb (GtkButton *button, StrataWindow *self)
{
  guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "strata-marker"));

  if (i >= self->markers->len)
    return;
  g_array_remove_index (self->markers, i);
  rebuild_list (self);
  markers_changed (self);
}

static void
row_activated_cb (GtkListBox *box, GtkListBoxRow *row, StrataWindow *self)
{
  guint i = (guint) gtk_list_box_row_get_index (row);
  double t;

  if (i >= self->markers->len)
    return;
  t = g_array_index (self->markers, StrataMarker, i).time;
  strata_player_seek (self->player, t);
  strata_viewport_set_playhead (strata_timeline_get_viewport (self->timeline), t);
  _strata_window_update_position (self);
}

static GtkWidget *
make_row (StrataWindow *self, guint i)
{
  const StrataMarker *m = &g_array_index (self->markers, StrataMarker, i);
  g_autofree char *time = strata_timeline_format_time (m->time);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *when = gtk_label_new (time);
  GtkWidget *name = gtk_entry_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_widget_add_css_class (when, "numeric");
  gtk_widget_add_css_class (when, "dim-label");
  gtk_editable_set_text (GTK_EDITABLE (name), m->name);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (name, "flat");
  gtk_widget_set_tooltip_text (name, _("The marker’s name"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (name), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The marker’s name"), -1);
  g_object_set_data (G_OBJECT (name), "strata-marker", GUINT_TO_POINTER (i));
  g_signal_connect (name, "changed", G_CALLBACK (name_changed_cb), self);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove Marker"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Remove Marker"), -1);
  g_object_set_data (G_OBJECT (remove), "strata-marker", GUINT_TO_POINTER (i));
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
  gtk_box_append (GTK_BOX (box), when);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), remove);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  return box;
}

static void
rebuild_list (StrataWindow *self)
{
  GtkListBoxRow *row;
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  /* a row's text entry must not keep the focus (and its cursor timer)
   * while the row goes */
  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->marker_list)))
    gtk_root_set_focus (GTK_ROOT (self), NULL);
  while ((row = gtk_list_box_get_row_at_index (self->marker_list, 0)) != NULL)
    gtk_list_box_remove (self->marker_list, GTK_WIDGET (row));
  for (guint i = 0; i < self->markers->len; i++)
    gtk_list_box_append (self->marker_list, make_row (self, i));
}

static void
add_marker_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StrataWindow *self = user_data;
  StrataMarker m;
  guint i = 0;

  if (self->track == NULL)
    return;
  m.time = strata_player_get_position (self->player);
  /* TRANSLATORS: the default name of a marker; %u counts them */
  m.name = g_strdup_printf (_("Marker %u"), ++self->n_markers_made);
  while (i < self->markers->len && g_array_index (self->markers, StrataMarker, i).time <= m.time)
    i++;
  g_array_insert_val (self->markers, i, m);
  /* the side panel's page comes with the first marker */
  if (gtk_widget_get_parent (self->marker_page) == NULL)
    strata_window_add_side_page (self, "markers", _("Markers"), self->marker_page);
  rebuild_list (self);
  markers_changed (self);
}

static const GActionEntry marker_entries[] = {
  { .name = "add-marker", .activate = add_marker_action },
};

/* Clears the markers (a new track). */
void
_strata_window_markers_reset (StrataWindow *self)
{
  g_array_set_size (self->markers, 0);
  self->n_markers_made = 0;
  rebuild_list (self);
  markers_changed (self);
}

void
_strata_window_markers_init (StrataWindow *self)
{
  GtkWidget *scroll = gtk_scrolled_window_new ();
  GtkWidget *empty = gtk_label_new (_("No markers. Press M to add one at the playhead."));

  self->markers = g_array_new (FALSE, FALSE, sizeof (StrataMarker));
  g_array_set_clear_func (self->markers, strata_marker_clear);
  g_action_map_add_action_entries (G_ACTION_MAP (self), marker_entries,
                                   G_N_ELEMENTS (marker_entries), self);

  self->marker_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->marker_list, GTK_SELECTION_NONE);
  gtk_list_box_set_activate_on_single_click (self->marker_list, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->marker_list), "navigation-sidebar");
  gtk_label_set_wrap (GTK_LABEL (empty), TRUE);
  gtk_widget_add_css_class (empty, "dim-label");
  gtk_widget_set_margin_top (empty, 12);
  gtk_widget_set_margin_start (empty, 12);
  gtk_widget_set_margin_end (empty, 12);
  gtk_list_box_set_placeholder (self->marker_list, empty);
  g_signal_connect (self->marker_list, "row-activated", G_CALLBACK (row_activated_cb), self);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll), GTK_WIDGET (self->marker_list));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroll), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroll, TRUE);
  self->marker_page = g_object_ref_sink (scroll);
}

void
_strata_window_markers_dispose (StrataWindow *self)
{
  g_clear_pointer (&self->markers, g_array_unref);
  g_clear_object (&self->marker_page);
}

/**
 * strata_window_get_markers:
 * @self: a #StrataWindow
 *
 * Returns: (transfer none): the open track's markers (StrataMarker), in time order
 */
const GArray *
strata_window_get_markers (StrataWindow *self)
{
  g_return_val_if_fail (STRATA_IS_WINDOW (self), NULL);
  return self->markers;
}
