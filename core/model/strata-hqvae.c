/* strata-hqvae.c: stage 1 of the foundation model, the injected top-down
 * HQ-VAE with SQ-VAE quantisers (layout in strata-model-private.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "model/strata-model-private.h"

static const char *const level_key[STRATA_N_LEVELS] = { "coarse", "medium", "fine" };

/* ------------------------------------------------------------ params */

static int
decl (StrataParams *p, const char *name, int ndim, int64_t a, int64_t b, int64_t c,
      unsigned flags)
{
  const int64_t shape[3] = { a, b, c };
  int i = strata_params_declare (p, name, ndim, shape, flags);
  g_assert (i >= 0);
  return i;
}

static void
decl_res (StrataParams *p, HqRes *r, const char *prefix, int C, int dilation)
{
  g_autofree char *w1 = g_strdup_printf ("%s.conv1.weight", prefix);
  g_autofree char *b1 = g_strdup_printf ("%s.conv1.bias", prefix);
  g_autofree char *w2 = g_strdup_printf ("%s.conv2.weight", prefix);
  g_autofree char *b2 = g_strdup_printf ("%s.conv2.bias", prefix);
  r->i_w1 = decl (p, w1, 3, C, C, 3, 0);
  r->i_b1 = decl (p, b1, 1, C, 0, 0, STRATA_PARAM_NO_DECAY);
  r->i_w2 = decl (p, w2, 3, C, C, 1, 0);
  r->i_b2 = decl (p, b2, 1, C, 0, 0, STRATA_PARAM_NO_DECAY);
  r->dilation = dilation;
}

gboolean
_strata_hqvae_init (HqVae *m, const StrataModelConfig *cfg, size_t max_numel)
{
  memset (m, 0, sizeof *m);
  m->cfg = *cfg;
  for (int t = 0; t < cfg->n_tags; t++)
    m->cfg.tags[t] = g_strdup (cfg->tags[t]);
  StrataParams *p = &m->params;
  strata_params_init (p);
  const int M = cfg->n_mels, d = cfg->code_dim;
  const int *W = cfg->width;
  const unsigned ND = STRATA_PARAM_NO_DECAY;

  m->i_mean = decl (p, "frontend.mel_mean", 1, M, 0, 0, STRATA_PARAM_FROZEN);
  m->i_std = decl (p, "frontend.mel_std", 1, M, 0, 0, STRATA_PARAM_FROZEN);
  m->i_in_w = decl (p, "enc.in.weight", 3, W[2], M, 3, 0);
  m->i_in_b = decl (p, "enc.in.bias", 1, W[2], 0, 0, ND);
  m->i_down_w[0] = decl (p, "enc.down.0.weight", 3, W[1], W[2], 8, 0);
  m->i_down_b[0] = decl (p, "enc.down.0.bias", 1, W[1], 0, 0, ND);
  m->i_down_w[1] = decl (p, "enc.down.1.weight", 3, W[0], W[1], 8, 0);
  m->i_down_b[1] = decl (p, "enc.down.1.bias", 1, W[0], 0, 0, ND);
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      g_autofree char *er = g_strdup_printf ("enc.res.%s", level_key[l]);
      g_autofree char *dr = g_strdup_printf ("dec.res.%s", level_key[l]);
      decl_res (p, &m->enc_res[l], er, W[l], 3);
      decl_res (p, &m->dec_res[l], dr, W[l], 3);
      const int cin = l == 0 ? W[0] : 2 * W[l];
      g_autofree char *gw = g_strdup_printf ("gate.%s.conv.weight", level_key[l]);
      g_autofree char *gb = g_strdup_printf ("gate.%s.conv.bias", level_key[l]);
      g_autofree char *lw = g_strdup_printf ("gate.%s.proj.weight", level_key[l]);
      g_autofree char *lb = g_strdup_printf ("gate.%s.proj.bias", level_key[l]);
      g_autofree char *cb = g_strdup_printf ("quant.%s.codebook", level_key[l]);
      g_autofree char *th = g_strdup_printf ("quant.%s.theta", level_key[l]);
      g_autofree char *s0 = g_strdup_printf ("quant.%s.s0_sq", level_key[l]);
      g_autofree char *pw = g_strdup_printf ("unquant.%s.weight", level_key[l]);
      g_autofree char *pb = g_strdup_printf ("unquant.%s.bias", level_key[l]);
      m->i_g_w[l] = decl (p, gw, 3, W[l], cin, 3, 0);
      m->i_g_b[l] = decl (p, gb, 1, W[l], 0, 0, ND);
      m->i_gl_w[l] = decl (p, lw, 2, d, W[l], 0, 0);
      m->i_gl_b[l] = decl (p, lb, 1, d, 0, 0, ND);
      m->i_cb[l] = decl (p, cb, 2, cfg->K[l], d, 0, ND);
      m->i_theta[l] = decl (p, th, 1, 1, 0, 0, ND);
      m->i_s0[l] = decl (p, s0, 1, 1, 0, 0, STRATA_PARAM_FROZEN);
      m->i_p_w[l] = decl (p, pw, 2, W[l], d, 0, 0);
      m->i_p_b[l] = decl (p, pb, 1, W[l], 0, 0, ND);
    }
  m->i_up_w[0] = decl (p, "dec.up.0.weight", 3, W[0], W[1], 8, 0);
  m->i_up_b[0] = decl (p, "dec.up.0.bias", 1, W[1], 0, 0, ND);
  m->i_up_w[1] = decl (p, "dec.up.1.weight", 3, W[1], W[2], 8, 0);
  m->i_up_b[1] = decl (p, "dec.up.1.bias", 1, W[2], 0, 0, ND);
  m->i_out_w = decl (p, "dec.out.weight", 3, M, W[2], 3, 0);
  m->i_out_b = decl (p, "dec.out.bias", 1, M, 0, 0, ND);
  if (!_strata_params_fit (p, max_numel) || strata_params_allocate (p) != STRATA_NN_OK)
    return FALSE;
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    strata_params_set_lr_scale (p, m->i_theta[l], 5.0f);
  float *sd = strata_params_value (p, m->i_std);
  for (int i = 0; i < M; i++)
    sd[i] = 1.0f;
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    strata_params_value (p, m->i_s0[l])[0] = 1.0f;
  return TRUE;
}

void
_strata_hqvae_clear (HqVae *m)
{
  strata_params_clear (&m->params);
  _strata_model_config_clear (&m->cfg);
}

static void
fill (HqVae *m, StrataRng *rng, int i, float std)
{
  const StrataParamInfo *in = &m->params.info[i];
  strata_rng_fill_normal (rng, strata_params_value (&m->params, i), in->numel, 0.0f, std);
}

static float
fan_std (HqVae *m, int i, float gain)
{
  const StrataParamInfo *in = &m->params.info[i];
  /* fan-in = numel / first dim for conv (O,I,K) and linear (O,I); for the
   * transposed convs (I,O,K) it is I*K/stride, close enough. */
  return gain / sqrtf ((float) in->numel / (float) in->shape[0]);
}

void
_strata_hqvae_init_random (HqVae *m, uint64_t seed)
{
  StrataRng rng;
  strata_rng_seed (&rng, seed);
  int weights[] = { m->i_in_w, m->i_down_w[0], m->i_down_w[1], m->i_up_w[0], m->i_up_w[1],
                    m->i_out_w };
  for (guint k = 0; k < G_N_ELEMENTS (weights); k++)
    fill (m, &rng, weights[k], fan_std (m, weights[k], 1.0f));
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      HqRes *rs[2] = { &m->enc_res[l], &m->dec_res[l] };
      for (int r = 0; r < 2; r++)
        {
          fill (m, &rng, rs[r]->i_w1, fan_std (m, rs[r]->i_w1, 1.0f));
          fill (m, &rng, rs[r]->i_w2, fan_std (m, rs[r]->i_w2, 0.3f));
        }
      fill (m, &rng, m->i_g_w[l], fan_std (m, m->i_g_w[l], 1.0f));
      fill (m, &rng, m->i_gl_w[l], fan_std (m, m->i_gl_w[l], 1.0f));
      fill (m, &rng, m->i_p_w[l], fan_std (m, m->i_p_w[l], 1.0f));
      fill (m, &rng, m->i_cb[l], 1.0f);
    }
}

float
_strata_hqvae_log_var (const HqVae *m, StrataLevel level, float *dlogvar_dtheta)
{
  float theta = strata_params_value (&m->params, m->i_theta[level])[0];
  float s0 = strata_params_value (&m->params, m->i_s0[level])[0];
  return strata_sq_bounded_log_var (theta, s0, dlogvar_dtheta);
}

/* ------------------------------------------------------------ activations */

typedef struct {
  float *a1, *c1, *a2, *y;       /* (B,T,C) */
  float *da1, *dc1, *da2, *dy;   /* gradients */
} ResActs;

typedef struct {
  int T, N;                       /* frames and rows (B*T) of the level */
  float *h_pre, *h_act, *dh_pre, *dh_act;  /* encoder: pre-gelu, gelu (B,T,W) */
  ResActs enc;                    /* enc.y = h_l */
  float *u, *du;                  /* upsampled parent state (B,T,W) (medium, fine) */
  float *cat, *dcat;              /* [u ; h] (B,T,2W) */
  float *g, *ga, *dg, *dga;       /* gate conv out, gelu (B,T,W) */
  float *zhat, *dzhat;            /* (N,d) */
  float *zq, *dzq;                /* (N,d) */
  int32_t *idx;                   /* (N) */
  float *sq_cache;                /* (3,N,K) */
  float *gumbel;                  /* (N,K) */
  float *s, *ds;                  /* u + P z (B,T,W) */
  ResActs dec;                    /* dec.y = r_l */
  bool used;
} LevelActs;

struct _HqActs {
  int B, T;
  StrataArena arena;
  float *x;                        /* (B,T,M) */
  float *oa, *doa;                 /* gelu(r_f) (B,T,Wf) */
  float *xhat, *dxhat;             /* (B,T,M) */
  LevelActs lv[STRATA_N_LEVELS];
  float *scratch;
  size_t scratch_n;
  float *grad_begin;               /* every gradient buffer lies in [grad_begin, end) */
  size_t grad_n;
  double sse;
};

static StrataConv1d
conv3 (int B, int T, int cin, int cout, int dil)
{
  return (StrataConv1d) { B, T, cin, cout, 3, 1, dil, dil };
}

static StrataConv1d
down4 (int B, int T_in, int cin, int cout)
{
  return (StrataConv1d) { B, T_in, cin, cout, 8, 4, 1, 2 };
}

static StrataConvT1d
up4 (int B, int T_in, int cin, int cout)
{
  return (StrataConvT1d) { B, T_in, cin, cout, 8, 4, 1, 2, 0 };
}

/* Sizes every buffer; with @a NULL only counts into *total / *scratch. */
static size_t
plan (const HqVae *m, HqActs *a, int B, int T, size_t *scratch_need)
{
  const StrataModelConfig *c = &m->cfg;
  const int M = c->n_mels, d = c->code_dim;
  size_t total = 0, sc = 0;
#define TAKE(ptr, n) do { size_t n_ = (size_t) (n); total += strata_arena_padded (n_); \
    if (a) (ptr) = strata_arena_alloc (&a->arena, n_); } while (0)
#define SC(n) do { size_t n_ = (n); if (n_ > sc) sc = n_; } while (0)
  /* forward buffers */
  if (a)
    a->B = B, a->T = T;
  TAKE (a->x, (size_t) B * T * M);
  TAKE (a->xhat, (size_t) B * T * M);
  TAKE (a->oa, (size_t) B * T * c->width[2]);
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      LevelActs *L = a ? &a->lv[l] : NULL;
      const int Tl = T >> (2 * (2 - l)), W = c->width[l], K = c->K[l];
      const size_t n = (size_t) B * Tl * W, N = (size_t) B * Tl;
      if (L)
        L->T = Tl, L->N = (int) N;
      TAKE (L->h_pre, n);
      TAKE (L->h_act, n);
      TAKE (L->enc.a1, n);
      TAKE (L->enc.c1, n);
      TAKE (L->enc.a2, n);
      TAKE (L->enc.y, n);
      TAKE (L->u, n);
      TAKE (L->cat, 2 * n);
      TAKE (L->g, n);
      TAKE (L->ga, n);
      TAKE (L->zhat, N * d);
      TAKE (L->zq, N * d);
      TAKE (*(float **) &L->idx, N);
      TAKE (L->sq_cache, 3 * N * K);
      TAKE (L->gumbel, N * K);
      TAKE (L->s, n);
      TAKE (L->dec.a1, n);
      TAKE (L->dec.c1, n);
      TAKE (L->dec.a2, n);
      TAKE (L->dec.y, n);
      const int cin = l == 0 ? W : 2 * W;
      StrataConv1d cv = conv3 (B, Tl, cin, W, 1);
      SC (strata_conv1d_scratch_size (&cv));
      cv = conv3 (B, Tl, W, W, 3);
      SC (strata_conv1d_scratch_size (&cv));
      StrataSq q = { (int) N, K, d };
      SC (strata_sq_scratch_size (&q));
      if (l > 0)
        {
          StrataConv1d dn = down4 (B, T >> (2 * (2 - l)), c->width[l], c->width[l - 1]);
          SC (strata_conv1d_scratch_size (&dn));
          StrataConvT1d up = up4 (B, Tl / 4, c->width[l - 1], W);
          SC (strata_conv_transpose1d_scratch_size (&up));
        }
    }
  StrataConv1d ci = conv3 (B, T, M, c->width[2], 1);
  SC (strata_conv1d_scratch_size (&ci));
  ci = conv3 (B, T, c->width[2], M, 1);
  SC (strata_conv1d_scratch_size (&ci));
  TAKE (a->scratch, sc);
  if (a)
    a->scratch_n = sc;
  /* gradient buffers, contiguous */
  size_t grad_start = total;
  if (a)
    a->grad_begin = a->arena.base + a->arena.used;
  TAKE (a->dxhat, (size_t) B * T * M);
  TAKE (a->doa, (size_t) B * T * c->width[2]);
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      LevelActs *L = a ? &a->lv[l] : NULL;
      const int Tl = T >> (2 * (2 - l)), W = c->width[l];
      const size_t n = (size_t) B * Tl * W, N = (size_t) B * Tl;
      TAKE (L->dh_pre, n);
      TAKE (L->dh_act, n);
      TAKE (L->enc.da1, n);
      TAKE (L->enc.dc1, n);
      TAKE (L->enc.da2, n);
      TAKE (L->enc.dy, n);
      TAKE (L->du, n);
      TAKE (L->dcat, 2 * n);
      TAKE (L->dg, n);
      TAKE (L->dga, n);
      TAKE (L->dzhat, N * d);
      TAKE (L->dzq, N * d);
      TAKE (L->ds, n);
      TAKE (L->dec.da1, n);
      TAKE (L->dec.dc1, n);
      TAKE (L->dec.da2, n);
      TAKE (L->dec.dy, n);
    }
  if (a)
    a->grad_n = total - grad_start;
#undef TAKE
#undef SC
  *scratch_need = sc;
  return total;
}

HqActs *
_strata_hqvae_acts_new (const HqVae *m, int B, int T)
{
  g_return_val_if_fail (T > 0 && T % 16 == 0 && B > 0, NULL);
  size_t sc;
  size_t total = plan (m, NULL, B, T, &sc);
  HqActs *a = g_new0 (HqActs, 1);
  if (strata_arena_init (&a->arena, total) != STRATA_NN_OK)
    {
      g_free (a);
      return NULL;
    }
  plan (m, a, B, T, &sc);
  return a;
}

void
_strata_hqvae_acts_free (HqActs *a)
{
  if (!a)
    return;
  strata_arena_clear (&a->arena);
  g_free (a);
}

float *
_strata_hqvae_acts_input (HqActs *a)
{
  return a->x;
}

const int32_t *
_strata_hqvae_acts_tokens (const HqActs *a, StrataLevel level)
{
  return a->lv[level].idx;
}

const float *
_strata_hqvae_acts_zhat (const HqActs *a, StrataLevel level, int *n_rows)
{
  if (n_rows)
    *n_rows = a->lv[level].N;
  return a->lv[level].zhat;
}

const float *
_strata_hqvae_acts_recon (const HqActs *a)
{
  return a->xhat;
}

/* ------------------------------------------------------------ forward */

#define V(i) strata_params_value (&m->params, (i))
#define G(i) strata_params_grad (&m->params, (i))

static void
res_forward (HqVae *m, const HqRes *r, ResActs *ra, const float *x, int B, int T, int C,
             float *scratch)
{
  const size_t n = (size_t) B * T * C;
  StrataConv1d c1 = conv3 (B, T, C, C, r->dilation);
  StrataConv1d c2 = { B, T, C, C, 1, 1, 1, 0 };
  strata_gelu_forward (ra->a1, x, n);
  strata_conv1d_forward (&c1, ra->c1, ra->a1, V (r->i_w1), V (r->i_b1), scratch);
  strata_gelu_forward (ra->a2, ra->c1, n);
  strata_conv1d_forward (&c2, ra->y, ra->a2, V (r->i_w2), V (r->i_b2), scratch);
  for (size_t i = 0; i < n; i++)
    ra->y[i] += x[i];
}

/* dx += ∂/∂x given ra->dy */
static void
res_backward (HqVae *m, const HqRes *r, ResActs *ra, float *dx, const float *x, int B, int T,
              int C, float *scratch)
{
  const size_t n = (size_t) B * T * C;
  StrataConv1d c1 = conv3 (B, T, C, C, r->dilation);
  StrataConv1d c2 = { B, T, C, C, 1, 1, 1, 0 };
  for (size_t i = 0; i < n; i++)
    dx[i] += ra->dy[i];
  strata_conv1d_backward (&c2, ra->da2, G (r->i_w2), G (r->i_b2), ra->dy, ra->a2,
                          V (r->i_w2), scratch);
  strata_gelu_backward (ra->dc1, ra->da2, ra->c1, n);
  strata_conv1d_backward (&c1, ra->da1, G (r->i_w1), G (r->i_b1), ra->dc1, ra->a1,
                          V (r->i_w1), scratch);
  strata_gelu_backward (dx, ra->da1, x, n);
}

void
_strata_hqvae_forward (HqVae *m, HqActs *a, bool training, StrataRng *rng, float tau,
                       int n_levels_used, HqStats *stats)
{
  const StrataModelConfig *c = &m->cfg;
  const int B = a->B, T = a->T, M = c->n_mels, d = c->code_dim;
  const int *W = c->width;
  float *sc = a->scratch;
  LevelActs *lv = a->lv;

  /* bottom-up */
  StrataConv1d ci = conv3 (B, T, M, W[2], 1);
  strata_conv1d_forward (&ci, lv[2].h_pre, a->x, V (m->i_in_w), V (m->i_in_b), sc);
  for (int l = 2; l >= 0; l--)
    {
      LevelActs *L = &lv[l];
      if (l < 2)
        {
          StrataConv1d dn = down4 (B, lv[l + 1].T, W[l + 1], W[l]);
          strata_conv1d_forward (&dn, L->h_pre, lv[l + 1].enc.y, V (m->i_down_w[1 - l]),
                                 V (m->i_down_b[1 - l]), sc);
        }
      strata_gelu_forward (L->h_act, L->h_pre, (size_t) B * L->T * W[l]);
      res_forward (m, &m->enc_res[l], &L->enc, L->h_act, B, L->T, W[l], sc);
    }

  /* top-down */
  double sse = 0.0;
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      LevelActs *L = &lv[l];
      const size_t n = (size_t) B * L->T * W[l];
      const float *gin = L->enc.y;
      int cin = W[l];
      if (l > 0)
        {
          StrataConvT1d up = up4 (B, lv[l - 1].T, W[l - 1], W[l]);
          strata_conv_transpose1d_forward (&up, L->u, lv[l - 1].dec.y, V (m->i_up_w[l - 1]),
                                           V (m->i_up_b[l - 1]), sc);
          strata_concat_forward (L->cat, L->u, L->enc.y, L->N, W[l], W[l]);
          gin = L->cat;
          cin = 2 * W[l];
        }
      StrataConv1d cg = conv3 (B, L->T, cin, W[l], 1);
      strata_conv1d_forward (&cg, L->g, gin, V (m->i_g_w[l]), V (m->i_g_b[l]), sc);
      strata_gelu_forward (L->ga, L->g, n);
      strata_linear_forward (L->zhat, L->ga, V (m->i_gl_w[l]), V (m->i_gl_b[l]), L->N, W[l], d);
      StrataSq q = { L->N, c->K[l], d };
      StrataSqTerms terms;
      if (training && rng)
        strata_rng_fill_gumbel (rng, L->gumbel, (size_t) L->N * c->K[l]);
      strata_sq_forward (&q, L->zq, L->idx, L->sq_cache, &terms, L->zhat, V (m->i_cb[l]),
                         _strata_hqvae_log_var (m, l, NULL), tau,
                         training && rng ? L->gumbel : NULL, training);
      if (stats)
        {
          stats->commit[l] = terms.commit / B;
          stats->neg_entropy[l] = terms.neg_entropy / B;
          stats->max_post[l] = terms.mean_max_posterior;
        }
      L->used = l < n_levels_used;
      /* s = u + P z */
      if (L->used)
        strata_linear_forward (L->s, L->zq, V (m->i_p_w[l]), V (m->i_p_b[l]), L->N, d, W[l]);
      else
        memset (L->s, 0, n * sizeof (float));
      if (l > 0)
        for (size_t i = 0; i < n; i++)
          L->s[i] += L->u[i];
      res_forward (m, &m->dec_res[l], &L->dec, L->s, B, L->T, W[l], sc);
    }
  strata_gelu_forward (a->oa, lv[2].dec.y, (size_t) B * T * W[2]);
  StrataConv1d co = conv3 (B, T, W[2], M, 1);
  strata_conv1d_forward (&co, a->xhat, a->oa, V (m->i_out_w), V (m->i_out_b), sc);
  const size_t nx = (size_t) B * T * M;
  for (size_t i = 0; i < nx; i++)
    {
      double e = (double) a->xhat[i] - a->x[i];
      sse += e * e;
    }
  a->sse = sse;
  if (stats)
    {
      const double D = (double) T * M;
      stats->rec_mse = (float) (sse / (double) nx);
      double lat = 0.0;
      for (int l = 0; l < STRATA_N_LEVELS; l++)
        lat += stats->commit[l] + stats->neg_entropy[l];
      /* per element: 0.5 log(SSE/B) + latent / D */
      stats->loss = (float) (0.5 * log (sse / B + 1e-6 * D) + lat / D);
    }
}

void
_strata_hqvae_backward (HqVae *m, HqActs *a, float tau)
{
  const StrataModelConfig *c = &m->cfg;
  const int B = a->B, T = a->T, M = c->n_mels, d = c->code_dim;
  const int *W = c->width;
  float *sc = a->scratch;
  LevelActs *lv = a->lv;
  const double D = (double) T * M;
  const size_t nx = (size_t) B * T * M;

  memset (a->grad_begin, 0, a->grad_n * sizeof (float));
  /* loss = 0.5 log(SSE/B + eps) + latent/(B D): d/dxhat = (xhat - x)/(SSE + B eps) */
  const float gscale = (float) (1.0 / (a->sse + 1e-6 * D * B));
  for (size_t i = 0; i < nx; i++)
    a->dxhat[i] = gscale * (a->xhat[i] - a->x[i]);
  StrataConv1d co = conv3 (B, T, W[2], M, 1);
  strata_conv1d_backward (&co, a->doa, G (m->i_out_w), G (m->i_out_b), a->dxhat, a->oa,
                          V (m->i_out_w), sc);
  strata_gelu_backward (lv[2].dec.dy, a->doa, lv[2].dec.y, (size_t) B * T * W[2]);

  const float lat_scale = (float) (1.0 / ((double) B * D));
  for (int l = 2; l >= 0; l--)
    {
      LevelActs *L = &lv[l];
      const size_t n = (size_t) B * L->T * W[l];
      res_backward (m, &m->dec_res[l], &L->dec, L->ds, L->s, B, L->T, W[l], sc);
      if (l > 0)
        for (size_t i = 0; i < n; i++)
          L->du[i] += L->ds[i];
      const float *dzq = NULL;
      if (L->used)
        {
          strata_linear_backward (L->dzq, G (m->i_p_w[l]), G (m->i_p_b[l]), L->ds, L->zq,
                                  V (m->i_p_w[l]), L->N, d, W[l]);
          dzq = L->dzq;
        }
      StrataSq q = { L->N, c->K[l], d };
      float dl_dth, dlog_var = 0.0f;
      float log_var = _strata_hqvae_log_var (m, l, &dl_dth);
      strata_sq_backward (&q, L->dzhat, G (m->i_cb[l]), &dlog_var, dzq, lat_scale, lat_scale,
                          L->sq_cache, L->zhat, V (m->i_cb[l]), L->zq, log_var, tau, sc);
      G (m->i_theta[l])[0] += dlog_var * dl_dth;
      strata_linear_backward (L->dga, G (m->i_gl_w[l]), G (m->i_gl_b[l]), L->dzhat, L->ga,
                              V (m->i_gl_w[l]), L->N, W[l], d);
      strata_gelu_backward (L->dg, L->dga, L->g, n);
      if (l > 0)
        {
          StrataConv1d cg = conv3 (B, L->T, 2 * W[l], W[l], 1);
          strata_conv1d_backward (&cg, L->dcat, G (m->i_g_w[l]), G (m->i_g_b[l]), L->dg, L->cat,
                                  V (m->i_g_w[l]), sc);
          strata_concat_backward (L->du, L->enc.dy, L->dcat, L->N, W[l], W[l]);
          StrataConvT1d up = up4 (B, lv[l - 1].T, W[l - 1], W[l]);
          strata_conv_transpose1d_backward (&up, lv[l - 1].dec.dy, G (m->i_up_w[l - 1]),
                                            G (m->i_up_b[l - 1]), L->du, lv[l - 1].dec.y,
                                            V (m->i_up_w[l - 1]), sc);
        }
      else
        {
          StrataConv1d cg = conv3 (B, L->T, W[l], W[l], 1);
          strata_conv1d_backward (&cg, L->enc.dy, G (m->i_g_w[l]), G (m->i_g_b[l]), L->dg,
                                  L->enc.y, V (m->i_g_w[l]), sc);
        }
    }
  /* encoder, coarse to fine */
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      LevelActs *L = &lv[l];
      const size_t n = (size_t) B * L->T * W[l];
      res_backward (m, &m->enc_res[l], &L->enc, L->dh_act, L->h_act, B, L->T, W[l], sc);
      strata_gelu_backward (L->dh_pre, L->dh_act, L->h_pre, n);
      if (l < 2)
        {
          StrataConv1d dn = down4 (B, lv[l + 1].T, W[l + 1], W[l]);
          strata_conv1d_backward (&dn, lv[l + 1].enc.dy, G (m->i_down_w[1 - l]),
                                  G (m->i_down_b[1 - l]), L->dh_pre, lv[l + 1].enc.y,
                                  V (m->i_down_w[1 - l]), sc);
        }
    }
  StrataConv1d ci = conv3 (B, T, M, W[2], 1);
  strata_conv1d_backward (&ci, NULL, G (m->i_in_w), G (m->i_in_b), lv[2].dh_pre, a->x,
                          V (m->i_in_w), sc);
}
