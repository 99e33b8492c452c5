/* strata-section-ribbon.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>
#include "strata-feature-colors.h"
#include "strata-section-ribbon.h"

struct _StrataSectionRibbon
{
  StrataLane parent_instance;

  GArray *sections;   /* (element-type StrataSection) */
};

enum { SIGNAL_SECTION_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (StrataSectionRibbon, strata_section_ribbon, STRATA_TYPE_LANE)

/* The section under @x, or NULL. */
static const StrataSection *
section_at (StrataSectionRibbon *self, double x)
{
  StrataViewport *vp = strata_lane_get_viewport (STRATA_LANE (self));
  double t;

  if (vp == NULL)
    return NULL;
  t = strata_viewport_x_to_time (vp, x);
  for (guint i = 0; i < self->sections->len; i++)
    {
      const StrataSection *s = &g_array_index (self->sections, StrataSection, i);
      if (t >= s->start && t < s->end)
        return s;
    }
  return NULL;
}

/**
 * strata_section_ribbon_activate_at:
 * @self: a #StrataSectionRibbon
 * @x: x in lane coordinates
 *
 * What a double click does: emits #StrataSectionRibbon::section-activated
 * for the section under @x.
 *
 * Returns: whether there was a section
 */
gboolean
strata_section_ribbon_activate_at (StrataSectionRibbon *self, double x)
{
  g_return_val_if_fail (STRATA_IS_SECTION_RIBBON (self), FALSE);

  const StrataSection *s = section_at (self, x);
  if (s == NULL)
    return FALSE;
  g_signal_emit (self, signals[SIGNAL_SECTION_ACTIVATED], 0, s->start, s->end);
  return TRUE;
}

static void
pressed_cb (GtkGestureClick *click, int n_press, double x, double y, StrataSectionRibbon *self)
{
  if (n_press == 2)
    strata_section_ribbon_activate_at (self, x);
}

static void
set_color (cairo_t *cr, guint32 c, double alpha)
{
  cairo_set_source_rgba (cr, ((c >> 16) & 0xff) / 255.0, ((c >> 8) & 0xff) / 255.0,
                         (c & 0xff) / 255.0, alpha);
}

static void
strata_section_ribbon_render (StrataLane *lane, cairo_t *cr, int width, int height,
                              double start_s, double s_per_px)
{
  StrataSectionRibbon *self = STRATA_SECTION_RIBBON (lane);

  cairo_set_source_rgb (cr, 0.12, 0.12, 0.14);
  cairo_paint (cr);
  for (guint i = 0; i < self->sections->len; i++)
    {
      const StrataSection *s = &g_array_index (self->sections, StrataSection, i);
      double xa = (s->start - start_s) / s_per_px, xb = (s->end - start_s) / s_per_px;
      g_autofree char *name = NULL;
      PangoLayout *layout;
      guint32 c = strata_category_color (s->label);
      int tw, th;

      if (xb < 0 || xa > width)
        continue;
      cairo_rectangle (cr, round (xa) + 1, 2, MAX (round (xb) - round (xa) - 2, 1), height - 4);
      set_color (cr, c, 1.0);
      cairo_fill (cr);

      name = strata_section_label_name (s->label);
      layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), name);
      pango_layout_get_pixel_size (layout, &tw, &th);
      if (xb - xa > tw + 6)
        {
          double x = CLAMP ((xa + xb - tw) / 2, MAX (xa, 0) + 3, MIN (xb, width) - tw - 3);
          /* Dark or light text, whichever reads better on the colour. */
          double luma = 0.2126 * ((c >> 16) & 0xff) + 0.7152 * ((c >> 8) & 0xff) + 0.0722 * (c & 0xff);
          if (luma > 140)
            cairo_set_source_rgb (cr, 0, 0, 0);
          else
            cairo_set_source_rgb (cr, 1, 1, 1);
          cairo_move_to (cr, x, (height - th) / 2.0);
          pango_cairo_show_layout (cr, layout);
        }
      g_object_unref (layout);
    }
}

static char *
format_time (double seconds)
{
  gint64 s = (gint64) (MAX (seconds, 0.0) + 0.5);
  return g_strdup_printf ("%d:%02d", (int) (s / 60), (int) (s % 60));
}

/**
 * strata_section_ribbon_describe_point:
 * @self: a #StrataSectionRibbon
 * @x: pointer x in lane coordinates
 *
 * Returns: (transfer full) (nullable): the section under @x and its time
 *   range, e.g. "Section B · 0:12–0:34" (the tooltip)
 */
char *
strata_section_ribbon_describe_point (StrataSectionRibbon *self, double x)
{
  g_return_val_if_fail (STRATA_IS_SECTION_RIBBON (self), NULL);

  const StrataSection *s = section_at (self, x);
  g_autofree char *name = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (s == NULL)
    return NULL;
  name = strata_section_label_name (s->label);
  a = format_time (s->start);
  b = format_time (s->end);
  /* Translators: section letter, start and end time, e.g. "Section B · 0:12–0:34" */
  return g_strdup_printf (_("Section %s · %s–%s"), name, a, b);
}

static char *
describe_point (StrataLane *lane, double x, double y)
{
  return strata_section_ribbon_describe_point (STRATA_SECTION_RIBBON (lane), x);
}

static void
strata_section_ribbon_finalize (GObject *object)
{
  StrataSectionRibbon *self = STRATA_SECTION_RIBBON (object);

  g_array_unref (self->sections);
  G_OBJECT_CLASS (strata_section_ribbon_parent_class)->finalize (object);
}

static void
strata_section_ribbon_class_init (StrataSectionRibbonClass *klass)
{
  STRATA_LANE_CLASS (klass)->render = strata_section_ribbon_render;
  STRATA_LANE_CLASS (klass)->describe_point = describe_point;
  STRATA_LANE_CLASS (klass)->dark = TRUE;

  /**
   * StrataSectionRibbon::section-activated:
   * @start: the section's start, seconds
   * @end: its end
   *
   * The user double-clicked a section.
   */
  signals[SIGNAL_SECTION_ACTIVATED] =
    g_signal_new ("section-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  G_OBJECT_CLASS (klass)->finalize = strata_section_ribbon_finalize;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "strata-section-ribbon");
}

static void
strata_section_ribbon_init (StrataSectionRibbon *self)
{
  self->sections = g_array_new (FALSE, FALSE, sizeof (StrataSection));
  strata_lane_set_title (STRATA_LANE (self), _("Sections"));
  gtk_widget_set_size_request (GTK_WIDGET (self), 100, 26);

  /* Watches double clicks only; the timeline's gestures still run. */
  GtkGesture *click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

/**
 * strata_section_ribbon_new:
 *
 * Returns: (transfer floating): an empty section ribbon
 */
StrataLane *
strata_section_ribbon_new (void)
{
  return g_object_new (STRATA_TYPE_SECTION_RIBBON, NULL);
}

/**
 * strata_section_ribbon_set_sections:
 * @self: a #StrataSectionRibbon
 * @sections: (array length=n) (nullable): sections in seconds
 * @n: how many
 *
 * Replaces the shown sections.
 */
void
strata_section_ribbon_set_sections (StrataSectionRibbon *self, const StrataSection *sections,
                                    guint n)
{
  g_return_if_fail (STRATA_IS_SECTION_RIBBON (self));
  g_return_if_fail (n == 0 || sections != NULL);

  g_array_set_size (self->sections, 0);
  if (n > 0)
    g_array_append_vals (self->sections, sections, n);
  strata_lane_invalidate (STRATA_LANE (self));
}

/**
 * strata_section_ribbon_get_n_sections:
 * @self: a #StrataSectionRibbon
 *
 * Returns: the number of shown sections
 */
guint
strata_section_ribbon_get_n_sections (StrataSectionRibbon *self)
{
  g_return_val_if_fail (STRATA_IS_SECTION_RIBBON (self), 0);
  return self->sections->len;
}

/**
 * strata_section_ribbon_get_sections:
 * @self: a #StrataSectionRibbon
 *
 * Returns: (transfer none) (nullable): the shown sections
 */
const StrataSection *
strata_section_ribbon_get_sections (StrataSectionRibbon *self)
{
  g_return_val_if_fail (STRATA_IS_SECTION_RIBBON (self), NULL);
  return self->sections->len ? (const StrataSection *) self->sections->data : NULL;
}
