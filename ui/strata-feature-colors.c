/* strata-feature-colors.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include "strata-colormap.h"
#include "strata-feature-colors.h"

/* Viridis sampled at 0, 1/8, ..., 1 (sRGB, 0..255). */
static const float viridis_anchors[9][3] = {
  { 0x44, 0x01, 0x54 },
  { 0x47, 0x2d, 0x7b },
  { 0x3b, 0x52, 0x8b },
  { 0x2c, 0x72, 0x8e },
  { 0x21, 0x91, 0x8c },
  { 0x28, 0xae, 0x80 },
  { 0x5e, 0xc9, 0x62 },
  { 0xad, 0xdc, 0x30 },
  { 0xfd, 0xe7, 0x25 },
};

/* Paul Tol's "muted" qualitative scheme (colour-blind safe). */
static const guint32 muted[9] = {
  0x332288, 0x88ccee, 0x44aa99, 0x117733, 0x999933,
  0xddcc77, 0xcc6677, 0x882255, 0xaa4499,
};

const guint32 *
strata_colormap_viridis (void)
{
  static guint32 lut[256];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      strata_colormap_build (&viridis_anchors[0][0], G_N_ELEMENTS (viridis_anchors), 255.0f, lut);
      g_once_init_leave (&initialized, 1);
    }
  return lut;
}

guint32
strata_category_color (int i)
{
  static const double shade[3] = { 1.0, 0.7, 1.3 };
  guint32 base;
  double s;
  guint32 c = 0xff000000u;

  if (i < 0)
    i = -i;
  base = muted[i % 9];
  s = shade[(i / 9) % 3];
  for (int ch = 0; ch < 3; ch++)
    {
      double v = (base >> (16 - 8 * ch)) & 0xff;
      v = s <= 1.0 ? v * s : v + (255.0 - v) * (s - 1.0);
      c |= (guint32) lround (CLAMP (v, 0.0, 255.0)) << (16 - 8 * ch);
    }
  return c;
}
