/* strata-window-private.h: what strata-window.c and strata-window-actions.c
 * share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "strata-feature-controller.h"
#include "strata-feature-bar.h"
#include "strata-spectrogram-lane.h"
#include "strata-waveform-lane.h"
#include "strata-window.h"

G_BEGIN_DECLS

struct _StrataWindow
{
  AdwApplicationWindow parent_instance;

  /* Template children. */
  AdwWindowTitle *window_title;
  GMenu *recent_section;
  GtkRevealer *error_revealer;
  GtkLabel *error_label;
  GtkRevealer *progress_revealer;
  GtkLabel *stage_label;
  GtkProgressBar *progress_bar;
  GtkStack *stack;
  StrataTimeline *timeline;
  StrataFeatureBar *strata_bar;
  GtkButton *play_button;
  GtkLabel *position_label;
  GtkLabel *loop_label;
  GtkRevealer *side_revealer;    /* the side panel (tags, mixing suggestions) */
  GtkStack *side_stack;
  GtkWidget *side_switcher;
  GtkWidget *side_placeholder;

  StrataEngine *engine;
  StrataPlayer *player;
  StrataTrack *track;            /* (nullable) the open track */
  StrataWaveformLane *waveform;  /* lanes of the timeline, fed when a track opens */
  StrataSpectrogramLane *spectrogram;
  GCancellable *load_cancellable; /* (nullable) while a load runs */
  GSettings *settings;           /* (nullable) */
  GtkRecentManager *recent;
  guint tick_id;
  gint64 label_time;             /* frame time of the last label update */
  GtkFileChooserNative *chooser;
  StrataFeatureController *features; /* the feature strata under the spectrogram */
  GtkWidget *similar_page;       /* the similarity search's side page (the panel owns it) */
};

void _strata_window_add_actions               (StrataWindow *self);
void _strata_window_set_track_actions_enabled (StrataWindow *self, gboolean enabled);
void _strata_window_show_error                (StrataWindow *self, const char *message);
void _strata_window_update_position           (StrataWindow *self);
void _strata_window_apply_loop                (StrataWindow *self);
void _strata_window_show_save_dialog          (StrataWindow *self, const char *title,
                                               const char *suffix, GCallback response_cb);
void _strata_window_features_init             (StrataWindow *self);
void _strata_window_features_dispose          (StrataWindow *self);

/* strata-window-actions.c: the callback of every export (data: a window
 * reference); a failure shows in the error bar. */
void _strata_window_export_done (GObject *source, GAsyncResult *result, gpointer data);

G_END_DECLS
