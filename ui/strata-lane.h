/* strata-lane.h: base class of the timeline's lanes (waveform, spectrogram,
 * feature maps, and later piano roll, stems).
 *
 * A lane draws precomputed data for the shared StrataViewport. It holds no
 * track: each subclass takes its data through its own typed setter (peaks,
 * a spectrogram, feature maps, ...) and calls strata_lane_invalidate(). The
 * base class owns the render cache: a subclass implements render() to paint
 * the visible range into a cairo image surface; the base class calls it only
 * while the viewport has a duration, and again only when the range, the size
 * or the data changed, keeps the result as a texture (uploaded once), and
 * adds the playhead and selection on every frame as plain colour nodes.
 *
 * Each lane also brings the widget the timeline shows beside it in its label
 * column (its "header"): by default a label with the lane's title; a lane or
 * its owner may put controls there instead (a stem's mute, solo, gain, pan).
 * The timeline shows and hides the header with the lane.
 *
 * Every lane can be made taller or shorter by dragging its bottom border
 * (STRATA_LANE_BORDER px): its GtkWidget:height-request, kept between
 * STRATA_LANE_MIN_HEIGHT and STRATA_LANE_MAX_HEIGHT; the timeline remembers
 * the height per lane kind (the lane's type).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "strata-viewport.h"

G_BEGIN_DECLS

#define STRATA_LANE_MIN_HEIGHT 24
#define STRATA_LANE_MAX_HEIGHT 600
#define STRATA_LANE_BORDER 5          /* px above the bottom edge that resize */

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
  /* What lies under (@x, @y) for the tooltip, or NULL for none; a class
   * that sets it gets the tooltip. (transfer full) */
  char *(*describe_point) (StrataLane *self, double x, double y);
  /* Light content (true) or a dark lane (false): overlay colours follow. */
  gboolean dark;

  gpointer padding[8];
};

void            strata_lane_set_viewport (StrataLane *self, StrataViewport *viewport);
StrataViewport *strata_lane_get_viewport (StrataLane *self);
const char     *strata_lane_get_title    (StrataLane *self);
void            strata_lane_set_title    (StrataLane *self, const char *title);
/* Property "header": the label-column widget (transfer none). */
GtkWidget      *strata_lane_get_header   (StrataLane *self);
/* @header: (nullable) (transfer floating): %NULL restores the title label. */
void            strata_lane_set_header   (StrataLane *self, GtkWidget *header);
/* The tooltip text at (@x, @y), or %NULL. (transfer full) */
char           *strata_lane_describe_point (StrataLane *self, double x, double y);
/* Drops the cached image (the data behind it changed). */
void            strata_lane_invalidate   (StrataLane *self);
/* Renders the lane now at its allocated size (tests); (transfer full). */
cairo_surface_t *strata_lane_render_surface (StrataLane *self);
/* The lane's height (its height-request; -1 none) and a new one, clamped
 * to [STRATA_LANE_MIN_HEIGHT, STRATA_LANE_MAX_HEIGHT]. */
int             strata_lane_get_height   (StrataLane *self);
void            strata_lane_set_height   (StrataLane *self, int height);
/* Runs the code of a drag of the lane's bottom border (tests): a press at
 * @y (lane coordinates), moved by @dy. Returns whether @y was on the border
 * (otherwise nothing is resized). */
gboolean        strata_lane_drag_border  (StrataLane *self, double y, double dy);
/* Times the cache was re-rendered (tests). */
guint           strata_lane_get_render_count (StrataLane *self);

G_END_DECLS
