/* strata-similar-page.h: the side-panel page of the similarity search:
 * what the last search found in words ("7 similar passages at the medium
 * stratum", or that there are none and what to try), the threshold a match
 * must reach (a slider; outlines, count and list follow it live), and the
 * matches in time order with their scores. Activating a row emits
 * "match-activated" with the match's start; the window moves the playhead
 * there.
 *
 * Threading contract: main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "strata-feature-controller.h"

G_BEGIN_DECLS

#define STRATA_TYPE_SIMILAR_PAGE (strata_similar_page_get_type ())
G_DECLARE_FINAL_TYPE (StrataSimilarPage, strata_similar_page, STRATA, SIMILAR_PAGE, GtkWidget)

/* Signal "match-activated" (guint index, double start seconds). */
GtkWidget  *strata_similar_page_new            (StrataFeatureController *controller);
/* The rows listed (one per match). */
guint       strata_similar_page_get_n_rows     (StrataSimilarPage *self);
/* The text of row @index ("0:12.345 – 0:14.100 · 0.93"), or NULL. */
const char *strata_similar_page_get_row_text   (StrataSimilarPage *self, guint index);
/* The status line shown above the list. */
const char *strata_similar_page_get_status     (StrataSimilarPage *self);
/* The threshold slider. (transfer none) */
GtkRange   *strata_similar_page_get_threshold_scale (StrataSimilarPage *self);
/* Activates row @index as a click does (tests). */
void        strata_similar_page_activate_row   (StrataSimilarPage *self, guint index);
/* Highlights row @index (the match N / Shift+N went to); -1 none. */
void        strata_similar_page_select_row     (StrataSimilarPage *self, int index);

G_END_DECLS
