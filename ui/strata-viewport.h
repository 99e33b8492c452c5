/* strata-viewport.h: the view shared by every timeline lane: visible start
 * time, zoom (seconds per pixel), track duration, playhead and selection.
 *
 * Threading contract: main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define STRATA_TYPE_VIEWPORT (strata_viewport_get_type ())
G_DECLARE_FINAL_TYPE (StrataViewport, strata_viewport, STRATA, VIEWPORT, GObject)

/* Signals:
 *   "changed"            the visible range changed (start, zoom, width, duration):
 *                        lanes re-render their cached image
 *   "overlay-changed"    playhead or selection changed: lanes only redraw overlays
 *   "selection-changed"  the selection changed (also while it is dragged)
 */
StrataViewport *strata_viewport_new                 (void);
double          strata_viewport_get_start           (StrataViewport *self);
double          strata_viewport_get_seconds_per_px  (StrataViewport *self);
double          strata_viewport_get_duration        (StrataViewport *self);
int             strata_viewport_get_width           (StrataViewport *self);
double          strata_viewport_get_visible_seconds (StrataViewport *self);
double          strata_viewport_get_playhead        (StrataViewport *self);

void            strata_viewport_set_duration        (StrataViewport *self, double seconds);
void            strata_viewport_set_width           (StrataViewport *self, int px);
void            strata_viewport_set_start           (StrataViewport *self, double seconds);
void            strata_viewport_set_seconds_per_px  (StrataViewport *self, double spp);
void            strata_viewport_set_playhead        (StrataViewport *self, double seconds);

/* Zooms by @factor (> 1 zooms in) keeping the time @anchor at the same pixel. */
void            strata_viewport_zoom_around         (StrataViewport *self, double factor,
                                                     double anchor);
/* Shows the whole track. */
void            strata_viewport_fit                 (StrataViewport *self);
/* Scrolls so that @seconds is visible (page-wise). */
void            strata_viewport_ensure_visible      (StrataViewport *self, double seconds);

double          strata_viewport_time_to_x           (StrataViewport *self, double seconds);
double          strata_viewport_x_to_time           (StrataViewport *self, double x);

/* Selection [start, end), seconds; start == end means none. */
void            strata_viewport_set_selection       (StrataViewport *self, double a, double b);
void            strata_viewport_clear_selection     (StrataViewport *self);
gboolean        strata_viewport_get_selection       (StrataViewport *self, double *start,
                                                     double *end);

G_END_DECLS
