/* strata-sections-export.c: sections as JSON, CSV or Audacity labels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "analysis/strata-sections-export.h"

void
strata_marker_clear (gpointer marker)
{
  StrataMarker *m = marker;
  g_clear_pointer (&m->name, g_free);
}

/* Appends @x with 6 decimals and '.' whatever LC_NUMERIC says. */
static void
append_seconds (GString *out,
                double   x)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.6f", x));
}

static GBytes *
sections_to_json (const StrataSection *sections,
                  guint                n_sections,
                  const StrataMarker  *markers,
                  guint                n_markers,
                  const char          *model_version)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  gsize length = 0;
  char *text;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model_version");
  if (model_version)
    json_builder_add_string_value (b, model_version);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "sections");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_sections; i++)
    {
      g_autofree char *label = strata_section_label_name (sections[i].label);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "start_s");
      json_builder_add_double_value (b, sections[i].start);
      json_builder_set_member_name (b, "end_s");
      json_builder_add_double_value (b, sections[i].end);
      json_builder_set_member_name (b, "label");
      json_builder_add_string_value (b, label);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (n_markers > 0)
    {
      json_builder_set_member_name (b, "markers");
      json_builder_begin_array (b);
      for (guint i = 0; i < n_markers; i++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "time_s");
          json_builder_add_double_value (b, markers[i].time);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, markers[i].name ? markers[i].name : "");
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, &length);
  /* a final newline, as a text file has */
  text = g_realloc (text, length + 2);
  text[length++] = '\n';
  text[length] = '\0';
  return g_bytes_new_take (text, length);
}

/* A marker's name as one field: CSV-quoted when it needs it (RFC 4180), or
 * on one line without tabs for Audacity. */
static void
append_name (GString              *out,
             const char           *name,
             StrataSectionsFormat  format)
{
  if (name == NULL)
    name = "";
  if (format == STRATA_SECTIONS_CSV)
    {
      if (strpbrk (name, ",\"\r\n") == NULL)
        {
          g_string_append (out, name);
          return;
        }
      g_string_append_c (out, '"');
      for (const char *p = name; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
      return;
    }
  for (const char *p = name; *p; p++)
    g_string_append_c (out, *p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p);
}

static void
append_row (GString *out, StrataSectionsFormat format, double start, double end,
            const char *label, gboolean is_name)
{
  const char sep = format == STRATA_SECTIONS_CSV ? ',' : '\t';

  append_seconds (out, start);
  g_string_append_c (out, sep);
  append_seconds (out, end);
  g_string_append_c (out, sep);
  if (is_name)
    append_name (out, label, format);
  else
    g_string_append (out, label);
  g_string_append_c (out, '\n');
}

GBytes *
strata_sections_markers_to_bytes (const StrataSection *sections,
                                  guint                n_sections,
                                  const StrataMarker  *markers,
                                  guint                n_markers,
                                  StrataSectionsFormat format,
                                  const char          *model_version)
{
  GString *out;
  guint i = 0, j = 0;

  g_return_val_if_fail (sections != NULL || n_sections == 0, NULL);
  g_return_val_if_fail (markers != NULL || n_markers == 0, NULL);

  if (format == STRATA_SECTIONS_JSON)
    return sections_to_json (sections, n_sections, markers, n_markers, model_version);

  out = g_string_new (format == STRATA_SECTIONS_CSV ? "start_s,end_s,label\n" : "");
  /* both lists are in time order: merge them */
  while (i < n_sections || j < n_markers)
    if (j >= n_markers || (i < n_sections && sections[i].start <= markers[j].time))
      {
        g_autofree char *label = strata_section_label_name (sections[i].label);
        append_row (out, format, sections[i].start, sections[i].end, label, FALSE);
        i++;
      }
    else
      {
        append_row (out, format, markers[j].time, markers[j].time, markers[j].name, TRUE);
        j++;
      }
  return g_string_free_to_bytes (out);
}

GBytes *
strata_sections_to_bytes (const StrataSection *sections,
                          guint                n_sections,
                          StrataSectionsFormat format,
                          const char          *model_version)
{
  return strata_sections_markers_to_bytes (sections, n_sections, NULL, 0, format, model_version);
}

gboolean
strata_sections_format_for_path (const char           *path,
                                 StrataSectionsFormat *format)
{
  static const struct {
    const char          *suffix;
    StrataSectionsFormat format;
  } suffixes[] = {
    { ".json", STRATA_SECTIONS_JSON },
    { ".csv",  STRATA_SECTIONS_CSV },
    { ".txt",  STRATA_SECTIONS_AUDACITY },
  };
  g_autofree char *lower = g_ascii_strdown (path, -1);

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (lower, suffixes[i].suffix))
      {
        *format = suffixes[i].format;
        return TRUE;
      }
  return FALSE;
}
