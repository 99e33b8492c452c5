/* strata-nn-sq.h: SQ-VAE stochastic vector quantiser (Takida et al. 2022).
 *
 * Per position i, with precision λ = 1/s² = exp(−log_var):
 *   ℓ_ik = −(λ/2) ‖ẑ_i − b_k‖²           (distances by one GEMM, clamped ≥ 0)
 *   p_i  = softmax(ℓ_i)                   posterior
 *   w_i  = softmax((ℓ_i + g_i) / τ)       Gumbel-softmax relaxation (training)
 *   z_q,i = Σ_k w_ik b_k                   (training) or b_argmax (inference)
 * Latent loss terms (summed over positions, as MODEL-NOTES §2 requires):
 *   commit  = (λ/2) Σ_i ‖ẑ_i − z_q,i‖²
 *   entropy = Σ_ik p_ik log p_ik           (negative entropy)
 * The backward pass is the exact gradient of
 *   L = L_rec(z_q) + α·commit + β·entropy
 * with respect to ẑ, the codebook and log_var (no straight-through).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nn/strata-nn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int N;  /* positions (B*T) */
  int K;  /* codebook size */
  int D;  /* code dimension */
} StrataSq;

typedef struct {
  float commit;             /* (λ/2) Σ ‖ẑ − z_q‖² */
  float neg_entropy;        /* Σ p log p */
  float mean_max_posterior; /* mean_i max_k p_ik: sharpness, → 1 as s² anneals */
} StrataSqTerms;

/* Floats of cache the forward fills for the backward: (3,N,K). */
size_t strata_sq_cache_size   (const StrataSq *q);
/* Floats of backward scratch: N*K + N*D. */
size_t strata_sq_scratch_size (const StrataSq *q);

/* zq (N,D), idx (N) nearest code, cache (3,N,K), zhat (N,D), codebook (K,D).
 * @gumbel (N,K): noise from strata_rng_fill_gumbel() when @training, may be
 * NULL for a noiseless soft relaxation. With @training false, z_q is the
 * nearest code (hard) and the cache still holds distances and p. */
void strata_sq_forward  (const StrataSq *q, float *zq, int32_t *idx, float *cache,
                         StrataSqTerms *terms, const float *zhat, const float *codebook,
                         float log_var, float tau, const float *gumbel, bool training);
/* dzq (N,D) = ∂L_rec/∂z_q (nullable = 0). Accumulates into dzhat (N,D),
 * dcodebook (K,D), *dlog_var (all nullable). Needs a training forward. */
void strata_sq_backward (const StrataSq *q, float *dzhat, float *dcodebook, float *dlog_var,
                         const float *dzq, float alpha, float beta, const float *cache,
                         const float *zhat, const float *codebook, const float *zq,
                         float log_var, float tau, float *scratch);

/* Bounded variance (minimal-sqvae, MODEL-NOTES §2): s² = 2·s0²·sigmoid(θ),
 * so s² never exceeds 2·s0² and θ = 0 starts at s² = s0². Returns log s²
 * for strata_sq_forward(); *dlogvar_dtheta (nullable) receives
 * d log s² / dθ = 1 − sigmoid(θ), so ∂J/∂θ = ∂J/∂log_var · that. */
float strata_sq_bounded_log_var (float theta, float s0_sq, float *dlogvar_dtheta);

/* Codebook use: perplexity exp(H) of the code histogram of @idx (N);
 * @hist (K) scratch. 1 = collapse, K = uniform use. */
float strata_sq_perplexity   (const int32_t *idx, int N, int K, float *hist);
/* age (K): steps since each code was last the nearest code. Call once per
 * step with that step's idx; returns how many codes are older than
 * @dead_after (dead codes). */
int   strata_sq_update_usage (int32_t *age, const int32_t *idx, int N, int K,
                              int dead_after);
/* Re-seeds every code with age > @dead_after with a random row of zhat
 * (N,D) plus N(0, noise_std²), resets its age; returns how many. */
int   strata_sq_reseed       (float *codebook, int32_t *age, int K, int D, int dead_after,
                              const float *zhat, int N, float noise_std, StrataRng *rng);

#ifdef __cplusplus
}
#endif
