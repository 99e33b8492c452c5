/* strata-colormap.h: a perceptually uniform, colour-blind-safe colour map
 * (magma), as a small table interpolated into a 256-entry lookup table, and
 * the interpolation shared with the other tables (strata-feature-colors.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns the 256-entry table of 0xffRRGGBB colours (cairo ARGB32, opaque),
 * index 0 = lowest value. */
const guint32 *strata_colormap_magma (void);

/* Interpolates @n_anchors evenly spaced sRGB colours (values 0..@full_scale)
 * into @lut: the builder of every colour table. */
void           strata_colormap_build (const float *anchors, int n_anchors, float full_scale,
                                      guint32 lut[256]);

G_END_DECLS
