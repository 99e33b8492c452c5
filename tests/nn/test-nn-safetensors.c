/* test-nn-safetensors.c: the strict reader, the writer, params I/O and
 * numpy interoperability.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "test-nn.h"
#include "nn/strata-safetensors.h"

/* u64 LE length + @json + @dlen bytes of @data */
static GBytes *
make_file (const char *json, const void *data, gsize dlen)
{
  gsize jl = strlen (json);
  GByteArray *a = g_byte_array_new ();
  guint8 len[8];
  for (int i = 0; i < 8; i++)
    len[i] = (guint8) ((guint64) jl >> (8 * i));
  g_byte_array_append (a, len, 8);
  g_byte_array_append (a, (const guint8 *) json, (guint) jl);
  if (dlen)
    g_byte_array_append (a, data, (guint) dlen);
  return g_byte_array_free_to_bytes (a);
}

static StrataSafetensors *
read_gbytes (GBytes *b, GError **error)
{
  gsize n;
  const guint8 *d = g_bytes_get_data (b, &n);
  static const guint8 empty[1];
  return strata_safetensors_read_bytes (n ? d : empty, n, "test.safetensors", error);
}

static void
expect_reject (const char *json, gsize dlen, int code, const char *needle)
{
  g_autofree guint8 *zeros = g_malloc0 (dlen + 1);
  g_autoptr(GBytes) b = make_file (json, zeros, dlen);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataSafetensors) st = read_gbytes (b, &error);
  g_assert_null (st);
  g_assert_error (error, STRATA_SAFETENSORS_ERROR, code);
  g_test_message ("rejected: %s", error->message);
  g_assert_nonnull (strstr (error->message, "test.safetensors"));
  if (strstr (error->message, needle) == NULL)
    g_test_fail_printf ("message “%s” does not mention “%s”", error->message, needle);
}

static void
test_roundtrip (void)
{
  g_autofree char *path = g_build_filename (test_nn_tmpdir (), "rt.safetensors", NULL);
  const float a[6] = { 0, 0.5f, 1, 1.5f, 2, 2.5f };
  const float b[4] = { -1, 2, 3.25f, 0 };
  const float s[1] = { 42 };
  const int64_t sa[] = { 2, 3 }, sb[] = { 4 }, sz[] = { 0, 5 };
  StrataTensorRef refs[] = {
    { "enc.conv.weight", 2, sa, a }, { "enc.conv.bias", 1, sb, b },
    { "scale", 0, NULL, s }, { "empty", 2, sz, NULL },
  };
  const char *md[] = { "strata.architecture", "test", "strata.config", "{\"d\": 3}", NULL };
  g_autoptr(GError) error = NULL;
  g_assert_true (strata_safetensors_write_file (path, refs, 4, md, &error));
  g_assert_no_error (error);

  g_autoptr(StrataSafetensors) st = strata_safetensors_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strata_safetensors_get_n_tensors (st), ==, 4);
  const StrataTensorEntry *e = strata_safetensors_lookup (st, "enc.conv.weight");
  g_assert_nonnull (e);
  g_assert_cmpint (e->ndim, ==, 2);
  g_assert_cmpint (e->shape[1], ==, 3);
  g_assert_cmpmem (e->data, sizeof a, a, sizeof a);
  g_assert_cmpuint ((guintptr) e->data % 64, ==, 0);
  e = strata_safetensors_lookup (st, "enc.conv.bias");
  g_assert_cmpmem (e->data, sizeof b, b, sizeof b);
  e = strata_safetensors_lookup (st, "scale");
  g_assert_cmpint (e->ndim, ==, 0);
  g_assert_cmpfloat (e->data[0], ==, 42.0f);
  e = strata_safetensors_lookup (st, "empty");
  g_assert_cmpuint (e->numel, ==, 0);
  g_assert_cmpstr (strata_safetensors_get_metadata (st, "strata.format_version"), ==, "1");
  g_assert_cmpstr (strata_safetensors_get_metadata (st, "strata.config"), ==, "{\"d\": 3}");
  g_assert_null (strata_safetensors_lookup (st, "nope"));

  /* numpy reads what we wrote */
  g_autofree char *out = test_nn_run_python ("read-safetensors.py", path, NULL);
  if (out == NULL)
    return;
  g_assert_cmpstr (out, ==,
                   "enc.conv.weight F32 (2, 3) sum=7.5 first=0.0\n"
                   "enc.conv.bias F32 (4,) sum=4.25 first=-1.0\n"
                   "scale F32 () sum=42.0 first=42.0\n"
                   "empty F32 (0, 5) sum=0.0 first=0.0\n"
                   "metadata strata.architecture=test strata.config={\"d\": 3} strata.format_version=1\n");
}

static void
test_half_types (void)
{
  const guint16 f16[4] = { GUINT16_TO_LE (0x3c00), GUINT16_TO_LE (0xc000),
                           GUINT16_TO_LE (0x0001), GUINT16_TO_LE (0x7c00) };
  const guint16 bf16[2] = { GUINT16_TO_LE (0x3f80), GUINT16_TO_LE (0x4049) };
  guint8 data[12];
  memcpy (data, f16, 8);
  memcpy (data + 8, bf16, 4);
  g_autoptr(GBytes) b = make_file ("{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                                   "\"bf\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[8,12]}}",
                                   data, 12);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataSafetensors) st = read_gbytes (b, &error);
  g_assert_no_error (error);
  const StrataTensorEntry *h = strata_safetensors_lookup (st, "h");
  g_assert_cmpint (h->dtype, ==, STRATA_DTYPE_F16);
  g_assert_cmpfloat (h->data[0], ==, 1.0f);
  g_assert_cmpfloat (h->data[1], ==, -2.0f);
  g_assert_cmpfloat (h->data[2], ==, ldexpf (1.0f, -24));
  g_assert_true (isinf (h->data[3]));
  const StrataTensorEntry *bf = strata_safetensors_lookup (st, "bf");
  g_assert_cmpfloat (bf->data[0], ==, 1.0f);
  g_assert_cmpfloat (bf->data[1], ==, 3.140625f);
}

#define T1(off0, off1) "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" #off0 "," #off1 "]}"
#define T2(off0, off1) "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" #off0 "," #off1 "]}"

static void
test_reject (void)
{
  /* truncated: shorter than the length field, and a cut data section */
  {
    g_autoptr(GError) error = NULL;
    const guint8 five[5] = { 1, 2, 3, 4, 5 };
    g_assert_null (strata_safetensors_read_bytes (five, 5, "test.safetensors", &error));
    g_assert_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "truncated"));
  }
  expect_reject ("{" T1 (0, 8) "}", 5, STRATA_SAFETENSORS_ERROR_FORMAT, "truncated");
  /* oversized header: length field says 17 MiB */
  {
    guint8 hdr[16] = { 0 };
    guint64 big = 17u << 20;
    for (int i = 0; i < 8; i++)
      hdr[i] = (guint8) (big >> (8 * i));
    g_autoptr(GError) error = NULL;
    g_assert_null (strata_safetensors_read_bytes (hdr, 16, "test.safetensors", &error));
    g_assert_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "exceeds"));
    /* header length past the end of the file */
    hdr[0] = 100;
    hdr[1] = hdr[2] = hdr[3] = 0;
    g_clear_error (&error);
    g_assert_null (strata_safetensors_read_bytes (hdr, 16, "test.safetensors", &error));
    g_assert_nonnull (strstr (error->message, "truncated"));
  }
  expect_reject ("{" T1 (0, 8) "," T2 (4, 12) "}", 12, STRATA_SAFETENSORS_ERROR_FORMAT, "overlaps");
  expect_reject ("{" T1 (0, 8) "," T2 (12, 20) "}", 20, STRATA_SAFETENSORS_ERROR_FORMAT, "gap before tensor “b”");
  expect_reject ("{" T1 (0, 8) "," T2 (8, 16) "}", 12, STRATA_SAFETENSORS_ERROR_FORMAT, "out of range");
  expect_reject ("{" T1 (0, 8) "}", 12, STRATA_SAFETENSORS_ERROR_FORMAT, "trailing data");
  expect_reject ("{" T1 (4, 12) "}", 12, STRATA_SAFETENSORS_ERROR_FORMAT, "gap before tensor “a”");
  expect_reject ("{\"a\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
                 STRATA_SAFETENSORS_ERROR_DTYPE, "unsupported dtype “I32”");
  expect_reject ("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8,
                 STRATA_SAFETENSORS_ERROR_FORMAT, "tensor “a” spans 8 bytes");
  expect_reject ("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4],\"data_offsets\":[0,8]}}", 8,
                 STRATA_SAFETENSORS_ERROR_FORMAT, "overflows");
  expect_reject ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8,
                 STRATA_SAFETENSORS_ERROR_FORMAT, "invalid data_offsets");
  expect_reject ("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8,
                 STRATA_SAFETENSORS_ERROR_FORMAT, "shape entry");
  expect_reject ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8,
                 STRATA_SAFETENSORS_ERROR_FORMAT, "shape entry");
  expect_reject ("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", 8,
                 STRATA_SAFETENSORS_ERROR_FORMAT, "exactly dtype, shape and data_offsets");
  expect_reject ("{\"a\": [[[[[[1]]]]]]}", 0, STRATA_SAFETENSORS_ERROR_FORMAT, "flat JSON");
  expect_reject ("{\"a\": ", 0, STRATA_SAFETENSORS_ERROR_FORMAT, "not valid JSON");
  expect_reject ("{\"__metadata__\": {\"k\": 1}}", 0, STRATA_SAFETENSORS_ERROR_FORMAT, "__metadata__");

  /* a missing file names the file */
  g_autoptr(GError) error = NULL;
  g_assert_null (strata_safetensors_read_file ("/nonexistent/x.safetensors", &error));
  g_assert_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/nonexistent/x.safetensors"));
}

static void
declare_model (StrataParams *p, int64_t out_features)
{
  strata_params_init (p);
  const int64_t w[] = { out_features, 3 }, b[] = { out_features };
  strata_params_declare (p, "fc.weight", 2, w, 0);
  strata_params_declare (p, "fc.bias", 1, b, 0);
  g_assert_cmpint (strata_params_allocate (p), ==, STRATA_NN_OK);
}

static void
expect_load_error (StrataParams *p, const char *path, const char *arch, int code,
                   const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_assert_false (strata_params_load (p, path, arch, FALSE, &error));
  g_assert_error (error, STRATA_SAFETENSORS_ERROR, code);
  g_test_message ("rejected: %s", error->message);
  if (strstr (error->message, needle) == NULL)
    g_test_fail_printf ("message “%s” does not mention “%s”", error->message, needle);
}

static void
test_params_declared (void)
{
  g_autofree char *path = g_build_filename (test_nn_tmpdir (), "decl.safetensors", NULL);
  g_autofree char *path2 = g_build_filename (test_nn_tmpdir (), "decl2.safetensors", NULL);
  StrataParams p, q;
  declare_model (&p, 4);
  for (int k = 0; k < p.n_params; k++)
    for (size_t i = 0; i < p.info[k].numel; i++)
      strata_params_value (&p, k)[i] = (float) (i + 100 * k);
  g_autoptr(GError) error = NULL;
  g_assert_true (strata_params_save (&p, path, "fc-test", "{}", NULL, FALSE, &error));
  g_assert_no_error (error);

  /* exact match loads */
  declare_model (&q, 4);
  g_assert_true (strata_params_load (&q, path, "fc-test", FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (q.values, q.total * sizeof (float), p.values, p.total * sizeof (float));
  expect_load_error (&q, path, "other-arch", STRATA_SAFETENSORS_ERROR_METADATA, "“fc-test”");
  strata_params_clear (&q);

  /* mis-shaped */
  declare_model (&q, 5);
  expect_load_error (&q, path, NULL, STRATA_SAFETENSORS_ERROR_SHAPE,
                     "“fc.weight” has shape [4, 3], expected [5, 3]");
  strata_params_clear (&q);

  /* missing: the model declares one more tensor */
  declare_model (&q, 4);
  strata_params_clear (&q);
  strata_params_init (&q);
  const int64_t w[] = { 4, 3 }, b[] = { 4 }, g[] = { 2 };
  strata_params_declare (&q, "fc.weight", 2, w, 0);
  strata_params_declare (&q, "fc.bias", 1, b, 0);
  strata_params_declare (&q, "norm.gain", 1, g, 0);
  strata_params_allocate (&q);
  expect_load_error (&q, path, NULL, STRATA_SAFETENSORS_ERROR_MISSING, "“norm.gain” is missing");
  /* extra: the file has a tensor the model lacks */
  g_assert_true (strata_params_save (&q, path2, "fc-test", NULL, NULL, FALSE, &error));
  g_assert_no_error (error);
  expect_load_error (&p, path2, NULL, STRATA_SAFETENSORS_ERROR_UNEXPECTED,
                     "unexpected tensor “norm.gain”");
  /* weights are not a checkpoint */
  g_assert_false (strata_params_load (&p, path, NULL, TRUE, &error));
  g_assert_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_METADATA);
  strata_params_clear (&q);
  strata_params_clear (&p);
}

void
test_nn_add_safetensors_tests (void)
{
  g_test_add_func ("/strata/nn/safetensors/roundtrip-numpy", test_roundtrip);
  g_test_add_func ("/strata/nn/safetensors/f16-bf16", test_half_types);
  g_test_add_func ("/strata/nn/safetensors/reject", test_reject);
  g_test_add_func ("/strata/nn/safetensors/declared-tensors", test_params_declared);
}
