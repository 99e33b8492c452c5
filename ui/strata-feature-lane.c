/* strata-feature-lane.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "strata-feature-colors.h"
#include "strata-feature-lane.h"
#include "strata-timeline.h"

#define MAX_AVERAGE 32           /* frames averaged per pixel column, at most */
#define BACKGROUND 0xff1e1e24u
#define DEFAULT_HEIGHT 96       /* px: room for the dimension axis and the legend */

struct _StrataFeatureLane
{
  StrataLane parent_instance;

  StrataLevel level;
  StrataFeatureMode mode;
  StrataFeatureMaps *maps;       /* (nullable) */
  char *message;                 /* (nullable) */
  GArray *matches;               /* (element-type StrataMatch) seconds */
  gint64 press_time;
  float *column;                 /* (D) scratch */
  int column_len;
};

enum { PROP_0, PROP_LEVEL, PROP_MODE, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (StrataFeatureMode, strata_feature_mode,
                    G_DEFINE_ENUM_VALUE (STRATA_FEATURE_MODE_HEATMAP, "heatmap"),
                    G_DEFINE_ENUM_VALUE (STRATA_FEATURE_MODE_TOKENS, "tokens"),
                    G_DEFINE_ENUM_VALUE (STRATA_FEATURE_MODE_PCA, "pca"))

G_DEFINE_FINAL_TYPE (StrataFeatureLane, strata_feature_lane, STRATA_TYPE_LANE)

static const StrataFeatureLevel *
get_level (StrataFeatureLane *self)
{
  if (self->maps == NULL)
    return NULL;
  const StrataFeatureLevel *fl = &strata_feature_maps_get_features (self->maps)->level[self->level];
  return fl->T > 0 && fl->D > 0 && fl->rate > 0 ? fl : NULL;
}

static const char *
level_title (StrataLevel level)
{
  switch (level)
    {
    case STRATA_LEVEL_COARSE:
      return _("Coarse");
    case STRATA_LEVEL_MEDIUM:
      return _("Medium");
    case STRATA_LEVEL_FINE:
    default:
      return _("Fine");
    }
}

/* Frames [*f0, *f1) under the pixel column [t0, t0 + spp); FALSE when none. */
static gboolean
frames_of_column (const StrataFeatureLevel *fl, double t0, double spp, int *f0, int *f1)
{
  double a = t0 * fl->rate, b = (t0 + spp) * fl->rate;

  if (b <= 0 || a >= fl->T)
    return FALSE;
  *f0 = (int) CLAMP (floor (a), 0, fl->T - 1);
  *f1 = (int) CLAMP (ceil (b), *f0 + 1, fl->T);
  return TRUE;
}

static guint32
average_rgb (const guint8 *rgb, int f0, int f1)
{
  int step = MAX (1, (f1 - f0) / MAX_AVERAGE), n = 0;
  double r = 0, g = 0, b = 0;

  for (int f = f0; f < f1; f += step, n++)
    {
      r += rgb[f * 3];
      g += rgb[f * 3 + 1];
      b += rgb[f * 3 + 2];
    }
  return 0xff000000u | (guint32) lround (r / n) << 16 | (guint32) lround (g / n) << 8
         | (guint32) lround (b / n);
}

static void
strata_feature_lane_render (StrataLane *lane, cairo_t *cr, int width, int height,
                           double start_s, double s_per_px)
{
  StrataFeatureLane *self = STRATA_FEATURE_LANE (lane);
  const StrataFeatureLevel *fl = get_level (self);
  cairo_surface_t *target = cairo_get_target (cr);
  const guint32 *lut = strata_colormap_viridis ();
  double logical_width = width, logical_spp = s_per_px;
  guint32 *pixels;
  int stride;

  cairo_set_source_rgb (cr, ((BACKGROUND >> 16) & 0xff) / 255.0, ((BACKGROUND >> 8) & 0xff) / 255.0,
                        (BACKGROUND & 0xff) / 255.0);
  cairo_paint (cr);
  if (fl == NULL)
    return;

  /* Pixels are written directly, in device pixels (HiDPI). */
  cairo_surface_flush (target);
  pixels = (guint32 *) cairo_image_surface_get_data (target);
  stride = cairo_image_surface_get_stride (target) / 4;
  s_per_px *= (double) width / cairo_image_surface_get_width (target);
  width = cairo_image_surface_get_width (target);
  height = cairo_image_surface_get_height (target);

  if (self->column_len < fl->D)
    {
      self->column = g_renew (float, self->column, fl->D);
      self->column_len = fl->D;
    }

  for (int x = 0; x < width; x++)
    {
      int f0, f1;

      if (!frames_of_column (fl, start_s + x * s_per_px, s_per_px, &f0, &f1))
        continue;
      switch (self->mode)
        {
        case STRATA_FEATURE_MODE_HEATMAP:
          {
            const float *heat = strata_feature_maps_get_heat (self->maps, self->level);
            int step = MAX (1, (f1 - f0) / MAX_AVERAGE), n = 0;

            memset (self->column, 0, sizeof (float) * fl->D);
            for (int f = f0; f < f1; f += step, n++)
              for (int d = 0; d < fl->D; d++)
                self->column[d] += heat[(gsize) f * fl->D + d];
            /* Pixel row y shows the mean of the display-order dimensions
             * [y D / h, (y + 1) D / h): every dimension counts when D
             * exceeds the height; otherwise rows repeat one dimension. */
            for (int y = 0; y < height; y++)
              {
                int j0 = (int) ((gint64) y * fl->D / height);
                int j1 = MAX (j0 + 1, (int) ((gint64) (y + 1) * fl->D / height));
                float sum = 0.0f;

                for (int j = j0; j < j1; j++)
                  sum += self->column[j];
                int i = (int) CLAMP (sum / ((float) n * (j1 - j0)) * 255.0f + 0.5f, 0.0f, 255.0f);
                pixels[(gsize) y * stride + x] = lut[i];
              }
          }
          break;
        case STRATA_FEATURE_MODE_TOKENS:
          {
            /* The token at the column's centre: its colour fills the
             * column, and a bright tick at its codebook position. */
            int f = (f0 + f1 - 1) / 2;
            int tok = fl->tokens[f];
            guint32 c = strata_category_color (tok);
            int ty = fl->K > 1 ? (int) ((gint64) (fl->K - 1 - tok) * MAX (height - 3, 0) / (fl->K - 1))
                               : height / 2;

            for (int y = 0; y < height; y++)
              pixels[(gsize) y * stride + x] = (y >= ty && y < ty + 3) ? 0xffffffffu : c;
          }
          break;
        case STRATA_FEATURE_MODE_PCA:
        default:
          {
            guint32 c = average_rgb (strata_feature_maps_get_rgb (self->maps, self->level), f0, f1);
            for (int y = 0; y < height; y++)
              pixels[(gsize) y * stride + x] = c;
          }
          break;
        }
    }
  cairo_surface_mark_dirty (target);

  /* Similar passages: a bright outline and a light veil. */
  for (guint i = 0; self->matches && i < self->matches->len; i++)
    {
      const StrataMatch *m = &g_array_index (self->matches, StrataMatch, i);
      double xa = (m->start - start_s) / logical_spp, xb = (m->end - start_s) / logical_spp;

      if (xb < 0 || xa > logical_width)
        continue;
      cairo_rectangle (cr, floor (xa) + 1, 1, MAX (ceil (xb - xa) - 2, 1), height - 2);
      cairo_set_source_rgba (cr, 1.0, 1.0, 1.0, 0.18);
      cairo_fill_preserve (cr);
      cairo_set_line_width (cr, 2.0);
      cairo_set_source_rgba (cr, 1.0, 0.85, 0.2, 0.95);
      cairo_stroke (cr);
    }
}

static void
strata_feature_lane_draw_overlay (StrataLane *lane, cairo_t *cr, int width, int height)
{
  StrataFeatureLane *self = STRATA_FEATURE_LANE (lane);
  PangoLayout *layout;
  int tw, th;

  if (get_level (self) != NULL || self->message == NULL)
    return;
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->message);
  pango_layout_get_pixel_size (layout, &tw, &th);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.85);
  cairo_move_to (cr, MAX (8, (width - tw) / 2), (height - th) / 2.0);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

char *
strata_feature_lane_describe_point (StrataFeatureLane *self, double x, double y)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_LANE (self), NULL);

  StrataViewport *vp = strata_lane_get_viewport (STRATA_LANE (self));
  const StrataFeatureLevel *fl = get_level (self);
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  g_autofree char *when = NULL;
  double t;
  int f, j, dim;

  if (vp == NULL || fl == NULL || height <= 0)
    return NULL;
  t = strata_viewport_x_to_time (vp, x);
  f = (int) floor (t * fl->rate);
  if (t < 0 || f >= fl->T)
    return NULL;
  when = strata_timeline_format_time (t);
  j = (int) CLAMP (y * fl->D / height, 0, fl->D - 1);
  dim = strata_feature_maps_get_order (self->maps, self->level)[j];
  /* Translators: time · level · token id · feature dimension = value,
   * e.g. "0:12.345 · Coarse · token 17 · dimension 5 = 0.731" */
  return g_strdup_printf (_("%s · %s · token %d · dimension %d = %.3f"), when,
                          level_title (self->level), fl->tokens[f], dim,
                          fl->features[(gsize) f * fl->D + dim]);
}

static char *
describe_point (StrataLane *lane, double x, double y)
{
  return strata_feature_lane_describe_point (STRATA_FEATURE_LANE (lane), x, y);
}

static void
pressed_cb (GtkGestureClick *click, int n_press, double x, double y, StrataFeatureLane *self)
{
  self->press_time = g_get_monotonic_time ();
}

static void
strata_feature_lane_finalize (GObject *object)
{
  StrataFeatureLane *self = STRATA_FEATURE_LANE (object);

  g_clear_pointer (&self->maps, strata_feature_maps_unref);
  g_clear_pointer (&self->matches, g_array_unref);
  g_free (self->message);
  g_free (self->column);
  G_OBJECT_CLASS (strata_feature_lane_parent_class)->finalize (object);
}

static void
strata_feature_lane_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StrataFeatureLane *self = STRATA_FEATURE_LANE (object);

  switch (prop_id)
    {
    case PROP_LEVEL:
      g_value_set_int (value, self->level);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_feature_lane_set_property (GObject *object, guint prop_id, const GValue *value,
                                 GParamSpec *pspec)
{
  StrataFeatureLane *self = STRATA_FEATURE_LANE (object);

  switch (prop_id)
    {
    case PROP_LEVEL:
      self->level = g_value_get_int (value);
      strata_lane_set_title (STRATA_LANE (self), level_title (self->level));
      break;
    case PROP_MODE:
      strata_feature_lane_set_mode (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_feature_lane_class_init (StrataFeatureLaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  StrataLaneClass *lane_class = STRATA_LANE_CLASS (klass);

  object_class->finalize = strata_feature_lane_finalize;
  object_class->get_property = strata_feature_lane_get_property;
  object_class->set_property = strata_feature_lane_set_property;
  lane_class->render = strata_feature_lane_render;
  lane_class->draw_overlay = strata_feature_lane_draw_overlay;
  lane_class->describe_point = describe_point;
  lane_class->dark = TRUE;

  properties[PROP_LEVEL] =
    g_param_spec_int ("level", NULL, NULL, STRATA_LEVEL_COARSE, STRATA_LEVEL_FINE,
                      STRATA_LEVEL_COARSE,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL, STRATA_TYPE_FEATURE_MODE, STRATA_FEATURE_MODE_HEATMAP,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "strata-feature-lane");
}

static void
strata_feature_lane_init (StrataFeatureLane *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_widget_set_size_request (GTK_WIDGET (self), 100, DEFAULT_HEIGHT);

  /* Only watches presses (capture phase, never claims the sequence): the
   * timeline's drag gesture still makes the selection. */
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

/**
 * strata_feature_lane_new:
 * @level: the stratum shown
 *
 * Returns: (transfer floating): a feature-stratum lane
 */
StrataLane *
strata_feature_lane_new (StrataLevel level)
{
  return g_object_new (STRATA_TYPE_FEATURE_LANE, "level", (int) level, NULL);
}

/**
 * strata_feature_lane_get_level:
 * @self: a #StrataFeatureLane
 *
 * Returns: the stratum shown
 */
StrataLevel
strata_feature_lane_get_level (StrataFeatureLane *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_LANE (self), STRATA_LEVEL_COARSE);
  return self->level;
}

/**
 * strata_feature_lane_get_mode:
 * @self: a #StrataFeatureLane
 *
 * Returns: how the stratum is drawn
 */
StrataFeatureMode
strata_feature_lane_get_mode (StrataFeatureLane *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_LANE (self), STRATA_FEATURE_MODE_HEATMAP);
  return self->mode;
}

/**
 * strata_feature_lane_set_mode:
 * @self: a #StrataFeatureLane
 * @mode: heatmap, token map or PCA ribbon
 *
 * Switches the drawing.
 */
void
strata_feature_lane_set_mode (StrataFeatureLane *self, StrataFeatureMode mode)
{
  g_return_if_fail (STRATA_IS_FEATURE_LANE (self));

  if (self->mode == mode)
    return;
  self->mode = mode;
  strata_lane_invalidate (STRATA_LANE (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

/**
 * strata_feature_lane_set_maps:
 * @self: a #StrataFeatureLane
 * @maps: (nullable) (transfer none): the features to draw
 *
 * Replaces the drawn features; clears the similarity matches.
 */
void
strata_feature_lane_set_maps (StrataFeatureLane *self, StrataFeatureMaps *maps)
{
  g_return_if_fail (STRATA_IS_FEATURE_LANE (self));

  if (self->maps == maps)
    return;
  g_clear_pointer (&self->maps, strata_feature_maps_unref);
  if (maps != NULL)
    self->maps = strata_feature_maps_ref (maps);
  if (self->matches)
    g_array_set_size (self->matches, 0);
  strata_lane_invalidate (STRATA_LANE (self));
}

/**
 * strata_feature_lane_get_maps:
 * @self: a #StrataFeatureLane
 *
 * Returns: (transfer none) (nullable): the drawn features
 */
StrataFeatureMaps *
strata_feature_lane_get_maps (StrataFeatureLane *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_LANE (self), NULL);
  return self->maps;
}

/**
 * strata_feature_lane_set_message:
 * @self: a #StrataFeatureLane
 * @message: (nullable): text shown while there are no features
 *
 * Sets the lane's message ("No model installed", "Computing…").
 */
void
strata_feature_lane_set_message (StrataFeatureLane *self, const char *message)
{
  g_return_if_fail (STRATA_IS_FEATURE_LANE (self));

  if (g_strcmp0 (self->message, message) == 0)
    return;
  g_free (self->message);
  self->message = g_strdup (message);
  strata_lane_invalidate (STRATA_LANE (self));
}

/**
 * strata_feature_lane_get_message:
 * @self: a #StrataFeatureLane
 *
 * Returns: (nullable): the message
 */
const char *
strata_feature_lane_get_message (StrataFeatureLane *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_LANE (self), NULL);
  return self->message;
}

/**
 * strata_feature_lane_set_matches:
 * @self: a #StrataFeatureLane
 * @matches: (array length=n) (nullable): passages in seconds
 * @n: how many
 *
 * Outlines @matches (similarity search results) over the stratum.
 */
void
strata_feature_lane_set_matches (StrataFeatureLane *self, const StrataMatch *matches, guint n)
{
  g_return_if_fail (STRATA_IS_FEATURE_LANE (self));
  g_return_if_fail (n == 0 || matches != NULL);

  if (self->matches == NULL)
    self->matches = g_array_new (FALSE, FALSE, sizeof (StrataMatch));
  g_array_set_size (self->matches, 0);
  if (n > 0)
    g_array_append_vals (self->matches, matches, n);
  strata_lane_invalidate (STRATA_LANE (self));
}

/**
 * strata_feature_lane_get_n_matches:
 * @self: a #StrataFeatureLane
 *
 * Returns: the number of outlined passages
 */
guint
strata_feature_lane_get_n_matches (StrataFeatureLane *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_LANE (self), 0);
  return self->matches ? self->matches->len : 0;
}

/**
 * strata_feature_lane_get_press_time:
 * @self: a #StrataFeatureLane
 *
 * Returns: g_get_monotonic_time() of the last press in the lane, or 0
 */
gint64
strata_feature_lane_get_press_time (StrataFeatureLane *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_LANE (self), 0);
  return self->press_time;
}
