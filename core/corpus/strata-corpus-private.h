/* strata-corpus-private.h: helpers shared inside core/corpus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One job of _strata_corpus_run_jobs(): returns FALSE with @error set. */
typedef gboolean (*StrataJobFunc) (int job, gpointer data, GError **error);

gboolean _strata_corpus_run_jobs (int            n_jobs,
                                  int            n_threads,
                                  StrataJobFunc  func,
                                  gpointer       data,
                                  GError       **error);

G_END_DECLS
