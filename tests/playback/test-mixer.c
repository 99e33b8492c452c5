/* test-mixer.c: the pan law, the stem mixer, and a player fed by a source,
 * checked on the samples that reach a capturing sink (capture-sink.h), so
 * a test can compare what playback delivered with the mixer's offline
 * render and with the mixing formula computed here in double precision.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <gst/gst.h>

#include "playback/strata-pan.h"
#include "playback/strata-player.h"
#include "playback/strata-stem-mixer.h"
#include "capture-sink.h"
#include "playback-test.h"

/* ---- test material -------------------------------------------------------------- */

#define N_FRAMES (2 * STRATA_SAMPLE_RATE)

/* Two stems with different left and right channels. */
static StrataAudio *
make_stem (int which)
{
  float *s = g_new (float, N_FRAMES * STRATA_CHANNELS);

  for (gint64 i = 0; i < N_FRAMES; i++)
    {
      double t = (double) i / STRATA_SAMPLE_RATE;
      if (which == 0)
        {
          s[2 * i] = (float) (0.30 * sin (2 * G_PI * 440.0 * t));
          s[2 * i + 1] = (float) (0.20 * sin (2 * G_PI * 440.0 * t + 1.0));
        }
      else
        {
          s[2 * i] = (float) (0.25 * sin (2 * G_PI * 660.0 * t));
          s[2 * i + 1] = (float) (0.35 * cos (2 * G_PI * 550.0 * t));
        }
    }
  return strata_audio_new_take (s, N_FRAMES);
}

static StrataStemMixer *
make_mixer (void)
{
  g_autoptr(StrataAudio) a = make_stem (0);
  g_autoptr(StrataAudio) b = make_stem (1);
  StrataAudio *stems[] = { a, b };
  const char *names[] = { "tone", "chord" };
  g_autoptr(GError) error = NULL;
  StrataStemMixer *mixer = strata_stem_mixer_new (stems, names, 2, &error);

  g_assert_no_error (error);
  return mixer;
}

/* The mix by the documented formula, in double: gain 10^(dB/20), pan
 * sqrt(2)·(cos, sin)((pan + 1)·pi/4), mute, solo. */
static double *
expected_mix (StrataStemMixer *mixer, const StrataStemParams *p)
{
  guint n = strata_stem_mixer_get_n_stems (mixer);
  double *mix = g_new0 (double, N_FRAMES * STRATA_CHANNELS);
  gboolean any_solo = FALSE;

  for (guint s = 0; s < n; s++)
    any_solo |= p[s].solo;
  for (guint s = 0; s < n; s++)
    {
      const float *x = strata_audio_get_samples (strata_stem_mixer_get_stem (mixer, s));
      double theta = (p[s].pan + 1.0) * G_PI / 4.0;
      double g = (p[s].mute || (any_solo && !p[s].solo)) ? 0.0 : pow (10.0, p[s].gain_db / 20.0);
      double gl = g * sqrt (2.0) * cos (theta), gr = g * sqrt (2.0) * sin (theta);

      for (gint64 i = 0; i < N_FRAMES; i++)
        {
          mix[2 * i] += gl * x[2 * i];
          mix[2 * i + 1] += gr * x[2 * i + 1];
        }
    }
  return mix;
}

/* Float rounding: each gain (< 2^-24 relative), each product and each of
 * the two additions round once, so an output sample is off by at most
 * 4 · 2^-24 · sum |g·x| < 4 · 6e-8 · (2 · 1.42 · 2 · 0.35) < 5e-7. */
#define MIX_TOLERANCE 1e-6

static void
assert_close_to_formula (const float *got, const double *want)
{
  double worst = 0.0;

  for (gint64 i = 0; i < N_FRAMES * STRATA_CHANNELS; i++)
    worst = MAX (worst, fabs ((double) got[i] - want[i]));
  g_test_message ("largest deviation from the formula: %.3g", worst);
  g_assert_cmpfloat (worst, <, MIX_TOLERANCE);
}

/* ---- the pan law ---------------------------------------------------------------- */

static void
test_pan_law (void)
{
  double l, r, prev_l = G_MAXDOUBLE, prev_r = -1.0;

  strata_pan_law (-1.0, &l, &r);
  g_assert_cmpfloat_with_epsilon (l, G_SQRT2, 1e-12);
  g_assert_cmpfloat_with_epsilon (r, 0.0, 1e-12);
  strata_pan_law (0.0, &l, &r);
  g_assert_cmpfloat_with_epsilon (l, 1.0, 1e-12);   /* 0 dB at the centre */
  g_assert_cmpfloat_with_epsilon (r, 1.0, 1e-12);
  g_assert_cmpfloat ((float) l, ==, 1.0f);           /* exactly unity in the mixer */
  strata_pan_law (1.0, &l, &r);
  g_assert_cmpfloat_with_epsilon (l, 0.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (r, G_SQRT2, 1e-12);

  /* Constant power, and monotonic, across the whole range. */
  for (int k = 0; k <= 200; k++)
    {
      double pan = -1.0 + k / 100.0;

      strata_pan_law (pan, &l, &r);
      g_assert_cmpfloat_with_epsilon (l * l + r * r, 2.0, 1e-12);
      g_assert_cmpfloat (l, <=, prev_l);
      g_assert_cmpfloat (r, >=, prev_r);
      prev_l = l;
      prev_r = r;
    }
  /* -3 dB below the extremes' louder side at the centre: 20·log10(1/sqrt 2). */
  g_assert_cmpfloat_with_epsilon (20.0 * log10 (1.0 / G_SQRT2), -3.0103, 1e-4);

  /* Clamped outside [-1, 1]; NaN is the centre. */
  strata_pan_law (-7.0, &l, &r);
  g_assert_cmpfloat_with_epsilon (l, G_SQRT2, 1e-12);
  strata_pan_law (NAN, &l, &r);
  g_assert_cmpfloat_with_epsilon (l, 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (r, 1.0, 1e-12);
}

/* ---- the mixer alone ------------------------------------------------------------ */

static void
test_mixer_errors (void)
{
  g_autoptr(StrataAudio) a = make_stem (0);
  g_autoptr(StrataAudio) shorter = strata_audio_new_take (g_new0 (float, 2 * 100), 100);
  StrataAudio *stems[] = { a, shorter };
  const char *names[] = { "drums", "bass" };
  g_autoptr(GError) error = NULL;

  g_assert_null (strata_stem_mixer_new (stems, names, 0, &error));
  g_assert_error (error, STRATA_STEM_MIXER_ERROR, STRATA_STEM_MIXER_ERROR_NO_STEMS);
  g_clear_error (&error);

  g_assert_null (strata_stem_mixer_new (stems, names, 2, &error));
  g_assert_error (error, STRATA_STEM_MIXER_ERROR, STRATA_STEM_MIXER_ERROR_LENGTH);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "“drums” has 88200 frames"));
  g_assert_nonnull (strstr (error->message, "“bass” 100"));
}

/* The offline render follows the formula for gains, pans, mute and solo;
 * at the defaults it is the exact float sum of the stems. */
static void
test_mixer_render (void)
{
  g_autoptr(StrataStemMixer) mixer = make_mixer ();
  g_autofree float *out = g_new (float, N_FRAMES * STRATA_CHANNELS);
  const float *a = strata_audio_get_samples (strata_stem_mixer_get_stem (mixer, 0));
  const float *b = strata_audio_get_samples (strata_stem_mixer_get_stem (mixer, 1));
  const StrataStemParams cases[][2] = {
    { { -6.0, -0.5, FALSE, FALSE }, { 3.0, 0.7, FALSE, FALSE } },
    { { -6.0, -0.5, FALSE, FALSE }, { 3.0, 0.7, TRUE, FALSE } },    /* b muted */
    { { -6.0, -0.5, FALSE, FALSE }, { 3.0, 0.7, FALSE, TRUE } },    /* b soloed */
    { { 0.0, -1.0, FALSE, TRUE }, { 3.0, 0.7, TRUE, TRUE } },       /* a soloed, b soloed + muted */
    { { -INFINITY, 0.0, FALSE, FALSE }, { 0.0, 1.0, FALSE, FALSE } },
  };

  g_assert_cmpuint (strata_stem_mixer_get_n_stems (mixer), ==, 2);
  g_assert_cmpstr (strata_stem_mixer_get_name (mixer, 1), ==, "chord");
  g_assert_cmpint (strata_source_get_n_frames (STRATA_SOURCE (mixer)), ==, N_FRAMES);

  strata_stem_mixer_render_range (mixer, NULL, 0, N_FRAMES, out);
  for (gint64 i = 0; i < N_FRAMES * STRATA_CHANNELS; i++)
    g_assert_cmpfloat (out[i], ==, a[i] + b[i]);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree double *want = expected_mix (mixer, cases[c]);

      strata_stem_mixer_render_range (mixer, cases[c], 0, N_FRAMES, out);
      assert_close_to_formula (out, want);
    }

  /* A range past the end is zero-padded; the stems stay aligned in any
   * range (a window from the middle equals the same frames of a whole
   * render). */
  {
    float tail[2 * 64];
    float whole_end[2 * 32];

    strata_stem_mixer_render_range (mixer, cases[0], N_FRAMES - 32, 64, tail);
    strata_stem_mixer_render_range (mixer, cases[0], 0, N_FRAMES, out);
    memcpy (whole_end, out + 2 * (N_FRAMES - 32), sizeof whole_end);
    g_assert_cmpmem (tail, sizeof whole_end, whole_end, sizeof whole_end);
    for (int i = 64; i < 128; i++)
      g_assert_cmpfloat (tail[i], ==, 0.0f);
  }
}

/* ---- through the player --------------------------------------------------------- */

/* Plays @source to its end into the capturing sink (@sync: in real time). */
static void
play_to_end (StrataPlayer *player, StrataSource *source)
{
  gboolean eos = FALSE;
  gulong id = g_signal_connect_swapped (player, "eos", G_CALLBACK (on_flag), &eos);

  capture_reset (strata_source_get_n_frames (source));
  strata_player_set_source (player, source);
  strata_player_play (player);
  g_assert_true (spin_until_flag (&eos, 20000));
  g_signal_handler_disconnect (player, id);
  g_assert_cmpuint (capture.misfits, ==, 0);
}

/* The plain track reaches the sink sample for sample. */
static void
test_track_source (void)
{
  g_autoptr(StrataPlayer) player = player_new_with_sink ("stratatestcapture sync=false");
  g_autoptr(StrataAudio) audio = make_stem (1);
  g_autoptr(StrataSource) source = strata_track_source_new (audio);

  g_assert_true (strata_track_source_get_audio (STRATA_TRACK_SOURCE (source)) == audio);
  play_to_end (player, source);
  g_assert_true (strata_player_get_source (player) == source);
  g_assert_cmpmem (capture.samples, N_FRAMES * 2 * sizeof (float),
                   strata_audio_get_samples (audio), N_FRAMES * 2 * sizeof (float));

  /* set_audio() is the same through a track source of its own. */
  capture_reset (N_FRAMES);
  strata_player_set_audio (player, audio);
  g_assert_true (STRATA_IS_TRACK_SOURCE (strata_player_get_source (player)));
  g_assert_cmpfloat_with_epsilon (strata_player_get_duration (player), 2.0, 1e-9);
  strata_player_set_audio (player, NULL);
  g_assert_null (strata_player_get_source (player));
}

/* A two-stem mix played to the sink: gains, pans, a mute and a solo as the
 * formula says, and equal bit for bit to the offline render. */
static void
test_player_mix (void)
{
  g_autoptr(StrataPlayer) player = player_new_with_sink ("stratatestcapture sync=false");
  g_autoptr(StrataStemMixer) mixer = make_mixer ();
  g_autofree float *offline = g_new (float, N_FRAMES * STRATA_CHANNELS);
  const StrataStemParams cases[][2] = {
    { { -6.0, -0.5, FALSE, FALSE }, { 3.0, 0.7, FALSE, FALSE } },
    { { -6.0, -0.5, FALSE, FALSE }, { 3.0, 0.7, TRUE, FALSE } },
    { { -6.0, -1.0, FALSE, FALSE }, { 3.0, 0.7, FALSE, TRUE } },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree double *want = expected_mix (mixer, cases[c]);
      StrataStemParams back[2];

      strata_stem_mixer_set_params (mixer, cases[c]);
      strata_stem_mixer_get_params (mixer, back);
      g_assert_cmpmem (back, sizeof back, cases[c], sizeof back);
      play_to_end (player, STRATA_SOURCE (mixer));
      g_test_message ("case %u: %u buffers reached the sink", c, capture.n_buffers);
      g_assert_cmpuint (capture.n_buffers, ==,
                        (N_FRAMES + STRATA_PLAYER_BUFFER_FRAMES - 1) / STRATA_PLAYER_BUFFER_FRAMES);
      assert_close_to_formula (capture.samples, want);

      strata_stem_mixer_render_range (mixer, cases[c], 0, N_FRAMES, offline);
      g_assert_cmpmem (capture.samples, N_FRAMES * 2 * sizeof (float),
                       offline, N_FRAMES * 2 * sizeof (float));
    }

  /* The per-stem setters change one control and keep the rest. */
  strata_stem_mixer_set_params (mixer, cases[0]);
  strata_stem_mixer_set_gain_db (mixer, 0, 1.5);
  strata_stem_mixer_set_pan (mixer, 1, -0.25);
  strata_stem_mixer_set_mute (mixer, 0, TRUE);
  strata_stem_mixer_set_solo (mixer, 1, TRUE);
  {
    StrataStemParams p[2];

    strata_stem_mixer_get_params (mixer, p);
    g_assert_cmpfloat (p[0].gain_db, ==, 1.5);
    g_assert_cmpfloat (p[0].pan, ==, -0.5);
    g_assert_true (p[0].mute && !p[0].solo);
    g_assert_cmpfloat (p[1].gain_db, ==, 3.0);
    g_assert_cmpfloat (p[1].pan, ==, -0.25);
    g_assert_true (!p[1].mute && p[1].solo);
    play_to_end (player, STRATA_SOURCE (mixer));
    strata_stem_mixer_render_range (mixer, p, 0, N_FRAMES, offline);
    g_assert_cmpmem (capture.samples, N_FRAMES * 2 * sizeof (float),
                     offline, N_FRAMES * 2 * sizeof (float));
  }
}

/* First frame from @from on where the capture differs from @ref. */
static gint64
first_difference (const float *ref, gint64 from)
{
  for (gint64 i = from; i < N_FRAMES; i++)
    if (capture.samples[2 * i] != ref[2 * i] || capture.samples[2 * i + 1] != ref[2 * i + 1])
      return i;
  return N_FRAMES;
}

/* While playing in real time, A/B swaps of two parameter sets: each is
 * heard from the buffer after the one the sink held when it was set (on
 * samples), with a short fade, and exactly as rendered offline outside the
 * fade. */
static void
test_live_change (void)
{
  g_autoptr(StrataPlayer) player = player_new_with_sink ("stratatestcapture sync=true");
  g_autoptr(StrataStemMixer) mixer = make_mixer ();
  const StrataStemParams set_a[2] = { { 0.0, 0.0, FALSE, FALSE }, { 0.0, 0.0, FALSE, FALSE } };
  const StrataStemParams set_b[2] = { { 6.0, 0.8, FALSE, FALSE }, { 0.0, 0.0, TRUE, FALSE } };
  const StrataStemParams *order[] = { set_a, set_b, set_a };
  const double at[] = { 0.0, 0.5, 1.2 };
  gint64 change[3] = { 0 }, before[3] = { 0 }, after[3] = { 0 };
  g_autofree float *ra = g_new (float, N_FRAMES * STRATA_CHANNELS);
  g_autofree float *rb = g_new (float, N_FRAMES * STRATA_CHANNELS);
  const gint64 C = STRATA_PLAYER_BUFFER_FRAMES, R = STRATA_STEM_MIXER_RAMP_FRAMES;
  gboolean eos = FALSE;

  strata_stem_mixer_render_range (mixer, set_a, 0, N_FRAMES, ra);
  strata_stem_mixer_render_range (mixer, set_b, 0, N_FRAMES, rb);

  g_signal_connect_swapped (player, "eos", G_CALLBACK (on_flag), &eos);
  strata_stem_mixer_set_params (mixer, set_a);
  capture_reset (N_FRAMES);
  strata_player_set_source (player, STRATA_SOURCE (mixer));
  strata_player_play (player);
  for (int k = 1; k < 3; k++)
    {
      g_assert_true (wait_position (player, at[k]));
      before[k] = capture_last_end ();
      strata_stem_mixer_set_params (mixer, order[k]);
      after[k] = capture_last_end ();
    }
  g_assert_true (spin_until_flag (&eos, 10000));
  g_assert_cmpuint (capture.misfits, ==, 0);

  /* Where each set was first heard. */
  change[1] = first_difference (ra, 0);
  change[2] = first_difference (rb, change[1] + R);
  for (int k = 1; k < 3; k++)
    {
      const float *old = order[k - 1] == set_a ? ra : rb;
      const float *new = order[k] == set_a ? ra : rb;
      gint64 end = k == 1 ? change[2] : N_FRAMES;

      g_test_message ("set %d at %.3f s of playback: sink had %" G_GINT64_FORMAT
                      "-%" G_GINT64_FORMAT " frames, first heard at frame %" G_GINT64_FORMAT,
                      k, at[k], before[k], after[k], change[k]);
      /* At a buffer boundary, not before the sink's position when set,
       * and no later than the buffer after the one the sink held. */
      g_assert_cmpint (change[k] % C, ==, 0);
      g_assert_cmpint (change[k], >=, before[k]);
      g_assert_cmpint (change[k], <=, after[k] + C);
      /* The fade: each sample between the two sets' values. */
      for (gint64 i = 2 * change[k]; i < 2 * (change[k] + R); i++)
        {
          float lo = MIN (old[i], new[i]), hi = MAX (old[i], new[i]);
          float slack = 1e-6f;
          g_assert_cmpfloat (capture.samples[i], >=, lo - slack);
          g_assert_cmpfloat (capture.samples[i], <=, hi + slack);
        }
      /* After the fade, exactly the new set until the next change. */
      g_assert_cmpmem (capture.samples + 2 * (change[k] + R),
                       (gsize) (end - change[k] - R) * 2 * sizeof (float),
                       new + 2 * (change[k] + R),
                       (gsize) (end - change[k] - R) * 2 * sizeof (float));
    }
  g_assert_cmpint (change[2], <, N_FRAMES);
}

/* A seek while the mix plays keeps the stems aligned: after it, the sink
 * gets the offline render of the frames it seeked to. */
static void
test_seek_aligned (void)
{
  g_autoptr(StrataPlayer) player = player_new_with_sink ("stratatestcapture sync=true");
  g_autoptr(StrataStemMixer) mixer = make_mixer ();
  const StrataStemParams p[2] = { { -3.0, -0.3, FALSE, FALSE }, { 2.0, 0.9, FALSE, FALSE } };
  g_autofree float *ref = g_new (float, N_FRAMES * STRATA_CHANNELS);
  gboolean eos = FALSE;
  gint64 seek_frame = (gint64) (1.25 * STRATA_SAMPLE_RATE);

  strata_stem_mixer_set_params (mixer, p);
  strata_stem_mixer_render_range (mixer, p, 0, N_FRAMES, ref);
  g_signal_connect_swapped (player, "eos", G_CALLBACK (on_flag), &eos);
  capture_reset (N_FRAMES);
  strata_player_set_source (player, STRATA_SOURCE (mixer));
  strata_player_play (player);
  g_assert_true (wait_position (player, 0.3));
  strata_player_seek (player, 1.25);
  g_assert_true (spin_until_flag (&eos, 10000));
  g_assert_cmpuint (capture.misfits, ==, 0);
  /* Frames from the seek target to the end, and every frame that arrived
   * before it, are the offline render's. */
  g_assert_cmpmem (capture.samples + 2 * seek_frame, (gsize) (N_FRAMES - seek_frame) * 8,
                   ref + 2 * seek_frame, (gsize) (N_FRAMES - seek_frame) * 8);
  for (gint64 i = 0; i < 2 * seek_frame; i++)
    if (!isnan (capture.samples[i]))
      g_assert_cmpfloat (capture.samples[i], ==, ref[i]);
}

/* The gapless loop over the mix: every frame that reaches the sink, wrap
 * after wrap, is the offline render's frame at its timestamp (the stems stay
 * aligned), and nothing past the loop end's buffer is played. */
static void
test_loop_aligned (void)
{
  g_autoptr(StrataPlayer) player = player_new_with_sink ("stratatestcapture sync=true");
  g_autoptr(StrataStemMixer) mixer = make_mixer ();
  const StrataStemParams p[2] = { { 1.0, 0.4, FALSE, FALSE }, { -2.0, -0.6, FALSE, FALSE } };
  g_autofree float *ref = g_new (float, N_FRAMES * STRATA_CHANNELS);
  const gint64 loop_start = STRATA_SAMPLE_RATE / 2, loop_end = 8 * STRATA_SAMPLE_RATE / 10;
  gint64 loop_frames = loop_end - loop_start;
  guint n_buffers;

  strata_stem_mixer_set_params (mixer, p);
  strata_stem_mixer_render_range (mixer, p, 0, N_FRAMES, ref);
  capture_reset (N_FRAMES);
  strata_player_set_source (player, STRATA_SOURCE (mixer));
  strata_player_set_loop (player, TRUE, 0.5, 0.8);
  strata_player_play (player);
  g_assert_true (wait_position (player, 0.55));
  spin (1000);   /* more than three loop lengths */
  strata_player_pause (player);

  g_mutex_lock (&capture.lock);
  n_buffers = capture.n_buffers;
  g_mutex_unlock (&capture.lock);
  g_test_message ("%u buffers reached the sink (the loop is %" G_GINT64_FORMAT " frames)",
                  n_buffers, loop_frames);
  g_assert_cmpuint (capture.misfits, ==, 0);
  /* Wrapped at least twice. */
  g_assert_cmpint ((gint64) n_buffers * STRATA_PLAYER_BUFFER_FRAMES, >, 2 * loop_frames);
  for (gint64 i = 0; i < N_FRAMES * STRATA_CHANNELS; i++)
    {
      if (isnan (capture.samples[i]))
        continue;
      g_assert_cmpint (i / 2, <, loop_end + STRATA_PLAYER_BUFFER_FRAMES);
      g_assert_cmpfloat (capture.samples[i], ==, ref[i]);
    }
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  capture_register ();

  g_test_add_func ("/strata/playback/pan-law", test_pan_law);
  g_test_add_func ("/strata/playback/mixer/errors", test_mixer_errors);
  g_test_add_func ("/strata/playback/mixer/render", test_mixer_render);
  g_test_add_func ("/strata/playback/source/track", test_track_source);
  g_test_add_func ("/strata/playback/mixer/player", test_player_mix);
  g_test_add_func ("/strata/playback/mixer/live-change", test_live_change);
  g_test_add_func ("/strata/playback/mixer/seek-aligned", test_seek_aligned);
  g_test_add_func ("/strata/playback/mixer/loop-aligned", test_loop_aligned);
  return g_test_run ();
}
