/* strata-engine-private.h: pieces of the engine shared between its files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "engine/strata-engine.h"

G_BEGIN_DECLS

/* One worker thread a queue (StrataEngineQueue). */
#define STRATA_ENGINE_N_QUEUES 2

/* Progress reaches the main context at most this often (30 Hz). */
#define STRATA_ENGINE_PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 30)

/* strata-job-info.c; main thread only. */
StrataJobInfo *_strata_job_info_new    (const char *kind, StrataEngineQueue queue);
void           _strata_job_info_update (StrataJobInfo *self, gboolean running,
                                        double fraction, const char *stage);

G_END_DECLS
