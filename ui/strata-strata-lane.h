/* strata-strata-lane.h: one feature stratum (coarse, medium or fine) of
 * the foundation model, time-aligned with the other lanes, drawn from a
 * StrataFeatureMaps computed by the engine: a heatmap of the feature
 * dimensions (viridis, ordered by first principal component), a token map
 * (codebook ids in a categorical palette) or a PCA ribbon (the first three
 * principal components as RGB). Passages found by similarity search are
 * outlined. Without features the lane shows a message ("No model
 * installed", "Computing…").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "strata-lane.h"
#include "analysis/strata-feature-maps.h"

G_BEGIN_DECLS

typedef enum {
  STRATA_STRATA_MODE_HEATMAP,
  STRATA_STRATA_MODE_TOKENS,
  STRATA_STRATA_MODE_PCA,
} StrataStrataMode;

#define STRATA_TYPE_STRATA_MODE (strata_strata_mode_get_type ())
GType strata_strata_mode_get_type (void);

#define STRATA_TYPE_STRATA_LANE (strata_strata_lane_get_type ())
G_DECLARE_FINAL_TYPE (StrataStrataLane, strata_strata_lane, STRATA, STRATA_LANE, StrataLane)

/* Properties: "level" (construct-only), "mode". */
StrataLane       *strata_strata_lane_new          (StrataLevel level);
StrataLevel       strata_strata_lane_get_level    (StrataStrataLane *self);
StrataStrataMode  strata_strata_lane_get_mode     (StrataStrataLane *self);
void              strata_strata_lane_set_mode     (StrataStrataLane *self, StrataStrataMode mode);
/* @maps: (nullable) (transfer none): what to draw (a reference is taken). */
void              strata_strata_lane_set_maps     (StrataStrataLane *self, StrataFeatureMaps *maps);
StrataFeatureMaps *strata_strata_lane_get_maps    (StrataStrataLane *self);
/* @message: (nullable): shown instead of the features while there are none. */
void              strata_strata_lane_set_message  (StrataStrataLane *self, const char *message);
const char       *strata_strata_lane_get_message  (StrataStrataLane *self);
/* Passages to outline, in seconds (copied); @n 0 clears. */
void              strata_strata_lane_set_matches  (StrataStrataLane *self, const StrataMatch *matches,
                                                   guint n);
guint             strata_strata_lane_get_n_matches (StrataStrataLane *self);
/* Monotonic time (µs) of the last primary-button press in the lane, 0 if
 * none: tells the window in which stratum a selection was made. */
gint64            strata_strata_lane_get_press_time (StrataStrataLane *self);

/* What lies under (@x, @y), for the tooltip: time, level, token id and
 * value, e.g. "0:12.345 · Coarse · token 17 · dimension 5 = 0.731".
 * (transfer full) (nullable) */
char             *strata_strata_lane_describe_point (StrataStrataLane *self, double x, double y);

G_END_DECLS
