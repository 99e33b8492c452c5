/* strata-colormap.h: a perceptually uniform, colour-blind-safe colour map
 * (magma), as a small table interpolated into a 256-entry lookup table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns the 256-entry table of 0xffRRGGBB colours (cairo ARGB32, opaque),
 * index 0 = lowest value. */
const guint32 *strata_colormap_magma (void);

G_END_DECLS
