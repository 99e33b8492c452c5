/* strata-cache.c: the on-disk result cache of the tasks.
 *
 * One file per (content hash, kind, version):
 *   <cache_dir>/<hash>-<kind>-v<version>.cache
 * laid out as a 152-byte little-endian header, then the payload:
 *     0   8  magic "STRATAC\x01"
 *     8   4  header format version (1)
 *    12   4  entry version (the caller's serialiser version)
 *    16  32  kind, NUL-padded
 *    48  64  hash, NUL-padded
 *   112   8  payload size
 *   120  32  SHA-256 of the payload
 *   152  ..  payload
 * Any mismatch (short file, other magic, kind, hash or version, wrong size,
 * wrong checksum) reads as a miss, so the caller recomputes and rewrites.
 * Writes go to a temporary file renamed over the entry (g_file_set_contents),
 * so readers see the old entry, the new one, or none.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>

#include "tasks/strata-cache.h"

#define CACHE_MAGIC "STRATAC\x01"
#define CACHE_HEADER_VERSION 1
#define CACHE_KIND_LEN 32
#define CACHE_HASH_LEN 64
#define CACHE_HEADER 152

static gboolean
valid_name (const char *s, gsize max_len, gboolean hex_only)
{
  gsize n = 0;
  for (; s[n] != '\0'; n++)
    {
      char c = s[n];
      gboolean ok = g_ascii_isdigit (c) || (c >= 'a' && c <= 'f') ||
                    (!hex_only && (g_ascii_islower (c) || c == '-' || c == '_'));
      if (!ok)
        return FALSE;
    }
  return n > 0 && n <= max_len;
}

/**
 * strata_cache_dup_default_dir:
 *
 * Returns: (transfer full): the cache folder the window and the CLI share:
 *   $XDG_CACHE_HOME/strata
 */
char *
strata_cache_dup_default_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "strata", NULL);
}

/**
 * strata_cache_path:
 * @dir: the cache folder
 * @hash: lowercase hex content hash (at most 64 characters)
 * @kind: entry kind: lowercase letters, digits, '-' and '_' (at most 31)
 * @version: the payload format version (>= 0)
 *
 * Returns: (transfer full): the entry's path, whether or not it exists
 */
char *
strata_cache_path (const char *dir, const char *hash, const char *kind, int version)
{
  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (hash != NULL && valid_name (hash, CACHE_HASH_LEN, TRUE), NULL);
  g_return_val_if_fail (kind != NULL && valid_name (kind, CACHE_KIND_LEN - 1, FALSE), NULL);
  g_return_val_if_fail (version >= 0, NULL);

  g_autofree char *name = g_strdup_printf ("%s-%s-v%d.cache", hash, kind, version);
  return g_build_filename (dir, name, NULL);
}

static guint32
read_le32 (const guint8 *p)
{
  guint32 v;
  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static guint64
read_le64 (const guint8 *p)
{
  guint64 v;
  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

static void
payload_digest (const guint8 *data, gsize size, guint8 out[32])
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = 32;
  g_checksum_update (sum, data, (gssize) size);
  g_checksum_get_digest (sum, out, &len);
}

/**
 * strata_cache_lookup:
 * @dir: the cache folder
 * @hash: content hash
 * @kind: entry kind
 * @version: payload format version
 *
 * Reads an entry, checking its header and checksum. Safe from any thread.
 *
 * Returns: (transfer full) (nullable): the payload, or NULL when the entry is
 * absent, unreadable or does not verify
 */
GBytes *
strata_cache_lookup (const char *dir, const char *hash, const char *kind, int version)
{
  g_autofree char *path = strata_cache_path (dir, hash, kind, version);
  if (path == NULL)
    return NULL;

  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_debug ("cache: cannot read %s: %s", path, error->message);
      return NULL;
    }

  const guint8 *p = (const guint8 *) contents;
  char kind_field[CACHE_KIND_LEN] = { 0 }, hash_field[CACHE_HASH_LEN] = { 0 };
  memcpy (kind_field, kind, strlen (kind));
  memcpy (hash_field, hash, strlen (hash));
  guint64 size = 0;
  if (len >= CACHE_HEADER)
    size = read_le64 (p + 112);
  if (len < CACHE_HEADER || memcmp (p, CACHE_MAGIC, 8) != 0 ||
      read_le32 (p + 8) != CACHE_HEADER_VERSION ||
      read_le32 (p + 12) != (guint32) version ||
      memcmp (p + 16, kind_field, CACHE_KIND_LEN) != 0 ||
      memcmp (p + 48, hash_field, CACHE_HASH_LEN) != 0 ||
      size != len - CACHE_HEADER)
    {
      g_debug ("cache: %s has a bad header; ignoring it", path);
      return NULL;
    }
  guint8 digest[32];
  payload_digest (p + CACHE_HEADER, (gsize) size, digest);
  if (memcmp (digest, p + 120, 32) != 0)
    {
      g_debug ("cache: %s fails its checksum; ignoring it", path);
      return NULL;
    }

  g_autoptr (GBytes) all = g_bytes_new_take (g_steal_pointer (&contents), len);
  return g_bytes_new_from_bytes (all, CACHE_HEADER, (gsize) size);
}

/**
 * strata_cache_store:
 * @dir: the cache folder
 * @hash: content hash
 * @kind: entry kind
 * @version: payload format version
 * @data: the payload
 * @error: return location for an error
 *
 * Writes an entry atomically (temporary file, then rename), creating the
 * cache folder when needed. Safe from any thread.
 *
 * Returns: TRUE on success
 */
gboolean
strata_cache_store (const char *dir, const char *hash, const char *kind, int version,
                    GBytes *data, GError **error)
{
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_autofree char *path = strata_cache_path (dir, hash, kind, version);
  g_return_val_if_fail (path != NULL, FALSE);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not create the cache folder “%s”: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  gsize size = 0;
  const guint8 *payload = g_bytes_get_data (data, &size);
  gsize total = CACHE_HEADER + size;
  g_autofree guint8 *buf = g_malloc0 (total);
  memcpy (buf, CACHE_MAGIC, 8);
  guint32 u32 = GUINT32_TO_LE (CACHE_HEADER_VERSION);
  memcpy (buf + 8, &u32, 4);
  u32 = GUINT32_TO_LE ((guint32) version);
  memcpy (buf + 12, &u32, 4);
  memcpy (buf + 16, kind, strlen (kind));
  memcpy (buf + 48, hash, strlen (hash));
  guint64 u64 = GUINT64_TO_LE ((guint64) size);
  memcpy (buf + 112, &u64, 8);
  if (size > 0)
    memcpy (buf + CACHE_HEADER, payload, size);
  payload_digest (buf + CACHE_HEADER, size, buf + 120);

  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents_full (path, (const char *) buf, (gssize) total,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local))
    {
      g_set_error (error, local->domain, local->code,
                   _("Could not write the cache entry “%s”: %s"), path, local->message);
      return FALSE;
    }
  return TRUE;
}
