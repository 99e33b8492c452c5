/* bench-gui.c: the longest main-loop stall while the GUI opens and analyses
 * a track (the demo track, else a generated 3-minute one, and a 10-minute
 * one), plays it and zooms/scrolls the timeline, over STRATA_BENCH_RUNS runs
 * (default 10) with a cold cache each time. A 1 ms timeout records the gaps
 * between its runs; the longest gap is the worst freeze a user would see.
 * Then, with STRATA_BENCH_LONG_MINUTES (default 120; 0 skips it), the peak
 * memory of opening and analysing a track that long.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <string.h>
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
bench_track (const char *path,
             int         run)
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

  g_print ("gui: run %d: %s (%.0f s of audio) opened in %.2f s; longest stall opening and "
           "analysing %.1f ms (%" G_GINT64_FORMAT " probes), playing/zooming/scrolling %.1f ms (%"
           G_GINT64_FORMAT " probes)\n", run, strata_track_get_path (track),
           strata_track_get_duration (track), t_load / 1e6, load.max_gap / 1000.0, load.n,
           play.max_gap / 1000.0, play.n);
  return MAX (load.max_gap, play.max_gap);
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

/* @runs runs on @path, a cold cache each; prints max and median, returns max. */
static gint64
bench_runs (const char *path,
            const char *label,
            const char *cache,
            int         runs)
{
  g_autoptr(GArray) worst = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (int r = 1; r <= runs; r++)
    {
      gint64 w;

      strata_test_rm_rf (cache);
      w = bench_track (path, r);
      g_array_append_val (worst, w);
    }
  g_array_sort (worst, compare_gint64);
  g_print ("gui: %s, %d runs: longest stall %.1f ms (median of the runs' worst %.1f ms; "
           "target: every run < 33 ms)\n", label, runs,
           g_array_index (worst, gint64, runs - 1) / 1000.0,
           g_array_index (worst, gint64, runs / 2) / 1000.0);
  return g_array_index (worst, gint64, runs - 1);
}

/* The process's peak resident memory (VmHWM), in MB, or -1. */
static double
peak_rss_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      || (line = strstr (status, "VmHWM:")) == NULL)
    return -1.0;
  return g_ascii_strtod (line + 6, NULL) * 1024.0 / 1e6;
}

int
main (int argc, char **argv)
{
  g_autofree char *tmp = g_dir_make_tmp ("strata-bench-gui-XXXXXX", NULL);
  g_autofree char *cache = g_build_filename (tmp, "cache", NULL);
  g_autofree char *data = g_build_filename (tmp, "data", NULL);
  g_autofree char *demo = NULL, *long_track = NULL, *long_hours = NULL;
  g_autoptr(StrataApplication) app = NULL;
  gint64 worst;
  int status;
  const char *env_runs = g_getenv ("STRATA_BENCH_RUNS");
  const char *env_long = g_getenv ("STRATA_BENCH_LONG_MINUTES");
  const int runs = MAX (env_runs ? atoi (env_runs) : 10, 1);
  const int long_minutes = env_long ? atoi (env_long) : 120;

  /* The long track is written by a child process first, so that making it
   * does not count in this process's peak memory. */
  if (long_minutes > 0)
    {
      g_autofree char *dir = g_build_filename (tmp, "hours", NULL);
      pid_t pid;
      int wstatus = 0;

      g_mkdir_with_parents (dir, 0700);
      pid = fork ();
      if (pid == 0)
        {
          g_setenv ("STRATA_TEST_NO_DEMO", "1", TRUE);
          g_free (strata_test_track (dir, long_minutes * 60.0));
          _exit (0);
        }
      if (pid < 0 || waitpid (pid, &wstatus, 0) != pid || !WIFEXITED (wstatus)
          || WEXITSTATUS (wstatus) != 0)
        g_error ("cannot write the %d-minute track", long_minutes);
      long_hours = g_build_filename (dir, "strata-test-tones.wav", NULL);
    }
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
  worst = bench_runs (demo, "demo track", cache, runs);
  g_setenv ("STRATA_TEST_NO_DEMO", "1", TRUE);
  {
    g_autofree char *dir = g_build_filename (tmp, "long", NULL);
    g_mkdir_with_parents (dir, 0700);
    long_track = strata_test_track (dir, 600.0);
  }
  worst = MAX (worst, bench_runs (long_track, "10-minute track", cache, runs));
  g_print ("gui: longest main-loop stall overall: %.1f ms (target: every run < 33 ms)\n",
           worst / 1000.0);

  if (long_hours != NULL)
    {
      double before = peak_rss_mb ();

      strata_test_rm_rf (cache);
      bench_track (long_hours, 1);
      g_print ("gui: %d-minute track: peak memory %.0f MB (%.0f MB before opening it; its "
               "44.1 kHz stereo samples alone are %.0f MB)\n", long_minutes, peak_rss_mb (),
               before, long_minutes * 60.0 * 44100 * 2 * 4 / 1e6);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  strata_test_spin (50);
  g_application_quit (G_APPLICATION (app));
  strata_test_rm_rf (tmp);
  return 0;
}
