/* strata-types.h: small types shared by every core module (plain C, no GLib).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdbool.h>

/* Progress of a long computation: @fraction in [0, 1], @stage a short,
 * untranslated stage name ("decode", "spectrogram", ...). Called on the
 * thread doing the work; the engine forwards it to the main thread. */
typedef void (*StrataProgressFunc) (double fraction, const char *stage, void *user_data);

/* Checked between frames/batches by long computations: returns true when the
 * computation must stop (the engine's Cancel). */
typedef bool (*StrataAbortFunc) (void *user_data);

#define STRATA_SAMPLE_RATE 44100
#define STRATA_CHANNELS 2
