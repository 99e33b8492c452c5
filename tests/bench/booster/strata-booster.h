/* strata-booster.h: the booster-study harness shared by every task head's
 * benchmark (DESIGN §6b; the SoniDo paper's question): does injecting the
 * foundation model's features make the head better, and cheaper to train?
 *
 * A head gives one callback that trains a run (with or without features,
 * on a share of its training data, for a wall-time budget), reporting
 * each validation loss with strata_booster_run_report(), and one that
 * scores the trained run. strata_booster_study() makes four runs — off and
 * on, at 100 % and at 10 % of the data — and prints one table: the head's
 * metrics, the steps and wall time taken, the best validation loss, and
 * the steps and seconds each run needed to reach the best validation loss
 * of the features-off run on the same data (the paper's "cheaper").
 *
 * See README.md for how a head plugs in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

G_BEGIN_DECLS

#define STRATA_BOOSTER_MAX_METRICS 8

typedef struct _StrataBoosterRun StrataBoosterRun;

/* What a run is asked to do. */
typedef struct {
  gboolean features;       /* inject the foundation features */
  double   fraction;       /* share of the training data (1 or 0.1) */
  double   budget_seconds; /* wall-time budget of the training */
  uint64_t seed;
} StrataBoosterConfig;

typedef struct {
  const char *name;                                   /* the head, for the table */
  const char *metric_names[STRATA_BOOSTER_MAX_METRICS];  /* NULL-ended */
  /* Trains @config; calls strata_booster_run_report() after each
   * validation. Returns the trained head (freed with @free_head) or NULL
   * with @error set. */
  gpointer (*train) (const StrataBoosterConfig *config, StrataBoosterRun *run,
                     void *user_data, GError **error);
  /* Fills @metrics (as many as metric_names) for a trained head. */
  gboolean (*evaluate) (gpointer head, const StrataBoosterConfig *config, double *metrics,
                        void *user_data, GError **error);
  GDestroyNotify free_head;
  void *user_data;
} StrataBoosterHead;

/* Records one validation of @run: the optimiser step, the wall time since
 * the training started and the validation loss (lower is better). */
void strata_booster_run_report (StrataBoosterRun *run, int64_t step, double seconds,
                                double loss);

/**
 * strata_booster_study:
 * @head: the head's callbacks
 * @budget_seconds: each run's training budget
 * @out: where the table goes (stdout)
 * @error: return location for a #GError
 *
 * Runs the four trainings one after the other and prints the table.
 *
 * Returns: %FALSE when a run failed.
 */
gboolean strata_booster_study (const StrataBoosterHead *head, double budget_seconds, FILE *out,
                               GError **error);

G_END_DECLS
