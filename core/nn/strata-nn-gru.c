/* strata-nn-gru.c: a GRU layer run over time, either direction.
 *
 * torch.nn.GRU equations, gate order (r, z, n):
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)
 *   z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 *   h' = (1 − z) ⊙ n + z ⊙ h
 * The input projections of all B·T frames are one GEMM; each time step
 * adds one (B × 3Hd × Hd) GEMM for the recurrent projection.
 *
 * cache (B,T,6Hd) per frame: [r z n | W_hh h_prev + b_hh].
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nn/strata-nn-ops.h"

#include "nn/strata-nn-private.h"
#include <math.h>
#include <string.h>

size_t
strata_gru_cache_size (const StrataGru *g)
{
  return (size_t) g->B * g->T * 6 * g->Hd;
}

size_t
strata_gru_scratch_size (const StrataGru *g)
{
  return (size_t) g->B * g->T * 3 * g->Hd + (size_t) g->B * 4 * g->Hd;
}

static inline float
sigm (float x)
{
  return 1.0f / (1.0f + expf (-x));
}

/* The time index of processing step s. */
static inline int
time_at (const StrataGru *g, int s)
{
  return g->reverse ? g->T - 1 - s : s;
}

/* The state before step s: rows b of h at the previous time (row stride
 * T*Hd), h0 (stride Hd) at the first step, or NULL for zeros. */
static const float *
prev_state (const StrataGru *g, int s, const float *h, const float *h0, int *ldh)
{
  if (s > 0)
    {
      *ldh = g->T * g->Hd;
      return h + (size_t) time_at (g, s - 1) * g->Hd;
    }
  *ldh = g->Hd;
  return h0;
}

void
strata_gru_forward (const StrataGru *g, float *h, float *cache, const float *x,
                    const float *h0, const float *w_ih, const float *w_hh,
                    const float *b_ih, const float *b_hh)
{
  const int B = g->B, T = g->T, I = g->I, Hd = g->Hd, H3 = 3 * Hd, C6 = 6 * Hd;
  const int N = B * T;

  /* Input projections into the first half of each cache row. */
  for (int n = 0; n < N; n++)
    memcpy (cache + (size_t) n * C6, b_ih, (size_t) H3 * sizeof (float));
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, H3, I,
               1.0f, x, I, w_ih, I, 1.0f, cache, C6);

  for (int s = 0; s < T; s++)
    {
      const int t = time_at (g, s);
      int ldh = 0;
      const float *hprev = prev_state (g, s, h, h0, &ldh);

      float *hp = cache + (size_t) t * C6 + H3;  /* rows b at stride T*C6 */
      for (int b = 0; b < B; b++)
        memcpy (hp + (size_t) b * T * C6, b_hh, (size_t) H3 * sizeof (float));
      if (hprev != NULL)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, H3, Hd,
                     1.0f, hprev, ldh, w_hh, Hd, 1.0f, hp, T * C6);

      for (int b = 0; b < B; b++)
        {
          float *row = cache + ((size_t) b * T + t) * C6;  /* (6Hd) */
          const float *hpr = row + H3;
          const float *hpv = hprev ? hprev + (size_t) b * ldh : NULL;
          float *ho = h + ((size_t) b * T + t) * Hd;
          for (int j = 0; j < Hd; j++)
            {
              float r = sigm (row[j] + hpr[j]);
              float z = sigm (row[Hd + j] + hpr[Hd + j]);
              float n = tanhf (row[2 * Hd + j] + r * hpr[2 * Hd + j]);
              row[j] = r;
              row[Hd + j] = z;
              row[2 * Hd + j] = n;
              ho[j] = (1.0f - z) * n + z * (hpv ? hpv[j] : 0.0f);
            }
        }
    }
}

void
strata_gru_backward (const StrataGru *g, float *dx, float *dh0, float *dw_ih,
                     float *dw_hh, float *db_ih, float *db_hh, const float *dh,
                     const float *h, const float *cache, const float *x,
                     const float *h0, const float *w_ih, const float *w_hh,
                     float *scratch)
{
  const int B = g->B, T = g->T, I = g->I, Hd = g->Hd, H3 = 3 * Hd, C6 = 6 * Hd;
  const int N = B * T;
  float *dA = scratch;                        /* (B,T,3Hd) input-side gate grads */
  float *dhp = dA + (size_t) N * H3;          /* (B,3Hd) recurrent-side grads */
  float *dcur = dhp + (size_t) B * H3;        /* (B,Hd) grad flowing into h_prev */

  memset (dcur, 0, (size_t) B * Hd * sizeof (float));
  for (int s = T - 1; s >= 0; s--)
    {
      const int t = time_at (g, s);
      int ldh = 0;
      const float *hprev = prev_state (g, s, h, h0, &ldh);

      for (int b = 0; b < B; b++)
        {
          const float *row = cache + ((size_t) b * T + t) * C6;
          const float *hpr = row + H3;
          const float *hpv = hprev ? hprev + (size_t) b * ldh : NULL;
          const float *gout = dh + ((size_t) b * T + t) * Hd;
          float *da = dA + ((size_t) b * T + t) * H3;
          float *dr_h = dhp + (size_t) b * H3;
          float *dc = dcur + (size_t) b * Hd;
          for (int j = 0; j < Hd; j++)
            {
              const float r = row[j], z = row[Hd + j], n = row[2 * Hd + j];
              const float hn = hpr[2 * Hd + j];
              const float hv = hpv ? hpv[j] : 0.0f;
              const float d = gout[j] + dc[j];
              const float dn = d * (1.0f - z);
              const float dz = d * (hv - n);
              const float dan = dn * (1.0f - n * n);
              const float dr = dan * hn;
              const float dar = dr * r * (1.0f - r);
              const float daz = dz * z * (1.0f - z);
              da[j] = dar;
              da[Hd + j] = daz;
              da[2 * Hd + j] = dan;
              dr_h[j] = dar;
              dr_h[Hd + j] = daz;
              dr_h[2 * Hd + j] = dan * r;
              dc[j] = d * z;
            }
          if (db_hh != NULL)
            for (int j = 0; j < H3; j++)
              db_hh[j] += dr_h[j];
        }

      if (hprev == NULL)
        continue;
      /* dcur (B,Hd) += dhp (B,3Hd) · w_hh (3Hd,Hd) */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, Hd, H3,
                   1.0f, dhp, H3, w_hh, Hd, 1.0f, dcur, Hd);
      if (dw_hh != NULL) /* dw_hh (3Hd,Hd) += dhp (B,3Hd)ᵀ · hprev (B,Hd) */
        cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, H3, Hd, B,
                     1.0f, dhp, H3, hprev, ldh, 1.0f, dw_hh, Hd);
    }
  if (dh0 != NULL && h0 != NULL)
    for (size_t i = 0; i < (size_t) B * Hd; i++)
      dh0[i] += dcur[i];

  if (dx != NULL) /* dx (N,I) += dA (N,3Hd) · w_ih (3Hd,I) */
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, I, H3,
                 1.0f, dA, H3, w_ih, I, 1.0f, dx, I);
  if (dw_ih != NULL) /* dw_ih (3Hd,I) += dA (N,3Hd)ᵀ · x (N,I) */
    cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, H3, I, N,
                 1.0f, dA, H3, x, I, 1.0f, dw_ih, I);
  if (db_ih != NULL)
    for (int n = 0; n < N; n++)
      for (int j = 0; j < H3; j++)
        db_ih[j] += dA[(size_t) n * H3 + j];
}
