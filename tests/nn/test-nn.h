/* test-nn.h: shared declarations of the core/nn test executable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "nn/strata-nn.h"

void test_nn_add_gradcheck_tests    (void);
void test_nn_add_train_tests        (void);
void test_nn_add_safetensors_tests  (void);
void test_nn_add_reference_tests    (void);

/* A scratch directory removed at exit; tests write their files there. */
const char *test_nn_tmpdir (void);

/* Runs /usr/bin/python3 tests/nn/@script with up to two arguments; returns
 * its stdout (caller frees), or NULL after marking the test skipped (no
 * /usr/bin/python3) or failed (the script failed). */
char *test_nn_run_python (const char *script, const char *arg1, const char *arg2);
