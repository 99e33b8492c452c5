/* test-nn-reference.c: forward passes against numpy references written
 * from the PyTorch definitions (tests/nn/reference-ops.py), so that weight
 * layouts, padding/stride/dilation index maps, masks and gate orders match
 * torch.nn and weights trained elsewhere load unchanged.
 *
 * Bound: max |C − numpy| / max |numpy| < 1e-5 per op (float32 vs float64).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "test-nn.h"
#include "nn/strata-nn-ops.h"
#include "nn/strata-safetensors.h"

#define REF_TOL 1e-5

typedef struct {
  const char *name;
  int ndim;
  int64_t shape[4];
  float *data;
} In;

static void
compare (const StrataSafetensors *ref, const char *name, const float *got, size_t n)
{
  const StrataTensorEntry *e = strata_safetensors_lookup (ref, name);
  g_assert_nonnull (e);
  g_assert_cmpuint (e->numel, ==, n);
  double diff = 0.0, mag = 1e-12;
  for (size_t i = 0; i < n; i++)
    {
      diff = fmax (diff, fabs ((double) got[i] - e->data[i]));
      mag = fmax (mag, fabs ((double) e->data[i]));
    }
  g_test_message ("%s: max |C - numpy| / max |numpy| = %.2e", name, diff / mag);
  if (diff / mag >= REF_TOL)
    g_test_fail_printf ("%s differs from numpy: %.3e", name, diff / mag);
}

static void
test_reference_forward (void)
{
  StrataRng rng;
  strata_rng_seed (&rng, 2024);
  In in[] = {
    { "lin.x", 2, { 6, 5 } }, { "lin.w", 2, { 4, 5 } }, { "lin.b", 1, { 4 } },
    { "conv.x", 3, { 2, 13, 3 } }, { "conv.w", 3, { 4, 3, 3 } }, { "conv.b", 1, { 4 } },
    { "convt.x", 3, { 2, 6, 3 } }, { "convt.w", 3, { 3, 2, 4 } }, { "convt.b", 1, { 2 } },
    { "ln.x", 2, { 5, 8 } }, { "ln.w", 1, { 8 } }, { "ln.b", 1, { 8 } },
    { "attn.qkv", 3, { 2, 70, 24 } },
    { "gru.x", 3, { 2, 7, 3 } }, { "gru.h0", 2, { 2, 4 } }, { "gru.w_ih", 2, { 12, 3 } },
    { "gru.w_hh", 2, { 12, 4 } }, { "gru.b_ih", 1, { 12 } }, { "gru.b_hh", 1, { 12 } },
    { "conv2d.x", 4, { 2, 7, 6, 2 } }, { "conv2d.w", 4, { 3, 2, 3, 2 } }, { "conv2d.b", 1, { 3 } },
  };
  enum { N_IN = G_N_ELEMENTS (in) };
  StrataTensorRef refs[N_IN];
  for (int i = 0; i < N_IN; i++)
    {
      size_t n = 1;
      for (int d = 0; d < in[i].ndim; d++)
        n *= (size_t) in[i].shape[d];
      in[i].data = g_new (float, n);
      strata_rng_fill_uniform (&rng, in[i].data, n, -1.0f, 1.0f);
      refs[i] = (StrataTensorRef) { in[i].name, in[i].ndim, in[i].shape, in[i].data };
    }
  /* conv: stride, dilation, padding; convt: + output_padding */
  const char *md[] = { "config", "{\"conv\": [2, 2, 3], \"convt\": [2, 2, 1, 1], "
                       "\"heads\": 2, \"window\": 5, "
                       "\"conv2d\": [2, 1, 1, 2, 1, 1]}", NULL };
  g_autofree char *ipath = g_build_filename (test_nn_tmpdir (), "ref-in.safetensors", NULL);
  g_autofree char *opath = g_build_filename (test_nn_tmpdir (), "ref-out.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_assert_true (strata_safetensors_write_file (ipath, refs, N_IN, md, &error));
  g_assert_no_error (error);
  g_autofree char *out = test_nn_run_python ("reference-ops.py", ipath, opath);
  if (out == NULL)
    {
      for (int i = 0; i < N_IN; i++)
        g_free (in[i].data);
      return;
    }
  g_autoptr(StrataSafetensors) ref = strata_safetensors_read_file (opath, &error);
  g_assert_no_error (error);

  float y[2 * 70 * 8], cache[2 * 7 * 6 * 4], scratch[4096], att[2 * 2 * 70 * 5];
  float mean[5], rstd[5];

  strata_linear_forward (y, in[0].data, in[1].data, in[2].data, 6, 5, 4);
  compare (ref, "linear", y, 24);

  StrataConv1d cv = { .B = 2, .T_in = 13, .C_in = 3, .C_out = 4, .K = 3,
                      .stride = 2, .dilation = 2, .padding = 3 };
  g_assert_cmpuint (strata_conv1d_scratch_size (&cv), <=, G_N_ELEMENTS (scratch));
  strata_conv1d_forward (&cv, y, in[3].data, in[4].data, in[5].data, scratch);
  compare (ref, "conv1d", y, 2 * (size_t) strata_conv1d_out_len (&cv) * 4);

  StrataConvT1d ct = { .B = 2, .T_in = 6, .C_in = 3, .C_out = 2, .K = 4,
                       .stride = 2, .dilation = 2, .padding = 1, .output_padding = 1 };
  strata_conv_transpose1d_forward (&ct, y, in[6].data, in[7].data, in[8].data, scratch);
  compare (ref, "conv_transpose1d", y, 2 * (size_t) strata_conv_transpose1d_out_len (&ct) * 2);

  StrataConv2d c2 = { .B = 2, .T = 7, .F = 6, .C_in = 2, .C_out = 3, .KT = 3, .KF = 2,
                      .stride_t = 2, .stride_f = 1, .dilation_t = 1, .dilation_f = 2,
                      .padding_t = 1, .padding_f = 1 };
  int To2, Fo2;
  strata_conv2d_out_size (&c2, &To2, &Fo2);
  g_assert_cmpuint (strata_conv2d_scratch_size (&c2), <=, G_N_ELEMENTS (scratch));
  strata_conv2d_forward (&c2, y, in[19].data, in[20].data, in[21].data, scratch);
  compare (ref, "conv2d", y, 2 * (size_t) To2 * Fo2 * 3);

  strata_layernorm_forward (y, mean, rstd, in[9].data, in[10].data, in[11].data, 5, 8, 1e-5f);
  compare (ref, "layernorm", y, 40);
  strata_gelu_forward (y, in[9].data, 40);
  compare (ref, "gelu", y, 40);
  strata_gelu_erf_forward (y, in[9].data, 40);
  compare (ref, "gelu_erf", y, 40);

  StrataAttention at = { .B = 2, .Tq = 70, .Tk = 70, .H = 2, .D = 4, .ldq = 24, .ldk = 24,
                         .ldv = 24, .ldo = 8, .causal = true, .window = 5 };
  g_assert_cmpuint (strata_attention_scratch_size (&at), <=, G_N_ELEMENTS (scratch));
  const float *qkv = in[12].data;
  strata_attention_forward (&at, y, att, qkv, qkv + 8, qkv + 16, scratch);
  compare (ref, "attention", y, 2 * 70 * 8);

  for (int rev = 0; rev < 2; rev++)
    {
      StrataGru g = { .B = 2, .T = 7, .I = 3, .Hd = 4, .reverse = rev };
      strata_gru_forward (&g, y, cache, in[13].data, in[14].data, in[15].data, in[16].data,
                          in[17].data, in[18].data);
      compare (ref, rev ? "gru_reverse" : "gru", y, 2 * 7 * 4);
    }

  for (int i = 0; i < N_IN; i++)
    g_free (in[i].data);
}

void
test_nn_add_reference_tests (void)
{
  g_test_add_func ("/strata/nn/reference/forward-numpy", test_reference_forward);
}
