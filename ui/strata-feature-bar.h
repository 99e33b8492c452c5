/* strata-feature-bar.h: the controls of the feature strata: per-level
 * visibility toggles, the drawing mode (heatmap, token map, PCA colours)
 * and the tag condition, bound to a StrataFeatureController.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "strata-feature-controller.h"

G_BEGIN_DECLS

#define STRATA_TYPE_FEATURE_BAR (strata_feature_bar_get_type ())
G_DECLARE_FINAL_TYPE (StrataFeatureBar, strata_feature_bar, STRATA, FEATURE_BAR, GtkWidget)

GtkWidget *strata_feature_bar_new            (void);
/* Binds the controls to @controller (nullable: unbinds). */
void       strata_feature_bar_set_controller (StrataFeatureBar        *self,
                                              StrataFeatureController *controller);

G_END_DECLS
