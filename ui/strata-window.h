/* strata-window.h: the main window: header bar, error bar, progress, the
 * timeline and the transport bar.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include "engine/strata-engine.h"
#include "playback/strata-player.h"
#include "strata-feature-controller.h"
#include "strata-playback-mix.h"
#include "strata-stem-lane.h"
#include "strata-timeline.h"

G_BEGIN_DECLS

#define STRATA_TYPE_WINDOW (strata_window_get_type ())
G_DECLARE_FINAL_TYPE (StrataWindow, strata_window, STRATA, WINDOW, AdwApplicationWindow)

StrataWindow   *strata_window_new            (GtkApplication *app, StrataEngine *engine);
/* Starts loading @file in the background; on success it replaces the open
 * track, on failure the error bar names the file and the reason. */
void            strata_window_open           (StrataWindow *self, GFile *file);
gboolean        strata_window_get_loading    (StrataWindow *self);
StrataTrack    *strata_window_get_track      (StrataWindow *self);   /* (transfer none) (nullable) */
StrataPlayer   *strata_window_get_player     (StrataWindow *self);   /* (transfer none) */
/* The open track's markers (StrataMarker), in time order. (transfer none) */
const GArray   *strata_window_get_markers    (StrataWindow *self);
StrataTimeline *strata_window_get_timeline   (StrataWindow *self);   /* (transfer none) */
/* Saves the timeline as it is shown as a PNG image. */
gboolean        strata_window_export_picture (StrataWindow *self, GFile *file, GError **error);
void            strata_window_export_picture_async (StrataWindow        *self,
                                                    GFile               *file,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean        strata_window_export_finish  (StrataWindow *self, GAsyncResult *result,
                                              GError **error);
/* The feature strata (section ribbon, coarse/medium/fine lanes): computed
 * after each track loads. (transfer none) */
StrataFeatureController *strata_window_get_feature_controller (StrataWindow *self);
/* The side page listing similar passages (a StrataSimilarPage). (transfer none) */
GtkWidget      *strata_window_get_similar_page (StrataWindow *self);
/* The side panel (right; action "win.side-panel", F9; open state kept in
 * GSettings). Adds @page under @name, titled @title (translated), and
 * makes it the panel's visible page. */
void            strata_window_add_side_page  (StrataWindow *self, const char *name,
                                              const char *title, GtkWidget *page);
gboolean        strata_window_get_side_panel_open (StrataWindow *self);
/* Stems (strata-window-stems.c): stem lanes fed by decoded stems or a
 * folder of stem files, played through the window's playback mix. */
void            strata_window_set_stems      (StrataWindow       *self,
                                              StrataAudio *const *stems,
                                              const char *const  *names,
                                              guint               n,
                                              const char         *origin);
void            strata_window_open_stems     (StrataWindow *self, GFile *folder);
gboolean        strata_window_get_stems_loading (StrataWindow *self);
guint           strata_window_get_n_stems    (StrataWindow *self);
StrataStemLane *strata_window_get_stem_lane  (StrataWindow *self, guint index);   /* (transfer none) */
StrataPlaybackMix *strata_window_get_playback_mix (StrataWindow *self);           /* (transfer none) */
/* Finish both with strata_window_export_finish(). */
void            strata_window_export_stems_async    (StrataWindow        *self,
                                                     const char          *folder,
                                                     StrataAudioFormat    format,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
void            strata_window_export_stem_mix_async (StrataWindow        *self,
                                                     const char          *path,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
/* The error bar's message when it is shown, else NULL. */
const char     *strata_window_get_error      (StrataWindow *self);

G_END_DECLS
