/* strata-nn-dense.c: linear, embedding, dropout, residual add, concat,
 * upsampling and FiLM, each forward beside its backward.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nn/strata-nn-ops.h"

#include "nn/strata-nn-private.h"
#include <string.h>

/* ------------------------------------------------------------- Linear */

void
strata_linear_forward (float *out, const float *inp, const float *w, const float *b,
                       int N, int I, int O)
{
  /* out (N,O) = inp (N,I) · w (O,I)ᵀ + b (O) */
  float beta = 0.0f;
  if (b != NULL)
    {
      for (int n = 0; n < N; n++)
        memcpy (out + (size_t) n * O, b, (size_t) O * sizeof (float));
      beta = 1.0f;
    }
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, O, I,
               1.0f, inp, I, w, I, beta, out, O);
}

void
strata_linear_backward (float *dinp, float *dw, float *db, const float *dout,
                        const float *inp, const float *w, int N, int I, int O)
{
  if (dinp != NULL) /* dinp (N,I) += dout (N,O) · w (O,I) */
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, N, I, O,
                 1.0f, dout, O, w, I, 1.0f, dinp, I);
  if (dw != NULL) /* dw (O,I) += dout (N,O)ᵀ · inp (N,I) */
    cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, O, I, N,
                 1.0f, dout, O, inp, I, 1.0f, dw, I);
  if (db != NULL)
    for (int n = 0; n < N; n++)
      {
        const float *row = dout + (size_t) n * O;
        for (int o = 0; o < O; o++)
          db[o] += row[o];
      }
}

/* ---------------------------------------------------------- Embedding */

void
strata_embedding_forward (float *out, const int32_t *ids, const float *table,
                          int N, int V, int C)
{
  for (int n = 0; n < N; n++)
    {
      float *o = out + (size_t) n * C;
      if (ids[n] >= 0 && ids[n] < V)
        memcpy (o, table + (size_t) ids[n] * C, (size_t) C * sizeof (float));
      else
        memset (o, 0, (size_t) C * sizeof (float));
    }
}

void
strata_embedding_backward (float *dtable, const float *dout, const int32_t *ids,
                           int N, int V, int C)
{
  if (dtable == NULL)
    return;
  for (int n = 0; n < N; n++)
    {
      if (ids[n] < 0 || ids[n] >= V)
        continue;
      float *d = dtable + (size_t) ids[n] * C;
      const float *g = dout + (size_t) n * C;
      for (int c = 0; c < C; c++)
        d[c] += g[c];
    }
}

/* ------------------------------------------------------------ Dropout */

void
strata_dropout_forward (float *out, float *mask, const float *inp, size_t n, float p,
                        bool training, StrataRng *rng)
{
  if (!training || p <= 0.0f)
    {
      for (size_t i = 0; i < n; i++)
        {
          mask[i] = 1.0f;
          out[i] = inp[i];
        }
      return;
    }
  const float keep = 1.0f / (1.0f - p);
  for (size_t i = 0; i < n; i++)
    {
      mask[i] = strata_rng_uniform (rng) < p ? 0.0f : keep;
      out[i] = inp[i] * mask[i];
    }
}

void
strata_dropout_backward (float *dinp, const float *dout, const float *mask, size_t n)
{
  if (dinp == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    dinp[i] += dout[i] * mask[i];
}

/* ------------------------------------------------------- Residual add */

void
strata_add_forward (float *out, const float *a, const float *b, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = a[i] + b[i];
}

void
strata_add_backward (float *da, float *db, const float *dout, size_t n)
{
  if (da != NULL)
    for (size_t i = 0; i < n; i++)
      da[i] += dout[i];
  if (db != NULL)
    for (size_t i = 0; i < n; i++)
      db[i] += dout[i];
}

void
strata_add_broadcast_forward (float *out, const float *inp, const float *cond,
                              int B, int T, int C)
{
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      {
        const size_t off = ((size_t) b * T + t) * C;
        for (int c = 0; c < C; c++)
          out[off + c] = inp[off + c] + cond[(size_t) b * C + c];
      }
}

void
strata_add_broadcast_backward (float *dinp, float *dcond, const float *dout,
                               int B, int T, int C)
{
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      {
        const size_t off = ((size_t) b * T + t) * C;
        for (int c = 0; c < C; c++)
          {
            if (dinp)
              dinp[off + c] += dout[off + c];
            if (dcond)
              dcond[(size_t) b * C + c] += dout[off + c];
          }
      }
}

/* ------------------------------------------------------------- Concat */

void
strata_concat_forward (float *out, const float *a, const float *b, int outer, int na, int nb)
{
  const size_t row = (size_t) na + nb;
  for (int r = 0; r < outer; r++)
    {
      memcpy (out + r * row, a + (size_t) r * na, (size_t) na * sizeof (float));
      memcpy (out + r * row + na, b + (size_t) r * nb, (size_t) nb * sizeof (float));
    }
}

void
strata_concat_backward (float *da, float *db, const float *dout, int outer, int na, int nb)
{
  const size_t row = (size_t) na + nb;
  for (int r = 0; r < outer; r++)
    {
      const float *g = dout + r * row;
      if (da != NULL)
        for (int i = 0; i < na; i++)
          da[(size_t) r * na + i] += g[i];
      if (db != NULL)
        for (int i = 0; i < nb; i++)
          db[(size_t) r * nb + i] += g[na + i];
    }
}

/* ----------------------------------------------------------- Upsample */

void
strata_upsample_forward (float *out, const float *inp, int B, int T, int C, int R)
{
  /* out (B,T*R,C), inp (B,T,C) */
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      {
        const float *src = inp + ((size_t) b * T + t) * C;
        for (int r = 0; r < R; r++)
          memcpy (out + (((size_t) b * T + t) * R + r) * C, src, (size_t) C * sizeof (float));
      }
}

void
strata_upsample_backward (float *dinp, const float *dout, int B, int T, int C, int R)
{
  if (dinp == NULL)
    return;
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      {
        float *d = dinp + ((size_t) b * T + t) * C;
        for (int r = 0; r < R; r++)
          {
            const float *g = dout + (((size_t) b * T + t) * R + r) * C;
            for (int c = 0; c < C; c++)
              d[c] += g[c];
          }
      }
}

/* --------------------------------------------------------------- FiLM */

void
strata_film_forward (float *out, const float *inp, const float *gb, int B, int T, int C)
{
  for (int b = 0; b < B; b++)
    {
      const float *gamma = gb + (size_t) b * 2 * C;  /* (C) */
      const float *beta = gamma + C;                 /* (C) */
      for (int t = 0; t < T; t++)
        {
          const float *x = inp + ((size_t) b * T + t) * C;
          float *o = out + ((size_t) b * T + t) * C;
          for (int c = 0; c < C; c++)
            o[c] = (1.0f + gamma[c]) * x[c] + beta[c];
        }
    }
}

void
strata_film_backward (float *dinp, float *dgb, const float *dout, const float *inp,
                      const float *gb, int B, int T, int C)
{
  for (int b = 0; b < B; b++)
    {
      const float *gamma = gb + (size_t) b * 2 * C;
      float *dgamma = dgb ? dgb + (size_t) b * 2 * C : NULL;
      float *dbeta = dgb ? dgamma + C : NULL;
      for (int t = 0; t < T; t++)
        {
          const float *x = inp + ((size_t) b * T + t) * C;
          const float *g = dout + ((size_t) b * T + t) * C;
          if (dinp != NULL)
            {
              float *dx = dinp + ((size_t) b * T + t) * C;
              for (int c = 0; c < C; c++)
                dx[c] += (1.0f + gamma[c]) * g[c];
            }
          if (dgb != NULL)
            for (int c = 0; c < C; c++)
              {
                dgamma[c] += g[c] * x[c];
                dbeta[c] += g[c];
              }
        }
    }
}
