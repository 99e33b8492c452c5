/* strata-npz.c: .npy headers (format 1.0) in a stored (uncompressed) zip.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "io/strata-output.h"
#include "model/strata-npz.h"

typedef struct {
  char *name;      /* NAME.npy */
  GBytes *bytes;   /* the .npy file */
} Entry;

struct _StrataNpz {
  GArray *entries;
};

guint32
strata_crc32 (guint32 crc, const guint8 *data, gsize len)
{
  static guint32 table[256];
  static gsize init = 0;
  if (g_once_init_enter (&init))
    {
      for (guint32 i = 0; i < 256; i++)
        {
          guint32 c = i;
          for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
          table[i] = c;
        }
      g_once_init_leave (&init, 1);
    }
  crc = ~crc;
  for (gsize i = 0; i < len; i++)
    crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static void
entry_clear (gpointer p)
{
  Entry *e = p;
  g_free (e->name);
  g_bytes_unref (e->bytes);
}

StrataNpz *
strata_npz_new (void)
{
  StrataNpz *npz = g_new0 (StrataNpz, 1);
  npz->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (npz->entries, entry_clear);
  return npz;
}

void
strata_npz_free (StrataNpz *npz)
{
  if (!npz)
    return;
  g_array_unref (npz->entries);
  g_free (npz);
}

static void
add_raw (StrataNpz *npz, const char *name, const char *descr, int ndim, const int64_t *shape,
         const void *data, gsize nbytes)
{
  g_autoptr (GString) h = g_string_new (NULL);
  g_string_append_printf (h, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
  for (int i = 0; i < ndim; i++)
    g_string_append_printf (h, "%" G_GINT64_FORMAT "%s", shape[i],
                            ndim == 1 ? "," : i + 1 < ndim ? ", " : "");
  g_string_append (h, "), }");
  /* magic (6) + version (2) + length (2) + header, padded with spaces to a
   * multiple of 64 and ended by a newline */
  gsize total = 10 + h->len + 1;
  gsize pad = (64 - total % 64) % 64;
  for (gsize i = 0; i < pad; i++)
    g_string_append_c (h, ' ');
  g_string_append_c (h, '\n');
  GByteArray *b = g_byte_array_sized_new ((guint) (10 + h->len + nbytes));
  const guint8 magic[8] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0 };
  g_byte_array_append (b, magic, 8);
  guint8 len[2] = { (guint8) (h->len & 0xff), (guint8) (h->len >> 8) };
  g_byte_array_append (b, len, 2);
  g_byte_array_append (b, (const guint8 *) h->str, (guint) h->len);
  if (nbytes)
    g_byte_array_append (b, data, (guint) nbytes);
  Entry e = { g_strconcat (name, ".npy", NULL), g_byte_array_free_to_bytes (b) };
  g_array_append_val (npz->entries, e);
}

void
strata_npz_add (StrataNpz *npz, const char *name, const char *dtype, int ndim,
                const int64_t *shape, const void *data)
{
  gsize size = g_str_equal (dtype, "<f8") ? 8 : 4;
  g_return_if_fail (g_str_equal (dtype, "<f4") || g_str_equal (dtype, "<f8") ||
                    g_str_equal (dtype, "<i4"));
  gsize n = 1;
  for (int i = 0; i < ndim; i++)
    n *= (gsize) shape[i];
  add_raw (npz, name, dtype, ndim, shape, data, n * size);
}

void
strata_npz_add_strings (StrataNpz *npz, const char *name, const char *const *strings, int n)
{
  glong width = 1;
  for (int i = 0; i < n; i++)
    width = MAX (width, g_utf8_strlen (strings[i], -1));
  g_autofree guint32 *buf = g_new0 (guint32, (gsize) n * width);
  for (int i = 0; i < n; i++)
    {
      glong len = 0;
      g_autofree gunichar *u = g_utf8_to_ucs4_fast (strings[i], -1, &len);
      for (glong k = 0; k < len; k++)
        buf[(gsize) i * width + k] = GUINT32_TO_LE (u[k]);
    }
  g_autofree char *descr = g_strdup_printf ("<U%ld", width);
  const int64_t shape[1] = { n };
  add_raw (npz, name, descr, 1, shape, buf, (gsize) n * width * 4);
}

static void
put16 (GByteArray *b, guint v)
{
  guint8 x[2] = { (guint8) v, (guint8) (v >> 8) };
  g_byte_array_append (b, x, 2);
}

static void
put32 (GByteArray *b, guint32 v)
{
  guint8 x[4] = { (guint8) v, (guint8) (v >> 8), (guint8) (v >> 16), (guint8) (v >> 24) };
  g_byte_array_append (b, x, 4);
}

/**
 * strata_npz_to_bytes:
 * @npz: the arrays
 * @error: return location for a #GError, or %NULL
 *
 * The archive as it is written: one stored (uncompressed) zip entry per
 * array, in the order they were added.
 *
 * Returns: (transfer full) (nullable): the archive, or %NULL with @error set
 *   when it would not fit the 32-bit zip format (4 GB, 65535 entries)
 */
GBytes *
strata_npz_to_bytes (StrataNpz *npz, GError **error)
{
  g_autoptr (GByteArray) zip = g_byte_array_new ();
  g_autoptr (GByteArray) cd = g_byte_array_new ();
  if (npz->entries->len > G_MAXUINT16)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   _("Cannot store more than %u arrays in an .npz"), (guint) G_MAXUINT16);
      return NULL;
    }
  for (guint i = 0; i < npz->entries->len; i++)
    {
      Entry *e = &g_array_index (npz->entries, Entry, i);
      gsize size;
      const guint8 *data = g_bytes_get_data (e->bytes, &size);
      if (size >= G_MAXUINT32 || zip->len >= G_MAXUINT32 - size - 1024)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s",
                       _("The .npz would be larger than 4 GB"));
          return NULL;
        }
      const guint32 crc = strata_crc32 (0, data, size), offset = zip->len;
      const guint namelen = (guint) strlen (e->name);
      /* local file header: stored, DOS time 1980-01-01 */
      put32 (zip, 0x04034b50);
      put16 (zip, 20), put16 (zip, 0), put16 (zip, 0), put16 (zip, 0), put16 (zip, 0x21);
      put32 (zip, crc), put32 (zip, (guint32) size), put32 (zip, (guint32) size);
      put16 (zip, namelen), put16 (zip, 0);
      g_byte_array_append (zip, (const guint8 *) e->name, namelen);
      g_byte_array_append (zip, data, (guint) size);
      /* central directory entry */
      put32 (cd, 0x02014b50);
      put16 (cd, 20), put16 (cd, 20), put16 (cd, 0), put16 (cd, 0), put16 (cd, 0),
      put16 (cd, 0x21);
      put32 (cd, crc), put32 (cd, (guint32) size), put32 (cd, (guint32) size);
      put16 (cd, namelen), put16 (cd, 0), put16 (cd, 0), put16 (cd, 0), put16 (cd, 0);
      put32 (cd, 0), put32 (cd, offset);
      g_byte_array_append (cd, (const guint8 *) e->name, namelen);
    }
  const guint32 cd_offset = zip->len;
  g_byte_array_append (zip, cd->data, cd->len);
  put32 (zip, 0x06054b50);
  put16 (zip, 0), put16 (zip, 0);
  put16 (zip, npz->entries->len), put16 (zip, npz->entries->len);
  put32 (zip, cd->len), put32 (zip, cd_offset);
  put16 (zip, 0);
  return g_byte_array_free_to_bytes (g_steal_pointer (&zip));
}

/**
 * strata_npz_write:
 * @npz: the arrays
 * @path: the .npz file to write
 * @inputs: (nullable) (array zero-terminated=1): the files the arrays were
 *   made from, which @path must not replace
 * @error: return location for a #GError, or %NULL
 *
 * Writes strata_npz_to_bytes() through a #StrataOutput: atomic, refused
 * when @path is one of @inputs or a folder.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
strata_npz_write (StrataNpz *npz, const char *path, const char *const *inputs, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GBytes) bytes = strata_npz_to_bytes (npz, &local);
  if (bytes == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, _("Cannot write “%s”: %s"), path,
                   local->message);
      return FALSE;
    }
  return strata_output_write_bytes (path, inputs, bytes, error);
}
