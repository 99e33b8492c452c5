/* strata-separation-train.h: training and scoring of the separation head.
 *
 * The trainer reads rendered pieces (a folder of piece folders, each with
 * mix.flac and stems/{drums,bass,guitar,piano,vocals,other}.flac), keeps
 * each frame's band features and the stems' band ratios (8 bits each, 1 KB
 * a frame), and fits the masks with the stems' magnitudes as targets:
 * Σ (m_j |X_b| − r_j |X_b|)² / Σ |X_b|², r_j the stem's share of the band.
 * A checkpoint (OUT.ckpt) is written every checkpoint_every steps; --resume
 * continues from it and gives what an uninterrupted run gives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "strata-types.h"
#include "tasks/separation/strata-separation.h"

G_BEGIN_DECLS

typedef struct {
  char   **corpus_dirs;     /* (array zero-terminated=1) folders of piece folders */
  char   **valid_dirs;      /* (nullable) held-out corpora; else every 10th piece */
  char    *output;          /* weights file to write */
  gboolean features;        /* inject the foundation model's fine and medium features */
  char    *foundation;      /* (nullable) the foundation model; NULL = the default one */
  double   max_minutes;     /* read at most this much training audio (0: all) */
  double   valid_max_minutes; /* and of the held-out corpora (0: all) */
  double   fraction;        /* keep this share of the training pieces (1) */
  double   max_seconds;     /* stop after this wall time (0: no limit) */
  int      steps;
  int      batch;
  int      crop;            /* frames a crop */
  float    lr;
  gboolean resume;
  gboolean half;            /* F16 weights */
  gboolean score;           /* separate the validation pieces at the end and print SDRs */
  uint64_t seed;
  StrataSeparationConfig config;
  int      log_every;
  int      checkpoint_every;
  int      valid_every;
  void   (*log) (const char *line, void *user_data);
  void    *log_data;
  /* called after each validation, e.g. by the booster-study harness */
  void   (*valid_func) (int64_t step, double seconds, float loss, void *user_data);
  void    *valid_data;
  StrataAbortFunc abort_func;
  void    *abort_data;
  /* results */
  float    first_loss, last_loss, valid_loss, best_valid_loss;
  double   valid_sdr[STRATA_SEPARATION_N_STEMS];   /* mean over pieces, with score */
  double   seconds;
  int64_t  steps_done;
  guint    n_train, n_valid;
  double   train_minutes;
} StrataSeparationTrainOptions;

void     strata_separation_train_options_init (StrataSeparationTrainOptions *opt);
/* Trains and writes opt->output (and OUT.ckpt). */
gboolean strata_separation_train (StrataSeparationTrainOptions *opt, GError **error);

/* One piece's scores. */
typedef struct {
  double sdr[STRATA_SEPARATION_N_STEMS];       /* the head; NAN for a silent stem */
  double irm[STRATA_SEPARATION_N_STEMS];       /* the ideal ratio mask */
  double mixture[STRATA_SEPARATION_N_STEMS];   /* the mix as every stem's estimate */
  double seconds;                              /* the piece's length */
} StrataSeparationScores;

/**
 * strata_separation_score_piece:
 * @sep: the head
 * @foundation: (nullable): for a head with features
 * @dir: a piece folder (mix.flac or mix.wav, stems/NAME.flac)
 * @scores: (out): SDR of the head, of the ideal ratio mask and of the mixture
 * @error: return location for a #GError
 *
 * Separates the piece's mix (the sum of its stem files, so that the
 * references add up to the input) and scores each stem over its whole
 * length with strata_sdr().
 *
 * Returns: %TRUE, or %FALSE when a file cannot be read.
 */
gboolean strata_separation_score_piece (StrataSeparator *sep, StrataModel *foundation,
                                        const char *dir, StrataSeparationScores *scores,
                                        GError **error);

/* The piece folders of @dir (with a stems/ folder), sorted by name. */
GPtrArray *strata_separation_list_pieces (const char *dir, GError **error);

G_END_DECLS
