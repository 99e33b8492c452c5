/* strata-nn-ops.h: layers, each with forward and backward.
 *
 * Conventions (see strata-nn.h): float32 row-major, sequences laid out
 * (B, T, C) so that B*T rows go through one GEMM. Backward functions
 * accumulate (+=) into every gradient output; a NULL gradient output is
 * skipped. Nothing here allocates: buffers that must survive from forward
 * to backward ("caches") and scratch space are passed in, sized by the
 * `_scratch_size` helpers. Weight layouts and names follow PyTorch
 * (state_dict) so that files interoperate with numpy/PyTorch.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nn/strata-nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Linear: out = inp · wᵀ + b ------------------------------------- */
/* out (N,O), inp (N,I), w (O,I), b (O) nullable */
void strata_linear_forward  (float *out, const float *inp, const float *w, const float *b,
                             int N, int I, int O);
/* dinp (N,I), dw (O,I), db (O); dout (N,O) */
void strata_linear_backward (float *dinp, float *dw, float *db, const float *dout,
                             const float *inp, const float *w, int N, int I, int O);

/* ---- 1-D convolution over time, (B,T,C) layout ---------------------- */
typedef struct {
  int B, T_in, C_in, C_out, K;
  int stride, dilation, padding;   /* same meaning as torch.nn.Conv1d */
} StrataConv1d;

int    strata_conv1d_out_len      (const StrataConv1d *c);
/* Floats of scratch both directions need: 2·K·C_out·C_in, the weights
 * re-laid tap-major (K,C_out,C_in) and, in backward, their gradient in the
 * same layout (no im2col: each tap is one strided GEMM). */
size_t strata_conv1d_scratch_size (const StrataConv1d *c);
/* out (B,T_out,C_out), inp (B,T_in,C_in), w (C_out,C_in,K), b (C_out) nullable */
void strata_conv1d_forward  (const StrataConv1d *c, float *out, const float *inp,
                             const float *w, const float *b, float *scratch);
void strata_conv1d_backward (const StrataConv1d *c, float *dinp, float *dw, float *db,
                             const float *dout, const float *inp, const float *w,
                             float *scratch);

/* Transposed convolution (upsampling), torch.nn.ConvTranspose1d:
 * T_out = (T_in-1)*stride - 2*padding + dilation*(K-1) + 1 + output_padding.
 * Here C_in/C_out are the transposed layer's input/output channels. */
typedef struct {
  int B, T_in, C_in, C_out, K;
  int stride, dilation, padding, output_padding;
} StrataConvT1d;

int    strata_conv_transpose1d_out_len      (const StrataConvT1d *c);
size_t strata_conv_transpose1d_scratch_size (const StrataConvT1d *c);
/* out (B,T_out,C_out), inp (B,T_in,C_in), w (C_in,C_out,K), b (C_out) nullable */
void strata_conv_transpose1d_forward  (const StrataConvT1d *c, float *out, const float *inp,
                                       const float *w, const float *b, float *scratch);
void strata_conv_transpose1d_backward (const StrataConvT1d *c, float *dinp, float *dw,
                                       float *db, const float *dout, const float *inp,
                                       const float *w, float *scratch);

/* ---- 2-D convolution over (time, frequency), channels last ----------
 * inp (B,T,F,C_in) -> out (B,T_out,F_out,C_out); w (C_out,C_in,KT,KF) and
 * b (C_out) as torch.nn.Conv2d with (T, F) as its (H, W). For small
 * kernels over spectrograms in task heads. */
typedef struct {
  int B, T, F, C_in, C_out, KT, KF;
  int stride_t, stride_f, dilation_t, dilation_f, padding_t, padding_f;
} StrataConv2d;

void   strata_conv2d_out_size     (const StrataConv2d *c, int *T_out, int *F_out);
size_t strata_conv2d_scratch_size (const StrataConv2d *c);
void   strata_conv2d_forward  (const StrataConv2d *c, float *out, const float *inp,
                               const float *w, const float *b, float *scratch);
void   strata_conv2d_backward (const StrataConv2d *c, float *dinp, float *dw, float *db,
                               const float *dout, const float *inp, const float *w,
                               float *scratch);

/* ---- Normalisation over the last dimension -------------------------- */
/* out, inp (N,C); weight, bias (C); mean, rstd (N) cached for backward */
void strata_layernorm_forward  (float *out, float *mean, float *rstd, const float *inp,
                                const float *weight, const float *bias, int N, int C,
                                float eps);
void strata_layernorm_backward (float *dinp, float *dweight, float *dbias, const float *dout,
                                const float *inp, const float *weight, const float *mean,
                                const float *rstd, int N, int C);
/* RMS norm: out = inp / rms(inp) * weight; rstd (N) cached */
void strata_rmsnorm_forward  (float *out, float *rstd, const float *inp, const float *weight,
                              int N, int C, float eps);
void strata_rmsnorm_backward (float *dinp, float *dweight, const float *dout,
                              const float *inp, const float *weight, const float *rstd,
                              int N, int C);

/* ---- Element-wise activations, n elements; out may alias inp --------- */
/* Backward takes the forward INPUT (not the output); dinp may not alias
 * dout. GELU is the tanh approximation (as GPT-2). */
void strata_gelu_forward     (float *out, const float *inp, size_t n);
void strata_gelu_backward    (float *dinp, const float *dout, const float *inp, size_t n);
/* Exact GELU, x·Φ(x) with erf: torch.nn.GELU()'s default. */
void strata_gelu_erf_forward  (float *out, const float *inp, size_t n);
void strata_gelu_erf_backward (float *dinp, const float *dout, const float *inp, size_t n);
void strata_silu_forward     (float *out, const float *inp, size_t n);
void strata_silu_backward    (float *dinp, const float *dout, const float *inp, size_t n);
void strata_relu_forward     (float *out, const float *inp, size_t n);
void strata_relu_backward    (float *dinp, const float *dout, const float *inp, size_t n);
void strata_tanh_forward     (float *out, const float *inp, size_t n);
void strata_tanh_backward    (float *dinp, const float *dout, const float *inp, size_t n);
void strata_sigmoid_forward  (float *out, const float *inp, size_t n);
void strata_sigmoid_backward (float *dinp, const float *dout, const float *inp, size_t n);

/* ---- Softmax over the last dimension -------------------------------- */
/* out, inp (N,C); backward uses the forward OUTPUT */
void strata_softmax_forward  (float *out, const float *inp, int N, int C);
void strata_softmax_backward (float *dinp, const float *dout, const float *out, int N, int C);

/* ---- Embedding lookup ----------------------------------------------- */
/* out (N,C), ids (N) in [0,V), table (V,C). Out-of-range ids give zeros. */
void strata_embedding_forward  (float *out, const int32_t *ids, const float *table,
                                int N, int V, int C);
void strata_embedding_backward (float *dtable, const float *dout, const int32_t *ids,
                                int N, int V, int C);

/* ---- Dropout (inverted): mask (n) holds 0 or 1/(1-p) ----------------- */
/* @training false or p == 0 copies inp and fills mask with 1. */
void strata_dropout_forward  (float *out, float *mask, const float *inp, size_t n, float p,
                              bool training, StrataRng *rng);
void strata_dropout_backward (float *dinp, const float *dout, const float *mask, size_t n);

/* ---- Residual add: out = a + b (n) ----------------------------------- */
void strata_add_forward  (float *out, const float *a, const float *b, size_t n);
void strata_add_backward (float *da, float *db, const float *dout, size_t n);

/* ---- Additive conditioning: out[b,t,:] = inp[b,t,:] + cond[b,:] ------ */
/* inp, out (B,T,C); cond (B,C), e.g. a linear of a tag vector */
void strata_add_broadcast_forward  (float *out, const float *inp, const float *cond,
                                    int B, int T, int C);
void strata_add_broadcast_backward (float *dinp, float *dcond, const float *dout,
                                    int B, int T, int C);

/* ---- Concatenation: per outer row, na floats of a then nb floats of b.
 * Along time for (B,T1,C)+(B,T2,C): outer=B, na=T1*C, nb=T2*C.
 * Along channels for (N,C1)+(N,C2): outer=N, na=C1, nb=C2. out (outer, na+nb) */
void strata_concat_forward  (float *out, const float *a, const float *b,
                             int outer, int na, int nb);
void strata_concat_backward (float *da, float *db, const float *dout,
                             int outer, int na, int nb);

/* ---- Nearest (repeat) upsampling along time: (B,T,C) -> (B,T*R,C) ---- */
void strata_upsample_forward  (float *out, const float *inp, int B, int T, int C, int R);
void strata_upsample_backward (float *dinp, const float *dout, int B, int T, int C, int R);

/* ---- FiLM: out[b,t,c] = (1 + gamma[b,c]) * inp[b,t,c] + beta[b,c] ---- */
/* inp, out (B,T,C); gb (B,2C) = [gamma | beta], e.g. a linear of a tag vector */
void strata_film_forward  (float *out, const float *inp, const float *gb, int B, int T, int C);
void strata_film_backward (float *dinp, float *dgb, const float *dout, const float *inp,
                           const float *gb, int B, int T, int C);

/* ---- Multi-head attention core --------------------------------------
 * Per batch b and head h: out = softmax(q kᵀ / sqrt(D) + mask) v, where
 * q rows are (B,Tq, ldq) with head h at column h*D (likewise k, v with Tk
 * rows, out with ldo). Self-attention on a packed qkv (B,T,3C) uses
 * q = qkv, k = qkv + C, v = qkv + 2C, ldq = ldk = ldv = 3C, C = H*D.
 * Cross-attention uses q from the sequence and k, v from the context
 * (Tk = S, causal false). causal: key j <= query t (needs Tq == Tk);
 * window > 0 (with causal): only t - window < j <= t. Additive
 * conditioning is a strata_add / FiLM on the input, not part of this op.
 * att caches the probabilities, (B,H,Tq,strata_attention_att_width()). */
typedef struct {
  int B, Tq, Tk, H, D;
  int ldq, ldk, ldv, ldo;
  bool causal;
  int window;
} StrataAttention;

int    strata_attention_att_width    (const StrataAttention *a);
size_t strata_attention_scratch_size (const StrataAttention *a);
void   strata_attention_forward  (const StrataAttention *a, float *out, float *att,
                                  const float *q, const float *k, const float *v,
                                  float *scratch);
/* dq, dk, dv have the same strides as q, k, v. */
void   strata_attention_backward (const StrataAttention *a, float *dq, float *dk, float *dv,
                                  const float *dout, const float *att, const float *q,
                                  const float *k, const float *v, float *scratch);

/* ---- GRU over time (PyTorch torch.nn.GRU gate order r, z, n) ---------
 * x (B,T,I) -> h (B,T,Hd). w_ih (3Hd,I), w_hh (3Hd,Hd), b_ih, b_hh (3Hd).
 * reverse runs t = T-1 .. 0 (the backward direction of a bidirectional
 * layer; concatenate both outputs with strata_concat). h0 (B,Hd) nullable
 * (zeros). cache (B,T,6*Hd) floats (strata_gru_cache_size). */
typedef struct {
  int B, T, I, Hd;
  bool reverse;
} StrataGru;

size_t strata_gru_cache_size   (const StrataGru *g);
size_t strata_gru_scratch_size (const StrataGru *g);
void   strata_gru_forward  (const StrataGru *g, float *h, float *cache, const float *x,
                            const float *h0, const float *w_ih, const float *w_hh,
                            const float *b_ih, const float *b_hh);
void   strata_gru_backward (const StrataGru *g, float *dx, float *dh0, float *dw_ih,
                            float *dw_hh, float *db_ih, float *db_hh, const float *dh,
                            const float *h, const float *cache, const float *x,
                            const float *h0, const float *w_ih, const float *w_hh,
                            float *scratch);

/* ---- Losses: return the loss, write its gradient (scaled by @scale) into
 * dinp with +=; dinp nullable. Means are over all n elements (or N rows). */
float strata_mse_loss    (float *dinp, const float *pred, const float *target, size_t n,
                          float scale);
float strata_l1_loss     (float *dinp, const float *pred, const float *target, size_t n,
                          float scale);
/* logits (N,V), targets (N) in [0,V) (others ignored: -1 = padding). Mean
 * over counted rows. probs (N,V) scratch. */
float strata_cross_entropy_loss (float *dlogits, float *probs, const float *logits,
                                 const int32_t *targets, int N, int V, float scale);
/* Binary cross-entropy with logits, targets in [0,1]. */
float strata_bce_logits_loss    (float *dlogits, const float *logits, const float *targets,
                                 size_t n, float scale);

#ifdef __cplusplus
}
#endif
