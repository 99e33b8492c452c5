/* strata-model-train.h: training the foundation model from corpora (used by
 * `strata-cli train foundation` and the tests; not for the UI).
 *
 * Stage 1 (HQ-VAE) then the three priors, each with its own AdamW state and
 * resumable checkpoint beside the output: OUT.stage1.ckpt,
 * OUT.prior-{coarse,medium,fine}.ckpt, and the priors' best parameters on
 * the held-out pieces (early stopping) in OUT.prior-*.best. Log-mel frames are computed once per
 * piece and cached in OUT.mel-cache/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "strata-types.h"
#include "model/strata-model.h"

G_BEGIN_DECLS

typedef struct {
  char  **corpus_dirs;     /* (array zero-terminated=1) */
  char  **valid_dirs;      /* (nullable) held-out corpora; else every 20th piece */
  char   *output;          /* weights file to write */
  int     steps1;          /* stage-1 optimiser steps */
  int     batch1;          /* crops per stage-1 step */
  int     crop1;           /* fine frames per crop (multiple of 16) */
  int     steps_prior[3];  /* per prior, coarse first */
  int     batch_prior[3];
  float   lr1, lr_prior;
  gboolean resume;
  gboolean tiny;           /* the tests' small configuration (widths 16) */
  gboolean half;           /* write F16 weights */
  StrataModelFrontend frontend;  /* log-mel (versions 1 and 2, the default) or log-frequency */
  /* Variance schedule per level (coarse first): the quantiser's bound s0²
   * is multiplied by anneal[l]^u, u rising linearly from 0 at 10 % of the
   * stage-1 steps to 1 at 70 %, so that s² = 2 s0² sigmoid(θ) must fall
   * and the posterior sharpen (MODEL-NOTES pitfall 3); 1 = no schedule. */
  float   anneal[3];
  uint64_t seed;
  int     log_every;       /* steps between progress lines */
  int     valid_every;     /* stage-1 steps between validations */
  int     valid_every_prior; /* prior steps between validations (early stopping) */
  /* progress lines (already formatted); nullable = g_message */
  void  (*log) (const char *line, void *user_data);
  void   *log_data;
  StrataAbortFunc abort_func;
  void   *abort_data;
  /* results, for tests and the model card */
  float   first_loss1, last_loss1, valid_mse[3];  /* valid_mse: c, c+m, all */
  float   first_loss_prior[3], last_loss_prior[3], valid_prior[3];
  float   perplexity[3], used_fraction[3];
  int     reseeded[3];        /* dead codes re-seeded in this run (since start or resume) */
  guint   n_train, n_valid;   /* pieces found for training and validation */
} StrataTrainOptions;

void     strata_train_options_init  (StrataTrainOptions *opt);
/* Trains and writes opt->output. */
gboolean strata_model_train_foundation (StrataTrainOptions *opt, GError **error);

/* Formats one progress line and hands it to @log (NULL: g_message()): the
 * log of every trainer (the foundation model's and the task heads'). */
void strata_train_log (void (*log) (const char *line, void *user_data), void *log_data,
                       const char *fmt, ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
