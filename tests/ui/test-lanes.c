/* test-lanes.c: the timeline's lanes on their own, in a real window: data
 * given by the lanes' setters (no track anywhere), the per-lane header
 * widgets of the label column, and the tooltip every lane class shares.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "strata-test-util.h"
#include "strata-spectrogram-lane.h"
#include "strata-timeline.h"
#include "strata-waveform-lane.h"

#define SECONDS 4.0

typedef struct
{
  GtkWidget *window;
  StrataTimeline *timeline;
  StrataLane *wave;
  StrataLane *spec;
} Fixture;

static gboolean
mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

/* 4 s of a 440 Hz tone at half scale, louder in the second half. */
static float *
tone (gint64 *n_frames)
{
  gint64 n = (gint64) (SECONDS * STRATA_SAMPLE_RATE);
  float *s = g_new (float, 2 * n);

  for (gint64 i = 0; i < n; i++)
    {
      double a = i < n / 2 ? 0.25 : 0.5;
      s[2 * i] = s[2 * i + 1] = (float) (a * sin (2 * G_PI * 440.0 * i / STRATA_SAMPLE_RATE));
    }
  *n_frames = n;
  return s;
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fx->window), 640, 400);
  fx->timeline = STRATA_TIMELINE (strata_timeline_new ());
  fx->wave = strata_waveform_lane_new ();
  fx->spec = strata_spectrogram_lane_new ();
  strata_timeline_add_lane (fx->timeline, fx->wave);
  strata_timeline_add_lane (fx->timeline, fx->spec);
  gtk_window_set_child (GTK_WINDOW (fx->window), GTK_WIDGET (fx->timeline));
  gtk_window_present (GTK_WINDOW (fx->window));
  g_assert_true (strata_test_wait (mapped, fx->spec, 5000));
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  gtk_window_destroy (GTK_WINDOW (fx->window));
  strata_test_spin (20);
}

/* Pixels of the waveform's colour in @lane as drawn now. */
static gsize
waveform_pixels (StrataLane *lane)
{
  g_autofree guint32 *px = NULL;
  gsize count = 0;
  int w, h;

  gtk_test_widget_wait_for_draw (GTK_WIDGET (lane));
  px = strata_test_render (GTK_WIDGET (lane), &w, &h);
  for (gsize i = 0; i < (gsize) w * h; i++)
    if (((px[i] >> 16) & 0xff) == STRATA_WAVEFORM_R && ((px[i] >> 8) & 0xff) == STRATA_WAVEFORM_G
        && (px[i] & 0xff) == STRATA_WAVEFORM_B)
      count++;
  return count;
}

/* Height (rows) of the waveform's colour in column @x of @px. */
static int
column_height (const guint32 *px, int w, int h, int x)
{
  int rows = 0;

  for (int y = 0; y < h; y++)
    {
      guint32 p = px[(gsize) y * w + x];
      if (((p >> 16) & 0xff) == STRATA_WAVEFORM_R && ((p >> 8) & 0xff) == STRATA_WAVEFORM_G
          && (p & 0xff) == STRATA_WAVEFORM_B)
        rows++;
    }
  return rows;
}

/* Lanes fed by their setters draw what they were given, without a track;
 * without data (or without a duration) they draw nothing. */
static void
test_setters (Fixture *fx, gconstpointer data)
{
  gint64 n;
  g_autofree float *s = tone (&n);
  StrataAudio *audio = strata_audio_new_take (g_memdup2 (s, (gsize) n * 2 * sizeof (float)), n);
  StrataPeaks *peaks = strata_peaks_new (s, n, NULL, NULL, NULL);
  StrataSpecgram *specgram = strata_specgram_new (s, n, NULL, NULL, NULL);
  g_autofree guint32 *px = NULL, *sp = NULL;
  int w, h, sw, sh, quiet, loud;

  g_assert_nonnull (peaks);
  g_assert_nonnull (specgram);

  /* Nothing yet: no waveform pixels. */
  g_assert_cmpuint (waveform_pixels (fx->wave), ==, 0);

  /* Data, but no duration on the timeline: still nothing. */
  strata_waveform_lane_set_peaks (STRATA_WAVEFORM_LANE (fx->wave), peaks, audio, peaks,
                                  (GDestroyNotify) strata_peaks_free);
  strata_audio_unref (audio);   /* the lane holds its own reference */
  g_assert_true (strata_waveform_lane_get_peaks (STRATA_WAVEFORM_LANE (fx->wave)) == peaks);
  g_assert_cmpuint (waveform_pixels (fx->wave), ==, 0);

  strata_spectrogram_lane_set_specgram (STRATA_SPECTROGRAM_LANE (fx->spec), specgram, specgram,
                                        (GDestroyNotify) strata_specgram_free);
  strata_timeline_set_duration (fx->timeline, SECONDS);

  /* The waveform: drawn across the width, twice as tall where the tone is
   * twice as loud. */
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fx->wave));
  px = strata_test_render (GTK_WIDGET (fx->wave), &w, &h);
  quiet = column_height (px, w, h, w / 4);
  loud = column_height (px, w, h, 3 * w / 4);
  g_test_message ("waveform %dx%d: column heights %d (quiet half), %d (loud half)", w, h, quiet, loud);
  g_assert_cmpint (quiet, >, 10);
  g_assert_cmpint (abs (loud - 2 * quiet), <=, 3);
  for (int x = 2; x < w - 2; x += 16)
    g_assert_cmpint (column_height (px, w, h, x), >, 0);

  /* The spectrogram: the tone is the brightest row, at 440 Hz on the axis. */
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fx->spec));
  sp = strata_test_render (GTK_WIDGET (fx->spec), &sw, &sh);
  {
    int best_y = -1;
    guint best = 0;
    double y440 = strata_spectrogram_lane_freq_to_y (STRATA_SPECTROGRAM_LANE (fx->spec), 440.0, sh);

    for (int y = 0; y < sh; y++)
      {
        guint32 p = sp[(gsize) y * sw + sw - 4];
        guint sum = ((p >> 16) & 0xff) + ((p >> 8) & 0xff) + (p & 0xff);
        if (sum > best)
          best = sum, best_y = y;
      }
    g_test_message ("spectrogram %dx%d: brightest row %d, 440 Hz at %.1f", sw, sh, best_y, y440);
    g_assert_cmpfloat (fabs (best_y - y440), <=, 3.0);
    g_assert_cmpuint (strata_test_count_colours (sp, (gsize) sw * sh), >, 20);
  }

  /* Cleared: nothing drawn again (the owner was released: ASan/valgrind
   * would see a leak or a double free). */
  strata_waveform_lane_set_peaks (STRATA_WAVEFORM_LANE (fx->wave), NULL, NULL, NULL, NULL);
  g_assert_null (strata_waveform_lane_get_peaks (STRATA_WAVEFORM_LANE (fx->wave)));
  g_assert_cmpuint (waveform_pixels (fx->wave), ==, 0);
  g_assert_nonnull (strata_spectrogram_lane_get_specgram (STRATA_SPECTROGRAM_LANE (fx->spec)));
}

/* Top of @widget and its height in the timeline's coordinates. */
static void
bounds_in (GtkWidget *widget, GtkWidget *ancestor, graphene_rect_t *out)
{
  g_assert_true (gtk_widget_compute_bounds (widget, ancestor, out));
}

static gboolean
clicked (gpointer clicks)
{
  return *(int *) clicks == 1;
}

static void
clicked_cb (GtkButton *button, int *clicks)
{
  (*clicks)++;
}

/* A lane's own header widget takes the place of its title in the label
 * column, on the lane's row, hides with the lane, and its controls take
 * the keyboard focus. */
static void
test_header (Fixture *fx, gconstpointer data)
{
  g_autoptr(GtkWidget) title = g_object_ref (strata_lane_get_header (fx->spec));
  g_autoptr(GtkWidget) header = g_object_ref_sink (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4));
  GtkWidget *restored;
  GtkWidget *mute = gtk_toggle_button_new_with_label ("M");
  GtkWidget *button = gtk_button_new_with_label ("S");
  graphene_rect_t hb, lb, tb;
  int clicks = 0, steps;

  /* The default: a label with the title, beside its lane. */
  g_assert_true (GTK_IS_LABEL (title));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (title)), ==, strata_lane_get_title (fx->spec));
  g_assert_true (gtk_widget_get_parent (title) == gtk_widget_get_parent (GTK_WIDGET (fx->spec)));
  strata_lane_set_title (fx->spec, "Renamed");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (title)), ==, "Renamed");

  gtk_accessible_update_property (GTK_ACCESSIBLE (mute), GTK_ACCESSIBLE_PROPERTY_LABEL, "Mute", -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, "Solo", -1);
  g_signal_connect (button, "clicked", G_CALLBACK (clicked_cb), &clicks);
  gtk_box_append (GTK_BOX (header), gtk_label_new ("Bass"));
  gtk_box_append (GTK_BOX (header), mute);
  gtk_box_append (GTK_BOX (header), button);
  strata_lane_set_header (fx->spec, header);
  g_assert_true (strata_lane_get_header (fx->spec) == header);
  g_assert_null (gtk_widget_get_parent (title));   /* replaced, not stacked */
  g_assert_true (strata_test_wait (mapped, button, 5000));
  gtk_test_widget_wait_for_draw (fx->window);

  /* Aligned with its lane: the same row, left of it. */
  bounds_in (header, GTK_WIDGET (fx->timeline), &hb);
  bounds_in (GTK_WIDGET (fx->spec), GTK_WIDGET (fx->timeline), &lb);
  bounds_in (GTK_WIDGET (fx->wave), GTK_WIDGET (fx->timeline), &tb);
  g_test_message ("header %.0f,%.0f %.0fx%.0f; lane %.0f,%.0f %.0fx%.0f", hb.origin.x,
                  hb.origin.y, hb.size.width, hb.size.height, lb.origin.x, lb.origin.y,
                  lb.size.width, lb.size.height);
  g_assert_cmpfloat (hb.origin.y, ==, lb.origin.y);
  g_assert_cmpfloat (hb.size.height, ==, lb.size.height);
  g_assert_cmpfloat (hb.origin.x + hb.size.width, <=, lb.origin.x);
  g_assert_cmpfloat (hb.origin.y, >=, tb.origin.y + tb.size.height);   /* below the waveform */
  /* The label column keeps its width for the other lanes. */
  g_assert_cmpfloat (lb.origin.x, ==, tb.origin.x);

  /* Keyboard: Tab reaches the header's controls. */
  for (steps = 0; steps < 20 && !gtk_widget_has_focus (mute); steps++)
    gtk_widget_child_focus (fx->window, GTK_DIR_TAB_FORWARD);
  g_test_message ("the mute button took the focus after %d Tab presses", steps);
  g_assert_true (gtk_widget_has_focus (mute));
  gtk_widget_child_focus (fx->window, GTK_DIR_TAB_FORWARD);
  g_assert_true (gtk_widget_has_focus (button));
  gtk_widget_activate (button);   /* what Space or Enter does; clicked follows */
  g_assert_true (strata_test_wait (clicked, &clicks, 2000));

  /* Hiding the lane hides its header; showing it shows it again. */
  gtk_widget_set_visible (GTK_WIDGET (fx->spec), FALSE);
  strata_test_spin (50);
  g_assert_false (gtk_widget_get_visible (header));
  g_assert_false (gtk_widget_get_mapped (button));
  g_assert_true (gtk_widget_get_mapped (strata_lane_get_header (fx->wave)));
  gtk_widget_set_visible (GTK_WIDGET (fx->spec), TRUE);
  g_assert_true (strata_test_wait (mapped, button, 5000));

  /* Back to the title. */
  strata_lane_set_header (fx->spec, NULL);
  restored = strata_lane_get_header (fx->spec);
  g_assert_true (GTK_IS_LABEL (restored));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (restored)), ==, "Renamed");
  g_assert_null (gtk_widget_get_parent (header));
  g_assert_true (strata_test_wait (mapped, restored, 5000));
}

/* The base class gives a tooltip to lanes that describe their points, and
 * none to the others. */
static void
test_tooltip (Fixture *fx, gconstpointer data)
{
  gint64 n;
  g_autofree float *s = tone (&n);
  StrataSpecgram *specgram = strata_specgram_new (s, n, NULL, NULL, NULL);
  int h;
  double y;
  g_autofree char *text = NULL;

  g_assert_true (gtk_widget_get_has_tooltip (GTK_WIDGET (fx->spec)));
  g_assert_false (gtk_widget_get_has_tooltip (GTK_WIDGET (fx->wave)));
  g_assert_null (strata_lane_describe_point (fx->wave, 10, 10));
  g_assert_null (strata_lane_describe_point (fx->spec, 10, 10));   /* no data yet */

  strata_spectrogram_lane_set_specgram (STRATA_SPECTROGRAM_LANE (fx->spec), specgram, specgram,
                                        (GDestroyNotify) strata_specgram_free);
  strata_timeline_set_duration (fx->timeline, SECONDS);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fx->spec));
  h = gtk_widget_get_height (GTK_WIDGET (fx->spec));
  g_assert_cmpint (h, >, 1);
  y = strata_spectrogram_lane_freq_to_y (STRATA_SPECTROGRAM_LANE (fx->spec), 440.0, h);
  text = strata_lane_describe_point (fx->spec, 0, y);
  g_test_message ("tooltip: %s", text);
  g_assert_cmpstr (text, ==, "0:00.000 · 440 Hz · A4");
}

int
main (int argc, char **argv)
{
  int skip;

  g_test_init (&argc, &argv, NULL);
  if ((skip = strata_test_open_display (TRUE)) >= 0)
    return skip;

  g_test_add ("/strata/lanes/setters", Fixture, NULL, fixture_setup, test_setters, fixture_teardown);
  g_test_add ("/strata/lanes/header", Fixture, NULL, fixture_setup, test_header, fixture_teardown);
  g_test_add ("/strata/lanes/tooltip", Fixture, NULL, fixture_setup, test_tooltip, fixture_teardown);
  return g_test_run ();
}
