/* strata-window-private.h: what strata-window.c and strata-window-actions.c
 * share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "strata-feature-controller.h"
#include "strata-feature-bar.h"
#include "strata-ruler-lane.h"
#include "strata-piano-roll-lane.h"
#include "strata-playback-mix.h"
#include "strata-spectrogram-lane.h"
#include "strata-task-slot.h"
#include "strata-waveform-lane.h"
#include "tasks/transcription/strata-transcription-task.h"
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
  StrataRulerLane *ruler;        /* lanes of the timeline, fed when a track opens */
  StrataWaveformLane *waveform;
  StrataSpectrogramLane *spectrogram;
  GCancellable *load_cancellable; /* (nullable) while a load runs */
  GSettings *settings;           /* (nullable) */
  GtkRecentManager *recent;
  guint tick_id;
  gint64 label_time;             /* frame time of the last label update */
  GtkFileChooserNative *chooser;
  StrataFeatureController *features; /* the feature strata under the spectrogram */
  GArray *markers;               /* StrataMarker, in time order, of the open track */
  guint n_markers_made;          /* for the next default name */
  GtkListBox *marker_list;       /* in the side panel's Markers page */
  GtkWidget *marker_page;        /* (owned) added to the panel with the first marker */
  struct _StrataWindowTranscription *transcription; /* the piano roll (strata-window-transcription.c) */

  /* strata-window-stems.c */
  StrataPlaybackMix *mix;        /* the player's one source */
  GPtrArray *stem_lanes;         /* of StrataStemLane, a pool: the first n_stems show */
  guint n_stems;
  char **stem_paths;             /* (nullable) the shown stems' files ("" for none) */
  char *stems_origin;            /* (nullable) */
  char *stems_job_origin;        /* (nullable) of the job in stems_slot */
  StrataTaskSlot stems_slot;
  StrataTaskSlot separation_slot; /* strata-window-separation.c */
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
void _strata_window_separation_init           (StrataWindow *self);
void _strata_window_separation_cancel         (StrataWindow *self);
gboolean _strata_window_separation_busy       (StrataWindow *self);
void _strata_window_markers_init              (StrataWindow *self);
void _strata_window_markers_reset             (StrataWindow *self);
void _strata_window_markers_dispose           (StrataWindow *self);

/* strata-window-transcription.c: the piano-roll lane, its job, exports,
 * drag and sound. */
void _strata_window_transcription_init        (StrataWindow *self);
void _strata_window_transcription_set_track   (StrataWindow *self, StrataTrack *track);
void _strata_window_transcription_cancel      (StrataWindow *self);
void _strata_window_transcription_dispose     (StrataWindow *self);
void _strata_window_transcription_export_async (StrataWindow *self, const char *path,
                                                gboolean csv, GCancellable *cancellable,
                                                GAsyncReadyCallback callback, gpointer user_data);
GdkContentProvider        *_strata_window_transcription_drag_content (StrataWindow *self);
StrataPianoRollLane       *_strata_window_get_piano_roll            (StrataWindow *self);
const StrataTranscription *_strata_window_get_transcription         (StrataWindow *self);
GtkAdjustment             *_strata_window_get_transcription_balance (StrataWindow *self);
StrataAudio               *_strata_window_get_transcription_audio   (StrataWindow *self);
StrataPlayer              *_strata_window_get_audition_player       (StrataWindow *self);
void _strata_window_set_track                 (StrataWindow *self, StrataTrack *track);
void _strata_window_stems_init                (StrataWindow *self);
void _strata_window_stems_dispose             (StrataWindow *self);
void _strata_window_stems_cancel              (StrataWindow *self);
void _strata_window_stems_track_changed       (StrataWindow *self, StrataAudio *audio);

/* strata-window-actions.c: the callback of every export (data: a window
 * reference); a failure shows in the error bar. */
void _strata_window_export_done (GObject *source, GAsyncResult *result, gpointer data);

/* The "Audio Files" filter of the open dialogs: what the decoders read, and
 * not MIDI. (transfer full) */
GtkFileFilter *strata_audio_file_filter_new (void);

G_END_DECLS
