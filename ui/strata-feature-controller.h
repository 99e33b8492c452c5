/* strata-feature-controller.h: the feature-strata views of a timeline.
 *
 * Adds a section ribbon and the coarse, medium and fine lanes to a
 * StrataTimeline, and keeps them fed: when a track is set it loads the
 * default model (once, in an engine job), runs the features job (progress
 * and cancel through the engine), and hands the result to the lanes. A
 * selection dragged in a stratum lane outlines the passages most like it at
 * that stratum. Without a model the lanes say so.
 *
 * Threading contract: main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "engine/strata-engine.h"
#include "analysis/strata-sections-export.h"
#include "tasks/strata-track.h"
#include "strata-section-ribbon.h"
#include "strata-feature-lane.h"
#include "strata-timeline.h"

G_BEGIN_DECLS

#define STRATA_TYPE_FEATURE_CONTROLLER (strata_feature_controller_get_type ())
G_DECLARE_FINAL_TYPE (StrataFeatureController, strata_feature_controller, STRATA,
                      FEATURE_CONTROLLER, GObject)

/* Properties:
 *   "mode"            StrataFeatureMode  how every stratum lane draws
 *   "condition"       string            tag to condition on; "" = none
 *   "coarse-visible", "medium-visible", "fine-visible"  gboolean
 *   "status"          string            what the lanes say (read-only):
 *                                       "" when features are shown
 *   "tags"            GStrv             the model's tag vocabulary (read-only)
 *   "has-features"    gboolean          features are shown (read-only)
 *   "threshold"       double            cosine similarity a match needs (0..1)
 *   "search-status"   string            what the search found, in words
 *                                       (read-only): "" without a search
 * Signal "matches-changed" (): the similarity matches changed.
 */
StrataFeatureController *strata_feature_controller_new (StrataEngine *engine,
                                                        StrataTimeline *timeline);

/* Shows @track's features (computing them); %NULL clears. */
void        strata_feature_controller_set_track     (StrataFeatureController *self,
                                                     StrataTrack *track);
/* Uses @model instead of the default one (tests, or a model chosen by the
 * user); re-runs the features of the current track. */
void        strata_feature_controller_set_model     (StrataFeatureController *self,
                                                     StrataModel *model);
/* Cancels the running model or features job. */
void        strata_feature_controller_cancel        (StrataFeatureController *self);

StrataFeatureLane    *strata_feature_controller_get_lane   (StrataFeatureController *self,
                                                           StrataLevel level);
StrataSectionRibbon *strata_feature_controller_get_ribbon (StrataFeatureController *self);
/* Returns: (transfer none) (nullable): the shown features. */
StrataFeatureMaps   *strata_feature_controller_get_maps   (StrataFeatureController *self);
const char          *strata_feature_controller_get_status (StrataFeatureController *self);
gboolean             strata_feature_controller_get_has_features (StrataFeatureController *self);

void        strata_feature_controller_set_mode      (StrataFeatureController *self,
                                                     StrataFeatureMode mode);
StrataFeatureMode strata_feature_controller_get_mode (StrataFeatureController *self);
/* @tag: (nullable): a tag of the model, or %NULL / "" for none. */
void        strata_feature_controller_set_condition (StrataFeatureController *self,
                                                     const char *tag);
const char *strata_feature_controller_get_condition (StrataFeatureController *self);
void        strata_feature_controller_set_level_visible (StrataFeatureController *self,
                                                         StrataLevel level, gboolean visible);
gboolean    strata_feature_controller_get_level_visible (StrataFeatureController *self,
                                                         StrataLevel level);

/* Outlines, in @level's lane, the passages most like the viewport's
 * selection at that stratum; returns how many (0 clears). The matches are
 * kept (in time order) until another search, a new selection or none
 * (Escape), or new features; "matches-changed" tells. */
guint       strata_feature_controller_find_similar  (StrataFeatureController *self,
                                                     StrataLevel level);
void        strata_feature_controller_clear_matches (StrataFeatureController *self);
const StrataMatch *strata_feature_controller_get_matches (StrataFeatureController *self,
                                                          guint *n_matches, int *level);
/* The match to go to from @from with N (@forward) or Shift+N; -1: none. */
int         strata_feature_controller_step_match    (StrataFeatureController *self,
                                                     double from, gboolean forward);
void        strata_feature_controller_set_threshold (StrataFeatureController *self,
                                                     double threshold);
double      strata_feature_controller_get_threshold (StrataFeatureController *self);
const char *strata_feature_controller_get_search_status (StrataFeatureController *self);

/* Writes the visible feature lanes (and the section ribbon) as one PNG
 * picture, as drawn now. */
gboolean    strata_feature_controller_export_png    (StrataFeatureController *self,
                                                     GFile *file, GError **error);
/* Writes the features as .npz (the arrays of `strata-cli features`:
 * coarse, medium, fine, *_tokens, rates, model_version). */
gboolean    strata_feature_controller_export_npz    (StrataFeatureController *self,
                                                     const char *path, GError **error);

void        strata_feature_controller_export_png_async (StrataFeatureController *self,
                                                        GFile                   *file,
                                                        GCancellable            *cancellable,
                                                        GAsyncReadyCallback      callback,
                                                        gpointer                 user_data);
void        strata_feature_controller_export_npz_async (StrataFeatureController *self,
                                                        const char              *path,
                                                        GCancellable            *cancellable,
                                                        GAsyncReadyCallback      callback,
                                                        gpointer                 user_data);
void        strata_feature_controller_export_sections_async (StrataFeatureController *self,
                                                             const char              *path,
                                                             GCancellable            *cancellable,
                                                             GAsyncReadyCallback      callback,
                                                             gpointer                 user_data);
gboolean    strata_feature_controller_export_finish    (StrataFeatureController *self,
                                                        GAsyncResult            *result,
                                                        GError                 **error);

void     strata_feature_controller_set_markers (StrataFeatureController *self,
                                                const StrataMarker      *markers,
                                                guint                    n_markers);
G_END_DECLS
