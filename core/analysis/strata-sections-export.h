/* strata-sections-export.h: the automatic sections as the bytes of a file
 * a user asks for — JSON, CSV, or Audacity's label-track text — to be
 * written through strata_output_write_bytes() (core/io/strata-output.h).
 *
 * Seconds are printed with '.' as the decimal separator whatever the
 * locale (g_ascii_formatd), so the files read back the same everywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "analysis/strata-feature-maps.h"

G_BEGIN_DECLS

typedef enum {
  STRATA_SECTIONS_JSON,      /* {"model_version": V, "sections": [{"start_s", "end_s", "label"}...]} */
  STRATA_SECTIONS_CSV,       /* header `start_s,end_s,label`, then one line a section */
  STRATA_SECTIONS_AUDACITY,  /* start<TAB>end<TAB>label, one line a section */
} StrataSectionsFormat;

/**
 * strata_sections_to_bytes:
 * @sections: (array length=n_sections): sections in seconds
 * @n_sections: how many
 * @format: the file format
 * @model_version: (nullable): strata_model_get_version() of the model the
 *   sections come from; written by the JSON format only
 *
 * CSV and Audacity text give seconds with 6 decimals; JSON gives them as
 * numbers at full precision. Labels are strata_section_label_name()'s.
 *
 * Returns: (transfer full): the file's bytes
 */
/* A named point in time the user placed (the window's M key). */
typedef struct {
  double time;   /* seconds */
  char  *name;   /* UTF-8 */
} StrataMarker;

/* Frees the name (a GArray clear function). */
void strata_marker_clear (gpointer marker);

/* Sections and markers in one file, in time order: a marker is a point
 * label (start = end, its name as the label; JSON: a "markers" array of
 * {"time_s", "name"}). Names are quoted for CSV and have tabs and line
 * breaks turned into spaces for Audacity. */
GBytes  *strata_sections_markers_to_bytes (const StrataSection *sections,
                                           guint                n_sections,
                                           const StrataMarker  *markers,
                                           guint                n_markers,
                                           StrataSectionsFormat format,
                                           const char          *model_version);
GBytes  *strata_sections_to_bytes (const StrataSection *sections,
                                   guint                n_sections,
                                   StrataSectionsFormat format,
                                   const char          *model_version);

/**
 * strata_sections_format_for_path:
 * @path: a file name
 * @format: (out): the format its extension names
 *
 * ".json" is JSON, ".csv" CSV, ".txt" Audacity labels (case-insensitive).
 *
 * Returns: %FALSE when the extension is none of these
 */
gboolean strata_sections_format_for_path (const char           *path,
                                          StrataSectionsFormat *format);

G_END_DECLS
