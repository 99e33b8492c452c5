/* strata-booster.c: the booster-study harness (see strata-booster.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "strata-booster.h"

typedef struct {
  int64_t step;
  double seconds, loss;
} Point;

struct _StrataBoosterRun {
  StrataBoosterConfig config;
  GArray *curve;   /* (element-type Point) */
  double metrics[STRATA_BOOSTER_MAX_METRICS];
  gboolean ok;
};

void
strata_booster_run_report (StrataBoosterRun *run, int64_t step, double seconds, double loss)
{
  Point p = { step, seconds, loss };
  g_array_append_val (run->curve, p);
}

static double
best_loss (const StrataBoosterRun *run)
{
  double best = INFINITY;
  for (guint i = 0; i < run->curve->len; i++)
    best = MIN (best, g_array_index (run->curve, Point, i).loss);
  return best;
}

/* The first validation at or under @target, or NULL. */
static const Point *
reach (const StrataBoosterRun *run, double target)
{
  for (guint i = 0; i < run->curve->len; i++)
    if (g_array_index (run->curve, Point, i).loss <= target)
      return &g_array_index (run->curve, Point, i);
  return NULL;
}

gboolean
strata_booster_study (const StrataBoosterHead *head, double budget_seconds, FILE *out,
                      GError **error)
{
  StrataBoosterRun runs[4];
  const double fractions[2] = { 1.0, 0.1 };
  int n_metrics = 0;
  while (n_metrics < STRATA_BOOSTER_MAX_METRICS && head->metric_names[n_metrics])
    n_metrics++;
  for (int r = 0; r < 4; r++)
    {
      StrataBoosterRun *run = &runs[r];
      run->config = (StrataBoosterConfig) {
        .features = r % 2 == 1,
        .fraction = fractions[r / 2],
        .budget_seconds = budget_seconds,
        .seed = 1,
      };
      run->curve = g_array_new (FALSE, FALSE, sizeof (Point));
      for (int m = 0; m < STRATA_BOOSTER_MAX_METRICS; m++)
        run->metrics[m] = NAN;
      fprintf (stderr, "booster: %s, features %s, %.0f %% of the data, %.0f s\n", head->name,
               run->config.features ? "on" : "off", run->config.fraction * 100, budget_seconds);
      gpointer trained = head->train (&run->config, run, head->user_data, error);
      run->ok = trained != NULL &&
                head->evaluate (trained, &run->config, run->metrics, head->user_data, error);
      if (trained)
        head->free_head (trained);
      if (!run->ok)
        {
          for (int k = 0; k <= r; k++)
            g_array_unref (runs[k].curve);
          return FALSE;
        }
    }
  fprintf (out, "\nbooster study: %s, %.0f s of training a run\n", head->name, budget_seconds);
  fprintf (out, "%-9s %-8s", "data", "features");
  for (int m = 0; m < n_metrics; m++)
    fprintf (out, " %9s", head->metric_names[m]);
  fprintf (out, " %7s %8s %10s %18s\n", "steps", "seconds", "best loss", "to off's best");
  for (int r = 0; r < 4; r++)
    {
      const StrataBoosterRun *run = &runs[r];
      const double target = best_loss (&runs[r / 2 * 2]);
      const Point *p = reach (run, target);
      const Point *last = run->curve->len ? &g_array_index (run->curve, Point, run->curve->len - 1)
                                          : NULL;
      fprintf (out, "%-9s %-8s", run->config.fraction >= 1 ? "100 %" : "10 %",
               run->config.features ? "on" : "off");
      for (int m = 0; m < n_metrics; m++)
        fprintf (out, " %9.3f", run->metrics[m]);
      fprintf (out, " %7" G_GINT64_FORMAT " %8.0f %10.4f", last ? last->step : 0,
               last ? last->seconds : 0.0, best_loss (run));
      if (p)
        fprintf (out, " %7" G_GINT64_FORMAT " st %6.0f s\n", p->step, p->seconds);
      else
        fprintf (out, " %18s\n", "not reached");
    }
  for (int r = 0; r < 4; r++)
    g_array_unref (runs[r].curve);
  return TRUE;
}
