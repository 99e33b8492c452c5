/* test-ui.c: the application in-process under Xvfb: load a track, play it
 * into a real-time sink, a screenshot of the window, the drawn lanes'
 * pixels, a failed open, a cancelled open, zoom, scroll, selection + loop,
 * click-to-seek and the position label.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gst/gst.h>

#include "strata-application.h"
#include "strata-settings.h"
#include "strata-spectrogram-lane.h"
#include "strata-test-util.h"
#include "strata-waveform-lane.h"
#include "strata-window-private.h"

static StrataApplication *app;
static StrataWindow *window;
static char *tmp_dir;
static char *track_path;

static gboolean
window_mapped (gpointer data)
{
  GtkWindow *w = gtk_application_get_active_window (GTK_APPLICATION (app));
  return w != NULL && gtk_widget_get_mapped (GTK_WIDGET (w));
}

static gboolean
load_done (gpointer data)
{
  return !strata_window_get_loading (window);
}

static gboolean
recent_has (gpointer uri)
{
  GList *items = gtk_recent_manager_get_items (gtk_recent_manager_get_default ());
  gboolean found = FALSE;

  for (GList *l = items; l; l = l->next)
    found |= g_strcmp0 (gtk_recent_info_get_uri (l->data), uri) == 0;
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
  return found;
}

/* The primary menu's recent-files section lists @uri (target of win.open-uri). */
static gboolean
recent_menu_has (gpointer uri)
{
  GtkWidget *button = strata_test_find_widget (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON);

  return strata_test_menu_has (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button)),
                               "win.open-uri", uri, NULL);
}

static StrataLane *
find_lane (GType type)
{
  StrataTimeline *tl = strata_window_get_timeline (window);

  for (guint i = 0; i < strata_timeline_get_n_lanes (tl); i++)
    if (G_TYPE_CHECK_INSTANCE_TYPE (strata_timeline_get_lane (tl, i), type))
      return strata_timeline_get_lane (tl, i);
  g_assert_not_reached ();
}

static void
activate (const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, NULL));
}

static void
screenshot (const char *name)
{
  strata_test_screenshot (GTK_WIDGET (window), name);
}

/* The viewport's arithmetic, without widgets. */
static void
test_viewport (void)
{
  g_autoptr(StrataViewport) vp = strata_viewport_new ();
  double a, b, x;

  strata_viewport_set_width (vp, 1000);
  strata_viewport_set_duration (vp, 100.0);
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_seconds_per_px (vp), 0.1, 1e-12);
  g_assert_cmpfloat (strata_viewport_get_start (vp), ==, 0.0);

  /* Zooming keeps the anchor under the same pixel. */
  x = strata_viewport_time_to_x (vp, 30.0);
  strata_viewport_zoom_around (vp, 4.0, 30.0);
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_seconds_per_px (vp), 0.025, 1e-12);
  g_assert_cmpfloat_with_epsilon (strata_viewport_time_to_x (vp, 30.0), x, 1e-9);
  g_assert_cmpfloat_with_epsilon (strata_viewport_x_to_time (vp, strata_viewport_time_to_x (vp, 31.5)),
                                  31.5, 1e-9);

  /* Scrolling is clamped to the track. */
  strata_viewport_set_start (vp, 95.0);
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_start (vp), 75.0, 1e-9);
  strata_viewport_set_start (vp, -3.0);
  g_assert_cmpfloat (strata_viewport_get_start (vp), ==, 0.0);

  /* Following the playhead pages forward. */
  strata_viewport_ensure_visible (vp, 60.0);
  g_assert_cmpfloat (strata_viewport_get_start (vp), <=, 60.0);
  g_assert_cmpfloat (strata_viewport_get_start (vp) + strata_viewport_get_visible_seconds (vp), >, 60.0);

  /* Zoom limits: never past the whole track, never below 4 px a sample. */
  strata_viewport_zoom_around (vp, 1e-3, 10.0);
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_visible_seconds (vp), 100.0, 1e-9);
  strata_viewport_zoom_around (vp, 1e9, 10.0);
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_seconds_per_px (vp), 1.0 / 44100 / 4, 1e-12);

  /* A fitted view follows the width. */
  strata_viewport_fit (vp);
  strata_viewport_set_width (vp, 500);
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_visible_seconds (vp), 100.0, 1e-9);

  /* Selections are ordered and clamped. */
  strata_viewport_set_selection (vp, 120.0, 40.0);
  g_assert_true (strata_viewport_get_selection (vp, &a, &b));
  g_assert_cmpfloat (a, ==, 40.0);
  g_assert_cmpfloat (b, ==, 100.0);
  strata_viewport_clear_selection (vp);
  g_assert_false (strata_viewport_get_selection (vp, NULL, NULL));
  g_assert_finalize_object (g_steal_pointer (&vp));
}

static gboolean
engine_idle (gpointer engine)
{
  return !strata_engine_get_busy (engine);
}

static void
test_load (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (track_path);
  g_autofree char *basename = g_path_get_basename (track_path);
  StrataTrack *track;

  g_assert_null (strata_window_get_track (window));
  /* Without a track the transport is insensitive. */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "play-pause"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "open"));
  strata_window_open (window, file);
  g_assert_true (strata_window_get_loading (window));
  /* The progress bar follows the engine's "busy". */
  {
    StrataEngine *engine = strata_application_get_engine (app);
    GtkWidget *bar = strata_test_find_widget (GTK_WIDGET (window), GTK_TYPE_PROGRESS_BAR);
    GtkWidget *revealer = gtk_widget_get_ancestor (bar, GTK_TYPE_REVEALER);

    g_assert_cmpint (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)), ==,
                     strata_engine_get_busy (engine));
    g_assert_true (strata_test_wait (load_done, NULL, 25000));
    /* The feature strata are computed next; the engine is idle after them. */
    g_assert_true (strata_test_wait (engine_idle, engine, 60000));
    strata_test_spin (100);
    g_assert_false (strata_engine_get_busy (engine));
    g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  }

  track = strata_window_get_track (window);
  g_assert_nonnull (track);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "play-pause"));
  g_assert_null (strata_window_get_error (window));
  g_assert_true (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (window)), basename));
  g_assert_nonnull (strata_track_get_peaks (track));
  g_assert_nonnull (strata_track_get_specgram (track));
  g_assert_cmpfloat_with_epsilon (strata_player_get_duration (strata_window_get_player (window)),
                                  strata_track_get_duration (track), 0.01);
  /* The viewport shows the whole track. */
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_visible_seconds (
                                    strata_timeline_get_viewport (strata_window_get_timeline (window))),
                                  strata_track_get_duration (track), 0.01);
  /* The file went to the recent files (written in an idle). */
  {
    g_autofree char *uri = g_file_get_uri (file);
    g_assert_true (strata_test_wait (recent_has, uri, 5000));
    g_assert_true (strata_test_wait (recent_menu_has, uri, 5000));
  }
}

static gboolean
playhead_moved (gpointer vp)
{
  return strata_viewport_get_playhead (vp) > 0.0;
}

static void
test_play (void)
{
  StrataPlayer *player = strata_window_get_player (window);
  StrataViewport *vp = strata_timeline_get_viewport (strata_window_get_timeline (window));
  double before, after;
  gint64 t0;
  double wall;

  activate ("win.play-pause");
  g_assert_true (strata_player_get_playing (player));
  /* From the moment the sink runs (start-up latency depends on the load). */
  g_assert_true (strata_test_wait (playhead_moved, vp, 5000));
  before = strata_viewport_get_playhead (vp);
  t0 = g_get_monotonic_time ();
  strata_test_spin (1000);
  wall = (g_get_monotonic_time () - t0) / 1e6;
  after = strata_viewport_get_playhead (vp);
  g_test_message ("playhead %.3f -> %.3f s in %.3f s of wall time", before, after, wall);
  g_assert_cmpfloat (after - before, >, 0.5);
  g_assert_cmpfloat (after - before, <, 2.0);
  g_assert_cmpfloat (after - before, <=, wall + 0.05);

  /* A screenshot of the playing window, written and read back every run. */
  {
    const char *dir = g_getenv ("STRATA_TEST_SCREENSHOT_DIR");
    g_autofree char *path = NULL;
    guint colours;
    int w, h;

    g_assert_nonnull (dir);
    path = strata_test_save_screenshot (GTK_WIDGET (window), dir, "playing");
    g_assert_nonnull (path);
    g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    colours = strata_test_png_colours (path, &w, &h);
    g_test_message ("screenshot %s: %dx%d, %u colours", path, w, h, colours);
    g_assert_cmpint (w, ==, gtk_widget_get_width (GTK_WIDGET (window)));
    g_assert_cmpint (h, ==, gtk_widget_get_height (GTK_WIDGET (window)));
    /* A blank or unpainted window has a handful of colours. */
    g_assert_cmpuint (colours, >, 200);
  }

  activate ("win.play-pause");
  g_assert_false (strata_player_get_playing (player));
}

static void
test_pixels (void)
{
  StrataLane *wave = find_lane (STRATA_TYPE_WAVEFORM_LANE);
  StrataLane *spec = find_lane (STRATA_TYPE_SPECTROGRAM_LANE);
  g_autofree guint32 *wp = NULL, *sp = NULL;
  int w, h, sw, sh;
  gsize wave_px = 0;
  guint spec_colours;

  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  wp = strata_test_render (GTK_WIDGET (wave), &w, &h);
  for (gsize i = 0; i < (gsize) w * h; i++)
    {
      guint32 p = wp[i];
      if (((p >> 16) & 0xff) == STRATA_WAVEFORM_R && ((p >> 8) & 0xff) == STRATA_WAVEFORM_G
          && (p & 0xff) == STRATA_WAVEFORM_B)
        wave_px++;
    }
  g_test_message ("waveform lane %dx%d: %" G_GSIZE_FORMAT " waveform pixels", w, h, wave_px);
  /* Audio across the whole width, drawn at least a few pixels tall. */
  g_assert_cmpuint (wave_px, >, (gsize) w * 4);
  g_assert_cmpuint (strata_test_count_colours (wp, (gsize) w * h), >=, 3);

  sp = strata_test_render (GTK_WIDGET (spec), &sw, &sh);
  spec_colours = strata_test_count_colours (sp, (gsize) sw * sh);
  g_test_message ("spectrogram lane %dx%d: %u colours", sw, sh, spec_colours);
  g_assert_cmpint (sw, ==, w);   /* lanes share the viewport's width */
  g_assert_cmpuint (spec_colours, >, 60);
  /* Dark lane: most pixels are dark (magma's low end). */
  {
    gsize dark = 0;
    for (gsize i = 0; i < (gsize) sw * sh; i++)
      {
        guint32 p = sp[i];
        if (((p >> 16) & 0xff) + ((p >> 8) & 0xff) + (p & 0xff) < 3 * 96)
          dark++;
      }
    g_assert_cmpuint (dark, >, (gsize) sw * sh / 10);
  }

  screenshot ("timeline");

  /* The tooltip names time, frequency and note; the axis runs low to high. */
  {
    StrataSpectrogramLane *sl = STRATA_SPECTROGRAM_LANE (spec);
    double y440 = strata_spectrogram_lane_freq_to_y (sl, 440.0, sh);
    g_autofree char *text = NULL;

    g_assert_cmpfloat (y440, >, 0);
    g_assert_cmpfloat (strata_spectrogram_lane_freq_to_y (sl, 100.0, sh), >, y440);
    g_assert_cmpfloat_with_epsilon (strata_spectrogram_lane_y_to_freq (sl, y440, sh), 440.0, 0.01);
    text = strata_spectrogram_lane_describe_point (sl, 0, y440);
    g_test_message ("tooltip: %s", text);
    g_assert_true (g_str_has_prefix (text, "0:00.000"));
    g_assert_nonnull (strstr (text, "440 Hz"));
    g_assert_true (g_str_has_suffix (text, "A4"));
  }
}

static void
store_result (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static gboolean
have_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* The timeline as a PNG: the size of the timeline, with the lanes in it. */
static void
test_export_picture (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "timeline.png", NULL);
  g_autofree char *bad = g_build_filename (tmp_dir, "no-such-dir", "x.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) png = NULL;
  GtkWidget *timeline = GTK_WIDGET (strata_window_get_timeline (window));

  g_assert_true (strata_window_export_picture (window, file, &error));
  g_assert_no_error (error);
  png = gdk_texture_new_from_file (file, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (png), ==, gtk_widget_get_width (timeline));
  g_assert_cmpint (gdk_texture_get_height (png), ==, gtk_widget_get_height (timeline));
  {
    int w = gdk_texture_get_width (png), h = gdk_texture_get_height (png);
    g_autofree guint32 *px = g_new (guint32, (gsize) w * h);
    gdk_texture_download (png, (guchar *) px, (gsize) w * 4);
    g_assert_cmpuint (strata_test_count_colours (px, (gsize) w * h), >, 100);
  }

  g_assert_false (strata_window_export_picture (window, bad_file, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "x.png"));
  g_clear_error (&error);

  /* The export action's way: rendered now, written on the engine; the same
   * bytes, and the same error for a folder that does not exist. */
  g_autofree char *async_path = g_build_filename (tmp_dir, "timeline-async.png", NULL);
  g_autoptr(GFile) async_file = g_file_new_for_path (async_path);
  g_autofree char *a = NULL, *b = NULL;
  gsize na = 0, nb = 0;
  GAsyncResult *result = NULL;
  strata_window_export_picture_async (window, async_file, store_result, &result);
  g_assert_true (strata_test_wait (have_result, &result, 20000));
  g_assert_true (strata_window_export_finish (window, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (g_file_get_contents (path, &a, &na, NULL));
  g_assert_true (g_file_get_contents (async_path, &b, &nb, NULL));
  g_assert_cmpmem (a, na, b, nb);
  strata_window_export_picture_async (window, bad_file, store_result, &result);
  g_assert_true (strata_test_wait (have_result, &result, 20000));
  g_assert_false (strata_window_export_finish (window, result, &error));
  g_assert_nonnull (strstr (error->message, "x.png"));
  g_clear_object (&result);
}

static void
test_error_keeps_track (void)
{
  g_autofree char *bad = g_build_filename (tmp_dir, "broken-take.wav", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (bad);
  StrataTrack *before = strata_window_get_track (window);
  StrataPlayer *player = strata_window_get_player (window);
  const char *message;
  double pos;

  g_assert_true (g_file_set_contents (bad, "RIFF\x24\x00\x00\x00WAVEfmt garbage garbage garbage", 40, NULL));
  strata_window_open (window, file);
  g_assert_true (strata_test_wait (load_done, NULL, 15000));

  message = strata_window_get_error (window);
  g_test_message ("error bar: %s", message);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "broken-take.wav"));
  g_assert_true (strata_window_get_track (window) == before);
  strata_test_spin (400);   /* the revealer slides in */
  screenshot ("error-bar");

  /* Still playable. */
  strata_player_seek (player, 0.0);
  strata_player_play (player);
  strata_test_spin (400);
  pos = strata_player_get_position (player);
  strata_player_pause (player);
  g_assert_cmpfloat (pos, >, 0.15);

  /* A playback failure lands in the same bar. */
  g_signal_emit_by_name (player, "error", "Playback failed: the sink went away");
  g_assert_cmpstr (strata_window_get_error (window), ==, "Playback failed: the sink went away");

  /* A missing file too. */
  {
    g_autofree char *missing = g_build_filename (tmp_dir, "no-such-file.flac", NULL);
    g_autoptr(GFile) mf = g_file_new_for_path (missing);

    strata_window_open (window, mf);
    g_assert_true (strata_test_wait (load_done, NULL, 15000));
    g_assert_nonnull (strstr (strata_window_get_error (window), "no-such-file.flac"));
    g_assert_true (strata_window_get_track (window) == before);
  }
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/* The names in @dir, sorted, joined by newlines ("" when it is missing). */
static char *
list_dir (const char *dir)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv ("\n", (char **) names->pdata);
}

/* A generated track of @seconds (mono; every load of it is a cache miss,
 * since no other test uses its content). (transfer full) */
static char *
write_long_track (double seconds)
{
  g_autofree char *path = g_build_filename (tmp_dir, "long-take.wav", NULL);
  g_autoptr(GError) error = NULL;
  gint64 n = (gint64) (seconds * STRATA_SAMPLE_RATE);
  g_autofree float *s = g_new (float, n);

  for (gint64 i = 0; i < n; i++)
    {
      double t = (double) i / STRATA_SAMPLE_RATE;
      s[i] = (float) (0.3 * sin (2 * G_PI * (220.0 + 20.0 * ((int) t % 7)) * t));
    }
  g_assert_true (strata_audio_write (path, s, n, 1, STRATA_SAMPLE_RATE,
                                     STRATA_AUDIO_FORMAT_WAV_PCM16, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static gboolean
load_started (gpointer engine)
{
  return strata_engine_get_busy (engine) && strata_engine_get_fraction (engine) > 0.1;
}

/* Cancel during a long load: the job ends within 200 ms (the engine's
 * contract), the open track stays, no error bar, no cache entry. */
static void
test_cancel_is_silent (void)
{
  StrataEngine *engine = strata_application_get_engine (app);
  StrataTrack *before = strata_window_get_track (window);
  StrataPlayer *player = strata_window_get_player (window);
  double duration = strata_player_get_duration (player);
  g_autofree char *title = g_strdup (gtk_window_get_title (GTK_WINDOW (window)));
  g_autofree char *long_path = write_long_track (300.0);
  g_autoptr(GFile) file = g_file_new_for_path (long_path);
  const char *cache_dir = strata_engine_get_cache_dir (engine);
  g_autofree char *cache_before = NULL, *cache_after = NULL;
  GtkWidget *dismiss;
  gint64 t0;
  double ms;

  g_assert_nonnull (before);
  /* The cache is this run's own (XDG_CACHE_HOME set in main before GLib
   * read it); the long take has never been cached. */
  g_assert_true (g_str_has_prefix (cache_dir, tmp_dir));
  g_assert_true (strata_test_wait (engine_idle, engine, 60000));
  cache_before = list_dir (cache_dir);
  /* Dismiss the bar an earlier test left open. */
  dismiss = strata_test_find_widget (GTK_WIDGET (window->error_revealer), GTK_TYPE_BUTTON);
  g_assert_nonnull (dismiss);
  g_signal_emit_by_name (dismiss, "clicked");
  g_assert_null (strata_window_get_error (window));

  strata_window_open (window, file);
  g_assert_true (strata_test_wait (load_started, engine, 15000));
  g_assert_true (strata_window_get_loading (window));
  g_test_message ("cancelling at %.0f %% (%s)", strata_engine_get_fraction (engine) * 100,
                  strata_engine_get_stage (engine));
  t0 = g_get_monotonic_time ();
  activate ("win.cancel");
  g_assert_true (strata_test_wait (load_done, NULL, 5000));
  ms = (g_get_monotonic_time () - t0) / 1000.0;
  g_test_message ("the load ended %.1f ms after Cancel", ms);
  g_assert_cmpfloat (ms, <, 200.0);

  g_assert_true (strata_test_wait (engine_idle, engine, 5000));
  strata_test_spin (300);   /* a late callback or cache write would land now */
  g_assert_true (strata_window_get_track (window) == before);
  g_assert_cmpfloat (strata_player_get_duration (player), ==, duration);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, title);
  g_assert_null (strata_window_get_error (window));
  cache_after = list_dir (cache_dir);
  g_assert_cmpstr (cache_after, ==, cache_before);
  g_remove (long_path);
}

static void
test_zoom (void)
{
  StrataTimeline *tl = strata_window_get_timeline (window);
  StrataViewport *vp = strata_timeline_get_viewport (tl);
  StrataLane *spec = find_lane (STRATA_TYPE_SPECTROGRAM_LANE);
  double full = strata_viewport_get_visible_seconds (vp);
  double spp0 = strata_viewport_get_seconds_per_px (vp), spp1;
  guint renders;

  activate ("win.zoom-fit");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (spec));
  renders = strata_lane_get_render_count (spec);

  activate ("win.zoom-in");
  spp1 = strata_viewport_get_seconds_per_px (vp);
  g_assert_cmpfloat_with_epsilon (spp1, spp0 / STRATA_TIMELINE_ZOOM_STEP, spp0 * 1e-6);
  activate ("win.zoom-in");
  g_assert_cmpfloat (strata_viewport_get_visible_seconds (vp), <, full / 2);
  /* The lanes re-render for the new range. */
  gtk_test_widget_wait_for_draw (GTK_WIDGET (spec));
  strata_test_spin (50);
  g_assert_cmpuint (strata_lane_get_render_count (spec), >, renders);

  /* Scrolling keeps the zoom. */
  strata_viewport_set_start (vp, 1.0);
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_start (vp), 1.0, 1e-9);

  /* Down to the samples: the waveform is drawn from the audio itself. */
  {
    StrataLane *wave = find_lane (STRATA_TYPE_WAVEFORM_LANE);
    double saved = strata_viewport_get_seconds_per_px (vp);

    for (double spp = 16.0; spp >= 0.125; spp /= 8)
      {
        g_autofree guint32 *px = NULL;
        gsize blue = 0;
        int w, h;

        strata_viewport_set_seconds_per_px (vp, spp / STRATA_SAMPLE_RATE);
        strata_viewport_set_start (vp, 1.0);
        gtk_test_widget_wait_for_draw (GTK_WIDGET (wave));
        px = strata_test_render (GTK_WIDGET (wave), &w, &h);
        for (gsize i = 0; i < (gsize) w * h; i++)
          blue += ((px[i] >> 16) & 0xff) < 0x80 && (px[i] & 0xff) > 0xc0;
        g_test_message ("%.3f frames/px: %" G_GSIZE_FORMAT " waveform-coloured pixels", spp, blue);
        g_assert_cmpuint (blue, >=, (gsize) w);
      }
    strata_viewport_set_seconds_per_px (vp, saved);
  }

  activate ("win.zoom-out");
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_seconds_per_px (vp), spp1, spp1 * 1e-6);
  activate ("win.zoom-fit");
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_visible_seconds (vp), full, 1e-6);
  g_assert_cmpfloat (strata_viewport_get_start (vp), ==, 0.0);
  /* Zooming out never goes past the whole track. */
  activate ("win.zoom-out");
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_visible_seconds (vp), full, 1e-6);
}

static void
test_seek_click (void)
{
  StrataTimeline *tl = strata_window_get_timeline (window);
  StrataViewport *vp = strata_timeline_get_viewport (tl);
  StrataPlayer *player = strata_window_get_player (window);
  double x = strata_viewport_get_width (vp) * 0.25;
  double t = strata_viewport_x_to_time (vp, x);

  strata_timeline_pointer_gesture (tl, x, x);
  strata_test_spin (100);
  g_assert_cmpfloat_with_epsilon (strata_player_get_position (player), t, 0.02);
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_playhead (vp), t, 0.02);
  g_assert_false (strata_viewport_get_selection (vp, NULL, NULL));

  /* The transport bar reads "m:ss.mmm / m:ss.mmm": the sought position,
   * then the duration. */
  {
    const char *text = gtk_label_get_label (window->position_label);
    g_autoptr(GRegex) re = g_regex_new ("^(\\d+):([0-5]\\d)\\.(\\d{3}) / (\\d+):([0-5]\\d)\\.(\\d{3})$",
                                        0, 0, NULL);
    g_autoptr(GMatchInfo) match = NULL;
    double field[6];

    g_test_message ("position label after seeking to %.3f s: %s", t, text);
    g_assert_true (g_regex_match (re, text, 0, &match));
    for (int i = 0; i < 6; i++)
      {
        g_autofree char *f = g_match_info_fetch (match, i + 1);
        field[i] = g_ascii_strtod (f, NULL);
      }
    g_assert_cmpfloat_with_epsilon (field[0] * 60 + field[1] + field[2] / 1000, t, 0.02);
    g_assert_cmpfloat_with_epsilon (field[3] * 60 + field[4] + field[5] / 1000,
                                    strata_player_get_duration (player), 0.0006);
  }
}

/* The scroll wheel over the lanes: Ctrl zooms around the pointer, plain
 * and horizontal scrolling move the view along time. */
static void
test_scroll (void)
{
  StrataTimeline *tl = strata_window_get_timeline (window);
  StrataViewport *vp = strata_timeline_get_viewport (tl);
  double x = strata_viewport_get_width (vp) * 0.2;
  double spp0, spp, t_at_x, start;

  activate ("win.zoom-fit");
  spp0 = strata_viewport_get_seconds_per_px (vp);

  /* Ctrl + wheel up: zoom in by one step; the time under the pointer stays
   * under it (x is off-centre, so a zoom around the centre would move it). */
  t_at_x = strata_viewport_x_to_time (vp, x);
  g_assert_true (strata_timeline_scroll (tl, x, 0, -1, GDK_CONTROL_MASK));
  spp = strata_viewport_get_seconds_per_px (vp);
  g_assert_cmpfloat_with_epsilon (spp, spp0 / STRATA_TIMELINE_ZOOM_STEP, spp0 * 1e-6);
  g_assert_cmpfloat_with_epsilon (strata_viewport_x_to_time (vp, x), t_at_x, spp);
  g_assert_cmpfloat (strata_viewport_get_start (vp), >, 0.0);
  g_assert_true (strata_timeline_scroll (tl, x, 0, -2, GDK_CONTROL_MASK));
  spp = strata_viewport_get_seconds_per_px (vp);
  g_assert_cmpfloat_with_epsilon (spp, spp0 / pow (STRATA_TIMELINE_ZOOM_STEP, 3), spp0 * 1e-6);
  g_assert_cmpfloat_with_epsilon (strata_viewport_x_to_time (vp, x), t_at_x, spp);

  /* Plain wheel down: later by one notch; the zoom stays. */
  start = strata_viewport_get_start (vp);
  g_assert_true (strata_timeline_scroll (tl, x, 0, 1, 0));
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_start (vp) - start,
                                  STRATA_TIMELINE_SCROLL_STEP_PX * spp, 1e-9);
  g_assert_cmpfloat (strata_viewport_get_seconds_per_px (vp), ==, spp);
  /* Up, and a touchpad's horizontal delta, go back. */
  g_assert_true (strata_timeline_scroll (tl, x, 0, -1, 0));
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_start (vp), start, 1e-9);
  g_assert_true (strata_timeline_scroll (tl, x, 2, 0, GDK_SHIFT_MASK));
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_start (vp) - start,
                                  2 * STRATA_TIMELINE_SCROLL_STEP_PX * spp, 1e-9);
  g_assert_true (strata_timeline_scroll (tl, x, -2, 0, 0));
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_start (vp), start, 1e-9);

  /* Ctrl + wheel down zooms back out, never past the whole track. */
  g_assert_true (strata_timeline_scroll (tl, x, 0, 5, GDK_CONTROL_MASK));
  g_assert_cmpfloat_with_epsilon (strata_viewport_get_seconds_per_px (vp), spp0, spp0 * 1e-6);
  g_assert_cmpfloat (strata_viewport_get_start (vp), ==, 0.0);
}

/* The ruler draws bar numbers from the track's beats, and a drag snaps to
 * beats while "Snap Selections to Beats" is on. */
static void
test_beat_grid (void)
{
  StrataTimeline *tl = strata_window_get_timeline (window);
  StrataViewport *vp = strata_timeline_get_viewport (tl);
  StrataTrack *track = strata_window_get_track (window);
  const StrataBeats *beats = strata_track_get_beats (track);
  StrataLane *ruler = strata_timeline_get_lane (tl, 0);
  double a, b, t3, t9;

  g_assert_nonnull (beats);
  g_test_message ("demo: %.1f BPM, %d beats a bar, %u beats", beats->bpm, beats->beats_per_bar,
                  beats->beats->len);
  g_assert_cmpfloat (beats->bpm, >, 60.0);
  g_assert_cmpuint (beats->beats->len, >, 16);

  activate ("win.zoom-fit");
  strata_test_spin (50);
  /* bar numbers: accent-blue pixels in the ruler's top rows, none without beats */
  for (int pass = 0; pass < 2; pass++)
    {
      cairo_surface_t *surface;
      const guint8 *px;
      int stride, w, blue = 0;

      if (pass == 1)
        strata_ruler_lane_set_beats (STRATA_RULER_LANE (ruler), NULL, NULL, NULL);
      surface = strata_lane_render_surface (ruler);
      px = cairo_image_surface_get_data (surface);
      stride = cairo_image_surface_get_stride (surface);
      w = cairo_image_surface_get_width (surface);
      for (int y = 0; y < 7; y++)
        for (int x = 0; x < w; x++)
          {
            const guint8 *p = px + y * stride + 4 * x;   /* B G R A */
            blue += p[0] > 150 && p[2] < 120 && p[3] > 100;
          }
      g_test_message ("ruler %s beats: %d accent pixels", pass ? "without" : "with", blue);
      if (pass == 0)
        g_assert_cmpint (blue, >, 20);
      else
        g_assert_cmpint (blue, ==, 0);
      cairo_surface_destroy (surface);
    }
  strata_ruler_lane_set_beats (STRATA_RULER_LANE (ruler), beats, strata_track_ref (track),
                               (GDestroyNotify) strata_track_unref);

  /* a drag from just after beat 3 to just before beat 9 selects exactly them */
  t3 = g_array_index (beats->beats, double, 3);
  t9 = g_array_index (beats->beats, double, 9);
  g_assert_true (g_variant_get_boolean (g_action_group_get_action_state (G_ACTION_GROUP (window),
                                                                          "snap-to-beats")));
  strata_timeline_pointer_gesture (tl, strata_viewport_time_to_x (vp, t3) + 4,
                                   strata_viewport_time_to_x (vp, t9) - 3);
  g_assert_true (strata_viewport_get_selection (vp, &a, &b));
  g_assert_cmpfloat (a, ==, t3);
  g_assert_cmpfloat (b, ==, t9);
  /* off: the drag selects where the pointer went */
  g_action_group_change_action_state (G_ACTION_GROUP (window), "snap-to-beats",
                                      g_variant_new_boolean (FALSE));
  strata_timeline_pointer_gesture (tl, strata_viewport_time_to_x (vp, t3) + 4,
                                   strata_viewport_time_to_x (vp, t9) - 3);
  g_assert_true (strata_viewport_get_selection (vp, &a, &b));
  g_assert_cmpfloat (a, >, t3);
  g_assert_cmpfloat (b, <, t9);
  g_action_group_change_action_state (G_ACTION_GROUP (window), "snap-to-beats",
                                      g_variant_new_boolean (TRUE));
  activate ("win.clear-selection");
}

/* M adds a marker at the playhead; markers are listed in the side panel
 * (renamed, clicked, removed), flagged in the ruler and written with the
 * sections. */
static void
test_markers (void)
{
  StrataPlayer *player = strata_window_get_player (window);
  StrataFeatureController *fc = window->features;
  const GArray *markers = strata_window_get_markers (window);
  StrataTimeline *tl = strata_window_get_timeline (window);
  StrataLane *ruler = strata_timeline_get_lane (tl, 0);
  const double at[] = { 2.0, 5.5, 1.0 };
  GtkListBoxRow *row;

  g_assert_cmpuint (markers->len, ==, 0);
  g_assert_null (gtk_stack_get_child_by_name (window->side_stack, "markers"));
  for (gsize i = 0; i < G_N_ELEMENTS (at); i++)
    {
      strata_player_seek (player, at[i]);
      activate ("win.add-marker");
    }
  g_assert_nonnull (gtk_stack_get_child_by_name (window->side_stack, "markers"));
  g_assert_cmpuint (markers->len, ==, 3);
  g_assert_cmpfloat_with_epsilon (g_array_index (markers, StrataMarker, 0).time, 1.0, 0.03);
  g_assert_cmpstr (g_array_index (markers, StrataMarker, 0).name, ==, "Marker 3");
  g_assert_cmpfloat_with_epsilon (g_array_index (markers, StrataMarker, 2).time, 5.5, 0.03);
  g_assert_cmpstr (g_array_index (markers, StrataMarker, 2).name, ==, "Marker 2");
  g_assert_nonnull (gtk_list_box_get_row_at_index (window->marker_list, 2));
  g_assert_null (gtk_list_box_get_row_at_index (window->marker_list, 3));

  /* rename the last one in its row, as a user edits the label */
  row = gtk_list_box_get_row_at_index (window->marker_list, 2);
  {
    GtkWidget *entry = strata_test_find_widget (GTK_WIDGET (row), GTK_TYPE_ENTRY);
    gtk_widget_grab_focus (entry);
    gtk_editable_set_text (GTK_EDITABLE (entry), "Chorus, take 2");
  }
  g_assert_cmpstr (g_array_index (markers, StrataMarker, 2).name, ==, "Chorus, take 2");

  /* clicking a row goes there */
  strata_player_seek (player, 0.0);
  g_signal_emit_by_name (window->marker_list, "row-activated",
                         gtk_list_box_get_row_at_index (window->marker_list, 2));
  g_assert_cmpfloat_with_epsilon (strata_player_get_position (player), 5.5, 0.03);

  /* flagged in the ruler: orange pixels */
  {
    cairo_surface_t *surface = strata_lane_render_surface (ruler);
    const guint8 *px = cairo_image_surface_get_data (surface);
    int stride = cairo_image_surface_get_stride (surface), n = 0;

    for (int y = 0; y < cairo_image_surface_get_height (surface); y++)
      for (int x = 0; x < cairo_image_surface_get_width (surface); x++)
        {
          const guint8 *p = px + y * stride + 4 * x;   /* B G R A */
          n += p[2] > 200 && p[1] > 60 && p[1] < 130 && p[0] < 60;
        }
    g_test_message ("ruler: %d marker pixels", n);
    g_assert_cmpint (n, >, 30);
    cairo_surface_destroy (surface);
  }

  /* written with the sections, and read back */
  for (int fmt = 0; fmt < 2; fmt++)
    {
      g_autofree char *path = g_build_filename (tmp_dir, fmt ? "sections.csv" : "sections.txt", NULL);
      g_autoptr(GError) error = NULL;
      GAsyncResult *result = NULL;
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;
      guint n_markers = 0;

      strata_feature_controller_export_sections_async (fc, path, NULL, store_result, &result);
      g_assert_true (strata_test_wait (have_result, &result, 20000));
      g_assert_true (strata_feature_controller_export_finish (fc, result, &error));
      g_assert_no_error (error);
      g_clear_object (&result);
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i]; i++)
        {
          g_auto(GStrv) f = fmt ? g_strsplit (lines[i], ",", 3) : g_strsplit (lines[i], "\t", 3);
          if (g_strv_length (f) == 3 && g_strcmp0 (f[0], f[1]) == 0)
            {
              const StrataMarker *m = &g_array_index (markers, StrataMarker, n_markers);
              g_autofree char *want = fmt && strchr (m->name, ',')
                                      ? g_strdup_printf ("\"%s\"", m->name) : g_strdup (m->name);

              g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[0], NULL), m->time, 1e-5);
              g_assert_cmpstr (f[2], ==, want);
              n_markers++;
            }
        }
      g_test_message ("%s: %u markers among %u lines", path, n_markers, g_strv_length (lines));
      g_assert_cmpuint (n_markers, ==, 3);
    }

  /* removed with its button; a new track has none */
  {
    GtkWidget *button = strata_test_find_widget (GTK_WIDGET (gtk_list_box_get_row_at_index (window->marker_list, 0)),
                                                 GTK_TYPE_BUTTON);
    g_signal_emit_by_name (button, "clicked");
  }
  g_assert_cmpuint (markers->len, ==, 2);
  g_assert_cmpstr (g_array_index (markers, StrataMarker, 0).name, ==, "Marker 1");
}

static void
test_loop (void)
{
  StrataTimeline *tl = strata_window_get_timeline (window);
  StrataViewport *vp = strata_timeline_get_viewport (tl);
  StrataPlayer *player = strata_window_get_player (window);
  int width = strata_viewport_get_width (vp);
  double a, b, la, lb, pos;

  /* exact positions: no snapping to the beat grid here (test_beat_grid) */
  g_action_group_change_action_state (G_ACTION_GROUP (window), "snap-to-beats",
                                      g_variant_new_boolean (FALSE));
  /* Drag from 10 % to 30 % of the width. */
  strata_timeline_pointer_gesture (tl, width * 0.1, width * 0.3);
  g_assert_true (strata_viewport_get_selection (vp, &a, &b));
  g_assert_cmpfloat_with_epsilon (a, strata_viewport_x_to_time (vp, width * 0.1), 1e-6);
  g_assert_cmpfloat_with_epsilon (b, strata_viewport_x_to_time (vp, width * 0.3), 1e-6);
  g_assert_false (strata_player_get_loop (player, NULL, NULL));

  activate ("win.loop");
  g_assert_true (strata_player_get_loop (player, &la, &lb));
  g_assert_cmpfloat_with_epsilon (la, a, 1e-6);
  g_assert_cmpfloat_with_epsilon (lb, b, 1e-6);

  /* Playing stays inside the loop. */
  strata_player_play (player);
  for (int i = 0; i < 20; i++)
    {
      strata_test_spin (25);
      pos = strata_player_get_position (player);
      g_assert_cmpfloat (pos, >=, a - 0.01);
      g_assert_cmpfloat (pos, <=, b + 0.01);
    }
  strata_player_pause (player);
  screenshot ("loop");

  /* A new selection moves the loop; Escape clears it and the loop. */
  strata_timeline_pointer_gesture (tl, width * 0.5, width * 0.4);
  g_assert_true (strata_viewport_get_selection (vp, &a, &b));
  g_assert_true (strata_player_get_loop (player, &la, &lb));
  g_assert_cmpfloat_with_epsilon (la, a, 1e-6);
  activate ("win.clear-selection");
  g_assert_false (strata_viewport_get_selection (vp, NULL, NULL));
  g_assert_false (strata_player_get_loop (player, NULL, NULL));
  activate ("win.loop");   /* off again */
}

static gboolean
track_is (gpointer path)
{
  StrataTrack *track = strata_window_get_track (window);
  return !strata_window_get_loading (window) && track != NULL
         && g_strcmp0 (strata_track_get_path (track), path) == 0;
}

/* Dropping a file list on the window opens the first file. */
static void
test_drop (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "dropped", NULL);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;

  g_mkdir_with_parents (dir, 0700);
  g_setenv ("STRATA_TEST_NO_DEMO", "1", TRUE);
  path = strata_test_track (dir, 3.0);
  g_unsetenv ("STRATA_TEST_NO_DEMO");
  file = g_file_new_for_path (path);

  g_assert_true (strata_test_drop_file (GTK_WIDGET (window), file));
  g_assert_true (strata_test_wait (track_is, path, 20000));
  g_assert_cmpfloat_with_epsilon (strata_player_get_duration (strata_window_get_player (window)), 3.0, 0.01);
}

/* `strata FILE`: GApplication::open loads the file into the window. */
static void
test_open_command_line (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (track_path);
  GFile *files[] = { file };

  g_application_open (G_APPLICATION (app), files, 1, "");
  g_assert_true (strata_test_wait (track_is, track_path, 20000));
  g_assert_true (GTK_WINDOW (window) == gtk_application_get_active_window (GTK_APPLICATION (app)));
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* (transfer none) */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return GTK_WINDOW (w);
    }
  return NULL;
}

static gboolean
toplevel_shown (gpointer type)
{
  return find_toplevel ((GType) GPOINTER_TO_SIZE (type)) != NULL;
}

static gboolean
chooser_has_folder (gpointer chooser)
{
  g_autoptr(GFile) folder = gtk_file_chooser_get_current_folder (chooser);
  return folder != NULL;
}

/* About, the shortcuts window and the file chooser (which starts in the
 * folder of the last opened file) open from their actions. */
static void
test_dialogs (void)
{
  GtkWindow *w;

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_true (strata_test_wait (toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_ABOUT_WINDOW), 5000));
  w = find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (w)), ==, "Strata");
  gtk_window_destroy (w);

  activate ("win.show-help-overlay");
  g_assert_true (strata_test_wait (toplevel_shown, GSIZE_TO_POINTER (GTK_TYPE_SHORTCUTS_WINDOW), 5000));
  gtk_window_close (find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW));

  activate ("win.open");
  g_assert_true (strata_test_wait (toplevel_shown, GSIZE_TO_POINTER (GTK_TYPE_FILE_CHOOSER_DIALOG), 5000));
  w = find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_assert_true (strata_test_wait (chooser_has_folder, w, 5000));
  {
    g_autoptr(GFile) folder = gtk_file_chooser_get_current_folder (GTK_FILE_CHOOSER (w));
    g_autofree char *expected = g_path_get_dirname (track_path);
    g_assert_cmpstr (g_file_peek_path (folder), ==, expected);
  }
  gtk_dialog_response (GTK_DIALOG (w), GTK_RESPONSE_CANCEL);
  strata_test_spin (100);
  g_assert_null (find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG));
}

static void
test_settings (void)
{
  g_autoptr(GSettings) settings = strata_settings_new ();

  /* The test environment provides the schema compiled in the build dir. */
  g_assert_nonnull (settings);
  gtk_window_set_default_size (GTK_WINDOW (window), 1003, 707);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1003);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 707);
  /* The folder of the opened track was remembered for the file chooser. */
  {
    g_autofree char *folder = g_settings_get_string (settings, "last-folder");
    g_autofree char *expected = g_path_get_dirname (track_path);
    g_assert_cmpstr (folder, ==, expected);
  }
}

static gboolean
revealed (gpointer revealer)
{
  return gtk_revealer_get_child_revealed (revealer) == gtk_revealer_get_reveal_child (revealer);
}

/* The side panel: F9 / the header-bar toggle opens and closes it, the open
 * state is remembered, the timeline keeps its lanes beside it, and pages
 * added through strata_window_add_side_page() replace the placeholder. */
static void
test_side_panel (void)
{
  g_autoptr(GSettings) settings = strata_settings_new ();
  StrataTimeline *tl = strata_window_get_timeline (window);
  GtkWidget *wave = GTK_WIDGET (find_lane (STRATA_TYPE_WAVEFORM_LANE));
  guint n_lanes = strata_timeline_get_n_lanes (tl);
  GtkWidget *panel = gtk_revealer_get_child (window->side_revealer);
  GtkWidget *tags = gtk_label_new ("rock 0.91");
  GtkWidget *mixing = gtk_label_new ("bass +4 dB");
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.side-panel");
  int closed_width, window_width;

  g_assert_cmpstr (accels[0], ==, "F9");
  /* every job of the track done (the piano roll's header is final) */
  g_assert_true (strata_test_wait (engine_idle, strata_application_get_engine (app), 60000));
  g_assert_false (strata_window_get_side_panel_open (window));
  g_assert_false (g_settings_get_boolean (settings, "side-panel-open"));
  g_assert_false (gtk_widget_get_mapped (panel));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  closed_width = gtk_widget_get_width (wave);
  window_width = gtk_widget_get_width (GTK_WIDGET (window));

  /* Open: the window's own page (similar passages) shows in place of the
   * placeholder, the lanes stay, narrower. */
  activate ("win.side-panel");
  g_assert_true (strata_window_get_side_panel_open (window));
  g_assert_true (g_settings_get_boolean (settings, "side-panel-open"));
  g_assert_true (strata_test_wait (revealed, window->side_revealer, 5000));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (panel));
  g_assert_true (gtk_widget_get_mapped (strata_window_get_similar_page (window)));
  g_assert_false (gtk_widget_get_visible (window->side_placeholder));
  g_assert_false (gtk_widget_get_visible (window->side_switcher));
  g_assert_cmpuint (strata_timeline_get_n_lanes (tl), ==, n_lanes);
  for (guint i = 0; i < n_lanes; i++)
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (strata_timeline_get_lane (tl, i))));
  g_test_message ("waveform lane %d px wide, %d px beside the open panel (%d px)", closed_width,
                  gtk_widget_get_width (wave), gtk_widget_get_width (panel));
  g_assert_cmpint (gtk_widget_get_width (panel), >=, 260);
  g_assert_cmpint (gtk_widget_get_width (wave), <=, closed_width - 250);
  screenshot ("side-panel");

  /* Pages: a second one brings a switcher. */
  strata_window_add_side_page (window, "tags", "Tags", tags);
  g_assert_true (strata_test_wait ((gboolean (*) (gpointer)) gtk_widget_get_mapped, tags, 5000));
  g_assert_false (gtk_widget_get_visible (window->side_placeholder));
  g_assert_true (gtk_widget_get_visible (window->side_switcher));
  strata_window_add_side_page (window, "mixing", "Mixing", mixing);
  g_assert_true (strata_test_wait ((gboolean (*) (gpointer)) gtk_widget_get_mapped, mixing, 5000));
  g_assert_true (strata_test_wait ((gboolean (*) (gpointer)) gtk_widget_get_mapped,
                                   window->side_switcher, 5000));
  g_assert_false (gtk_widget_get_mapped (tags));

  /* Closed again, and remembered; the lanes get their width back. */
  activate ("win.side-panel");
  g_assert_false (g_settings_get_boolean (settings, "side-panel-open"));
  g_assert_true (strata_test_wait (revealed, window->side_revealer, 5000));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  g_assert_false (gtk_widget_get_mapped (panel));
  /* (The switcher of three pages may have widened the window.) */
  g_assert_cmpint (gtk_widget_get_width (wave), ==,
                   closed_width + gtk_widget_get_width (GTK_WIDGET (window)) - window_width);

  /* The setting drives the panel too (a new window starts as it was left). */
  g_settings_set_boolean (settings, "side-panel-open", TRUE);
  g_assert_true (strata_window_get_side_panel_open (window));
  g_settings_set_boolean (settings, "side-panel-open", FALSE);
  g_assert_true (strata_test_wait (revealed, window->side_revealer, 5000));
}

static void
test_shortcuts_window (void)
{
  /* GtkApplication loads gtk/help-overlay.ui from our resources. */
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));
  /* The app icon comes from our resources (uninstalled). */
  g_assert_true (gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (window))),
                                          APP_ID));
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  {
    g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.play-pause");
    g_auto(GStrv) zoom = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), "<Control>0");
    g_auto(GStrv) esc = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), "Escape");
    g_assert_cmpstr (accels[0], ==, "space");
    g_assert_cmpstr (zoom[0], ==, "win.zoom-fit");
    g_assert_cmpstr (esc[0], ==, "win.clear-selection");
    g_auto(GStrv) next = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), "n");
    g_auto(GStrv) prev = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), "<Shift>n");
    g_assert_cmpstr (next[0], ==, "win.next-match");
    g_assert_cmpstr (prev[0], ==, "win.previous-match");
  }
  {
    /* Each action is listed once in the shortcuts window. */
    GtkWidget *overlay = GTK_WIDGET (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
    g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) stack = g_ptr_array_new ();
    g_ptr_array_add (stack, overlay);
    while (stack->len)
      {
        GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);
        /* (The window's search page holds copies: only the sections count.) */
        if (GTK_IS_SHORTCUTS_SHORTCUT (w)
            && gtk_widget_get_ancestor (w, GTK_TYPE_SHORTCUTS_SECTION) != NULL)
          {
            g_autofree char *name = NULL;
            g_object_get (w, "action-name", &name, NULL);
            if (name)
              {
                g_assert_false (g_hash_table_contains (seen, name));
                g_hash_table_add (seen, g_steal_pointer (&name));
              }
          }
        for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
          g_ptr_array_add (stack, c);
      }
    g_assert_true (g_hash_table_contains (seen, "win.next-match"));
    g_assert_true (g_hash_table_contains (seen, "win.previous-match"));
  }
  /* zoom with Ctrl+plus / Ctrl+minus as in GNOME apps, and + / − kept */
  for (gsize i = 0; i < 4; i++)
    {
      const char *keys[] = { "<Control>plus", "plus", "<Control>minus", "minus" };
      g_auto(GStrv) actions = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), keys[i]);

      g_assert_nonnull (actions);
      g_assert_cmpstr (actions[0], ==, i < 2 ? "win.zoom-in" : "win.zoom-out");
    }
}

/* The title names the folder too, for collections whose files share a name. */
static void
test_title_folder (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "armygeddon", NULL);
  g_autofree char *song = g_build_filename (dir, "song.wav", NULL);
  g_autoptr(GFile) file = NULL;
  g_autofree char *src = NULL;
  gsize len = 0;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_get_contents (track_path, &src, &len, NULL));
  g_assert_true (g_file_set_contents (song, src, (gssize) len, NULL));
  file = g_file_new_for_path (song);
  strata_window_open (window, file);
  g_assert_true (strata_test_wait (load_done, NULL, 60000));
  g_assert_true (strata_test_wait (engine_idle, strata_application_get_engine (app), 60000));
  g_test_message ("title: %s", gtk_window_get_title (GTK_WINDOW (window)));
  g_assert_true (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (window)), "song.wav (armygeddon) — "));
  g_assert_true (g_str_has_prefix (adw_window_title_get_subtitle (window->window_title), "armygeddon · "));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (window->window_title)), ==, song);
  /* back to the shared track for the tests that follow */
  {
    g_autoptr(GFile) back = g_file_new_for_path (track_path);
    strata_window_open (window, back);
    g_assert_true (strata_test_wait (load_done, NULL, 60000));
    g_assert_true (strata_test_wait (engine_idle, strata_application_get_engine (app), 60000));
  }
}

static gboolean
filter_matches (GtkFileFilter *filter,
                const char    *name,
                const char    *content_type)
{
  g_autoptr(GFileInfo) info = g_file_info_new ();

  g_file_info_set_display_name (info, name);
  g_file_info_set_content_type (info, content_type);
  return gtk_filter_match (GTK_FILTER (filter), info);
}

/* "Audio Files" offers what the decoders read and no MIDI file. */
static void
test_audio_filter (void)
{
  g_autoptr(GtkFileFilter) filter = strata_audio_file_filter_new ();

  g_assert_true (filter_matches (filter, "a.flac", "audio/flac"));
  g_assert_true (filter_matches (filter, "a.wav", "audio/x-wav"));
  g_assert_true (filter_matches (filter, "song.ogg", "audio/x-vorbis+ogg"));
  g_assert_true (filter_matches (filter, "a.mp3", "audio/mpeg"));
  g_assert_true (filter_matches (filter, "A.AIFF", "application/octet-stream"));
  g_assert_false (filter_matches (filter, "piece.mid", "audio/midi"));
  g_assert_false (filter_matches (filter, "piece.midi", "audio/x-midi"));
  g_assert_false (filter_matches (filter, "notes.csv", "text/csv"));
}

int
main (int argc, char **argv)
{
  int status;
  g_autofree char *cache = NULL, *data = NULL;
  int ret;

  /* Private directories before GLib caches the user dirs. */
  tmp_dir = g_dir_make_tmp ("strata-ui-XXXXXX", NULL);
  cache = g_build_filename (tmp_dir, "cache", NULL);
  data = g_build_filename (tmp_dir, "data", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  /* Run by hand: screenshots still taken (and checked), in the tmp dir. */
  if (g_getenv ("STRATA_TEST_SCREENSHOT_DIR") == NULL)
    {
      g_autofree char *shots = g_build_filename (tmp_dir, "screenshots", NULL);
      g_setenv ("STRATA_TEST_SCREENSHOT_DIR", shots, TRUE);
    }
  if (g_getenv ("STRATA_AUDIO_SINK") == NULL)
    g_setenv ("STRATA_AUDIO_SINK", "fakesink sync=true", TRUE);

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  if ((status = strata_test_open_display (TRUE)) >= 0)
    return status;
  adw_init ();

  track_path = strata_test_track (tmp_dir, 8.0);
  app = strata_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  g_assert_true (strata_test_wait (window_mapped, NULL, 10000));
  window = STRATA_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));

  g_test_add_func ("/strata/ui/viewport", test_viewport);
  g_test_add_func ("/strata/ui/load", test_load);
  g_test_add_func ("/strata/ui/play", test_play);
  g_test_add_func ("/strata/ui/pixels", test_pixels);
  g_test_add_func ("/strata/ui/export-picture", test_export_picture);
  g_test_add_func ("/strata/ui/error-keeps-track", test_error_keeps_track);
  g_test_add_func ("/strata/ui/zoom", test_zoom);
  g_test_add_func ("/strata/ui/seek-click", test_seek_click);
  g_test_add_func ("/strata/ui/scroll", test_scroll);
  g_test_add_func ("/strata/ui/beat-grid", test_beat_grid);
  g_test_add_func ("/strata/ui/loop", test_loop);
  g_test_add_func ("/strata/ui/shortcuts", test_shortcuts_window);
  g_test_add_func ("/strata/ui/title-folder", test_title_folder);
  g_test_add_func ("/strata/ui/settings", test_settings);
  g_test_add_func ("/strata/ui/side-panel", test_side_panel);
  g_test_add_func ("/strata/ui/markers", test_markers);
  g_test_add_func ("/strata/ui/dialogs", test_dialogs);
  g_test_add_func ("/strata/ui/audio-filter", test_audio_filter);
  g_test_add_func ("/strata/ui/cancel-is-silent", test_cancel_is_silent);
  g_test_add_func ("/strata/ui/drop", test_drop);
  g_test_add_func ("/strata/ui/open-command-line", test_open_command_line);
  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  strata_test_spin (50);
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  g_free (track_path);
  strata_test_rm_rf (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
