/* strata-transcription-train.h: training the transcription head from
 * corpora with exact notes (`strata-cli train transcription` and the
 * tests; not for the UI).
 *
 * Every piece folder with a mix (mix.flac or mix.wav) and a notes.csv is
 * used; the drum stem's notes are never targets. The optimiser state is
 * checkpointed in OUT.ckpt every 50 steps; --resume continues from it and
 * gives the same weights, byte for byte, as an uninterrupted run (the
 * crops of step s are drawn from a generator seeded with (seed, s)).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "strata-types.h"
#include "tasks/transcription/strata-transcription.h"

G_BEGIN_DECLS

typedef struct {
  char   **corpus_dirs;     /* (array zero-terminated=1) folders of piece folders */
  char   **valid_dirs;      /* (nullable) held-out corpora; else every 10th piece */
  char    *output;          /* weights file to write */
  gboolean features;        /* inject the foundation model's fine and medium features */
  char    *foundation;      /* (nullable) the foundation model; NULL = the default one */
  int      steps;           /* optimiser steps (the run stops there) */
  int      batch;           /* crops a step */
  int      crop;            /* frames a crop */
  float    lr;
  float    onset_weight;    /* weight of the onset head's positive cells */
  float    noise_fraction;  /* crops replaced by white noise without notes (features off only) */
  gboolean resume;
  gboolean half;            /* F16 weights */
  uint64_t seed;
  StrataTranscriptionConfig config;
  int      log_every;
  int      checkpoint_every;
  int      valid_every;
  void   (*log) (const char *line, void *user_data);
  void    *log_data;
  StrataAbortFunc abort_func;
  void    *abort_data;
  /* results */
  float    first_loss, last_loss, valid_loss;
  StrataTranscriptionScores valid_scores;
  guint    n_train, n_valid;
} StrataTranscriptionTrainOptions;

void     strata_transcription_train_options_init (StrataTranscriptionTrainOptions *opt);
/* Trains and writes opt->output (and OUT.ckpt). */
gboolean strata_transcription_train (StrataTranscriptionTrainOptions *opt, GError **error);

G_END_DECLS
