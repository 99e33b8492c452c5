/* bench-nn.c: throughput of the nn ops, as GFLOP/s and as a percentage of
 * cblas_sgemm on a 2048³ product with the same OpenBLAS thread count,
 * measured just before and just after each row (the machine is shared; its
 * load drifts). Runs with 1 thread, then with OpenBLAS's default;
 * `bench-nn N` runs with N threads only.
 *
 * Two groups of rows, each row labelled with its group:
 *   [generic]     larger shapes (C = 256/512, D = 64, T = 512, batch 8),
 *                 NOT the foundation model's: what the kernels reach when
 *                 the products are big enough;
 *   [foundation]  the shapes strata-foundation trains at
 *                 (resources/models/strata-foundation.md, defaults in
 *                 core/model/strata-model-config.c): stage 1 over 16 crops
 *                 × 256 fine frames, widths 96 (fine, 256 frames) / 128
 *                 (medium, 64) / 128 (coarse, 16), residual convs k 3
 *                 dilation 3, stride-4 k 8 down convs (padding 2) and their
 *                 transposed up convs; priors with 4 heads at width 128
 *                 (coarse: D 32, context 128, window 64, batch 16) and 96
 *                 (medium/fine: D 24, context 256, window 128, batch 12),
 *                 qkv and MLP (4×) linears over batch × context rows.
 *
 * FLOPs counted are the useful ones: 2·M·N·K per product; attention counts
 * only (query, key) pairs inside the causal window; forward+backward counts
 * forward + all gradient products (3× forward for linear/conv).
 * Targets (issue 4): linear and conv1d >= 50 %, attention >= 30 %.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nn/strata-nn-ops.h"
#include "nn/strata-nn-private.h"

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

typedef void (*BenchFunc) (void *ctx);

/* Mean seconds per call over >= 0.3 s after one warm-up call. */
static double
time_it (BenchFunc f, void *ctx)
{
  f (ctx);
  int reps = 0;
  double t0 = now (), t;
  do
    {
      f (ctx);
      reps++;
      t = now () - t0;
    }
  while (t < 0.3 || reps < 2);
  return t / reps;
}

static float *
buf (size_t n, StrataRng *rng)
{
  float *p = strata_nn_alloc (n);
  if (p == NULL)
    {
      fprintf (stderr, "bench-nn: out of memory\n");
      exit (1);
    }
  strata_rng_fill_uniform (rng, p, n, -0.5f, 0.5f);
  return p;
}

/* ---------------------------------------------------------------- sgemm */

typedef struct { int n; float *a, *b, *c; } Gemm;

static void
run_gemm (void *p)
{
  Gemm *g = p;
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, g->n, g->n, g->n,
               1.0f, g->a, g->n, g->b, g->n, 0.0f, g->c, g->n);
}

/* The machine is shared and its load drifts, so every op is measured
 * between two sgemm measurements and compared with their mean. */
static Gemm ref_gemm;
static int n_below;

static double
sgemm_rate (void)
{
  const double n = ref_gemm.n;
  return 2.0 * n * n * n / time_it (run_gemm, &ref_gemm) * 1e-9;
}

static void
measure (const char *name, const char *dir, double flops, BenchFunc f, void *ctx,
         double target)
{
  const double s1 = sgemm_rate ();
  const double g = flops / time_it (f, ctx) * 1e-9;
  const double s2 = sgemm_rate ();
  const double sgemm = 0.5 * (s1 + s2);
  const double pct = 100.0 * g / sgemm;
  const int ok = pct >= target;
  n_below += !ok;
  printf ("%-82s %-8s %7.1f GFLOP/s  sgemm %6.1f  %5.1f %%  (target %2.0f %%%s)\n",
          name, dir, g, sgemm, pct, target, ok ? "" : ", BELOW");
  fflush (stdout);
}

/* --------------------------------------------------------------- linear */

typedef struct { int N, I, O; float *x, *w, *b, *y, *dx, *dw, *db, *dy; } Lin;

static void
run_lin_f (void *p)
{
  Lin *l = p;
  strata_linear_forward (l->y, l->x, l->w, l->b, l->N, l->I, l->O);
}

static void
run_lin_fb (void *p)
{
  Lin *l = p;
  run_lin_f (p);
  strata_linear_backward (l->dx, l->dw, l->db, l->dy, l->x, l->w, l->N, l->I, l->O);
}

static void
bench_linear (const char *label, int N, int I, int O, StrataRng *rng)
{
  Lin l = { N, I, O, buf ((size_t) N * I, rng), buf ((size_t) O * I, rng), buf (O, rng),
            buf ((size_t) N * O, rng), buf ((size_t) N * I, rng), buf ((size_t) O * I, rng),
            buf (O, rng), buf ((size_t) N * O, rng) };
  char name[128];
  snprintf (name, sizeof name, "%s linear N=%d I=%d O=%d", label, N, I, O);
  double f = 2.0 * N * I * O;
  measure (name, "fwd", f, run_lin_f, &l, 50);
  measure (name, "fwd+bwd", 3 * f, run_lin_fb, &l, 50);
  float *all[] = { l.x, l.w, l.b, l.y, l.dx, l.dw, l.db, l.dy };
  for (unsigned i = 0; i < 8; i++)
    strata_nn_free (all[i]);
}

/* --------------------------------------------------------------- conv1d */

typedef struct { StrataConv1d c; float *x, *w, *b, *y, *dx, *dw, *db, *dy, *s; } Conv;

static void
run_conv_f (void *p)
{
  Conv *c = p;
  strata_conv1d_forward (&c->c, c->y, c->x, c->w, c->b, c->s);
}

static void
run_conv_fb (void *p)
{
  Conv *c = p;
  run_conv_f (p);
  strata_conv1d_backward (&c->c, c->dx, c->dw, c->db, c->dy, c->x, c->w, c->s);
}

/* C_in -> C_out over T frames, torch.nn.Conv1d's stride/dilation/padding */
static void
bench_conv (const char *label, int B, int T, int Ci, int Co, int K, int stride, int dil,
            int pad, StrataRng *rng)
{
  Conv c = { .c = { .B = B, .T_in = T, .C_in = Ci, .C_out = Co, .K = K, .stride = stride,
                    .dilation = dil, .padding = pad } };
  int To = strata_conv1d_out_len (&c.c);
  size_t nx = (size_t) B * T * Ci, ny = (size_t) B * To * Co, nw = (size_t) Co * Ci * K;
  c.x = buf (nx, rng); c.w = buf (nw, rng); c.b = buf (Co, rng); c.y = buf (ny, rng);
  c.dx = buf (nx, rng); c.dw = buf (nw, rng); c.db = buf (Co, rng); c.dy = buf (ny, rng);
  c.s = buf (strata_conv1d_scratch_size (&c.c), rng);
  char name[128];
  if (Ci == Co && stride == 1)
    snprintf (name, sizeof name, "%s conv1d B=%d T=%d C=%d K=%d dil=%d", label, B, T, Ci, K,
              dil);  /* a "same" conv */
  else
    snprintf (name, sizeof name, "%s conv1d B=%d T=%d->%d C=%d->%d K=%d s=%d dil=%d", label,
              B, T, To, Ci, Co, K, stride, dil);
  double f = 2.0 * B * To * Co * Ci * K;
  measure (name, "fwd", f, run_conv_f, &c, 50);
  measure (name, "fwd+bwd", 3 * f, run_conv_fb, &c, 50);
  float *all[] = { c.x, c.w, c.b, c.y, c.dx, c.dw, c.db, c.dy, c.s };
  for (unsigned i = 0; i < 9; i++)
    strata_nn_free (all[i]);
}

/* ----------------------------------------------- conv-transpose1d (up ×4) */

typedef struct { StrataConvT1d c; float *x, *w, *b, *y, *dx, *dw, *db, *dy, *s; } ConvT;

static void
run_convt_f (void *p)
{
  ConvT *c = p;
  strata_conv_transpose1d_forward (&c->c, c->y, c->x, c->w, c->b, c->s);
}

static void
run_convt_fb (void *p)
{
  ConvT *c = p;
  run_convt_f (p);
  strata_conv_transpose1d_backward (&c->c, c->dx, c->dw, c->db, c->dy, c->x, c->w, c->s);
}

static void
bench_convt (const char *label, int B, int T, int Ci, int Co, int K, int stride,
             StrataRng *rng)
{
  ConvT c = { .c = { .B = B, .T_in = T, .C_in = Ci, .C_out = Co, .K = K, .stride = stride,
                     .dilation = 1, .padding = (K - stride) / 2 } };
  int To = strata_conv_transpose1d_out_len (&c.c);
  size_t nx = (size_t) B * T * Ci, ny = (size_t) B * To * Co, nw = (size_t) Ci * Co * K;
  c.x = buf (nx, rng); c.w = buf (nw, rng); c.b = buf (Co, rng); c.y = buf (ny, rng);
  c.dx = buf (nx, rng); c.dw = buf (nw, rng); c.db = buf (Co, rng); c.dy = buf (ny, rng);
  c.s = buf (strata_conv_transpose1d_scratch_size (&c.c), rng);
  char name[128];
  if (Ci == Co)
    snprintf (name, sizeof name, "%s conv_transpose1d B=%d T=%d->%d C=%d K=%d", label, B, T,
              To, Ci, K);
  else
    snprintf (name, sizeof name, "%s conv_transpose1d B=%d T=%d->%d C=%d->%d K=%d", label, B,
              T, To, Ci, Co, K);
  double f = 2.0 * B * T * Ci * Co * K;
  measure (name, "fwd", f, run_convt_f, &c, 50);
  measure (name, "fwd+bwd", 3 * f, run_convt_fb, &c, 50);
  float *all[] = { c.x, c.w, c.b, c.y, c.dx, c.dw, c.db, c.dy, c.s };
  for (unsigned i = 0; i < 9; i++)
    strata_nn_free (all[i]);
}

/* ------------------------------------------------------------ attention */

typedef struct {
  StrataAttention a;
  int N, C;
  float *x, *wqkv, *qkv, *att, *o, *wo, *y, *s;
  float *dy, *do_, *dqkv, *dwqkv, *dwo, *dx;
  int block;  /* include the projections */
} Attn;

static void
run_attn_f (void *p)
{
  Attn *t = p;
  const int C = t->C;
  if (t->block)
    strata_linear_forward (t->qkv, t->x, t->wqkv, NULL, t->N, C, 3 * C);
  strata_attention_forward (&t->a, t->o, t->att, t->qkv, t->qkv + C, t->qkv + 2 * C, t->s);
  if (t->block)
    strata_linear_forward (t->y, t->o, t->wo, NULL, t->N, C, C);
}

static void
run_attn_fb (void *p)
{
  Attn *t = p;
  const int C = t->C;
  run_attn_f (p);
  if (t->block)
    strata_linear_backward (t->do_, t->dwo, NULL, t->dy, t->o, t->wo, t->N, C, C);
  strata_attention_backward (&t->a, t->dqkv, t->dqkv + C, t->dqkv + 2 * C, t->do_, t->att,
                             t->qkv, t->qkv + C, t->qkv + 2 * C, t->s);
  if (t->block)
    strata_linear_backward (t->dx, t->dwqkv, NULL, t->dqkv, t->x, t->wqkv, t->N, C, 3 * C);
}

static void
bench_attention (const char *label, int B, int T, int H, int D, int W, StrataRng *rng)
{
  const int C = H * D, N = B * T;
  Attn t = { .a = { .B = B, .Tq = T, .Tk = T, .H = H, .D = D, .ldq = 3 * C, .ldk = 3 * C,
                    .ldv = 3 * C, .ldo = C, .causal = true, .window = W }, .N = N, .C = C };
  size_t natt = (size_t) B * H * T * strata_attention_att_width (&t.a);
  t.x = buf ((size_t) N * C, rng); t.wqkv = buf ((size_t) 3 * C * C, rng);
  t.qkv = buf ((size_t) N * 3 * C, rng); t.att = buf (natt, rng);
  t.o = buf ((size_t) N * C, rng); t.wo = buf ((size_t) C * C, rng);
  t.y = buf ((size_t) N * C, rng); t.s = buf (strata_attention_scratch_size (&t.a), rng);
  t.dy = buf ((size_t) N * C, rng); t.do_ = buf ((size_t) N * C, rng);
  t.dqkv = buf ((size_t) N * 3 * C, rng); t.dwqkv = buf ((size_t) 3 * C * C, rng);
  t.dwo = buf ((size_t) C * C, rng); t.dx = buf ((size_t) N * C, rng);

  double pairs = 0.0;
  for (int q = 0; q < T; q++)
    pairs += (W > 0 && W < q + 1) ? W : q + 1;
  double core = 4.0 * D * pairs * B * H;             /* QKᵀ and PV */
  double proj = 2.0 * N * C * 3 * C + 2.0 * N * C * C;
  char name[128];
  snprintf (name, sizeof name, "%s attention core B=%d T=%d H=%d D=%d W=%d", label, B, T, H,
            D, W);
  t.block = 0;
  measure (name, "fwd", core, run_attn_f, &t, 30);
  measure (name, "fwd+bwd", 3 * core, run_attn_fb, &t, 30);
  snprintf (name, sizeof name, "%s attention block (+qkv,out proj) B=%d T=%d C=%d W=%d",
            label, B, T, C, W);
  t.block = 1;
  measure (name, "fwd", core + proj, run_attn_f, &t, 30);
  measure (name, "fwd+bwd", 3 * (core + proj), run_attn_fb, &t, 30);
  float *all[] = { t.x, t.wqkv, t.qkv, t.att, t.o, t.wo, t.y, t.s, t.dy, t.do_, t.dqkv,
                   t.dwqkv, t.dwo, t.dx };
  for (unsigned i = 0; i < 14; i++)
    strata_nn_free (all[i]);
}

static void
run_all (StrataRng *rng)
{
  printf ("\n%d OpenBLAS thread(s); sgemm = cblas_sgemm %d^3 measured around each row\n",
          openblas_get_num_threads (), ref_gemm.n);

  /* larger than the model (see the header) */
  const char *gen = "[generic]";
  bench_linear (gen, 4096, 512, 512, rng);
  bench_linear (gen, 8192, 256, 256, rng);
  bench_linear (gen, 2048, 256, 1024, rng);
  bench_conv (gen, 8, 1024, 256, 256, 3, 1, 1, 1, rng);
  bench_conv (gen, 8, 1024, 256, 256, 5, 1, 3, 6, rng);
  bench_convt (gen, 8, 256, 192, 192, 8, 4, rng);
  bench_attention (gen, 8, 512, 4, 64, 128, rng);
  bench_attention (gen, 8, 512, 4, 64, 64, rng);

  /* strata-foundation, stage 1: 16 crops × 256 fine frames; levels fine
   * (96 wide, 256 frames), medium (128, 64), coarse (128, 16) */
  bench_conv ("[foundation s1 fine res]", 16, 256, 96, 96, 3, 1, 3, 3, rng);
  bench_conv ("[foundation s1 medium res]", 16, 64, 128, 128, 3, 1, 3, 3, rng);
  bench_conv ("[foundation s1 coarse res]", 16, 16, 128, 128, 3, 1, 3, 3, rng);
  bench_conv ("[foundation s1 down fine->medium]", 16, 256, 96, 128, 8, 4, 1, 2, rng);
  bench_conv ("[foundation s1 down medium->coarse]", 16, 64, 128, 128, 8, 4, 1, 2, rng);
  bench_convt ("[foundation s1 up coarse->medium]", 16, 16, 128, 128, 8, 4, rng);
  bench_convt ("[foundation s1 up medium->fine]", 16, 64, 128, 96, 8, 4, rng);

  /* strata-foundation, priors: coarse width 128, batch 16 × context 128,
   * window 64; medium/fine width 96, batch 12 × context 256, window 128;
   * 4 heads; qkv (C -> 3C) and MLP (C -> 4C -> C) linears */
  bench_linear ("[foundation prior coarse qkv]", 16 * 128, 128, 3 * 128, rng);
  bench_linear ("[foundation prior coarse mlp.fc1]", 16 * 128, 128, 4 * 128, rng);
  bench_linear ("[foundation prior coarse mlp.fc2]", 16 * 128, 4 * 128, 128, rng);
  bench_linear ("[foundation prior med/fine qkv]", 12 * 256, 96, 3 * 96, rng);
  bench_linear ("[foundation prior med/fine mlp.fc1]", 12 * 256, 96, 4 * 96, rng);
  bench_linear ("[foundation prior med/fine mlp.fc2]", 12 * 256, 4 * 96, 96, rng);
  bench_attention ("[foundation prior coarse]", 16, 128, 4, 32, 64, rng);
  bench_attention ("[foundation prior med/fine]", 12, 256, 4, 24, 128, rng);
}

/* bench-nn [THREADS]: one run with THREADS OpenBLAS threads; without an
 * argument, a run with 1 thread (the bit-reproducible setting) and one with
 * OpenBLAS's default. */
int
main (int argc, char **argv)
{
  StrataRng rng;
  strata_rng_seed (&rng, 1);
  ref_gemm = (Gemm) { 2048, buf (2048 * 2048, &rng), buf (2048 * 2048, &rng),
                      buf (2048 * 2048, &rng) };
  if (argc > 1)
    {
      strata_nn_set_num_threads (atoi (argv[1]));
      run_all (&rng);
    }
  else
    {
      int deflt = openblas_get_num_threads ();
      strata_nn_set_num_threads (1);
      run_all (&rng);
      if (deflt > 1)
        {
          strata_nn_set_num_threads (deflt);
          run_all (&rng);
        }
    }
  printf ("%d figure(s) below target\n", n_below);
  strata_nn_free (ref_gemm.a);
  strata_nn_free (ref_gemm.b);
  strata_nn_free (ref_gemm.c);
  return 0;
}
