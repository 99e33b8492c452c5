/* bench-gui.c: the longest main-loop stall while the GUI opens and analyses
 * a track (the demo track, else a generated 3-minute one), plays it and
 * zooms/scrolls the timeline. A 1 ms timeout records the gaps between its
 * runs; the longest gap is the worst freeze a user would see.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gst/gst.h>

#include "strata-application.h"
#include "strata-test-util.h"
#include "strata-window.h"

typedef struct
{
  gint64 last;
  gint64 max_gap;
  gint64 n;
} Probe;

static gboolean
probe_cb (gpointer data)
{
  Probe *p = data;
  gint64 now = g_get_monotonic_time ();

  if (p->last != 0)
    p->max_gap = MAX (p->max_gap, now - p->last);
  p->last = now;
  p->n++;
  return G_SOURCE_CONTINUE;
}

static StrataWindow *window;

static gboolean
loaded (gpointer data)
{
  return !strata_window_get_loading (window);
}

static gboolean
has_window (gpointer app)
{
  GtkWindow *w = gtk_application_get_active_window (app);
  return w != NULL && gtk_widget_get_mapped (GTK_WIDGET (w));
}

/* Opens @path in the window (cold cache), plays, zooms and scrolls; prints
 * the longest stalls. Returns the worst one in microseconds. */
static gint64
bench_track (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  Probe load = { 0 }, play = { 0 };
  guint id;
  gint64 t0, t_load;
  StrataViewport *vp;
  StrataTrack *track;

  /* 1. Open and analyse. */
  id = g_timeout_add (1, probe_cb, &load);
  t0 = g_get_monotonic_time ();
  strata_window_open (window, file);
  if (!strata_test_wait (loaded, NULL, 120000) || strata_window_get_track (window) == NULL)
    g_error ("loading %s failed: %s", path, strata_window_get_error (window));
  t_load = g_get_monotonic_time () - t0;
  strata_test_spin (300);   /* first draw of the lanes */
  g_source_remove (id);

  /* 2. Play, zoom and scroll while playing. */
  track = strata_window_get_track (window);
  vp = strata_timeline_get_viewport (strata_window_get_timeline (window));
  id = g_timeout_add (1, probe_cb, &play);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.play-pause", NULL);
  for (int i = 0; i < 6; i++)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-in", NULL);
      strata_test_spin (100);
    }
  for (int i = 0; i < 20; i++)
    {
      strata_viewport_set_start (vp, strata_viewport_get_start (vp)
                                     + strata_viewport_get_visible_seconds (vp) * 0.1);
      strata_test_spin (30);
    }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-fit", NULL);
  strata_test_spin (500);
  g_source_remove (id);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.play-pause", NULL);

  g_print ("gui: opened %s (%.1f s of audio) in %.2f s\n",
           strata_track_get_path (track), strata_track_get_duration (track), t_load / 1e6);
  g_print ("gui:   longest main-loop stall while opening and analysing: %.1f ms (%" G_GINT64_FORMAT
           " probes; target < 50 ms)\n", load.max_gap / 1000.0, load.n);
  g_print ("gui:   longest main-loop stall while playing, zooming and scrolling: %.1f ms (%"
           G_GINT64_FORMAT " probes; target < 50 ms)\n", play.max_gap / 1000.0, play.n);
  return MAX (load.max_gap, play.max_gap);
}

int
main (int argc, char **argv)
{
  g_autofree char *tmp = g_dir_make_tmp ("strata-bench-gui-XXXXXX", NULL);
  g_autofree char *cache = g_build_filename (tmp, "cache", NULL);
  g_autofree char *data = g_build_filename (tmp, "data", NULL);
  g_autofree char *demo = NULL, *long_track = NULL;
  g_autoptr(StrataApplication) app = NULL;
  gint64 worst;
  int status;

  g_setenv ("XDG_CACHE_HOME", cache, TRUE);   /* cold cache: full analysis */
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  if (g_getenv ("STRATA_AUDIO_SINK") == NULL)
    g_setenv ("STRATA_AUDIO_SINK", "fakesink sync=true", TRUE);
  gst_init (&argc, &argv);
  if ((status = strata_test_open_display (FALSE)) >= 0)
    return status;
  adw_init ();

  app = strata_application_new (G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);
  g_application_activate (G_APPLICATION (app));
  if (!strata_test_wait (has_window, app, 10000))
    g_error ("no window");
  window = STRATA_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  strata_test_spin (300);

  /* The demo track (or a generated 3-minute one), then a 10-minute track. */
  demo = strata_test_track (tmp, 180.0);
  worst = bench_track (demo);
  g_setenv ("STRATA_TEST_NO_DEMO", "1", TRUE);
  {
    g_autofree char *dir = g_build_filename (tmp, "long", NULL);
    g_mkdir_with_parents (dir, 0700);
    long_track = strata_test_track (dir, 600.0);
  }
  worst = MAX (worst, bench_track (long_track));
  g_print ("gui: longest main-loop stall overall: %.1f ms (target < 50 ms)\n", worst / 1000.0);

  gtk_window_destroy (GTK_WINDOW (window));
  strata_test_spin (50);
  g_application_quit (G_APPLICATION (app));
  strata_test_rm_rf (tmp);
  return 0;
}
