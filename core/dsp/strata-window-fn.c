/* strata-window-fn.c: analysis windows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "dsp/strata-window-fn.h"

#include <math.h>
#include <stddef.h>

bool
strata_window_fn_fill (StrataWindowFn type, bool periodic, int n, float *out)
{
  if (n < 1 || out == NULL)
    return false;
  if (type != STRATA_WINDOW_FN_RECTANGULAR && type != STRATA_WINDOW_FN_HANN &&
      type != STRATA_WINDOW_FN_HAMMING && type != STRATA_WINDOW_FN_BLACKMAN)
    return false;

  if (n == 1)
    {
      out[0] = 1.0f;
      return true;
    }

  /* Periodic: divide by N; symmetric: by N - 1. */
  double denom = periodic ? (double) n : (double) (n - 1);
  for (int i = 0; i < n; i++)
    {
      double x = 2.0 * M_PI * (double) i / denom;
      double v;
      switch (type)
        {
        case STRATA_WINDOW_FN_HANN:
          v = 0.5 - 0.5 * cos (x);
          break;
        case STRATA_WINDOW_FN_HAMMING:
          v = 0.54 - 0.46 * cos (x);
          break;
        case STRATA_WINDOW_FN_BLACKMAN:
          v = 0.42 - 0.5 * cos (x) + 0.08 * cos (2.0 * x);
          break;
        case STRATA_WINDOW_FN_RECTANGULAR:
        default:
          v = 1.0;
          break;
        }
      out[i] = (float) v;
    }
  return true;
}

double
strata_window_fn_sum (const float *w, int n, int power)
{
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += power == 2 ? (double) w[i] * (double) w[i] : (double) w[i];
  return s;
}
