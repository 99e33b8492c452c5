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
#define CURVE_COLOR 0xffb8c4e0u   /* light blue-grey, unlike the outlines of matches */
#define CURVE_SHARE 0.68          /* of the height for the change curve, the rest the strip */
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
  GtkWidget *legend;             /* (owned by the header) what the colours mean */
  GtkLabel *info_label;          /* (owned by the header) the info popover's text */
};

enum { PROP_0, PROP_LEVEL, PROP_MODE, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_ENUM_TYPE (StrataFeatureMode, strata_feature_mode,
                    G_DEFINE_ENUM_VALUE (STRATA_FEATURE_MODE_HEATMAP, "heatmap"),
                    G_DEFINE_ENUM_VALUE (STRATA_FEATURE_MODE_TOKENS, "tokens"),
                    G_DEFINE_ENUM_VALUE (STRATA_FEATURE_MODE_PCA, "pca"),
                    G_DEFINE_ENUM_VALUE (STRATA_FEATURE_MODE_CURVE, "curve"))

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
        case STRATA_FEATURE_MODE_CURVE:
          {
            /* The largest change under the column (a peak never falls
             * between pixels), filled up from the curve's baseline. */
            const float *change = strata_feature_maps_get_change (self->maps, self->level);
            guint32 c = average_rgb (strata_feature_maps_get_rgb (self->maps, self->level), f0, f1);
            int split = (int) (height * CURVE_SHARE), top = split;
            float v = 0.0f;

            for (int f = f0; change && f < f1; f++)
              v = MAX (v, change[f]);
            top = split - 1 - (int) lround (v * (split - 3));
            for (int y = 0; y < split; y++)
              pixels[(gsize) y * stride + x] = y >= top ? CURVE_COLOR : BACKGROUND;
            for (int y = split; y < height; y++)
              pixels[(gsize) y * stride + x] = c;
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

/* Draws @text at (@x, @y) (its left or right edge, @right) on a dark
 * backing, small. */
static void
show_small_text (StrataFeatureLane *self, cairo_t *cr, const char *text, double x, double y,
                 gboolean right)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoFontDescription *font = pango_font_description_from_string ("Sans 7");
  int tw, th;

  pango_layout_set_font_description (layout, font);
  pango_layout_get_pixel_size (layout, &tw, &th);
  if (right)
    x -= tw;
  cairo_set_source_rgba (cr, 0, 0, 0, 0.55);
  cairo_rectangle (cr, x - 1, y, tw + 2, th);
  cairo_fill (cr);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  pango_font_description_free (font);
  g_object_unref (layout);
}

/* The vertical axis at the lane's left edge: the dimension shown in a few
 * heatmap rows (dimensions are ordered by their PC1 loading, so the ids are
 * not in sequence), or token ids at the token map's tick positions. The
 * PCA ribbon has no vertical axis (one colour per frame; the legend says
 * which component drives which channel). */
static void
draw_axis (StrataFeatureLane *self, cairo_t *cr, int height)
{
  const StrataFeatureLevel *fl = get_level (self);
  int ticks = height >= 80 ? 5 : 3;

  if (self->mode == STRATA_FEATURE_MODE_HEATMAP)
    {
      const int *order = strata_feature_maps_get_order (self->maps, self->level);

      for (int i = 0; i < ticks; i++)
        {
          int j = (int) ((gint64) i * (fl->D - 1) / (ticks - 1));
          double y = (j + 0.5) * height / fl->D;
          g_autofree char *text = g_strdup_printf ("d%d", order[j]);

          cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
          cairo_rectangle (cr, 0, floor (y), 4, 1);
          cairo_fill (cr);
          show_small_text (self, cr, text, 5, CLAMP (y - 5, 0, height - 11), FALSE);
        }
    }
  else if (self->mode == STRATA_FEATURE_MODE_CURVE)
    {
      int split = (int) (height * CURVE_SHARE);
      static const char *labels[2] = { "1", "0" };
      const double ys[2] = { 2, split - 1 };

      for (int i = 0; i < 2; i++)
        {
          cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
          cairo_rectangle (cr, 0, floor (ys[i]), 4, 1);
          cairo_fill (cr);
          show_small_text (self, cr, labels[i], 5, CLAMP (ys[i] - 5, 0, height - 11), FALSE);
        }
    }
  else if (self->mode == STRATA_FEATURE_MODE_TOKENS && fl->K > 1)
    for (int i = 0; i < 3; i++)
      {
        int tok = (int) ((gint64) i * (fl->K - 1) / 2);
        double y = (double) (fl->K - 1 - tok) * MAX (height - 3, 0) / (fl->K - 1) + 1;
        g_autofree char *text = g_strdup_printf ("%d", tok);

        cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
        cairo_rectangle (cr, 0, floor (y), 4, 1);
        cairo_fill (cr);
        show_small_text (self, cr, text, 5, CLAMP (y - 5, 0, height - 11), FALSE);
      }
}

static void
strata_feature_lane_draw_overlay (StrataLane *lane, cairo_t *cr, int width, int height)
{
  StrataFeatureLane *self = STRATA_FEATURE_LANE (lane);
  PangoLayout *layout;
  int tw, th;

  if (get_level (self) != NULL)
    {
      draw_axis (self, cr, height);
      return;
    }
  if (self->message == NULL)
    return;
  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->message);
  pango_layout_get_pixel_size (layout, &tw, &th);
  cairo_set_source_rgba (cr, 1, 1, 1, 0.85);
  cairo_move_to (cr, MAX (8, (width - tw) / 2), (height - th) / 2.0);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

/* ---- the header: title, info, legend ------------------------------------------ */

static void
legend_text (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y, double align)
{
  int tw, th;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &tw, &th);
  cairo_move_to (cr, x - align * tw, y);
  pango_cairo_show_layout (cr, layout);
}

/* A horizontal colour bar from x0 to x1 at y: @lut (256 colours), or the
 * channel @channel (0 red, 1 green, 2 blue) from black to full. */
static void
legend_bar (cairo_t *cr, const guint32 *lut, int channel, double x0, double x1, double y, double h)
{
  for (int i = 0; i < (int) (x1 - x0); i++)
    {
      double u = i / MAX (x1 - x0 - 1, 1.0);
      int k = (int) lround (u * 255);

      if (lut)
        cairo_set_source_rgb (cr, ((lut[k] >> 16) & 0xff) / 255.0, ((lut[k] >> 8) & 0xff) / 255.0,
                              (lut[k] & 0xff) / 255.0);
      else
        cairo_set_source_rgb (cr, channel == 0 ? u : 0, channel == 1 ? u : 0, channel == 2 ? u : 0);
      cairo_rectangle (cr, x0 + i, y, 1, h);
      cairo_fill (cr);
    }
}

/* What the colours of the current mode mean, with values. */
static void
legend_draw (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  StrataFeatureLane *self = data;
  const StrataFeatureLevel *fl = get_level (self);
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (area), NULL);
  PangoFontDescription *font = pango_font_description_from_string ("Sans 7");
  GdkRGBA fg;
  double x0 = 2, x1 = width - 2;
  g_autofree char *lo = NULL, *hi = NULL;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  if (fl == NULL || width < 20)
    {
      g_object_unref (layout);
      return;
    }

  switch (self->mode)
    {
    case STRATA_FEATURE_MODE_HEATMAP:
      lo = g_strdup_printf ("−%.1fσ", STRATA_FEATURE_HEAT_RANGE);
      hi = g_strdup_printf ("+%.1fσ", STRATA_FEATURE_HEAT_RANGE);
      legend_bar (cr, strata_colormap_viridis (), -1, x0, x1, 2, 9);
      gdk_cairo_set_source_rgba (cr, &fg);
      legend_text (cr, layout, lo, x0, 12, 0.0);
      legend_text (cr, layout, "0", (x0 + x1) / 2, 12, 0.5);
      legend_text (cr, layout, hi, x1, 12, 1.0);
      /* Translators: the heatmap legend: what a row's colour is */
      legend_text (cr, layout, _("value of a dimension"), x0, 23, 0.0);
      break;
    case STRATA_FEATURE_MODE_TOKENS:
      {
        int n = MIN (fl->K, 9);
        double w = (x1 - x0) / MAX (n, 1);
        g_autofree char *range = g_strdup_printf (_("%d tokens · tick: token id"), fl->K);

        for (int i = 0; i < n; i++)
          {
            guint32 c = strata_category_color (i);
            cairo_set_source_rgb (cr, ((c >> 16) & 0xff) / 255.0, ((c >> 8) & 0xff) / 255.0,
                                  (c & 0xff) / 255.0);
            cairo_rectangle (cr, x0 + i * w, 2, w - 1, 9);
            cairo_fill (cr);
          }
        gdk_cairo_set_source_rgba (cr, &fg);
        /* Translators: the token map legend: a colour per codebook entry */
        legend_text (cr, layout, _("colour: token (codebook entry)"), x0, 12, 0.0);
        legend_text (cr, layout, range, x0, 23, 0.0);
      }
      break;
    case STRATA_FEATURE_MODE_CURVE:
      cairo_set_source_rgb (cr, ((CURVE_COLOR >> 16) & 0xff) / 255.0, ((CURVE_COLOR >> 8) & 0xff) / 255.0,
                            (CURVE_COLOR & 0xff) / 255.0);
      cairo_rectangle (cr, x0, 2, 12, 9);
      cairo_fill (cr);
      legend_bar (cr, NULL, 0, x0, (x0 + x1) / 2, 34, 3);
      legend_bar (cr, NULL, 1, (x0 + x1) / 2, x1, 34, 3);
      gdk_cairo_set_source_rgba (cr, &fg);
      /* Translators: the change curve's legend; 1 is the track's 99th
       * percentile of change */
      legend_text (cr, layout, _("change, 0 to 1"), x0 + 16, 1, 0.0);
      legend_text (cr, layout, _("1 = the track's largest"), x0, 12, 0.0);
      /* Translators: the strip under the change curve */
      legend_text (cr, layout, _("strip: PCA colours"), x0, 22, 0.0);
      break;
    case STRATA_FEATURE_MODE_PCA:
    default:
      {
        static const char *names[3] = { "PC1", "PC2", "PC3" };

        lo = g_strdup_printf ("−%.0fσ", STRATA_FEATURE_RGB_RANGE);
        hi = g_strdup_printf ("+%.0fσ", STRATA_FEATURE_RGB_RANGE);
        for (int c = 0; c < 3; c++)
          {
            gdk_cairo_set_source_rgba (cr, &fg);
            legend_text (cr, layout, names[c], x0, 1 + c * 10, 0.0);
            legend_bar (cr, NULL, c, x0 + 26, x1, 3 + c * 10, 7);
          }
        gdk_cairo_set_source_rgba (cr, &fg);
        legend_text (cr, layout, lo, x0 + 26, 31, 0.0);
        legend_text (cr, layout, hi, x1, 31, 1.0);
      }
      break;
    }
  g_object_unref (layout);
}

static const char *
level_meaning (StrataLevel level)
{
  switch (level)
    {
    case STRATA_LEVEL_COARSE:
      return _("The coarse stratum follows what changes slowly: the form and its sections, "
               "the style, the instrumentation. Passages that look alike here belong to the same "
               "kind of section.");
    case STRATA_LEVEL_MEDIUM:
      return _("The medium stratum follows phrases and harmony: what changes from bar to bar.");
    case STRATA_LEVEL_FINE:
    default:
      return _("The fine stratum follows fast detail: notes, onsets and timbre.");
    }
}

/* The info popover's text: what the stratum captures, and its rate and
 * size from the features (that is, from the model's configuration). */
static void
update_info (StrataFeatureLane *self)
{
  const StrataFeatureLevel *fl = get_level (self);
  g_autofree char *facts = NULL;
  g_autofree char *text = NULL;

  if (self->info_label == NULL)
    return;
  if (fl != NULL)
    facts = g_strdup_printf (_("%.1f frames per second (%.3f s per frame) · %d feature dimensions "
                               "from layer %d of the model's prior · a codebook of %d tokens"),
                             fl->rate, 1.0 / fl->rate, fl->D,
                             strata_feature_maps_get_features (self->maps)->layer, fl->K);
  else
    facts = g_strdup (_("Its rate and size show once the features are computed."));
  text = g_strdup_printf ("%s\n\n%s", level_meaning (self->level), facts);
  gtk_label_set_label (self->info_label, text);
}

static GtkWidget *
header_new (StrataFeatureLane *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *info = gtk_label_new (NULL);

  g_object_bind_property (self, "title", title, "label", G_BINDING_SYNC_CREATE);
  gtk_label_set_xalign (GTK_LABEL (title), 0.0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (row), title);

  gtk_label_set_wrap (GTK_LABEL (info), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (info), 40);
  gtk_label_set_xalign (GTK_LABEL (info), 0.0);
  gtk_popover_set_child (GTK_POPOVER (popover), info);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "dialog-information-symbolic");
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (button), FALSE);
  gtk_widget_set_tooltip_text (button, _("What this stratum shows"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("What this stratum shows"), -1);
  gtk_widget_set_valign (button, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (row), button);
  gtk_box_append (GTK_BOX (box), row);

  self->legend = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->legend), 42);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->legend), legend_draw, self, NULL);
  gtk_widget_set_vexpand (self->legend, TRUE);
  gtk_box_append (GTK_BOX (box), self->legend);

  /* A fixed column: the title must not widen it (the lanes take the rest). */
  gtk_widget_set_hexpand (row, FALSE);
  gtk_widget_set_hexpand (box, FALSE);
  gtk_widget_set_size_request (box, 140, -1);
  self->info_label = GTK_LABEL (info);
  update_info (self);
  return box;
}

/* The legend and the info follow the drawn features and the mode. */
static void
header_changed (StrataFeatureLane *self)
{
  if (self->legend)
    gtk_widget_queue_draw (self->legend);
  update_info (self);
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
      update_info (self);
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
    g_param_spec_enum ("mode", NULL, NULL, STRATA_TYPE_FEATURE_MODE, STRATA_FEATURE_MODE_DEFAULT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "strata-feature-lane");
}

static void
strata_feature_lane_init (StrataFeatureLane *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  self->mode = STRATA_FEATURE_MODE_DEFAULT;
  gtk_widget_set_size_request (GTK_WIDGET (self), 100, DEFAULT_HEIGHT);

  /* Only watches presses (capture phase, never claims the sequence): the
   * timeline's drag gesture still makes the selection. */
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  strata_lane_set_header (STRATA_LANE (self), header_new (self));
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
 * @mode: heatmap, token map, PCA ribbon or change curve
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
  header_changed (self);
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
  header_changed (self);
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

/**
 * strata_feature_lane_get_legend:
 * @self: a #StrataFeatureLane
 *
 * Returns: (transfer none): the legend in the lane's header: what the
 *   colours of the current mode mean, with values
 */
GtkWidget *
strata_feature_lane_get_legend (StrataFeatureLane *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_LANE (self), NULL);
  return self->legend;
}

/**
 * strata_feature_lane_get_info:
 * @self: a #StrataFeatureLane
 *
 * Returns: the text of the header's info popover: what the stratum
 *   captures, and its rate and size as the model gives them
 */
const char *
strata_feature_lane_get_info (StrataFeatureLane *self)
{
  g_return_val_if_fail (STRATA_IS_FEATURE_LANE (self), NULL);
  return gtk_label_get_label (self->info_label);
}
