/* strata-feature-lane.h: one feature stratum (coarse, medium or fine) of
 * the foundation model, time-aligned with the other lanes, drawn from a
 * StrataFeatureMaps computed by the engine: a heatmap of the feature
 * dimensions (viridis, ordered by first principal component), a token map
 * (codebook ids in a categorical palette) or a PCA ribbon (the first three
 * principal components as RGB), or the change curve (how much the
 * stratum changes around each frame, strata_feature_change()) above a
 * compact PCA strip, with a dimension axis at its left edge
 * (dimension ids of the heatmap rows, token ids of the token map). Passages
 * found by similarity search are outlined. Without features the lane shows a message ("No model
 * installed", "Computing…").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "strata-lane.h"
#include "analysis/strata-feature-maps.h"

G_BEGIN_DECLS

typedef enum {
  STRATA_FEATURE_MODE_HEATMAP,
  STRATA_FEATURE_MODE_TOKENS,
  STRATA_FEATURE_MODE_PCA,
  STRATA_FEATURE_MODE_CURVE,
} StrataFeatureMode;

/* The mode the lanes start in. Rendered side by side on the demo (PNG),
 * the change curve over a compact PCA strip read best: at the medium and
 * fine strata its peaks mark each phrase and section change, where the
 * full-height PCA ribbon and the heatmap look like barcode noise; at the
 * coarse stratum the strip keeps the PCA colour blocks of the sections. */
#define STRATA_FEATURE_MODE_DEFAULT STRATA_FEATURE_MODE_CURVE

#define STRATA_TYPE_FEATURE_MODE (strata_feature_mode_get_type ())
GType strata_feature_mode_get_type (void);

#define STRATA_TYPE_FEATURE_LANE (strata_feature_lane_get_type ())
G_DECLARE_FINAL_TYPE (StrataFeatureLane, strata_feature_lane, STRATA, FEATURE_LANE, StrataLane)

/* Properties: "level" (construct-only), "mode". */
StrataLane        *strata_feature_lane_new           (StrataLevel level);
StrataLevel        strata_feature_lane_get_level     (StrataFeatureLane *self);
StrataFeatureMode  strata_feature_lane_get_mode      (StrataFeatureLane *self);
void               strata_feature_lane_set_mode      (StrataFeatureLane *self, StrataFeatureMode mode);
/* @maps: (nullable) (transfer none): what to draw (a reference is taken). */
void               strata_feature_lane_set_maps      (StrataFeatureLane *self, StrataFeatureMaps *maps);
StrataFeatureMaps *strata_feature_lane_get_maps      (StrataFeatureLane *self);
/* @message: (nullable): shown instead of the features while there are none. */
void               strata_feature_lane_set_message   (StrataFeatureLane *self, const char *message);
const char        *strata_feature_lane_get_message   (StrataFeatureLane *self);
/* Passages to outline, in seconds (copied); @n 0 clears. */
void               strata_feature_lane_set_matches   (StrataFeatureLane *self,
                                                      const StrataMatch *matches, guint n);
guint              strata_feature_lane_get_n_matches (StrataFeatureLane *self);
/* Monotonic time (µs) of the last primary-button press in the lane, 0 if
 * none: tells the window in which stratum a selection was made. */
gint64             strata_feature_lane_get_press_time (StrataFeatureLane *self);

/* The header (label column) shows the title, an info button whose popover
 * says what the stratum captures and at what rate (from the features, so
 * from the model's configuration), and a legend of the current mode. */
GtkWidget         *strata_feature_lane_get_legend    (StrataFeatureLane *self);
const char        *strata_feature_lane_get_info      (StrataFeatureLane *self);

/* What lies under (@x, @y), for the tooltip: time, level, token id and
 * value, e.g. "0:12.345 · Coarse · token 17 · dimension 5 = 0.731".
 * (transfer full) (nullable) */
char              *strata_feature_lane_describe_point (StrataFeatureLane *self, double x, double y);

G_END_DECLS
