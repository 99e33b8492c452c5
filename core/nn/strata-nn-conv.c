/* strata-nn-conv.c: 1-D convolution and transposed convolution over time,
 * 2-D convolution over (time, frequency).
 *
 * Activations are channels-last ((B,T,C) or (B,T,F,C)); weights keep
 * PyTorch's layouts. Conv1d runs one GEMM per tap directly on the input
 * (no copy); conv-transpose1d and conv2d lower each batch item to one GEMM
 * through an im2col matrix (rows × C*K columns in (channel, tap) order,
 * matching the (.., C, K) weight layout). Nearly all FLOPs go through
 * cblas_sgemm.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nn/strata-nn-ops.h"

#include "nn/strata-nn-private.h"
#include <string.h>

/* cols (R, C*K): cols[r][c*K + k] = src[r*stride - pad + k*dil][c], or 0
 * where the source row falls outside [0, L). src (L, C). */
static void
im2col (float *cols, const float *src, int R, int L, int C, int K,
        int stride, int pad, int dil)
{
  const size_t CK = (size_t) C * K;
  for (int r = 0; r < R; r++)
    {
      float *row = cols + (size_t) r * CK;
      for (int k = 0; k < K; k++)
        {
          int s = r * stride - pad + k * dil;
          if (s < 0 || s >= L)
            {
              for (int c = 0; c < C; c++)
                row[(size_t) c * K + k] = 0.0f;
              continue;
            }
          const float *x = src + (size_t) s * C;
          for (int c = 0; c < C; c++)
            row[(size_t) c * K + k] = x[c];
        }
    }
}

/* The adjoint of im2col: dst[r*stride - pad + k*dil][c] += cols[r][c*K + k]. */
static void
col2im (float *dst, const float *cols, int R, int L, int C, int K,
        int stride, int pad, int dil)
{
  const size_t CK = (size_t) C * K;
  for (int r = 0; r < R; r++)
    {
      const float *row = cols + (size_t) r * CK;
      for (int k = 0; k < K; k++)
        {
          int s = r * stride - pad + k * dil;
          if (s < 0 || s >= L)
            continue;
          float *x = dst + (size_t) s * C;
          for (int c = 0; c < C; c++)
            x[c] += row[(size_t) c * K + k];
        }
    }
}

static void
bias_rows (float *out, const float *b, int R, int C)
{
  for (int r = 0; r < R; r++)
    {
      if (b)
        memcpy (out + (size_t) r * C, b, (size_t) C * sizeof (float));
      else
        memset (out + (size_t) r * C, 0, (size_t) C * sizeof (float));
    }
}

static void
bias_grad (float *db, const float *dout, int R, int C)
{
  if (db == NULL)
    return;
  for (int r = 0; r < R; r++)
    for (int c = 0; c < C; c++)
      db[c] += dout[(size_t) r * C + c];
}

/* ------------------------------------------------------------- Conv1d */

/* Conv1d without im2col: for each tap k, the output rows whose source row
 * t*stride - pad + k*dil is inside the input form one contiguous range, and
 * their source rows are evenly spaced (stride), so tap k is one GEMM of
 * (rows × C_out × C_in) reading the input in place (lda = stride*C_in)
 * against W_k = w[:, :, k]. The K weight slices are transposed once per
 * call into scratch (K, C_out, C_in). */

static inline int
floor_div (int a, int b)
{
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Output rows [*lo, *lo + n) read input rows lo*stride - pad + k*dil + j*stride. */
static int
tap_rows (const StrataConv1d *c, int To, int k, int *lo)
{
  const int off = k * c->dilation - c->padding;       /* source of output row 0 */
  int first = off >= 0 ? 0 : floor_div (-off + c->stride - 1, c->stride);
  int last = floor_div (c->T_in - 1 - off, c->stride);
  if (last > To - 1)
    last = To - 1;
  *lo = first;
  return last >= first ? last - first + 1 : 0;
}

int
strata_conv1d_out_len (const StrataConv1d *c)
{
  int span = c->dilation * (c->K - 1) + 1;
  int n = c->T_in + 2 * c->padding - span;
  return n < 0 ? 0 : n / c->stride + 1;
}

size_t
strata_conv1d_scratch_size (const StrataConv1d *c)
{
  return 2 * (size_t) c->K * c->C_out * c->C_in;
}

/* wt (K, C_out, C_in) <- w (C_out, C_in, K) */
static void
split_taps (float *wt, const float *w, int Co, int Ci, int K)
{
  for (int o = 0; o < Co; o++)
    for (int i = 0; i < Ci; i++)
      for (int k = 0; k < K; k++)
        wt[((size_t) k * Co + o) * Ci + i] = w[((size_t) o * Ci + i) * K + k];
}

void
strata_conv1d_forward (const StrataConv1d *c, float *out, const float *inp,
                       const float *w, const float *b, float *scratch)
{
  const int To = strata_conv1d_out_len (c);
  const size_t tap = (size_t) c->C_out * c->C_in;
  split_taps (scratch, w, c->C_out, c->C_in, c->K);
  for (int bi = 0; bi < c->B; bi++)
    {
      const float *x = inp + (size_t) bi * c->T_in * c->C_in;  /* (T_in,C_in) */
      float *o = out + (size_t) bi * To * c->C_out;             /* (To,C_out) */
      bias_rows (o, b, To, c->C_out);
      for (int k = 0; k < c->K; k++)
        {
          int lo;
          const int n = tap_rows (c, To, k, &lo);
          if (n <= 0)
            continue;
          const int src = lo * c->stride - c->padding + k * c->dilation;
          /* o[lo..] (n,C_out) += x rows (n,C_in; stride) · W_k (C_out,C_in)ᵀ */
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, c->C_out, c->C_in,
                       1.0f, x + (size_t) src * c->C_in, c->stride * c->C_in,
                       scratch + k * tap, c->C_in, 1.0f, o + (size_t) lo * c->C_out, c->C_out);
        }
    }
}

void
strata_conv1d_backward (const StrataConv1d *c, float *dinp, float *dw, float *db,
                        const float *dout, const float *inp, const float *w,
                        float *scratch)
{
  const int To = strata_conv1d_out_len (c);
  const size_t tap = (size_t) c->C_out * c->C_in;
  float *wt = scratch;                      /* (K,C_out,C_in) */
  float *dwt = scratch + (size_t) c->K * tap;  /* (K,C_out,C_in) */
  if (dinp != NULL)
    split_taps (wt, w, c->C_out, c->C_in, c->K);
  if (dw != NULL)
    memset (dwt, 0, (size_t) c->K * tap * sizeof (float));

  for (int bi = 0; bi < c->B; bi++)
    {
      const float *x = inp + (size_t) bi * c->T_in * c->C_in;
      const float *g = dout + (size_t) bi * To * c->C_out;  /* (To,C_out) */
      bias_grad (db, g, To, c->C_out);
      for (int k = 0; k < c->K; k++)
        {
          int lo;
          const int n = tap_rows (c, To, k, &lo);
          if (n <= 0)
            continue;
          const size_t src = (size_t) (lo * c->stride - c->padding + k * c->dilation) * c->C_in;
          const float *gk = g + (size_t) lo * c->C_out;  /* (n,C_out) */
          if (dw != NULL) /* dW_k (C_out,C_in) += gkᵀ · x rows */
            cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, c->C_out, c->C_in, n,
                         1.0f, gk, c->C_out, x + src, c->stride * c->C_in,
                         1.0f, dwt + k * tap, c->C_in);
          if (dinp != NULL) /* dx rows (n,C_in; stride) += gk · W_k */
            cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, c->C_in, c->C_out,
                         1.0f, gk, c->C_out, wt + k * tap, c->C_in,
                         1.0f, dinp + (size_t) bi * c->T_in * c->C_in + src,
                         c->stride * c->C_in);
        }
    }

  if (dw != NULL)
    for (int o = 0; o < c->C_out; o++)
      for (int i = 0; i < c->C_in; i++)
        for (int k = 0; k < c->K; k++)
          dw[((size_t) o * c->C_in + i) * c->K + k] += dwt[((size_t) k * c->C_out + o) * c->C_in + i];
}

/* ---------------------------------------------------- ConvTranspose1d */

int
strata_conv_transpose1d_out_len (const StrataConvT1d *c)
{
  int n = (c->T_in - 1) * c->stride - 2 * c->padding + c->dilation * (c->K - 1) + 1 +
          c->output_padding;
  return n < 0 ? 0 : n;
}

size_t
strata_conv_transpose1d_scratch_size (const StrataConvT1d *c)
{
  return (size_t) c->T_in * c->C_out * c->K;
}

void
strata_conv_transpose1d_forward (const StrataConvT1d *c, float *out, const float *inp,
                                 const float *w, const float *b, float *scratch)
{
  const int To = strata_conv_transpose1d_out_len (c);
  const int OK = c->C_out * c->K;
  for (int bi = 0; bi < c->B; bi++)
    {
      const float *x = inp + (size_t) bi * c->T_in * c->C_in;  /* (T_in,C_in) */
      float *o = out + (size_t) bi * To * c->C_out;             /* (To,C_out) */
      /* cols (T_in,OK) = x (T_in,C_in) · w (C_in,OK) */
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, c->T_in, OK, c->C_in,
                   1.0f, x, c->C_in, w, OK, 0.0f, scratch, OK);
      bias_rows (o, b, To, c->C_out);
      col2im (o, scratch, c->T_in, To, c->C_out, c->K, c->stride, c->padding, c->dilation);
    }
}

void
strata_conv_transpose1d_backward (const StrataConvT1d *c, float *dinp, float *dw,
                                  float *db, const float *dout, const float *inp,
                                  const float *w, float *scratch)
{
  const int To = strata_conv_transpose1d_out_len (c);
  const int OK = c->C_out * c->K;
  for (int bi = 0; bi < c->B; bi++)
    {
      const float *x = inp + (size_t) bi * c->T_in * c->C_in;
      const float *g = dout + (size_t) bi * To * c->C_out;
      bias_grad (db, g, To, c->C_out);
      if (dw == NULL && dinp == NULL)
        continue;
      /* dcols (T_in,OK) gathers g with the forward's index map */
      im2col (scratch, g, c->T_in, To, c->C_out, c->K, c->stride, c->padding, c->dilation);
      if (dw != NULL) /* dw (C_in,OK) += x (T_in,C_in)ᵀ · dcols */
        cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, c->C_in, OK, c->T_in,
                     1.0f, x, c->C_in, scratch, OK, 1.0f, dw, OK);
      if (dinp != NULL) /* dx (T_in,C_in) += dcols (T_in,OK) · w (C_in,OK)ᵀ */
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, c->T_in, c->C_in, OK,
                     1.0f, scratch, OK, w, OK, 1.0f,
                     dinp + (size_t) bi * c->T_in * c->C_in, c->C_in);
    }
}

/* ------------------------------------------------------------- Conv2d */

static int
out_len (int n, int k, int stride, int dil, int pad)
{
  int span = dil * (k - 1) + 1;
  int m = n + 2 * pad - span;
  return m < 0 ? 0 : m / stride + 1;
}

void
strata_conv2d_out_size (const StrataConv2d *c, int *T_out, int *F_out)
{
  *T_out = out_len (c->T, c->KT, c->stride_t, c->dilation_t, c->padding_t);
  *F_out = out_len (c->F, c->KF, c->stride_f, c->dilation_f, c->padding_f);
}

size_t
strata_conv2d_scratch_size (const StrataConv2d *c)
{
  int To, Fo;
  strata_conv2d_out_size (c, &To, &Fo);
  return (size_t) To * Fo * c->C_in * c->KT * c->KF;
}

/* cols (To*Fo, C*KT*KF) gathered from src (T,F,C); or, when @dst is not
 * NULL, the adjoint: dst (T,F,C) += scattered cols. Column order
 * (c, kt, kf) matches w (Co,C,KT,KF). */
static void
im2col2d (const StrataConv2d *c, float *cols, const float *src, float *dst)
{
  const bool adjoint = dst != NULL;
  int To, Fo;
  strata_conv2d_out_size (c, &To, &Fo);
  const int C = c->C_in, KK = c->KT * c->KF;
  const size_t ncol = (size_t) C * KK;
  for (int to = 0; to < To; to++)
    for (int fo = 0; fo < Fo; fo++)
      {
        float *row = cols + ((size_t) to * Fo + fo) * ncol;
        for (int kt = 0; kt < c->KT; kt++)
          {
            const int t = to * c->stride_t - c->padding_t + kt * c->dilation_t;
            for (int kf = 0; kf < c->KF; kf++)
              {
                const int f = fo * c->stride_f - c->padding_f + kf * c->dilation_f;
                float *col = row + kt * c->KF + kf;  /* stride KK per channel */
                if (t < 0 || t >= c->T || f < 0 || f >= c->F)
                  {
                    if (!adjoint)
                      for (int ci = 0; ci < C; ci++)
                        col[(size_t) ci * KK] = 0.0f;
                    continue;
                  }
                const size_t off = ((size_t) t * c->F + f) * C;
                if (adjoint)
                  for (int ci = 0; ci < C; ci++)
                    dst[off + ci] += col[(size_t) ci * KK];
                else
                  for (int ci = 0; ci < C; ci++)
                    col[(size_t) ci * KK] = src[off + ci];
              }
          }
      }
}

void
strata_conv2d_forward (const StrataConv2d *c, float *out, const float *inp,
                       const float *w, const float *b, float *scratch)
{
  int To, Fo;
  strata_conv2d_out_size (c, &To, &Fo);
  const int R = To * Fo, CK = c->C_in * c->KT * c->KF;
  for (int bi = 0; bi < c->B; bi++)
    {
      im2col2d (c, scratch, inp + (size_t) bi * c->T * c->F * c->C_in, NULL);
      float *o = out + (size_t) bi * R * c->C_out;  /* (To*Fo, C_out) */
      bias_rows (o, b, R, c->C_out);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, R, c->C_out, CK,
                   1.0f, scratch, CK, w, CK, 1.0f, o, c->C_out);
    }
}

void
strata_conv2d_backward (const StrataConv2d *c, float *dinp, float *dw, float *db,
                        const float *dout, const float *inp, const float *w,
                        float *scratch)
{
  int To, Fo;
  strata_conv2d_out_size (c, &To, &Fo);
  const int R = To * Fo, CK = c->C_in * c->KT * c->KF;
  const size_t in_size = (size_t) c->T * c->F * c->C_in;
  for (int bi = 0; bi < c->B; bi++)
    {
      const float *g = dout + (size_t) bi * R * c->C_out;  /* (R, C_out) */
      bias_grad (db, g, R, c->C_out);
      if (dw != NULL)
        {
          im2col2d (c, scratch, inp + bi * in_size, NULL);
          cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, c->C_out, CK, R,
                       1.0f, g, c->C_out, scratch, CK, 1.0f, dw, CK);
        }
      if (dinp != NULL)
        {
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, R, CK, c->C_out,
                       1.0f, g, c->C_out, w, CK, 0.0f, scratch, CK);
          im2col2d (c, scratch, NULL, dinp + bi * in_size);
        }
    }
}
