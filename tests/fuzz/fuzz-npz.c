/* fuzz-npz.c: libFuzzer harness for the .npz writer, as a round trip.
 *
 * The input is read as a recipe: up to 16 arrays, each a name (any bytes,
 * NUL excluded), a dtype (<f4, <f8, <i4 or strings), 0 to 6 dimensions and
 * the data, all taken from the input. The archive strata_npz_to_bytes()
 * makes is then read back by an independent strict reader here (zip local
 * headers, CRC-32 computed bitwise, central directory, end record; the .npy
 * magic, version 1.0 header, 64-byte alignment, dict text) and every array
 * must come back with its name, dtype, shape and bytes. Anything else traps.
 * Built and run by run-fuzz.sh.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "model/strata-npz.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap (); } while (0)

typedef struct {
  const uint8_t *p;
  size_t         left;
} Recipe;

static guint
take (Recipe *r, guint bound)
{
  guint v;

  if (r->left == 0 || bound == 0)
    return 0;
  v = r->p[0] % bound;
  r->p++, r->left--;
  return v;
}

typedef struct {
  char     *name;      /* without .npy */
  char     *descr;
  int       ndim;
  int64_t   shape[6];
  GBytes   *payload;   /* what the .npy must hold after its header */
} Expected;

static guint32
crc32_bitwise (const guint8 *d, gsize n)
{
  guint32 c = 0xffffffffu;

  for (gsize i = 0; i < n; i++)
    {
      c ^= d[i];
      for (int k = 0; k < 8; k++)
        c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
  return ~c;
}

static guint
get16 (const guint8 *p)
{
  return p[0] | (guint) p[1] << 8;
}

static guint32
get32 (const guint8 *p)
{
  return p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static void
check_npy (const guint8 *d, gsize n, const Expected *e)
{
  g_autoptr (GString) want = g_string_new (NULL);
  gsize hlen, payload_len;
  const guint8 *payload = g_bytes_get_data (e->payload, &payload_len);

  CHECK (n >= 10 && memcmp (d, "\x93NUMPY\x01\x00", 8) == 0);
  hlen = get16 (d + 8);
  CHECK (10 + hlen <= n && (10 + hlen) % 64 == 0 && d[10 + hlen - 1] == '\n');
  g_string_append_printf (want, "{'descr': '%s', 'fortran_order': False, 'shape': (", e->descr);
  for (int i = 0; i < e->ndim; i++)
    g_string_append_printf (want, "%" G_GINT64_FORMAT "%s", e->shape[i],
                            e->ndim == 1 ? "," : i + 1 < e->ndim ? ", " : "");
  g_string_append (want, "), }");
  CHECK (want->len < hlen && memcmp (d + 10, want->str, want->len) == 0);
  for (gsize i = 10 + want->len; i < 10 + hlen - 1; i++)
    CHECK (d[i] == ' ');
  CHECK (n - 10 - hlen == payload_len);
  CHECK (payload_len == 0 || memcmp (d + 10 + hlen, payload, payload_len) == 0);
}

static void
check_archive (GBytes *bytes, GPtrArray *expected)
{
  gsize n;
  const guint8 *d = g_bytes_get_data (bytes, &n);
  gsize pos = 0, cd_pos, eocd;
  guint32 offsets[16];

  for (guint i = 0; i < expected->len; i++)
    {
      const Expected *e = expected->pdata[i];
      g_autofree char *fname = g_strconcat (e->name, ".npy", NULL);
      const gsize fl = strlen (fname);
      guint32 crc, csize, usize;

      CHECK (pos + 30 <= n && get32 (d + pos) == 0x04034b50);
      CHECK (get16 (d + pos + 8) == 0);            /* stored */
      crc = get32 (d + pos + 14);
      csize = get32 (d + pos + 18);
      usize = get32 (d + pos + 22);
      CHECK (csize == usize && get16 (d + pos + 26) == fl && get16 (d + pos + 28) == 0);
      CHECK (pos + 30 + fl + csize <= n && memcmp (d + pos + 30, fname, fl) == 0);
      CHECK (crc == crc32_bitwise (d + pos + 30 + fl, csize));
      check_npy (d + pos + 30 + fl, csize, e);
      offsets[i] = (guint32) pos;
      pos += 30 + fl + csize;
    }
  cd_pos = pos;
  for (guint i = 0; i < expected->len; i++)
    {
      const Expected *e = expected->pdata[i];
      const gsize fl = strlen (e->name) + 4;

      CHECK (pos + 46 <= n && get32 (d + pos) == 0x02014b50);
      CHECK (get16 (d + pos + 28) == fl && get32 (d + pos + 42) == offsets[i]);
      CHECK (get32 (d + pos + 16) == get32 (d + offsets[i] + 14));
      CHECK (pos + 46 + fl <= n && memcmp (d + pos + 46, d + offsets[i] + 30, fl) == 0);
      pos += 46 + fl;
    }
  eocd = pos;
  CHECK (eocd + 22 == n && get32 (d + eocd) == 0x06054b50);
  CHECK (get16 (d + eocd + 8) == expected->len && get16 (d + eocd + 10) == expected->len);
  CHECK (get32 (d + eocd + 12) == eocd - cd_pos && get32 (d + eocd + 16) == cd_pos);
}

static void
expected_free (gpointer p)
{
  Expected *e = p;

  g_free (e->name);
  g_free (e->descr);
  g_bytes_unref (e->payload);
  g_free (e);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  Recipe r = { data, size };
  g_autoptr (StrataNpz) npz = strata_npz_new ();
  g_autoptr (GPtrArray) expected = g_ptr_array_new_with_free_func (expected_free);
  g_autoptr (GBytes) bytes = NULL;
  GError *error = NULL;
  const guint n_arrays = take (&r, 17);

  for (guint a = 0; a < n_arrays; a++)
    {
      Expected *e = g_new0 (Expected, 1);
      const guint name_len = 1 + take (&r, 24);
      const guint kind = take (&r, 4);
      g_autoptr (GString) name = g_string_new (NULL);
      gsize numel = 1;

      for (guint i = 0; i < name_len; i++)
        g_string_append_c (name, (char) (1 + take (&r, 255)));
      e->name = g_string_free (g_steal_pointer (&name), FALSE);
      if (kind == 3)
        {
          /* strings: made valid UTF-8; numpy stores UTF-32LE, padded */
          const guint count = 1 + take (&r, 4);
          g_autoptr (GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
          glong width = 1;

          for (guint i = 0; i < count; i++)
            {
              const guint len = take (&r, 12);
              const gsize avail = MIN (len, r.left);
              char *s = g_utf8_make_valid ((const char *) r.p, (gssize) avail);

              r.p += avail, r.left -= avail;
              /* NUL ends a C string: what is before it is the string */
              g_ptr_array_add (strings, s);
              width = MAX (width, g_utf8_strlen (s, -1));
            }
          g_ptr_array_add (strings, NULL);
          strata_npz_add_strings (npz, e->name, (const char *const *) strings->pdata,
                                  (int) count);
          e->descr = g_strdup_printf ("<U%ld", width);
          e->ndim = 1;
          e->shape[0] = count;
          {
            g_autofree guint32 *buf = g_new0 (guint32, count * width);

            for (guint i = 0; i < count; i++)
              {
                glong ul = 0;
                g_autofree gunichar *u = g_utf8_to_ucs4_fast (strings->pdata[i], -1, &ul);

                for (glong k = 0; k < ul; k++)
                  buf[i * width + k] = GUINT32_TO_LE (u[k]);
              }
            e->payload = g_bytes_new (buf, count * width * 4);
          }
        }
      else
        {
          static const char *const dtypes[] = { "<f4", "<f8", "<i4" };
          const gsize item = kind == 1 ? 8 : 4;
          g_autofree guint8 *values = NULL;

          e->descr = g_strdup (dtypes[kind]);
          e->ndim = (int) take (&r, 7);
          for (int i = 0; i < e->ndim; i++)
            {
              e->shape[i] = take (&r, 6);
              numel *= (gsize) e->shape[i];
            }
          values = g_malloc0 (numel * item + 1);
          for (gsize i = 0; i < numel * item && r.left > 0; i++)
            values[i] = (guint8) take (&r, 256);
          strata_npz_add (npz, e->name, e->descr, e->ndim, e->shape, values);
          e->payload = g_bytes_new (values, numel * item);
        }
      g_ptr_array_add (expected, e);
    }

  bytes = strata_npz_to_bytes (npz, &error);
  CHECK (bytes != NULL && error == NULL);
  check_archive (bytes, expected);
  return 0;
}
