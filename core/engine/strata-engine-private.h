/* strata-engine-private.h: pieces of the engine shared between its files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "engine/strata-engine.h"

G_BEGIN_DECLS

/* Worker threads; the machine this is built for has 2 cores. */
#define STRATA_ENGINE_N_WORKERS 2

/* Progress reaches the main context at most this often (30 Hz). */
#define STRATA_ENGINE_PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 30)

/* The load job (strata-engine-load.c). */
gpointer _strata_engine_load_job  (StrataJob *job, gpointer job_data, GError **error);
/* (transfer full) job data for _strata_engine_load_job, freed with g_free. */
gpointer _strata_engine_load_data_new (StrataEngine *engine, const char *path);
void     _strata_engine_load_data_free (gpointer data);

G_END_DECLS
