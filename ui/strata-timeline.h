/* strata-timeline.h: the shared zoomable timeline: lanes stacked vertically
 * with a label column, one StrataViewport for all of them, a horizontal
 * scrollbar, and the pointer/keyboard interaction (zoom, scroll, seek,
 * select a loop region). The lanes scroll vertically when they are taller
 * than the timeline; their heights (set by dragging a lane's bottom border)
 * are remembered per lane kind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "analysis/strata-beats.h"
#include "strata-lane.h"
#include "strata-viewport.h"

G_BEGIN_DECLS

#define STRATA_TYPE_TIMELINE (strata_timeline_get_type ())
G_DECLARE_FINAL_TYPE (StrataTimeline, strata_timeline, STRATA, TIMELINE, GtkWidget)

#define STRATA_TIMELINE_ZOOM_STEP 1.5
#define STRATA_TIMELINE_SCROLL_STEP_PX 60.0   /* px per scroll-wheel notch */

/* Signals: "seek" (double seconds): the user clicked a time;
 * "selection-finished" (): the user released a dragged selection. */
GtkWidget      *strata_timeline_new          (void);
StrataViewport *strata_timeline_get_viewport (StrataTimeline *self);
/* Appends @lane (sinks the floating reference) with its header (by default
 * its title) in the label column. */
void            strata_timeline_add_lane     (StrataTimeline *self, StrataLane *lane);
guint           strata_timeline_get_n_lanes  (StrataTimeline *self);
StrataLane     *strata_timeline_get_lane     (StrataTimeline *self, guint index);
/* The time range of every lane (0: nothing shown); fits it. */
void            strata_timeline_set_duration (StrataTimeline *self, double duration);
/* Selections snap to the beats (within a few pixels) while @snap is TRUE
 * and a grid is set; @beats borrowed, kept alive by @owner (NULL: none). */
void            strata_timeline_set_beats    (StrataTimeline    *self,
                                              const StrataBeats *beats,
                                              gpointer           owner,
                                              GDestroyNotify     owner_free);
void            strata_timeline_set_snap     (StrataTimeline *self, gboolean snap);
gboolean        strata_timeline_get_snap     (StrataTimeline *self);
/* Keyboard zoom, around the playhead when it is visible, else the centre. */
void            strata_timeline_zoom         (StrataTimeline *self, double factor);
/* Simulates a pointer gesture, for tests: a press at @x0 and release at @x1
 * in lane coordinates (equal: a click). */
void            strata_timeline_pointer_gesture (StrataTimeline *self, double x0, double x1);
/* Simulates the pointer at @x (lane coordinates) and a scroll of @dx, @dy
 * notches with the modifiers @state, for tests: Ctrl zooms around @x, else
 * the view moves along time. Returns whether it was handled. */
gboolean        strata_timeline_scroll       (StrataTimeline *self, double x, double dx,
                                              double dy, GdkModifierType state);

/* @seconds as the timeline's labels show a time: "m:ss.mmm". (transfer full) */
char           *strata_timeline_format_time  (double seconds);

G_END_DECLS
