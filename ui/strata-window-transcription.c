/* strata-window-transcription.c: the window's transcription: the piano-roll
 * lane and what feeds it, its exports and its sound.
 *
 * When a track loads (or "Transcribe" is chosen) one engine job on the
 * compute queue takes the head (and the foundation model when the head
 * injects features) from the model registry and runs
 * strata_transcription_task through the engine's cache, so a track seen
 * before comes back at once; progress and cancel are the engine's (the
 * window's progress bar, win.cancel). The notes go to the lane, which
 * says "No notes found" for none. Once notes are shown:
 *
 *   - win.export-midi / win.export-notes-csv save them through
 *     ui/strata-export.c (the writers of `strata-cli transcribe`);
 *   - the lane's header drags them as a .mid file, written beforehand on
 *     the I/O queue into a private temporary folder;
 *   - win.play-transcription plays them, synthesised with fluidsynth on the
 *     compute queue (core/tasks/transcription/strata-transcription-synth.h),
 *     mixed against the original at the header's balance;
 *   - a click on a note sounds it on a second, small player, so the main
 *     playback is never disturbed.
 *
 * Threading contract: main thread only; the work runs in engine jobs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include "io/strata-output.h"
#include "playback/strata-stem-mixer.h"
#include "tasks/strata-model-registry.h"
#include "tasks/transcription/strata-transcription-synth.h"
#include "tasks/transcription/strata-transcription-task.h"
#include "strata-export.h"
#include "strata-piano-roll-lane.h"
#include "strata-task-slot.h"
#include "strata-window-private.h"

/* A clicked note sounds this long at most (plus the release). */
#define AUDITION_MAX_S 1.0

#define STRATA_TYPE_WINDOW_TRANSCRIPTION (strata_window_transcription_get_type ())
G_DECLARE_FINAL_TYPE (StrataWindowTranscription, strata_window_transcription, STRATA,
                      WINDOW_TRANSCRIPTION, GObject)

struct _StrataWindowTranscription
{
  GObject parent_instance;

  StrataWindow *window;            /* (unowned) cleared when the window goes */
  StrataEngine *engine;
  StrataPianoRollLane *lane;       /* owned by the timeline */
  GtkAdjustment *balance;          /* 0 = the original only .. 1 = the transcription only */

  StrataTrack *track;              /* (nullable) the track transcribed */
  StrataTranscription *result;     /* (nullable) its notes */
  StrataTaskSlot slot;             /* the transcription job */

  StrataAudio *synth;              /* (nullable) the notes synthesised, the track's length */
  StrataTaskSlot synth_slot;

  StrataPlayer *audition;          /* clicked notes */
  StrataTaskSlot audition_slot;

  char *drag_dir;                  /* (nullable) private folder of the dragged file */
  char *drag_path;                 /* (nullable) the .mid file, once written */
  StrataTaskSlot drag_slot;
};

G_DEFINE_FINAL_TYPE (StrataWindowTranscription, strata_window_transcription, G_TYPE_OBJECT)

static const StrataTaskStage synth_stages[] = {
  { "transcription-synth", N_("Synthesising the notes") },
  { NULL, NULL }
};

static StrataWindowTranscription *
get (StrataWindow *window)
{
  return window->transcription;
}

static GSimpleAction *
lookup (StrataWindowTranscription *self, const char *name)
{
  return G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->window), name));
}

static gboolean
has_notes (StrataWindowTranscription *self)
{
  return self->result != NULL && self->result->notes->len > 0;
}

static void
update_actions (StrataWindowTranscription *self)
{
  if (self->window == NULL)
    return;
  g_simple_action_set_enabled (lookup (self, "transcribe"), self->track != NULL);
  g_simple_action_set_enabled (lookup (self, "export-midi"), self->result != NULL);
  g_simple_action_set_enabled (lookup (self, "export-notes-csv"), self->result != NULL);
  g_simple_action_set_enabled (lookup (self, "play-transcription"), has_notes (self));
}

static gboolean
play_wanted (StrataWindowTranscription *self)
{
  g_autoptr(GVariant) state = g_action_get_state (G_ACTION (lookup (self, "play-transcription")));
  return g_variant_get_boolean (state);
}

/* ---- hearing it ---------------------------------------------------------------- */

/* The mixer's gains for the balance: linear cross-fade, each end silent. */
static void
balance_params (StrataWindowTranscription *self, StrataStemParams params[2])
{
  double b = gtk_adjustment_get_value (self->balance);

  strata_stem_params_init (params, 2);
  params[0].gain_db = b >= 1.0 ? -INFINITY : 20.0 * log10 (1.0 - b);
  params[1].gain_db = b <= 0.0 ? -INFINITY : 20.0 * log10 (b);
}

/* Where the transcription joins playback: an overlay channel "notes" of
 * the window's one live mix (ui/strata-playback-mix), over the original or
 * the stem mix, which plays under it at the balance (0: the music alone, 1:
 * the notes alone). @on FALSE takes the channel out. */
static void
apply_balance (StrataWindowTranscription *self)
{
  StrataStemParams params[2];

  balance_params (self, params);
  strata_playback_mix_set_bed_gain_db (self->window->mix, params[0].gain_db);
  strata_playback_mix_set_gain_db (self->window->mix, "notes", params[1].gain_db);
}

static void
route_playback (StrataWindowTranscription *self, gboolean on)
{
  StrataPlaybackMix *mix = self->window->mix;

  if (mix == NULL)   /* the window is going */
    return;
  if (on && self->synth != NULL && self->track != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (strata_playback_mix_get_channel_audio (mix, "notes") != self->synth
          && !strata_playback_mix_add_channel (mix, "notes", _("Transcription"),
                                               STRATA_PLAYBACK_CHANNEL_OVERLAY, self->synth,
                                               &error))
        {
          _strata_window_show_error (self->window, error->message);
          return;
        }
      apply_balance (self);
      strata_player_play (self->window->player);
    }
  else if (strata_playback_mix_get_channel_audio (mix, "notes") != NULL)
    {
      strata_playback_mix_remove_channel (mix, "notes");
      strata_playback_mix_set_bed_gain_db (mix, 0.0);
    }
  _strata_window_update_position (self->window);
}

static void
balance_changed_cb (StrataWindowTranscription *self)
{
  if (self->window->mix != NULL && strata_playback_mix_get_channel_audio (self->window->mix, "notes") != NULL)
    apply_balance (self);
}

typedef struct {
  GArray *notes;
  gint64 n_frames;               /* -1: the notes' length */
} SynthJob;

static void
synth_job_free (gpointer data)
{
  SynthJob *sj = data;
  g_array_unref (sj->notes);
  g_free (sj);
}

static gpointer
synth_job_run (StrataJob *job, gpointer data, GError **error)
{
  SynthJob *sj = data;
  g_autoptr(StrataNoteSynth) synth = NULL;

  strata_task_register_stages (synth_stages);
  strata_job_progress (job, 0.0, "transcription-synth");
  synth = strata_note_synth_get_default (error);
  if (synth == NULL)
    return NULL;
  return strata_note_synth_render (synth, sj->notes, sj->n_frames, 0,
                                   strata_job_progress_func, strata_job_abort_func, job,
                                   error);
}

static void
synth_job_start (StrataWindowTranscription *self, StrataTaskSlot *slot, GArray *notes,
                 gint64 n_frames, StrataEngineQueue queue, StrataTaskSlotFunc done)
{
  SynthJob *sj = g_new0 (SynthJob, 1);
  GCancellable *cancellable = strata_task_slot_restart (slot);

  sj->notes = g_array_ref (notes);
  sj->n_frames = n_frames;
  strata_engine_run_on_async (self->engine, queue, "transcription-synth", synth_job_run, sj,
                              synth_job_free, (GDestroyNotify) strata_audio_unref, cancellable,
                              strata_task_slot_ready, strata_task_slot_bind (slot, self, done));
}

static void
synth_done_cb (gpointer owner, GObject *source, GAsyncResult *result, gboolean current)
{
  StrataWindowTranscription *self = owner;
  g_autoptr(GError) error = NULL;
  StrataAudio *audio = strata_engine_run_finish (STRATA_ENGINE (source), result, &error);

  if (!current || self->window == NULL)
    {
      g_clear_pointer (&audio, strata_audio_unref);
      return;
    }
  if (audio == NULL)
    {
      g_simple_action_set_state (lookup (self, "play-transcription"), g_variant_new_boolean (FALSE));
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _strata_window_show_error (self->window, error->message);
      return;
    }
  self->synth = audio;
  if (play_wanted (self))
    route_playback (self, TRUE);
}

static void
play_transcription_change_state (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  StrataWindowTranscription *self = get (user_data);
  gboolean on = g_variant_get_boolean (value);

  g_simple_action_set_state (action, value);
  if (on && self->synth == NULL)
    {
      if (!strata_task_slot_is_busy (&self->synth_slot) && has_notes (self))
        synth_job_start (self, &self->synth_slot, self->result->notes,
                         strata_audio_get_n_frames (strata_track_get_audio (self->track)),
                         STRATA_ENGINE_QUEUE_COMPUTE, synth_done_cb);
      return;   /* plays when the synthesis lands */
    }
  route_playback (self, on);
}

static void
audition_done_cb (gpointer owner, GObject *source, GAsyncResult *result, gboolean current)
{
  StrataWindowTranscription *self = owner;
  g_autoptr(GError) error = NULL;
  StrataAudio *audio = strata_engine_run_finish (STRATA_ENGINE (source), result, &error);

  if (audio != NULL && current && self->window != NULL)
    {
      strata_player_set_audio (self->audition, audio);
      strata_player_play (self->audition);
    }
  else if (audio == NULL && current && self->window != NULL
           && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _strata_window_show_error (self->window, error->message);
  g_clear_pointer (&audio, strata_audio_unref);
}

/* A clicked note: synthesised alone from time 0 (a short job, on the I/O
 * queue so that it never waits behind a transcription), then played on
 * the audition player. */
static void
note_activated_cb (StrataWindowTranscription *self, guint index)
{
  const GArray *notes = strata_piano_roll_lane_get_notes (self->lane);
  g_autoptr(GArray) one = g_array_sized_new (FALSE, FALSE, sizeof (StrataTimedNote), 1);
  StrataTimedNote n;

  g_return_if_fail (index < notes->len);
  n = g_array_index (notes, StrataTimedNote, index);
  n.offset = MIN (n.offset - n.onset, AUDITION_MAX_S);
  n.onset = 0.0;
  g_array_append_val (one, n);
  strata_player_stop (self->audition);
  synth_job_start (self, &self->audition_slot, one, -1, STRATA_ENGINE_QUEUE_IO, audition_done_cb);
}

/* ---- exports ------------------------------------------------------------------ */

static GBytes *
export_bytes (StrataWindowTranscription *self, gboolean csv)
{
  return csv ? strata_notes_to_csv (self->result->notes)
             : strata_notes_to_smf (self->result->notes, self->result->tempo_bpm);
}

/**
 * _strata_window_transcription_export_async:
 * @window: a #StrataWindow
 * @path: the file to write
 * @csv: %TRUE for the notes as CSV, %FALSE for a Standard MIDI File
 * @cancellable: (nullable): cancels the export before it writes
 * @callback: called on the main thread
 * @user_data: for @callback
 *
 * Writes the shown notes as `strata-cli transcribe -o OUT.mid` or `--csv`
 * does, on the engine's I/O queue (the bytes are made here); finish with
 * strata_window_export_finish().
 */
void
_strata_window_transcription_export_async (StrataWindow *window, const char *path, gboolean csv,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data)
{
  StrataWindowTranscription *self = get (window);
  g_autoptr(GBytes) bytes = NULL;

  if (self->result == NULL)
    {
      g_task_report_new_error (self->engine, callback, user_data, NULL, G_IO_ERROR,
                               G_IO_ERROR_FAILED, "%s", _("There is no transcription to export yet"));
      return;
    }
  bytes = export_bytes (self, csv);
  _strata_export_bytes_async (self->engine, bytes, path, strata_track_get_path (self->track),
                              cancellable, callback, user_data);
}

static void
export_response_cb (GtkNativeDialog *dialog, int response, StrataWindow *window)
{
  gboolean csv = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "strata-export-csv"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL && g_file_peek_path (file) != NULL)
        _strata_window_transcription_export_async (window, g_file_peek_path (file), csv, NULL,
                                                   _strata_window_export_done,
                                                   g_object_ref (window));
    }
  g_clear_object (&window->chooser);
}

static void
export_action (StrataWindow *window, gboolean csv)
{
  if (window->chooser != NULL)
    return;
  _strata_window_show_save_dialog (window, csv ? _("Export Notes as CSV") : _("Export MIDI"),
                                   csv ? "-notes.csv" : ".mid", G_CALLBACK (export_response_cb));
  if (window->chooser != NULL)
    g_object_set_data (G_OBJECT (window->chooser), "strata-export-csv", GINT_TO_POINTER (csv));
}

static void
export_midi_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  export_action (user_data, FALSE);
}

static void
export_csv_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  export_action (user_data, TRUE);
}

/* ---- drag and drop -------------------------------------------------------------- */

typedef struct {
  char *dir;
  char *path;
  GBytes *bytes;
} DragJob;

static void
drag_job_free (gpointer data)
{
  DragJob *dj = data;
  g_free (dj->dir);
  g_free (dj->path);
  g_bytes_unref (dj->bytes);
  g_free (dj);
}

/* The folder is the window's own: the files of earlier tracks go. */
static void
remove_other_files (const char *dir, const char *keep)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_strcmp0 (path, keep) != 0)
        g_unlink (path);
    }
}

static gpointer
drag_job_run (StrataJob *job, gpointer data, GError **error)
{
  DragJob *dj = data;

  if (g_mkdir_with_parents (dj->dir, 0700) != 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e),
                   _("Could not create the folder “%s”: %s"), dj->dir, g_strerror (e));
      return NULL;
    }
  remove_other_files (dj->dir, dj->path);
  if (!strata_output_write_bytes (dj->path, NULL, dj->bytes, error))
    return NULL;
  return g_strdup (dj->path);
}

static void
drag_done_cb (gpointer owner, GObject *source, GAsyncResult *result, gboolean current)
{
  StrataWindowTranscription *self = owner;
  g_autoptr(GError) error = NULL;
  char *path = strata_engine_run_finish (STRATA_ENGINE (source), result, &error);

  if (!current)
    {
      g_free (path);
      return;
    }
  if (path == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("the piano roll cannot be dragged: %s", error->message);
  g_free (self->drag_path);
  self->drag_path = path;
}

/* Writes the notes as a .mid named after the track, for dragging. */
static void
prepare_drag_file (StrataWindowTranscription *self)
{
  DragJob *dj;
  g_autofree char *base = g_path_get_basename (strata_track_get_path (self->track));
  char *dot = strrchr (base, '.');
  GCancellable *cancellable;

  if (dot != NULL)
    *dot = '\0';
  if (self->drag_dir == NULL)
    {
      g_autofree char *name = g_strdup_printf ("strata-drag-%d-%p", (int) getpid (), (void *) self);
      self->drag_dir = g_build_filename (g_get_user_cache_dir (), "strata", name, NULL);
    }
  dj = g_new0 (DragJob, 1);
  dj->dir = g_strdup (self->drag_dir);
  dj->path = g_strconcat (self->drag_dir, G_DIR_SEPARATOR_S, base, ".mid", NULL);
  dj->bytes = export_bytes (self, FALSE);
  g_clear_pointer (&self->drag_path, g_free);
  cancellable = strata_task_slot_restart (&self->drag_slot);
  strata_engine_run_on_async (self->engine, STRATA_ENGINE_QUEUE_IO, "export", drag_job_run, dj,
                              drag_job_free, g_free, cancellable, strata_task_slot_ready,
                              strata_task_slot_bind (&self->drag_slot, self, drag_done_cb));
}

/**
 * _strata_window_transcription_drag_content:
 * @window: a #StrataWindow
 *
 * What dragging the piano roll's header carries: the notes as a .mid file
 * (a #GFile, offered as text/uri-list), once it is written.
 *
 * Returns: (transfer full) (nullable): the content, or %NULL (nothing to drag yet)
 */
GdkContentProvider *
_strata_window_transcription_drag_content (StrataWindow *window)
{
  StrataWindowTranscription *self = get (window);
  g_autoptr(GFile) file = NULL;

  if (self->drag_path == NULL || !has_notes (self))
    return NULL;
  file = g_file_new_for_path (self->drag_path);
  return gdk_content_provider_new_typed (G_TYPE_FILE, file);
}

static GdkContentProvider *
drag_prepare_cb (GtkDragSource *source, double x, double y, StrataWindowTranscription *self)
{
  return self->window ? _strata_window_transcription_drag_content (self->window) : NULL;
}

/* ---- the transcription job -------------------------------------------------------- */

static void
transcribe_done_cb (gpointer owner, GObject *source, GAsyncResult *result, gboolean current)
{
  StrataWindowTranscription *self = owner;
  g_autoptr(GError) error = NULL;
  StrataTranscription *tr = strata_engine_run_finish (STRATA_ENGINE (source), result, &error);

  if (!current || self->window == NULL)
    {
      g_clear_pointer (&tr, strata_transcription_free);
      return;
    }
  if (tr == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        strata_piano_roll_lane_set_message (self->lane, _("Transcription cancelled"));
      else if (g_error_matches (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_NOT_FOUND))
        strata_piano_roll_lane_set_message (self->lane,
                                            _("No transcription model installed (strata-transcription.safetensors)"));
      else
        strata_piano_roll_lane_set_message (self->lane, error->message);
      return;
    }
  self->result = tr;
  strata_piano_roll_lane_set_notes (self->lane, tr->notes);
  strata_piano_roll_lane_set_message (self->lane, tr->notes->len ? NULL : _("No notes found"));
  if (tr->notes->len > 0)
    prepare_drag_file (self);
  update_actions (self);
}

/* Drops what was shown (and what plays) and transcribes the track anew. */
static void
start (StrataWindowTranscription *self)
{
  GCancellable *cancellable;

  strata_task_slot_drop (&self->slot);
  strata_task_slot_drop (&self->synth_slot);
  strata_task_slot_drop (&self->drag_slot);
  if (play_wanted (self))
    {
      route_playback (self, FALSE);
      g_simple_action_set_state (lookup (self, "play-transcription"), g_variant_new_boolean (FALSE));
    }
  g_clear_pointer (&self->synth, strata_audio_unref);
  g_clear_pointer (&self->result, strata_transcription_free);
  g_clear_pointer (&self->drag_path, g_free);
  strata_piano_roll_lane_set_notes (self->lane, NULL);
  strata_piano_roll_lane_set_message (self->lane, NULL);
  update_actions (self);
  /* A hidden lane transcribes when it is shown (or on win.transcribe). */
  if (self->track == NULL || !gtk_widget_get_visible (GTK_WIDGET (self->lane)))
    return;

  strata_piano_roll_lane_set_message (self->lane, _("Transcribing…"));
  cancellable = strata_task_slot_restart (&self->slot);
  strata_head_task_run_async (self->engine, &strata_transcription_head_task,
                              strata_track_get_path (self->track),
                              strata_track_get_hash (self->track),
                              strata_track_get_audio (self->track), cancellable,
                              strata_task_slot_ready,
                              strata_task_slot_bind (&self->slot, self, transcribe_done_cb));
}

static void
transcribe_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StrataWindowTranscription *self = get (user_data);

  /* Shows the lane if it was hidden: the result lands there. */
  gtk_widget_set_visible (GTK_WIDGET (self->lane), TRUE);
  start (self);
}

static void
lane_visible_cb (StrataWindowTranscription *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self->lane)) && self->result == NULL
      && !strata_task_slot_is_busy (&self->slot))
    start (self);
}

static const GActionEntry transcription_entries[] = {
  { .name = "transcribe", .activate = transcribe_action },
  { .name = "export-midi", .activate = export_midi_action },
  { .name = "export-notes-csv", .activate = export_csv_action },
  { .name = "play-transcription", .state = "false", .change_state = play_transcription_change_state },
};

/* ---- GObject -------------------------------------------------------------------- */

static void
strata_window_transcription_dispose (GObject *object)
{
  StrataWindowTranscription *self = STRATA_WINDOW_TRANSCRIPTION (object);

  strata_task_slot_drop (&self->slot);
  strata_task_slot_drop (&self->synth_slot);
  strata_task_slot_drop (&self->audition_slot);
  strata_task_slot_drop (&self->drag_slot);
  if (self->audition != NULL)
    strata_player_set_audio (self->audition, NULL);
  g_clear_object (&self->audition);
  g_clear_object (&self->balance);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->synth, strata_audio_unref);
  g_clear_pointer (&self->result, strata_transcription_free);
  g_clear_pointer (&self->track, strata_track_unref);
  G_OBJECT_CLASS (strata_window_transcription_parent_class)->dispose (object);
}

static void
strata_window_transcription_finalize (GObject *object)
{
  StrataWindowTranscription *self = STRATA_WINDOW_TRANSCRIPTION (object);

  /* The dragged file is the drop target's copy by now. */
  if (self->drag_path != NULL)
    g_unlink (self->drag_path);
  if (self->drag_dir != NULL)
    g_rmdir (self->drag_dir);
  g_free (self->drag_path);
  g_free (self->drag_dir);
  G_OBJECT_CLASS (strata_window_transcription_parent_class)->finalize (object);
}

static void
strata_window_transcription_class_init (StrataWindowTranscriptionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = strata_window_transcription_dispose;
  G_OBJECT_CLASS (klass)->finalize = strata_window_transcription_finalize;
}

static void
strata_window_transcription_init (StrataWindowTranscription *self)
{
  strata_task_slot_init (&self->slot);
  strata_task_slot_init (&self->synth_slot);
  strata_task_slot_init (&self->audition_slot);
  strata_task_slot_init (&self->drag_slot);
}

/* The lane's label column: the title, Play Transcription, the balance,
 * and the whole header is the drag handle of the .mid file. */
static GtkWidget *
header_new (StrataWindowTranscription *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *title = gtk_label_new (_("Piano Roll"));
  GtkWidget *play = gtk_toggle_button_new ();
  GtkWidget *scale = gtk_scale_new (GTK_ORIENTATION_HORIZONTAL, self->balance);
  GtkDragSource *drag = gtk_drag_source_new ();

  gtk_label_set_xalign (GTK_LABEL (title), 0.0);
  gtk_widget_set_tooltip_text (title, _("Drag to save the notes as a MIDI file"));
  gtk_button_set_icon_name (GTK_BUTTON (play), "media-playback-start-symbolic");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (play), "win.play-transcription");
  gtk_widget_set_tooltip_text (play, _("Play Transcription"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (play), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Play Transcription"), -1);
  gtk_widget_add_css_class (play, "flat");
  gtk_scale_set_draw_value (GTK_SCALE (scale), FALSE);
  /* Fixed: an expanding child would widen the whole label column. */
  gtk_widget_set_size_request (scale, 72, -1);
  gtk_widget_set_tooltip_text (scale, _("Balance: the original (left) against the transcription (right)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (scale), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Balance of the transcription against the original"), -1);
  gtk_box_append (GTK_BOX (row), play);
  gtk_box_append (GTK_BOX (row), scale);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), row);
  gtk_widget_set_valign (box, GTK_ALIGN_START);
  gtk_widget_set_size_request (box, 110, -1);

  gtk_drag_source_set_actions (drag, GDK_ACTION_COPY);
  g_signal_connect (drag, "prepare", G_CALLBACK (drag_prepare_cb), self);
  gtk_widget_add_controller (box, GTK_EVENT_CONTROLLER (drag));
  return box;
}

/**
 * _strata_window_transcription_init:
 * @window: a #StrataWindow
 *
 * Adds the piano-roll lane to the timeline and the transcription's actions
 * (enabled once there is something to act on).
 */
void
_strata_window_transcription_init (StrataWindow *window)
{
  StrataWindowTranscription *self = g_object_new (STRATA_TYPE_WINDOW_TRANSCRIPTION, NULL);

  window->transcription = self;
  self->window = window;
  self->engine = g_object_ref (window->engine);
  self->balance = g_object_ref_sink (gtk_adjustment_new (0.5, 0.0, 1.0, 0.05, 0.25, 0.0));
  g_signal_connect_swapped (self->balance, "value-changed", G_CALLBACK (balance_changed_cb), self);
  self->audition = strata_player_new ();
  self->lane = STRATA_PIANO_ROLL_LANE (strata_piano_roll_lane_new ());
  strata_lane_set_header (STRATA_LANE (self->lane), header_new (self));
  g_signal_connect_swapped (self->lane, "note-activated", G_CALLBACK (note_activated_cb), self);
  g_signal_connect_swapped (self->lane, "notify::visible", G_CALLBACK (lane_visible_cb), self);
  strata_timeline_add_lane (window->timeline, STRATA_LANE (self->lane));
  g_action_map_add_action_entries (G_ACTION_MAP (window), transcription_entries,
                                   G_N_ELEMENTS (transcription_entries), window);
  update_actions (self);
}

/**
 * _strata_window_transcription_set_track:
 * @window: a #StrataWindow
 * @track: (nullable): the track now open
 *
 * Transcribes @track in the background (from the cache when it was
 * transcribed before) while the lane is shown; stops playing a previous
 * transcription.
 */
void
_strata_window_transcription_set_track (StrataWindow *window, StrataTrack *track)
{
  StrataWindowTranscription *self = get (window);

  if (track != NULL)
    strata_track_ref (track);
  g_clear_pointer (&self->track, strata_track_unref);
  self->track = track;
  /* set_track() gave the mix the plain track already (no channels) */
  if (self->window->mix != NULL)
    strata_playback_mix_set_bed_gain_db (self->window->mix, 0.0);
  start (self);
}

/**
 * _strata_window_transcription_cancel:
 * @window: a #StrataWindow
 *
 * Cancels the running transcription or synthesis (the lane says so).
 */
void
_strata_window_transcription_cancel (StrataWindow *window)
{
  StrataWindowTranscription *self = get (window);

  if (self == NULL)
    return;
  strata_task_slot_cancel (&self->slot);
  strata_task_slot_cancel (&self->synth_slot);
}

/**
 * _strata_window_transcription_dispose:
 * @window: a #StrataWindow
 *
 * Cancels the jobs and lets go of the window.
 */
void
_strata_window_transcription_dispose (StrataWindow *window)
{
  StrataWindowTranscription *self = get (window);

  if (self == NULL)
    return;
  self->window = NULL;
  window->transcription = NULL;
  g_object_run_dispose (G_OBJECT (self));
  g_object_unref (self);
}

/**
 * _strata_window_get_piano_roll:
 * @window: a #StrataWindow
 *
 * Returns: (transfer none): the piano-roll lane
 */
StrataPianoRollLane *
_strata_window_get_piano_roll (StrataWindow *window)
{
  return get (window)->lane;
}

/**
 * _strata_window_get_transcription:
 * @window: a #StrataWindow
 *
 * Returns: (transfer none) (nullable): the notes shown, with the tempo
 */
const StrataTranscription *
_strata_window_get_transcription (StrataWindow *window)
{
  return get (window)->result;
}

/**
 * _strata_window_get_transcription_balance:
 * @window: a #StrataWindow
 *
 * Returns: (transfer none): the balance of the transcription against the
 *   original, 0 (original only) .. 1 (transcription only)
 */
GtkAdjustment *
_strata_window_get_transcription_balance (StrataWindow *window)
{
  return get (window)->balance;
}

/**
 * _strata_window_get_transcription_audio:
 * @window: a #StrataWindow
 *
 * Returns: (transfer none) (nullable): the synthesised notes, once made
 */
StrataAudio *
_strata_window_get_transcription_audio (StrataWindow *window)
{
  return get (window)->synth;
}

/**
 * _strata_window_get_audition_player:
 * @window: a #StrataWindow
 *
 * Returns: (transfer none): the player of clicked notes
 */
StrataPlayer *
_strata_window_get_audition_player (StrataWindow *window)
{
  return get (window)->audition;
}
