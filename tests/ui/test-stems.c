/* test-stems.c: stems in the real window under Xvfb, played into the
 * capturing sink (tests/playback/capture-sink.h): a folder of stems made
 * from the demo track (a low band and the rest) opens with no track (their
 * sum becomes the track) and names its broken file; the stem lanes draw;
 * the stems stay sample-aligned through a seek; mute through the header is
 * heard within 100 ms; solo, gain and the original/stem-mix switch change
 * what reaches the sink as stated; exports decode to the stems' samples,
 * refuse to replace a stem's file, and leave no file when cancelled; a new
 * track removes the stems; a dropped folder opens as stems.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "capture-sink.h"
#include "playback-test.h"
#include "strata-application.h"
#include "strata-test-util.h"
#include "strata-window-private.h"

#define CLIP_SECONDS 4.0
#define N_FRAMES ((gint64) (CLIP_SECONDS * STRATA_SAMPLE_RATE))

static StrataApplication *app;
static StrataWindow *window;
static char *tmp_dir;
static char *stems_dir;        /* bass.wav, guitar.wav, broken.wav, notes.txt */
static float *clip;            /* (N_FRAMES, 2) the demo's first seconds */

static gboolean
window_mapped (gpointer data)
{
  GtkWindow *w = gtk_application_get_active_window (GTK_APPLICATION (app));
  return w != NULL && gtk_widget_get_mapped (GTK_WIDGET (w));
}

static gboolean
stems_shown (gpointer n)
{
  return !strata_window_get_stems_loading (window) && strata_window_get_n_stems (window) == GPOINTER_TO_UINT (n);
}

/* The first descendant of @root whose tooltip is @tooltip. (transfer none) */
static GtkWidget *
find_by_tooltip (GtkWidget *root, const char *tooltip)
{
  if (g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_by_tooltip (c, tooltip);
      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
header_control (guint stem, const char *tooltip)
{
  StrataLane *lane = STRATA_LANE (strata_window_get_stem_lane (window, stem));
  GtkWidget *w = find_by_tooltip (strata_lane_get_header (lane), tooltip);

  g_assert_nonnull (w);
  return w;
}

static void
write_stem (const char *name, const float *s)
{
  g_autofree char *path = g_build_filename (stems_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (strata_audio_write (path, s, N_FRAMES, 2, STRATA_SAMPLE_RATE,
                                     STRATA_AUDIO_FORMAT_WAV_F32, &error));
}

/* The demo track's first seconds split into a low band (one-pole low-pass
 * at about 250 Hz) and the rest, written as float WAV files. */
static void
make_stems (void)
{
  g_autofree char *demo = strata_test_track (tmp_dir, CLIP_SECONDS);
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataAudio) audio = strata_audio_decode (demo, NULL, NULL, NULL, &error);
  g_autofree float *low = g_new (float, N_FRAMES * 2);
  g_autofree float *high = g_new (float, N_FRAMES * 2);
  const double a = 1.0 - exp (-2 * G_PI * 250.0 / STRATA_SAMPLE_RATE);
  double y[2] = { 0, 0 };

  g_assert_no_error (error);
  g_assert_cmpint (strata_audio_get_n_frames (audio), >=, N_FRAMES);
  clip = g_memdup2 (strata_audio_get_samples (audio), N_FRAMES * 2 * sizeof (float));
  for (gint64 i = 0; i < N_FRAMES * 2; i++)
    {
      y[i % 2] += a * (clip[i] - y[i % 2]);
      low[i] = (float) y[i % 2];
      high[i] = clip[i] - low[i];
    }
  stems_dir = g_build_filename (tmp_dir, "stems", NULL);
  g_mkdir_with_parents (stems_dir, 0700);
  write_stem ("bass.wav", low);
  write_stem ("guitar.wav", high);
  {
    g_autofree char *broken = g_build_filename (stems_dir, "broken.wav", NULL);
    g_autofree char *notes = g_build_filename (stems_dir, "notes.txt", NULL);
    g_assert_true (g_file_set_contents (broken, "RIFF\x24\0\0\0WAVEfmt garbage", -1, NULL));
    g_assert_true (g_file_set_contents (notes, "not audio", -1, NULL));
  }
}

static const float *
stem_samples (guint i)
{
  StrataPlaybackMix *mix = strata_window_get_playback_mix (window);
  return strata_audio_get_samples (strata_playback_mix_get_channel_audio (
    mix, strata_stem_lane_get_id (strata_window_get_stem_lane (window, i))));
}

/* With no track open, a folder's stems open; their sum is the track; the
 * broken file is named; the lanes draw their waveforms in their colours. */
static void
test_open_folder (void)
{
  g_autoptr(GFile) folder = g_file_new_for_path (stems_dir);
  const char *message;
  StrataTrack *track;

  g_assert_null (strata_window_get_track (window));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "export-stems"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "open-stems"));
  strata_window_open_stems (window, folder);
  g_assert_true (strata_window_get_stems_loading (window));
  g_assert_true (strata_test_wait (stems_shown, GUINT_TO_POINTER (2), 30000));

  message = strata_window_get_error (window);
  g_test_message ("error bar: %s", message);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "broken.wav"));
  g_assert_null (strstr (message, "notes.txt"));

  track = strata_window_get_track (window);
  g_assert_nonnull (track);
  g_assert_cmpstr (strata_track_get_path (track), ==, stems_dir);
  g_assert_cmpint (strata_audio_get_n_frames (strata_track_get_audio (track)), ==, N_FRAMES);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "play-pause"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "export-stems"));
  {
    const float *t = strata_audio_get_samples (strata_track_get_audio (track));
    const float *b = stem_samples (0), *g = stem_samples (1);
    for (gint64 i = 0; i < N_FRAMES * 2; i++)
      g_assert_cmpfloat (t[i], ==, b[i] + g[i]);
  }
  g_assert_cmpstr (strata_stem_lane_get_family (strata_window_get_stem_lane (window, 0)), ==, "bass");
  g_assert_cmpstr (strata_stem_lane_get_family (strata_window_get_stem_lane (window, 1)), ==, "guitar");
  g_assert_cmpstr (strata_lane_get_title (STRATA_LANE (strata_window_get_stem_lane (window, 0))), ==, "bass");

  strata_test_spin (400);   /* the stack's cross-fade to the timeline */
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  strata_test_screenshot (GTK_WIDGET (window), "stems");
  for (guint s = 0; s < 2; s++)
    {
      GtkWidget *lane = GTK_WIDGET (strata_window_get_stem_lane (window, s));
      g_autofree guint32 *px = NULL;
      double rgb[3];
      gsize hits = 0;
      int w, h;

      g_assert_true (gtk_widget_get_mapped (lane));
      g_assert_true (strata_stem_lane_has_peaks (STRATA_STEM_LANE (lane)));
      strata_stem_family_rgb (strata_stem_lane_get_family (STRATA_STEM_LANE (lane)), rgb);
      px = strata_test_render (lane, &w, &h);
      for (gsize i = 0; i < (gsize) w * h; i++)
        if (((px[i] >> 16) & 0xff) == (guint) lround (rgb[0] * 255)
            && ((px[i] >> 8) & 0xff) == (guint) lround (rgb[1] * 255)
            && (px[i] & 0xff) == (guint) lround (rgb[2] * 255))
          hits++;
      g_test_message ("stem lane %u: %dx%d, %" G_GSIZE_FORMAT " pixels of its colour", s, w, h, hits);
      /* A waveform across the lane, not a line. */
      g_assert_cmpint (hits, >, (gsize) w * 2);
    }
}

/* Plays from @from for @seconds into the sink (cleared first), then pauses. */
static void
play_span (double from, double seconds)
{
  StrataPlayer *player = strata_window_get_player (window);
  gint64 end = g_get_monotonic_time () + (gint64) ((seconds + 5.0) * G_USEC_PER_SEC);

  strata_player_pause (player);
  strata_player_seek (player, from);
  capture_reset (N_FRAMES);
  strata_player_play (player);
  while (strata_player_get_position (player) < from + seconds && g_get_monotonic_time () < end)
    strata_test_spin (10);
  strata_player_pause (player);
  strata_test_spin (50);
}

/* The mix's offline render at the current controls. (transfer full) */
static float *
render_now (void)
{
  StrataPlaybackMix *mix = strata_window_get_playback_mix (window);
  StrataStemMixer *mixer = strata_playback_mix_get_mixer (mix);
  g_autofree StrataStemParams *p = strata_playback_mix_dup_params (mix, strata_playback_mix_get_original (mix));
  float *out = g_new (float, N_FRAMES * 2);

  g_assert_nonnull (mixer);
  strata_stem_mixer_render_range (mixer, p, 0, N_FRAMES, out);
  return out;
}

/* Through a seek while playing, every frame that reaches the sink is the
 * offline render's at its time: the two stems never drift apart. */
static void
test_seek_aligned (void)
{
  StrataPlayer *player = strata_window_get_player (window);
  g_autofree float *ref = NULL;
  gint64 seek_frame = (gint64) (2.5 * STRATA_SAMPLE_RATE), got = 0;
  gboolean eos = FALSE;
  gulong id;

  /* Unbalanced, so that a slipped stem would show. */
  strata_stem_lane_set_gain_db (strata_window_get_stem_lane (window, 0), 4.0);
  strata_stem_lane_set_pan (strata_window_get_stem_lane (window, 1), -0.6);
  ref = render_now ();
  id = g_signal_connect_swapped (player, "eos", G_CALLBACK (on_flag), &eos);

  strata_player_seek (player, 0.0);
  capture_reset (N_FRAMES);
  strata_player_play (player);
  g_assert_true (wait_position (player, 0.4));
  strata_player_seek (player, 2.5);
  g_assert_true (spin_until_flag (&eos, 10000));
  g_signal_handler_disconnect (player, id);
  g_assert_cmpuint (capture.misfits, ==, 0);
  g_assert_cmpmem (capture.samples + 2 * seek_frame, (gsize) (N_FRAMES - seek_frame) * 8,
                   ref + 2 * seek_frame, (gsize) (N_FRAMES - seek_frame) * 8);
  for (gint64 i = 0; i < 2 * seek_frame; i++)
    if (!isnan (capture.samples[i]))
      {
        g_assert_cmpfloat (capture.samples[i], ==, ref[i]);
        got++;
      }
  g_test_message ("%" G_GINT64_FORMAT " samples before the seek, all aligned", got);
  g_assert_cmpint (got, >, 0.3 * STRATA_SAMPLE_RATE * 2);
  strata_stem_lane_set_gain_db (strata_window_get_stem_lane (window, 0), 0.0);
  strata_stem_lane_set_pan (strata_window_get_stem_lane (window, 1), 0.0);
}

/* The mute toggle in a stem's header, clicked while playing, is heard at
 * most 100 ms after the frame the sink had reached. */
static void
test_mute_heard (void)
{
  StrataPlayer *player = strata_window_get_player (window);
  GtkWidget *mute = header_control (1, "Mute");
  g_autofree float *before_ref = render_now ();
  g_autofree float *after_ref = NULL;
  gint64 before, change = -1;

  strata_player_seek (player, 0.0);
  capture_reset (N_FRAMES);
  strata_player_play (player);
  g_assert_true (wait_position (player, 0.8));
  before = capture_last_end ();
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (mute), TRUE);
  g_assert_true (strata_stem_lane_get_mute (strata_window_get_stem_lane (window, 1)));
  after_ref = render_now ();
  g_assert_true (wait_position (player, 1.6));
  strata_player_pause (player);
  strata_test_spin (50);

  for (gint64 i = before; i < N_FRAMES && change < 0; i++)
    if (!isnan (capture.samples[2 * i]) && capture.samples[2 * i] != before_ref[2 * i])
      change = i;
  g_test_message ("sink at frame %" G_GINT64_FORMAT " when muted, heard from %" G_GINT64_FORMAT,
                  before, change);
  g_assert_cmpint (change, >=, before);
  g_assert_cmpint (change - before, <=, STRATA_SAMPLE_RATE / 10);
  /* After the fade, the guitar is gone: only the bass plays. */
  for (gint64 i = change + STRATA_STEM_MIXER_RAMP_FRAMES; i < capture_last_end (); i++)
    g_assert_cmpfloat (capture.samples[2 * i], ==, after_ref[2 * i]);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (mute), FALSE);
}

/* Largest difference between what reached the sink and @gain × @want. */
static double
deviation (const float *want, double gain, gint64 *n_checked)
{
  double worst = 0.0;

  *n_checked = 0;
  for (gint64 i = 0; i < N_FRAMES * 2; i++)
    if (!isnan (capture.samples[i]))
      {
        worst = MAX (worst, fabs (capture.samples[i] - gain * want[i]));
        (*n_checked)++;
      }
  return worst;
}

/* Two tones given by strata_window_set_stems(): solo, gain and mute through
 * the headers, and the original/stem-mix switch, as heard at the sink. */
static void
test_controls (void)
{
  g_autofree float *a = g_new (float, N_FRAMES * 2);
  g_autofree float *b = g_new (float, N_FRAMES * 2);
  const float *track = strata_audio_get_samples (strata_track_get_audio (strata_window_get_track (window)));
  g_autoptr(StrataAudio) sa = NULL, sb = NULL;
  StrataAudio *stems[2];
  const char *names[] = { "piano", "vocals" };
  gint64 n;
  double worst;

  for (gint64 i = 0; i < N_FRAMES; i++)
    {
      a[2 * i] = a[2 * i + 1] = (float) (0.3 * sin (2 * G_PI * 440.0 * i / STRATA_SAMPLE_RATE));
      b[2 * i] = b[2 * i + 1] = (float) (0.3 * sin (2 * G_PI * 660.0 * i / STRATA_SAMPLE_RATE));
    }
  sa = strata_audio_new_take (g_memdup2 (a, N_FRAMES * 8), N_FRAMES);
  sb = strata_audio_new_take (g_memdup2 (b, N_FRAMES * 8), N_FRAMES);
  stems[0] = sa;
  stems[1] = sb;
  strata_window_set_stems (window, stems, names, 2, "test");
  g_assert_true (strata_test_wait (stems_shown, GUINT_TO_POINTER (2), 20000));
  g_assert_cmpstr (strata_stem_lane_get_family (strata_window_get_stem_lane (window, 1)), ==, "vocals");
  /* The track stays the folder's sum; the lanes are the new stems'. */
  g_assert_cmpstr (strata_track_get_path (strata_window_get_track (window)), ==, stems_dir);

  /* Solo the 660 Hz stem: only it reaches the sink. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (header_control (1, "Solo")), TRUE);
  play_span (0.0, 0.6);
  worst = deviation (b, 1.0, &n);
  g_test_message ("solo: %" G_GINT64_FORMAT " samples, largest deviation %.3g", n, worst);
  g_assert_cmpint (n, >, STRATA_SAMPLE_RATE / 2);
  g_assert_cmpfloat (worst, <, 1e-6);

  /* Unsolo, mute it, and -6 dB on the 440 Hz stem (its spin button). */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (header_control (1, "Solo")), FALSE);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (header_control (1, "Mute")), TRUE);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (header_control (0, "Gain (dB)")), -6.0);
  g_assert_cmpfloat (strata_stem_lane_get_gain_db (strata_window_get_stem_lane (window, 0)), ==, -6.0);
  play_span (0.0, 0.6);
  worst = deviation (a, pow (10.0, -6.0 / 20.0), &n);
  g_test_message ("-6 dB, other muted: largest deviation %.3g", worst);
  g_assert_cmpint (n, >, STRATA_SAMPLE_RATE / 2);
  g_assert_cmpfloat (worst, <, 1e-6);

  /* A/B: the original plays the track as it is, with the stems silent. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.play-original", NULL));
  g_assert_true (strata_playback_mix_get_original (strata_window_get_playback_mix (window)));
  play_span (0.0, 0.6);
  worst = deviation (track, 1.0, &n);
  g_test_message ("original: largest deviation %.3g", worst);
  g_assert_cmpint (n, >, STRATA_SAMPLE_RATE / 2);
  g_assert_cmpfloat (worst, <, 1e-6);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.play-original", NULL));
  g_assert_false (strata_playback_mix_get_original (strata_window_get_playback_mix (window)));
}

static void
export_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  GError **error = data;

  if (!strata_window_export_finish (window, result, error) && *error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "failed without a message");
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "done");   /* a marker: finished */
}

static gboolean
export_landed (gpointer slot)
{
  return *(GError **) slot != NULL;
}

/* Runs an export to its end; NULL when it succeeded. (transfer full) */
static GError *
wait_export (GError **slot)
{
  g_assert_true (strata_test_wait (export_landed, slot, 20000));
  if (g_error_matches (*slot, G_IO_ERROR, G_IO_ERROR_EXISTS) && strcmp ((*slot)->message, "done") == 0)
    {
      g_clear_error (slot);
      return NULL;
    }
  return g_steal_pointer (slot);
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d && g_dir_read_name (d))
    n++;
  return n;
}

static void
assert_decodes_to (const char *path, const float *want, double tolerance)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StrataAudio) got = strata_audio_decode (path, NULL, NULL, NULL, &error);
  const float *s;
  double worst = 0.0;

  g_assert_no_error (error);
  g_assert_cmpint (strata_audio_get_n_frames (got), ==, N_FRAMES);
  s = strata_audio_get_samples (got);
  for (gint64 i = 0; i < N_FRAMES * 2; i++)
    worst = MAX (worst, fabs (s[i] - want[i]));
  g_test_message ("%s: largest deviation %.3g", path, worst);
  g_assert_cmpfloat (worst, <=, tolerance);
}

/* Export Stems (all, then the selected one) and Export Stem Mix decode to
 * what the window plays; a stem's own file is never replaced; a cancelled
 * export leaves no file. */
static void
test_export (void)
{
  g_autofree char *out = g_build_filename (tmp_dir, "export", NULL);
  g_autofree char *piano = g_build_filename (out, "piano.wav", NULL);
  g_autofree char *vocals = g_build_filename (out, "vocals.flac", NULL);
  g_autofree char *mix_path = g_build_filename (out, "mix.wav", NULL);
  g_autoptr(GError) error = NULL;
  GError *slot = NULL;

  g_mkdir_with_parents (out, 0700);

  /* Cancelled: nothing is written, not even a temporary. */
  {
    g_autoptr(GCancellable) cancel = g_cancellable_new ();
    strata_window_export_stems_async (window, out, STRATA_AUDIO_FORMAT_WAV_F32, cancel,
                                      export_done_cb, &slot);
    g_cancellable_cancel (cancel);
    error = wait_export (&slot);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_assert_cmpuint (count_files (out), ==, 0);
  }

  strata_window_export_stems_async (window, out, STRATA_AUDIO_FORMAT_WAV_F32, NULL,
                                    export_done_cb, &slot);
  g_assert_null (wait_export (&slot));
  g_assert_cmpuint (count_files (out), ==, 2);
  assert_decodes_to (piano, stem_samples (0), 0.0);

  /* Only the selected stem, as FLAC (24-bit: half a step of 2^-23). */
  strata_stem_lane_set_selected (strata_window_get_stem_lane (window, 1), TRUE);
  strata_window_export_stems_async (window, out, STRATA_AUDIO_FORMAT_FLAC, NULL,
                                    export_done_cb, &slot);
  g_assert_null (wait_export (&slot));
  g_assert_cmpuint (count_files (out), ==, 3);
  g_assert_true (g_file_test (vocals, G_FILE_TEST_IS_REGULAR));
  assert_decodes_to (vocals, stem_samples (1), 1.0 / (1 << 23));
  strata_stem_lane_set_selected (strata_window_get_stem_lane (window, 1), FALSE);

  /* The stem mix at the current balance (-6 dB and a mute, from before). */
  {
    g_autofree float *ref = render_now ();
    strata_window_export_stem_mix_async (window, mix_path, NULL, export_done_cb, &slot);
    g_assert_null (wait_export (&slot));
    assert_decodes_to (mix_path, ref, 0.0);
  }

  /* Over the files the stems came from: refused, the files untouched. */
  {
    g_autoptr(GFile) folder = g_file_new_for_path (stems_dir);
    g_autofree char *bass = g_build_filename (stems_dir, "bass.wav", NULL);
    g_autofree char *before = NULL, *after = NULL;
    gsize n1, n2;

    strata_window_open_stems (window, folder);
    g_assert_true (strata_test_wait (stems_shown, GUINT_TO_POINTER (2), 20000));
    g_assert_true (g_file_get_contents (bass, &before, &n1, NULL));
    strata_window_export_stems_async (window, stems_dir, STRATA_AUDIO_FORMAT_WAV_F32, NULL,
                                      export_done_cb, &slot);
    error = wait_export (&slot);
    g_assert_nonnull (error);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "bass.wav"));
    g_assert_true (g_file_get_contents (bass, &after, &n2, NULL));
    g_assert_cmpmem (before, n1, after, n2);
    g_assert_cmpuint (count_files (stems_dir), ==, 4);
  }
}

/* An overlay channel (how synthesised notes will join) sounds over the
 * original and over the stem mix; adding it while playing keeps the
 * position and the play state; one of the wrong length is refused. */
static void
test_overlay (void)
{
  StrataPlaybackMix *mix = strata_window_get_playback_mix (window);
  StrataPlayer *player = strata_window_get_player (window);
  const float *track = strata_audio_get_samples (strata_track_get_audio (strata_window_get_track (window)));
  g_autofree float *tone = g_new (float, N_FRAMES * 2);
  g_autofree float *want = g_new (float, N_FRAMES * 2);
  g_autoptr(StrataAudio) overlay = NULL;
  g_autoptr(StrataAudio) short_one = strata_audio_new_take (g_new0 (float, 200), 100);
  g_autoptr(GError) error = NULL;
  gint64 n;
  double worst, pos;

  for (gint64 i = 0; i < N_FRAMES * 2; i++)
    tone[i] = (float) (0.2 * sin (2 * G_PI * 880.0 * (i / 2) / STRATA_SAMPLE_RATE));
  overlay = strata_audio_new_take (g_memdup2 (tone, N_FRAMES * 8), N_FRAMES);

  g_assert_false (strata_playback_mix_add_channel (mix, "notes", "notes", STRATA_PLAYBACK_CHANNEL_OVERLAY,
                                                   short_one, &error));
  g_assert_error (error, STRATA_PLAYBACK_MIX_ERROR, STRATA_PLAYBACK_MIX_ERROR_LENGTH);
  g_assert_nonnull (strstr (error->message, "notes"));

  /* Joins while playing: the player goes on from where it was. */
  strata_player_seek (player, 0.0);
  strata_player_play (player);
  g_assert_true (wait_position (player, 0.5));
  g_assert_true (strata_playback_mix_add_channel (mix, "notes", "notes", STRATA_PLAYBACK_CHANNEL_OVERLAY,
                                                  overlay, NULL));
  pos = strata_player_get_position (player);
  g_test_message ("position after the rebuild: %.3f s", pos);
  g_assert_cmpfloat (pos, >=, 0.5);
  g_assert_true (strata_player_get_playing (player));
  g_assert_cmpuint (strata_playback_mix_get_n_channels (mix), ==, 3);

  /* Over the original. */
  strata_playback_mix_set_original (mix, TRUE);
  play_span (0.0, 0.5);
  for (gint64 i = 0; i < N_FRAMES * 2; i++)
    want[i] = track[i] + tone[i];
  worst = deviation (want, 1.0, &n);
  g_test_message ("original + overlay: largest deviation %.3g", worst);
  g_assert_cmpint (n, >, STRATA_SAMPLE_RATE / 2);
  g_assert_cmpfloat (worst, <, 1e-6);

  /* Over the stem mix, balanced by its own gain. */
  strata_playback_mix_set_original (mix, FALSE);
  strata_playback_mix_set_gain_db (mix, "notes", -6.0);
  play_span (0.0, 0.5);
  {
    const float *b = stem_samples (0), *g = stem_samples (1);
    for (gint64 i = 0; i < N_FRAMES * 2; i++)
      want[i] = b[i] + g[i] + (float) (pow (10.0, -6.0 / 20.0) * tone[i]);
  }
  worst = deviation (want, 1.0, &n);
  g_test_message ("stems + overlay at -6 dB: largest deviation %.3g", worst);
  g_assert_cmpfloat (worst, <, 1e-6);

  g_assert_true (strata_playback_mix_remove_channel (mix, "notes"));
  g_assert_false (strata_playback_mix_remove_channel (mix, "notes"));
  g_assert_cmpuint (strata_playback_mix_get_n_channels (mix), ==, 2);
}

/* Opening a track removes the stems; a folder dropped on the window opens
 * as stems against it. */
static void
test_new_track_and_drop (void)
{
  g_autofree char *track_path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (stems_dir);

  g_setenv ("STRATA_TEST_NO_DEMO", "1", TRUE);
  track_path = strata_test_track (tmp_dir, 3.0);
  g_unsetenv ("STRATA_TEST_NO_DEMO");
  file = g_file_new_for_path (track_path);
  strata_window_open (window, file);
  g_assert_true (strata_test_wait (stems_shown, GUINT_TO_POINTER (0), 20000));
  while (strata_window_get_loading (window))
    strata_test_spin (10);
  g_assert_cmpstr (strata_track_get_path (strata_window_get_track (window)), ==, track_path);
  g_assert_cmpuint (strata_window_get_n_stems (window), ==, 0);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "export-stems"));
  g_assert_null (strata_playback_mix_get_mixer (strata_window_get_playback_mix (window)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (g_ptr_array_index (window->stem_lanes, 0))));

  g_assert_true (strata_test_drop_file (GTK_WIDGET (window), folder));
  g_assert_true (strata_test_wait (stems_shown, GUINT_TO_POINTER (2), 20000));
  /* Fitted to the 3 s track (4 s stems: cut, and said so). */
  g_assert_cmpstr (strata_track_get_path (strata_window_get_track (window)), ==, track_path);
  g_assert_cmpint (strata_audio_get_n_frames (strata_playback_mix_get_channel_audio (
                     strata_window_get_playback_mix (window), "stem-0")), ==, 3 * STRATA_SAMPLE_RATE);
  g_assert_nonnull (strstr (strata_window_get_error (window), "longer and was cut"));
}

/* Separate Stems: the track's six stems from the separation head become
 * the stem lanes, and they add up to the track. */
static void
test_separate (void)
{
  StrataPlaybackMix *mix = strata_window_get_playback_mix (window);
  StrataAudio *track = strata_track_get_audio (strata_window_get_track (window));
  const gint64 n = strata_audio_get_n_frames (track);
  const float *x = strata_audio_get_samples (track);
  g_autofree double *sum = g_new0 (double, 2 * n);
  double worst = 0.0;

  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "separate"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.separate", NULL));
  g_assert_true (strata_test_wait (stems_shown, GUINT_TO_POINTER (6), 60000));
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *id = g_strdup_printf ("stem-%u", i);
      StrataAudio *stem = strata_playback_mix_get_channel_audio (mix, id);
      const float *y;

      g_assert_nonnull (stem);
      g_assert_cmpint (strata_audio_get_n_frames (stem), ==, n);
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (g_ptr_array_index (window->stem_lanes, i))));
      y = strata_audio_get_samples (stem);
      for (gint64 k = 0; k < 2 * n; k++)
        sum[k] += y[k];
    }
  for (gint64 k = 0; k < 2 * n; k++)
    worst = MAX (worst, fabs (sum[k] - x[k]));
  g_test_message ("six separated stems; largest |sum - track| %.2g", worst);
  g_assert_cmpfloat (worst, <, 1e-4);
}

int
main (int argc, char **argv)
{
  int status, ret;
  g_autofree char *cache = NULL, *data = NULL;

  tmp_dir = g_dir_make_tmp ("strata-stems-XXXXXX", NULL);
  cache = g_build_filename (tmp_dir, "cache", NULL);
  data = g_build_filename (tmp_dir, "data", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("STRATA_AUDIO_SINK", "stratatestcapture sync=true", TRUE);
  /* The stems need no feature strata: without a model no BLAS work runs
   * (OpenBLAS's exit handler joining its threads was seen to hang when
   * the machine is loaded). */
  {
    g_autofree char *no_model = g_build_filename (tmp_dir, "no-model.safetensors", NULL);
    g_setenv ("STRATA_MODEL_PATH", no_model, TRUE);
  }

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  capture_register ();
  if ((status = strata_test_open_display (TRUE)) >= 0)
    return status;
  adw_init ();

  make_stems ();
  app = strata_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  g_assert_true (strata_test_wait (window_mapped, NULL, 10000));
  window = STRATA_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));

  g_test_add_func ("/strata/ui/stems/open-folder", test_open_folder);
  g_test_add_func ("/strata/ui/stems/seek-aligned", test_seek_aligned);
  g_test_add_func ("/strata/ui/stems/mute-heard", test_mute_heard);
  g_test_add_func ("/strata/ui/stems/controls", test_controls);
  g_test_add_func ("/strata/ui/stems/export", test_export);
  g_test_add_func ("/strata/ui/stems/overlay", test_overlay);
  g_test_add_func ("/strata/ui/stems/new-track-and-drop", test_new_track_and_drop);
  g_test_add_func ("/strata/ui/stems/separate", test_separate);
  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  strata_test_spin (50);
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&app);
  g_free (clip);
  g_free (stems_dir);
  strata_test_rm_rf (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
