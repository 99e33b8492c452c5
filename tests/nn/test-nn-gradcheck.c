/* test-nn-gradcheck.c: every op's backward against central finite
 * differences.
 *
 * The scalar checked is L = Σ r ⊙ out with fixed random r (for losses, L is
 * the loss itself). For each input tensor, up to 40 entries x_i are
 * perturbed by ±eps and (L⁺ − L⁻)/h is computed, h being the perturbation
 * actually representable in float; the error of a tensor is
 * max_i |analytic_i − numeric_i| divided by max_i max(|analytic_i|,
 * |numeric_i|) (a norm-wise relative error, so near-zero entries do not
 * dominate).
 *
 * Precision: the forward passes are float32 (the engine's only precision),
 * with eps = 1e-2 (EPS below); L, L⁺ − L⁻ and the quotient are accumulated
 * in double, so the error measured is the float32 rounding of the forward
 * plus the O(eps²) truncation of the central difference. Measured errors
 * are 1e-7–1e-5 for linear maps and norms, up to ~7e-5 for activations,
 * losses, attention and the GRU, ~1.2e-4 for the stochastic quantiser;
 * each family's bound (TOL_* below) is about 10× its worst measured error.
 * The measured errors were bit-identical with 1 and 2 OpenBLAS threads.
 *
 * Backward functions accumulate (+=) into their gradient outputs, so every
 * gradient buffer is pre-filled with GRAD_PREFILL before the analytic
 * backward and GRAD_PREFILL is subtracted before comparing: an op that
 * overwrote its gradient instead of adding to it fails by ~GRAD_PREFILL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "test-nn.h"
#include "nn/strata-nn-ops.h"
#include "nn/strata-nn-sq.h"

/* Relative error bounds, per op family: about 10× the worst error measured
 * in that family (in brackets; OpenBLAS 0.3.21, x86-64, 1 or 2 threads). */
#define TOL_LINEAR 1e-4   /* linear, conv1d, conv2d, conv-transpose, add, concat, upsample, FiLM, embedding, dropout [9.6e-6] */
#define TOL_NORM   2e-4   /* layer norm, RMS norm, softmax [1.6e-5] */
#define TOL_ACT    3e-4   /* GELU (tanh and erf), SiLU, ReLU, tanh, sigmoid [2.5e-5] */
#define TOL_LOSS   7e-4   /* MSE, L1, cross-entropy, BCE [6.7e-5] */
#define TOL_ATTN   7e-4   /* attention (self, windowed, cross, conditioned) [6.0e-5] */
#define TOL_GRU    5e-4   /* GRU over 6 steps, both directions [4.2e-5] */
#define TOL_SQ     2e-3   /* stochastic quantiser (Gumbel-softmax path) [1.2e-4] */

#define EPS 1e-2
#define MAX_CHECKS 40
/* Gradient buffers start at this value before the analytic backward; the
 * op's float addition to it rounds once, and subtracting it back in double
 * is exact. */
#define GRAD_PREFILL 0.25f

typedef enum {
  OP_LINEAR, OP_CONV, OP_CONVT, OP_CONV2D, OP_LAYERNORM, OP_RMSNORM,
  OP_GELU, OP_GELU_ERF, OP_SILU, OP_RELU, OP_TANH, OP_SIGMOID, OP_SOFTMAX,
  OP_EMBED, OP_DROPOUT, OP_FILM, OP_CONCAT, OP_UPSAMPLE, OP_ADD, OP_BCAST,
  OP_MSE, OP_L1, OP_CE, OP_BCE,
  OP_SELF_ATTN, OP_CROSS_ATTN, OP_COND_ATTN, OP_GRU, OP_SQ,
} Op;

typedef struct {
  float *x, *g;
  size_t n;
  const char *name;
} Param;

typedef struct {
  Op op;
  GPtrArray *allocs;
  StrataRng rng;
  Param p[8];
  int np;
  float *out, *r, *dout;  /* output (n_out), weights r, backward seed */
  size_t n_out;
  /* op specifics */
  int N, I, O, C, B, T, R;
  StrataConv1d conv;
  StrataConvT1d convt;
  StrataConv2d conv2d;
  StrataAttention attn;
  StrataGru gru;
  StrataSq sq;
  float *scratch, *cache, *cache2, *tmp, *tmp2, *tmp3;
  int32_t *ids;
  float log_var, tau;
} Ctx;

static float *
falloc (Ctx *c, size_t n)
{
  float *p = g_new0 (float, n ? n : 1);
  g_ptr_array_add (c->allocs, p);
  return p;
}

static Param *
add_param (Ctx *c, const char *name, size_t n, float lo, float hi)
{
  Param *p = &c->p[c->np++];
  p->name = name;
  p->n = n;
  p->x = falloc (c, n);
  p->g = falloc (c, n);
  strata_rng_fill_uniform (&c->rng, p->x, n, lo, hi);
  return p;
}

static void
set_out (Ctx *c, size_t n)
{
  c->n_out = n;
  c->out = falloc (c, n);
  c->r = falloc (c, n);
  c->dout = falloc (c, n);
  strata_rng_fill_uniform (&c->rng, c->r, n, -1.0f, 1.0f);
}

/* Push values away from a kink at 0 (ReLU, L1). */
static void
away_from_zero (float *x, size_t n, float margin)
{
  for (size_t i = 0; i < n; i++)
    if (fabsf (x[i]) < margin)
      x[i] += x[i] < 0 ? -margin : margin;
}

#define P(i) (c->p[i].x)
#define G(i) (c->p[i].g)

/* Runs the forward pass; returns L. */
static double
forward (Ctx *c)
{
  switch (c->op)
    {
    case OP_LINEAR:
      strata_linear_forward (c->out, P (0), P (1), P (2), c->N, c->I, c->O);
      break;
    case OP_CONV:
      strata_conv1d_forward (&c->conv, c->out, P (0), P (1), P (2), c->scratch);
      break;
    case OP_CONVT:
      strata_conv_transpose1d_forward (&c->convt, c->out, P (0), P (1), P (2), c->scratch);
      break;
    case OP_CONV2D:
      strata_conv2d_forward (&c->conv2d, c->out, P (0), P (1), P (2), c->scratch);
      break;
    case OP_LAYERNORM:
      strata_layernorm_forward (c->out, c->tmp, c->tmp2, P (0), P (1), P (2), c->N, c->C, 1e-5f);
      break;
    case OP_RMSNORM:
      strata_rmsnorm_forward (c->out, c->tmp, P (0), P (1), c->N, c->C, 1e-5f);
      break;
    case OP_GELU: strata_gelu_forward (c->out, P (0), c->n_out); break;
    case OP_GELU_ERF: strata_gelu_erf_forward (c->out, P (0), c->n_out); break;
    case OP_SILU: strata_silu_forward (c->out, P (0), c->n_out); break;
    case OP_RELU: strata_relu_forward (c->out, P (0), c->n_out); break;
    case OP_TANH: strata_tanh_forward (c->out, P (0), c->n_out); break;
    case OP_SIGMOID: strata_sigmoid_forward (c->out, P (0), c->n_out); break;
    case OP_SOFTMAX:
      strata_softmax_forward (c->out, P (0), c->N, c->C);
      break;
    case OP_EMBED:
      strata_embedding_forward (c->out, c->ids, P (0), c->N, c->I, c->C);
      break;
    case OP_DROPOUT:
      {
        StrataRng rng;
        strata_rng_seed (&rng, 99);  /* same mask on every call */
        strata_dropout_forward (c->out, c->tmp, P (0), c->n_out, 0.3f, true, &rng);
      }
      break;
    case OP_FILM:
      strata_film_forward (c->out, P (0), P (1), c->B, c->T, c->C);
      break;
    case OP_CONCAT:
      strata_concat_forward (c->out, P (0), P (1), c->B, c->I, c->O);
      break;
    case OP_UPSAMPLE:
      strata_upsample_forward (c->out, P (0), c->B, c->T, c->C, c->R);
      break;
    case OP_ADD:
      strata_add_forward (c->out, P (0), P (1), c->n_out);
      break;
    case OP_BCAST:
      strata_add_broadcast_forward (c->out, P (0), P (1), c->B, c->T, c->C);
      break;
    case OP_MSE: return strata_mse_loss (NULL, P (0), c->tmp, c->n_out, 1.0f);
    case OP_L1: return strata_l1_loss (NULL, P (0), c->tmp, c->n_out, 1.0f);
    case OP_CE: return strata_cross_entropy_loss (NULL, c->tmp, P (0), c->ids, c->N, c->C, 1.0f);
    case OP_BCE: return strata_bce_logits_loss (NULL, P (0), c->tmp, c->n_out, 1.0f);
    case OP_SELF_ATTN:
      strata_attention_forward (&c->attn, c->out, c->cache, P (0), P (0) + c->C,
                                P (0) + 2 * c->C, c->scratch);
      break;
    case OP_CROSS_ATTN:
      strata_attention_forward (&c->attn, c->out, c->cache, P (0), P (1), P (1) + c->C,
                                c->scratch);
      break;
    case OP_COND_ATTN:
      {
        /* h = x + cond·wcᵀ (broadcast over time); qkv = h·wqkvᵀ; windowed attention */
        const int BT = c->B * c->T;
        strata_linear_forward (c->tmp, P (1), P (2), NULL, c->B, c->I, c->C);
        strata_add_broadcast_forward (c->tmp2, P (0), c->tmp, c->B, c->T, c->C);
        strata_linear_forward (c->tmp3, c->tmp2, P (3), NULL, BT, c->C, 3 * c->C);
        strata_attention_forward (&c->attn, c->out, c->cache, c->tmp3, c->tmp3 + c->C,
                                  c->tmp3 + 2 * c->C, c->scratch);
      }
      break;
    case OP_GRU:
      strata_gru_forward (&c->gru, c->out, c->cache, P (0), P (1), P (2), P (3), P (4), P (5));
      break;
    case OP_SQ:
      {
        StrataSqTerms terms;
        int32_t *idx = c->ids;
        strata_sq_forward (&c->sq, c->out, idx, c->cache, &terms, P (0), P (1), P (2)[0],
                           c->tau, c->tmp, true);
        double l = 0.0;
        for (size_t i = 0; i < c->n_out; i++)
          l += (double) c->r[i] * c->out[i];
        return l + terms.commit + terms.neg_entropy;
      }
    }
  double l = 0.0;
  for (size_t i = 0; i < c->n_out; i++)
    l += (double) c->r[i] * c->out[i];
  return l;
}

/* Fills the gradients with GRAD_PREFILL, runs forward, then backward with
 * dL/dout = r (which must add to the GRAD_PREFILL already there). */
static void
backward (Ctx *c)
{
  for (int i = 0; i < c->np; i++)
    for (size_t j = 0; j < c->p[i].n; j++)
      c->p[i].g[j] = GRAD_PREFILL;
  forward (c);
  const float *r = c->r;
  switch (c->op)
    {
    case OP_LINEAR:
      strata_linear_backward (G (0), G (1), G (2), r, P (0), P (1), c->N, c->I, c->O);
      break;
    case OP_CONV:
      strata_conv1d_backward (&c->conv, G (0), G (1), G (2), r, P (0), P (1), c->scratch);
      break;
    case OP_CONVT:
      strata_conv_transpose1d_backward (&c->convt, G (0), G (1), G (2), r, P (0), P (1),
                                        c->scratch);
      break;
    case OP_CONV2D:
      strata_conv2d_backward (&c->conv2d, G (0), G (1), G (2), r, P (0), P (1), c->scratch);
      break;
    case OP_LAYERNORM:
      strata_layernorm_backward (G (0), G (1), G (2), r, P (0), P (1), c->tmp, c->tmp2,
                                 c->N, c->C);
      break;
    case OP_RMSNORM:
      strata_rmsnorm_backward (G (0), G (1), r, P (0), P (1), c->tmp, c->N, c->C);
      break;
    case OP_GELU: strata_gelu_backward (G (0), r, P (0), c->n_out); break;
    case OP_GELU_ERF: strata_gelu_erf_backward (G (0), r, P (0), c->n_out); break;
    case OP_SILU: strata_silu_backward (G (0), r, P (0), c->n_out); break;
    case OP_RELU: strata_relu_backward (G (0), r, P (0), c->n_out); break;
    case OP_TANH: strata_tanh_backward (G (0), r, P (0), c->n_out); break;
    case OP_SIGMOID: strata_sigmoid_backward (G (0), r, P (0), c->n_out); break;
    case OP_SOFTMAX:
      strata_softmax_backward (G (0), r, c->out, c->N, c->C);
      break;
    case OP_EMBED:
      strata_embedding_backward (G (0), r, c->ids, c->N, c->I, c->C);
      break;
    case OP_DROPOUT:
      strata_dropout_backward (G (0), r, c->tmp, c->n_out);
      break;
    case OP_FILM:
      strata_film_backward (G (0), G (1), r, P (0), P (1), c->B, c->T, c->C);
      break;
    case OP_CONCAT:
      strata_concat_backward (G (0), G (1), r, c->B, c->I, c->O);
      break;
    case OP_UPSAMPLE:
      strata_upsample_backward (G (0), r, c->B, c->T, c->C, c->R);
      break;
    case OP_ADD:
      strata_add_backward (G (0), G (1), r, c->n_out);
      break;
    case OP_BCAST:
      strata_add_broadcast_backward (G (0), G (1), r, c->B, c->T, c->C);
      break;
    case OP_MSE: strata_mse_loss (G (0), P (0), c->tmp, c->n_out, 1.0f); break;
    case OP_L1: strata_l1_loss (G (0), P (0), c->tmp, c->n_out, 1.0f); break;
    case OP_CE: strata_cross_entropy_loss (G (0), c->tmp, P (0), c->ids, c->N, c->C, 1.0f); break;
    case OP_BCE: strata_bce_logits_loss (G (0), P (0), c->tmp, c->n_out, 1.0f); break;
    case OP_SELF_ATTN:
      strata_attention_backward (&c->attn, G (0), G (0) + c->C, G (0) + 2 * c->C, r,
                                 c->cache, P (0), P (0) + c->C, P (0) + 2 * c->C, c->scratch);
      break;
    case OP_CROSS_ATTN:
      strata_attention_backward (&c->attn, G (0), G (1), G (1) + c->C, r, c->cache,
                                 P (0), P (1), P (1) + c->C, c->scratch);
      break;
    case OP_COND_ATTN:
      {
        const int BT = c->B * c->T;
        float *dqkv = c->cache2;                    /* (BT,3C) */
        float *dh = c->cache2 + (size_t) BT * 3 * c->C;  /* (BT,C) */
        float *dcond = dh + (size_t) BT * c->C;     /* (B,C) */
        memset (c->cache2, 0, ((size_t) BT * 4 * c->C + (size_t) c->B * c->C) * sizeof (float));
        strata_attention_backward (&c->attn, dqkv, dqkv + c->C, dqkv + 2 * c->C, r, c->cache,
                                   c->tmp3, c->tmp3 + c->C, c->tmp3 + 2 * c->C, c->scratch);
        strata_linear_backward (dh, G (3), NULL, dqkv, c->tmp2, P (3), BT, c->C, 3 * c->C);
        strata_add_broadcast_backward (G (0), dcond, dh, c->B, c->T, c->C);
        strata_linear_backward (G (1), G (2), NULL, dcond, P (1), P (2), c->B, c->I, c->C);
      }
      break;
    case OP_GRU:
      strata_gru_backward (&c->gru, G (0), G (1), G (2), G (3), G (4), G (5), r, c->out,
                           c->cache, P (0), P (1), P (2), P (3), c->scratch);
      break;
    case OP_SQ:
      strata_sq_backward (&c->sq, G (0), G (1), G (2), r, 1.0f, 1.0f, c->cache, P (0), P (1),
                          c->out, P (2)[0], c->tau, c->scratch);
      break;
    }
}

static void
check (Ctx *c, const char *label, double tol)
{
  backward (c);
  for (int i = 0; i < c->np; i++)
    {
      Param *p = &c->p[i];
      /* what the backward added to the pre-filled buffer */
      g_autofree double *ana = g_new (double, p->n);
      for (size_t j = 0; j < p->n; j++)
        ana[j] = (double) p->g[j] - GRAD_PREFILL;
      StrataRng pick;
      strata_rng_seed (&pick, 7 + (uint64_t) i);
      const size_t n_checks = p->n <= MAX_CHECKS ? p->n : MAX_CHECKS;
      double max_diff = 0.0, max_mag = 1e-6;
      for (size_t k = 0; k < n_checks; k++)
        {
          size_t j = p->n <= MAX_CHECKS ? k : strata_rng_below (&pick, (uint32_t) p->n);
          float orig = p->x[j];
          p->x[j] = (float) (orig + EPS);
          double lp = forward (c);
          p->x[j] = (float) (orig - EPS);
          double lm = forward (c);
          p->x[j] = orig;
          /* the actual perturbation in float */
          double h = ((double) (float) (orig + EPS) - (double) (float) (orig - EPS));
          double num = (lp - lm) / h;
          max_diff = fmax (max_diff, fabs (num - ana[j]));
          max_mag = fmax (max_mag, fmax (fabs (num), fabs (ana[j])));
        }
      double rel = max_diff / max_mag;
      g_test_message ("%s d%s: relative error %.2e (bound %.0e, %zu entries)",
                      label, p->name, rel, tol, n_checks);
      if (rel >= tol)
        g_test_fail_printf ("%s d%s: relative error %.3e >= %.1e", label, p->name, rel, tol);
    }
}

static Ctx *
ctx_new (Op op, uint64_t seed)
{
  Ctx *c = g_new0 (Ctx, 1);
  c->op = op;
  c->allocs = g_ptr_array_new_with_free_func (g_free);
  strata_rng_seed (&c->rng, seed);
  return c;
}

static void
ctx_free (Ctx *c)
{
  g_ptr_array_unref (c->allocs);
  g_free (c);
}

/* ------------------------------------------------------------ Cases */

static void
test_linear (void)
{
  Ctx *c = ctx_new (OP_LINEAR, 1);
  c->N = 5; c->I = 7; c->O = 4;
  add_param (c, "x", (size_t) c->N * c->I, -1, 1);
  add_param (c, "w", (size_t) c->O * c->I, -1, 1);
  add_param (c, "b", c->O, -1, 1);
  set_out (c, (size_t) c->N * c->O);
  check (c, "linear", TOL_LINEAR);
  ctx_free (c);
}

static void
test_conv1d (void)
{
  const int cfg[][3] = { { 1, 1, 1 }, { 2, 2, 3 }, { 3, 1, 0 } };  /* stride, dilation, pad */
  for (guint k = 0; k < G_N_ELEMENTS (cfg); k++)
    {
      Ctx *c = ctx_new (OP_CONV, 2 + k);
      c->conv = (StrataConv1d) { .B = 2, .T_in = 11, .C_in = 3, .C_out = 4, .K = 3,
                                 .stride = cfg[k][0], .dilation = cfg[k][1], .padding = cfg[k][2] };
      int To = strata_conv1d_out_len (&c->conv);
      add_param (c, "x", (size_t) 2 * 11 * 3, -1, 1);
      add_param (c, "w", (size_t) 4 * 3 * 3, -1, 1);
      add_param (c, "b", 4, -1, 1);
      set_out (c, (size_t) 2 * To * 4);
      c->scratch = falloc (c, strata_conv1d_scratch_size (&c->conv));
      g_autofree char *label = g_strdup_printf ("conv1d s%d d%d p%d", cfg[k][0], cfg[k][1], cfg[k][2]);
      check (c, label, TOL_LINEAR);
      ctx_free (c);
    }
}

static void
test_conv_transpose1d (void)
{
  /* stride, dilation, padding, output_padding, expected T_out: stride 2
   * without dilation, then dilation 2 with stride 3 and no padding, and
   * with stride 1 and padding 2 (both ends cropped) */
  const int cfg[][5] = { { 2, 1, 1, 1, 13 }, { 3, 2, 0, 0, 22 }, { 1, 2, 2, 1, 9 } };
  for (guint k = 0; k < G_N_ELEMENTS (cfg); k++)
    {
      Ctx *c = ctx_new (OP_CONVT, k == 0 ? 5 : 90 + k);
      c->convt = (StrataConvT1d) { .B = 2, .T_in = 6, .C_in = 3, .C_out = 2, .K = 4,
                                   .stride = cfg[k][0], .dilation = cfg[k][1],
                                   .padding = cfg[k][2], .output_padding = cfg[k][3] };
      int To = strata_conv_transpose1d_out_len (&c->convt);
      g_assert_cmpint (To, ==, cfg[k][4]);
      add_param (c, "x", (size_t) 2 * 6 * 3, -1, 1);
      add_param (c, "w", (size_t) 3 * 2 * 4, -1, 1);
      add_param (c, "b", 2, -1, 1);
      set_out (c, (size_t) 2 * To * 2);
      c->scratch = falloc (c, strata_conv_transpose1d_scratch_size (&c->convt));
      g_autofree char *label = g_strdup_printf ("conv_transpose1d s%d d%d p%d op%d", cfg[k][0],
                                                cfg[k][1], cfg[k][2], cfg[k][3]);
      check (c, label, TOL_LINEAR);
      ctx_free (c);
    }
}

static void
test_conv2d (void)
{
  Ctx *c = ctx_new (OP_CONV2D, 9);
  c->conv2d = (StrataConv2d) { .B = 2, .T = 7, .F = 6, .C_in = 2, .C_out = 3, .KT = 3, .KF = 2,
                               .stride_t = 2, .stride_f = 1, .dilation_t = 1, .dilation_f = 2,
                               .padding_t = 1, .padding_f = 1 };
  int To, Fo;
  strata_conv2d_out_size (&c->conv2d, &To, &Fo);
  add_param (c, "x", (size_t) 2 * 7 * 6 * 2, -1, 1);
  add_param (c, "w", (size_t) 3 * 2 * 3 * 2, -1, 1);
  add_param (c, "b", 3, -1, 1);
  set_out (c, (size_t) 2 * To * Fo * 3);
  c->scratch = falloc (c, strata_conv2d_scratch_size (&c->conv2d));
  check (c, "conv2d s(2,1) d(1,2) p(1,1)", TOL_LINEAR);
  ctx_free (c);
}

static void
test_norms (void)
{
  Ctx *c = ctx_new (OP_LAYERNORM, 6);
  c->N = 4; c->C = 9;
  add_param (c, "x", 36, -2, 2);
  add_param (c, "w", 9, 0.5f, 1.5f);
  add_param (c, "b", 9, -1, 1);
  set_out (c, 36);
  c->tmp = falloc (c, 4);
  c->tmp2 = falloc (c, 4);
  check (c, "layernorm", TOL_NORM);
  ctx_free (c);

  c = ctx_new (OP_RMSNORM, 7);
  c->N = 4; c->C = 9;
  add_param (c, "x", 36, -2, 2);
  add_param (c, "w", 9, 0.5f, 1.5f);
  set_out (c, 36);
  c->tmp = falloc (c, 4);
  check (c, "rmsnorm", TOL_NORM);
  ctx_free (c);

  c = ctx_new (OP_SOFTMAX, 8);
  c->N = 3; c->C = 7;
  add_param (c, "x", 21, -3, 3);
  set_out (c, 21);
  check (c, "softmax", TOL_NORM);
  ctx_free (c);
}

static void
test_activations (void)
{
  const Op ops[] = { OP_GELU, OP_GELU_ERF, OP_SILU, OP_RELU, OP_TANH, OP_SIGMOID };
  const char *names[] = { "gelu", "gelu_erf", "silu", "relu", "tanh", "sigmoid" };
  for (guint k = 0; k < G_N_ELEMENTS (ops); k++)
    {
      Ctx *c = ctx_new (ops[k], 10 + k);
      Param *x = add_param (c, "x", 30, -3, 3);
      away_from_zero (x->x, x->n, 0.05f);
      set_out (c, 30);
      check (c, names[k], TOL_ACT);
      ctx_free (c);
    }
}

static void
test_structural (void)
{
  Ctx *c = ctx_new (OP_EMBED, 20);
  c->N = 6; c->I = 5; c->C = 4;  /* I = vocabulary */
  add_param (c, "table", 20, -1, 1);
  c->ids = g_new0 (int32_t, 6);
  g_ptr_array_add (c->allocs, c->ids);
  const int32_t ids[] = { 0, 3, 3, 4, -1, 1 };
  memcpy (c->ids, ids, sizeof ids);
  set_out (c, 24);
  check (c, "embedding", TOL_LINEAR);
  ctx_free (c);

  c = ctx_new (OP_DROPOUT, 21);
  add_param (c, "x", 40, -1, 1);
  set_out (c, 40);
  c->tmp = falloc (c, 40);
  check (c, "dropout", TOL_LINEAR);
  ctx_free (c);

  c = ctx_new (OP_FILM, 22);
  c->B = 2; c->T = 5; c->C = 3;
  add_param (c, "x", 30, -1, 1);
  add_param (c, "gb", 12, -1, 1);
  set_out (c, 30);
  check (c, "film", TOL_LINEAR);
  ctx_free (c);

  c = ctx_new (OP_CONCAT, 23);
  c->B = 3; c->I = 4; c->O = 6;
  add_param (c, "a", 12, -1, 1);
  add_param (c, "b", 18, -1, 1);
  set_out (c, 30);
  check (c, "concat", TOL_LINEAR);
  ctx_free (c);

  c = ctx_new (OP_UPSAMPLE, 24);
  c->B = 2; c->T = 3; c->C = 4; c->R = 4;
  add_param (c, "x", 24, -1, 1);
  set_out (c, 96);
  check (c, "upsample", TOL_LINEAR);
  ctx_free (c);

  c = ctx_new (OP_ADD, 25);
  add_param (c, "a", 10, -1, 1);
  add_param (c, "b", 10, -1, 1);
  set_out (c, 10);
  check (c, "add", TOL_LINEAR);
  ctx_free (c);

  c = ctx_new (OP_BCAST, 26);
  c->B = 2; c->T = 4; c->C = 3;
  add_param (c, "x", 24, -1, 1);
  add_param (c, "cond", 6, -1, 1);
  set_out (c, 24);
  check (c, "add_broadcast", TOL_LINEAR);
  ctx_free (c);
}

static void
test_losses (void)
{
  const Op ops[] = { OP_MSE, OP_L1, OP_BCE };
  const char *names[] = { "mse", "l1", "bce_logits" };
  for (guint k = 0; k < G_N_ELEMENTS (ops); k++)
    {
      Ctx *c = ctx_new (ops[k], 30 + k);
      add_param (c, "pred", 20, -2, 2);
      c->n_out = 20;
      c->tmp = falloc (c, 20);
      strata_rng_fill_uniform (&c->rng, c->tmp, 20, ops[k] == OP_BCE ? 0 : -2, ops[k] == OP_BCE ? 1 : 2);
      if (ops[k] == OP_L1)
        for (int i = 0; i < 20; i++)
          if (fabsf (c->p[0].x[i] - c->tmp[i]) < 0.05f)
            c->p[0].x[i] += 0.1f;
      check (c, names[k], TOL_LOSS);
      ctx_free (c);
    }

  Ctx *c = ctx_new (OP_CE, 40);
  c->N = 5; c->C = 6;
  add_param (c, "logits", 30, -2, 2);
  c->tmp = falloc (c, 30);
  c->ids = g_new0 (int32_t, 5);
  g_ptr_array_add (c->allocs, c->ids);
  const int32_t t[] = { 0, 5, 2, -1, 3 };
  memcpy (c->ids, t, sizeof t);
  check (c, "cross_entropy", TOL_LOSS);
  ctx_free (c);
}

static void
attention_case (bool causal, int window, int T, int Tk, const char *label, uint64_t seed)
{
  Ctx *c = ctx_new (causal ? OP_SELF_ATTN : OP_CROSS_ATTN, seed);
  const int B = 2, H = 2, D = 4, C = H * D;
  c->C = C;
  if (causal)
    {
      c->attn = (StrataAttention) { .B = B, .Tq = T, .Tk = T, .H = H, .D = D,
                                    .ldq = 3 * C, .ldk = 3 * C, .ldv = 3 * C, .ldo = C,
                                    .causal = true, .window = window };
      add_param (c, "qkv", (size_t) B * T * 3 * C, -1, 1);
    }
  else
    {
      c->attn = (StrataAttention) { .B = B, .Tq = T, .Tk = Tk, .H = H, .D = D,
                                    .ldq = C, .ldk = 2 * C, .ldv = 2 * C, .ldo = C };
      add_param (c, "q", (size_t) B * T * C, -1, 1);
      add_param (c, "kv", (size_t) B * Tk * 2 * C, -1, 1);
    }
  set_out (c, (size_t) B * T * C);
  c->cache = falloc (c, (size_t) B * H * T * strata_attention_att_width (&c->attn));
  c->scratch = falloc (c, strata_attention_scratch_size (&c->attn));
  check (c, label, TOL_ATTN);
  ctx_free (c);
}

static void
test_attention (void)
{
  attention_case (true, 0, 9, 9, "attention causal", 50);
  attention_case (true, 4, 13, 13, "attention causal window 4", 51);
  /* more than one query block (32 rows, QB in strata-nn-attention.c) with a
   * window crossing blocks */
  attention_case (true, 37, 150, 150, "attention causal window 37 T 150", 52);
  attention_case (true, 0, 70, 70, "attention causal T 70", 53);
  attention_case (false, 0, 7, 11, "cross-attention", 54);
}

static void
test_attention_conditioned (void)
{
  Ctx *c = ctx_new (OP_COND_ATTN, 60);
  const int B = 2, T = 10, H = 2, D = 3, C = H * D, Cc = 5;
  c->B = B; c->T = T; c->C = C; c->I = Cc;
  c->attn = (StrataAttention) { .B = B, .Tq = T, .Tk = T, .H = H, .D = D,
                                .ldq = 3 * C, .ldk = 3 * C, .ldv = 3 * C, .ldo = C,
                                .causal = true, .window = 3 };
  add_param (c, "x", (size_t) B * T * C, -1, 1);
  add_param (c, "cond", (size_t) B * Cc, -1, 1);
  add_param (c, "w_cond", (size_t) C * Cc, -0.5f, 0.5f);
  add_param (c, "w_qkv", (size_t) 3 * C * C, -0.5f, 0.5f);
  set_out (c, (size_t) B * T * C);
  c->tmp = falloc (c, (size_t) B * C);
  c->tmp2 = falloc (c, (size_t) B * T * C);
  c->tmp3 = falloc (c, (size_t) B * T * 3 * C);
  c->cache = falloc (c, (size_t) B * H * T * 3);
  c->cache2 = falloc (c, (size_t) B * T * 4 * C + (size_t) B * C);
  c->scratch = falloc (c, strata_attention_scratch_size (&c->attn));
  check (c, "attention window 3 + additive conditioning", TOL_ATTN);
  ctx_free (c);
}

static void
test_gru (void)
{
  for (int rev = 0; rev < 2; rev++)
    {
      Ctx *c = ctx_new (OP_GRU, 70 + rev);
      const int B = 2, T = 6, I = 3, Hd = 4;
      c->gru = (StrataGru) { .B = B, .T = T, .I = I, .Hd = Hd, .reverse = rev };
      add_param (c, "x", (size_t) B * T * I, -1, 1);
      add_param (c, "h0", (size_t) B * Hd, -1, 1);
      add_param (c, "w_ih", (size_t) 3 * Hd * I, -0.7f, 0.7f);
      add_param (c, "w_hh", (size_t) 3 * Hd * Hd, -0.7f, 0.7f);
      add_param (c, "b_ih", (size_t) 3 * Hd, -0.5f, 0.5f);
      add_param (c, "b_hh", (size_t) 3 * Hd, -0.5f, 0.5f);
      set_out (c, (size_t) B * T * Hd);
      c->cache = falloc (c, strata_gru_cache_size (&c->gru));
      c->scratch = falloc (c, strata_gru_scratch_size (&c->gru));
      check (c, rev ? "gru reverse, 6 steps" : "gru forward, 6 steps", TOL_GRU);
      ctx_free (c);
    }
}

static void
test_sq (void)
{
  Ctx *c = ctx_new (OP_SQ, 80);
  const int N = 6, K = 5, D = 3;
  c->sq = (StrataSq) { .N = N, .K = K, .D = D };
  c->tau = 0.7f;
  add_param (c, "zhat", (size_t) N * D, -1, 1);
  add_param (c, "codebook", (size_t) K * D, -1, 1);
  Param *lv = add_param (c, "log_var", 1, 0, 0);
  lv->x[0] = -0.5f;
  set_out (c, (size_t) N * D);
  c->tmp = falloc (c, (size_t) N * K);  /* fixed Gumbel noise */
  strata_rng_fill_gumbel (&c->rng, c->tmp, (size_t) N * K);
  c->ids = g_new0 (int32_t, N);
  g_ptr_array_add (c->allocs, c->ids);
  c->cache = falloc (c, strata_sq_cache_size (&c->sq));
  c->scratch = falloc (c, strata_sq_scratch_size (&c->sq));
  check (c, "sq gumbel-softmax (commit + entropy + reconstruction)", TOL_SQ);
  ctx_free (c);
}

void
test_nn_add_gradcheck_tests (void)
{
  g_test_add_func ("/strata/nn/gradcheck/linear", test_linear);
  g_test_add_func ("/strata/nn/gradcheck/conv1d", test_conv1d);
  g_test_add_func ("/strata/nn/gradcheck/conv-transpose1d", test_conv_transpose1d);
  g_test_add_func ("/strata/nn/gradcheck/conv2d", test_conv2d);
  g_test_add_func ("/strata/nn/gradcheck/norms-softmax", test_norms);
  g_test_add_func ("/strata/nn/gradcheck/activations", test_activations);
  g_test_add_func ("/strata/nn/gradcheck/structural", test_structural);
  g_test_add_func ("/strata/nn/gradcheck/losses", test_losses);
  g_test_add_func ("/strata/nn/gradcheck/attention", test_attention);
  g_test_add_func ("/strata/nn/gradcheck/attention-conditioned", test_attention_conditioned);
  g_test_add_func ("/strata/nn/gradcheck/gru", test_gru);
  g_test_add_func ("/strata/nn/gradcheck/sq", test_sq);
}
