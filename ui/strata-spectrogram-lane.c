/* strata-spectrogram-lane.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>
#include "strata-colormap.h"
#include "strata-spectrogram-lane.h"

#define DB_RANGE 80.0
#define FMIN_DISPLAY 30.0

struct _StrataSpectrogramLane
{
  StrataLane parent_instance;

  const StrataSpecgram *spec;   /* (nullable) kept alive by @owner */
  gpointer owner;
  GDestroyNotify owner_free;
  float *db;            /* (n_px, F) scratch */
  gsize db_len;
  int *row_bin;         /* (height) bin shown on each row */
  int row_height;
  double fmin, fmax;    /* displayed range, Hz */
  double db_top;        /* dB mapped to the brightest colour */
};

G_DEFINE_FINAL_TYPE (StrataSpectrogramLane, strata_spectrogram_lane, STRATA_TYPE_LANE)

static const StrataSpecgram *
get_spec (StrataSpectrogramLane *self)
{
  return self->spec;
}

/* Maps rows to bins on a log-frequency axis: row y shows the bin nearest to
 * fmin * (fmax/fmin)^(1 - y/(H-1)). Works for any monotonic bin spacing. */
static void
update_rows (StrataSpectrogramLane *self, const StrataSpecgram *spec, int height)
{
  int n_bins = strata_specgram_get_n_bins (spec);
  int b = 0;

  if (self->row_height == height && self->row_bin != NULL)
    return;
  self->row_bin = g_renew (int, self->row_bin, height);
  self->row_height = height;

  for (int y = height - 1; y >= 0; y--)
    {
      double t = height > 1 ? 1.0 - (double) y / (height - 1) : 0.0;
      double hz = self->fmin * pow (self->fmax / self->fmin, t);

      while (b + 1 < n_bins && strata_specgram_get_bin_freq (spec, b + 1) <= hz)
        b++;
      if (b + 1 < n_bins
          && fabs (log (strata_specgram_get_bin_freq (spec, b + 1) / hz))
             < fabs (log (MAX (strata_specgram_get_bin_freq (spec, b), 1e-3) / hz)))
        self->row_bin[y] = b + 1;
      else
        self->row_bin[y] = b;
    }
}

/* The spectrogram changed: the frequency axis and the colour scale. */
static void
spec_changed (StrataSpectrogramLane *self)
{
  const StrataSpecgram *spec = get_spec (self);
  int n_bins;

  g_clear_pointer (&self->row_bin, g_free);
  self->row_height = 0;
  self->db_top = -10.0;
  if (spec == NULL || (n_bins = strata_specgram_get_n_bins (spec)) < 2)
    return;

  self->fmin = MAX (strata_specgram_get_bin_freq (spec, 0), FMIN_DISPLAY);
  self->fmax = strata_specgram_get_bin_freq (spec, n_bins - 1);
  if (self->fmax <= self->fmin)
    self->fmax = self->fmin * 2;

  /* The colour scale follows the loudest part of the whole track, so the
   * colours do not change while scrolling. */
  {
    double duration = strata_specgram_get_n_frames (spec) / strata_specgram_get_frame_rate (spec);
    int cols = 256;
    g_autofree float *db = g_new (float, (gsize) cols * n_bins);
    float top = -120.0f;

    strata_specgram_query (spec, 0.0, MAX (duration, 1e-3) / cols, cols, db);
    for (gsize i = 0; i < (gsize) cols * n_bins; i++)
      top = MAX (top, db[i]);
    self->db_top = top > -100.0f ? top : -10.0;
  }
}

static void
strata_spectrogram_lane_render (StrataLane *lane, cairo_t *cr, int width, int height,
                                double start_s, double s_per_px)
{
  StrataSpectrogramLane *self = STRATA_SPECTROGRAM_LANE (lane);
  const StrataSpecgram *spec = get_spec (self);
  const guint32 *lut = strata_colormap_magma ();
  cairo_surface_t *target = cairo_get_target (cr);
  guint32 *pixels;
  int stride, n_bins;
  double bottom, scale;

  /* Dark background even without data. */
  cairo_set_source_rgb (cr, ((lut[0] >> 16) & 0xff) / 255.0, ((lut[0] >> 8) & 0xff) / 255.0,
                        (lut[0] & 0xff) / 255.0);
  cairo_paint (cr);
  if (spec == NULL || (n_bins = strata_specgram_get_n_bins (spec)) < 2)
    return;

  /* Pixels are written directly, so work in device pixels (HiDPI). */
  cairo_surface_flush (target);
  pixels = (guint32 *) cairo_image_surface_get_data (target);
  stride = cairo_image_surface_get_stride (target) / 4;
  s_per_px *= (double) width / cairo_image_surface_get_width (target);
  width = cairo_image_surface_get_width (target);
  height = cairo_image_surface_get_height (target);

  update_rows (self, spec, height);
  if (self->db_len < (gsize) width * n_bins)
    {
      self->db_len = (gsize) width * n_bins;
      self->db = g_renew (float, self->db, self->db_len);
    }
  strata_specgram_query (spec, start_s, s_per_px, width, self->db);

  bottom = self->db_top - DB_RANGE;
  scale = 255.0 / DB_RANGE;

  for (int x = 0; x < width; x++)
    {
      const float *col = self->db + (gsize) x * n_bins;
      for (int y = 0; y < height; y++)
        {
          double v = (col[self->row_bin[y]] - bottom) * scale;
          int i = (int) CLAMP (v, 0.0, 255.0);
          pixels[(gsize) y * stride + x] = lut[i];
        }
    }
  cairo_surface_mark_dirty (target);
}

/**
 * strata_spectrogram_lane_freq_to_y:
 * @self: a #StrataSpectrogramLane
 * @hz: a frequency
 * @height: the lane's height in pixels
 *
 * Returns: the row showing @hz (0 = top), or -1 when it is outside the
 *   displayed range or there is no spectrogram
 */
double
strata_spectrogram_lane_freq_to_y (StrataSpectrogramLane *self, double hz, int height)
{
  if (get_spec (self) == NULL || hz < self->fmin || hz > self->fmax || height < 2)
    return -1;
  return (1.0 - log (hz / self->fmin) / log (self->fmax / self->fmin)) * (height - 1);
}

/**
 * strata_spectrogram_lane_y_to_freq:
 * @self: a #StrataSpectrogramLane
 * @y: a row, 0 = top
 * @height: the lane's height in pixels
 *
 * The inverse of strata_spectrogram_lane_freq_to_y() (log-frequency axis).
 *
 * Returns: the frequency in Hz, or -1 without a spectrogram
 */
double
strata_spectrogram_lane_y_to_freq (StrataSpectrogramLane *self, double y, int height)
{
  if (get_spec (self) == NULL || height < 2)
    return -1;
  y = CLAMP (y, 0.0, height - 1.0);
  return self->fmin * pow (self->fmax / self->fmin, 1.0 - y / (height - 1));
}

/**
 * strata_spectrogram_lane_describe_point:
 * @self: a #StrataSpectrogramLane
 * @x: pointer x in lane coordinates
 * @y: pointer y in lane coordinates
 *
 * Returns: (transfer full) (nullable): time, frequency and nearest note
 *   under the pointer (the lane's tooltip), or %NULL without a spectrogram
 */
char *
strata_spectrogram_lane_describe_point (StrataSpectrogramLane *self, double x, double y)
{
  static const char *names[12] = { "C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B" };
  StrataViewport *vp = strata_lane_get_viewport (STRATA_LANE (self));
  double hz = strata_spectrogram_lane_y_to_freq (self, y, gtk_widget_get_height (GTK_WIDGET (self)));
  double t;
  gint64 ms;
  int midi;

  if (vp == NULL || hz <= 0)
    return NULL;
  t = strata_viewport_x_to_time (vp, x);
  ms = (gint64) (t * 1000.0 + 0.5);
  midi = (int) lround (69.0 + 12.0 * log2 (hz / 440.0));
  /* Translators: time · frequency · note name, e.g. "0:12.345 · 440 Hz · A4" */
  return g_strdup_printf (_("%d:%02d.%03d · %.0f Hz · %s%d"),
                          (int) (ms / 60000), (int) (ms / 1000 % 60), (int) (ms % 1000),
                          hz, names[((midi % 12) + 12) % 12], midi / 12 - 1);
}

static char *
describe_point (StrataLane *lane, double x, double y)
{
  return strata_spectrogram_lane_describe_point (STRATA_SPECTROGRAM_LANE (lane), x, y);
}

static void
strata_spectrogram_lane_draw_overlay (StrataLane *lane, cairo_t *cr, int width, int height)
{
  StrataSpectrogramLane *self = STRATA_SPECTROGRAM_LANE (lane);
  static const double marks[] = { 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000 };
  double last_y = 1e9;

  if (get_spec (self) == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (marks); i++)
    {
      double y = strata_spectrogram_lane_freq_to_y (self, marks[i], height);
      g_autofree char *text = NULL;
      PangoLayout *layout;
      int tw, th;

      if (y < 8 || y > height - 4 || last_y - y < 22)
        continue;
      last_y = y;
      text = marks[i] >= 1000 ? g_strdup_printf ("%g kHz", marks[i] / 1000)
                              : g_strdup_printf ("%g Hz", marks[i]);
      layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
      pango_layout_get_pixel_size (layout, &tw, &th);

      cairo_set_source_rgba (cr, 1, 1, 1, 0.55);
      cairo_rectangle (cr, 0, floor (y), 6, 1);
      cairo_fill (cr);
      cairo_set_source_rgba (cr, 0, 0, 0, 0.45);
      cairo_rectangle (cr, 8, y - th / 2.0, tw + 6, th);
      cairo_fill (cr);
      cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
      cairo_move_to (cr, 11, y - th / 2.0);
      pango_cairo_show_layout (cr, layout);
      g_object_unref (layout);
    }
}

static void
strata_spectrogram_lane_finalize (GObject *object)
{
  StrataSpectrogramLane *self = STRATA_SPECTROGRAM_LANE (object);

  if (self->owner_free != NULL && self->owner != NULL)
    self->owner_free (self->owner);
  g_free (self->db);
  g_free (self->row_bin);
  G_OBJECT_CLASS (strata_spectrogram_lane_parent_class)->finalize (object);
}

static void
strata_spectrogram_lane_class_init (StrataSpectrogramLaneClass *klass)
{
  StrataLaneClass *lane_class = STRATA_LANE_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = strata_spectrogram_lane_finalize;
  lane_class->render = strata_spectrogram_lane_render;
  lane_class->draw_overlay = strata_spectrogram_lane_draw_overlay;
  lane_class->describe_point = describe_point;
  lane_class->dark = TRUE;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "strata-spectrogram-lane");
}

static void
strata_spectrogram_lane_init (StrataSpectrogramLane *self)
{
  strata_lane_set_title (STRATA_LANE (self), _("Spectrogram"));
  gtk_widget_set_size_request (GTK_WIDGET (self), 100, 180);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  self->fmin = FMIN_DISPLAY;
  self->fmax = 16000;
  self->db_top = -10.0;
}

/**
 * strata_spectrogram_lane_new:
 *
 * Returns: (transfer floating): a spectrogram lane
 */
StrataLane *
strata_spectrogram_lane_new (void)
{
  return g_object_new (STRATA_TYPE_SPECTROGRAM_LANE, NULL);
}

/**
 * strata_spectrogram_lane_set_specgram:
 * @self: a #StrataSpectrogramLane
 * @spec: (nullable): the spectrogram to draw, %NULL for none
 * @owner: (nullable): what keeps @spec alive (a track, or @spec itself)
 * @owner_free: (nullable): releases @owner when the lane lets go of @spec
 *
 * Replaces what the lane draws; the colour scale follows the loudest part
 * of the whole of @spec. @spec stays borrowed until the next call or the
 * lane's end, when @owner_free (@owner) is called.
 */
void
strata_spectrogram_lane_set_specgram (StrataSpectrogramLane *self, const StrataSpecgram *spec,
                                      gpointer owner, GDestroyNotify owner_free)
{
  g_return_if_fail (STRATA_IS_SPECTROGRAM_LANE (self));

  if (self->owner_free != NULL && self->owner != NULL)
    self->owner_free (self->owner);
  self->spec = spec;
  self->owner = owner;
  self->owner_free = owner_free;
  spec_changed (self);
  strata_lane_invalidate (STRATA_LANE (self));
}

/**
 * strata_spectrogram_lane_get_specgram:
 * @self: a #StrataSpectrogramLane
 *
 * Returns: (nullable) (transfer none): the drawn spectrogram
 */
const StrataSpecgram *
strata_spectrogram_lane_get_specgram (StrataSpectrogramLane *self)
{
  g_return_val_if_fail (STRATA_IS_SPECTROGRAM_LANE (self), NULL);
  return self->spec;
}
