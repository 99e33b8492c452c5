/* strata-ruler-lane.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include "strata-ruler-lane.h"

struct _StrataRulerLane
{
  StrataLane parent_instance;

  const StrataBeats *beats;   /* nullable, kept alive by owner */
  gpointer owner;
  GDestroyNotify owner_free;
  GArray *markers;            /* StrataMarker (copies) */
};

G_DEFINE_FINAL_TYPE (StrataRulerLane, strata_ruler_lane, STRATA_TYPE_LANE)

/* The smallest "nice" step that keeps labels at least @min_px apart. */
static double
nice_step (double s_per_px, double min_px)
{
  static const double steps[] = { 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
                                  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600 };
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i] / s_per_px >= min_px)
      return steps[i];
  return 7200;
}

static char *
format_tick (double t, double step)
{
  int m = (int) (t / 60);
  double s = t - m * 60;

  if (step >= 1)
    return g_strdup_printf ("%d:%02d", m, (int) round (s));
  if (step >= 0.1)
    return g_strdup_printf ("%d:%04.1f", m, s);
  if (step >= 0.01)
    return g_strdup_printf ("%d:%05.2f", m, s);
  return g_strdup_printf ("%d:%06.3f", m, s);
}

/* Bar numbers along the top, a mark per beat: only as many as fit. */
static void
render_beats (StrataRulerLane *self, cairo_t *cr, int width, double start_s, double s_per_px,
              const GdkRGBA *fg)
{
  const GArray *a = self->beats->beats;
  const double end_s = start_s + width * s_per_px;
  double beat_px, bar_px;
  int every = 1;   /* label every n-th bar */
  int last_label_x = -1000;

  if (a->len < 2)
    return;
  beat_px = 60.0 / MAX (self->beats->bpm, 1.0) / s_per_px;
  bar_px = beat_px * self->beats->beats_per_bar;
  while (bar_px * every < 28 && every < 4096)
    every *= 2;
  cairo_set_line_width (cr, 1);
  for (guint i = 0; i < a->len; i++)
    {
      double t = g_array_index (a, double, i);
      int bar = strata_beats_bar_at (self->beats, i);
      double x;

      if (t < start_s - 1.0)
        continue;
      if (t > end_s)
        break;
      x = floor ((t - start_s) / s_per_px) + 0.5;
      if (bar > 0 && (bar - 1) % every == 0)
        {
          g_autofree char *text = g_strdup_printf ("%d", bar);
          PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
          int tw, th;

          cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.95);   /* accent blue */
          cairo_move_to (cr, x, 0);
          cairo_line_to (cr, x, 7);
          cairo_stroke (cr);
          pango_layout_get_pixel_size (layout, &tw, &th);
          if (x + 2 > last_label_x)
            {
              cairo_move_to (cr, x + 2, -2);
              pango_cairo_show_layout (cr, layout);
              last_label_x = (int) x + 2 + tw + 4;
            }
          g_object_unref (layout);
        }
      else if (beat_px >= 5 && bar == 0)
        {
          cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.35);
          cairo_move_to (cr, x, 0);
          cairo_line_to (cr, x, 3);
          cairo_stroke (cr);
        }
    }
}

static void
strata_ruler_lane_render (StrataLane *lane, cairo_t *cr, int width, int height,
                          double start_s, double s_per_px)
{
  GtkWidget *widget = GTK_WIDGET (lane);
  StrataRulerLane *self = STRATA_RULER_LANE (lane);
  double step = nice_step (s_per_px, 80);
  double minor = step / 5;
  GdkRGBA fg;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  gdk_cairo_set_source_rgba (cr, &fg);

  for (double t = floor (start_s / minor) * minor; t <= start_s + width * s_per_px; t += minor)
    {
      double x = floor ((t - start_s) / s_per_px) + 0.5;
      gboolean major = fabs (t / step - round (t / step)) < 1e-6;

      cairo_set_line_width (cr, 1);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, major ? 0.7 : 0.3);
      cairo_move_to (cr, x, height - (major ? 8 : 4));
      cairo_line_to (cr, x, height);
      cairo_stroke (cr);
      if (major)
        {
          g_autofree char *text = format_tick (MAX (t, 0.0), step);
          PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
          int tw, th;

          pango_layout_get_pixel_size (layout, &tw, &th);
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.75);
          cairo_move_to (cr, x + 3, MAX (0, height - 8 - th));
          pango_cairo_show_layout (cr, layout);
          g_object_unref (layout);
        }
    }
  if (self->beats != NULL)
    render_beats (self, cr, width, start_s, s_per_px, &fg);
  for (guint i = 0; self->markers && i < self->markers->len; i++)
    {
      const StrataMarker *m = &g_array_index (self->markers, StrataMarker, i);
      double x = floor ((m->time - start_s) / s_per_px) + 0.5;
      PangoLayout *layout;

      if (x < -200 || x > width)
        continue;
      /* an orange flag on a line down the ruler, the name beside it */
      cairo_set_source_rgba (cr, 0.90, 0.38, 0.0, 1.0);
      cairo_move_to (cr, x, 0);
      cairo_line_to (cr, x, height);
      cairo_stroke (cr);
      cairo_move_to (cr, x, 0);
      cairo_line_to (cr, x + 7, 3.5);
      cairo_line_to (cr, x, 7);
      cairo_close_path (cr);
      cairo_fill (cr);
      layout = gtk_widget_create_pango_layout (widget, m->name);
      cairo_move_to (cr, x + 9, -2);
      pango_cairo_show_layout (cr, layout);
      g_object_unref (layout);
    }
}

/**
 * strata_ruler_lane_set_markers:
 * @self: the ruler
 * @markers: (array length=n_markers) (nullable): the markers (copied)
 * @n_markers: their number
 */
void
strata_ruler_lane_set_markers (StrataRulerLane    *self,
                               const StrataMarker *markers,
                               guint               n_markers)
{
  g_return_if_fail (STRATA_IS_RULER_LANE (self));
  g_array_set_size (self->markers, 0);
  for (guint i = 0; i < n_markers; i++)
    {
      StrataMarker m = { markers[i].time, g_strdup (markers[i].name) };
      g_array_append_val (self->markers, m);
    }
  strata_lane_invalidate (STRATA_LANE (self));
}

static void
release_owner (StrataRulerLane *self)
{
  if (self->owner_free && self->owner)
    self->owner_free (self->owner);
  self->owner = NULL;
  self->owner_free = NULL;
  self->beats = NULL;
}

static void
strata_ruler_lane_dispose (GObject *object)
{
  release_owner (STRATA_RULER_LANE (object));
  g_clear_pointer (&STRATA_RULER_LANE (object)->markers, g_array_unref);
  G_OBJECT_CLASS (strata_ruler_lane_parent_class)->dispose (object);
}

/**
 * strata_ruler_lane_set_beats:
 * @self: the ruler
 * @beats: (nullable): the beat grid, borrowed
 * @owner: (nullable): keeps @beats alive
 * @owner_free: (nullable): releases @owner
 */
void
strata_ruler_lane_set_beats (StrataRulerLane   *self,
                             const StrataBeats *beats,
                             gpointer           owner,
                             GDestroyNotify     owner_free)
{
  g_return_if_fail (STRATA_IS_RULER_LANE (self));
  release_owner (self);
  self->beats = beats;
  self->owner = owner;
  self->owner_free = owner_free;
  strata_lane_invalidate (STRATA_LANE (self));
}

static void
strata_ruler_lane_class_init (StrataRulerLaneClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = strata_ruler_lane_dispose;
  STRATA_LANE_CLASS (klass)->render = strata_ruler_lane_render;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "strata-ruler-lane");
}

static void
strata_ruler_lane_init (StrataRulerLane *self)
{
  gtk_widget_set_size_request (GTK_WIDGET (self), 100, 30);
  self->markers = g_array_new (FALSE, FALSE, sizeof (StrataMarker));
  g_array_set_clear_func (self->markers, strata_marker_clear);
  gtk_widget_add_css_class (GTK_WIDGET (self), "caption");
}

/**
 * strata_ruler_lane_new:
 *
 * Returns: (transfer floating): a time ruler
 */
StrataLane *
strata_ruler_lane_new (void)
{
  return g_object_new (STRATA_TYPE_RULER_LANE, NULL);
}
