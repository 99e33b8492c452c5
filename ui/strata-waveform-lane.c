/* strata-waveform-lane.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include "strata-waveform-lane.h"

struct _StrataWaveformLane
{
  StrataLane parent_instance;
  float *min;   /* (n_px) scratch */
  float *max;
  int n_px;
};

G_DEFINE_FINAL_TYPE (StrataWaveformLane, strata_waveform_lane, STRATA_TYPE_LANE)

static void
strata_waveform_lane_render (StrataLane *lane, cairo_t *cr, int width, int height,
                             double start_s, double s_per_px)
{
  StrataWaveformLane *self = STRATA_WAVEFORM_LANE (lane);
  const StrataPeaks *peaks = strata_track_get_peaks (strata_lane_get_track (lane));
  double mid = height / 2.0, scale = (height / 2.0) - 2.0;

  if (peaks == NULL)
    return;
  if (self->n_px < width)
    {
      self->min = g_renew (float, self->min, width);
      self->max = g_renew (float, self->max, width);
      self->n_px = width;
    }
  strata_peaks_query (peaks, start_s * STRATA_SAMPLE_RATE, s_per_px * STRATA_SAMPLE_RATE,
                      width, self->min, self->max);

  /* Centre line. */
  cairo_set_source_rgba (cr, 0.5, 0.5, 0.5, 0.35);
  cairo_rectangle (cr, 0, floor (mid), width, 1);
  cairo_fill (cr);

  /* One rectangle a column, from min to max (at least one pixel tall). */
  cairo_set_source_rgb (cr, STRATA_WAVEFORM_R / 255.0, STRATA_WAVEFORM_G / 255.0,
                        STRATA_WAVEFORM_B / 255.0);
  for (int x = 0; x < width; x++)
    {
      double lo = CLAMP (self->min[x], -1.0f, 1.0f), hi = CLAMP (self->max[x], -1.0f, 1.0f);
      double y0, y1;

      if (hi < lo)
        continue;
      y0 = floor (mid - hi * scale);
      y1 = ceil (mid - lo * scale);
      if (y1 - y0 < 1)
        y1 = y0 + 1;
      cairo_rectangle (cr, x, y0, 1, y1 - y0);
    }
  cairo_fill (cr);
}

static void
strata_waveform_lane_finalize (GObject *object)
{
  StrataWaveformLane *self = STRATA_WAVEFORM_LANE (object);

  g_free (self->min);
  g_free (self->max);
  G_OBJECT_CLASS (strata_waveform_lane_parent_class)->finalize (object);
}

static void
strata_waveform_lane_class_init (StrataWaveformLaneClass *klass)
{
  StrataLaneClass *lane_class = STRATA_LANE_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = strata_waveform_lane_finalize;
  lane_class->render = strata_waveform_lane_render;
  lane_class->dark = FALSE;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "strata-waveform-lane");
}

static void
strata_waveform_lane_init (StrataWaveformLane *self)
{
  strata_lane_set_title (STRATA_LANE (self), _("Waveform"));
  gtk_widget_set_size_request (GTK_WIDGET (self), 100, 110);
}

/**
 * strata_waveform_lane_new:
 *
 * Returns: (transfer floating): a waveform lane
 */
StrataLane *
strata_waveform_lane_new (void)
{
  return g_object_new (STRATA_TYPE_WAVEFORM_LANE, NULL);
}
