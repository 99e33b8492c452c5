/* strata-window-stems.c: the window's stems: the stem lanes under the
 * other lanes, the playback mix they feed, "Open Stems Folder…" (menu,
 * Ctrl+Shift+O, or a folder dropped on the window), the original/stem-mix
 * switch, and the stem exports.
 *
 * Stems reach the window as decoded audio (strata_window_set_stems(), e.g.
 * from the separator) or as a folder of files (strata_window_open_stems()).
 * Either way one engine job on the I/O queue fits them to the track's
 * length (or, with no track open, the longest stem's, and their sum becomes
 * the track, with its waveform and spectrogram) and computes each stem's
 * waveform peaks; the main thread then shows the lanes and gives the stems
 * to the playback mix. Progress shows in the window's bar and Cancel stops
 * the job; a new track, new stems or Cancel drop a job's late result.
 *
 * The lanes are kept in a pool and hidden when unused (the timeline has no
 * removal), so a new set of stems reuses them with fresh controls.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include "io/strata-output.h"
#include "playback/strata-stem-folder.h"
#include "tasks/strata-task.h"
#include "tasks/strata-track.h"
#include "strata-stem-lane.h"
#include "strata-window-private.h"

static const StrataTaskStage stem_stages[] = {
  { "stems", N_("Reading stems") },
  { "stem-peaks", N_("Drawing stems") },
  { "stem-export", N_("Saving stems") },
  { NULL, NULL }
};

/* ---- the job: fit, sum, peaks -------------------------------------------------- */

typedef struct {
  char *folder;             /* (nullable) read this folder, or: */
  StrataAudio **stems;      /* (n) given stems */
  char **names;             /* their names, which say their families */
  guint n;
  gint64 track_frames;      /* -1: no track, the stems make one */
  char *origin;             /* the folder, or what the stems came from */
} StemsJob;

typedef struct {
  StrataStemFolder *stems;  /* fitted stems, names, families, paths, notes */
  StrataPeaks **peaks;      /* (stems->n_stems) */
  StrataTrack *track;       /* (nullable) their sum, when no track was open */
} StemsResult;

static void
stems_job_free (gpointer data)
{
  StemsJob *job = data;

  g_free (job->folder);
  for (guint i = 0; i < job->n; i++)
    strata_audio_unref (job->stems[i]);
  g_free (job->stems);
  g_strfreev (job->names);
  g_free (job->origin);
  g_free (job);
}

static void
stems_result_free (gpointer data)
{
  StemsResult *res = data;

  for (guint i = 0; res->peaks && i < res->stems->n_stems; i++)
    g_clear_pointer (&res->peaks[i], strata_peaks_free);
  g_free (res->peaks);
  g_clear_pointer (&res->stems, strata_stem_folder_free);
  g_clear_pointer (&res->track, strata_track_unref);
  g_free (res);
}

/* The sum of the stems as a track, with its summaries. */
static StrataTrack *
make_track (StemsJob *job, StrataStemFolder *f, StrataJob *sj, GError **error)
{
  g_autoptr(StrataAudio) sum = strata_audio_sum (f->stems, f->n_stems);
  const float *s = strata_audio_get_samples (sum);
  gint64 n = strata_audio_get_n_frames (sum);
  g_autofree char *hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) s,
                                                       (gsize) n * STRATA_CHANNELS * sizeof (float));
  StrataPeaks *peaks;
  StrataSpecgram *spec;

  strata_job_progress (sj, 0.7, "peaks");
  peaks = strata_peaks_new (s, n, NULL, strata_job_abort_func, sj);
  strata_job_progress (sj, 0.75, "spectrogram");
  spec = peaks ? strata_specgram_new (s, n, NULL, strata_job_abort_func, sj) : NULL;
  if (spec == NULL)
    {
      g_clear_pointer (&peaks, strata_peaks_free);
      if (!g_cancellable_set_error_if_cancelled (strata_job_get_cancellable (sj), error))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of memory"));
      return NULL;
    }
  return strata_track_new (job->origin, NULL, hash, sum, peaks, spec);
}

static void
job_progress (double fraction, const char *stage, void *sj)
{
  strata_job_progress (sj, 0.7 * fraction, "stems");
}

static gpointer
stems_job_run (StrataJob *sj, gpointer data, GError **error)
{
  StemsJob *job = data;
  StemsResult *res = g_new0 (StemsResult, 1);

  strata_task_register_stages (stem_stages);
  strata_job_progress (sj, 0.0, "stems");
  if (job->folder != NULL)
    res->stems = strata_stem_folder_load (job->folder, job->track_frames, job_progress, sj,
                                          strata_job_get_cancellable (sj), error);
  else
    res->stems = strata_stem_folder_new (job->stems, (const char *const *) job->names, NULL, job->n,
                                         job->track_frames);
  if (res->stems == NULL)
    goto fail;
  if (job->track_frames < 0 && (res->track = make_track (job, res->stems, sj, error)) == NULL)
    goto fail;

  res->peaks = g_new0 (StrataPeaks *, res->stems->n_stems);
  for (guint i = 0; i < res->stems->n_stems; i++)
    {
      StrataAudio *a = res->stems->stems[i];

      strata_job_progress (sj, 0.9 + 0.1 * i / res->stems->n_stems, "stem-peaks");
      res->peaks[i] = strata_peaks_new (strata_audio_get_samples (a), strata_audio_get_n_frames (a),
                                        NULL, strata_job_abort_func, sj);
      if (res->peaks[i] == NULL)
        {
          if (!g_cancellable_set_error_if_cancelled (strata_job_get_cancellable (sj), error))
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Out of memory"));
          goto fail;
        }
    }
  return res;

fail:
  stems_result_free (res);
  return NULL;
}

/* ---- lanes and the mix ------------------------------------------------------- */

static void
lane_changed_cb (StrataStemLane *lane, GParamSpec *pspec, StrataWindow *self)
{
  const char *id = strata_stem_lane_get_id (lane);

  if (id == NULL)
    return;
  strata_playback_mix_set_gain_db (self->mix, id, strata_stem_lane_get_gain_db (lane));
  strata_playback_mix_set_pan (self->mix, id, strata_stem_lane_get_pan (lane));
  strata_playback_mix_set_mute (self->mix, id, strata_stem_lane_get_mute (lane));
  strata_playback_mix_set_solo (self->mix, id, strata_stem_lane_get_solo (lane));
  gtk_widget_set_opacity (GTK_WIDGET (lane), strata_stem_lane_get_mute (lane) ? 0.45 : 1.0);
}

static void
set_stem_actions_enabled (StrataWindow *self)
{
  static const char *names[] = { "export-stems", "export-stem-mix", "play-original" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), names[i])),
                                 self->n_stems > 0);
}

/* Hides every stem lane and takes the stems out of the mix. */
static void
clear_stems (StrataWindow *self)
{
  for (guint i = 0; i < self->stem_lanes->len; i++)
    {
      StrataStemLane *lane = g_ptr_array_index (self->stem_lanes, i);
      strata_stem_lane_set_peaks (lane, NULL, NULL);
      gtk_widget_set_visible (GTK_WIDGET (lane), FALSE);
    }
  self->n_stems = 0;
  g_clear_pointer (&self->stem_paths, g_strfreev);
  g_clear_pointer (&self->stems_origin, g_free);
  strata_playback_mix_clear_channels (self->mix);
  set_stem_actions_enabled (self);
}

/**
 * _strata_window_stems_track_changed:
 * @self: a #StrataWindow
 * @audio: (nullable): the new track's audio
 *
 * A new track: the mix plays it alone, the stem lanes go, a stems job
 * still running for the old track is dropped.
 */
void
_strata_window_stems_track_changed (StrataWindow *self, StrataAudio *audio)
{
  strata_task_slot_drop (&self->stems_slot);
  clear_stems (self);
  strata_playback_mix_set_track (self->mix, audio);
}

static StrataStemLane *
lane_at (StrataWindow *self, guint index)
{
  StrataStemLane *lane;

  while (self->stem_lanes->len <= index)
    {
      lane = STRATA_STEM_LANE (strata_stem_lane_new ());
      g_ptr_array_add (self->stem_lanes, g_object_ref (lane));
      strata_timeline_add_lane (self->timeline, STRATA_LANE (lane));
      g_signal_connect (lane, "notify", G_CALLBACK (lane_changed_cb), self);
    }
  return g_ptr_array_index (self->stem_lanes, index);
}

static void
show_stems (StrataWindow *self, StemsResult *res, const char *origin)
{
  StrataStemFolder *f = res->stems;
  g_autoptr(GString) errors = g_string_new (NULL);

  if (res->track != NULL)
    {
      /* The stems' sum is the track: the window opens it as any other. */
      _strata_window_set_track (self, res->track);
    }
  clear_stems (self);
  self->stems_origin = g_strdup (origin);
  self->stem_paths = g_new0 (char *, f->n_stems + 1);
  for (guint i = 0; i < f->n_stems; i++)
    {
      g_autofree char *id = g_strdup_printf ("stem-%u", i);
      g_autoptr(GError) error = NULL;
      StrataStemLane *lane;

      if (!strata_playback_mix_add_channel (self->mix, id, f->names[i], STRATA_PLAYBACK_CHANNEL_STEM,
                                            f->stems[i], &error))
        {
          g_string_append_printf (errors, "%s\n", error->message);
          continue;
        }
      lane = lane_at (self, self->n_stems);
      g_signal_handlers_block_by_func (lane, lane_changed_cb, self);
      strata_stem_lane_reset (lane, id, f->names[i], f->families[i]);
      g_signal_handlers_unblock_by_func (lane, lane_changed_cb, self);
      gtk_widget_set_opacity (GTK_WIDGET (lane), 1.0);
      strata_stem_lane_set_peaks (lane, g_steal_pointer (&res->peaks[i]), f->stems[i]);
      gtk_widget_set_visible (GTK_WIDGET (lane), TRUE);
      self->stem_paths[self->n_stems] = g_strdup (f->paths[i]);
      self->n_stems++;
    }
  set_stem_actions_enabled (self);
  if (f->notes != NULL)
    g_string_append_printf (errors, "%s\n", f->notes);
  if (errors->len > 0)
    {
      g_string_truncate (errors, errors->len - 1);
      _strata_window_show_error (self, errors->str);
    }
}

static void
stems_done_cb (gpointer owner, GObject *source, GAsyncResult *result, gboolean current)
{
  StrataWindow *self = owner;
  g_autoptr(GError) error = NULL;
  StemsResult *res = strata_engine_run_finish (STRATA_ENGINE (source), result, &error);

  if (res == NULL)
    {
      if (current && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _strata_window_show_error (self, error->message);
      return;
    }
  if (current)
    show_stems (self, res, self->stems_job_origin);
  stems_result_free (res);
}

static void
start_job (StrataWindow *self, StemsJob *job)
{
  GCancellable *cancellable;

  job->track_frames = self->track ? strata_audio_get_n_frames (strata_track_get_audio (self->track)) : -1;
  cancellable = strata_task_slot_restart (&self->stems_slot);
  g_free (self->stems_job_origin);
  self->stems_job_origin = g_strdup (job->origin);
  strata_engine_run_on_async (self->engine, STRATA_ENGINE_QUEUE_IO, "stems", stems_job_run, job,
                              stems_job_free, stems_result_free, cancellable,
                              strata_task_slot_ready,
                              strata_task_slot_bind (&self->stems_slot, self, stems_done_cb));
}

/**
 * strata_window_set_stems:
 * @self: a #StrataWindow
 * @stems: (array length=n): the stems, 44.1 kHz stereo (references are taken)
 * @names: (array length=n): their display names ("drums", ...; the stem
 *   family is read from the name by strata_stem_family_for_file())
 * @n: how many (0 removes the stem lanes)
 * @origin: (nullable): what they came from (a folder, "separation"), the
 *   base of the export names
 *
 * Replaces the stem lanes: in the background the stems are fitted to the
 * open track's length (with no track open, their sum becomes the track)
 * and their waveforms computed; then the lanes show and the playback mix
 * plays the stems (where the track was playing).
 */
void
strata_window_set_stems (StrataWindow *self, StrataAudio *const *stems, const char *const *names,
                         guint n, const char *origin)
{
  StemsJob *job;

  g_return_if_fail (STRATA_IS_WINDOW (self));
  g_return_if_fail (n == 0 || (stems != NULL && names != NULL));

  if (n == 0)
    {
      strata_task_slot_drop (&self->stems_slot);
      clear_stems (self);
      return;
    }
  job = g_new0 (StemsJob, 1);
  job->n = n;
  job->stems = g_new0 (StrataAudio *, n);
  job->names = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      job->stems[i] = strata_audio_ref (stems[i]);
      job->names[i] = g_strdup (names[i]);
    }
  job->origin = g_strdup (origin ? origin : "stems");
  start_job (self, job);
}

/**
 * strata_window_open_stems:
 * @self: a #StrataWindow
 * @folder: a local folder of stem files
 *
 * Reads every audio file of @folder as a stem in the background
 * (strata-stem-folder.h: decoded, resampled, made stereo, fitted to the
 * open track or, with none, to the longest; with no track open their sum
 * becomes the track) and shows them as stem lanes. A file that does not
 * decode is named in the error bar with the reason, and the others open;
 * a changed length is noted there too.
 */
void
strata_window_open_stems (StrataWindow *self, GFile *folder)
{
  StemsJob *job;

  g_return_if_fail (STRATA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (folder));

  if (g_file_peek_path (folder) == NULL)
    {
      g_autofree char *uri = g_file_get_uri (folder);
      g_autofree char *message = g_strdup_printf (_("Could not open “%s”: only local folders can be opened"), uri);
      _strata_window_show_error (self, message);
      return;
    }
  job = g_new0 (StemsJob, 1);
  job->folder = g_file_get_path (folder);
  job->origin = g_strdup (job->folder);
  start_job (self, job);
}

/**
 * strata_window_get_stems_loading:
 * @self: a #StrataWindow
 *
 * Returns: whether stems are being read or prepared
 */
gboolean
strata_window_get_stems_loading (StrataWindow *self)
{
  g_return_val_if_fail (STRATA_IS_WINDOW (self), FALSE);
  return strata_task_slot_is_busy (&self->stems_slot);
}

/**
 * strata_window_get_n_stems:
 * @self: a #StrataWindow
 *
 * Returns: how many stem lanes show
 */
guint
strata_window_get_n_stems (StrataWindow *self)
{
  g_return_val_if_fail (STRATA_IS_WINDOW (self), 0);
  return self->n_stems;
}

/**
 * strata_window_get_stem_lane:
 * @self: a #StrataWindow
 * @index: below strata_window_get_n_stems()
 *
 * Returns: (transfer none): the stem lane at @index
 */
StrataStemLane *
strata_window_get_stem_lane (StrataWindow *self, guint index)
{
  g_return_val_if_fail (STRATA_IS_WINDOW (self), NULL);
  g_return_val_if_fail (index < self->n_stems, NULL);
  return g_ptr_array_index (self->stem_lanes, index);
}

/**
 * strata_window_get_playback_mix:
 * @self: a #StrataWindow
 *
 * Returns: (transfer none): the live mix the player plays
 */
StrataPlaybackMix *
strata_window_get_playback_mix (StrataWindow *self)
{
  g_return_val_if_fail (STRATA_IS_WINDOW (self), NULL);
  return self->mix;
}

/**
 * _strata_window_stems_cancel:
 * @self: a #StrataWindow
 *
 * Cancels reading stems (Cancel in the progress bar).
 */
void
_strata_window_stems_cancel (StrataWindow *self)
{
  strata_task_slot_cancel (&self->stems_slot);
}

/* ---- exports ------------------------------------------------------------------ */

typedef struct {
  guint n;
  StrataAudio **stems;      /* (n) */
  char **paths;             /* (n) the files to write */
  char **inputs;            /* the track and the stems' files: never replaced */
  StrataAudioFormat format;
  StrataStemMixer *mixer;   /* (nullable) the stem mix instead of stems */
  StrataStemParams *params;
} StemExport;

static void
stem_export_free (gpointer data)
{
  StemExport *ex = data;

  for (guint i = 0; i < ex->n; i++)
    g_clear_pointer (&ex->stems[i], strata_audio_unref);
  g_free (ex->stems);
  g_strfreev (ex->paths);
  g_strfreev (ex->inputs);
  g_clear_object (&ex->mixer);
  g_free (ex->params);
  g_free (ex);
}

#define MIX_CHUNK_FRAMES 65536

/* The stem mix at @ex's parameters, rendered in chunks. (transfer full) */
static StrataAudio *
render_mix (StemExport *ex, StrataJob *sj, GError **error)
{
  gint64 n = strata_source_get_n_frames (STRATA_SOURCE (ex->mixer));
  float *s = g_try_new (float, n * STRATA_CHANNELS);

  if (s == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not save “%s”: out of memory"),
                   ex->paths[0]);
      return NULL;
    }
  for (gint64 at = 0; at < n; at += MIX_CHUNK_FRAMES)
    {
      if (g_cancellable_set_error_if_cancelled (strata_job_get_cancellable (sj), error))
        {
          g_free (s);
          return NULL;
        }
      strata_job_progress (sj, 0.5 * at / n, "stem-export");
      strata_stem_mixer_render_range (ex->mixer, ex->params, at, MIN (MIX_CHUNK_FRAMES, n - at),
                                      s + at * STRATA_CHANNELS);
    }
  return strata_audio_new_take (s, n);
}

/* Every file is encoded to its temporary first; only when all are complete
 * (and the export was not cancelled) are they renamed into place, so a
 * cancelled or failed export leaves no new file. */
static gpointer
stem_export_run (StrataJob *sj, gpointer data, GError **error)
{
  StemExport *ex = data;
  g_autoptr(GPtrArray) outs = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_output_abort);
  g_autoptr(StrataAudio) mix = NULL;
  guint n = ex->mixer ? 1 : ex->n;

  strata_task_register_stages (stem_stages);
  strata_job_progress (sj, 0.0, "stem-export");
  if (ex->mixer != NULL && (mix = render_mix (ex, sj, error)) == NULL)
    return NULL;
  for (guint i = 0; i < n; i++)
    {
      StrataAudio *a = mix ? mix : ex->stems[i];
      StrataOutput *out;

      if (g_cancellable_set_error_if_cancelled (strata_job_get_cancellable (sj), error))
        return NULL;
      strata_job_progress (sj, (mix ? 0.5 : 0.0) + (mix ? 0.5 : 1.0) * i / n, "stem-export");
      out = strata_output_new (ex->paths[i], (const char *const *) ex->inputs, error);
      if (out == NULL)
        return NULL;
      g_ptr_array_add (outs, out);
      if (!strata_audio_write_output (out, ex->paths[i], strata_audio_get_samples (a),
                                      strata_audio_get_n_frames (a), STRATA_CHANNELS,
                                      STRATA_SAMPLE_RATE, ex->format, error))
        return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (strata_job_get_cancellable (sj), error))
    return NULL;
  for (guint i = 0; i < outs->len; i++)
    {
      StrataOutput *out = g_steal_pointer (&outs->pdata[i]);
      if (!strata_output_commit (out, error))
        return NULL;
    }
  return GINT_TO_POINTER (TRUE);
}

/* The track's file and the stems' files. (transfer full) */
static char **
dup_inputs (StrataWindow *self)
{
  GStrvBuilder *b = g_strv_builder_new ();
  char **inputs;

  if (self->track)
    g_strv_builder_add (b, strata_track_get_path (self->track));
  for (guint i = 0; self->stem_paths && self->stem_paths[i]; i++)
    if (*self->stem_paths[i])
      g_strv_builder_add (b, self->stem_paths[i]);
  inputs = g_strv_builder_end (b);
  g_strv_builder_unref (b);
  return inputs;
}

/* A file name from a stem's name: no folder separators, not hidden, and
 * not one already taken. (transfer full) */
static char *
file_name_for (const char *name, const char *ext, GHashTable *taken)
{
  g_autofree char *base = g_strdup (name && *name ? name : "stem");
  char *file;

  g_strdelimit (base, "/\\", '_');
  if (base[0] == '.')
    base[0] = '_';
  file = g_strconcat (base, ext, NULL);
  for (guint k = 2; g_hash_table_contains (taken, file); k++)
    {
      g_free (file);
      file = g_strdup_printf ("%s-%u%s", base, k, ext);
    }
  g_hash_table_add (taken, file);
  return g_strdup (file);
}

static void
submit_export (StrataWindow *self, StemExport *ex, GCancellable *cancellable,
               GAsyncReadyCallback callback, gpointer user_data)
{
  ex->inputs = dup_inputs (self);
  strata_engine_run_on_async (self->engine, STRATA_ENGINE_QUEUE_IO, "export", stem_export_run, ex,
                              stem_export_free, NULL, cancellable, callback, user_data);
}

/**
 * strata_window_export_stems_async:
 * @self: a #StrataWindow showing stems
 * @folder: where to write them, as NAME.wav or NAME.flac
 * @format: %STRATA_AUDIO_FORMAT_WAV_F32 (exact) or %STRATA_AUDIO_FORMAT_FLAC
 * @cancellable: (nullable): a cancel leaves no file
 * @callback: called on the main thread
 * @user_data: for @callback
 *
 * Writes the stems whose lanes are selected ("Include in Export Stems"),
 * or every stem when none is, on the engine's I/O queue. Nothing replaces
 * the track or a stem's own file (the error names it). The files appear
 * together once all are written. Finish with strata_window_export_finish().
 */
void
strata_window_export_stems_async (StrataWindow *self, const char *folder, StrataAudioFormat format,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *ext = format == STRATA_AUDIO_FORMAT_FLAC || format == STRATA_AUDIO_FORMAT_FLAC_PCM16
                    ? ".flac" : ".wav";
  gboolean any_selected = FALSE;
  StemExport *ex;

  g_return_if_fail (STRATA_IS_WINDOW (self));
  g_return_if_fail (folder != NULL);

  if (self->n_stems == 0)
    {
      g_task_report_new_error (self->engine, callback, user_data, NULL, G_IO_ERROR,
                               G_IO_ERROR_NOT_INITIALIZED,
                               _("Could not export stems to “%s”: there are no stems"), folder);
      return;
    }
  for (guint i = 0; i < self->n_stems; i++)
    any_selected |= strata_stem_lane_get_selected (g_ptr_array_index (self->stem_lanes, i));
  ex = g_new0 (StemExport, 1);
  ex->format = format;
  ex->stems = g_new0 (StrataAudio *, self->n_stems);
  ex->paths = g_new0 (char *, self->n_stems + 1);
  for (guint i = 0; i < self->n_stems; i++)
    {
      StrataStemLane *lane = g_ptr_array_index (self->stem_lanes, i);
      const char *id = strata_stem_lane_get_id (lane);
      g_autofree char *file = NULL;

      if (any_selected && !strata_stem_lane_get_selected (lane))
        continue;
      file = file_name_for (strata_playback_mix_get_channel_name (self->mix, id), ext, taken);
      ex->stems[ex->n] = strata_audio_ref (strata_playback_mix_get_channel_audio (self->mix, id));
      ex->paths[ex->n] = g_build_filename (folder, file, NULL);
      ex->n++;
    }
  submit_export (self, ex, cancellable, callback, user_data);
}

/**
 * strata_window_export_stem_mix_async:
 * @self: a #StrataWindow showing stems
 * @path: the file (.flac for FLAC, else WAV 32-bit float)
 * @cancellable: (nullable): a cancel leaves no file
 * @callback: called on the main thread
 * @user_data: for @callback
 *
 * Renders the stem mix at the current gains, pans, mutes and solos
 * (strata_stem_mixer_render_range(), what playback plays) and writes it on
 * the engine's I/O queue. Finish with strata_window_export_finish().
 */
void
strata_window_export_stem_mix_async (StrataWindow *self, const char *path,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  StrataStemMixer *mixer;
  StemExport *ex;

  g_return_if_fail (STRATA_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  mixer = strata_playback_mix_get_mixer (self->mix);
  if (mixer == NULL)
    {
      g_task_report_new_error (self->engine, callback, user_data, NULL, G_IO_ERROR,
                               G_IO_ERROR_NOT_INITIALIZED,
                               _("Could not save “%s”: there are no stems to mix"), path);
      return;
    }
  ex = g_new0 (StemExport, 1);
  ex->format = g_str_has_suffix (path, ".flac") ? STRATA_AUDIO_FORMAT_FLAC : STRATA_AUDIO_FORMAT_WAV_F32;
  ex->mixer = g_object_ref (mixer);
  ex->params = strata_playback_mix_dup_params (self->mix, FALSE);
  ex->paths = g_new0 (char *, 2);
  ex->paths[0] = g_strdup (path);
  submit_export (self, ex, cancellable, callback, user_data);
}

/* ---- actions ------------------------------------------------------------------ */

static void
open_stems_response_cb (GtkNativeDialog *dialog, int response, StrataWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (folder != NULL)
        strata_window_open_stems (self, folder);
    }
  g_clear_object (&self->chooser);
}

static GtkFileChooserNative *
folder_chooser (StrataWindow *self, const char *title, const char *accept)
{
  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, accept,
                                               _("_Cancel"));
  return self->chooser;
}

static void
open_stems_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StrataWindow *self = user_data;

  if (self->chooser)
    return;
  folder_chooser (self, _("Open Stems Folder"), _("_Open"));
  g_signal_connect (self->chooser, "response", G_CALLBACK (open_stems_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
export_stems_response_cb (GtkNativeDialog *dialog, int response, StrataWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      const char *format = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "format");

      if (folder != NULL && g_file_peek_path (folder) != NULL)
        strata_window_export_stems_async (self, g_file_peek_path (folder),
                                          g_strcmp0 (format, "flac") == 0 ? STRATA_AUDIO_FORMAT_FLAC
                                                                          : STRATA_AUDIO_FORMAT_WAV_F32,
                                          NULL, _strata_window_export_done, g_object_ref (self));
    }
  g_clear_object (&self->chooser);
}

static void
export_stems_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StrataWindow *self = user_data;
  const char *ids[] = { "wav", "flac", NULL };
  const char *labels[] = { _("WAV (32-bit float)"), _("FLAC (24-bit)"), NULL };

  if (self->chooser)
    return;
  folder_chooser (self, _("Export Stems (the selected ones, or all)"), _("_Export"));
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (self->chooser), "format", _("Format"), ids, labels);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (self->chooser), "format", "wav");
  g_signal_connect (self->chooser, "response", G_CALLBACK (export_stems_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
export_mix_response_cb (GtkNativeDialog *dialog, int response, StrataWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL && g_file_peek_path (file) != NULL)
        strata_window_export_stem_mix_async (self, g_file_peek_path (file), NULL,
                                             _strata_window_export_done, g_object_ref (self));
    }
  g_clear_object (&self->chooser);
}

static void
export_stem_mix_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  _strata_window_show_save_dialog (user_data, _("Export Stem Mix (.wav or .flac)"), "-stem-mix.wav",
                                   G_CALLBACK (export_mix_response_cb));
}

static void
play_original_change_state (GSimpleAction *action, GVariant *value, gpointer user_data)
{
  StrataWindow *self = user_data;

  strata_playback_mix_set_original (self->mix, g_variant_get_boolean (value));
}

/* The action's state follows the mix (set from code or from the action). */
static void
original_changed_cb (StrataWindow *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "play-original");

  g_simple_action_set_state (G_SIMPLE_ACTION (action),
                             g_variant_new_boolean (strata_playback_mix_get_original (self->mix)));
}

static const GActionEntry stem_entries[] = {
  { .name = "open-stems", .activate = open_stems_action },
  { .name = "export-stems", .activate = export_stems_action },
  { .name = "export-stem-mix", .activate = export_stem_mix_action },
  { .name = "play-original", .state = "false", .change_state = play_original_change_state },
};

/**
 * _strata_window_stems_init:
 * @self: a #StrataWindow (its player made)
 *
 * Makes the playback mix (the player's source from now on) and adds the
 * stem actions: win.open-stems, win.export-stems, win.export-stem-mix and
 * win.play-original (the A/B switch, the mix's "original").
 */
void
_strata_window_stems_init (StrataWindow *self)
{
  self->mix = strata_playback_mix_new (self->player);
  self->stem_lanes = g_ptr_array_new_with_free_func (g_object_unref);
  strata_task_slot_init (&self->stems_slot);
  strata_task_register_stages (stem_stages);
  g_action_map_add_action_entries (G_ACTION_MAP (self), stem_entries, G_N_ELEMENTS (stem_entries), self);
  g_signal_connect_swapped (self->mix, "notify::original", G_CALLBACK (original_changed_cb), self);
  set_stem_actions_enabled (self);
}

/**
 * _strata_window_stems_dispose:
 * @self: a #StrataWindow
 *
 * Drops a running stems job, the lanes' handlers and the mix.
 */
void
_strata_window_stems_dispose (StrataWindow *self)
{
  strata_task_slot_drop (&self->stems_slot);
  if (self->stem_lanes != NULL)
    for (guint i = 0; i < self->stem_lanes->len; i++)
      g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->stem_lanes, i), self);
  g_clear_pointer (&self->stem_lanes, g_ptr_array_unref);
  g_clear_pointer (&self->stem_paths, g_strfreev);
  g_clear_pointer (&self->stems_origin, g_free);
  g_clear_pointer (&self->stems_job_origin, g_free);
  if (self->mix != NULL)
    g_signal_handlers_disconnect_by_data (self->mix, self);
  g_clear_object (&self->mix);
}
