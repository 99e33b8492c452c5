/* test-piano-roll.c: the transcription in the window, under Xvfb: the
 * piano-roll lane's pixels and tooltip for the demo track, the exports
 * read back note for note, a cancelled export, the dragged .mid file, the
 * synthesised transcription reaching a capturing sink at the chosen
 * balance, a clicked note on the audition player, and a silent track.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/base/gstbasesink.h>

#include "strata-application.h"
#include "strata-test-util.h"
#include "strata-window-private.h"
#include "playback/strata-stem-mixer.h"
#include "tasks/transcription/strata-transcription-synth.h"

#define TIMGM6MB "/usr/share/sounds/sf2/TimGM6mb.sf2"

static StrataApplication *app;
static StrataWindow *window;
static char *tmp_dir;

/* ---- a sink that keeps what reaches it ------------------------------------------ */

/* Samples by their timestamp: frame f of the stream lands at frame f. */
static struct
{
  GMutex lock;
  float *samples;              /* (n_frames, 2), zeros where nothing came */
  gint64 n_frames;
  gint64 end;                  /* end frame of the newest buffer */
} heard;

typedef struct { GstBaseSink parent_instance; } PianoCapture;
typedef struct { GstBaseSinkClass parent_class; } PianoCaptureClass;
GType piano_capture_get_type (void);
G_DEFINE_TYPE (PianoCapture, piano_capture, GST_TYPE_BASE_SINK)

static GstFlowReturn
piano_capture_render (GstBaseSink *sink, GstBuffer *buffer)
{
  GstMapInfo map;
  gint64 at = (gint64) gst_util_uint64_scale_round (GST_BUFFER_PTS (buffer), STRATA_SAMPLE_RATE,
                                                    GST_SECOND);

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_FLOW_ERROR;
  g_mutex_lock (&heard.lock);
  {
    gint64 n = (gint64) (map.size / (2 * sizeof (float)));
    gint64 fit = MIN (n, heard.n_frames - at);

    if (at >= 0 && fit > 0)
      memcpy (heard.samples + 2 * at, map.data, (gsize) fit * 2 * sizeof (float));
    heard.end = at + n;
  }
  g_mutex_unlock (&heard.lock);
  gst_buffer_unmap (buffer, &map);
  return GST_FLOW_OK;
}

static void
piano_capture_class_init (PianoCaptureClass *klass)
{
  static GstStaticPadTemplate pad =
    GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
                             GST_STATIC_CAPS ("audio/x-raw, format=F32LE, layout=interleaved, "
                                              "rate=44100, channels=2"));

  gst_element_class_set_static_metadata (GST_ELEMENT_CLASS (klass), "Piano-roll test sink",
                                         "Sink/Audio", "Keeps what it is given", "Strata");
  gst_element_class_add_static_pad_template (GST_ELEMENT_CLASS (klass), &pad);
  GST_BASE_SINK_CLASS (klass)->render = piano_capture_render;
}

static void
piano_capture_init (PianoCapture *self)
{
}

static void
heard_reset (gint64 n_frames)
{
  g_mutex_lock (&heard.lock);
  g_free (heard.samples);
  heard.samples = g_new0 (float, 2 * n_frames);
  heard.n_frames = n_frames;
  heard.end = 0;
  g_mutex_unlock (&heard.lock);
}

static gint64
heard_end (void)
{
  gint64 end;

  g_mutex_lock (&heard.lock);
  end = heard.end;
  g_mutex_unlock (&heard.lock);
  return end;
}

/* ---- helpers ------------------------------------------------------------------ */

static gboolean
window_mapped (gpointer data)
{
  GtkWindow *w = gtk_application_get_active_window (GTK_APPLICATION (app));
  return w != NULL && gtk_widget_get_mapped (GTK_WIDGET (w));
}

static gboolean
transcribed (gpointer data)
{
  return !strata_window_get_loading (window) && strata_window_get_track (window) != NULL
         && _strata_window_get_transcription (window) != NULL;
}

/* Opens @path and waits for its notes. */
static const GArray *
open_and_transcribe (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  strata_window_open (window, file);
  g_assert_true (strata_window_get_loading (window));
  g_assert_true (strata_test_wait (transcribed, NULL, 90000));
  g_assert_cmpstr (strata_track_get_path (strata_window_get_track (window)), ==, path);
  return _strata_window_get_transcription (window)->notes;
}

static gboolean
enabled (const char *action)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (window), action);
}

/* The note names as a musician writes them, middle C = C4. */
static char *
expected_name (int pitch)
{
  static const char *pc[12] = { "C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B" };
  return g_strdup_printf ("%s%d", pc[pitch % 12], pitch / 12 - 1);
}

static char *
expected_time (double s)
{
  int ms = (int) lround (s * 1000);
  return g_strdup_printf ("%d:%02d.%03d", ms / 60000, ms / 1000 % 60, ms % 1000);
}

static gboolean
same_rgb (guint32 px, double r, double g, double b)
{
  return abs ((int) ((px >> 16) & 0xff) - (int) lround (r * 255)) <= 2
         && abs ((int) ((px >> 8) & 0xff) - (int) lround (g * 255)) <= 2
         && abs ((int) (px & 0xff) - (int) lround (b * 255)) <= 2;
}

/* Where @n is drawn in a lane @w x @h: FALSE when (partly) off screen. */
static gboolean
note_box (StrataPianoRollLane *lane, const StrataTimedNote *n, int w, int h, double *x0,
          double *x1, double *y0, double *y1)
{
  StrataViewport *vp = strata_lane_get_viewport (STRATA_LANE (lane));

  *x0 = strata_viewport_time_to_x (vp, n->onset);
  *x1 = strata_viewport_time_to_x (vp, n->offset);
  return strata_piano_roll_lane_pitch_rows (lane, n->pitch, h, y0, y1)
         && *x0 >= STRATA_PIANO_ROLL_KEYS_WIDTH + 2 && *x1 < w - 2;
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError *error;
} Result;

static void
export_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  Result *r = data;

  r->ok = strata_window_export_finish (window, res, &r->error);
  r->done = TRUE;
}

static gboolean
result_done (gpointer data)
{
  return ((Result *) data)->done;
}

/* Reads the .mid at @path back and compares it with @notes note for note
 * (times to within a tick of the written tempo). */
static void
assert_midi_has (const char *path, const GArray *notes, double tempo)
{
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) back = NULL;
  double bpm, tick;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  back = strata_smf_read_notes ((const guint8 *) data, len, path, &bpm, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (bpm, tempo, 0.01);
  tick = 60.0 / (bpm * 480);
  g_assert_cmpuint (back->len, ==, notes->len);
  for (guint i = 0; i < notes->len; i++)
    {
      const StrataTimedNote *a = &g_array_index (notes, StrataTimedNote, i);
      const StrataTimedNote *b = &g_array_index (back, StrataTimedNote, i);

      g_assert_cmpint (a->pitch, ==, b->pitch);
      g_assert_cmpint (a->velocity, ==, b->velocity);
      g_assert_cmpfloat (fabs (a->onset - b->onset), <=, tick);
      g_assert_cmpfloat (fabs (a->offset - b->offset), <=, tick);
    }
}

/* Goertzel power of the left channel of @s (@n frames) at @hz. */
static double
power_at (const float *s, gint64 n, double hz)
{
  double w = 2 * G_PI * hz / STRATA_SAMPLE_RATE, c = 2 * cos (w), s1 = 0, s2 = 0;

  for (gint64 i = 0; i < n; i++)
    {
      double s0 = s[2 * i] + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / ((double) n * n);
}

static double
max_diff (const float *a, const float *b, gint64 from, gint64 to)
{
  double m = 0;

  for (gint64 i = 2 * from; i < 2 * to; i++)
    m = MAX (m, fabs ((double) a[i] - b[i]));
  return m;
}

/* Writes @n frames of @s as tmp_dir/@name (16-bit WAV). (transfer full) */
static char *
write_track (const char *name, const float *s, gint64 n)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_assert_true (strata_audio_write (path, s, n, 2, STRATA_SAMPLE_RATE,
                                     STRATA_AUDIO_FORMAT_WAV_PCM16, &error));
  g_assert_no_error (error);
  return path;
}

/* A track of two piano notes (TimGM6mb), A4 then E5: what the head
 * finds in it is synthesised back. */
static char *
two_note_track (void)
{
  StrataTimedNote n[2] = { { 0.30, 1.30, 69, 100 }, { 1.60, 2.60, 76, 90 } };
  g_autoptr(GArray) notes = g_array_new (FALSE, FALSE, sizeof (StrataTimedNote));
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataNoteSynth) synth = strata_note_synth_new (TIMGM6MB, &error);
  g_autoptr(StrataAudio) audio = NULL;

  g_assert_no_error (error);
  g_array_append_vals (notes, n, 2);
  audio = strata_note_synth_render (synth, notes, (gint64) (3.5 * STRATA_SAMPLE_RATE), 0, NULL,
                                    NULL, NULL, &error);
  g_assert_no_error (error);
  return write_track ("two-notes.wav", strata_audio_get_samples (audio),
                      strata_audio_get_n_frames (audio));
}

static char *
demo_path (void)
{
  const char *src = g_getenv ("STRATA_SOURCE_DIR");
  return g_build_filename (src ? src : STRATA_SOURCE_DIR, "resources", "demo", "strata-demo.flac",
                           NULL);
}

/* ---- tests ------------------------------------------------------------------ */

/* The demo track: its notes drawn where they belong, in their velocity's
 * shade; empty rows stay empty; the keyboard ruler; a note's tooltip. */
static void
test_demo_lane (void)
{
  g_autofree char *demo = demo_path ();
  StrataPianoRollLane *lane = _strata_window_get_piano_roll (window);
  const GArray *notes;
  g_autofree guint32 *px = NULL;
  int w, h, lo, hi, checked = 0, matched = 0, white = 0, black = 0, n_keys = 0, tip_note = -1;
  double tx = 0, ty = 0;

  g_assert_false (enabled ("export-midi"));
  notes = open_and_transcribe (demo);
  g_test_message ("demo: %u notes", notes->len);
  g_assert_cmpuint (notes->len, >, 50);
  g_assert_true (enabled ("export-midi"));
  g_assert_true (enabled ("export-notes-csv"));
  g_assert_true (enabled ("play-transcription"));
  g_assert_cmpuint (strata_piano_roll_lane_get_notes (lane)->len, ==, notes->len);
  g_assert_null (strata_piano_roll_lane_get_message (lane));
  /* The primary menu's transcription section. */
  {
    GtkWidget *button = strata_test_find_widget (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON);
    GMenuModel *menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button));
    static const char *actions[] = { "win.transcribe", "win.play-transcription",
                                     "win.export-midi", "win.export-notes-csv" };

    for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
      g_assert_true (strata_test_menu_has (menu, actions[i], NULL, NULL));
  }

  gtk_test_widget_wait_for_draw (GTK_WIDGET (lane));
  px = strata_test_render (GTK_WIDGET (lane), &w, &h);
  strata_piano_roll_lane_get_pitch_range (lane, &lo, &hi);
  g_test_message ("lane %dx%d, pitches %d..%d", w, h, lo, hi);

  /* Each visible note's centre has its velocity's colour. */
  for (guint i = 0; i < notes->len; i++)
    {
      const StrataTimedNote *n = &g_array_index (notes, StrataTimedNote, i);
      double x0, x1, y0, y1, r, g, b;
      int cx, cy;

      if (!note_box (lane, n, w, h, &x0, &x1, &y0, &y1) || x1 - x0 < 4 || y1 - y0 < 2)
        continue;
      cx = (int) ((x0 + x1) / 2);
      cy = (int) ((y0 + y1) / 2);
      strata_piano_roll_lane_velocity_color (n->velocity, &r, &g, &b);
      checked++;
      matched += same_rgb (px[(gsize) cy * w + cx], r, g, b);
      if (tip_note < 0 && x1 - x0 >= 8)
        {
          tip_note = (int) i;
          tx = cx;
          ty = cy;
        }
    }
  g_test_message ("%d of %d note centres in their velocity's colour", matched, checked);
  g_assert_cmpint (checked, >, 30);
  /* A note overlapping another of the same pitch may cover its centre. */
  g_assert_cmpint (matched, >=, checked * 95 / 100);

  /* The margin rows above and below the notes hold no note colour. */
  {
    double y0, y1;
    int note_px = 0;

    for (int pitch = hi; pitch >= hi - 1; pitch--)
      {
        g_assert_true (strata_piano_roll_lane_pitch_rows (lane, pitch, h, &y0, &y1));
        for (int y = (int) ceil (y0); y < (int) y1; y++)
          for (int x = STRATA_PIANO_ROLL_KEYS_WIDTH + 2; x < w; x++)
            {
              guint32 p = px[(gsize) y * w + x];
              /* notes are blue; the empty rows are grey */
              note_px += (int) (p & 0xff) - (int) ((p >> 16) & 0xff) > 20;
            }
      }
    g_assert_cmpint (note_px, ==, 0);
  }

  /* The keyboard ruler: black keys' rows dark at its left edge, the
   * others white. */
  for (int pitch = lo; pitch <= hi; pitch++)
    {
      double y0, y1;
      int pc = pitch % 12;
      gboolean is_black = pc == 1 || pc == 3 || pc == 6 || pc == 8 || pc == 10;
      guint32 p;

      g_assert_true (strata_piano_roll_lane_pitch_rows (lane, pitch, h, &y0, &y1));
      p = px[(gsize) (int) ((y0 + y1) / 2) * w + 3];
      if (is_black)
        black += (int) (p & 0xff) == STRATA_PIANO_ROLL_BLACK_KEY;
      else if (pc != 0 && pc != 5)   /* C and F rows hold the key edges */
        white += (int) (p & 0xff) == STRATA_PIANO_ROLL_WHITE_KEY;
      n_keys += !is_black && pc != 0 && pc != 5;
    }
  g_test_message ("keyboard: %d black, %d white keys of %d", black, white, hi - lo + 1);
  g_assert_cmpint (white, ==, n_keys);
  g_assert_cmpint (black, >=, 5 * (hi - lo + 1) / 12 - 1);

  /* The tooltip of a known note: name, onset – offset, velocity. */
  g_assert_cmpint (tip_note, >=, 0);
  {
    const StrataTimedNote *n = &g_array_index (notes, StrataTimedNote, tip_note);
    g_autofree char *name = expected_name (n->pitch);
    g_autofree char *on = expected_time (n->onset);
    g_autofree char *off = expected_time (n->offset);
    g_autofree char *want = g_strdup_printf ("%s · %s – %s · velocity %d", name, on, off,
                                             n->velocity);
    g_autofree char *text = strata_lane_describe_point (STRATA_LANE (lane), tx, ty);

    g_assert_cmpstr (text, ==, want);
    g_assert_cmpint (strata_piano_roll_lane_note_at (lane, tx, ty), ==, tip_note);
  }
  /* Nothing under the pointer between the rows' notes: no tooltip. */
  {
    double y0, y1;
    strata_piano_roll_lane_pitch_rows (lane, hi, h, &y0, &y1);
    g_assert_null (strata_lane_describe_point (STRATA_LANE (lane), w / 2.0, (y0 + y1) / 2));
  }
  strata_test_screenshot (GTK_WIDGET (window), "piano-roll");

  /* The pitch axis: zoomed to half the semitones, each row twice as tall;
   * moved up; fitted to the notes again when they are set. */
  {
    int zlo, zhi, slo, shi;
    double y0, y1, z0, z1;

    g_assert_true (strata_piano_roll_lane_pitch_rows (lane, (lo + hi) / 2, h, &y0, &y1));
    strata_piano_roll_lane_zoom_pitch (lane, 2.0);
    strata_piano_roll_lane_get_pitch_range (lane, &zlo, &zhi);
    g_test_message ("zoomed: %d..%d", zlo, zhi);
    g_assert_cmpint (abs ((zhi - zlo + 1) - (hi - lo + 1) / 2), <=, 1);
    g_assert_cmpint (zlo, >, lo);
    g_assert_cmpint (zhi, <, hi);
    g_assert_true (strata_piano_roll_lane_pitch_rows (lane, (lo + hi) / 2, h, &z0, &z1));
    g_assert_cmpfloat (fabs ((z1 - z0) - 2 * (y1 - y0)), <, 0.2 * (y1 - y0));
    strata_piano_roll_lane_scroll_pitch (lane, 5);
    strata_piano_roll_lane_get_pitch_range (lane, &slo, &shi);
    g_assert_cmpint (slo, ==, zlo + 5);
    g_assert_cmpint (shi, ==, zhi + 5);
    strata_piano_roll_lane_scroll_pitch (lane, 1000);
    strata_piano_roll_lane_get_pitch_range (lane, &slo, &shi);
    g_assert_cmpint (shi, ==, 127);
    g_assert_cmpint (shi - slo, ==, zhi - zlo);
    strata_piano_roll_lane_set_notes (lane, notes);
    strata_piano_roll_lane_get_pitch_range (lane, &slo, &shi);
    g_assert_cmpint (slo, ==, lo);
    g_assert_cmpint (shi, ==, hi);
  }

  /* Zoomed in, the lane draws again, following the shared viewport. */
  {
    guint before = strata_lane_get_render_count (STRATA_LANE (lane));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-in", NULL));
    gtk_test_widget_wait_for_draw (GTK_WIDGET (lane));
    g_assert_cmpuint (strata_lane_get_render_count (STRATA_LANE (lane)), >, before);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-fit", NULL));
  }
}

/* Export MIDI and CSV read back note for note; a cancelled export and one
 * onto the track leave nothing. */
static void
test_export (void)
{
  const StrataTranscription *tr = _strata_window_get_transcription (window);
  g_autofree char *dir = g_build_filename (tmp_dir, "exports", NULL);
  g_autofree char *mid = g_build_filename (dir, "notes.mid", NULL);
  g_autofree char *csv = g_build_filename (dir, "notes.csv", NULL);
  g_autofree char *cancelled = g_build_filename (dir, "cancelled.mid", NULL);
  const char *track = strata_track_get_path (strata_window_get_track (window));
  Result r = { 0 };

  g_assert_nonnull (tr);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  _strata_window_transcription_export_async (window, mid, FALSE, NULL, export_cb, &r);
  g_assert_true (strata_test_wait (result_done, &r, 20000));
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  assert_midi_has (mid, tr->notes, tr->tempo_bpm);

  memset (&r, 0, sizeof r);
  _strata_window_transcription_export_async (window, csv, TRUE, NULL, export_cb, &r);
  g_assert_true (strata_test_wait (result_done, &r, 20000));
  g_assert_no_error (r.error);
  {
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
    lines = g_strsplit (text, "\n", -1);
    g_assert_cmpstr (lines[0], ==, "onset_s,offset_s,pitch,velocity");
    g_assert_cmpuint (g_strv_length (lines), ==, tr->notes->len + 2);   /* + header, final "" */
    for (guint i = 0; i < tr->notes->len; i++)
      {
        const StrataTimedNote *n = &g_array_index (tr->notes, StrataTimedNote, i);
        g_auto(GStrv) f = g_strsplit (lines[i + 1], ",", -1);

        g_assert_cmpuint (g_strv_length (f), ==, 4);
        g_assert_cmpfloat (fabs (g_ascii_strtod (f[0], NULL) - n->onset), <=, 5e-5);
        g_assert_cmpfloat (fabs (g_ascii_strtod (f[1], NULL) - n->offset), <=, 5e-5);
        g_assert_cmpint (atoi (f[2]), ==, n->pitch);
        g_assert_cmpint (atoi (f[3]), ==, n->velocity);
      }
  }

  /* Cancelled before it ran: an error, and no file, not even a temporary. */
  {
    g_autoptr(GCancellable) c = g_cancellable_new ();
    g_autoptr(GDir) d = NULL;
    const char *name;
    guint n_files = 0;

    memset (&r, 0, sizeof r);
    g_cancellable_cancel (c);
    _strata_window_transcription_export_async (window, cancelled, FALSE, c, export_cb, &r);
    g_assert_true (strata_test_wait (result_done, &r, 20000));
    g_assert_false (r.ok);
    g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&r.error);
    g_assert_false (g_file_test (cancelled, G_FILE_TEST_EXISTS));
    d = g_dir_open (dir, 0, NULL);
    while ((name = g_dir_read_name (d)) != NULL)
      n_files++;
    g_assert_cmpuint (n_files, ==, 2);
  }

  /* Onto the track itself: refused, naming it, the track untouched. */
  {
    struct stat before, after;

    g_assert_cmpint (g_stat (track, &before), ==, 0);
    memset (&r, 0, sizeof r);
    _strata_window_transcription_export_async (window, track, FALSE, NULL, export_cb, &r);
    g_assert_true (strata_test_wait (result_done, &r, 20000));
    g_assert_false (r.ok);
    g_assert_nonnull (r.error);
    g_test_message ("onto the track: %s", r.error->message);
    g_assert_nonnull (strstr (r.error->message, "strata-demo.flac"));
    g_clear_error (&r.error);
    g_assert_cmpint (g_stat (track, &after), ==, 0);
    g_assert_cmpint (before.st_size, ==, after.st_size);
    g_assert_cmpint (before.st_mtime, ==, after.st_mtime);
  }
}

static gboolean
drag_ready (gpointer data)
{
  GdkContentProvider *p = _strata_window_transcription_drag_content (window);

  if (p != NULL)
    g_object_unref (p);
  return p != NULL;
}

/* The lane's header drags the notes as a .mid file (text/uri-list). */
static void
test_drag (void)
{
  const StrataTranscription *tr = _strata_window_get_transcription (window);
  g_autoptr(GdkContentProvider) provider = NULL;
  g_autoptr(GdkContentFormats) formats = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GError) error = NULL;
  GFile *file;

  g_assert_true (strata_test_wait (drag_ready, NULL, 20000));
  provider = _strata_window_transcription_drag_content (window);
  formats = gdk_content_formats_union_serialize_mime_types (gdk_content_provider_ref_formats (provider));
  g_assert_true (gdk_content_formats_contain_mime_type (formats, "text/uri-list"));
  g_value_init (&value, G_TYPE_FILE);
  g_assert_true (gdk_content_provider_get_value (provider, &value, &error));
  g_assert_no_error (error);
  file = g_value_get_object (&value);
  g_test_message ("dragged %s", g_file_peek_path (file));
  g_assert_true (g_str_has_suffix (g_file_peek_path (file), "strata-demo.mid"));
  assert_midi_has (g_file_peek_path (file), tr->notes, tr->tempo_bpm);
}

static gboolean
synth_ready (gpointer data)
{
  return _strata_window_get_transcription_audio (window) != NULL
         && strata_player_get_playing (strata_window_get_player (window));
}

static gboolean
heard_past (gpointer frame)
{
  return heard_end () >= (gint64) GPOINTER_TO_SIZE (frame);
}

/* Play Transcription: at balance 1 the sink gets the synthesised notes,
 * with the transcribed pitch in them; at balance 0 the original. */
static void
test_play_transcription (void)
{
  g_autofree char *path = two_note_track ();
  StrataPlayer *player = strata_window_get_player (window);
  const GArray *notes = open_and_transcribe (path);
  StrataAudio *original = strata_track_get_audio (strata_window_get_track (window));
  gint64 n_frames = strata_audio_get_n_frames (original);
  const StrataTimedNote *a4 = NULL;
  StrataAudio *synth;
  gint64 from, to, change;
  double hz;

  for (guint i = 0; i < notes->len; i++)
    {
      const StrataTimedNote *n = &g_array_index (notes, StrataTimedNote, i);
      g_test_message ("note %d at %.3f–%.3f s, velocity %d", n->pitch, n->onset, n->offset,
                      n->velocity);
      if (n->pitch == 69 && fabs (n->onset - 0.30) < 0.05 && a4 == NULL)
        a4 = n;
    }
  g_assert_nonnull (a4);
  hz = 440.0 * pow (2.0, (a4->pitch - 69) / 12.0);

  heard_reset (n_frames);
  gtk_adjustment_set_value (_strata_window_get_transcription_balance (window), 1.0);
  g_action_group_change_action_state (G_ACTION_GROUP (window), "play-transcription",
                                      g_variant_new_boolean (TRUE));
  g_assert_true (strata_test_wait (synth_ready, NULL, 30000));
  synth = _strata_window_get_transcription_audio (window);
  g_assert_cmpint (strata_audio_get_n_frames (synth), ==, n_frames);
  g_assert_true (STRATA_IS_STEM_MIXER (strata_player_get_source (player)));

  /* The first note as it reached the sink: the synthesised audio exactly,
   * loud, with its energy at the note's pitch. */
  from = (gint64) (a4->onset * STRATA_SAMPLE_RATE) + 2048;
  to = (gint64) (MIN (a4->offset, a4->onset + 0.6) * STRATA_SAMPLE_RATE);
  g_assert_true (strata_test_wait (heard_past, GSIZE_TO_POINTER (to), 10000));
  {
    const float *s = strata_audio_get_samples (synth);
    double rms = 0, on, off;

    g_assert_cmpfloat (max_diff (heard.samples, s, from, to), <, 1e-6);
    for (gint64 i = from; i < to; i++)
      rms += (double) heard.samples[2 * i] * heard.samples[2 * i];
    rms = sqrt (rms / (to - from));
    on = power_at (heard.samples + 2 * from, to - from, hz);
    off = power_at (heard.samples + 2 * from, to - from, hz * pow (2.0, 1.5 / 12.0));
    g_test_message ("heard: rms %.4f, power at %.1f Hz %.3g, a semitone and a half up %.3g", rms,
                    hz, on, off);
    g_assert_cmpfloat (rms, >, 0.005);
    g_assert_cmpfloat (on, >, 20 * off);
    /* Not the original: the balance keeps it out. */
    g_assert_cmpfloat (max_diff (heard.samples, strata_audio_get_samples (original), from, to), >, 1e-3);
  }

  /* Balance 0: what arrives from a few buffers on is the original. */
  change = heard_end ();
  gtk_adjustment_set_value (_strata_window_get_transcription_balance (window), 0.0);
  from = change + 4 * STRATA_PLAYER_BUFFER_FRAMES;
  to = MIN (from + STRATA_SAMPLE_RATE / 2, n_frames - STRATA_PLAYER_BUFFER_FRAMES);
  g_assert_cmpint (to, >, from);
  g_assert_true (strata_test_wait (heard_past, GSIZE_TO_POINTER (to), 10000));
  g_assert_cmpfloat (max_diff (heard.samples, strata_audio_get_samples (original), from, to), <, 1e-6);
  g_assert_cmpfloat (max_diff (heard.samples, strata_audio_get_samples (synth), from, to), >, 1e-3);

  /* Off: the player is back on the plain track. */
  g_action_group_change_action_state (G_ACTION_GROUP (window), "play-transcription",
                                      g_variant_new_boolean (FALSE));
  g_assert_true (STRATA_IS_TRACK_SOURCE (strata_player_get_source (player)));
  strata_player_pause (player);
}

static gboolean
audition_playing (gpointer data)
{
  return strata_player_get_playing (_strata_window_get_audition_player (window));
}

/* A click on a note sounds it on the audition player; the main player is
 * left as it was. */
static void
test_audition (void)
{
  StrataPianoRollLane *lane = _strata_window_get_piano_roll (window);
  StrataPlayer *player = strata_window_get_player (window);
  StrataSource *main_source = strata_player_get_source (player);
  const GArray *notes = strata_piano_roll_lane_get_notes (lane);
  int w = gtk_widget_get_width (GTK_WIDGET (lane)), h = gtk_widget_get_height (GTK_WIDGET (lane));
  int index = -1;
  StrataSource *source;

  for (guint i = 0; i < notes->len && index < 0; i++)
    {
      const StrataTimedNote *n = &g_array_index (notes, StrataTimedNote, i);
      double x0, x1, y0, y1;

      if (n->pitch == 69 && note_box (lane, n, w, h, &x0, &x1, &y0, &y1))
        index = strata_piano_roll_lane_activate_at (lane, (x0 + x1) / 2, (y0 + y1) / 2);
    }
  g_assert_cmpint (index, >=, 0);
  g_assert_true (strata_test_wait (audition_playing, NULL, 20000));
  source = strata_player_get_source (_strata_window_get_audition_player (window));
  g_assert_true (STRATA_IS_TRACK_SOURCE (source));
  {
    StrataAudio *audio = strata_track_source_get_audio (STRATA_TRACK_SOURCE (source));
    const float *s = strata_audio_get_samples (audio);
    gint64 n = strata_audio_get_n_frames (audio);
    double peak = 0;

    /* A second at most, plus the release; not silent, at the note's pitch. */
    g_assert_cmpint (n, <=, (gint64) (2.1 * STRATA_SAMPLE_RATE));
    for (gint64 i = 0; i < n; i++)
      peak = MAX (peak, fabs (s[2 * i]));
    g_assert_cmpfloat (peak, >, 0.01);
    g_assert_cmpfloat (power_at (s, MIN (n, STRATA_SAMPLE_RATE / 2), 440.0), >,
                       20 * power_at (s, MIN (n, STRATA_SAMPLE_RATE / 2), 480.0));
  }
  g_assert_true (strata_player_get_source (player) == main_source);
  g_assert_false (strata_player_get_playing (player));
  strata_player_stop (_strata_window_get_audition_player (window));
}

/* Silence: no notes, the lane says so; nothing to play or drag. */
static void
test_silence (void)
{
  gint64 n = 2 * STRATA_SAMPLE_RATE;
  g_autofree float *zeros = g_new0 (float, 2 * n);
  g_autofree char *path = write_track ("silence.wav", zeros, n);
  StrataPianoRollLane *lane = _strata_window_get_piano_roll (window);
  const GArray *notes;

  notes = open_and_transcribe (path);
  g_assert_cmpuint (notes->len, ==, 0);
  g_assert_cmpuint (strata_piano_roll_lane_get_notes (lane)->len, ==, 0);
  g_assert_cmpstr (strata_piano_roll_lane_get_message (lane), ==, "No notes found");
  g_assert_false (enabled ("play-transcription"));
  g_assert_true (enabled ("export-midi"));
  g_assert_null (_strata_window_transcription_drag_content (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (lane));
  strata_test_screenshot (GTK_WIDGET (window), "piano-roll-silence");
}

static gboolean
lane_says_cancelled (gpointer data)
{
  const char *m = strata_piano_roll_lane_get_message (_strata_window_get_piano_roll (window));
  return g_strcmp0 (m, "Transcription cancelled") == 0 || _strata_window_get_transcription (window) != NULL;
}

static gboolean
loaded (gpointer data)
{
  return !strata_window_get_loading (window);
}

/* win.cancel stops the transcription under way and the lane says so;
 * win.transcribe runs it again. */
static void
test_cancel (void)
{
  gint64 n = 60 * STRATA_SAMPLE_RATE;
  g_autofree float *s = g_new (float, 2 * n);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;

  /* A minute of chords that change every half second. */
  for (gint64 i = 0; i < n; i++)
    {
      double t = (double) i / STRATA_SAMPLE_RATE, f = 220.0 * pow (2.0, ((int) (t * 2) % 12) / 12.0);
      s[2 * i] = s[2 * i + 1] = (float) (0.2 * sin (2 * G_PI * f * t) + 0.1 * sin (3 * G_PI * f * t));
    }
  path = write_track ("long-tones.wav", s, n);
  file = g_file_new_for_path (path);
  strata_window_open (window, file);
  g_assert_true (strata_test_wait (loaded, NULL, 30000));
  g_assert_cmpstr (strata_track_get_path (strata_window_get_track (window)), ==, path);
  g_assert_cmpstr (strata_piano_roll_lane_get_message (_strata_window_get_piano_roll (window)), ==,
                   "Transcribing…");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL));
  g_assert_true (strata_test_wait (lane_says_cancelled, NULL, 30000));
  g_assert_null (_strata_window_get_transcription (window));
  g_assert_false (enabled ("export-midi"));
  g_assert_true (enabled ("transcribe"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.transcribe", NULL));
  g_assert_true (strata_test_wait (transcribed, NULL, 90000));
  g_assert_true (enabled ("export-midi"));
}

/* A track transcribed before comes back from the cache, computing nothing. */
static void
test_reopen_cached (void)
{
  g_autofree char *demo = demo_path ();
  guint computed = strata_task_get_n_computed (&strata_transcription_task);
  guint cached = strata_task_get_n_cached (&strata_transcription_task);
  const GArray *notes = open_and_transcribe (demo);

  g_assert_cmpuint (notes->len, >, 50);
  g_assert_cmpuint (strata_task_get_n_computed (&strata_transcription_task), ==, computed);
  g_assert_cmpuint (strata_task_get_n_cached (&strata_transcription_task), ==, cached + 1);
}

int
main (int argc, char **argv)
{
  int status, ret;
  g_autofree char *cache = NULL;

  tmp_dir = g_dir_make_tmp ("strata-piano-XXXXXX", NULL);
  cache = g_build_filename (tmp_dir, "cache", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("STRATA_AUDIO_SINK", "stratapianocapture sync=true", TRUE);
  /* The small font: loaded in a fraction of a second. */
  g_setenv (STRATA_SOUNDFONT_ENV, TIMGM6MB, TRUE);
  if (g_getenv ("STRATA_TEST_SCREENSHOT_DIR") == NULL)
    {
      g_autofree char *shots = g_build_filename (tmp_dir, "screenshots", NULL);
      g_setenv ("STRATA_TEST_SCREENSHOT_DIR", shots, TRUE);
    }

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  if ((status = strata_test_open_display (TRUE)) >= 0)
    return status;
  adw_init ();
  g_assert_true (gst_element_register (NULL, "stratapianocapture", GST_RANK_NONE,
                                       piano_capture_get_type ()));
  heard_reset (1);

  app = strata_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  g_assert_true (strata_test_wait (window_mapped, NULL, 10000));
  window = STRATA_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));

  g_test_add_func ("/piano-roll/demo-lane", test_demo_lane);
  g_test_add_func ("/piano-roll/export", test_export);
  g_test_add_func ("/piano-roll/drag", test_drag);
  g_test_add_func ("/piano-roll/play-transcription", test_play_transcription);
  g_test_add_func ("/piano-roll/audition", test_audition);
  g_test_add_func ("/piano-roll/silence", test_silence);
  g_test_add_func ("/piano-roll/cancel", test_cancel);
  g_test_add_func ("/piano-roll/reopen-cached", test_reopen_cached);
  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  strata_test_spin (50);
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  strata_test_rm_rf (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
