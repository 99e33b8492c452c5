/* strata-ruler-lane.h: the time axis (m:ss ticks) above the lanes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "analysis/strata-beats.h"
#include "analysis/strata-sections-export.h"
#include "strata-lane.h"

G_BEGIN_DECLS

#define STRATA_TYPE_RULER_LANE (strata_ruler_lane_get_type ())
G_DECLARE_FINAL_TYPE (StrataRulerLane, strata_ruler_lane, STRATA, RULER_LANE, StrataLane)

StrataLane *strata_ruler_lane_new (void);
/* The beat grid drawn above the time ticks: bar numbers and beat marks.
 * @beats is borrowed until the next call; @owner keeps it alive (released
 * with @owner_free). %NULL hides the grid. */
void        strata_ruler_lane_set_beats (StrataRulerLane   *self,
                                         const StrataBeats *beats,
                                         gpointer           owner,
                                         GDestroyNotify     owner_free);
/* The user's markers, flagged in the ruler with their names (copied). */
void        strata_ruler_lane_set_markers (StrataRulerLane    *self,
                                           const StrataMarker *markers,
                                           guint               n_markers);

G_END_DECLS
