/* strata-nn-private.h: internal helpers of core/nn.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cblas.h>

/* Debian's OpenBLAS cblas.h pulls in <complex.h>, whose `I` macro would
 * clash with the I (input features) dimension used in our signatures. */
#ifdef I
#undef I
#endif

#include <stdint.h>
#include <string.h>

/* exp(x) for x <= 0 (softmax after subtracting the maximum), written so
 * that loops over it vectorise without -ffast-math: 2^(x·log2 e) split
 * into 2^n · 2^f with a Cody-Waite reduction and a degree-6 polynomial.
 * Relative error < 3e-7 on [-87, 0]; returns 0 below -87. */
static inline float
strata_nn_exp_neg (float x)
{
  x = x < -87.0f ? -87.0f : x;
  const float t = x * 1.44269504f;
  const float magic = 12582912.0f;               /* 1.5 · 2^23: round to nearest */
  const float n = (t + magic) - magic;
  const float f = (x - n * 0.693145752f) - n * 1.42860677e-6f;  /* x − n ln 2 */
  float p = 1.38888889e-3f;
  p = p * f + 8.33333333e-3f;
  p = p * f + 4.16666667e-2f;
  p = p * f + 1.66666667e-1f;
  p = p * f + 0.5f;
  p = p * f + 1.0f;
  p = p * f + 1.0f;
  const int32_t bits = ((int32_t) n + 127) << 23;
  float scale;
  memcpy (&scale, &bits, sizeof scale);
  return p * scale;
}

/* Max and sum of x[0..n) with 8 independent lanes, so that GCC vectorises
 * them without -ffast-math (float reductions are not reassociated). */
static inline float
strata_nn_row_max (const float *x, int n)
{
  float m[8];
  int j = 0;
  for (int l = 0; l < 8; l++)
    m[l] = n > 0 ? x[0] : 0.0f;
  for (; j + 8 <= n; j += 8)
    for (int l = 0; l < 8; l++)
      m[l] = x[j + l] > m[l] ? x[j + l] : m[l];
  float r = m[0];
  for (int l = 1; l < 8; l++)
    r = m[l] > r ? m[l] : r;
  for (; j < n; j++)
    r = x[j] > r ? x[j] : r;
  return r;
}

static inline float
strata_nn_row_sum (const float *x, int n)
{
  float s[8] = { 0 };
  int j = 0;
  for (; j + 8 <= n; j += 8)
    for (int l = 0; l < 8; l++)
      s[l] += x[j + l];
  float r = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; j < n; j++)
    r += x[j];
  return r;
}

/* Σ x[j]·y[j], 8 lanes. */
static inline float
strata_nn_row_dot (const float *x, const float *y, int n)
{
  float s[8] = { 0 };
  int j = 0;
  for (; j + 8 <= n; j += 8)
    for (int l = 0; l < 8; l++)
      s[l] += x[j + l] * y[j + l];
  float r = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; j < n; j++)
    r += x[j] * y[j];
  return r;
}
