/* strata-feature-bar.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include "strata-feature-bar.h"

struct _StrataFeatureBar
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkToggleButton *coarse_toggle;
  GtkToggleButton *medium_toggle;
  GtkToggleButton *fine_toggle;
  GtkDropDown *mode_dropdown;
  GtkDropDown *condition_dropdown;
  GtkStringList *condition_list;
  GtkLabel *hint_label;

  StrataFeatureController *controller;   /* (nullable) */
  GPtrArray *bindings;                    /* (element-type GBinding) */
  gboolean syncing;
};

G_DEFINE_FINAL_TYPE (StrataFeatureBar, strata_feature_bar, GTK_TYPE_WIDGET)

/* The condition list: "No condition", then the model's tags; keeps the
 * controller's condition selected. */
static void
sync_tags (StrataFeatureBar *self)
{
  g_auto(GStrv) tags = NULL;
  const char *current;
  guint n, selected = 0;

  if (self->controller == NULL)
    return;
  g_object_get (self->controller, "tags", &tags, NULL);
  current = strata_feature_controller_get_condition (self->controller);
  self->syncing = TRUE;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->condition_list));
  gtk_string_list_splice (self->condition_list, 1, n - 1, (const char *const *) tags);
  for (guint i = 0; tags && tags[i]; i++)
    if (g_strcmp0 (tags[i], current) == 0)
      selected = i + 1;
  gtk_drop_down_set_selected (self->condition_dropdown, selected);
  self->syncing = FALSE;
}

static void
condition_selected_cb (StrataFeatureBar *self)
{
  guint i = gtk_drop_down_get_selected (self->condition_dropdown);

  if (self->syncing || self->controller == NULL || i == GTK_INVALID_LIST_POSITION)
    return;
  strata_feature_controller_set_condition (
      self->controller, i == 0 ? "" : gtk_string_list_get_string (self->condition_list, i));
}

/* The hint until a search ran, then what it found ("7 similar passages at
 * the medium stratum", or none). */
static void
sync_search_status (StrataFeatureBar *self)
{
  const char *status = self->controller
                         ? strata_feature_controller_get_search_status (self->controller) : "";

  gtk_label_set_label (self->hint_label,
                       status[0] ? status : _("Drag over a stratum to find similar passages"));
  if (status[0])
    gtk_widget_remove_css_class (GTK_WIDGET (self->hint_label), "dim-label");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->hint_label), "dim-label");
}

static gboolean
mode_to_selected (GBinding *binding, const GValue *from, GValue *to, gpointer data)
{
  g_value_set_uint (to, (guint) g_value_get_enum (from));
  return TRUE;
}

static gboolean
selected_to_mode (GBinding *binding, const GValue *from, GValue *to, gpointer data)
{
  guint i = g_value_get_uint (from);

  if (i > STRATA_FEATURE_MODE_CURVE)
    return FALSE;
  g_value_set_enum (to, (int) i);
  return TRUE;
}

void
strata_feature_bar_set_controller (StrataFeatureBar *self, StrataFeatureController *controller)
{
  static const char *visible[3] = { "coarse-visible", "medium-visible", "fine-visible" };
  GtkToggleButton *toggles[3];

  g_return_if_fail (STRATA_IS_FEATURE_BAR (self));

  if (self->controller == controller)
    return;
  for (guint i = 0; i < self->bindings->len; i++)
    g_binding_unbind (g_ptr_array_index (self->bindings, i));
  g_ptr_array_set_size (self->bindings, 0);
  if (self->controller)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_clear_object (&self->controller);
  sync_search_status (self);
  if (controller == NULL)
    return;

  self->controller = g_object_ref (controller);
  toggles[0] = self->coarse_toggle;
  toggles[1] = self->medium_toggle;
  toggles[2] = self->fine_toggle;
  for (int l = 0; l < 3; l++)
    g_ptr_array_add (self->bindings,
                     g_object_bind_property (controller, visible[l], toggles[l], "active",
                                             G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE));
  g_ptr_array_add (self->bindings,
                   g_object_bind_property_full (controller, "mode", self->mode_dropdown, "selected",
                                                G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                                                mode_to_selected, selected_to_mode, NULL, NULL));
  g_signal_connect_swapped (controller, "notify::tags", G_CALLBACK (sync_tags), self);
  g_signal_connect_swapped (controller, "notify::condition", G_CALLBACK (sync_tags), self);
  g_signal_connect_swapped (controller, "notify::search-status", G_CALLBACK (sync_search_status),
                            self);
  sync_tags (self);
  sync_search_status (self);
}

static void
strata_feature_bar_dispose (GObject *object)
{
  StrataFeatureBar *self = STRATA_FEATURE_BAR (object);

  if (self->bindings)
    strata_feature_bar_set_controller (self, NULL);
  g_clear_pointer (&self->bindings, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), STRATA_TYPE_FEATURE_BAR);
  G_OBJECT_CLASS (strata_feature_bar_parent_class)->dispose (object);
}

static void
strata_feature_bar_class_init (StrataFeatureBarClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = strata_feature_bar_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/io/strata/Strata/ui/strata-feature-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, StrataFeatureBar, box);
  gtk_widget_class_bind_template_child (widget_class, StrataFeatureBar, coarse_toggle);
  gtk_widget_class_bind_template_child (widget_class, StrataFeatureBar, medium_toggle);
  gtk_widget_class_bind_template_child (widget_class, StrataFeatureBar, fine_toggle);
  gtk_widget_class_bind_template_child (widget_class, StrataFeatureBar, mode_dropdown);
  gtk_widget_class_bind_template_child (widget_class, StrataFeatureBar, condition_dropdown);
  gtk_widget_class_bind_template_child (widget_class, StrataFeatureBar, condition_list);
  gtk_widget_class_bind_template_child (widget_class, StrataFeatureBar, hint_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "strata-feature-bar");
}

static void
strata_feature_bar_init (StrataFeatureBar *self)
{
  self->bindings = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->condition_dropdown, "notify::selected",
                            G_CALLBACK (condition_selected_cb), self);
}

/**
 * strata_feature_bar_new:
 *
 * Returns: (transfer floating): the controls, unbound
 */
GtkWidget *
strata_feature_bar_new (void)
{
  return g_object_new (STRATA_TYPE_FEATURE_BAR, NULL);
}
