/* strata-nn-pointwise.c: normalisations, activations, softmax and losses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nn/strata-nn-ops.h"

#include <math.h>

/* --------------------------------------------------------- Layer norm */

void
strata_layernorm_forward (float *out, float *mean, float *rstd, const float *inp,
                          const float *weight, const float *bias, int N, int C, float eps)
{
  for (int n = 0; n < N; n++)
    {
      const float *x = inp + (size_t) n * C;   /* (C) */
      float *o = out + (size_t) n * C;
      double m = 0.0, v = 0.0;
      for (int c = 0; c < C; c++)
        m += x[c];
      m /= C;
      for (int c = 0; c < C; c++)
        v += (x[c] - m) * (x[c] - m);
      v /= C;
      float s = (float) (1.0 / sqrt (v + eps));
      float mf = (float) m;
      for (int c = 0; c < C; c++)
        {
          float y = (x[c] - mf) * s;
          o[c] = y * (weight ? weight[c] : 1.0f) + (bias ? bias[c] : 0.0f);
        }
      mean[n] = mf;
      rstd[n] = s;
    }
}

void
strata_layernorm_backward (float *dinp, float *dweight, float *dbias, const float *dout,
                           const float *inp, const float *weight, const float *mean,
                           const float *rstd, int N, int C)
{
  for (int n = 0; n < N; n++)
    {
      const float *x = inp + (size_t) n * C;
      const float *g = dout + (size_t) n * C;
      const float m = mean[n], s = rstd[n];
      float dn_mean = 0.0f, dn_norm_mean = 0.0f;
      for (int c = 0; c < C; c++)
        {
          float norm = (x[c] - m) * s;
          float dnorm = g[c] * (weight ? weight[c] : 1.0f);
          dn_mean += dnorm;
          dn_norm_mean += dnorm * norm;
          if (dweight)
            dweight[c] += g[c] * norm;
          if (dbias)
            dbias[c] += g[c];
        }
      dn_mean /= C;
      dn_norm_mean /= C;
      if (dinp == NULL)
        continue;
      float *dx = dinp + (size_t) n * C;
      for (int c = 0; c < C; c++)
        {
          float norm = (x[c] - m) * s;
          float dnorm = g[c] * (weight ? weight[c] : 1.0f);
          dx[c] += s * (dnorm - dn_mean - norm * dn_norm_mean);
        }
    }
}

/* ----------------------------------------------------------- RMS norm */

void
strata_rmsnorm_forward (float *out, float *rstd, const float *inp, const float *weight,
                        int N, int C, float eps)
{
  for (int n = 0; n < N; n++)
    {
      const float *x = inp + (size_t) n * C;
      float *o = out + (size_t) n * C;
      double ss = 0.0;
      for (int c = 0; c < C; c++)
        ss += (double) x[c] * x[c];
      float r = (float) (1.0 / sqrt (ss / C + eps));
      for (int c = 0; c < C; c++)
        o[c] = x[c] * r * (weight ? weight[c] : 1.0f);
      rstd[n] = r;
    }
}

void
strata_rmsnorm_backward (float *dinp, float *dweight, const float *dout, const float *inp,
                         const float *weight, const float *rstd, int N, int C)
{
  for (int n = 0; n < N; n++)
    {
      const float *x = inp + (size_t) n * C;
      const float *g = dout + (size_t) n * C;
      const float r = rstd[n];
      float dot = 0.0f;
      for (int c = 0; c < C; c++)
        {
          float dnorm = g[c] * (weight ? weight[c] : 1.0f);
          dot += dnorm * x[c];
          if (dweight)
            dweight[c] += g[c] * x[c] * r;
        }
      if (dinp == NULL)
        continue;
      float *dx = dinp + (size_t) n * C;
      const float k = r * r * r * dot / C;
      for (int c = 0; c < C; c++)
        dx[c] += r * g[c] * (weight ? weight[c] : 1.0f) - k * x[c];
    }
}

/* -------------------------------------------------------- Activations */

#define GELU_S 0.7978845608028654f  /* sqrt(2/pi) */
#define GELU_A 0.044715f

void
strata_gelu_forward (float *out, const float *inp, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      float x = inp[i];
      out[i] = 0.5f * x * (1.0f + tanhf (GELU_S * (x + GELU_A * x * x * x)));
    }
}

void
strata_gelu_backward (float *dinp, const float *dout, const float *inp, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      float x = inp[i];
      float th = tanhf (GELU_S * (x + GELU_A * x * x * x));
      float d = 0.5f * (1.0f + th) +
                0.5f * x * (1.0f - th * th) * GELU_S * (1.0f + 3.0f * GELU_A * x * x);
      dinp[i] += d * dout[i];
    }
}

void
strata_gelu_erf_forward (float *out, const float *inp, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = 0.5f * inp[i] * (1.0f + erff (inp[i] * (float) M_SQRT1_2));
}

void
strata_gelu_erf_backward (float *dinp, const float *dout, const float *inp, size_t n)
{
  const float inv_sqrt_2pi = 0.3989422804014327f;
  for (size_t i = 0; i < n; i++)
    {
      float x = inp[i];
      float cdf = 0.5f * (1.0f + erff (x * (float) M_SQRT1_2));
      dinp[i] += dout[i] * (cdf + x * inv_sqrt_2pi * expf (-0.5f * x * x));
    }
}

static inline float
sigmoidf (float x)
{
  return 1.0f / (1.0f + expf (-x));
}

void
strata_silu_forward (float *out, const float *inp, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = inp[i] * sigmoidf (inp[i]);
}

void
strata_silu_backward (float *dinp, const float *dout, const float *inp, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      float s = sigmoidf (inp[i]);
      dinp[i] += dout[i] * s * (1.0f + inp[i] * (1.0f - s));
    }
}

void
strata_relu_forward (float *out, const float *inp, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}

void
strata_relu_backward (float *dinp, const float *dout, const float *inp, size_t n)
{
  for (size_t i = 0; i < n; i++)
    dinp[i] += inp[i] > 0.0f ? dout[i] : 0.0f;
}

void
strata_tanh_forward (float *out, const float *inp, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = tanhf (inp[i]);
}

void
strata_tanh_backward (float *dinp, const float *dout, const float *inp, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      float t = tanhf (inp[i]);
      dinp[i] += dout[i] * (1.0f - t * t);
    }
}

void
strata_sigmoid_forward (float *out, const float *inp, size_t n)
{
  for (size_t i = 0; i < n; i++)
    out[i] = sigmoidf (inp[i]);
}

void
strata_sigmoid_backward (float *dinp, const float *dout, const float *inp, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      float s = sigmoidf (inp[i]);
      dinp[i] += dout[i] * s * (1.0f - s);
    }
}

/* ------------------------------------------------------------ Softmax */

void
strata_softmax_forward (float *out, const float *inp, int N, int C)
{
  for (int n = 0; n < N; n++)
    {
      const float *x = inp + (size_t) n * C;
      float *o = out + (size_t) n * C;
      float mx = -INFINITY;
      for (int c = 0; c < C; c++)
        mx = x[c] > mx ? x[c] : mx;
      float sum = 0.0f;
      for (int c = 0; c < C; c++)
        {
          o[c] = expf (x[c] - mx);
          sum += o[c];
        }
      float inv = 1.0f / sum;
      for (int c = 0; c < C; c++)
        o[c] *= inv;
    }
}

void
strata_softmax_backward (float *dinp, const float *dout, const float *out, int N, int C)
{
  for (int n = 0; n < N; n++)
    {
      const float *y = out + (size_t) n * C;
      const float *g = dout + (size_t) n * C;
      float *d = dinp + (size_t) n * C;
      float dot = 0.0f;
      for (int c = 0; c < C; c++)
        dot += y[c] * g[c];
      for (int c = 0; c < C; c++)
        d[c] += y[c] * (g[c] - dot);
    }
}

/* ------------------------------------------------------------- Losses */

float
strata_mse_loss (float *dinp, const float *pred, const float *target, size_t n, float scale)
{
  double sum = 0.0;
  const float k = n ? 2.0f * scale / (float) n : 0.0f;
  for (size_t i = 0; i < n; i++)
    {
      float d = pred[i] - target[i];
      sum += (double) d * d;
      if (dinp)
        dinp[i] += k * d;
    }
  return n ? (float) (sum / (double) n) : 0.0f;
}

float
strata_l1_loss (float *dinp, const float *pred, const float *target, size_t n, float scale)
{
  double sum = 0.0;
  const float k = n ? scale / (float) n : 0.0f;
  for (size_t i = 0; i < n; i++)
    {
      float d = pred[i] - target[i];
      sum += fabs ((double) d);
      if (dinp)
        dinp[i] += d > 0.0f ? k : (d < 0.0f ? -k : 0.0f);
    }
  return n ? (float) (sum / (double) n) : 0.0f;
}

float
strata_cross_entropy_loss (float *dlogits, float *probs, const float *logits,
                           const int32_t *targets, int N, int V, float scale)
{
  strata_softmax_forward (probs, logits, N, V);
  int count = 0;
  for (int n = 0; n < N; n++)
    count += targets[n] >= 0 && targets[n] < V;
  if (count == 0)
    return 0.0f;
  double sum = 0.0;
  const float k = scale / (float) count;
  for (int n = 0; n < N; n++)
    {
      int y = targets[n];
      if (y < 0 || y >= V)
        continue;
      const float *p = probs + (size_t) n * V;
      /* log p_y from the logits for accuracy when p_y underflows */
      const float *x = logits + (size_t) n * V;
      float mx = -INFINITY;
      for (int v = 0; v < V; v++)
        mx = x[v] > mx ? x[v] : mx;
      double se = 0.0;
      for (int v = 0; v < V; v++)
        se += exp ((double) x[v] - mx);
      sum += -(x[y] - mx - log (se));
      if (dlogits)
        {
          float *d = dlogits + (size_t) n * V;
          for (int v = 0; v < V; v++)
            d[v] += k * (p[v] - (v == y ? 1.0f : 0.0f));
        }
    }
  return (float) (sum / count);
}

float
strata_bce_logits_loss (float *dlogits, const float *logits, const float *targets,
                        size_t n, float scale)
{
  double sum = 0.0;
  const float k = n ? scale / (float) n : 0.0f;
  for (size_t i = 0; i < n; i++)
    {
      float x = logits[i], t = targets[i];
      sum += (x > 0.0f ? x : 0.0f) - x * t + log1pf (expf (-fabsf (x)));
      if (dlogits)
        dlogits[i] += k * (sigmoidf (x) - t);
    }
  return n ? (float) (sum / (double) n) : 0.0f;
}
