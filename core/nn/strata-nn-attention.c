/* strata-nn-attention.c: multi-head attention, causal with an optional
 * local window, or full (cross-attention).
 *
 * Queries are processed in blocks of QB rows. For one block and one head
 * the keys it can see form one contiguous range, so scores, probabilities
 * times values and all four backward products are single GEMMs over that
 * range; masked entries are zeroed. The probabilities are cached as a band
 * of width W (the window, or Tk) per query, so memory is O(T·W), not O(T²).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nn/strata-nn-ops.h"

#include "nn/strata-nn-private.h"
#include <math.h>
#include <string.h>

#define QB 32  /* query block rows (32 measured fastest for D = 64, W = 64–128) */

static bool
windowed (const StrataAttention *a)
{
  return a->causal && a->window > 0 && a->window < a->Tk;
}

int
strata_attention_att_width (const StrataAttention *a)
{
  return windowed (a) ? a->window : a->Tk;
}

/* Visible keys of query t: [lo, hi). */
static inline int
key_lo (const StrataAttention *a, int t)
{
  if (!windowed (a))
    return 0;
  int lo = t - a->window + 1;
  return lo > 0 ? lo : 0;
}

static inline int
key_hi (const StrataAttention *a, int t)
{
  return a->causal ? t + 1 : a->Tk;
}

/* Band column of key j for query t. */
static inline int
band_base (const StrataAttention *a, int t)
{
  return windowed (a) ? t - a->window + 1 : 0;
}

static int
max_keys (const StrataAttention *a)
{
  int w = strata_attention_att_width (a);
  int n = windowed (a) ? w + QB - 1 : a->Tk;
  return n < a->Tk ? n : a->Tk;
}

/* s[lo..hi) <- softmax(s[lo..hi)), zero elsewhere in [0, Lk). Built for
 * baseline x86-64 and for AVX2, chosen at load time (GCC function
 * multi-versioning), so the exp loop runs 8 wide where the CPU allows. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
__attribute__ ((target_clones ("avx2", "default")))
#endif
static void
softmax_range (float *s, int lo, int hi, int Lk)
{
  const float mx = strata_nn_row_max (s + lo, hi - lo);
  for (int j = lo; j < hi; j++)
    s[j] = strata_nn_exp_neg (s[j] - mx);
  const float inv = 1.0f / strata_nn_row_sum (s + lo, hi - lo);
  for (int j = 0; j < lo; j++)
    s[j] = 0.0f;
  for (int j = lo; j < hi; j++)
    s[j] *= inv;
  for (int j = hi; j < Lk; j++)
    s[j] = 0.0f;
}

size_t
strata_attention_scratch_size (const StrataAttention *a)
{
  return 2 * (size_t) QB * max_keys (a);
}

void
strata_attention_forward (const StrataAttention *a, float *out, float *att,
                          const float *q, const float *k, const float *v,
                          float *scratch)
{
  const int W = strata_attention_att_width (a);
  const float scale = 1.0f / sqrtf ((float) a->D);
  float *S = scratch;  /* (QB, Lk) */

  for (int b = 0; b < a->B; b++)
    for (int h = 0; h < a->H; h++)
      for (int t0 = 0; t0 < a->Tq; t0 += QB)
        {
          const int nq = t0 + QB <= a->Tq ? QB : a->Tq - t0;
          const int klo = key_lo (a, t0);
          const int khi = key_hi (a, t0 + nq - 1);
          const int Lk = khi - klo;
          const float *qb = q + ((size_t) b * a->Tq + t0) * a->ldq + (size_t) h * a->D;
          const float *kb = k + ((size_t) b * a->Tk + klo) * a->ldk + (size_t) h * a->D;
          const float *vb = v + ((size_t) b * a->Tk + klo) * a->ldv + (size_t) h * a->D;
          float *ob = out + ((size_t) b * a->Tq + t0) * a->ldo + (size_t) h * a->D;

          /* S (nq,Lk) = scale · qb (nq,D) · kb (Lk,D)ᵀ */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, nq, Lk, a->D,
                       scale, qb, a->ldq, kb, a->ldk, 0.0f, S, Lk);

          for (int r = 0; r < nq; r++)
            {
              const int t = t0 + r;
              const int lo = key_lo (a, t) - klo, hi = key_hi (a, t) - klo;
              float *s = S + (size_t) r * Lk;
              softmax_range (s, lo, hi, Lk);

              float *arow = att + (((size_t) b * a->H + h) * a->Tq + t) * W;  /* (W) */
              const int base = band_base (a, t) - klo;
              memset (arow, 0, (size_t) W * sizeof (float));
              for (int j = lo; j < hi; j++)
                arow[j - base] = s[j];
            }

          /* ob (nq,D) = P (nq,Lk) · vb (Lk,D) */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, nq, a->D, Lk,
                       1.0f, S, Lk, vb, a->ldv, 0.0f, ob, a->ldo);
        }
}

void
strata_attention_backward (const StrataAttention *a, float *dq, float *dk, float *dv,
                           const float *dout, const float *att, const float *q,
                           const float *k, const float *v, float *scratch)
{
  const int W = strata_attention_att_width (a);
  const float scale = 1.0f / sqrtf ((float) a->D);
  const int Lmax = max_keys (a);
  float *P = scratch;                        /* (QB, Lk) */
  float *dP = scratch + (size_t) QB * Lmax;  /* (QB, Lk) */

  for (int b = 0; b < a->B; b++)
    for (int h = 0; h < a->H; h++)
      for (int t0 = 0; t0 < a->Tq; t0 += QB)
        {
          const int nq = t0 + QB <= a->Tq ? QB : a->Tq - t0;
          const int klo = key_lo (a, t0);
          const int khi = key_hi (a, t0 + nq - 1);
          const int Lk = khi - klo;
          const size_t qoff = ((size_t) b * a->Tq + t0) * a->ldq + (size_t) h * a->D;
          const size_t koff = ((size_t) b * a->Tk + klo) * a->ldk + (size_t) h * a->D;
          const size_t voff = ((size_t) b * a->Tk + klo) * a->ldv + (size_t) h * a->D;
          const float *dob = dout + ((size_t) b * a->Tq + t0) * a->ldo + (size_t) h * a->D;

          for (int r = 0; r < nq; r++)
            {
              const int t = t0 + r;
              const int lo = key_lo (a, t) - klo, hi = key_hi (a, t) - klo;
              const float *arow = att + (((size_t) b * a->H + h) * a->Tq + t) * W;
              const int base = band_base (a, t) - klo;
              float *p = P + (size_t) r * Lk;
              memset (p, 0, (size_t) Lk * sizeof (float));
              for (int j = lo; j < hi; j++)
                p[j] = arow[j - base];
            }

          if (dv != NULL) /* dv (Lk,D) += P (nq,Lk)ᵀ · dob (nq,D) */
            cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, Lk, a->D, nq,
                         1.0f, P, Lk, dob, a->ldo, 1.0f, dv + voff, a->ldv);
          if (dq == NULL && dk == NULL)
            continue;

          /* dP (nq,Lk) = dob (nq,D) · vb (Lk,D)ᵀ */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, nq, Lk, a->D,
                       1.0f, dob, a->ldo, v + voff, a->ldv, 0.0f, dP, Lk);
          /* dS = P ⊙ (dP − Σ P·dP), in place in dP */
          for (int r = 0; r < nq; r++)
            {
              const float *p = P + (size_t) r * Lk;
              float *d = dP + (size_t) r * Lk;
              const float dot = strata_nn_row_dot (p, d, Lk);
              for (int j = 0; j < Lk; j++)
                d[j] = p[j] * (d[j] - dot);
            }
          if (dq != NULL) /* dq (nq,D) += scale · dS (nq,Lk) · kb (Lk,D) */
            cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, nq, a->D, Lk,
                         scale, dP, Lk, k + koff, a->ldk, 1.0f, dq + qoff, a->ldq);
          if (dk != NULL) /* dk (Lk,D) += scale · dS (nq,Lk)ᵀ · qb (nq,D) */
            cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, Lk, a->D, nq,
                         scale, dP, Lk, q + qoff, a->ldq, 1.0f, dk + koff, a->ldk);
        }
}
