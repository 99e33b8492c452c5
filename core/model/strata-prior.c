/* strata-prior.c: stage 2 of the foundation model, one causal transformer
 * prior per level (layout in strata-model-private.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "model/strata-model-private.h"

static const char *const level_key[STRATA_N_LEVELS] = { "coarse", "medium", "fine" };

static int
decl (StrataParams *p, const char *prefix, const char *name, int ndim, int64_t a, int64_t b,
      int64_t c, unsigned flags)
{
  g_autofree char *full = g_strdup_printf ("%s.%s", prefix, name);
  const int64_t shape[3] = { a, b, c };
  int i = strata_params_declare (p, full, ndim, shape, flags);
  g_assert (i >= 0);
  return i;
}

gboolean
_strata_prior_init (Prior *p, const StrataModelConfig *cfg, StrataLevel level,
                    size_t max_numel)
{
  memset (p, 0, sizeof *p);
  p->level = level;
  p->d = cfg->prior_dim[level];
  p->K = cfg->K[level];
  p->K_parent = level > 0 ? cfg->K[level - 1] : 0;
  p->ctx = cfg->prior_ctx[level];
  p->window = cfg->prior_window[level];
  p->n_layers = cfg->prior_layers;
  p->n_heads = cfg->prior_heads;
  p->n_tags = cfg->n_tags;
  g_return_val_if_fail (p->n_layers <= STRATA_PRIOR_MAX_LAYERS, FALSE);
  g_return_val_if_fail (p->d % p->n_heads == 0 && p->ctx % 4 == 0, FALSE);
  StrataParams *ps = &p->params;
  strata_params_init (ps);
  g_autofree char *pre = g_strdup_printf ("prior.%s", level_key[level]);
  const int d = p->d;
  const unsigned ND = STRATA_PARAM_NO_DECAY;
  p->i_tok = decl (ps, pre, "tok.weight", 2, p->K + 1, d, 0, 0);
  p->i_pos = decl (ps, pre, "pos.weight", 2, p->ctx, d, 0, 0);
  p->i_par = p->i_phase = p->i_par_w = p->i_par_b = p->i_tag = -1;
  if (level > 0)
    {
      p->i_par = decl (ps, pre, "parent.embed.weight", 2, p->K_parent, d, 0, 0);
      p->i_phase = decl (ps, pre, "parent.phase.weight", 2, 4, d, 0, 0);
      p->i_par_w = decl (ps, pre, "parent.conv.weight", 3, d, d, 3, 0);
      p->i_par_b = decl (ps, pre, "parent.conv.bias", 1, d, 0, 0, ND);
    }
  if (p->n_tags > 0)
    p->i_tag = decl (ps, pre, "tag.weight", 2, d, p->n_tags, 0, 0);
  for (int i = 0; i < p->n_layers; i++)
    {
      PriorBlockIdx *b = &p->blk[i];
      g_autofree char *bp = g_strdup_printf ("%s.blocks.%d", pre, i);
      b->ln1_w = decl (ps, bp, "ln1.weight", 1, d, 0, 0, ND);
      b->ln1_b = decl (ps, bp, "ln1.bias", 1, d, 0, 0, ND);
      b->qkv_w = decl (ps, bp, "attn.qkv.weight", 2, 3 * d, d, 0, 0);
      b->qkv_b = decl (ps, bp, "attn.qkv.bias", 1, 3 * d, 0, 0, ND);
      b->proj_w = decl (ps, bp, "attn.proj.weight", 2, d, d, 0, 0);
      b->proj_b = decl (ps, bp, "attn.proj.bias", 1, d, 0, 0, ND);
      b->ln2_w = decl (ps, bp, "ln2.weight", 1, d, 0, 0, ND);
      b->ln2_b = decl (ps, bp, "ln2.bias", 1, d, 0, 0, ND);
      b->fc1_w = decl (ps, bp, "mlp.fc1.weight", 2, 4 * d, d, 0, 0);
      b->fc1_b = decl (ps, bp, "mlp.fc1.bias", 1, 4 * d, 0, 0, ND);
      b->fc2_w = decl (ps, bp, "mlp.fc2.weight", 2, d, 4 * d, 0, 0);
      b->fc2_b = decl (ps, bp, "mlp.fc2.bias", 1, d, 0, 0, ND);
    }
  p->i_lnf_w = decl (ps, pre, "ln_f.weight", 1, d, 0, 0, ND);
  p->i_lnf_b = decl (ps, pre, "ln_f.bias", 1, d, 0, 0, ND);
  p->i_head_w = decl (ps, pre, "head.weight", 2, p->K, d, 0, 0);
  p->i_head_b = decl (ps, pre, "head.bias", 1, p->K, 0, 0, ND);
  if (!_strata_params_fit (ps, max_numel) || strata_params_allocate (ps) != STRATA_NN_OK)
    return FALSE;
  for (int i = 0; i < p->n_layers; i++)
    {
      float *w1 = strata_params_value (ps, p->blk[i].ln1_w);
      float *w2 = strata_params_value (ps, p->blk[i].ln2_w);
      for (int c = 0; c < d; c++)
        w1[c] = w2[c] = 1.0f;
    }
  float *wf = strata_params_value (ps, p->i_lnf_w);
  for (int c = 0; c < d; c++)
    wf[c] = 1.0f;
  return TRUE;
}

void
_strata_prior_clear (Prior *p)
{
  strata_params_clear (&p->params);
}

void
_strata_prior_init_random (Prior *p, uint64_t seed)
{
  StrataRng rng;
  strata_rng_seed (&rng, seed);
  StrataParams *ps = &p->params;
  const float s = 0.02f, s_res = 0.02f / sqrtf (2.0f * p->n_layers);
  int embeds[] = { p->i_tok, p->i_pos, p->i_par, p->i_phase, p->i_tag, p->i_head_w };
  for (guint k = 0; k < G_N_ELEMENTS (embeds); k++)
    if (embeds[k] >= 0)
      strata_rng_fill_normal (&rng, strata_params_value (ps, embeds[k]),
                              ps->info[embeds[k]].numel, 0.0f, s);
  if (p->i_par_w >= 0)
    strata_rng_fill_normal (&rng, strata_params_value (ps, p->i_par_w),
                            ps->info[p->i_par_w].numel, 0.0f, 1.0f / sqrtf (3.0f * p->d));
  for (int i = 0; i < p->n_layers; i++)
    {
      const PriorBlockIdx *b = &p->blk[i];
      int ws[] = { b->qkv_w, b->fc1_w };
      int wr[] = { b->proj_w, b->fc2_w };
      for (int k = 0; k < 2; k++)
        {
          strata_rng_fill_normal (&rng, strata_params_value (ps, ws[k]), ps->info[ws[k]].numel,
                                  0.0f, s);
          strata_rng_fill_normal (&rng, strata_params_value (ps, wr[k]), ps->info[wr[k]].numel,
                                  0.0f, s_res);
        }
    }
}

/* ------------------------------------------------------------ activations */

typedef struct {
  float *ln1, *ln1_mean, *ln1_rstd;  /* (N,d) (N) (N) */
  float *qkv;                        /* (N,3d) */
  float *att;                        /* (B,H,T,W) */
  float *atty;                       /* (N,d) */
  float *mid;                        /* (N,d) residual after attention */
  float *ln2, *ln2_mean, *ln2_rstd;
  float *fc1, *fc1g;                 /* (N,4d) */
  float *out;                        /* (N,d) residual after the MLP */
} BlockActs;

struct _PriorActs {
  int B, T;
  StrataArena arena;
  int32_t *tokens, *parent, *in_ids, *par_ids, *phase_ids;  /* (B,ctx) (B,ctx/4) (N)×3 */
  float *tags;                        /* (B,n_tags) */
  float *par_e, *par_c, *tagc, *x0;   /* (N,d) (N,d) (B,d) (N,d) */
  BlockActs blk[STRATA_PRIOR_MAX_LAYERS];
  float *lnf, *lnf_mean, *lnf_rstd, *logits, *probs;
  float *scratch;
  /* gradients */
  float *grad_begin;
  size_t grad_n;
  float *dres, *dres2, *dln, *dqkv, *datty, *dfc1, *dfc1g, *dlogits, *dpar_e, *dtagc;
};

static StrataAttention
attn_shape (const Prior *p, int B, int T)
{
  const int d = p->d;
  return (StrataAttention) { B, T, T, p->n_heads, d / p->n_heads, 3 * d, 3 * d, 3 * d, d,
                             true, p->window };
}

static size_t
prior_plan (const Prior *p, PriorActs *a, int B)
{
  const int T = p->ctx, d = p->d, K = p->K;
  const size_t N = (size_t) B * T;
  StrataAttention at = attn_shape (p, B, T);
  const size_t att_n = (size_t) B * p->n_heads * T * strata_attention_att_width (&at);
  StrataConv1d cv = { B, T, d, d, 3, 1, 1, 1 };
  size_t sc = MAX (strata_attention_scratch_size (&at), strata_conv1d_scratch_size (&cv));
  size_t total = 0;
#define TAKE(ptr, n) do { size_t n_ = (size_t) (n); total += strata_arena_padded (n_); \
    if (a) (ptr) = (void *) strata_arena_alloc (&a->arena, n_); } while (0)
  TAKE (a->tokens, N);
  TAKE (a->parent, N / 4 + 4);
  TAKE (a->in_ids, N);
  TAKE (a->par_ids, N);
  TAKE (a->phase_ids, N);
  TAKE (a->tags, (size_t) B * MAX (p->n_tags, 1));
  TAKE (a->par_e, N * d);
  TAKE (a->par_c, N * d);
  TAKE (a->tagc, (size_t) B * d);
  TAKE (a->x0, N * d);
  for (int i = 0; i < p->n_layers; i++)
    {
      BlockActs *b = a ? &a->blk[i] : NULL;
      TAKE (b->ln1, N * d);
      TAKE (b->ln1_mean, N);
      TAKE (b->ln1_rstd, N);
      TAKE (b->qkv, 3 * N * d);
      TAKE (b->att, att_n);
      TAKE (b->atty, N * d);
      TAKE (b->mid, N * d);
      TAKE (b->ln2, N * d);
      TAKE (b->ln2_mean, N);
      TAKE (b->ln2_rstd, N);
      TAKE (b->fc1, 4 * N * d);
      TAKE (b->fc1g, 4 * N * d);
      TAKE (b->out, N * d);
    }
  TAKE (a->lnf, N * d);
  TAKE (a->lnf_mean, N);
  TAKE (a->lnf_rstd, N);
  TAKE (a->logits, N * K);
  TAKE (a->probs, N * K);
  TAKE (a->scratch, sc);
  size_t g0 = total;
  if (a)
    a->grad_begin = a->arena.base + a->arena.used;
  TAKE (a->dres, N * d);
  TAKE (a->dres2, N * d);
  TAKE (a->dln, N * d);
  TAKE (a->dqkv, 3 * N * d);
  TAKE (a->datty, N * d);
  TAKE (a->dfc1, 4 * N * d);
  TAKE (a->dfc1g, 4 * N * d);
  TAKE (a->dlogits, N * K);
  TAKE (a->dpar_e, N * d);
  TAKE (a->dtagc, (size_t) B * d);
  if (a)
    a->grad_n = total - g0;
#undef TAKE
  return total;
}

PriorActs *
_strata_prior_acts_new (const Prior *p, int B)
{
  size_t total = prior_plan (p, NULL, B);
  PriorActs *a = g_new0 (PriorActs, 1);
  if (strata_arena_init (&a->arena, total) != STRATA_NN_OK)
    {
      g_free (a);
      return NULL;
    }
  a->B = B;
  prior_plan (p, a, B);
  return a;
}

void
_strata_prior_acts_free (PriorActs *a)
{
  if (!a)
    return;
  strata_arena_clear (&a->arena);
  g_free (a);
}

int32_t *
_strata_prior_acts_tokens (PriorActs *a)
{
  return a->tokens;
}

int32_t *
_strata_prior_acts_parent (PriorActs *a)
{
  return a->parent;
}

float *
_strata_prior_acts_tags (PriorActs *a)
{
  return a->tags;
}

const float *
_strata_prior_acts_hidden (const PriorActs *a, int layer)
{
  return a->blk[layer - 1].out;
}

/* ------------------------------------------------------------ forward */

#define V(i) strata_params_value (&p->params, (i))
#define G(i) strata_params_grad (&p->params, (i))

float
_strata_prior_forward (Prior *p, PriorActs *a, int T, int stop_after_layer)
{
  const int B = a->B, d = p->d, K = p->K;
  const int N = B * T;
  g_return_val_if_fail (T >= 1 && T <= p->ctx, NAN);
  a->T = T;
  /* tokens are (B,T) packed with stride T */
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      {
        const int r = b * T + t;
        a->in_ids[r] = t == 0 ? K : a->tokens[r - 1];
        if (p->level > 0)
          {
            const int TP = (T + 3) / 4;
            a->par_ids[r] = a->parent[b * TP + t / 4];
            a->phase_ids[r] = t % 4;
          }
      }
  strata_embedding_forward (a->x0, a->in_ids, V (p->i_tok), N, K + 1, d);
  for (int b = 0; b < B; b++)
    strata_add_forward (a->x0 + (size_t) b * T * d, a->x0 + (size_t) b * T * d, V (p->i_pos),
                        (size_t) T * d);
  if (p->level > 0)
    {
      strata_embedding_forward (a->par_e, a->par_ids, V (p->i_par), N, p->K_parent, d);
      float *tmp = a->par_c;
      strata_embedding_forward (tmp, a->phase_ids, V (p->i_phase), N, 4, d);
      strata_add_forward (a->par_e, a->par_e, tmp, (size_t) N * d);
      StrataConv1d cv = { B, T, d, d, 3, 1, 1, 1 };
      strata_conv1d_forward (&cv, a->par_c, a->par_e, V (p->i_par_w), V (p->i_par_b),
                             a->scratch);
      strata_add_forward (a->x0, a->x0, a->par_c, (size_t) N * d);
    }
  if (p->n_tags > 0)
    {
      strata_linear_forward (a->tagc, a->tags, V (p->i_tag), NULL, B, p->n_tags, d);
      strata_add_broadcast_forward (a->x0, a->x0, a->tagc, B, T, d);
    }
  const float *x = a->x0;
  StrataAttention at = attn_shape (p, B, T);
  const int n_run = stop_after_layer > 0 ? MIN (stop_after_layer, p->n_layers) : p->n_layers;
  for (int i = 0; i < n_run; i++)
    {
      const PriorBlockIdx *w = &p->blk[i];
      BlockActs *b = &a->blk[i];
      strata_layernorm_forward (b->ln1, b->ln1_mean, b->ln1_rstd, x, V (w->ln1_w), V (w->ln1_b),
                                N, d, 1e-5f);
      strata_linear_forward (b->qkv, b->ln1, V (w->qkv_w), V (w->qkv_b), N, d, 3 * d);
      strata_attention_forward (&at, b->atty, b->att, b->qkv, b->qkv + d, b->qkv + 2 * d,
                                a->scratch);
      strata_linear_forward (b->mid, b->atty, V (w->proj_w), V (w->proj_b), N, d, d);
      strata_add_forward (b->mid, b->mid, x, (size_t) N * d);
      strata_layernorm_forward (b->ln2, b->ln2_mean, b->ln2_rstd, b->mid, V (w->ln2_w),
                                V (w->ln2_b), N, d, 1e-5f);
      strata_linear_forward (b->fc1, b->ln2, V (w->fc1_w), V (w->fc1_b), N, d, 4 * d);
      strata_gelu_forward (b->fc1g, b->fc1, (size_t) N * 4 * d);
      strata_linear_forward (b->out, b->fc1g, V (w->fc2_w), V (w->fc2_b), N, 4 * d, d);
      strata_add_forward (b->out, b->out, b->mid, (size_t) N * d);
      x = b->out;
    }
  if (n_run < p->n_layers)
    return NAN;
  strata_layernorm_forward (a->lnf, a->lnf_mean, a->lnf_rstd, x, V (p->i_lnf_w),
                            V (p->i_lnf_b), N, d, 1e-5f);
  strata_linear_forward (a->logits, a->lnf, V (p->i_head_w), V (p->i_head_b), N, d, K);
  return strata_cross_entropy_loss (NULL, a->probs, a->logits, a->tokens, N, K, 1.0f);
}

void
_strata_prior_backward (Prior *p, PriorActs *a, int T)
{
  const int B = a->B, d = p->d, K = p->K;
  const int N = B * T;
  g_assert (T == a->T);
  memset (a->grad_begin, 0, a->grad_n * sizeof (float));
  strata_cross_entropy_loss (a->dlogits, a->probs, a->logits, a->tokens, N, K, 1.0f);
  const float *xl = a->blk[p->n_layers - 1].out;
  strata_linear_backward (a->dln, G (p->i_head_w), G (p->i_head_b), a->dlogits, a->lnf,
                          V (p->i_head_w), N, d, K);
  /* dres: gradient of the residual stream at the current depth */
  float *dres = a->dres, *dtmp = a->dres2;
  strata_layernorm_backward (dres, G (p->i_lnf_w), G (p->i_lnf_b), a->dln, xl, V (p->i_lnf_w),
                             a->lnf_mean, a->lnf_rstd, N, d);
  StrataAttention at = attn_shape (p, B, T);
  for (int i = p->n_layers - 1; i >= 0; i--)
    {
      const PriorBlockIdx *w = &p->blk[i];
      BlockActs *b = &a->blk[i];
      const float *x = i > 0 ? a->blk[i - 1].out : a->x0;
      const size_t nd = (size_t) N * d;
      /* out = mid + fc2(gelu(fc1(ln2(mid)))): dmid = dres + ... ; reuse dres as dmid */
      memset (a->dfc1g, 0, 4 * nd * sizeof (float));
      memset (a->dfc1, 0, 4 * nd * sizeof (float));
      memset (a->dln, 0, nd * sizeof (float));
      strata_linear_backward (a->dfc1g, G (w->fc2_w), G (w->fc2_b), dres, b->fc1g, V (w->fc2_w),
                              N, 4 * d, d);
      strata_gelu_backward (a->dfc1, a->dfc1g, b->fc1, 4 * nd);
      strata_linear_backward (a->dln, G (w->fc1_w), G (w->fc1_b), a->dfc1, b->ln2, V (w->fc1_w),
                              N, d, 4 * d);
      strata_layernorm_backward (dres, G (w->ln2_w), G (w->ln2_b), a->dln, b->mid, V (w->ln2_w),
                                 b->ln2_mean, b->ln2_rstd, N, d);
      /* mid = x + proj(attn(qkv(ln1(x)))) */
      memset (a->datty, 0, nd * sizeof (float));
      memset (a->dqkv, 0, 3 * nd * sizeof (float));
      memset (a->dln, 0, nd * sizeof (float));
      strata_linear_backward (a->datty, G (w->proj_w), G (w->proj_b), dres, b->atty,
                              V (w->proj_w), N, d, d);
      strata_attention_backward (&at, a->dqkv, a->dqkv + d, a->dqkv + 2 * d, a->datty, b->att,
                                 b->qkv, b->qkv + d, b->qkv + 2 * d, a->scratch);
      strata_linear_backward (a->dln, G (w->qkv_w), G (w->qkv_b), a->dqkv, b->ln1, V (w->qkv_w),
                              N, d, 3 * d);
      memcpy (dtmp, dres, nd * sizeof (float));
      strata_layernorm_backward (dtmp, G (w->ln1_w), G (w->ln1_b), a->dln, x, V (w->ln1_w),
                                 b->ln1_mean, b->ln1_rstd, N, d);
      float *sw = dres;
      dres = dtmp;
      dtmp = sw;
    }
  /* dres = ∂L/∂x0 */
  strata_embedding_backward (G (p->i_tok), dres, a->in_ids, N, K + 1, d);
  float *dpos = G (p->i_pos);
  for (int b = 0; b < B; b++)
    for (size_t k = 0; k < (size_t) T * d; k++)
      dpos[k] += dres[(size_t) b * T * d + k];
  if (p->level > 0)
    {
      StrataConv1d cv = { B, T, d, d, 3, 1, 1, 1 };
      strata_conv1d_backward (&cv, a->dpar_e, G (p->i_par_w), G (p->i_par_b), dres, a->par_e,
                              V (p->i_par_w), a->scratch);
      strata_embedding_backward (G (p->i_par), a->dpar_e, a->par_ids, N, p->K_parent, d);
      strata_embedding_backward (G (p->i_phase), a->dpar_e, a->phase_ids, N, 4, d);
    }
  if (p->n_tags > 0)
    {
      strata_add_broadcast_backward (NULL, a->dtagc, dres, B, T, d);
      strata_linear_backward (NULL, G (p->i_tag), NULL, a->dtagc, a->tags, V (p->i_tag), B,
                              p->n_tags, d);
    }
}
