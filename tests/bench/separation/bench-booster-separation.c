/* bench-booster-separation.c: the booster study (tests/bench/booster) for
 * the separation head: with and without the foundation features, at 100 %
 * and 10 % of the training data, each run trained for the same wall time.
 *
 * Environment: STRATA_TRAIN_CORPUS (/work/corpora/train),
 * STRATA_VALID_CORPUS (/work/corpora/valid-tim), STRATA_BOOSTER_MINUTES
 * (training audio read, 20), STRATA_BOOSTER_SECONDS (budget a run, 480),
 * STRATA_BOOSTER_VALID_MINUTES (validation audio, 4), STRATA_BOOSTER_THREADS
 * (OpenBLAS threads, 1). Run under nice.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>

#include "nn/strata-nn.h"
#include "tasks/separation/strata-separation-train.h"
#include "strata-booster.h"

typedef struct {
  char *train_dir, *valid_dir, *tmp;
  double minutes, valid_minutes;
  StrataModel *foundation;
} Study;

static double
env_double (const char *name, double fallback)
{
  const char *v = g_getenv (name);
  return v ? g_ascii_strtod (v, NULL) : fallback;
}

static void
on_valid (int64_t step, double seconds, float loss, void *user_data)
{
  strata_booster_run_report (user_data, step, seconds, loss);
}

static void
log_line (const char *line, void *user_data)
{
  g_printerr ("%s\n", line);
}

static gpointer
train (const StrataBoosterConfig *config, StrataBoosterRun *run, void *user_data, GError **error)
{
  Study *s = user_data;
  char *corpus[] = { s->train_dir, NULL }, *valid[] = { s->valid_dir, NULL };
  g_autofree char *out = g_strdup_printf ("%s/sep-%s-%.0f.safetensors", s->tmp,
                                          config->features ? "on" : "off",
                                          config->fraction * 100);
  StrataSeparationTrainOptions opt;
  strata_separation_train_options_init (&opt);
  opt.corpus_dirs = corpus;
  opt.valid_dirs = valid;
  opt.output = out;
  opt.features = config->features;
  opt.fraction = config->fraction;
  opt.max_minutes = s->minutes;
  opt.valid_max_minutes = s->valid_minutes;
  opt.max_seconds = config->budget_seconds;
  opt.steps = 4000;
  opt.valid_every = 100;
  opt.checkpoint_every = 1000000;
  opt.half = FALSE;
  opt.seed = config->seed;
  opt.log = log_line;
  opt.valid_func = on_valid;
  opt.valid_data = run;
  if (!strata_separation_train (&opt, error))
    return NULL;
  StrataSeparator *sep = strata_separator_load (out, error);
  g_autofree char *ckpt = g_strconcat (out, ".ckpt", NULL);
  g_unlink (out);
  g_unlink (ckpt);
  return sep;
}

static gboolean
evaluate (gpointer head, const StrataBoosterConfig *config, double *metrics, void *user_data,
          GError **error)
{
  Study *s = user_data;
  g_autoptr (GPtrArray) pieces = strata_separation_list_pieces (s->valid_dir, error);
  if (!pieces)
    return FALSE;
  double sum[STRATA_SEPARATION_N_STEMS] = { 0 }, seconds = 0;
  int cnt[STRATA_SEPARATION_N_STEMS] = { 0 };
  for (guint i = 0; i < pieces->len && seconds < s->valid_minutes * 60; i++)
    {
      StrataSeparationScores sc;
      if (!strata_separation_score_piece (head, s->foundation, pieces->pdata[i], &sc, error))
        return FALSE;
      seconds += sc.seconds;
      for (int j = 0; j < STRATA_SEPARATION_N_STEMS; j++)
        if (isfinite (sc.sdr[j]))
          sum[j] += sc.sdr[j], cnt[j]++;
    }
  double mean = 0;
  for (int j = 0; j < STRATA_SEPARATION_N_STEMS; j++)
    {
      metrics[j] = cnt[j] ? sum[j] / cnt[j] : NAN;
      mean += metrics[j] / STRATA_SEPARATION_N_STEMS;
    }
  metrics[STRATA_SEPARATION_N_STEMS] = mean;
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  /* one thread: on a shared machine OpenBLAS's second thread mostly waits */
  strata_nn_set_num_threads ((int) env_double ("STRATA_BOOSTER_THREADS", 1));
  Study s = {
    .train_dir = (char *) (g_getenv ("STRATA_TRAIN_CORPUS") ? g_getenv ("STRATA_TRAIN_CORPUS")
                                                            : "/work/corpora/train"),
    .valid_dir = (char *) (g_getenv ("STRATA_VALID_CORPUS") ? g_getenv ("STRATA_VALID_CORPUS")
                                                            : "/work/corpora/valid-tim"),
    .minutes = env_double ("STRATA_BOOSTER_MINUTES", 20),
    .valid_minutes = env_double ("STRATA_BOOSTER_VALID_MINUTES", 4),
    .tmp = g_dir_make_tmp ("strata-booster-XXXXXX", NULL),
  };
  s.foundation = strata_model_load_default (&error);
  if (!s.foundation)
    {
      g_printerr ("bench-booster-separation: %s\n", error->message);
      return 1;
    }
  StrataBoosterHead head = {
    .name = "separation (SDR dB)",
    .metric_names = { "drums", "bass", "guitar", "piano", "vocals", "other", "mean", NULL },
    .train = train,
    .evaluate = evaluate,
    .free_head = (GDestroyNotify) strata_separator_free,
    .user_data = &s,
  };
  gboolean ok = strata_booster_study (&head, env_double ("STRATA_BOOSTER_SECONDS", 480), stdout,
                                      &error);
  if (!ok)
    g_printerr ("bench-booster-separation: %s\n", error->message);
  g_rmdir (s.tmp);
  g_free (s.tmp);
  strata_model_unref (s.foundation);
  return ok ? 0 : 1;
}
