/* strata-safetensors.c: strict safetensors reader, atomic writer, and
 * StrataParams weights/checkpoint I/O.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nn/strata-safetensors.h"
#include "io/strata-output.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <inttypes.h>
#include <string.h>

G_DEFINE_QUARK (strata-safetensors-error-quark, strata_safetensors_error)

#define MAX_JSON_DEPTH 4

struct _StrataSafetensors {
  StrataTensorEntry *tensors;   /* sorted by file offset */
  guint              n_tensors;
  float             *arena;
  GHashTable        *metadata;  /* char* -> char* */
};

typedef struct {
  StrataTensorEntry entry;
  guint64 begin, end;
} RawEntry;

static gsize
dtype_size (StrataDtype d)
{
  return d == STRATA_DTYPE_F32 ? 4 : 2;
}

static float
half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 exp = (h >> 10) & 0x1f;
  guint32 man = h & 0x3ff;
  guint32 bits;
  if (exp == 0)
    {
      if (man == 0)
        bits = sign;
      else
        {
          /* subnormal: renormalise */
          int e = -1;
          do
            {
              e++;
              man <<= 1;
            }
          while ((man & 0x400) == 0);
          bits = sign | ((guint32) (127 - 15 - e) << 23) | ((man & 0x3ff) << 13);
        }
    }
  else if (exp == 31)
    bits = sign | 0x7f800000u | (man << 13);
  else
    bits = sign | ((exp - 15 + 127) << 23) | (man << 13);
  float f;
  memcpy (&f, &bits, sizeof f);
  return f;
}

void
strata_safetensors_free (StrataSafetensors *st)
{
  if (st == NULL)
    return;
  for (guint i = 0; i < st->n_tensors; i++)
    g_free (st->tensors[i].name);
  g_free (st->tensors);
  strata_nn_free (st->arena);
  g_clear_pointer (&st->metadata, g_hash_table_unref);
  g_free (st);
}

/* Rejects deep nesting before json-glib's recursive parser sees it. */
static gboolean
json_depth_ok (const char *s, gsize n)
{
  int depth = 0;
  gboolean in_string = FALSE;
  for (gsize i = 0; i < n; i++)
    {
      char c = s[i];
      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > MAX_JSON_DEPTH)
            return FALSE;
        }
      else if (c == '}' || c == ']')
        depth--;
    }
  return TRUE;
}

static gboolean
get_uint (JsonNode *node, guint64 *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  gint64 v = json_node_get_int (node);
  if (v < 0)
    return FALSE;
  *out = (guint64) v;
  return TRUE;
}

static int
compare_raw (gconstpointer a, gconstpointer b)
{
  const RawEntry *x = a, *y = b;
  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return 0;
}

static gboolean
parse_entry (const char *file, const char *name, JsonNode *node, RawEntry *raw,
             GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                   _("%s: header entry “%s” is not an object"), file, name);
      return FALSE;
    }
  JsonObject *obj = json_node_get_object (node);
  if (json_object_get_size (obj) != 3 || !json_object_has_member (obj, "dtype") ||
      !json_object_has_member (obj, "shape") || !json_object_has_member (obj, "data_offsets"))
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                   _("%s: tensor “%s” must have exactly dtype, shape and data_offsets"),
                   file, name);
      return FALSE;
    }

  JsonNode *dt = json_object_get_member (obj, "dtype");
  const char *dts = (JSON_NODE_HOLDS_VALUE (dt) &&
                     json_node_get_value_type (dt) == G_TYPE_STRING)
                    ? json_node_get_string (dt) : NULL;
  if (g_strcmp0 (dts, "F32") == 0)
    raw->entry.dtype = STRATA_DTYPE_F32;
  else if (g_strcmp0 (dts, "F16") == 0)
    raw->entry.dtype = STRATA_DTYPE_F16;
  else if (g_strcmp0 (dts, "BF16") == 0)
    raw->entry.dtype = STRATA_DTYPE_BF16;
  else
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_DTYPE,
                   _("%s: tensor “%s” has unsupported dtype “%s” (F32, F16 or BF16 expected)"),
                   file, name, dts ? dts : "?");
      return FALSE;
    }

  JsonNode *sh = json_object_get_member (obj, "shape");
  JsonArray *shape = JSON_NODE_HOLDS_ARRAY (sh) ? json_node_get_array (sh) : NULL;
  if (shape == NULL || json_array_get_length (shape) > STRATA_SAFETENSORS_MAX_DIMS)
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                   _("%s: tensor “%s” has an invalid shape (an array of at most %d sizes expected)"),
                   file, name, STRATA_SAFETENSORS_MAX_DIMS);
      return FALSE;
    }
  raw->entry.ndim = (int) json_array_get_length (shape);
  guint64 numel = 1;
  gboolean overflow = FALSE;
  for (int d = 0; d < raw->entry.ndim; d++)
    {
      guint64 v;
      if (!get_uint (json_array_get_element (shape, (guint) d), &v))
        {
          g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                       _("%s: tensor “%s” has a shape entry that is not a non-negative integer"),
                       file, name);
          return FALSE;
        }
      raw->entry.shape[d] = (int64_t) v;
      if (v != 0 && numel > G_MAXINT64 / 4 / v)
        overflow = TRUE;
      numel *= v;
    }
  if (overflow)
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                   _("%s: tensor “%s” has a shape whose size overflows"), file, name);
      return FALSE;
    }

  JsonNode *of = json_object_get_member (obj, "data_offsets");
  JsonArray *offs = JSON_NODE_HOLDS_ARRAY (of) ? json_node_get_array (of) : NULL;
  if (offs == NULL || json_array_get_length (offs) != 2 ||
      !get_uint (json_array_get_element (offs, 0), &raw->begin) ||
      !get_uint (json_array_get_element (offs, 1), &raw->end) || raw->end < raw->begin)
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                   _("%s: tensor “%s” has invalid data_offsets (two integers begin ≤ end expected)"),
                   file, name);
      return FALSE;
    }
  if (overflow || numel * dtype_size (raw->entry.dtype) != raw->end - raw->begin)
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                   _("%s: tensor “%s” spans %" PRIu64 " bytes but its shape and dtype need %" PRIu64),
                   file, name, raw->end - raw->begin,
                   overflow ? G_MAXUINT64 : numel * dtype_size (raw->entry.dtype));
      return FALSE;
    }
  raw->entry.numel = (size_t) numel;
  raw->entry.name = g_strdup (name);
  return TRUE;
}

static gboolean
parse_metadata (const char *file, JsonNode *node, GHashTable *md, GError **error)
{
  gboolean ok = JSON_NODE_HOLDS_OBJECT (node);
  if (ok)
    {
      JsonObject *obj = json_node_get_object (node);
      g_autoptr(GList) keys = json_object_get_members (obj);
      for (GList *l = keys; l && ok; l = l->next)
        {
          JsonNode *v = json_object_get_member (obj, l->data);
          ok = JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_STRING;
          if (ok)
            g_hash_table_insert (md, g_strdup (l->data), g_strdup (json_node_get_string (v)));
        }
    }
  if (ok)
    return TRUE;
  g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
               _("%s: __metadata__ must be an object of strings"), file);
  return FALSE;
}

StrataSafetensors *
strata_safetensors_read_bytes (const guint8 *data, gsize len, const char *file,
                               GError **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  if (file == NULL)
    file = "(memory)";

  if (len < 8)
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                   _("%s: file is truncated (%zu bytes, too short for a safetensors header)"),
                   file, len);
      return NULL;
    }
  guint64 hlen = 0;
  for (int i = 7; i >= 0; i--)
    hlen = (hlen << 8) | data[i];
  if (hlen > STRATA_SAFETENSORS_MAX_HEADER)
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                   _("%s: header of %" PRIu64 " bytes exceeds the %u MiB limit"),
                   file, hlen, STRATA_SAFETENSORS_MAX_HEADER >> 20);
      return NULL;
    }
  if (hlen > len - 8)
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                   _("%s: file is truncated (header of %" PRIu64 " bytes, file of %zu)"),
                   file, hlen, len);
      return NULL;
    }
  const char *hdr = (const char *) data + 8;
  const guint8 *buf = data + 8 + hlen;
  const guint64 buf_len = len - 8 - hlen;

  if (hlen < 2 || hdr[0] != '{' || memchr (hdr, '\0', hlen) != NULL ||
      !json_depth_ok (hdr, hlen))
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                   _("%s: header is not a flat JSON object"), file);
      return NULL;
    }

  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) jerr = NULL;
  if (!json_parser_load_from_data (parser, hdr, (gssize) hlen, &jerr))
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                   _("%s: header is not valid JSON: %s"), file, jerr->message);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                   _("%s: header is not a JSON object"), file);
      return NULL;
    }

  JsonObject *obj = json_node_get_object (root);
  g_autoptr(GHashTable) md = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GList) names = json_object_get_members (obj);
  guint n_members = g_list_length (names);
  RawEntry *raw = g_new0 (RawEntry, n_members ? n_members : 1);
  guint n = 0;
  gboolean ok = TRUE;
  StrataSafetensors *st = NULL;

  for (GList *l = names; l && ok; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (obj, name);
      if (strcmp (name, "__metadata__") == 0)
        ok = parse_metadata (file, node, md, error);
      else if (name[0] == '\0')
        {
          g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                       _("%s: a tensor has an empty name"), file);
          ok = FALSE;
        }
      else if ((ok = parse_entry (file, name, node, &raw[n], error)))
        n++;
    }
  if (!ok)
    goto out;

  qsort (raw, n, sizeof *raw, compare_raw);
  guint64 pos = 0;
  for (guint i = 0; i < n; i++)
    {
      if (raw[i].begin != pos)
        {
          g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                       raw[i].begin < pos
                       ? _("%s: tensor “%s” overlaps the previous tensor (offset %" PRIu64 ", previous ends at %" PRIu64 ")")
                       : _("%s: gap before tensor “%s” (offset %" PRIu64 ", previous ends at %" PRIu64 ")"),
                       file, raw[i].entry.name, raw[i].begin, pos);
          ok = FALSE;
          goto out;
        }
      pos = raw[i].end;
    }
  if (pos != buf_len)
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                   pos > buf_len
                   ? _("%s: file is truncated or a tensor is out of range (tensors end at byte %" PRIu64 " of a %" PRIu64 "-byte data section)")
                   : _("%s: tensors end at byte %" PRIu64 " but the data section has %" PRIu64 " bytes (trailing data)"),
                   file, pos, buf_len);
      ok = FALSE;
      goto out;
    }

  size_t total = 0;
  for (guint i = 0; i < n; i++)
    total += strata_arena_padded (raw[i].entry.numel);
  st = g_new0 (StrataSafetensors, 1);
  st->arena = strata_nn_alloc (total);
  if (st->arena == NULL)
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_IO,
                   _("%s: out of memory for %zu floats"), file, total);
      ok = FALSE;
      goto out;
    }
  st->tensors = g_new0 (StrataTensorEntry, n ? n : 1);
  st->n_tensors = n;
  size_t off = 0;
  for (guint i = 0; i < n; i++)
    {
      StrataTensorEntry *e = &st->tensors[i];
      *e = raw[i].entry;
      raw[i].entry.name = NULL;
      e->data = st->arena + off;
      off += strata_arena_padded (e->numel);
      const guint8 *src = buf + raw[i].begin;
      for (size_t j = 0; j < e->numel; j++)
        {
          if (e->dtype == STRATA_DTYPE_F32)
            {
              guint32 u;
              memcpy (&u, src + 4 * j, 4);
              u = GUINT32_FROM_LE (u);
              memcpy (&e->data[j], &u, 4);
            }
          else
            {
              guint16 h;
              memcpy (&h, src + 2 * j, 2);
              h = GUINT16_FROM_LE (h);
              if (e->dtype == STRATA_DTYPE_F16)
                e->data[j] = half_to_float (h);
              else
                {
                  guint32 u = (guint32) h << 16;
                  memcpy (&e->data[j], &u, 4);
                }
            }
        }
    }
  st->metadata = g_steal_pointer (&md);

out:
  for (guint i = 0; i < n_members; i++)
    g_free (raw[i].entry.name);
  g_free (raw);
  if (!ok)
    {
      strata_safetensors_free (st);
      return NULL;
    }
  return st;
}

StrataSafetensors *
strata_safetensors_read_file (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autoptr(GError) ioerr = NULL;
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_IO,
                   _("Cannot read weights file %s: it is a folder, not a model file"), path);
      return NULL;
    }
  g_autoptr(GMappedFile) mf = g_mapped_file_new (path, FALSE, &ioerr);
  if (mf == NULL)
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_IO,
                   _("Cannot read weights file %s: %s"), path, ioerr->message);
      return NULL;
    }
  gsize len = g_mapped_file_get_length (mf);
  const guint8 *data = (const guint8 *) g_mapped_file_get_contents (mf);
  static const guint8 empty[1] = { 0 };
  return strata_safetensors_read_bytes (len ? data : empty, len, path, error);
}

guint
strata_safetensors_get_n_tensors (const StrataSafetensors *st)
{
  return st->n_tensors;
}

const StrataTensorEntry *
strata_safetensors_get_tensor (const StrataSafetensors *st, guint i)
{
  g_return_val_if_fail (i < st->n_tensors, NULL);
  return &st->tensors[i];
}

const StrataTensorEntry *
strata_safetensors_lookup (const StrataSafetensors *st, const char *name)
{
  for (guint i = 0; i < st->n_tensors; i++)
    if (strcmp (st->tensors[i].name, name) == 0)
      return &st->tensors[i];
  return NULL;
}

const char *
strata_safetensors_get_metadata (const StrataSafetensors *st, const char *key)
{
  return g_hash_table_lookup (st->metadata, key);
}

/* ------------------------------------------------------------- Writer */

guint16
strata_float_to_half (float f)
{
  union { float f; guint32 u; } v = { f };
  guint32 x = v.u;
  guint32 sign = (x >> 16) & 0x8000;
  gint32 exp = (gint32) ((x >> 23) & 0xff) - 127 + 15;
  guint32 mant = x & 0x7fffff;
  if (exp >= 31)
    return (guint16) (sign | 0x7c00);   /* overflow -> inf (weights never get there) */
  if (exp <= 0)
    {
      if (exp < -10)
        return (guint16) sign;
      mant |= 0x800000;
      guint32 shift = (guint32) (14 - exp);
      guint32 half = mant >> shift;
      guint32 rem = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
      if (rem > mid || (rem == mid && (half & 1)))
        half++;
      return (guint16) (sign | half);
    }
  guint32 half = sign | ((guint32) exp << 10) | (mant >> 13);
  guint32 rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (half & 1)))
    half++;   /* may carry into the exponent: correct rounding */
  return (guint16) half;
}

gboolean
strata_safetensors_write_file (const char *path, const StrataTensorRef *tensors,
                               guint n_tensors, const char *const *metadata,
                               GError **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);

  json_builder_set_member_name (b, "__metadata__");
  json_builder_begin_object (b);
  gboolean has_version = FALSE;
  for (guint i = 0; metadata && metadata[i] && metadata[i + 1]; i += 2)
    {
      has_version |= strcmp (metadata[i], "strata.format_version") == 0;
      json_builder_set_member_name (b, metadata[i]);
      json_builder_add_string_value (b, metadata[i + 1]);
    }
  if (!has_version)
    {
      json_builder_set_member_name (b, "strata.format_version");
      json_builder_add_string_value (b, STRATA_WEIGHTS_FORMAT_VERSION);
    }
  json_builder_end_object (b);

  guint64 offset = 0;
  for (guint i = 0; i < n_tensors; i++)
    {
      const StrataTensorRef *t = &tensors[i];
      guint64 numel = 1;
      g_return_val_if_fail (t->name != NULL && t->ndim >= 0 &&
                            t->ndim <= STRATA_SAFETENSORS_MAX_DIMS, FALSE);
      json_builder_set_member_name (b, t->name);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "dtype");
      json_builder_add_string_value (b, t->dtype == STRATA_DTYPE_F16 ? "F16" : "F32");
      json_builder_set_member_name (b, "shape");
      json_builder_begin_array (b);
      for (int d = 0; d < t->ndim; d++)
        {
          g_return_val_if_fail (t->shape[d] >= 0, FALSE);
          json_builder_add_int_value (b, t->shape[d]);
          numel *= (guint64) t->shape[d];
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "data_offsets");
      json_builder_begin_array (b);
      json_builder_add_int_value (b, (gint64) offset);
      offset += numel * (t->dtype == STRATA_DTYPE_F16 ? 2 : 4);
      json_builder_add_int_value (b, (gint64) offset);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);

  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  gsize jlen = 0;
  g_autofree char *json = json_generator_to_data (gen, &jlen);
  gsize hlen = (jlen + 7) / 8 * 8;  /* pad with spaces to 8 bytes */
  if (hlen > STRATA_SAFETENSORS_MAX_HEADER)
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_FORMAT,
                   _("Cannot write %s: header too large"), path);
      return FALSE;
    }
  gsize total = 8 + hlen + offset;
  g_autofree guint8 *out = g_try_malloc (total);
  if (out == NULL)
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_IO,
                   _("Cannot write %s: out of memory"), path);
      return FALSE;
    }
  for (int i = 0; i < 8; i++)
    out[i] = (guint8) ((guint64) hlen >> (8 * i));
  memcpy (out + 8, json, jlen);
  memset (out + 8 + jlen, ' ', hlen - jlen);
  guint8 *p = out + 8 + hlen;
  for (guint i = 0; i < n_tensors; i++)
    {
      size_t numel = 1;
      for (int d = 0; d < tensors[i].ndim; d++)
        numel *= (size_t) tensors[i].shape[d];
      if (tensors[i].dtype == STRATA_DTYPE_F16)
        {
          for (size_t j = 0; j < numel; j++, p += 2)
            {
              guint16 h = GUINT16_TO_LE (strata_float_to_half (tensors[i].data[j]));
              memcpy (p, &h, 2);
            }
          continue;
        }
      for (size_t j = 0; j < numel; j++, p += 4)
        {
          guint32 u;
          memcpy (&u, &tensors[i].data[j], 4);
          u = GUINT32_TO_LE (u);
          memcpy (p, &u, 4);
        }
    }

  g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&out), total);
  return strata_output_write_bytes (path, NULL, bytes, error);
}

/* ------------------------------------------------------ Params I/O */

static char *
shape_to_string (int ndim, const int64_t *shape)
{
  GString *s = g_string_new ("[");
  for (int d = 0; d < ndim; d++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, d ? ", " : "", (gint64) shape[d]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static gboolean
params_save (const StrataParams *params, const char *path, const char *architecture,
             const char *config_json, const char *const *extra_metadata,
             gboolean with_optimizer, gboolean half, GError **error)
{
  g_return_val_if_fail (params != NULL && params->values != NULL, FALSE);
  g_return_val_if_fail (architecture != NULL, FALSE);

  const int np = params->n_params;
  const guint nt = (guint) np * (with_optimizer ? 3 : 1);
  g_autofree StrataTensorRef *refs = g_new0 (StrataTensorRef, nt ? nt : 1);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  for (int i = 0; i < np; i++)
    {
      const StrataParamInfo *p = &params->info[i];
      refs[i] = (StrataTensorRef) { p->name, p->ndim, p->shape, params->values + p->offset,
                                    half ? STRATA_DTYPE_F16 : STRATA_DTYPE_F32 };
      if (with_optimizer)
        {
          char *mn = g_strconcat ("optim.m.", p->name, NULL);
          char *vn = g_strconcat ("optim.v.", p->name, NULL);
          g_ptr_array_add (names, mn);
          g_ptr_array_add (names, vn);
          refs[np + i] = (StrataTensorRef) { mn, p->ndim, p->shape, params->m + p->offset };
          refs[2 * np + i] = (StrataTensorRef) { vn, p->ndim, p->shape, params->v + p->offset };
        }
    }

  g_autoptr(GPtrArray) md = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (md, g_strdup ("strata.format_version"));
  g_ptr_array_add (md, g_strdup (STRATA_WEIGHTS_FORMAT_VERSION));
  g_ptr_array_add (md, g_strdup ("strata.architecture"));
  g_ptr_array_add (md, g_strdup (architecture));
  g_ptr_array_add (md, g_strdup ("strata.config"));
  g_ptr_array_add (md, g_strdup (config_json ? config_json : "{}"));
  if (with_optimizer)
    {
      g_ptr_array_add (md, g_strdup ("strata.step"));
      g_ptr_array_add (md, g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) params->step));
    }
  for (guint i = 0; extra_metadata && extra_metadata[i] && extra_metadata[i + 1]; i += 2)
    {
      g_ptr_array_add (md, g_strdup (extra_metadata[i]));
      g_ptr_array_add (md, g_strdup (extra_metadata[i + 1]));
    }
  g_ptr_array_add (md, NULL);

  return strata_safetensors_write_file (path, refs, nt, (const char *const *) md->pdata, error);
}

gboolean
strata_params_save (const StrataParams *params, const char *path, const char *architecture,
                    const char *config_json, const char *const *extra_metadata,
                    gboolean with_optimizer, GError **error)
{
  return params_save (params, path, architecture, config_json, extra_metadata, with_optimizer,
                      FALSE, error);
}

gboolean
strata_params_save_f16 (const StrataParams *params, const char *path, const char *architecture,
                        const char *config_json, const char *const *extra_metadata,
                        GError **error)
{
  return params_save (params, path, architecture, config_json, extra_metadata, FALSE, TRUE,
                      error);
}

static gboolean
check_tensor (const char *path, const StrataSafetensors *st, const char *name,
              const StrataParamInfo *p, const StrataTensorEntry **out, GError **error)
{
  const StrataTensorEntry *e = strata_safetensors_lookup (st, name);
  if (e == NULL)
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_MISSING,
                   _("%s: tensor “%s” is missing"), path, name);
      return FALSE;
    }
  gboolean same = e->ndim == p->ndim;
  for (int d = 0; same && d < p->ndim; d++)
    same = e->shape[d] == p->shape[d];
  if (!same)
    {
      g_autofree char *got = shape_to_string (e->ndim, e->shape);
      g_autofree char *want = shape_to_string (p->ndim, p->shape);
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_SHAPE,
                   _("%s: tensor “%s” has shape %s, expected %s"), path, name, got, want);
      return FALSE;
    }
  *out = e;
  return TRUE;
}

gboolean
strata_params_load (StrataParams *params, const char *path, const char *architecture,
                    gboolean with_optimizer, GError **error)
{
  g_return_val_if_fail (params != NULL && params->values != NULL, FALSE);
  g_autoptr(StrataSafetensors) st = strata_safetensors_read_file (path, error);
  if (st == NULL)
    return FALSE;

  const char *version = strata_safetensors_get_metadata (st, "strata.format_version");
  if (version != NULL && strcmp (version, STRATA_WEIGHTS_FORMAT_VERSION) != 0)
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_METADATA,
                   _("%s: unsupported format version “%s”"), path, version);
      return FALSE;
    }
  const char *arch = strata_safetensors_get_metadata (st, "strata.architecture");
  if (architecture != NULL && g_strcmp0 (arch, architecture) != 0)
    {
      g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_METADATA,
                   _("%s: architecture is “%s”, expected “%s”"), path,
                   arch ? arch : "(none)", architecture);
      return FALSE;
    }
  gint64 step = 0;
  if (with_optimizer)
    {
      const char *s = strata_safetensors_get_metadata (st, "strata.step");
      if (s == NULL || !g_ascii_string_to_signed (s, 10, 0, G_MAXINT64, &step, NULL))
        {
          g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_METADATA,
                       _("%s: not a checkpoint (strata.step missing or invalid)"), path);
          return FALSE;
        }
    }

  /* Unknown tensors. */
  for (guint i = 0; i < st->n_tensors; i++)
    {
      const char *name = st->tensors[i].name;
      const char *base = name;
      if (g_str_has_prefix (name, "optim.m.") || g_str_has_prefix (name, "optim.v."))
        {
          if (!with_optimizer)
            continue;
          base = name + 8;
        }
      if (strata_params_find (params, base) < 0)
        {
          g_set_error (error, STRATA_SAFETENSORS_ERROR, STRATA_SAFETENSORS_ERROR_UNEXPECTED,
                       _("%s: unexpected tensor “%s”"), path, name);
          return FALSE;
        }
    }

  /* Every declared tensor, checked before anything is copied. */
  const int np = params->n_params;
  g_autofree const StrataTensorEntry **found = g_new0 (const StrataTensorEntry *,
                                                       3 * (gsize) np + 1);
  for (int i = 0; i < np; i++)
    {
      const StrataParamInfo *p = &params->info[i];
      if (!check_tensor (path, st, p->name, p, &found[i], error))
        return FALSE;
      if (with_optimizer)
        {
          g_autofree char *mn = g_strconcat ("optim.m.", p->name, NULL);
          g_autofree char *vn = g_strconcat ("optim.v.", p->name, NULL);
          if (!check_tensor (path, st, mn, p, &found[np + i], error) ||
              !check_tensor (path, st, vn, p, &found[2 * np + i], error))
            return FALSE;
        }
    }

  for (int i = 0; i < np; i++)
    {
      const StrataParamInfo *p = &params->info[i];
      memcpy (params->values + p->offset, found[i]->data, p->numel * sizeof (float));
      if (with_optimizer)
        {
          memcpy (params->m + p->offset, found[np + i]->data, p->numel * sizeof (float));
          memcpy (params->v + p->offset, found[2 * np + i]->data, p->numel * sizeof (float));
        }
    }
  if (with_optimizer)
    params->step = step;
  return TRUE;
}
