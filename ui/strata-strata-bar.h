/* strata-strata-bar.h: the controls of the feature strata: per-level
 * visibility toggles, the drawing mode (heatmap, token map, PCA colours)
 * and the tag condition, bound to a StrataFeatureController.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "strata-feature-controller.h"

G_BEGIN_DECLS

#define STRATA_TYPE_STRATA_BAR (strata_strata_bar_get_type ())
G_DECLARE_FINAL_TYPE (StrataStrataBar, strata_strata_bar, STRATA, STRATA_BAR, GtkWidget)

GtkWidget *strata_strata_bar_new            (void);
/* Binds the controls to @controller (nullable: unbinds). */
void       strata_strata_bar_set_controller (StrataStrataBar *self,
                                             StrataFeatureController *controller);

G_END_DECLS
