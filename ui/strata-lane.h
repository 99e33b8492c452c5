/* strata-lane.h: base class of the timeline's lanes (waveform, spectrogram,
 * and later feature maps, piano roll, stems).
 *
 * A lane draws a track's precomputed data for the shared StrataViewport. The
 * base class owns the render cache: a subclass implements render() to paint
 * the visible range into a cairo image surface; the base class calls it only
 * when the viewport's range, the size or the track changed, keeps the result
 * as a texture (uploaded once), and adds the playhead and selection on every
 * frame as plain colour nodes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "tasks/strata-track.h"
#include "strata-viewport.h"

G_BEGIN_DECLS

#define STRATA_TYPE_LANE (strata_lane_get_type ())
G_DECLARE_DERIVABLE_TYPE (StrataLane, strata_lane, STRATA, LANE, GtkWidget)

struct _StrataLaneClass
{
  GtkWidgetClass parent_class;

  /* Paints the range [start_s, start_s + width * s_per_px) into @cr, an
   * image surface of @width x @height pixels (cleared by the caller). */
  void (*render)        (StrataLane *self, cairo_t *cr, int width, int height,
                         double start_s, double s_per_px);
  /* Draws decorations (axis labels) over render()'s output, into the same
   * cached image. */
  void (*draw_overlay)  (StrataLane *self, cairo_t *cr, int width, int height);
  /* The track changed (may be NULL); invalidate derived state. */
  void (*track_changed) (StrataLane *self);
  /* Light content (true) or a dark lane (false): overlay colours follow. */
  gboolean dark;

  gpointer padding[8];
};

void            strata_lane_set_viewport (StrataLane *self, StrataViewport *viewport);
StrataViewport *strata_lane_get_viewport (StrataLane *self);
void            strata_lane_set_track    (StrataLane *self, StrataTrack *track);
StrataTrack    *strata_lane_get_track    (StrataLane *self);
const char     *strata_lane_get_title    (StrataLane *self);
void            strata_lane_set_title    (StrataLane *self, const char *title);
/* Drops the cached image (the data behind it changed). */
void            strata_lane_invalidate   (StrataLane *self);
/* Renders the lane now at its allocated size (tests); (transfer full). */
cairo_surface_t *strata_lane_render_surface (StrataLane *self);
/* Times the cache was re-rendered (tests). */
guint           strata_lane_get_render_count (StrataLane *self);

G_END_DECLS
