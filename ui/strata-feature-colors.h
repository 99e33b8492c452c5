/* strata-feature-colors.h: the colour maps of the feature-strata views, all
 * colour-blind safe: viridis (perceptually uniform, sequential) for
 * heatmaps, and a categorical palette (Paul Tol's "muted" nine colours, in
 * three lightness steps) for token ids and section labels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns: (transfer none) (array fixed-size=256): viridis, opaque
 * 0xffRRGGBB (cairo ARGB32), index 0 = lowest value; thread-safe. */
const guint32 *strata_colormap_viridis (void);

/* Opaque 0xffRRGGBB colour of category @i (>= 0): nine distinct hues, then
 * the same hues darker and lighter. */
guint32        strata_category_color   (int i);

G_END_DECLS
