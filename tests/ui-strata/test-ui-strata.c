/* test-ui-strata.c: the feature-strata views in a real window (Xvfb): the
 * three lanes and the section ribbon drawn for the demo track from a real
 * model (the default one, else a random one made with the model's API),
 * modes, per-level visibility, selection → similar passages outlined,
 * tooltips and exports.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <gst/gst.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../ui/strata-test-util.h"
#include "../analysis/strata-test-model.h"
#include "analysis/strata-sections-export.h"
#include "io/strata-output.h"
#include "tasks/strata-cache.h"
#include "tasks/strata-features-task.h"
#include "tasks/strata-track-load.h"
#include "strata-feature-colors.h"
#include "strata-feature-controller.h"
#include "strata-spectrogram-lane.h"
#include "strata-feature-bar.h"
#include "strata-settings.h"
#include "strata-similar-page.h"
#include "strata-waveform-lane.h"
#include "strata-window.h"
#include "../model/strata-check-npz.h"

typedef struct {
  char *dir;
  StrataEngine *engine;
  StrataModel *model;
  StrataTrack *track;
  GtkWidget *window;
  StrataTimeline *timeline;
  StrataFeatureController *ctl;
} Fixture;

static void
load_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static gboolean
result_arrived (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static gboolean
has_features (gpointer data)
{
  return strata_feature_controller_get_has_features (data);
}

static gboolean
lanes_mapped (gpointer data)
{
  Fixture *fx = data;
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    if (!gtk_widget_get_mapped (GTK_WIDGET (strata_feature_controller_get_lane (fx->ctl, l))))
      return FALSE;
  return TRUE;
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *path = NULL;
  GAsyncResult *result = NULL;

  fx->dir = g_dir_make_tmp ("strata-ui-strata-XXXXXX", NULL);
  cache = g_build_filename (fx->dir, "cache", NULL);
  fx->engine = strata_engine_new (cache);
  fx->model = strata_test_load_model (fx->dir);
  path = strata_test_track (fx->dir, 12.0);
  strata_track_load_async (fx->engine, path, NULL, load_done_cb, &result);
  g_assert_true (strata_test_wait (result_arrived, &result, 60000));
  fx->track = strata_track_load_finish (fx->engine, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);

  fx->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fx->window), 900, 640);
  fx->timeline = STRATA_TIMELINE (strata_timeline_new ());
  strata_timeline_add_lane (fx->timeline, strata_waveform_lane_new ());
  strata_timeline_add_lane (fx->timeline, strata_spectrogram_lane_new ());
  fx->ctl = strata_feature_controller_new (fx->engine, fx->timeline);
  gtk_window_set_child (GTK_WINDOW (fx->window), GTK_WIDGET (fx->timeline));
  gtk_window_present (GTK_WINDOW (fx->window));
  g_assert_true (strata_test_wait (lanes_mapped, fx, 5000));
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->ctl);
  gtk_window_destroy (GTK_WINDOW (fx->window));
  strata_engine_shutdown (fx->engine);
  strata_test_spin (50);
  g_clear_object (&fx->engine);
  g_clear_pointer (&fx->track, strata_track_unref);
  g_clear_pointer (&fx->model, strata_model_unref);
  strata_test_rm_rf (fx->dir);
  g_free (fx->dir);
}

/* Gives the waveform and spectrogram lanes (rows 0 and 1) the test track's
 * summaries and the timeline its duration, as the window does. */
static void
show_track (Fixture *fx)
{
  strata_waveform_lane_set_peaks (STRATA_WAVEFORM_LANE (strata_timeline_get_lane (fx->timeline, 0)),
                                  strata_track_get_peaks (fx->track), strata_track_get_audio (fx->track),
                                  strata_track_ref (fx->track), (GDestroyNotify) strata_track_unref);
  strata_spectrogram_lane_set_specgram (STRATA_SPECTROGRAM_LANE (strata_timeline_get_lane (fx->timeline, 1)),
                                        strata_track_get_specgram (fx->track),
                                        strata_track_ref (fx->track), (GDestroyNotify) strata_track_unref);
  strata_timeline_set_duration (fx->timeline, strata_track_get_duration (fx->track));
}

/* Shows the features of the test track with the test model. */
static void
show_features (Fixture *fx)
{
  strata_feature_controller_set_model (fx->ctl, fx->model);
  strata_feature_controller_set_track (fx->ctl, fx->track);
  show_track (fx);
  g_assert_true (strata_test_wait (has_features, fx->ctl, 60000));
  g_assert_cmpstr (strata_feature_controller_get_status (fx->ctl), ==, "");
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    gtk_test_widget_wait_for_draw (GTK_WIDGET (strata_feature_controller_get_lane (fx->ctl, l)));
}

static guint32 *
render_lane (Fixture *fx, StrataLevel level, int *w, int *h)
{
  GtkWidget *lane = GTK_WIDGET (strata_feature_controller_get_lane (fx->ctl, level));
  gtk_test_widget_wait_for_draw (lane);
  return strata_test_render (lane, w, h);
}

/* Distinct colours over the pixels whose luma spans at least @min_range
 * (0..255) between darkest and brightest. */
static int
luma_range (const guint32 *px, gsize n)
{
  int lo = 255, hi = 0;
  for (gsize i = 0; i < n; i++)
    {
      int r = (px[i] >> 16) & 0xff, g = (px[i] >> 8) & 0xff, b = px[i] & 0xff;
      int y = (int) lround (0.2126 * r + 0.7152 * g + 0.0722 * b);
      lo = MIN (lo, y);
      hi = MAX (hi, y);
    }
  return hi - lo;
}

static gsize
count_different (const guint32 *a, const guint32 *b, gsize n)
{
  gsize d = 0;
  for (gsize i = 0; i < n; i++)
    d += (a[i] | 0xff000000u) != (b[i] | 0xff000000u);
  return d;
}

/* The heatmap of @level as drawn (@px, @w × @h, device scale 1) against
 * the precomputed heat: at a few columns, each pixel row y is the viridis
 * colour of the mean over the display-order dimensions [y D / h,
 * (y + 1) D / h) (at least one) of the column's frames, so no dimension is
 * dropped when D exceeds the height. Colours may differ by one step of the
 * colour map (float rounding). Returns the number of pixels checked. */
static int
assert_heatmap_rows (Fixture *fx, StrataLevel level, const guint32 *px, int w, int h)
{
  StrataFeatureMaps *maps = strata_feature_controller_get_maps (fx->ctl);
  const StrataFeatureLevel *fl = &strata_feature_maps_get_features (maps)->level[level];
  const float *heat = strata_feature_maps_get_heat (maps, level);
  const guint32 *lut = strata_colormap_viridis ();
  StrataViewport *vp = strata_timeline_get_viewport (fx->timeline);
  const double start = strata_viewport_get_start (vp), spp = strata_viewport_get_seconds_per_px (vp);
  g_autofree double *column = g_new (double, fl->D);
  int checked = 0;

  for (int k = 1; k <= 3; k++)
    {
      const int x = k * w / 4;
      const double a = (start + x * spp) * fl->rate, b = (start + (x + 1) * spp) * fl->rate;
      if (b <= 0 || a >= fl->T)
        continue;
      const int f0 = (int) CLAMP (floor (a), 0, fl->T - 1);
      const int f1 = (int) CLAMP (ceil (b), f0 + 1, fl->T);
      const int step = MAX (1, (f1 - f0) / 32);
      int n = 0;
      memset (column, 0, sizeof (double) * fl->D);
      for (int f = f0; f < f1; f += step, n++)
        for (int d = 0; d < fl->D; d++)
          column[d] += heat[(gsize) f * fl->D + d];
      for (int y = 0; y < h; y++)
        {
          const int j0 = (int) ((gint64) y * fl->D / h);
          const int j1 = MAX (j0 + 1, (int) ((gint64) (y + 1) * fl->D / h));
          double sum = 0;
          for (int j = j0; j < j1; j++)
            sum += column[j];
          const int i = (int) CLAMP (lround (sum / ((double) n * (j1 - j0)) * 255.0), 0, 255);
          const guint32 got = px[(gsize) y * w + x] | 0xff000000u;
          if (got != lut[i] && got != lut[MAX (i - 1, 0)] && got != lut[MIN (i + 1, 255)])
            g_error ("%s heatmap (%d, %d): %08x, expected %08x (mean of rows %d..%d)",
                     strata_level_get_name (level), x, y, got, lut[i], j0, j1 - 1);
          checked++;
        }
    }
  return checked;
}

static void
test_lanes_drawn (Fixture *fx, gconstpointer data)
{
  show_features (fx);
  strata_feature_controller_set_mode (fx->ctl, STRATA_FEATURE_MODE_HEATMAP);

  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      int w, h;
      g_autofree guint32 *px = render_lane (fx, l, &w, &h);
      guint colours = strata_test_count_colours (px, (gsize) w * h);
      int range = luma_range (px, (gsize) w * h);

      const int D = strata_feature_maps_get_features (strata_feature_controller_get_maps (fx->ctl))->level[l].D;
      g_test_message ("%s lane: %dx%d, D %d, %u colours, luma range %d", strata_level_get_name (l),
                      w, h, D, colours, range);
      g_assert_cmpint (h, >=, 40);
      /* A heatmap in viridis: many colours from dark purple to yellow-green. */
      g_assert_cmpuint (colours, >, 40);
      g_assert_cmpint (range, >, 100);
      if (gtk_widget_get_scale_factor (GTK_WIDGET (strata_feature_controller_get_lane (fx->ctl, l))) == 1)
        g_assert_cmpint (assert_heatmap_rows (fx, l, px, w, h), ==, 3 * h);
    }

  /* The section ribbon has at least one section drawn. */
  StrataSectionRibbon *ribbon = strata_feature_controller_get_ribbon (fx->ctl);
  g_assert_cmpuint (strata_section_ribbon_get_n_sections (ribbon), >=, 1);
  {
    int w, h;
    gtk_test_widget_wait_for_draw (GTK_WIDGET (ribbon));
    g_autofree guint32 *px = strata_test_render (GTK_WIDGET (ribbon), &w, &h);
    g_assert_cmpuint (strata_test_count_colours (px, (gsize) w * h), >=, 3);
    g_autofree char *section = strata_section_ribbon_describe_point (ribbon, 5);
    g_assert_nonnull (section);
    g_test_message ("section tooltip: %s", section);
    g_assert_true (g_str_has_prefix (section, "Section A · 0:00–"));

    /* A double click selects the section. */
    const StrataSection *first = strata_section_ribbon_get_sections (ribbon);
    double a, b;
    g_assert_true (strata_section_ribbon_activate_at (ribbon, 5));
    g_assert_true (strata_viewport_get_selection (strata_timeline_get_viewport (fx->timeline), &a, &b));
    g_assert_cmpfloat_with_epsilon (a, first[0].start, 1e-9);
    g_assert_cmpfloat_with_epsilon (b, MIN (first[0].end, strata_track_get_duration (fx->track)), 1e-9);
  }

  /* Tooltip text. */
  g_autofree char *tip = strata_feature_lane_describe_point (
      strata_feature_controller_get_lane (fx->ctl, STRATA_LEVEL_COARSE), 200, 10);
  g_assert_nonnull (tip);
  g_test_message ("tooltip: %s", tip);
  {
    /* "m:ss.mmm · Level · token N · dimension N = value", each part as
     * computed from the viewport and the features under the pointer */
    StrataFeatureLane *coarse = strata_feature_controller_get_lane (fx->ctl, STRATA_LEVEL_COARSE);
    StrataFeatureMaps *maps = strata_feature_controller_get_maps (fx->ctl);
    const StrataFeatureLevel *fl = &strata_feature_maps_get_features (maps)->level[STRATA_LEVEL_COARSE];
    g_autoptr(GRegex) re = g_regex_new ("^([0-9]+):([0-9]{2})\\.([0-9]{3}) · (\\w+) · token ([0-9]+) · "
                                        "dimension ([0-9]+) = (-?[0-9]+[.,][0-9]{3})$",
                                        G_REGEX_OPTIMIZE, 0, NULL);
    g_autoptr(GMatchInfo) match = NULL;
    g_assert_true (g_regex_match (re, tip, 0, &match));
    double t = strata_viewport_x_to_time (strata_timeline_get_viewport (fx->timeline), 200);
    gint64 ms = (gint64) (t * 1000.0 + 0.5);
    int f = (int) floor (t * fl->rate);
    int j = (int) CLAMP (10.0 * fl->D / gtk_widget_get_height (GTK_WIDGET (coarse)), 0, fl->D - 1);
    int dim = strata_feature_maps_get_order (maps, STRATA_LEVEL_COARSE)[j];
    g_autofree char *min = g_match_info_fetch (match, 1), *sec = g_match_info_fetch (match, 2);
    g_autofree char *msec = g_match_info_fetch (match, 3), *level = g_match_info_fetch (match, 4);
    g_autofree char *token = g_match_info_fetch (match, 5), *dimension = g_match_info_fetch (match, 6);
    g_autofree char *value = g_match_info_fetch (match, 7);
    g_autofree char *want_value = g_strdup_printf ("%.3f", fl->features[(gsize) f * fl->D + dim]);
    g_assert_cmpint (atoi (min) * 60000 + atoi (sec) * 1000 + atoi (msec), ==, ms);
    g_assert_cmpstr (level, ==, "Coarse");
    g_assert_cmpint (atoi (token), ==, fl->tokens[f]);
    g_assert_cmpint (atoi (dimension), ==, dim);
    g_assert_cmpstr (value, ==, want_value);
  }

  strata_test_screenshot (fx->window, "ui-strata-heatmap");
}

static void
test_modes (Fixture *fx, gconstpointer data)
{
  int w, h;

  show_features (fx);
  /* The lanes start with the change curve. */
  g_assert_cmpint (strata_feature_controller_get_mode (fx->ctl), ==, STRATA_FEATURE_MODE_CURVE);
  g_assert_cmpint (strata_feature_lane_get_mode (strata_feature_controller_get_lane (fx->ctl, 2)), ==,
                   STRATA_FEATURE_MODE_CURVE);
  g_autofree guint32 *curve = render_lane (fx, STRATA_LEVEL_MEDIUM, &w, &h);
  strata_feature_controller_set_mode (fx->ctl, STRATA_FEATURE_MODE_HEATMAP);
  g_autofree guint32 *heat = render_lane (fx, STRATA_LEVEL_MEDIUM, &w, &h);
  gsize n = (gsize) w * h;

  strata_feature_controller_set_mode (fx->ctl, STRATA_FEATURE_MODE_TOKENS);
  g_assert_cmpint (strata_feature_lane_get_mode (strata_feature_controller_get_lane (fx->ctl, 0)), ==,
                   STRATA_FEATURE_MODE_TOKENS);
  g_autofree guint32 *tokens = render_lane (fx, STRATA_LEVEL_MEDIUM, &w, &h);
  g_assert_cmpuint ((gsize) w * h, ==, n);
  g_assert_cmpuint (count_different (heat, tokens, n), >, n / 2);
  /* Token colours come from the categorical palette: few distinct colours. */
  g_assert_cmpuint (strata_test_count_colours (tokens, n), >=, 2);
  strata_test_screenshot (fx->window, "ui-strata-tokens");

  strata_feature_controller_set_mode (fx->ctl, STRATA_FEATURE_MODE_PCA);
  g_autofree guint32 *pca = render_lane (fx, STRATA_LEVEL_MEDIUM, &w, &h);
  g_assert_cmpuint (count_different (pca, tokens, n), >, n / 2);
  g_assert_cmpuint (count_different (pca, heat, n), >, n / 2);
  /* A ribbon: every column is one colour. */
  for (int x = 0; x < w; x += 7)
    g_assert_cmpuint (pca[x] | 0xff000000u, ==, pca[(gsize) (h - 1) * w + x] | 0xff000000u);
  g_assert_cmpuint (strata_test_count_colours (pca, n), >, 5);
  strata_test_screenshot (fx->window, "ui-strata-pca");

  /* The change curve: its colour fills from the curve's baseline (68 % of
   * the height) up to the change of each column, more at some columns than
   * at others; under it, the PCA strip: each column the ribbon's colour. */
  {
    const StrataFeatureLevel *fl = &strata_feature_maps_get_features (strata_feature_controller_get_maps (fx->ctl))->level[STRATA_LEVEL_MEDIUM];
    const int split = (int) (h * 0.68);
    int lowest = h, highest = 0;
    g_assert_cmpuint (count_different (curve, pca, n), >, n / 4);
    for (int x = w / 8; x < w; x += 5)
      {
        int top = split;
        while (top > 0 && (curve[(gsize) (top - 1) * w + x] | 0xff000000u) == 0xffb8c4e0u)
          top--;
        lowest = MIN (lowest, top);
        highest = MAX (highest, top);
        g_assert_cmpuint (curve[(gsize) (h - 1) * w + x] | 0xff000000u, ==, pca[(gsize) (h - 1) * w + x] | 0xff000000u);
      }
    g_test_message ("change curve: tops between rows %d and %d of %d (T %d)", lowest, highest, split, fl->T);
    g_assert_cmpint (lowest, <, split / 3);        /* peaks reach high */
    g_assert_cmpint (highest, >, split * 2 / 3);   /* calm columns stay low */
  }
}

/* Each lane's header: a legend that changes with the mode (its pixels),
 * an info text naming the stratum's rate as the features have it, and the
 * dimension axis drawn at the lane's left edge (heatmap and token map). */
static void
test_legend (Fixture *fx, gconstpointer data)
{
  StrataFeatureLane *medium = strata_feature_controller_get_lane (fx->ctl, STRATA_LEVEL_MEDIUM);
  GtkWidget *legend = strata_feature_lane_get_legend (medium);
  StrataFeatureMode modes[4] = { STRATA_FEATURE_MODE_HEATMAP, STRATA_FEATURE_MODE_TOKENS,
                                 STRATA_FEATURE_MODE_PCA, STRATA_FEATURE_MODE_CURVE };
  g_autofree guint32 *px[4] = { NULL };
  int w = 0, h = 0;

  g_assert_nonnull (legend);
  g_assert_true (g_str_has_suffix (strata_feature_lane_get_info (medium),
                                   "Its rate and size show once the features are computed."));
  show_features (fx);
  g_assert_true (gtk_widget_get_mapped (legend));
  g_assert_true (gtk_widget_is_ancestor (legend, strata_lane_get_header (STRATA_LANE (medium))));

  /* The info: what it captures, and the rate and size of the features. */
  const StrataFeatureLevel *fl =
    &strata_feature_maps_get_features (strata_feature_controller_get_maps (fx->ctl))->level[STRATA_LEVEL_MEDIUM];
  g_autofree char *rate = g_strdup_printf ("%.1f frames per second (%.3f s per frame) · %d feature dimensions",
                                           fl->rate, 1.0 / fl->rate, fl->D);
  g_test_message ("info: %s", strata_feature_lane_get_info (medium));
  g_assert_true (g_str_has_prefix (strata_feature_lane_get_info (medium), "The medium stratum"));
  g_assert_nonnull (strstr (strata_feature_lane_get_info (medium), rate));

  for (int i = 0; i < 4; i++)
    {
      int lw, lh;
      strata_feature_controller_set_mode (fx->ctl, modes[i]);
      gtk_test_widget_wait_for_draw (legend);
      px[i] = strata_test_render (legend, &lw, &lh);
      if (i > 0)
        g_assert_true (lw == w && lh == h);
      w = lw;
      h = lh;
      /* A colour scale and its labels. */
      g_test_message ("legend in mode %d: %dx%d, %u colours", modes[i], w, h,
                      strata_test_count_colours (px[i], (gsize) w * h));
      g_assert_cmpuint (strata_test_count_colours (px[i], (gsize) w * h), >, 8);
    }
  for (int i = 0; i < 4; i++)
    for (int j = i + 1; j < 4; j++)
      g_assert_cmpuint (count_different (px[i], px[j], (gsize) w * h), >, (gsize) w * 4);

  /* The axis: ticks and ids at the left edge of the heatmap, none in PCA
   * mode (a ribbon: one colour per column). */
  {
    int lw, lh;
    strata_feature_controller_set_mode (fx->ctl, STRATA_FEATURE_MODE_HEATMAP);
    g_autofree guint32 *heat = render_lane (fx, STRATA_LEVEL_MEDIUM, &lw, &lh);
    gsize white = 0;
    for (int y = 0; y < lh; y++)
      for (int x = 0; x < 30; x++)
        white += (heat[(gsize) y * lw + x] & 0xffffff) > 0xe0e0e0 && ((heat[(gsize) y * lw + x] >> 8) & 0xff) > 0xe0;
    g_test_message ("axis: %" G_GSIZE_FORMAT " light pixels", white);
    g_assert_cmpuint (white, >, 20);
  }
  strata_test_screenshot (fx->window, "ui-strata-legend");
}

static gboolean
lane_is_tall (gpointer data)
{
  GtkWidget *lane = ((gpointer *) data)[0];
  return gtk_widget_get_height (lane) == GPOINTER_TO_INT (((gpointer *) data)[1]);
}

/* Dragging a lane's bottom border resizes it (kept between the limits),
 * the timeline remembers the height per kind of lane, and a new timeline
 * gives a lane of that kind the remembered height. */
static void
test_resize (Fixture *fx, gconstpointer data)
{
  GtkWidget *coarse = GTK_WIDGET (strata_feature_controller_get_lane (fx->ctl, STRATA_LEVEL_COARSE));
  GtkWidget *medium = GTK_WIDGET (strata_feature_controller_get_lane (fx->ctl, STRATA_LEVEL_MEDIUM));
  g_autoptr(GSettings) settings = strata_settings_new ();
  int h0, stored = 0;

  g_assert_nonnull (settings);
  show_features (fx);
  h0 = gtk_widget_get_height (coarse);
  g_test_message ("feature lane: %d px", h0);
  /* Taller by default than the 64 px the strata had. */
  g_assert_cmpint (strata_lane_get_height (STRATA_LANE (coarse)), ==, 96);
  g_assert_cmpint (h0, >=, 96);

  /* Only the border resizes. */
  g_assert_false (strata_lane_drag_border (STRATA_LANE (coarse), 10, 40));
  g_assert_cmpint (strata_lane_get_height (STRATA_LANE (coarse)), ==, 96);
  g_assert_true (strata_lane_drag_border (STRATA_LANE (coarse), h0 - 2, 40));
  g_assert_cmpint (strata_lane_get_height (STRATA_LANE (coarse)), ==, h0 + 40);
  gpointer want[2] = { coarse, GINT_TO_POINTER (h0 + 40) };
  g_assert_true (strata_test_wait (lane_is_tall, want, 5000));
  g_assert_cmpint (gtk_widget_get_height (medium), ==, 96);   /* the others stay */
  {
    g_autoptr(GVariant) heights = g_settings_get_value (settings, "lane-heights");
    g_assert_true (g_variant_lookup (heights, "StrataFeatureLane", "i", &stored));
    g_assert_cmpint (stored, ==, h0 + 40);
  }
  /* Drawn at the new size: the render covers the new height. */
  {
    int w, h;
    g_autofree guint32 *px = render_lane (fx, STRATA_LEVEL_COARSE, &w, &h);
    g_assert_cmpint (h, ==, h0 + 40);
    g_assert_cmpuint (strata_test_count_colours (px + (gsize) (h - 5) * w, (gsize) w * 4), >, 1);
  }
  strata_test_screenshot (fx->window, "ui-strata-resized");

  /* The limits. */
  strata_lane_set_height (STRATA_LANE (coarse), 3);
  g_assert_cmpint (strata_lane_get_height (STRATA_LANE (coarse)), ==, STRATA_LANE_MIN_HEIGHT);
  strata_lane_set_height (STRATA_LANE (coarse), 100000);
  g_assert_cmpint (strata_lane_get_height (STRATA_LANE (coarse)), ==, STRATA_LANE_MAX_HEIGHT);
  strata_lane_set_height (STRATA_LANE (coarse), 150);

  /* Remembered for the next timeline's lanes of that kind. */
  {
    g_autoptr(GtkWidget) other = g_object_ref_sink (strata_timeline_new ());
    StrataLane *lane = strata_feature_lane_new (STRATA_LEVEL_FINE);
    StrataLane *wave = strata_waveform_lane_new ();
    strata_timeline_add_lane (STRATA_TIMELINE (other), lane);
    strata_timeline_add_lane (STRATA_TIMELINE (other), wave);
    g_assert_cmpint (strata_lane_get_height (lane), ==, 150);
    g_assert_cmpint (strata_lane_get_height (wave), ==, 110);
  }
  g_settings_reset (settings, "lane-heights");
}

static void
test_visibility (Fixture *fx, gconstpointer data)
{
  GtkWidget *medium = GTK_WIDGET (strata_feature_controller_get_lane (fx->ctl, STRATA_LEVEL_MEDIUM));
  GtkWidget *label = gtk_widget_get_prev_sibling (medium);   /* its header */
  GtkWidget *fine = GTK_WIDGET (strata_feature_controller_get_lane (fx->ctl, STRATA_LEVEL_FINE));
  graphene_point_t before, after;

  show_features (fx);
  g_assert_true (label == strata_lane_get_header (STRATA_LANE (medium)));
  g_assert_cmpstr (strata_lane_get_title (STRATA_LANE (medium)), ==, "Medium");
  GtkWidget *coarse = GTK_WIDGET (strata_feature_controller_get_lane (fx->ctl, STRATA_LEVEL_COARSE));
  g_assert_true (gtk_widget_compute_point (fine, coarse, &GRAPHENE_POINT_INIT (0, 0), &before));

  g_object_set (fx->ctl, "medium-visible", FALSE, NULL);
  strata_test_spin (100);
  g_assert_false (gtk_widget_get_mapped (medium));
  g_assert_false (gtk_widget_get_mapped (label));
  g_assert_true (gtk_widget_get_mapped (fine));
  g_assert_true (gtk_widget_compute_point (fine, coarse, &GRAPHENE_POINT_INIT (0, 0), &after));
  /* The fine lane now sits right below the coarse one. */
  g_test_message ("fine lane below coarse: %.0f px, then %.0f px", before.y, after.y);
  g_assert_cmpfloat (after.y, <, before.y - 30);

  strata_feature_controller_set_level_visible (fx->ctl, STRATA_LEVEL_MEDIUM, TRUE);
  strata_test_spin (100);
  g_assert_true (gtk_widget_get_mapped (medium));
  g_assert_true (gtk_widget_get_mapped (label));
}

/* A press in @lane as its click gesture sees one ("pressed"). */
static void
press_lane (StrataFeatureLane *lane)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (lane));
  gboolean pressed = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !pressed; i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);
      if (GTK_IS_GESTURE_CLICK (c))
        {
          g_signal_emit_by_name (c, "pressed", 1, 100.0, 10.0);
          pressed = TRUE;
        }
    }
  g_assert_true (pressed);
}

static void
test_similar (Fixture *fx, gconstpointer data)
{
  StrataViewport *vp = strata_timeline_get_viewport (fx->timeline);
  StrataFeatureLane *lane = NULL;
  StrataLevel level = STRATA_LEVEL_FINE;
  int w, h;

  show_features (fx);
  /* The fine stratum of a few seconds of music always has look-alikes
   * scoring 0.5 (the outlines and the gesture are tested here; the default
   * threshold in similar-repeats). */
  strata_feature_controller_set_threshold (fx->ctl, 0.5);
  strata_feature_controller_set_mode (fx->ctl, STRATA_FEATURE_MODE_HEATMAP);
  lane = strata_feature_controller_get_lane (fx->ctl, level);
  g_autofree guint32 *before = render_lane (fx, level, &w, &h);
  gsize n = (gsize) w * h;

  /* A drag in the fine lane (press recorded there, then the timeline's
   * gesture): the selection-finished handler searches at that stratum. */
  strata_viewport_set_selection (vp, 2.0, 3.0);
  g_signal_emit_by_name (fx->timeline, "selection-finished");
  /* No press was seen in a stratum lane: nothing searched. */
  g_assert_cmpuint (strata_feature_lane_get_n_matches (lane), ==, 0);

  /* A press seen in the fine lane (its click gesture's "pressed"), then the
   * timeline's selection-finished: the search runs at that stratum. */
  {
    press_lane (lane);
    g_assert_cmpint (strata_feature_lane_get_press_time (lane), >, 0);
    g_signal_emit_by_name (fx->timeline, "selection-finished");
    g_assert_cmpuint (strata_feature_lane_get_n_matches (lane), >, 0);
    /* A click (seek) ends the gesture: the next selection is not attributed. */
    g_signal_emit_by_name (fx->timeline, "seek", 1.0);
    strata_feature_lane_set_matches (lane, NULL, 0);
    g_signal_emit_by_name (fx->timeline, "selection-finished");
    g_assert_cmpuint (strata_feature_lane_get_n_matches (lane), ==, 0);
  }

  guint found = strata_feature_controller_find_similar (fx->ctl, level);
  g_test_message ("similar to 2–3 s at the fine level: %u", found);
  g_assert_cmpuint (found, >, 0);
  g_assert_cmpuint (strata_feature_lane_get_n_matches (lane), ==, found);
  g_assert_cmpuint (strata_feature_lane_get_n_matches (strata_feature_controller_get_lane (fx->ctl, 0)), ==, 0);

  g_autofree guint32 *after = render_lane (fx, level, &w, &h);
  g_assert_cmpuint (count_different (before, after, n), >, 100);
  /* The outline colour (#ffd933 at 95 %) is there. */
  gsize outline = 0;
  for (gsize i = 0; i < n; i++)
    {
      int r = (after[i] >> 16) & 0xff, g = (after[i] >> 8) & 0xff, b = after[i] & 0xff;
      outline += r > 230 && g > 190 && g < 235 && b < 90;
    }
  g_assert_cmpuint (outline, >, 20);
  strata_test_screenshot (fx->window, "ui-strata-similar");

  /* Clearing the selection and searching again clears the outlines. */
  strata_viewport_clear_selection (vp);
  g_assert_cmpuint (strata_feature_controller_find_similar (fx->ctl, level), ==, 0);
  g_assert_cmpuint (strata_feature_lane_get_n_matches (lane), ==, 0);
}



static void
match_activated_cb (GtkWidget *page, guint index, double start, double *out)
{
  *out = start;
}

/* ------------------------------------------------------- similarity search */

#define PHRASE_S 2.0          /* one phrase: four notes of 0.5 s */
#define PHRASE_GAP_S 1.0      /* silence after each */
#define PHRASE_LEAD_S 0.5     /* silence before the first */
#define N_PHRASES 5
/* How far a match may start from its phrase: half a note (the model's
 * features of the same notes differ a little with their context, and the
 * matches scored 0.66–0.77 with starts up to 0.18 s off). */
#define PHRASE_TOLERANCE_S 0.25

/* Start of phrase @k in the repeated-phrase track. */
static double
phrase_start (int k)
{
  return PHRASE_LEAD_S + k * (PHRASE_S + PHRASE_GAP_S);
}

/* Writes @dir/NAME.wav: the same phrase N_PHRASES times (four plucked
 * notes with harmonics, each 0.5 s, then a rest), or white noise of the
 * same length. Returns the path. (transfer full) */
static char *
write_test_audio (const char *dir, gboolean noise)
{
  static const double notes[4] = { 440.0, 523.25, 659.26, 392.0 };
  const double total = phrase_start (N_PHRASES);
  const gint64 n = (gint64) (total * STRATA_SAMPLE_RATE);
  g_autofree float *s = g_new0 (float, n * 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  char *path = g_build_filename (dir, noise ? "noise.wav" : "phrase.wav", NULL);

  for (gint64 i = 0; i < n; i++)
    {
      double t = (double) i / STRATA_SAMPLE_RATE, v = 0.0;

      if (noise)
        v = 0.3 * g_rand_double_range (rand, -1.0, 1.0);
      else
        {
          double p = fmod (t - PHRASE_LEAD_S, PHRASE_S + PHRASE_GAP_S);
          if (t >= PHRASE_LEAD_S && p < PHRASE_S)
            {
              double f = notes[(int) (p / 0.5)], u = fmod (p, 0.5);
              double env = exp (-5.0 * u) * MIN (1.0, u * 200.0);
              v = env * (0.3 * sin (2 * G_PI * f * u) + 0.15 * sin (4 * G_PI * f * u)
                         + 0.08 * sin (6 * G_PI * f * u));
            }
        }
      s[2 * i] = s[2 * i + 1] = (float) v;
    }
  if (!strata_audio_write (path, s, n, 2, STRATA_SAMPLE_RATE, STRATA_AUDIO_FORMAT_WAV_PCM16, &error))
    g_error ("cannot write %s: %s", path, error->message);
  return path;
}

static StrataTrack *
load_track (StrataEngine *engine, const char *path)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  StrataTrack *track;

  strata_track_load_async (engine, path, NULL, load_done_cb, &result);
  g_assert_true (strata_test_wait (result_arrived, &result, 60000));
  track = strata_track_load_finish (engine, result, &error);
  g_object_unref (result);
  g_assert_no_error (error);
  return track;
}

/* Presses in @level's lane (its click gesture, as a real press), selects
 * [@a, @b] and releases: the timeline's end of a drag. */
static void
drag_in_lane (StrataFeatureController *ctl, StrataTimeline *timeline, StrataLevel level,
              double a, double b)
{
  press_lane (strata_feature_controller_get_lane (ctl, level));
  strata_viewport_set_selection (strata_timeline_get_viewport (timeline), a, b);
  g_signal_emit_by_name (timeline, "selection-finished");
}

/* A phrase played five times: a drag over the second finds the other four
 * at the medium stratum, each within a frame or two of where it starts,
 * counted and listed; the threshold moves them live; Escape and a new
 * selection clear them. White noise: none, and the message says what to
 * try. */
static void
test_similar_repeats (Fixture *fx, gconstpointer data)
{
  g_autofree char *phrase = write_test_audio (fx->dir, FALSE);
  g_autofree char *noise = write_test_audio (fx->dir, TRUE);
  StrataViewport *vp = strata_timeline_get_viewport (fx->timeline);
  StrataLevel level = STRATA_LEVEL_MEDIUM;
  StrataFeatureLane *lane = strata_feature_controller_get_lane (fx->ctl, level);
  GtkWidget *page = strata_similar_page_new (fx->ctl);
  StrataSimilarPage *sp = STRATA_SIMILAR_PAGE (page);
  const StrataMatch *m;
  guint n = 0;
  int searched = -2;

  g_object_ref_sink (page);
  g_clear_pointer (&fx->track, strata_track_unref);
  fx->track = load_track (fx->engine, phrase);
  show_features (fx);
  g_assert_cmpuint (strata_similar_page_get_n_rows (sp), ==, 0);
  g_assert_true (g_str_has_prefix (strata_similar_page_get_status (sp), "Drag across"));

  drag_in_lane (fx->ctl, fx->timeline, level, phrase_start (1), phrase_start (1) + PHRASE_S);
  m = strata_feature_controller_get_matches (fx->ctl, &n, &searched);
  for (guint i = 0; i < n; i++)
    g_test_message ("match %u: %.3f–%.3f s, score %.3f", i, m[i].start, m[i].end, m[i].score);
  g_assert_cmpint (searched, ==, level);
  g_assert_cmpuint (n, ==, N_PHRASES - 1);
  for (guint i = 0; i < n; i++)
    {
      int k = i == 0 ? 0 : (int) i + 1;   /* every phrase but the selected one, in time order */
      g_assert_cmpfloat (fabs (m[i].start - phrase_start (k)), <=, PHRASE_TOLERANCE_S);
      g_assert_cmpfloat (m[i].score, >=, STRATA_FEATURE_SIMILAR_MIN_SCORE);
    }
  g_assert_cmpuint (strata_feature_lane_get_n_matches (lane), ==, n);
  g_assert_cmpstr (strata_feature_controller_get_search_status (fx->ctl), ==,
                   "4 similar passages at the medium stratum");
  g_assert_cmpstr (strata_similar_page_get_status (sp), ==, "4 similar passages at the medium stratum");
  g_assert_cmpuint (strata_similar_page_get_n_rows (sp), ==, n);
  {
    /* Rows: start – end · score, in time order. */
    g_autofree char *a = g_strdup_printf ("0:%02d.%03d", (int) m[0].start,
                                          (int) lround (fmod (m[0].start, 1.0) * 1000) % 1000);
    g_test_message ("row 0: %s", strata_similar_page_get_row_text (sp, 0));
    g_assert_true (g_str_has_prefix (strata_similar_page_get_row_text (sp, 0), a));
    g_autofree char *score = g_strdup_printf (" · %.2f", m[0].score);
    g_assert_true (g_str_has_suffix (strata_similar_page_get_row_text (sp, 0), score));
  }
  strata_test_screenshot (fx->window, "ui-strata-similar-repeats");

  /* A row click says where to go. */
  double went = -1;
  gulong id = g_signal_connect (page, "match-activated", G_CALLBACK (match_activated_cb), &went);
  strata_similar_page_activate_row (sp, 2);
  g_assert_cmpfloat (went, ==, m[2].start);
  g_signal_handler_disconnect (page, id);

  /* The threshold: at 0.999 fewer (or none) match, outlines and rows
   * alike; back at the default, all four again. */
  gtk_range_set_value (strata_similar_page_get_threshold_scale (sp), 0.99);
  g_assert_cmpfloat_with_epsilon (strata_feature_controller_get_threshold (fx->ctl), 0.99, 1e-9);
  m = strata_feature_controller_get_matches (fx->ctl, &n, NULL);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (m[i].score, >=, 0.99);
  g_assert_cmpuint (strata_similar_page_get_n_rows (sp), ==, n);
  g_assert_cmpuint (strata_feature_lane_get_n_matches (lane), ==, n);
  g_test_message ("at 0.99: %u matches", n);
  strata_feature_controller_set_threshold (fx->ctl, STRATA_FEATURE_SIMILAR_MIN_SCORE);
  g_assert_cmpfloat_with_epsilon (gtk_range_get_value (strata_similar_page_get_threshold_scale (sp)),
                                  STRATA_FEATURE_SIMILAR_MIN_SCORE, 1e-9);
  g_assert_cmpuint (strata_similar_page_get_n_rows (sp), ==, N_PHRASES - 1);

  /* Stepping: from the start, the first match; from the last, round to
   * the first; backward from the first, the last. */
  g_assert_cmpint (strata_feature_controller_step_match (fx->ctl, 0.0, TRUE), ==, 0);
  g_assert_cmpint (strata_feature_controller_step_match (fx->ctl, m[0].start, TRUE), ==, 1);
  g_assert_cmpint (strata_feature_controller_step_match (fx->ctl, m[3].start, TRUE), ==, 0);
  g_assert_cmpint (strata_feature_controller_step_match (fx->ctl, m[0].start, FALSE), ==, 3);
  g_assert_cmpint (strata_feature_controller_step_match (fx->ctl, m[2].start, FALSE), ==, 1);

  /* A new selection replaces them (while dragged, none are shown). */
  strata_viewport_set_selection (vp, 1.0, 1.5);
  g_assert_cmpuint (strata_feature_lane_get_n_matches (lane), ==, 0);
  g_assert_cmpuint (strata_similar_page_get_n_rows (sp), ==, 0);
  drag_in_lane (fx->ctl, fx->timeline, level, phrase_start (3), phrase_start (3) + PHRASE_S);
  m = strata_feature_controller_get_matches (fx->ctl, &n, NULL);
  g_assert_cmpuint (n, ==, N_PHRASES - 1);
  g_assert_cmpfloat (fabs (m[2].start - phrase_start (2)), <=, PHRASE_TOLERANCE_S);

  /* Escape (clear the selection): no outlines, no list, no count. */
  strata_viewport_clear_selection (vp);
  g_assert_cmpuint (strata_feature_lane_get_n_matches (lane), ==, 0);
  g_assert_cmpuint (strata_similar_page_get_n_rows (sp), ==, 0);
  g_assert_cmpstr (strata_feature_controller_get_search_status (fx->ctl), ==, "");
  g_assert_true (g_str_has_prefix (strata_similar_page_get_status (sp), "Drag across"));
  g_assert_cmpint (strata_feature_controller_step_match (fx->ctl, 0.0, TRUE), ==, -1);

  /* White noise: nothing is like anything; the message says what to try
   * (coarse and medium). */
  g_clear_pointer (&fx->track, strata_track_unref);
  fx->track = load_track (fx->engine, noise);
  show_features (fx);
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      drag_in_lane (fx->ctl, fx->timeline, l, 4.0, 6.0);
      m = strata_feature_controller_get_matches (fx->ctl, &n, NULL);
      for (guint i = 0; i < n; i++)
        g_test_message ("noise, %s: %.3f–%.3f s, score %.3f", strata_level_get_name (l), m[i].start,
                        m[i].end, m[i].score);
      /* The fine stratum of the current model repeats itself every 128
       * frames (its extraction windows' seams), and noise windows one
       * seam period apart look alike there: logged, not asserted. */
      if (l == STRATA_LEVEL_FINE)
        continue;
      g_assert_cmpuint (n, ==, 0);
      g_assert_cmpstr (strata_similar_page_get_status (sp), ==,
                       "No similar passages at this stratum — try a shorter selection or another stratum");
      g_assert_cmpuint (strata_similar_page_get_n_rows (sp), ==, 0);
    }
  g_object_unref (page);
}


/* Runs one asynchronous export to its end; returns what finish says. */
static gboolean
export_async (Fixture *fx, gboolean png, const char *path, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);

  if (png)
    strata_feature_controller_export_png_async (fx->ctl, file, NULL, load_done_cb, &result);
  else
    strata_feature_controller_export_npz_async (fx->ctl, path, NULL, load_done_cb, &result);
  /* The write is an engine job (the I/O queue), not the main thread's. */
  if (strata_feature_controller_get_has_features (fx->ctl))
    g_assert_cmpuint (g_list_model_get_n_items (strata_engine_get_jobs (fx->engine)), >=, 1);
  g_assert_true (strata_test_wait (result_arrived, &result, 20000));
  return strata_feature_controller_export_finish (fx->ctl, result, error);
}

/* The window's exports run on the engine: the same bytes as the direct
 * export, through the output writer (never onto the track). */
static void
test_export_async (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *png1 = g_build_filename (fx->dir, "sync.png", NULL);
  g_autofree char *png2 = g_build_filename (fx->dir, "async.png", NULL);
  g_autofree char *npz1 = g_build_filename (fx->dir, "sync.npz", NULL);
  g_autofree char *npz2 = g_build_filename (fx->dir, "async.npz", NULL);
  g_autoptr(GFile) file1 = g_file_new_for_path (png1);
  g_autofree char *a = NULL, *b = NULL;
  gsize na = 0, nb = 0;

  /* Nothing to export before features exist: the callback says so. */
  g_assert_false (export_async (fx, FALSE, npz2, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (g_file_test (npz2, G_FILE_TEST_EXISTS));

  show_features (fx);
  g_assert_true (strata_feature_controller_export_png (fx->ctl, file1, &error));
  g_assert_true (export_async (fx, TRUE, png2, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (png1, &a, &na, NULL));
  g_assert_true (g_file_get_contents (png2, &b, &nb, NULL));
  g_assert_cmpuint (na, >, 100);
  g_assert_cmpmem (a, na, b, nb);
  g_clear_pointer (&a, g_free);
  g_clear_pointer (&b, g_free);

  g_assert_true (strata_feature_controller_export_npz (fx->ctl, npz1, &error));
  g_assert_true (export_async (fx, FALSE, npz2, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (npz1, &a, &na, NULL));
  g_assert_true (g_file_get_contents (npz2, &b, &nb, NULL));
  g_assert_cmpmem (a, na, b, nb);
  g_clear_pointer (&a, g_free);
  g_clear_pointer (&b, g_free);

  /* Onto the track itself: refused, the track untouched. */
  const char *track = strata_track_get_path (fx->track);
  g_assert_true (g_file_get_contents (track, &a, &na, NULL));
  g_assert_false (export_async (fx, FALSE, track, &error));
  g_assert_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_SAME_AS_INPUT);
  g_clear_error (&error);
  g_assert_false (export_async (fx, TRUE, track, &error));
  g_assert_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_SAME_AS_INPUT);
  g_assert_true (g_file_get_contents (track, &b, &nb, NULL));
  g_assert_cmpmem (a, na, b, nb);
}

/* Runs one asynchronous sections export to its end. */
static gboolean
export_sections_async (Fixture *fx, const char *path, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  strata_feature_controller_export_sections_async (fx->ctl, path, NULL, load_done_cb, &result);
  g_assert_true (strata_test_wait (result_arrived, &result, 20000));
  return strata_feature_controller_export_finish (fx->ctl, result, error);
}

/* The window's Export Sections: CSV for .csv, Audacity labels for .txt,
 * the bytes `strata-cli sections` gives for the ribbon's sections (one
 * line each); another extension or the track itself is refused. */
static void
test_export_sections (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = g_build_filename (fx->dir, "sections.CSV", NULL);
  g_autofree char *txt = g_build_filename (fx->dir, "labels.txt", NULL);
  g_autofree char *other = g_build_filename (fx->dir, "sections.mid", NULL);
  const StrataSection *sections;
  guint n_sections = 0;

  g_assert_false (export_sections_async (fx, csv, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (g_file_test (csv, G_FILE_TEST_EXISTS));

  show_features (fx);
  StrataFeatureMaps *maps = strata_feature_controller_get_maps (fx->ctl);
  sections = strata_feature_maps_get_sections (maps, &n_sections);
  g_assert_cmpuint (n_sections, >=, 1);
  for (int k = 0; k < 2; k++)
    {
      const char *path = k == 0 ? csv : txt;
      StrataSectionsFormat format = k == 0 ? STRATA_SECTIONS_CSV : STRATA_SECTIONS_AUDACITY;
      g_autoptr(GBytes) want = strata_sections_to_bytes (sections, n_sections, format, NULL);
      g_autofree char *got = NULL;
      gsize n_got = 0;

      g_assert_true (export_sections_async (fx, path, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, &got, &n_got, NULL));
      g_assert_cmpmem (got, n_got, g_bytes_get_data (want, NULL), g_bytes_get_size (want));
      g_auto(GStrv) lines = g_strsplit (got, "\n", -1);
      g_assert_cmpuint (g_strv_length (lines), ==, n_sections + (k == 0 ? 2 : 1));
      g_assert_true (g_str_has_prefix (lines[k == 0 ? 1 : 0], "0.000000"));
    }

  g_assert_false (export_sections_async (fx, other, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
  g_assert_nonnull (strstr (error->message, "sections.mid"));
  g_clear_error (&error);
  g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));

  /* Onto the track (renamed .txt would still be the same file): refused. */
  g_autofree char *link = g_build_filename (fx->dir, "track-link.txt", NULL);
  g_autofree char *a = NULL, *b = NULL;
  gsize na = 0, nb = 0;
  const char *track = strata_track_get_path (fx->track);
  g_assert_true (g_file_get_contents (track, &a, &na, NULL));
  g_assert_cmpint (symlink (track, link), ==, 0);
  g_assert_false (export_sections_async (fx, link, &error));
  g_assert_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_SAME_AS_INPUT);
  g_assert_true (g_file_get_contents (track, &b, &nb, NULL));
  g_assert_cmpmem (a, na, b, nb);
}

static void
test_export (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *png = g_build_filename (fx->dir, "strata.png", NULL);
  g_autofree char *npz = g_build_filename (fx->dir, "strata.npz", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (png);

  /* Nothing to export before features exist. */
  g_assert_false (strata_feature_controller_export_npz (fx->ctl, npz, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  show_features (fx);
  g_assert_true (strata_feature_controller_export_png (fx->ctl, file, &error));
  g_assert_no_error (error);
  g_autoptr(GdkTexture) tex = gdk_texture_new_from_filename (png, &error);
  g_assert_no_error (error);
  int total = 0;
  GtkWidget *ribbon = GTK_WIDGET (strata_feature_controller_get_ribbon (fx->ctl));
  total = gtk_widget_get_height (ribbon);
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    total += 1 + gtk_widget_get_height (GTK_WIDGET (strata_feature_controller_get_lane (fx->ctl, l)));
  g_assert_cmpint (gdk_texture_get_height (tex), ==, total);
  g_assert_cmpint (gdk_texture_get_width (tex), ==, gtk_widget_get_width (ribbon));

  g_assert_true (strata_feature_controller_export_npz (fx->ctl, npz, &error));
  g_assert_no_error (error);
  g_autofree char *contents = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (npz, &contents, &len, NULL));
  g_assert_cmpmem (contents, 4, "PK\x03\x04", 4);
  gboolean named = FALSE;
  for (gsize i = 0; i + 17 <= len && !named; i++)
    named = memcmp (contents + i, "coarse_tokens.npy", 17) == 0;
  g_assert_true (named);

  /* numpy reads exactly the eight arrays of `strata-cli features`, with the
   * shapes, dtypes and bytes of the features shown */
  g_autofree char *out = strata_check_npz (npz);
  if (out == NULL)
    {
      g_test_skip ("no /usr/bin/python3 with numpy");
      return;
    }
  const StrataFeatures *f = strata_feature_maps_get_features (strata_feature_controller_get_maps (fx->ctl));
  const StrataFeatureLevel *lv = f->level;
  g_autofree char *want = g_strdup_printf (
    "coarse <f4 %dx%d\ncoarse_tokens <i4 %d\n"
    "fine <f4 %dx%d\nfine_tokens <i4 %d\n"
    "medium <f4 %dx%d\nmedium_tokens <i4 %d\n"
    "model_version <U%d 1\nrates <f8 3\n",
    lv[0].T, lv[0].D, lv[0].T, lv[2].T, lv[2].D, lv[2].T, lv[1].T, lv[1].D, lv[1].T,
    (int) g_utf8_strlen (f->model_version, -1));
  if (!g_str_has_prefix (out, want))
    g_error ("arrays:\n%s\nexpected:\n%s", out, want);
  char r[3][G_ASCII_DTOSTR_BUF_SIZE];
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    g_ascii_formatd (r[l], sizeof r[l], "%.6f", lv[l].rate);
  g_autofree char *rates = g_strdup_printf ("\nrates %s %s %s\n", r[0], r[1], r[2]);
  g_autofree char *version = g_strdup_printf ("\nmodel_version %s\n", f->model_version);
  g_assert_nonnull (strstr (out, rates));
  g_assert_nonnull (strstr (out, version));
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      const char *name = strata_level_get_name (l);
      g_autofree char *tokens_name = g_strconcat (name, "_tokens", NULL);
      g_autofree char *df = strata_npz_digest (out, name), *dt = strata_npz_digest (out, tokens_name);
      g_autofree char *wf = g_compute_checksum_for_data (G_CHECKSUM_SHA1, (const guchar *) lv[l].features,
                                                         (gsize) lv[l].T * lv[l].D * sizeof (float));
      g_autofree char *wt = g_compute_checksum_for_data (G_CHECKSUM_SHA1, (const guchar *) lv[l].tokens,
                                                         (gsize) lv[l].T * sizeof (gint32));
      if (G_BYTE_ORDER == G_LITTLE_ENDIAN)   /* the .npz holds little-endian arrays */
        {
          g_assert_cmpstr (df, ==, wf);
          g_assert_cmpstr (dt, ==, wt);
        }
    }
}

static void
test_condition (Fixture *fx, gconstpointer data)
{
  g_auto(GStrv) tags = NULL;

  show_features (fx);
  g_object_get (fx->ctl, "tags", &tags, NULL);
  g_assert_nonnull (tags);
  if (tags[0] == NULL)
    {
      g_test_skip ("the model has no tags");
      return;
    }
  StrataFeatures *plain = strata_feature_maps_get_features (strata_feature_controller_get_maps (fx->ctl));
  g_assert_null (plain->condition);

  strata_feature_controller_set_condition (fx->ctl, tags[0]);
  g_assert_false (strata_feature_controller_get_has_features (fx->ctl));
  g_assert_true (strata_test_wait (has_features, fx->ctl, 60000));
  StrataFeatures *cond = strata_feature_maps_get_features (strata_feature_controller_get_maps (fx->ctl));
  g_assert_nonnull (cond->condition);
  g_assert_cmpstr (cond->condition[0], ==, tags[0]);

  /* An unknown tag: the lanes show the model's message, nothing crashes. */
  strata_feature_controller_set_condition (fx->ctl, "no-such-tag");
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end
         && g_str_has_suffix (strata_feature_controller_get_status (fx->ctl), "…"))
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (strata_feature_controller_get_has_features (fx->ctl));
  g_assert_cmpstr (strata_feature_controller_get_status (fx->ctl), !=, "");
  g_test_message ("unknown tag: %s", strata_feature_controller_get_status (fx->ctl));
}

static void
test_cancel (Fixture *fx, gconstpointer data)
{
  strata_feature_controller_set_model (fx->ctl, fx->model);
  strata_feature_controller_set_track (fx->ctl, fx->track);
  strata_feature_controller_cancel (fx->ctl);
  gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end
         && g_str_has_suffix (strata_feature_controller_get_status (fx->ctl), "…"))
    g_main_context_iteration (NULL, FALSE);
  /* Either cancelled in time or already done: never an error. */
  if (!strata_feature_controller_get_has_features (fx->ctl))
    g_assert_cmpstr (strata_feature_controller_get_status (fx->ctl), ==, "Feature extraction cancelled");
}

static void
test_bar (Fixture *fx, gconstpointer data)
{
  StrataFeatureBar *bar = STRATA_FEATURE_BAR (strata_feature_bar_new ());
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *medium = GTK_WIDGET (strata_feature_controller_get_lane (fx->ctl, STRATA_LEVEL_MEDIUM));

  g_object_ref (fx->timeline);
  gtk_window_set_child (GTK_WINDOW (fx->window), box);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (bar));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (fx->timeline));
  g_object_unref (fx->timeline);
  strata_feature_bar_set_controller (bar, fx->ctl);
  show_features (fx);

  /* Find the controls. */
  GtkToggleButton *toggles[3] = { NULL };
  GtkDropDown *drops[2] = { NULL };
  int nt = 0, nd = 0;
  GPtrArray *stack = g_ptr_array_new ();
  g_ptr_array_add (stack, bar);
  while (stack->len)
    {
      GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);
      if (GTK_IS_TOGGLE_BUTTON (w) && nt < 3)
        toggles[nt++] = GTK_TOGGLE_BUTTON (w);
      else if (GTK_IS_DROP_DOWN (w) && nd < 2)
        drops[nd++] = GTK_DROP_DOWN (w);
      else
        for (GtkWidget *c = gtk_widget_get_last_child (w); c; c = gtk_widget_get_prev_sibling (c))
          g_ptr_array_add (stack, c);
    }
  g_ptr_array_unref (stack);
  g_assert_cmpint (nt, ==, 3);
  g_assert_cmpint (nd, ==, 2);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (toggles[1])), ==, "Medium");

  /* Visibility toggle ↔ lane. */
  gtk_toggle_button_set_active (toggles[1], FALSE);
  strata_test_spin (50);
  g_assert_false (gtk_widget_get_mapped (medium));
  g_assert_false (strata_feature_controller_get_level_visible (fx->ctl, STRATA_LEVEL_MEDIUM));
  strata_feature_controller_set_level_visible (fx->ctl, STRATA_LEVEL_MEDIUM, TRUE);
  g_assert_true (gtk_toggle_button_get_active (toggles[1]));

  /* Mode drop-down ↔ lanes. */
  gtk_drop_down_set_selected (drops[0], 2);
  g_assert_cmpint (strata_feature_controller_get_mode (fx->ctl), ==, STRATA_FEATURE_MODE_PCA);
  strata_feature_controller_set_mode (fx->ctl, STRATA_FEATURE_MODE_TOKENS);
  g_assert_cmpuint (gtk_drop_down_get_selected (drops[0]), ==, 1);

  /* Condition drop-down: "No condition" and the model's tags. */
  GListModel *conditions = gtk_drop_down_get_model (drops[1]);
  g_assert_cmpuint (g_list_model_get_n_items (conditions), ==, 1 + strata_model_get_n_tags (fx->model));
  if (strata_model_get_n_tags (fx->model) > 0)
    {
      gtk_drop_down_set_selected (drops[1], 1);
      g_assert_cmpstr (strata_feature_controller_get_condition (fx->ctl), ==,
                       strata_model_get_tag_name (fx->model, 0));
      g_assert_true (strata_test_wait (has_features, fx->ctl, 60000));
      gtk_drop_down_set_selected (drops[1], 0);
      g_assert_cmpstr (strata_feature_controller_get_condition (fx->ctl), ==, "");
      g_assert_true (strata_test_wait (has_features, fx->ctl, 60000));
    }
  strata_test_screenshot (fx->window, "ui-strata-bar");
  strata_feature_bar_set_controller (bar, NULL);
}

static gboolean
status_settled (gpointer ctl)
{
  const char *s = strata_feature_controller_get_status (ctl);
  return s[0] != '\0' && !g_str_has_suffix (s, "…");
}

/* No model file where the default model is looked for: the lanes say so,
 * nothing crashes; a damaged one: its error shows. */
static void
test_no_model (Fixture *fx, gconstpointer data)
{
  g_autofree char *nowhere = g_build_filename (fx->dir, "no-such-model.safetensors", NULL);
  g_autofree char *garbage = g_build_filename (fx->dir, "garbage.safetensors", NULL);
  int w, h;

  g_setenv ("STRATA_MODEL_PATH", nowhere, TRUE);
  strata_feature_controller_set_track (fx->ctl, fx->track);
  show_track (fx);
  g_assert_true (strata_test_wait (status_settled, fx->ctl, 30000));
  g_test_message ("without a model: %s", strata_feature_controller_get_status (fx->ctl));
  g_assert_true (g_str_has_prefix (strata_feature_controller_get_status (fx->ctl), "No model installed"));
  g_assert_cmpstr (strata_feature_lane_get_message (strata_feature_controller_get_lane (fx->ctl, 2)), ==,
                   strata_feature_controller_get_status (fx->ctl));
  /* The message is drawn: light text pixels on the dark lane. */
  g_autofree guint32 *px = render_lane (fx, STRATA_LEVEL_COARSE, &w, &h);
  g_assert_cmpint (luma_range (px, (gsize) w * h), >, 120);
  g_assert_false (strata_feature_controller_get_has_features (fx->ctl));
  strata_test_screenshot (fx->window, "ui-strata-no-model");
  /* Another track: the same message, no new attempt needed. */
  strata_feature_controller_set_track (fx->ctl, NULL);
  strata_feature_controller_set_track (fx->ctl, fx->track);
  g_assert_true (g_str_has_prefix (strata_feature_controller_get_status (fx->ctl), "No model installed"));

  /* A damaged model file, in a fresh controller. */
  g_assert_true (g_file_set_contents (garbage, "not a model", -1, NULL));
  g_setenv ("STRATA_MODEL_PATH", garbage, TRUE);
  g_autoptr(StrataFeatureController) other = strata_feature_controller_new (fx->engine, fx->timeline);
  strata_feature_controller_set_track (other, fx->track);
  g_assert_true (strata_test_wait (status_settled, other, 30000));
  g_test_message ("damaged model: %s", strata_feature_controller_get_status (other));
  g_assert_nonnull (strstr (strata_feature_controller_get_status (other), "garbage.safetensors"));
  g_assert_false (strata_feature_controller_get_has_features (other));
  g_unsetenv ("STRATA_MODEL_PATH");
}

/* ------------------------------------------------------------ in the window */

static gboolean
window_has_features (gpointer data)
{
  return strata_feature_controller_get_has_features (strata_window_get_feature_controller (data));
}

static gboolean
window_status_settled (gpointer data)
{
  const char *s = strata_feature_controller_get_status (strata_window_get_feature_controller (data));
  return s[0] != '\0' && !g_str_has_suffix (s, "…");
}

/* A window on @engine, presented; the default model, else a random one
 * written into @dir. */
static StrataWindow *
present_window (const char *dir, StrataEngine *engine)
{
  g_autofree char *def = strata_model_dup_default_path ();
  g_autofree char *model_path = g_build_filename (dir, "random-model.safetensors", NULL);
  StrataWindow *win;

  if (def == NULL || g_getenv ("STRATA_TEST_RANDOM_MODEL"))
    {
      strata_test_write_random_model (model_path, 11);
      g_setenv ("STRATA_MODEL_PATH", model_path, TRUE);
    }
  win = strata_window_new (NULL, engine);
  gtk_window_set_default_size (GTK_WINDOW (win), 1100, 860);
  gtk_window_present (GTK_WINDOW (win));
  return win;
}

static void
close_window (StrataWindow *win, StrataEngine *engine, const char *dir)
{
  gtk_window_destroy (GTK_WINDOW (win));
  strata_engine_shutdown (engine);
  strata_test_spin (50);
  g_unsetenv ("STRATA_MODEL_PATH");
  strata_test_rm_rf (dir);
}

/* The application window: the strata start by themselves after a track
 * loads, under the spectrogram, with the bar and the export actions. */
static void
test_window (void)
{
  g_autofree char *dir = g_dir_make_tmp ("strata-ui-strata-win-XXXXXX", NULL);
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autofree char *track = strata_test_track (dir, 12.0);
  g_autoptr(StrataEngine) engine = strata_engine_new (cache);
  g_autoptr(GFile) file = g_file_new_for_path (track);
  StrataWindow *win;
  StrataTimeline *timeline;
  StrataFeatureController *ctl;
  GtkWidget *spectrogram = NULL;

  win = present_window (dir, engine);
  timeline = strata_window_get_timeline (win);
  ctl = strata_window_get_feature_controller (win);
  g_assert_nonnull (ctl);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (win), "export-features"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (win), "export-sections"));

  strata_window_open (win, file);
  g_assert_true (strata_test_wait (window_has_features, win, 60000));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (win), "export-features"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (win), "export-feature-maps"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (win), "export-sections"));

  /* Lanes: ..., spectrogram, sections, coarse, medium, fine. */
  guint n = strata_timeline_get_n_lanes (timeline);
  g_assert_cmpuint (n, >=, 5);
  for (guint i = 0; i < n; i++)
    if (STRATA_IS_SPECTROGRAM_LANE (strata_timeline_get_lane (timeline, i)))
      {
        spectrogram = GTK_WIDGET (strata_timeline_get_lane (timeline, i));
        g_assert_true (STRATA_IS_SECTION_RIBBON (strata_timeline_get_lane (timeline, i + 1)));
        for (int l = 0; l < STRATA_N_LEVELS; l++)
          g_assert_true (strata_timeline_get_lane (timeline, i + 2 + l)
                         == STRATA_LANE (strata_feature_controller_get_lane (ctl, l)));
      }
  g_assert_nonnull (spectrogram);
  g_assert_nonnull (strata_test_find_widget (GTK_WIDGET (win), STRATA_TYPE_FEATURE_BAR));

  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      GtkWidget *lane = GTK_WIDGET (strata_feature_controller_get_lane (ctl, l));
      int w, h;
      gtk_test_widget_wait_for_draw (lane);
      g_assert_true (gtk_widget_get_mapped (lane));
      g_autofree guint32 *px = strata_test_render (lane, &w, &h);
      g_assert_cmpuint (strata_test_count_colours (px, (gsize) w * h), >, 40);
    }
  strata_test_screenshot (GTK_WIDGET (win), "ui-strata-window");

  /* The transport bar's Cancel also stops a running feature job. */
  g_auto(GStrv) tags = NULL;
  g_object_get (ctl, "tags", &tags, NULL);
  if (tags && tags[0])
    {
      strata_feature_controller_set_condition (ctl, tags[0]);
      g_assert_false (strata_feature_controller_get_has_features (ctl));
      g_action_group_activate_action (G_ACTION_GROUP (win), "cancel", NULL);
      gint64 end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      while (g_get_monotonic_time () < end && !window_has_features (win) && !window_status_settled (win))
        g_main_context_iteration (NULL, FALSE);
      if (!window_has_features (win))
        g_assert_cmpstr (strata_feature_controller_get_status (ctl), ==, "Feature extraction cancelled");
    }

  close_window (win, engine, dir);
}

/* The window: a drag over a phrase lists the other repeats in the side
 * page; N and Shift+N (win.next-match, win.previous-match) move the
 * playhead from match to match, a row click moves it there, Escape
 * (win.clear-selection) clears outlines and list. */
static void
test_window_similar (void)
{
  g_autofree char *dir = g_dir_make_tmp ("strata-ui-strata-sim-XXXXXX", NULL);
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autofree char *track = write_test_audio (dir, FALSE);
  g_autoptr(StrataEngine) engine = strata_engine_new (cache);
  g_autoptr(GFile) file = g_file_new_for_path (track);
  StrataWindow *win;
  StrataFeatureController *ctl;
  StrataViewport *vp;
  StrataSimilarPage *page;
  const StrataMatch *m;
  guint n = 0;

  win = present_window (dir, engine);
  ctl = strata_window_get_feature_controller (win);
  vp = strata_timeline_get_viewport (strata_window_get_timeline (win));
  page = STRATA_SIMILAR_PAGE (strata_window_get_similar_page (win));
  g_assert_nonnull (page);
  strata_window_open (win, file);
  g_assert_true (strata_test_wait (window_has_features, win, 60000));

  drag_in_lane (ctl, strata_window_get_timeline (win), STRATA_LEVEL_MEDIUM, phrase_start (1),
                phrase_start (1) + PHRASE_S);
  m = strata_feature_controller_get_matches (ctl, &n, NULL);
  g_assert_cmpuint (n, ==, N_PHRASES - 1);
  g_assert_cmpuint (strata_similar_page_get_n_rows (page), ==, n);

  /* N from the start: the first match, then the second; Shift+N back. */
  g_assert_cmpfloat (strata_viewport_get_playhead (vp), <, m[0].start);
  g_action_group_activate_action (G_ACTION_GROUP (win), "next-match", NULL);
  g_assert_cmpfloat (fabs (strata_viewport_get_playhead (vp) - m[0].start), <, 0.01);
  g_action_group_activate_action (G_ACTION_GROUP (win), "next-match", NULL);
  g_assert_cmpfloat (fabs (strata_viewport_get_playhead (vp) - m[1].start), <, 0.01);
  g_action_group_activate_action (G_ACTION_GROUP (win), "previous-match", NULL);
  g_assert_cmpfloat (fabs (strata_viewport_get_playhead (vp) - m[0].start), <, 0.01);
  /* A row click: there. */
  strata_similar_page_activate_row (page, 3);
  g_assert_cmpfloat (fabs (strata_viewport_get_playhead (vp) - m[3].start), <, 0.01);
  g_assert_cmpfloat (fabs (strata_player_get_position (strata_window_get_player (win)) - m[3].start),
                     <, 0.05);
  strata_test_screenshot (GTK_WIDGET (win), "ui-strata-window-similar");

  /* Escape. */
  g_action_group_activate_action (G_ACTION_GROUP (win), "clear-selection", NULL);
  g_assert_cmpuint (strata_similar_page_get_n_rows (page), ==, 0);
  g_assert_cmpuint (strata_feature_lane_get_n_matches (strata_feature_controller_get_lane (ctl, STRATA_LEVEL_MEDIUM)),
                    ==, 0);
  double at = strata_viewport_get_playhead (vp);
  g_action_group_activate_action (G_ACTION_GROUP (win), "next-match", NULL);
  g_assert_cmpfloat (strata_viewport_get_playhead (vp), ==, at);

  close_window (win, engine, dir);
}

int
main (int argc, char **argv)
{
  int skip;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  if ((skip = strata_test_open_display (TRUE)) >= 0)
    return skip;
  adw_init ();

#define ADD(path, fn) g_test_add ("/strata/ui-strata/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("lanes-drawn", test_lanes_drawn);
  ADD ("modes", test_modes);
  ADD ("visibility", test_visibility);
  ADD ("resize", test_resize);
  ADD ("legend", test_legend);
  ADD ("similar", test_similar);
  ADD ("similar-repeats", test_similar_repeats);
  ADD ("export", test_export);
  ADD ("export-async", test_export_async);
  ADD ("export-sections", test_export_sections);
  ADD ("condition", test_condition);
  ADD ("cancel", test_cancel);
  ADD ("bar", test_bar);
  ADD ("no-model", test_no_model);
#undef ADD
  g_test_add_func ("/strata/ui-strata/window", test_window);
  g_test_add_func ("/strata/ui-strata/window-similar", test_window_similar);
  return g_test_run ();
}
