/* strata-viewport.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "strata-viewport.h"

/* Zoom limits: one sample per 4 px at most, the whole track (or 1 s) at least. */
#define MIN_SPP (1.0 / 44100.0 / 4.0)

struct _StrataViewport
{
  GObject parent_instance;

  double start;
  double spp;
  double duration;
  int width;
  double playhead;
  double sel_start;
  double sel_end;
  gboolean fitted;    /* follow the width: keep showing the whole track */
};

enum { SIGNAL_CHANGED, SIGNAL_OVERLAY_CHANGED, SIGNAL_SELECTION_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (StrataViewport, strata_viewport, G_TYPE_OBJECT)

static void
strata_viewport_class_init (StrataViewportClass *klass)
{
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_OVERLAY_CHANGED] =
    g_signal_new ("overlay-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
strata_viewport_init (StrataViewport *self)
{
  self->spp = 0.01;
  self->width = 1;
  self->fitted = TRUE;
}

/**
 * strata_viewport_new:
 *
 * Returns: (transfer full): a viewport showing nothing
 */
StrataViewport *
strata_viewport_new (void)
{
  return g_object_new (STRATA_TYPE_VIEWPORT, NULL);
}

static double
max_spp (StrataViewport *self)
{
  return MAX (self->duration, 1.0) / MAX (self->width, 1);
}

/* Clamps zoom and start, then emits "changed" when anything moved. */
static void
update (StrataViewport *self, double start, double spp)
{
  double visible, max_start;

  spp = CLAMP (spp, MIN_SPP, max_spp (self));
  visible = spp * self->width;
  max_start = MAX (0.0, self->duration - visible);
  start = CLAMP (start, 0.0, max_start);

  if (start == self->start && spp == self->spp)
    return;
  self->start = start;
  self->spp = spp;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/**
 * strata_viewport_get_start:
 * @self: a #StrataViewport
 *
 * Returns: the time at the left edge of the lanes, seconds
 */
double
strata_viewport_get_start (StrataViewport *self)
{
  g_return_val_if_fail (STRATA_IS_VIEWPORT (self), 0.0);
  return self->start;
}

/**
 * strata_viewport_get_seconds_per_px:
 * @self: a #StrataViewport
 *
 * Returns: the zoom: seconds one pixel column covers
 */
double
strata_viewport_get_seconds_per_px (StrataViewport *self)
{
  g_return_val_if_fail (STRATA_IS_VIEWPORT (self), 1.0);
  return self->spp;
}

/**
 * strata_viewport_get_duration:
 * @self: a #StrataViewport
 *
 * Returns: the track's duration, seconds (0 without a track)
 */
double
strata_viewport_get_duration (StrataViewport *self)
{
  g_return_val_if_fail (STRATA_IS_VIEWPORT (self), 0.0);
  return self->duration;
}

/**
 * strata_viewport_get_width:
 * @self: a #StrataViewport
 *
 * Returns: the lanes' width in pixels
 */
int
strata_viewport_get_width (StrataViewport *self)
{
  g_return_val_if_fail (STRATA_IS_VIEWPORT (self), 1);
  return self->width;
}

/**
 * strata_viewport_get_playhead:
 * @self: a #StrataViewport
 *
 * Returns: the playhead's time, seconds
 */
double
strata_viewport_get_playhead (StrataViewport *self)
{
  g_return_val_if_fail (STRATA_IS_VIEWPORT (self), 0.0);
  return self->playhead;
}

/**
 * strata_viewport_get_visible_seconds:
 * @self: a #StrataViewport
 *
 * Returns: the length of time the lanes show
 */
double
strata_viewport_get_visible_seconds (StrataViewport *self)
{
  return self->spp * self->width;
}

/**
 * strata_viewport_set_duration:
 * @self: a #StrataViewport
 * @seconds: the track's duration
 *
 * Sets the track length, clears the selection and fits the whole track.
 */
void
strata_viewport_set_duration (StrataViewport *self, double seconds)
{
  g_return_if_fail (STRATA_IS_VIEWPORT (self));

  self->duration = MAX (seconds, 0.0);
  self->playhead = 0.0;
  if (self->sel_end > self->sel_start)
    {
      self->sel_start = self->sel_end = 0.0;
      g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0);
    }
  self->start = -1.0;   /* force "changed" */
  strata_viewport_fit (self);
  g_signal_emit (self, signals[SIGNAL_OVERLAY_CHANGED], 0);
}

/**
 * strata_viewport_set_width:
 * @self: a #StrataViewport
 * @px: the lanes' width in pixels
 *
 * Called by the lanes when they are allocated.
 */
void
strata_viewport_set_width (StrataViewport *self, int px)
{
  g_return_if_fail (STRATA_IS_VIEWPORT (self));

  px = MAX (px, 1);
  if (px == self->width)
    return;
  self->width = px;
  if (self->fitted)
    {
      self->start = -1.0;
      strata_viewport_fit (self);
    }
  else
    {
      double start = self->start;
      self->start = -1.0;
      update (self, start, self->spp);
    }
}

/**
 * strata_viewport_set_start:
 * @self: a #StrataViewport
 * @seconds: the time to show at the left edge (clamped to the track)
 *
 * Scrolls the view.
 */
void
strata_viewport_set_start (StrataViewport *self, double seconds)
{
  g_return_if_fail (STRATA_IS_VIEWPORT (self));
  update (self, seconds, self->spp);
}

/**
 * strata_viewport_set_seconds_per_px:
 * @self: a #StrataViewport
 * @spp: the zoom (clamped between 4 px a sample and the whole track)
 *
 * Zooms, keeping the left edge.
 */
void
strata_viewport_set_seconds_per_px (StrataViewport *self, double spp)
{
  g_return_if_fail (STRATA_IS_VIEWPORT (self));
  self->fitted = FALSE;
  update (self, self->start, spp);
}

/**
 * strata_viewport_set_playhead:
 * @self: a #StrataViewport
 * @seconds: the playback position
 *
 * Moves the playhead (an overlay: no lane re-renders).
 */
void
strata_viewport_set_playhead (StrataViewport *self, double seconds)
{
  g_return_if_fail (STRATA_IS_VIEWPORT (self));

  seconds = CLAMP (seconds, 0.0, self->duration);
  if (seconds == self->playhead)
    return;
  self->playhead = seconds;
  g_signal_emit (self, signals[SIGNAL_OVERLAY_CHANGED], 0);
}

/**
 * strata_viewport_zoom_around:
 * @self: a #StrataViewport
 * @factor: > 1 zooms in, < 1 zooms out
 * @anchor: the time that stays under the same pixel
 *
 * Zooms around a point (the pointer or the playhead).
 */
void
strata_viewport_zoom_around (StrataViewport *self, double factor, double anchor)
{
  double x, spp;

  g_return_if_fail (STRATA_IS_VIEWPORT (self));
  g_return_if_fail (factor > 0);

  x = (anchor - self->start) / self->spp;
  spp = CLAMP (self->spp / factor, MIN_SPP, max_spp (self));
  self->fitted = spp >= max_spp (self);
  update (self, anchor - x * spp, spp);
}

/**
 * strata_viewport_fit:
 * @self: a #StrataViewport
 *
 * Shows the whole track, and keeps doing so when the width changes.
 */
void
strata_viewport_fit (StrataViewport *self)
{
  g_return_if_fail (STRATA_IS_VIEWPORT (self));

  self->fitted = TRUE;
  update (self, 0.0, max_spp (self));
}

/**
 * strata_viewport_ensure_visible:
 * @self: a #StrataViewport
 * @seconds: a time
 *
 * When @seconds is outside the view, scrolls so that it is near the left
 * edge (page-wise following of the playhead).
 */
void
strata_viewport_ensure_visible (StrataViewport *self, double seconds)
{
  double visible = strata_viewport_get_visible_seconds (self);

  g_return_if_fail (STRATA_IS_VIEWPORT (self));

  if (seconds < self->start || seconds > self->start + visible)
    update (self, seconds - 0.05 * visible, self->spp);
}

/**
 * strata_viewport_time_to_x:
 * @self: a #StrataViewport
 * @seconds: a time
 *
 * Returns: the x coordinate of @seconds in the lanes (may be outside them)
 */
double
strata_viewport_time_to_x (StrataViewport *self, double seconds)
{
  return (seconds - self->start) / self->spp;
}

/**
 * strata_viewport_x_to_time:
 * @self: a #StrataViewport
 * @x: an x coordinate in the lanes
 *
 * Returns: the time under @x, clamped to the track
 */
double
strata_viewport_x_to_time (StrataViewport *self, double x)
{
  return CLAMP (self->start + x * self->spp, 0.0, self->duration);
}

/**
 * strata_viewport_set_selection:
 * @self: a #StrataViewport
 * @a: one end, seconds
 * @b: the other end, seconds (either order)
 *
 * Sets the selection (the loop region), clamped to the track.
 */
void
strata_viewport_set_selection (StrataViewport *self, double a, double b)
{
  g_return_if_fail (STRATA_IS_VIEWPORT (self));

  a = CLAMP (a, 0.0, self->duration);
  b = CLAMP (b, 0.0, self->duration);
  if (MIN (a, b) == self->sel_start && MAX (a, b) == self->sel_end)
    return;
  self->sel_start = MIN (a, b);
  self->sel_end = MAX (a, b);
  g_signal_emit (self, signals[SIGNAL_OVERLAY_CHANGED], 0);
  g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0);
}

/**
 * strata_viewport_clear_selection:
 * @self: a #StrataViewport
 *
 * Removes the selection.
 */
void
strata_viewport_clear_selection (StrataViewport *self)
{
  strata_viewport_set_selection (self, 0.0, 0.0);
}

/**
 * strata_viewport_get_selection:
 * @self: a #StrataViewport
 * @start: (out) (optional): selection start, seconds
 * @end: (out) (optional): selection end, seconds
 *
 * Returns: whether there is a non-empty selection
 */
gboolean
strata_viewport_get_selection (StrataViewport *self, double *start, double *end)
{
  g_return_val_if_fail (STRATA_IS_VIEWPORT (self), FALSE);

  if (start)
    *start = self->sel_start;
  if (end)
    *end = self->sel_end;
  return self->sel_end > self->sel_start;
}
