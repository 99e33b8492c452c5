/* strata-nn-sq.c: SQ-VAE stochastic quantiser, forward and backward.
 *
 * Backward (MODEL-NOTES §2), with G = ∂L_rec/∂z_q:
 *   G'  = G + αλ(z_q − ẑ)
 *   a_k = b_k·G'
 *   γ_k = (1/τ) w_k (a_k − Σ_j w_j a_j) + β p_k (log p_k − Σ_j p_j log p_j)
 *   ∂ẑ  = λ Γ B + αλ(ẑ − z_q)
 *   ∂B  = λ(Γᵀ Ẑ − diag(1ᵀΓ) B) + Wᵀ G'
 *   ∂λ  = −½ Σ γ_ik ‖ẑ_i − b_k‖² + (α/2) Σ ‖ẑ_i − z_q,i‖²,  ∂log_var = −λ ∂λ
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nn/strata-nn-sq.h"

#include "nn/strata-nn-private.h"
#include <math.h>
#include <string.h>

size_t
strata_sq_cache_size (const StrataSq *q)
{
  return 3 * (size_t) q->N * q->K;
}

size_t
strata_sq_scratch_size (const StrataSq *q)
{
  return (size_t) q->N * q->K + (size_t) q->N * q->D;
}

/* p (K) = softmax(x (K) * s + noise), in double for the normaliser. */
static void
softmax_row (float *p, const float *x, const float *noise, float s, float inv_tau, int K)
{
  float mx = -INFINITY;
  for (int k = 0; k < K; k++)
    {
      float l = (x[k] * s + (noise ? noise[k] : 0.0f)) * inv_tau;
      p[k] = l;
      mx = l > mx ? l : mx;
    }
  double sum = 0.0;
  for (int k = 0; k < K; k++)
    {
      p[k] = expf (p[k] - mx);
      sum += p[k];
    }
  float inv = (float) (1.0 / sum);
  for (int k = 0; k < K; k++)
    p[k] *= inv;
}

void
strata_sq_forward (const StrataSq *q, float *zq, int32_t *idx, float *cache,
                   StrataSqTerms *terms, const float *zhat, const float *codebook,
                   float log_var, float tau, const float *gumbel, bool training)
{
  const int N = q->N, K = q->K, D = q->D;
  const float lambda = expf (-log_var);
  float *dist = cache;                       /* (N,K) ‖ẑ_i − b_k‖² */
  float *p = cache + (size_t) N * K;         /* (N,K) posterior */
  float *w = cache + 2 * (size_t) N * K;     /* (N,K) relaxed weights */

  /* dist = ‖ẑ‖² + ‖b‖² − 2 ẑ bᵀ */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, K, D,
               -2.0f, zhat, D, codebook, D, 0.0f, dist, K);
  for (int k = 0; k < K; k++)
    {
      const float *b = codebook + (size_t) k * D;
      float bb = 0.0f;
      for (int d = 0; d < D; d++)
        bb += b[d] * b[d];
      for (int i = 0; i < N; i++)
        dist[(size_t) i * K + k] += bb;
    }

  double neg_ent = 0.0, maxp = 0.0, commit = 0.0;
  for (int i = 0; i < N; i++)
    {
      const float *z = zhat + (size_t) i * D;
      float zz = 0.0f;
      for (int d = 0; d < D; d++)
        zz += z[d] * z[d];
      float *di = dist + (size_t) i * K;
      int best = 0;
      for (int k = 0; k < K; k++)
        {
          di[k] += zz;
          if (di[k] < 0.0f)
            di[k] = 0.0f;
          if (di[k] < di[best])
            best = k;
        }
      idx[i] = best;
      float *pi = p + (size_t) i * K;
      softmax_row (pi, di, NULL, -0.5f * lambda, 1.0f, K);
      for (int k = 0; k < K; k++)
        if (pi[k] > 0.0f)
          neg_ent += pi[k] * logf (pi[k]);
      maxp += pi[best];
      if (training)
        softmax_row (w + (size_t) i * K, di, gumbel ? gumbel + (size_t) i * K : NULL,
                     -0.5f * lambda, 1.0f / tau, K);
    }

  if (training) /* zq (N,D) = W (N,K) · B (K,D) */
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, D, K,
                 1.0f, w, K, codebook, D, 0.0f, zq, D);
  else
    for (int i = 0; i < N; i++)
      memcpy (zq + (size_t) i * D, codebook + (size_t) idx[i] * D, (size_t) D * sizeof (float));

  for (size_t j = 0; j < (size_t) N * D; j++)
    commit += (double) (zhat[j] - zq[j]) * (zhat[j] - zq[j]);

  if (terms)
    {
      terms->commit = (float) (0.5 * lambda * commit);
      terms->neg_entropy = (float) neg_ent;
      terms->mean_max_posterior = N ? (float) (maxp / N) : 0.0f;
    }
}

void
strata_sq_backward (const StrataSq *q, float *dzhat, float *dcodebook, float *dlog_var,
                    const float *dzq, float alpha, float beta, const float *cache,
                    const float *zhat, const float *codebook, const float *zq,
                    float log_var, float tau, float *scratch)
{
  const int N = q->N, K = q->K, D = q->D;
  const float lambda = expf (-log_var);
  const float *dist = cache;
  const float *p = cache + (size_t) N * K;
  const float *w = cache + 2 * (size_t) N * K;
  float *G = scratch;                        /* (N,D) G' */
  float *A = scratch + (size_t) N * D;       /* (N,K) a, then Γ */

  double sq_commit = 0.0;
  for (size_t j = 0; j < (size_t) N * D; j++)
    {
      float diff = zq[j] - zhat[j];
      G[j] = (dzq ? dzq[j] : 0.0f) + alpha * lambda * diff;
      sq_commit += (double) diff * diff;
    }
  /* A (N,K) = G' (N,D) · B (K,D)ᵀ */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, K, D,
               1.0f, G, D, codebook, D, 0.0f, A, K);

  double dlambda = 0.5 * alpha * sq_commit;
  const float inv_tau = 1.0f / tau;
  for (int i = 0; i < N; i++)
    {
      float *a = A + (size_t) i * K;
      const float *wi = w + (size_t) i * K, *pi = p + (size_t) i * K;
      const float *di = dist + (size_t) i * K;
      float wa = 0.0f, plp = 0.0f;
      for (int k = 0; k < K; k++)
        {
          wa += wi[k] * a[k];
          if (pi[k] > 0.0f)
            plp += pi[k] * logf (pi[k]);
        }
      for (int k = 0; k < K; k++)
        {
          float lp = pi[k] > 0.0f ? logf (pi[k]) : 0.0f;
          float gk = inv_tau * wi[k] * (a[k] - wa) + beta * pi[k] * (lp - plp);
          a[k] = gk;
          dlambda += -0.5 * (double) gk * di[k];
        }
    }

  if (dzhat != NULL)
    {
      /* dzhat += λ Γ (N,K) · B (K,D) + αλ(ẑ − z_q) */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, D, K,
                   lambda, A, K, codebook, D, 1.0f, dzhat, D);
      for (size_t j = 0; j < (size_t) N * D; j++)
        dzhat[j] += alpha * lambda * (zhat[j] - zq[j]);
    }
  if (dcodebook != NULL)
    {
      /* dB += λ Γᵀ Ẑ + Wᵀ G' − λ diag(1ᵀΓ) B */
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, K, D, N,
                   lambda, A, K, zhat, D, 1.0f, dcodebook, D);
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, K, D, N,
                   1.0f, w, K, G, D, 1.0f, dcodebook, D);
      for (int k = 0; k < K; k++)
        {
          float col = 0.0f;
          for (int i = 0; i < N; i++)
            col += A[(size_t) i * K + k];
          const float *b = codebook + (size_t) k * D;
          float *db = dcodebook + (size_t) k * D;
          for (int d = 0; d < D; d++)
            db[d] -= lambda * col * b[d];
        }
    }
  if (dlog_var != NULL)
    *dlog_var += (float) (-lambda * dlambda);
}

float
strata_sq_bounded_log_var (float theta, float s0_sq, float *dlogvar_dtheta)
{
  /* log σ(θ) = −log(1 + e^−θ), computed stably on both sides */
  const float log_sig = theta >= 0.0f ? -log1pf (expf (-theta))
                                      : theta - log1pf (expf (theta));
  if (dlogvar_dtheta)
    *dlogvar_dtheta = 1.0f - 1.0f / (1.0f + expf (-theta));
  return logf (2.0f * s0_sq) + log_sig;
}

float
strata_sq_perplexity (const int32_t *idx, int N, int K, float *hist)
{
  if (N <= 0)
    return 0.0f;
  memset (hist, 0, (size_t) K * sizeof (float));
  for (int i = 0; i < N; i++)
    if (idx[i] >= 0 && idx[i] < K)
      hist[idx[i]] += 1.0f;
  double h = 0.0;
  for (int k = 0; k < K; k++)
    if (hist[k] > 0.0f)
      {
        double f = hist[k] / N;
        h -= f * log (f);
      }
  return (float) exp (h);
}

int
strata_sq_update_usage (int32_t *age, const int32_t *idx, int N, int K, int dead_after)
{
  for (int k = 0; k < K; k++)
    if (age[k] < INT32_MAX)
      age[k]++;
  for (int i = 0; i < N; i++)
    if (idx[i] >= 0 && idx[i] < K)
      age[idx[i]] = 0;
  int dead = 0;
  for (int k = 0; k < K; k++)
    dead += age[k] > dead_after;
  return dead;
}

int
strata_sq_reseed (float *codebook, int32_t *age, int K, int D, int dead_after,
                  const float *zhat, int N, float noise_std, StrataRng *rng)
{
  int n = 0;
  if (N <= 0)
    return 0;
  for (int k = 0; k < K; k++)
    {
      if (age[k] <= dead_after)
        continue;
      const float *src = zhat + (size_t) strata_rng_below (rng, (uint32_t) N) * D;
      float *b = codebook + (size_t) k * D;
      for (int d = 0; d < D; d++)
        b[d] = src[d] + noise_std * strata_rng_normal (rng);
      age[k] = 0;
      n++;
    }
  return n;
}
