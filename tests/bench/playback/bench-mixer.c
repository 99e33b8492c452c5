/* bench-mixer.c: what the live stem mix costs. Six stems of a 10-minute
 * track (the separation head's output) rendered through the player's path
 * (the StrataSource render, one STRATA_PLAYER_BUFFER_FRAMES buffer at a
 * time) and offline (strata_stem_mixer_render_range, 1 s blocks), as CPU
 * time per second of audio and as a share of one core in real time.
 *
 *   bench-mixer [MINUTES] [STEMS]      defaults: 10 minutes, 6 stems
 *
 * Rows: all stems audible at fixed controls; a new parameter set published
 * before every buffer (so every buffer fades: the worst case); one stem
 * soloed (the others are skipped). Reports only; never fails on timing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "playback/strata-player.h"
#include "playback/strata-stem-mixer.h"

static double
cpu_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

typedef enum { FIXED, CHANGE_EVERY_BUFFER, SOLO_ONE } Mode;

/* CPU seconds to play the whole mix through the source interface. */
static double
run_live (StrataStemMixer *mixer, Mode mode, float *buffer)
{
  guint n = strata_stem_mixer_get_n_stems (mixer);
  gint64 total = strata_source_get_n_frames (STRATA_SOURCE (mixer));
  g_autofree StrataStemParams *p = g_new (StrataStemParams, n);
  double t0;

  strata_stem_params_init (p, n);
  for (guint s = 0; s < n; s++)
    p[s].pan = -1.0 + 2.0 * s / MAX (n - 1, 1);
  p[0].solo = mode == SOLO_ONE;
  strata_stem_mixer_set_params (mixer, p);

  t0 = cpu_now ();
  for (gint64 start = 0; start < total; start += STRATA_PLAYER_BUFFER_FRAMES)
    {
      gint64 len = MIN (STRATA_PLAYER_BUFFER_FRAMES, total - start);

      /* Buffer b moves stem b mod n to the other of two gains, so every
       * buffer fades. */
      if (mode == CHANGE_EVERY_BUFFER)
        {
          gint64 b = start / STRATA_PLAYER_BUFFER_FRAMES;
          strata_stem_mixer_set_gain_db (mixer, (guint) (b % n), (b / n) % 2 ? -6.0 : 0.0);
        }
      strata_source_render (STRATA_SOURCE (mixer), start, len, buffer);
    }
  return cpu_now () - t0;
}

static double
run_offline (StrataStemMixer *mixer, float *block)
{
  gint64 total = strata_source_get_n_frames (STRATA_SOURCE (mixer));
  double t0 = cpu_now ();

  for (gint64 start = 0; start < total; start += STRATA_SAMPLE_RATE)
    strata_stem_mixer_render_range (mixer, NULL, start, MIN (STRATA_SAMPLE_RATE, total - start),
                                    block);
  return cpu_now () - t0;
}

static void
report (const char *what, double cpu, double seconds)
{
  printf ("%-44s %8.3f ms CPU per s of audio   %6.3f %% of one core   %7.0fx real time\n",
          what, 1e3 * cpu / seconds, 100.0 * cpu / seconds, seconds / cpu);
}

int
main (int argc, char **argv)
{
  double minutes = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 10.0;
  guint n_stems = argc > 2 ? (guint) atoi (argv[2]) : 6;
  gint64 n_frames = (gint64) (minutes * 60.0 * STRATA_SAMPLE_RATE);
  double seconds = (double) n_frames / STRATA_SAMPLE_RATE;
  g_autoptr(GPtrArray) stems = g_ptr_array_new_with_free_func ((GDestroyNotify) strata_audio_unref);
  g_autoptr(StrataStemMixer) mixer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *buffer = g_new (float, STRATA_PLAYER_BUFFER_FRAMES * STRATA_CHANNELS);
  g_autofree float *block = g_new (float, STRATA_SAMPLE_RATE * STRATA_CHANNELS);
  guint32 state = 0x9e3779b9u;

  if (minutes <= 0.0 || n_stems == 0)
    {
      fprintf (stderr, "usage: bench-mixer [MINUTES > 0] [STEMS >= 1]\n");
      return 2;
    }

  /* Noise in [-0.5, 0.5) (no denormals), touched once so pages are real. */
  for (guint s = 0; s < n_stems; s++)
    {
      float *x = g_new (float, n_frames * STRATA_CHANNELS);

      for (gint64 i = 0; i < n_frames * STRATA_CHANNELS; i++)
        {
          state ^= state << 13;
          state ^= state >> 17;
          state ^= state << 5;
          x[i] = (float) state / 4294967296.0f - 0.5f;
        }
      g_ptr_array_add (stems, strata_audio_new_take (x, n_frames));
    }
  mixer = strata_stem_mixer_new ((StrataAudio *const *) stems->pdata, NULL, n_stems, &error);
  if (mixer == NULL)
    {
      fprintf (stderr, "bench-mixer: %s\n", error->message);
      return 1;
    }

  printf ("stem mixer: %u stems of %.1f min (%.0f MB of samples), buffers of %d frames\n",
          n_stems, minutes, n_stems * n_frames * 8.0 / 1e6, STRATA_PLAYER_BUFFER_FRAMES);
  run_live (mixer, FIXED, buffer);   /* warm-up: caches, TLB, clock speed */
  report ("live, fixed controls", run_live (mixer, FIXED, buffer), seconds);
  report ("live, new parameter set every buffer (fade)",
          run_live (mixer, CHANGE_EVERY_BUFFER, buffer), seconds);
  report ("live, one stem soloed", run_live (mixer, SOLO_ONE, buffer), seconds);
  report ("offline render_range, 1 s blocks", run_offline (mixer, block), seconds);
  return 0;
}
