/* strata-waveform-lane.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>
#include "strata-waveform-lane.h"

struct _StrataWaveformLane
{
  StrataLane parent_instance;
  const StrataPeaks *peaks;     /* (nullable) kept alive by @owner */
  StrataAudio *audio;           /* (nullable) (owned) for the sample level */
  gpointer owner;
  GDestroyNotify owner_free;
  StrataWaveformScratch scratch;
};

G_DEFINE_FINAL_TYPE (StrataWaveformLane, strata_waveform_lane, STRATA_TYPE_LANE)

/* Below this many frames a pixel the summary is coarser than the screen:
 * draw from the samples themselves (reading, not computing). */
#define SAMPLE_LEVEL_FRAMES 32.0

static inline double
mono_at (const float *samples, gint64 f)
{
  return 0.5 * (samples[2 * f] + samples[2 * f + 1]);
}

static void
render_samples (StrataAudio *audio, cairo_t *cr, int width, double mid, double scale,
                double start_frame, double frames_per_px)
{
  const float *samples = strata_audio_get_samples (audio);
  gint64 n = strata_audio_get_n_frames (audio);

  if (frames_per_px >= 1.0)
    {
      /* min/max of the mono mix over each column's frames. */
      for (int x = 0; x < width; x++)
        {
          gint64 f0 = (gint64) floor (start_frame + x * frames_per_px);
          gint64 f1 = MAX (f0 + 1, (gint64) floor (start_frame + (x + 1) * frames_per_px));
          double lo = 1.0, hi = -1.0, y0, y1;

          f0 = MAX (f0, 0);
          f1 = MIN (f1, n);
          for (gint64 f = f0; f < f1; f++)
            {
              double v = mono_at (samples, f);
              lo = MIN (lo, v);
              hi = MAX (hi, v);
            }
          if (hi < lo)
            continue;
          y0 = floor (mid - CLAMP (hi, -1.0, 1.0) * scale);
          y1 = MAX (y0 + 1, ceil (mid - CLAMP (lo, -1.0, 1.0) * scale));
          cairo_rectangle (cr, x, y0, 1, y1 - y0);
        }
      cairo_fill (cr);
      return;
    }

  /* Fewer than one frame a pixel: a line through the samples, with a dot
   * on each when they are far apart. */
  {
    gint64 f0 = MAX ((gint64) floor (start_frame), 0);
    gint64 f1 = MIN ((gint64) ceil (start_frame + width * frames_per_px) + 1, n);
    double px_per_frame = 1.0 / frames_per_px;

    for (gint64 f = f0; f < f1; f++)
      {
        double x = (f - start_frame) * px_per_frame;
        double y = mid - CLAMP (mono_at (samples, f), -1.0, 1.0) * scale;
        if (f == f0)
          cairo_move_to (cr, x, y);
        else
          cairo_line_to (cr, x, y);
      }
    cairo_set_line_width (cr, 1.5);
    cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke (cr);

    if (px_per_frame >= 8.0)
      {
        for (gint64 f = f0; f < f1; f++)
          {
            double x = (f - start_frame) * px_per_frame;
            double y = mid - CLAMP (mono_at (samples, f), -1.0, 1.0) * scale;
            cairo_new_sub_path (cr);
            cairo_arc (cr, x, y, 2.5, 0, 2 * G_PI);
          }
        cairo_fill (cr);
      }
  }
}

/**
 * strata_waveform_paint:
 * @scratch: column buffers, kept between calls (free with
 *   strata_waveform_scratch_clear())
 * @cr: where to draw
 * @peaks: the summary
 * @audio: (nullable): its samples, drawn when zoomed in closer than @peaks
 * @width: pixels
 * @height: pixels
 * @start_s: time at x = 0
 * @s_per_px: seconds a pixel
 * @rgb: the waveform's colour (0..1 each)
 *
 * Draws a centre line and the min/max waveform (or the samples themselves),
 * the drawing of every waveform-like lane.
 */
void
strata_waveform_paint (StrataWaveformScratch *scratch, cairo_t *cr, const StrataPeaks *peaks,
                       StrataAudio *audio, int width, int height, double start_s,
                       double s_per_px, const double rgb[3])
{
  double mid = height / 2.0, scale = (height / 2.0) - 2.0;

  /* Centre line. */
  cairo_set_source_rgba (cr, 0.5, 0.5, 0.5, 0.35);
  cairo_rectangle (cr, 0, floor (mid), width, 1);
  cairo_fill (cr);

  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);

  if (s_per_px * STRATA_SAMPLE_RATE < SAMPLE_LEVEL_FRAMES && audio != NULL)
    {
      render_samples (audio, cr, width, mid, scale,
                      start_s * STRATA_SAMPLE_RATE, s_per_px * STRATA_SAMPLE_RATE);
      return;
    }

  if (scratch->n_px < width)
    {
      scratch->min = g_renew (float, scratch->min, width);
      scratch->max = g_renew (float, scratch->max, width);
      scratch->n_px = width;
    }
  strata_peaks_query (peaks, start_s * STRATA_SAMPLE_RATE, s_per_px * STRATA_SAMPLE_RATE,
                      width, scratch->min, scratch->max);

  /* One rectangle a column, from min to max (at least one pixel tall). */
  for (int x = 0; x < width; x++)
    {
      double lo = CLAMP (scratch->min[x], -1.0f, 1.0f), hi = CLAMP (scratch->max[x], -1.0f, 1.0f);
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

/**
 * strata_waveform_scratch_clear:
 * @scratch: buffers of strata_waveform_paint()
 */
void
strata_waveform_scratch_clear (StrataWaveformScratch *scratch)
{
  g_clear_pointer (&scratch->min, g_free);
  g_clear_pointer (&scratch->max, g_free);
  scratch->n_px = 0;
}

static void
strata_waveform_lane_render (StrataLane *lane, cairo_t *cr, int width, int height,
                             double start_s, double s_per_px)
{
  StrataWaveformLane *self = STRATA_WAVEFORM_LANE (lane);
  static const double blue[3] = { STRATA_WAVEFORM_R / 255.0, STRATA_WAVEFORM_G / 255.0,
                                  STRATA_WAVEFORM_B / 255.0 };

  if (self->peaks == NULL)
    return;
  strata_waveform_paint (&self->scratch, cr, self->peaks, self->audio, width, height, start_s,
                         s_per_px, blue);
}

static void
clear_data (StrataWaveformLane *self)
{
  self->peaks = NULL;
  g_clear_pointer (&self->audio, strata_audio_unref);
  if (self->owner_free != NULL && self->owner != NULL)
    self->owner_free (self->owner);
  self->owner = NULL;
  self->owner_free = NULL;
}

static void
strata_waveform_lane_finalize (GObject *object)
{
  StrataWaveformLane *self = STRATA_WAVEFORM_LANE (object);

  clear_data (self);
  strata_waveform_scratch_clear (&self->scratch);
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

/**
 * strata_waveform_lane_set_peaks:
 * @self: a #StrataWaveformLane
 * @peaks: (nullable): the waveform summary to draw, %NULL for none
 * @audio: (nullable) (transfer none): the samples behind @peaks, drawn when
 *   zoomed in closer than the summary (a reference is taken)
 * @owner: (nullable): what keeps @peaks alive (a track, or @peaks itself)
 * @owner_free: (nullable): releases @owner when the lane lets go of @peaks
 *
 * Replaces what the lane draws. @peaks stays borrowed until the next call
 * or the lane's end, when @owner_free (@owner) is called.
 */
void
strata_waveform_lane_set_peaks (StrataWaveformLane *self, const StrataPeaks *peaks,
                                StrataAudio *audio, gpointer owner, GDestroyNotify owner_free)
{
  g_return_if_fail (STRATA_IS_WAVEFORM_LANE (self));

  if (audio != NULL)
    strata_audio_ref (audio);
  clear_data (self);
  self->peaks = peaks;
  self->audio = audio;
  self->owner = owner;
  self->owner_free = owner_free;
  strata_lane_invalidate (STRATA_LANE (self));
}

/**
 * strata_waveform_lane_get_peaks:
 * @self: a #StrataWaveformLane
 *
 * Returns: (nullable) (transfer none): the drawn summary
 */
const StrataPeaks *
strata_waveform_lane_get_peaks (StrataWaveformLane *self)
{
  g_return_val_if_fail (STRATA_IS_WAVEFORM_LANE (self), NULL);
  return self->peaks;
}
