/* strata-window-fn.h: analysis windows for the STFT. Plain C (libm only).
 *
 * Windows are "periodic" (DFT-even) by default: w[n] for n in [0, N) is the
 * first N points of an (N+1)-point symmetric window, which is what spectral
 * analysis with overlap-add wants (the periodic Hann at hop N/4 or N/2 sums to
 * a constant). "Symmetric" windows (w[0] == w[N-1]) are for filter design.
 *
 * The "_fn" names (file, type, functions) keep these window *functions*
 * apart from StrataWindow, the application window in ui/.
 *
 * Thread contract: pure functions, callable from any thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdbool.h>

typedef enum {
  STRATA_WINDOW_FN_RECTANGULAR,
  STRATA_WINDOW_FN_HANN,      /* 0.5 - 0.5 cos (2 pi n / N) */
  STRATA_WINDOW_FN_HAMMING,   /* 0.54 - 0.46 cos (2 pi n / N) */
  STRATA_WINDOW_FN_BLACKMAN,  /* 0.42 - 0.5 cos (2 pi n / N) + 0.08 cos (4 pi n / N) */
} StrataWindowFn;

/**
 * strata_window_fn_fill:
 * @type: the window shape
 * @periodic: true for the periodic (DFT-even) form, false for the symmetric one
 * @n: the window length N (>= 1)
 * @out: (out caller-allocates): N values
 *
 * Fills @out with the window. Values are computed in double and rounded once.
 *
 * Returns: false when @n < 1 or @type is unknown (@out untouched).
 */
bool strata_window_fn_fill (StrataWindowFn type, bool periodic, int n, float *out);

/**
 * strata_window_fn_sum:
 * @w: (array length=n): the window
 * @n: its length
 * @power: 1 for sum(w), 2 for sum(w^2)
 *
 * Returns: the sum in double precision.
 */
double strata_window_fn_sum (const float *w, int n, int power);
