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
