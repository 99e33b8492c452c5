/* strata-similar-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include "strata-similar-page.h"

struct _StrataSimilarPage
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkLabel *status;
  GtkScale *scale;
  GtkListBox *list;
  GPtrArray *row_texts;                  /* (element-type utf8) */
  StrataFeatureController *controller;   /* (owned) */
  GBinding *threshold_binding;
};

enum { SIGNAL_MATCH_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (StrataSimilarPage, strata_similar_page, GTK_TYPE_WIDGET)

static void
update_status (StrataSimilarPage *self)
{
  const char *status = strata_feature_controller_get_search_status (self->controller);

  gtk_label_set_label (self->status,
                       status[0] ? status
                                 : _("Drag across a feature lane to find the passages most like "
                                     "the selection at that stratum."));
}

static void
rebuild_rows (StrataSimilarPage *self)
{
  guint n = 0;
  const StrataMatch *m = strata_feature_controller_get_matches (self->controller, &n, NULL);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_ptr_array_set_size (self->row_texts, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *a = strata_timeline_format_time (m[i].start);
      g_autofree char *b = strata_timeline_format_time (m[i].end);
      /* Translators: a similar passage: start – end · similarity score */
      char *text = g_strdup_printf (_("%s – %s · %.2f"), a, b, m[i].score);
      GtkWidget *label = gtk_label_new (text);

      gtk_label_set_xalign (GTK_LABEL (label), 0.0);
      gtk_widget_add_css_class (label, "numeric");
      gtk_widget_set_margin_start (label, 6);
      gtk_widget_set_margin_end (label, 6);
      gtk_widget_set_margin_top (label, 4);
      gtk_widget_set_margin_bottom (label, 4);
      gtk_list_box_append (self->list, label);
      g_ptr_array_add (self->row_texts, text);
    }
  update_status (self);
}

static void
row_activated_cb (GtkListBox *list, GtkListBoxRow *row, StrataSimilarPage *self)
{
  strata_similar_page_activate_row (self, (guint) gtk_list_box_row_get_index (row));
}

static void
strata_similar_page_dispose (GObject *object)
{
  StrataSimilarPage *self = STRATA_SIMILAR_PAGE (object);

  if (self->threshold_binding)
    g_binding_unbind (self->threshold_binding);
  self->threshold_binding = NULL;
  if (self->controller)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_clear_object (&self->controller);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_pointer (&self->row_texts, g_ptr_array_unref);
  G_OBJECT_CLASS (strata_similar_page_parent_class)->dispose (object);
}

static void
strata_similar_page_class_init (StrataSimilarPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = strata_similar_page_dispose;

  /**
   * StrataSimilarPage::match-activated:
   * @index: the row
   * @start: the match's start, seconds
   */
  signals[SIGNAL_MATCH_ACTIVATED] =
    g_signal_new ("match-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_DOUBLE);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "strata-similar-page");
}

static void
strata_similar_page_init (StrataSimilarPage *self)
{
  GtkWidget *caption, *scrolled;

  self->row_texts = g_ptr_array_new_with_free_func (g_free);
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_start (self->box, 12);
  gtk_widget_set_margin_end (self->box, 12);
  gtk_widget_set_margin_top (self->box, 12);
  gtk_widget_set_margin_bottom (self->box, 12);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->status, TRUE);
  /* Wrapped to the panel's width, never widening it. */
  gtk_label_set_max_width_chars (self->status, 24);
  gtk_label_set_xalign (self->status, 0.0);
  gtk_widget_add_css_class (GTK_WIDGET (self->status), "heading");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->status));

  caption = gtk_label_new (_("Similarity a match needs"));
  gtk_label_set_xalign (GTK_LABEL (caption), 0.0);
  gtk_widget_add_css_class (caption, "caption");
  gtk_box_append (GTK_BOX (self->box), caption);
  self->scale = GTK_SCALE (gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, 0.3, 0.99, 0.01));
  gtk_scale_set_digits (self->scale, 2);
  gtk_scale_set_draw_value (self->scale, TRUE);
  gtk_scale_set_value_pos (self->scale, GTK_POS_RIGHT);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->scale), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Similarity a match needs"), -1);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->scale));

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_SINGLE);
  gtk_list_box_set_activate_on_single_click (self->list, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  g_signal_connect (self->list, "row-activated", G_CALLBACK (row_activated_cb), self);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->list));
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (self->box), scrolled);
}

/**
 * strata_similar_page_new:
 * @controller: the feature strata whose search the page shows
 *
 * Returns: (transfer floating): the page
 */
GtkWidget *
strata_similar_page_new (StrataFeatureController *controller)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_CONTROLLER (controller), NULL);

  StrataSimilarPage *self = g_object_new (STRATA_TYPE_SIMILAR_PAGE, NULL);

  self->controller = g_object_ref (controller);
  gtk_range_set_value (GTK_RANGE (self->scale), strata_feature_controller_get_threshold (controller));
  self->threshold_binding =
    g_object_bind_property (controller, "threshold", gtk_range_get_adjustment (GTK_RANGE (self->scale)),
                            "value", G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (controller, "matches-changed", G_CALLBACK (rebuild_rows), self);
  rebuild_rows (self);
  return GTK_WIDGET (self);
}

/**
 * strata_similar_page_get_n_rows:
 * @self: a #StrataSimilarPage
 *
 * Returns: the number of matches listed
 */
guint
strata_similar_page_get_n_rows (StrataSimilarPage *self)
{
  g_return_val_if_fail (STRATA_IS_SIMILAR_PAGE (self), 0);
  return self->row_texts->len;
}

/**
 * strata_similar_page_get_row_text:
 * @self: a #StrataSimilarPage
 * @index: a row
 *
 * Returns: (nullable): the row's text, "start – end · score"
 */
const char *
strata_similar_page_get_row_text (StrataSimilarPage *self, guint index)
{
  g_return_val_if_fail (STRATA_IS_SIMILAR_PAGE (self), NULL);
  return index < self->row_texts->len ? g_ptr_array_index (self->row_texts, index) : NULL;
}

/**
 * strata_similar_page_get_status:
 * @self: a #StrataSimilarPage
 *
 * Returns: the status line shown
 */
const char *
strata_similar_page_get_status (StrataSimilarPage *self)
{
  g_return_val_if_fail (STRATA_IS_SIMILAR_PAGE (self), NULL);
  return gtk_label_get_label (self->status);
}

/**
 * strata_similar_page_get_threshold_scale:
 * @self: a #StrataSimilarPage
 *
 * Returns: (transfer none): the threshold slider
 */
GtkRange *
strata_similar_page_get_threshold_scale (StrataSimilarPage *self)
{
  g_return_val_if_fail (STRATA_IS_SIMILAR_PAGE (self), NULL);
  return GTK_RANGE (self->scale);
}

/**
 * strata_similar_page_activate_row:
 * @self: a #StrataSimilarPage
 * @index: a row
 *
 * Selects row @index and emits "match-activated" for it, as a click does.
 */
void
strata_similar_page_activate_row (StrataSimilarPage *self, guint index)
{
  g_return_if_fail (STRATA_IS_SIMILAR_PAGE (self));

  guint n = 0;
  const StrataMatch *m = strata_feature_controller_get_matches (self->controller, &n, NULL);

  if (index >= n)
    return;
  strata_similar_page_select_row (self, (int) index);
  g_signal_emit (self, signals[SIGNAL_MATCH_ACTIVATED], 0, index, m[index].start);
}

/**
 * strata_similar_page_select_row:
 * @self: a #StrataSimilarPage
 * @index: a row, or -1 for none
 *
 * Highlights row @index (and scrolls it into view).
 */
void
strata_similar_page_select_row (StrataSimilarPage *self, int index)
{
  g_return_if_fail (STRATA_IS_SIMILAR_PAGE (self));

  GtkListBoxRow *row = index >= 0 ? gtk_list_box_get_row_at_index (self->list, index) : NULL;

  if (row)
    gtk_list_box_select_row (self->list, row);
  else
    gtk_list_box_unselect_all (self->list);
}
