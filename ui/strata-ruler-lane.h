/* strata-ruler-lane.h: the time axis (m:ss ticks) above the lanes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "strata-lane.h"

G_BEGIN_DECLS

#define STRATA_TYPE_RULER_LANE (strata_ruler_lane_get_type ())
G_DECLARE_FINAL_TYPE (StrataRulerLane, strata_ruler_lane, STRATA, RULER_LANE, StrataLane)

StrataLane *strata_ruler_lane_new (void);

G_END_DECLS
