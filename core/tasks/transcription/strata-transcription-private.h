/* strata-transcription-private.h: the head's graph, shared by inference,
 * training and the gradient tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nn/strata-nn.h"
#include "tasks/transcription/strata-transcription.h"

G_BEGIN_DECLS

#define STRATA_TRANSCRIPTION_N_OUT (4 * STRATA_TRANSCRIPTION_N_PITCHES)
/* Column groups of the output logits, each 88 wide. */
enum { TR_FRAME = 0, TR_ONSET = 1, TR_OFFSET = 2, TR_VELOCITY = 3 };

struct _StrataTranscriber {
  gatomicrefcount ref_count;
  StrataTranscriptionConfig cfg;
  StrataParams params;
  int F2;                          /* bins after the strided conv */
  int in_dim;                      /* GRU input width: embed (+ 2 proj) */
  int i_c1w, i_c1b, i_c2w, i_c2b, i_ew, i_eb;
  int i_fw, i_fb, i_mw, i_mb;      /* -1 without features */
  int i_gru[2][4];                 /* forward, reverse: w_ih, w_hh, b_ih, b_hh */
  int i_ow, i_ob;
  char *path;
  char *version;
};

/* Activations of one (B, T) batch, allocated once for a shape. */
typedef struct {
  int B, T, Tm;
  float *x;        /* (B,T,F) input */
  float *h1, *a1;  /* (B,T,F,C) */
  float *h2, *a2;  /* (B,T,F2,C) */
  float *e, *ea;   /* (B,T,E) */
  float *fine;     /* (B,T,Df) input copy */
  float *medium;   /* (B,Tm,Dm) input copy */
  float *fp;       /* (B,T,P) */
  float *mp;       /* (B,Tm,P) */
  float *cat;      /* (B,T,In) */
  float *g[2];     /* (B,T,H) */
  float *gcache[2];
  float *gcat;     /* (B,T,2H) */
  float *logits;   /* (B,T,352) */
  /* gradients */
  float *da1, *da2, *dea, *dh, *dcat, *dg[2], *dgcat, *dlogits, *dfp, *dmp;
  float *scratch;
  size_t scratch_size;
} TrActs;

TrActs *_strata_tr_acts_new  (const StrataTranscriber *tr, int B, int T);
void    _strata_tr_acts_free (TrActs *a);
/* Forward from a->x (and a->fine, a->medium) to a->logits. */
void    _strata_tr_forward   (StrataTranscriber *tr, TrActs *a);
/* Backward from a->dlogits into tr->params.grads (accumulating). */
void    _strata_tr_backward  (StrataTranscriber *tr, TrActs *a);
/* Config as a JSON object string (strata.config). */
char   *_strata_tr_config_to_json (const StrataTranscriptionConfig *cfg);

typedef struct {
  float frame[STRATA_TRANSCRIPTION_N_PITCHES];
  float onset[STRATA_TRANSCRIPTION_N_PITCHES];
  float offset[STRATA_TRANSCRIPTION_N_PITCHES];
  float velocity[STRATA_TRANSCRIPTION_N_PITCHES];
} TrTargetRow;

/* Loss of a->logits against @targets (B*T rows): BCE of activity, onset
 * (positives weighted x @onset_weight) and offset, and the squared error of
 * the velocity on onset cells; writes a->dlogits (scaled by @scale) when
 * @grad. */
float   _strata_tr_loss (TrActs *a, const TrTargetRow *targets, float onset_weight,
                         float scale, gboolean grad);
/* Fills the target rows of frames [@t0, @t0 + @T) from @notes. */
void    _strata_tr_targets (const GArray *notes, int t0, int T, TrTargetRow *rows);

G_END_DECLS
