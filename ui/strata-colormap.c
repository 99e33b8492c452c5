/* strata-colormap.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include "strata-colormap.h"

/* Magma sampled at 0, 0.1, ..., 1 (sRGB, 0..1). */
static const float magma_anchors[11][3] = {
  { 0.001f, 0.000f, 0.014f },
  { 0.079f, 0.054f, 0.212f },
  { 0.232f, 0.060f, 0.438f },
  { 0.390f, 0.100f, 0.502f },
  { 0.550f, 0.161f, 0.506f },
  { 0.716f, 0.215f, 0.475f },
  { 0.869f, 0.288f, 0.409f },
  { 0.968f, 0.440f, 0.360f },
  { 0.995f, 0.624f, 0.427f },
  { 0.996f, 0.813f, 0.573f },
  { 0.987f, 0.991f, 0.750f },
};

/**
 * strata_colormap_build:
 * @anchors: (array): @n_anchors colours, three values (red, green, blue)
 *   each from 0 to @full_scale, evenly spaced from the lowest value to the
 *   highest
 * @n_anchors: how many (>= 2)
 * @full_scale: the value of full intensity in @anchors (1 or 255)
 * @lut: (out caller-allocates) (array fixed-size=256): the table to fill
 *
 * Interpolates the anchors linearly into a 256-entry table of opaque
 * 0xffRRGGBB colours (cairo ARGB32), index 0 = lowest value.
 */
void
strata_colormap_build (const float *anchors, int n_anchors, float full_scale, guint32 lut[256])
{
  g_return_if_fail (anchors != NULL && n_anchors >= 2 && full_scale > 0);

  for (int i = 0; i < 256; i++)
    {
      double t = i / 255.0 * (n_anchors - 1);
      int k = MIN ((int) t, n_anchors - 2);
      double f = t - k;
      guint32 c = 0xff000000u;

      for (int ch = 0; ch < 3; ch++)
        {
          double v = anchors[3 * k + ch] * (1 - f) + anchors[3 * (k + 1) + ch] * f;
          c |= (guint32) lround (CLAMP (v, 0.0, full_scale) * (255.0 / full_scale)) << (16 - 8 * ch);
        }
      lut[i] = c;
    }
}

/**
 * strata_colormap_magma:
 *
 * Returns: (transfer none) (array fixed-size=256): the magma lookup table,
 *   opaque 0xffRRGGBB, built once; thread-safe
 */
const guint32 *
strata_colormap_magma (void)
{
  static guint32 lut[256];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      strata_colormap_build (&magma_anchors[0][0], G_N_ELEMENTS (magma_anchors), 1.0f, lut);
      g_once_init_leave (&initialized, 1);
    }
  return lut;
}
