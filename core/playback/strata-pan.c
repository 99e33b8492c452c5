/* strata-pan.c: the constant-power pan law (see strata-pan.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "playback/strata-pan.h"

/**
 * strata_pan_law:
 * @pan: -1 (left) .. +1 (right); clamped, NaN counts as the centre
 * @left: (out): the left channel's gain
 * @right: (out): the right channel's gain
 *
 * The constant-power balance law documented in strata-pan.h: unity at the
 * centre, sqrt(2) and 0 at the extremes, left² + right² = 2.
 */
void
strata_pan_law (double pan, double *left, double *right)
{
  double theta;

  if (isnan (pan))
    pan = 0.0;
  theta = (CLAMP (pan, -1.0, 1.0) + 1.0) * G_PI / 4.0;
  *left = G_SQRT2 * cos (theta);
  *right = G_SQRT2 * sin (theta);
}
