/* test-player.c: StrataPlayer against a real-time sink (fakesink sync=true).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <gst/gst.h>

#include "playback/strata-player.h"
#include "playback-test.h"

/* A stereo sine of @seconds at @freq Hz. */
static StrataAudio *
make_tone (double seconds, double freq)
{
  gint64 n = (gint64) (seconds * STRATA_SAMPLE_RATE);
  float *s = g_new (float, n * STRATA_CHANNELS);

  for (gint64 i = 0; i < n; i++)
    s[2 * i] = s[2 * i + 1] = 0.3f * (float) sin (2 * G_PI * freq * i / STRATA_SAMPLE_RATE);
  return strata_audio_new_take (s, n);
}

static void on_error (gpointer data, const char *message);

/* Plays in real time into the tests' sink ($STRATA_AUDIO_SINK, fakesink
 * sync=true) and, with the variable unset, into the product's default
 * (autoaudiosink, which on a machine without a sound card falls back to a
 * real-time fake sink; its warning is not an error). */
static void
test_realtime (gconstpointer param)
{
  const gboolean product_default = GPOINTER_TO_INT (param);
  g_autoptr(StrataPlayer) player =
    product_default ? player_new_with_sink (NULL) : strata_player_new ();
  int errors = 0;
  g_object_set_data (G_OBJECT (player), "count", &errors);
  g_signal_connect (player, "error", G_CALLBACK (on_error), NULL);
  g_autoptr(StrataAudio) audio = make_tone (5.0, 440.0);
  gint64 t0;
  double wall, pos;

  strata_player_set_audio (player, audio);
  g_assert_cmpfloat_with_epsilon (strata_player_get_duration (player), 5.0, 1e-6);
  g_assert_false (strata_player_get_playing (player));
  spin (100);
  g_assert_cmpfloat (strata_player_get_position (player), <, 0.01);

  strata_player_play (player);
  g_assert_true (strata_player_get_playing (player));
  /* Measure from the moment the sink runs (start-up latency varies with
   * the machine's load), against the wall clock. */
  {
    gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
    double pos0;

    while ((pos0 = strata_player_get_position (player)) <= 0.0 && g_get_monotonic_time () < end)
      spin (5);
    g_assert_cmpfloat (pos0, >, 0.0);
    t0 = g_get_monotonic_time ();
    spin (800);
    pos = strata_player_get_position (player);
    wall = (g_get_monotonic_time () - t0) / 1e6;
    g_test_message ("position advanced %.3f s in %.3f s of wall time", pos - pos0, wall);
    g_assert_cmpfloat (pos - pos0, >, wall - 0.15);
    g_assert_cmpfloat (pos - pos0, <, wall + 0.15);
  }

  strata_player_pause (player);
  g_assert_false (strata_player_get_playing (player));
  pos = strata_player_get_position (player);
  spin (300);
  g_assert_cmpfloat_with_epsilon (strata_player_get_position (player), pos, 0.03);
  g_assert_cmpint (errors, ==, 0);

  g_assert_finalize_object (g_steal_pointer (&player));
}

static void
test_seek (void)
{
  g_autoptr(StrataPlayer) player = strata_player_new ();
  g_autoptr(StrataAudio) audio = make_tone (5.0, 220.0);
  double pos;

  strata_player_set_audio (player, audio);
  spin (100);
  strata_player_seek (player, 3.0);
  spin (100);
  g_assert_cmpfloat_with_epsilon (strata_player_get_position (player), 3.0, 0.01);

  {
    gint64 t0 = g_get_monotonic_time ();

    strata_player_play (player);
    g_assert_true (wait_position (player, 3.1));
    pos = strata_player_get_position (player);
    /* Forward from the seek target, and never faster than real time. */
    g_assert_cmpfloat (pos, <=, 3.0 + (g_get_monotonic_time () - t0) / 1e6 + 0.02);
  }

  strata_player_seek (player, 1.0);   /* while playing */
  spin (50);
  pos = strata_player_get_position (player);
  g_assert_cmpfloat (pos, >=, 1.0);
  g_assert_cmpfloat (pos, <, 1.2);

  strata_player_stop (player);
  g_assert_false (strata_player_get_playing (player));
  spin (100);
  g_assert_cmpfloat (strata_player_get_position (player), <, 0.01);

  /* Clamped to the track. */
  strata_player_seek (player, 99.0);
  g_assert_cmpfloat (strata_player_get_position (player), <=, 5.0);
}

static void
test_eos (void)
{
  g_autoptr(StrataPlayer) player = strata_player_new ();
  g_autoptr(StrataAudio) audio = make_tone (0.6, 330.0);
  gboolean eos = FALSE;
  gint64 t0;

  g_signal_connect_swapped (player, "eos", G_CALLBACK (on_flag), &eos);
  strata_player_set_audio (player, audio);
  t0 = g_get_monotonic_time ();
  strata_player_play (player);
  g_assert_true (spin_until_flag (&eos, 5000));
  /* Not before the audio could have been played. */
  g_assert_cmpint (g_get_monotonic_time () - t0, >, 500000);
  g_assert_false (strata_player_get_playing (player));
  g_assert_cmpfloat_with_epsilon (strata_player_get_position (player), 0.6, 0.01);

  /* Play again after the end: starts over. */
  eos = FALSE;
  strata_player_play (player);
  g_assert_true (strata_player_get_playing (player));
  g_assert_cmpfloat (strata_player_get_position (player), <, 0.1);
  g_assert_true (spin_until_flag (&eos, 5000));
}

static void
test_loop (void)
{
  g_autoptr(StrataPlayer) player = strata_player_new ();
  g_autoptr(StrataAudio) audio = make_tone (4.0, 440.0);
  gboolean eos = FALSE;
  double start, end, pos, prev = 0, wraps = 0;

  g_signal_connect_swapped (player, "eos", G_CALLBACK (on_flag), &eos);
  strata_player_set_audio (player, audio);
  strata_player_set_loop (player, TRUE, 1.0, 1.3);
  g_assert_true (strata_player_get_loop (player, &start, &end));
  g_assert_cmpfloat (start, ==, 1.0);
  g_assert_cmpfloat (end, ==, 1.3);
  spin (50);
  g_assert_cmpfloat_with_epsilon (strata_player_get_position (player), 1.0, 0.01);

  strata_player_play (player);
  g_assert_true (wait_position (player, 1.05));
  /* 1.5 s of playing is five loop lengths. */
  for (int i = 0; i < 75; i++)
    {
      spin (20);
      pos = strata_player_get_position (player);
      g_assert_cmpfloat (pos, >=, 1.0 - 0.01);
      g_assert_cmpfloat (pos, <=, 1.3 + 0.01);
      if (pos + 0.2 < prev)
        wraps++;
      prev = pos;
    }
  g_assert_cmpfloat (wraps, >=, 2);
  g_assert_false (eos);
  g_assert_true (strata_player_get_playing (player));

  /* Switch the loop off: playback carries on past the old end to EOS. */
  strata_player_set_loop (player, FALSE, 0, 0);
  g_assert_false (strata_player_get_loop (player, NULL, NULL));
  g_assert_true (spin_until_flag (&eos, 6000));
}

static void
test_set_audio (void)
{
  g_autoptr(StrataPlayer) player = strata_player_new ();
  g_autoptr(StrataAudio) a = make_tone (3.0, 440.0);
  g_autoptr(StrataAudio) b = make_tone (2.0, 660.0);

  strata_player_set_audio (player, a);
  strata_player_play (player);
  g_assert_true (wait_position (player, 0.05));

  strata_player_set_audio (player, b);
  g_assert_false (strata_player_get_playing (player));
  g_assert_cmpfloat_with_epsilon (strata_player_get_duration (player), 2.0, 1e-6);
  g_assert_cmpfloat (strata_player_get_position (player), <, 0.01);
  strata_player_play (player);
  g_assert_true (wait_position (player, 0.05));

  strata_player_set_audio (player, NULL);
  g_assert_false (strata_player_get_playing (player));
  g_assert_cmpfloat (strata_player_get_duration (player), ==, 0.0);
  strata_player_play (player);     /* no audio: nothing happens */
  g_assert_false (strata_player_get_playing (player));
  g_assert_finalize_object (g_steal_pointer (&player));
}

static void
on_error (gpointer data, const char *message)
{
  int *count = g_object_get_data (G_OBJECT (data), "count");

  (*count)++;
  g_object_set_data_full (G_OBJECT (data), "message", g_strdup (message), g_free);
}

/* A sink that cannot start: the bus error becomes the "error" signal and
 * playback stops; nothing crashes or hangs. */
static void
test_error (void)
{
  g_autoptr(StrataPlayer) player = NULL;
  g_autoptr(StrataAudio) audio = make_tone (1.0, 440.0);
  const char *message;
  int count = 0;
  gint64 end;

  player = player_new_with_sink ("filesink location=/nonexistent-strata-dir/out.raw");

  g_object_set_data (G_OBJECT (player), "count", &count);
  g_signal_connect (player, "error", G_CALLBACK (on_error), NULL);
  strata_player_set_audio (player, audio);
  strata_player_play (player);
  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (count == 0 && g_get_monotonic_time () < end)
    spin (10);
  spin (200);   /* later errors of the same failure are not reported */
  message = g_object_get_data (G_OBJECT (player), "message");
  g_test_message ("error: %s", message);
  g_assert_cmpint (count, ==, 1);
  g_assert_true (g_str_has_prefix (message, "Playback failed: "));
  g_assert_false (strata_player_get_playing (player));
  g_assert_finalize_object (g_steal_pointer (&player));
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("STRATA_AUDIO_SINK") == NULL)
    g_setenv ("STRATA_AUDIO_SINK", "fakesink sync=true", TRUE);

  g_test_add_data_func ("/strata/playback/realtime", GINT_TO_POINTER (FALSE), test_realtime);
  g_test_add_data_func ("/strata/playback/realtime/default-sink", GINT_TO_POINTER (TRUE),
                        test_realtime);
  g_test_add_func ("/strata/playback/seek", test_seek);
  g_test_add_func ("/strata/playback/eos", test_eos);
  g_test_add_func ("/strata/playback/loop", test_loop);
  g_test_add_func ("/strata/playback/set-audio", test_set_audio);
  g_test_add_func ("/strata/playback/error", test_error);
  return g_test_run ();
}
