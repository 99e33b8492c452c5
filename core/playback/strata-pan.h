/* strata-pan.h: Strata's one pan law (live stem mix, mix renderer, mixing
 * suggestions, and the corpus renderer's labels all mean this by "pan").
 *
 * Constant-power balance, normalised to unity at the centre:
 *
 *   theta = (pan + 1) · pi/4            pan in [-1, +1], clamped
 *   left  = sqrt(2) · cos(theta)
 *   right = sqrt(2) · sin(theta)
 *
 *   pan -1 (hard left):  left sqrt(2) (+3.01 dB), right 0
 *   pan  0 (centre):     left 1, right 1 (0 dB: a centred stem passes unchanged,
 *                        so stems at their default settings sum to the mix)
 *   pan +1 (hard right): left 0, right sqrt(2) (+3.01 dB)
 *
 * left² + right² = 2 for every pan (constant power: moving a source across
 * the field keeps its loudness). The gains scale a stereo stem's left and
 * right channels (balance), they do not fold one channel into the other.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void strata_pan_law (double pan, double *left, double *right);

G_END_DECLS
