/* strata-model-private.h: the foundation model's networks, shared by the
 * loader/extractor (strata-model.c), the trainer (strata-model-train.c) and
 * the tests. Not installed; not for the UI.
 *
 * Stage 1 (strata-hqvae.c), injected top-down HQ-VAE over standardised
 * log-mel x (B,T,M), T a multiple of 16:
 *   h_f = res(gelu(conv3(x)))                      (B,T,Wf)
 *   h_m = res(gelu(down4(h_f)))                    (B,T/4,Wm)
 *   h_c = res(gelu(down4(h_m)))                    (B,T/16,Wc)
 *   coarse: ẑ_c = lin(gelu(conv3(h_c)))            z_c = SQ(ẑ_c)
 *           r_c = res(P_c z_c)
 *   medium: u_m = up4(r_c); ẑ_m = lin(gelu(conv3([u_m ; h_m])))
 *           r_m = res(u_m + P_m z_m)
 *   fine:   u_f = up4(r_m); ẑ_f = lin(gelu(conv3([u_f ; h_f])))
 *           r_f = res(u_f + P_f z_f)
 *   x̂ = conv3(gelu(r_f))
 * res(x) = x + conv1(gelu(conv3_dil(gelu(x)))); down4 = conv k8 s4 p2;
 * up4 = transposed conv k8 s4 p2. Loss (MODEL-NOTES §2–3, per example):
 *   (D/2) log(SSE/B) + (1/B) Σ_levels Σ_i [commit + neg_entropy]
 *
 * Stage 2 (strata-prior.c), per level a pre-LN causal transformer with
 * local window attention over tokens z (B,T), T <= ctx:
 *   x_t = tok[z_{t-1}] (BOS at t = 0) + pos[t] + conv3(par[z^parent_{t/4}]
 *         + phase[t mod 4]) + tag_proj(tags)
 *   blocks; logits = head(ln_f(x)); cross-entropy against z_t.
 * Features = the residual stream after block `layer`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "nn/strata-nn.h"
#include "nn/strata-nn-ops.h"
#include "nn/strata-nn-sq.h"
#include "model/strata-model.h"

G_BEGIN_DECLS

#define STRATA_MODEL_MAX_TAGS 64

typedef struct {
  StrataModelFrontend frontend;
  int n_mels;                         /* M: input bins, 128 (log-mel) or 264 */
  int width[STRATA_N_LEVELS];         /* stage-1 channels per level */
  int code_dim;                       /* d of every codebook */
  int K[STRATA_N_LEVELS];             /* codebook sizes */
  int prior_dim[STRATA_N_LEVELS];     /* transformer width per level */
  int prior_layers;
  int prior_heads;
  int prior_ctx[STRATA_N_LEVELS];     /* tokens per window */
  int prior_window[STRATA_N_LEVELS];  /* attention window (keys per query) */
  int default_layer;                  /* 1..prior_layers */
  int n_tags;
  char *tags[STRATA_MODEL_MAX_TAGS];
} StrataModelConfig;

void     _strata_model_config_default (StrataModelConfig *cfg);
/* A tiny configuration for tests. */
void     _strata_model_config_tiny    (StrataModelConfig *cfg);
/* A small one (128 mels, widths 16) for training smoke tests (--tiny). */
void     _strata_model_config_small   (StrataModelConfig *cfg);
void     _strata_model_config_clear   (StrataModelConfig *cfg);
char    *_strata_model_config_to_json (const StrataModelConfig *cfg);
gboolean _strata_model_config_from_json (StrataModelConfig *cfg, const char *json,
                                         GError **error);
/* Front-end metadata string (strata.frontend) of @frontend. */
const char *_strata_model_frontend_json (StrataModelFrontend frontend);
/* Input bins of @frontend (128 or 264). */
int      _strata_model_frontend_bins (StrataModelFrontend frontend);
/* The raw value of a silent bin of @frontend (before standardisation). */
float    _strata_model_frontend_silence (StrataModelFrontend frontend);
/* TRUE when @max_numel is 0 or the declared tensors hold at most that many
 * floats. */
gboolean _strata_params_fit (const StrataParams *params, size_t max_numel);
/* Tag index, or -1. */
int      _strata_model_config_find_tag (const StrataModelConfig *cfg, const char *name);

/* ------------------------------------------------------------ stage 1 */

typedef struct {
  float *w1, *b1, *w2, *b2;   /* conv3 dil (C,C,3) (C); conv1 (C,C,1) (C) */
  int i_w1, i_b1, i_w2, i_b2;
  int dilation;
} HqRes;

typedef struct {
  StrataModelConfig cfg;
  StrataParams params;
  /* parameter indices (values/grads via strata_params_value/grad) */
  int i_mean, i_std;                 /* frontend.mel_mean, mel_std (M), frozen */
  int i_in_w, i_in_b;                /* enc.in */
  int i_down_w[2], i_down_b[2];      /* enc.down.{0:f->m, 1:m->c} */
  HqRes enc_res[STRATA_N_LEVELS];    /* enc.res.{c,m,f} */
  int i_g_w[STRATA_N_LEVELS], i_g_b[STRATA_N_LEVELS];   /* gate conv3 */
  int i_gl_w[STRATA_N_LEVELS], i_gl_b[STRATA_N_LEVELS]; /* gate linear -> d */
  int i_cb[STRATA_N_LEVELS];         /* quant.L.codebook (K,d) */
  int i_theta[STRATA_N_LEVELS];      /* quant.L.theta (1) */
  int i_s0[STRATA_N_LEVELS];         /* quant.L.s0_sq (1), frozen */
  int i_p_w[STRATA_N_LEVELS], i_p_b[STRATA_N_LEVELS];   /* proj d -> W */
  int i_up_w[2], i_up_b[2];          /* dec.up.{0:c->m, 1:m->f} */
  HqRes dec_res[STRATA_N_LEVELS];    /* dec.res.{c,m,f} */
  int i_out_w, i_out_b;              /* dec.out */
} HqVae;

/* Declares and allocates every tensor (values zero; see _init_random). */
/* @max_numel > 0: fail (FALSE) when the declared tensors hold more floats
 * (a hostile config cannot force a huge allocation). */
gboolean _strata_hqvae_init        (HqVae *m, const StrataModelConfig *cfg, size_t max_numel);
void     _strata_hqvae_init_random (HqVae *m, uint64_t seed);
void     _strata_hqvae_clear       (HqVae *m);

/* Activations of one (B,T) pass, sized once. */
typedef struct _HqActs HqActs;

typedef struct {
  float loss;              /* total, per example */
  float rec_mse;           /* mean squared error per element */
  float commit[STRATA_N_LEVELS], neg_entropy[STRATA_N_LEVELS];
  float max_post[STRATA_N_LEVELS];
} HqStats;

HqActs  *_strata_hqvae_acts_new  (const HqVae *m, int B, int T);
void     _strata_hqvae_acts_free (HqActs *a);
/* (B,T,M) standardised input; returns a pointer to fill. */
float   *_strata_hqvae_acts_input (HqActs *a);
/* Tokens (B,T>>shift) of @level after a forward; shift 4, 2, 0. */
const int32_t *_strata_hqvae_acts_tokens (const HqActs *a, StrataLevel level);
/* Encoder means ẑ (B*T_l, d) of @level after a forward. */
const float *_strata_hqvae_acts_zhat (const HqActs *a, StrataLevel level, int *n_rows);
/* Reconstruction (B,T,M) after a forward. */
const float *_strata_hqvae_acts_recon (const HqActs *a);

/* Forward on the input already in @a. @training: Gumbel-softmax
 * relaxation with noise from @rng (NULL = noiseless); otherwise hard codes.
 * @n_levels_used < 3 zeroes the injections of the finer levels (level
 * dropout / coarse-only reconstruction). Fills @stats (nullable). */
void     _strata_hqvae_forward  (HqVae *m, HqActs *a, bool training, StrataRng *rng,
                                 float tau, int n_levels_used, HqStats *stats);
/* Backward of the loss of the last (training) forward; accumulates into
 * m->params.grads. */
void     _strata_hqvae_backward (HqVae *m, HqActs *a, float tau);
/* Log s² of each level's quantiser. */
float    _strata_hqvae_log_var  (const HqVae *m, StrataLevel level, float *dlogvar_dtheta);

/* ------------------------------------------------------------ stage 2 */

typedef struct {
  int ln1_w, ln1_b, qkv_w, qkv_b, proj_w, proj_b, ln2_w, ln2_b, fc1_w, fc1_b, fc2_w, fc2_b;
} PriorBlockIdx;

#define STRATA_PRIOR_MAX_LAYERS 12

typedef struct {
  StrataModelConfig cfg;
  StrataLevel level;
  int d, K, K_parent, ctx, window, n_layers, n_heads, n_tags;
  StrataParams params;
  int i_tok, i_pos, i_par, i_phase, i_par_w, i_par_b, i_tag;
  PriorBlockIdx blk[STRATA_PRIOR_MAX_LAYERS];
  int i_lnf_w, i_lnf_b, i_head_w, i_head_b;
} Prior;

gboolean _strata_prior_init        (Prior *p, const StrataModelConfig *cfg, StrataLevel level,
                                    size_t max_numel);
void     _strata_prior_init_random (Prior *p, uint64_t seed);
void     _strata_prior_clear       (Prior *p);

typedef struct _PriorActs PriorActs;

PriorActs *_strata_prior_acts_new  (const Prior *p, int B);
void       _strata_prior_acts_free (PriorActs *a);
/* Inputs to fill before a forward: tokens (B,T), parent tokens
 * (B,ceil(T/4)) (ignored for coarse), tags (B,n_tags) (zero = none). */
int32_t   *_strata_prior_acts_tokens (PriorActs *a);
int32_t   *_strata_prior_acts_parent (PriorActs *a);
float     *_strata_prior_acts_tags   (PriorActs *a);
/* Residual stream after block @layer (1..n_layers), (B,T,d). */
const float *_strata_prior_acts_hidden (const PriorActs *a, int layer);

/* Forward over (B,T), T <= ctx; @stop_after_layer < n_layers skips the
 * rest (feature extraction, no loss). Returns the mean cross-entropy in
 * nats (when all layers ran). */
float    _strata_prior_forward  (Prior *p, PriorActs *a, int T, int stop_after_layer);
void     _strata_prior_backward (Prior *p, PriorActs *a, int T);

/* ------------------------------------------------------------ model */

struct _StrataModel {
  gint ref_count;
  char *path;
  char *version;
  HqVae vae;
  Prior prior[STRATA_N_LEVELS];
};

/* Assembles a model from trained parts (takes them over; for the trainer
 * and tests). */
StrataModel *_strata_model_new_from_parts (HqVae *vae, Prior priors[STRATA_N_LEVELS],
                                           const char *path);
/* Writes the weights (F16 when @half) with all metadata. */
gboolean     _strata_model_save (const StrataModel *model, const char *path, gboolean half,
                                 GError **error);
/* Standardised input of mono @x through the model's front end: (T, M),
 * T = n/512 + 1; g_free. */
float       *_strata_model_input (const HqVae *vae, const float *mono, gint64 n,
                                  int *n_frames);
/* Raw input of @frontend (not standardised), (T, bins); g_free. */
float       *_strata_model_input_raw (StrataModelFrontend frontend, const float *mono, gint64 n,
                                      int *n_frames);
/* Raw log-mel (not standardised), (T, 128). */
float       *_strata_log_mel_raw (const float *mono, gint64 n, int *n_frames);
/* Stage-1 tokens of a whole standardised log-mel (T, M), chunked with
 * context; tokens[l] get (T_pad >> shift_l) entries, T_pad = T rounded up
 * to 16; @zhat (nullable) gets the encoder's latents ẑ of each level, as many
 * rows of code_dim. Returns FALSE when aborted. */
gboolean     _strata_model_tokens (HqVae *vae, const float *mel, int T, int32_t *tokens[3],
                                   int T_level[3], float *zhat[3], StrataAbortFunc abort_func,
                                   gpointer abort_data);

G_END_DECLS
