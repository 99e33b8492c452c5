/* bench-nn.c: throughput of the nn ops at the foundation model's shapes,
 * as GFLOP/s and as a percentage of cblas_sgemm on a 2048³ product with
 * the same OpenBLAS thread count, measured just before and just after each
 * row (the machine is shared; its load drifts). Runs with 1 thread, then
 * with OpenBLAS's default; `bench-nn N` runs with N threads only.
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
  printf ("%-44s %-8s %7.1f GFLOP/s  sgemm %6.1f  %5.1f %%  (target %2.0f %%%s)\n",
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
bench_linear (int N, int I, int O, StrataRng *rng)
{
  Lin l = { N, I, O, buf ((size_t) N * I, rng), buf ((size_t) O * I, rng), buf (O, rng),
            buf ((size_t) N * O, rng), buf ((size_t) N * I, rng), buf ((size_t) O * I, rng),
            buf (O, rng), buf ((size_t) N * O, rng) };
  char name[96];
  snprintf (name, sizeof name, "linear N=%d I=%d O=%d", N, I, O);
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

static void
bench_conv (int B, int T, int C, int K, int dil, StrataRng *rng)
{
  Conv c = { .c = { .B = B, .T_in = T, .C_in = C, .C_out = C, .K = K, .stride = 1,
                    .dilation = dil, .padding = dil * (K - 1) / 2 } };
  int To = strata_conv1d_out_len (&c.c);
  size_t nx = (size_t) B * T * C, ny = (size_t) B * To * C, nw = (size_t) C * C * K;
  c.x = buf (nx, rng); c.w = buf (nw, rng); c.b = buf (C, rng); c.y = buf (ny, rng);
  c.dx = buf (nx, rng); c.dw = buf (nw, rng); c.db = buf (C, rng); c.dy = buf (ny, rng);
  c.s = buf (strata_conv1d_scratch_size (&c.c), rng);
  char name[96];
  snprintf (name, sizeof name, "conv1d B=%d T=%d C=%d K=%d dil=%d", B, T, C, K, dil);
  double f = 2.0 * B * To * C * C * K;
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
bench_convt (int B, int T, int C, int K, int stride, StrataRng *rng)
{
  ConvT c = { .c = { .B = B, .T_in = T, .C_in = C, .C_out = C, .K = K, .stride = stride,
                     .dilation = 1, .padding = (K - stride) / 2 } };
  int To = strata_conv_transpose1d_out_len (&c.c);
  size_t nx = (size_t) B * T * C, ny = (size_t) B * To * C, nw = (size_t) C * C * K;
  c.x = buf (nx, rng); c.w = buf (nw, rng); c.b = buf (C, rng); c.y = buf (ny, rng);
  c.dx = buf (nx, rng); c.dw = buf (nw, rng); c.db = buf (C, rng); c.dy = buf (ny, rng);
  c.s = buf (strata_conv_transpose1d_scratch_size (&c.c), rng);
  char name[96];
  snprintf (name, sizeof name, "conv_transpose1d B=%d T=%d->%d C=%d K=%d", B, T, To, C, K);
  double f = 2.0 * B * T * C * C * K;
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
bench_attention (int B, int T, int H, int D, int W, StrataRng *rng)
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
  char name[96];
  snprintf (name, sizeof name, "attention core B=%d T=%d H=%d D=%d W=%d", B, T, H, D, W);
  t.block = 0;
  measure (name, "fwd", core, run_attn_f, &t, 30);
  measure (name, "fwd+bwd", 3 * core, run_attn_fb, &t, 30);
  snprintf (name, sizeof name, "attention block (+qkv,out proj) W=%d", W);
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
  bench_linear (4096, 512, 512, rng);
  bench_linear (8192, 256, 256, rng);
  bench_linear (2048, 256, 1024, rng);
  bench_conv (8, 1024, 256, 3, 1, rng);
  bench_conv (8, 1024, 256, 5, 3, rng);
  bench_convt (8, 256, 192, 8, 4, rng);
  bench_attention (8, 512, 4, 64, 128, rng);
  bench_attention (8, 512, 4, 64, 64, rng);
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
