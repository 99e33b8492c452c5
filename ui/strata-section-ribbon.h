/* strata-section-ribbon.h: the automatic sections (A, B, C…: boundaries
 * from coarse-level novelty, alike sections share a letter and a colour) as
 * a thin lane above the feature strata. A double click selects a section
 * (the window loops the selection).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "strata-lane.h"
#include "analysis/strata-feature-maps.h"

G_BEGIN_DECLS

#define STRATA_TYPE_SECTION_RIBBON (strata_section_ribbon_get_type ())
G_DECLARE_FINAL_TYPE (StrataSectionRibbon, strata_section_ribbon, STRATA, SECTION_RIBBON, StrataLane)

StrataLane *strata_section_ribbon_new          (void);
/* Shows @sections (copied; seconds); @n 0 clears. */
void        strata_section_ribbon_set_sections (StrataSectionRibbon *self,
                                                const StrataSection *sections, guint n);
guint       strata_section_ribbon_get_n_sections (StrataSectionRibbon *self);
/* Signal "section-activated" (double start, double end): a section was
 * double-clicked. strata_section_ribbon_activate_at() does the same for
 * the section under @x (tests); FALSE when there is none. */
gboolean    strata_section_ribbon_activate_at  (StrataSectionRibbon *self, double x);
/* The section under @x and its range ("Section B · 0:12–0:34"), for the
 * tooltip. (transfer full) (nullable) */
char       *strata_section_ribbon_describe_point (StrataSectionRibbon *self, double x);
/* (transfer none) (nullable): the shown sections. */
const StrataSection *strata_section_ribbon_get_sections (StrataSectionRibbon *self);

G_END_DECLS
