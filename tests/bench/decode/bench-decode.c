/* bench-decode.c: how fast a track opens. Writes a 4-minute stereo 44.1 kHz
 * FLAC of music-like content (chords, bass, drums; generated here), then
 * times strata_audio_decode + strata_peaks_new + strata_specgram_new (median
 * of 3) and, in the same run, gst-launch-1.0 decoding the same file to
 * fakesink (median of 3), and prints both and their ratio. Then opens a
 * 60-minute 48 kHz FLAC through the engine in a child process and prints
 * its peak memory against the decoded size (target: under twice).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/strata-audio.h"
#include "dsp/strata-summary.h"
#include "engine/strata-engine.h"
#include "tasks/strata-track-load.h"

#define SECONDS 240
#define RUNS 3

/* A small piece: 120 bpm, a four-chord loop of organ-like tones, a
 * sawtooth-ish bass, a kick (pitch-swept sine), a noise snare and hats,
 * panned, with a slow tremolo. Deterministic. */
static float *
compose (gint64 n)
{
  static const double chords[4][3] = {
    { 261.63, 329.63, 392.00 },   /* C */
    { 220.00, 261.63, 329.63 },   /* Am */
    { 174.61, 220.00, 261.63 },   /* F */
    { 196.00, 246.94, 293.66 },   /* G */
  };
  static const double bass[4] = { 65.41, 55.00, 43.65, 49.00 };
  const double sr = STRATA_SAMPLE_RATE, beat = 0.5;
  float *s = g_new (float, n * 2);
  guint32 rng = 12345;
  double ph[3][4] = { { 0 } }, bph = 0, kph = 0;

  for (gint64 i = 0; i < n; i++)
    {
      const double t = i / sr;
      const int bar = (int) (t / (4 * beat)) % 4;
      const double tb = fmod (t, beat);          /* time since the beat */
      const int beat_no = (int) (t / beat) % 4;
      double l = 0, r = 0;

      /* Chord: three notes with 4 harmonics each. */
      for (int v = 0; v < 3; v++)
        {
          double x = 0;
          for (int h = 0; h < 4; h++)
            {
              ph[v][h] += 2 * M_PI * chords[bar][v] * (h + 1) / sr;
              if (ph[v][h] > 2 * M_PI)
                ph[v][h] -= 2 * M_PI;
              x += sin (ph[v][h]) / (h + 1);
            }
          double pan = 0.3 + 0.2 * v;
          l += 0.06 * x * (1 - pan);
          r += 0.06 * x * pan;
        }
      /* Bass: 8th notes, decaying. */
      bph += 2 * M_PI * bass[bar] / sr;
      if (bph > 2 * M_PI)
        bph -= 2 * M_PI;
      double benv = exp (-6.0 * fmod (t, beat / 2));
      double bx = 0.18 * benv * (sin (bph) + 0.5 * sin (2 * bph) + 0.33 * sin (3 * bph));
      l += bx;
      r += bx;
      /* Kick on every beat. */
      double kf = 50 + 100 * exp (-30 * tb);
      kph += 2 * M_PI * kf / sr;
      double kick = 0.35 * exp (-12 * tb) * sin (kph);
      if (tb < 1.0 / sr)
        kph = 0;
      l += kick;
      r += kick;
      /* Noise: snare on 2 and 4, hats on 8ths. */
      rng = rng * 1664525u + 1013904223u;
      double noise = ((rng >> 8) / 8388608.0) - 1.0;
      if (beat_no == 1 || beat_no == 3)
        {
          double sn = 0.2 * exp (-20 * tb) * noise;
          l += sn;
          r += sn;
        }
      double hat = 0.05 * exp (-80 * fmod (t, beat / 2)) * noise;
      l += 0.7 * hat;
      r += 1.3 * hat;

      double trem = 1.0 + 0.1 * sin (2 * M_PI * 0.2 * t);
      s[2 * i] = (float) (l * trem);
      s[2 * i + 1] = (float) (r * trem);
    }
  return s;
}

static void
load_done (GObject *source, GAsyncResult *res, gpointer data)
{
  StrataTrack **out = data;
  GError *error = NULL;
  *out = strata_track_load_finish (STRATA_ENGINE (source), res, &error);
  if (*out == NULL)
    {
      fprintf (stderr, "bench-decode: %s\n", error->message);
      exit (1);
    }
}

/* The whole load job through the engine (hash + probe + decode + summaries,
 * cache reads/writes), as the application sees it. */
static double
time_engine_load (StrataEngine *engine, const char *path)
{
  StrataTrack *track = NULL;
  gint64 t0 = g_get_monotonic_time ();
  strata_track_load_async (engine, path, NULL, load_done, &track);
  while (track == NULL)
    g_main_context_iteration (NULL, TRUE);
  double secs = (g_get_monotonic_time () - t0) / 1e6;
  strata_track_unref (track);
  return secs;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *v, int n)
{
  qsort (v, (size_t) n, sizeof *v, cmp_double);
  return v[n / 2];
}

/* Stage times of each run: decode, peaks, spectrogram. */
static double stage_secs[3][RUNS];

static double
time_strata (const char *path, int run, gint64 *out_frames)
{
  GError *error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  StrataAudio *audio = strata_audio_decode (path, NULL, NULL, NULL, &error);
  if (audio == NULL)
    {
      fprintf (stderr, "bench-decode: %s\n", error->message);
      exit (1);
    }
  gint64 t1 = g_get_monotonic_time ();
  const float *s = strata_audio_get_samples (audio);
  gint64 n = strata_audio_get_n_frames (audio);
  StrataPeaks *peaks = strata_peaks_new (s, n, NULL, NULL, NULL);
  gint64 t2 = g_get_monotonic_time ();
  StrataSpecgram *spec = strata_specgram_new (s, n, NULL, NULL, NULL);
  gint64 t3 = g_get_monotonic_time ();
  double secs = (t3 - t0) / 1e6;
  stage_secs[0][run] = (t1 - t0) / 1e6;
  stage_secs[1][run] = (t2 - t1) / 1e6;
  stage_secs[2][run] = (t3 - t2) / 1e6;
  if (peaks == NULL || spec == NULL)
    {
      fprintf (stderr, "bench-decode: summaries failed\n");
      exit (1);
    }
  *out_frames = n;
  strata_peaks_free (peaks);
  strata_specgram_free (spec);
  strata_audio_unref (audio);
  return secs;
}

static double
time_gst (const char *gst, const char *path)
{
  g_autofree char *location = g_strdup_printf ("location=%s", path);
  const char *argv[] = { gst, "-q", "filesrc", location, "!", "decodebin", "!",
                         "audioconvert", "!", "fakesink", NULL };
  int status = 0;
  GError *error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, NULL))
    return -1.0;
  return (g_get_monotonic_time () - t0) / 1e6;
}

/* Removes the engine cache folder @cache (flat: files only). */
static void
remove_cache (const char *cache)
{
  GDir *d = g_dir_open (cache, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *f = g_build_filename (cache, name, NULL);
      g_remove (f);
    }
  if (d != NULL)
    g_dir_close (d);
  g_rmdir (cache);
}

/* Peak resident memory of this process (VmHWM), bytes. */
static double
peak_rss_bytes (void)
{
  g_autofree char *status = NULL;
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1.0;
  const char *p = strstr (status, "VmHWM:");
  return p ? g_ascii_strtod (p + 6, NULL) * 1024.0 : -1.0;
}

/* Child mode for the hour-long file: loads @path through the engine (as the
 * window does) and prints its frames and peak memory, so that the parent's
 * own buffers do not count. */
static int
hour_child (const char *path, const char *cache)
{
  StrataEngine *engine = strata_engine_new (cache);
  StrataTrack *track = NULL;
  gint64 t0 = g_get_monotonic_time ();
  strata_track_load_async (engine, path, NULL, load_done, &track);
  while (track == NULL)
    g_main_context_iteration (NULL, TRUE);
  const double secs = (g_get_monotonic_time () - t0) / 1e6;
  printf ("%" G_GINT64_FORMAT " %.0f %.2f\n",
          strata_audio_get_n_frames (strata_track_get_audio (track)), peak_rss_bytes (), secs);
  strata_track_unref (track);
  strata_engine_shutdown (engine);
  g_object_unref (engine);
  return 0;
}

/* A 60-minute 48 kHz stereo FLAC (resampled on decode, the GStreamer path)
 * opened through the engine in a child process: its peak memory against the
 * decoded size (44.1 kHz stereo float). */
static void
bench_hour (const char *self, const char *dir)
{
  const gint64 n = (gint64) 3600 * 48000;
  g_autofree char *path = g_build_filename (dir, "bench-60min-48k.flac", NULL);
  g_autofree char *cache = g_build_filename (dir, "cache-hour", NULL);
  GError *error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  float *s = compose (n);
  if (!strata_audio_write (path, s, n, 2, 48000, STRATA_AUDIO_FORMAT_FLAC, &error))
    {
      printf ("60-minute file: not written: %s\n", error->message);
      g_clear_error (&error);
      g_free (s);
      return;
    }
  g_free (s);
  printf ("generated 60:00 stereo 48 kHz FLAC in %.1f s\n", (g_get_monotonic_time () - t0) / 1e6);
  const char *argv[] = { self, "--hour-child", path, cache, NULL };
  g_autofree char *out = NULL;
  int status = 0;
  gint64 frames = 0;
  double rss = 0, secs = 0;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                     &status, &error) ||
      !g_spawn_check_wait_status (status, &error) ||
      sscanf (out, "%" G_GINT64_FORMAT " %lf %lf", &frames, &rss, &secs) != 3)
    {
      printf ("60-minute file: the load failed: %s\n", error ? error->message : "no output");
      g_clear_error (&error);
    }
  else
    {
      const double decoded = (double) frames * 2 * sizeof (float);
      printf ("60-minute file through the engine: %.1f s, %" G_GINT64_FORMAT " frames (%.2f GB "
              "decoded), peak RSS %.2f GB = %.2fx the decoded size (target < 2x: %s)\n",
              secs, frames, decoded / 1e9, rss / 1e9, rss / decoded,
              rss < 2 * decoded ? "met" : "NOT met");
    }
  remove_cache (cache);
  g_remove (path);
}

int
main (int argc, char **argv)
{
  if (argc == 4 && strcmp (argv[1], "--hour-child") == 0)
    return hour_child (argv[2], argv[3]);
  GError *error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strata-bench-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (dir, "bench-4min.flac", NULL);

  const gint64 n = (gint64) SECONDS * STRATA_SAMPLE_RATE;
  gint64 t0 = g_get_monotonic_time ();
  float *s = compose (n);
  if (!strata_audio_write (path, s, n, 2, STRATA_SAMPLE_RATE, STRATA_AUDIO_FORMAT_FLAC, &error))
    {
      fprintf (stderr, "bench-decode: %s\n", error->message);
      return 1;
    }
  g_free (s);
  GStatBuf st;
  g_stat (path, &st);
  printf ("generated %d:%02d stereo 44.1 kHz FLAC (%.1f MB) in %.2f s\n", SECONDS / 60,
          SECONDS % 60, st.st_size / 1e6, (g_get_monotonic_time () - t0) / 1e6);

  double ours[RUNS], theirs[RUNS];
  gint64 frames = 0;
  g_autofree char *gst = g_find_program_in_path ("gst-launch-1.0");
  for (int r = 0; r < RUNS; r++)
    {
      ours[r] = time_strata (path, r, &frames);
      theirs[r] = gst != NULL ? time_gst (gst, path) : -1.0;
    }
  if (frames != n)
    {
      fprintf (stderr, "bench-decode: decoded %" G_GINT64_FORMAT " frames, wrote %" G_GINT64_FORMAT "\n",
               frames, n);
      return 1;
    }
  double t_ours = median (ours, RUNS), t_gst = median (theirs, RUNS);
  double xrt = SECONDS / t_ours;
  if (t_gst > 0)
    printf ("decode+summary %d:%02d FLAC: %.2f s = %.0fx real time; "
            "gst-launch decode only: %.2f s; ratio %.2f\n",
            SECONDS / 60, SECONDS % 60, t_ours, xrt, t_gst, t_ours / t_gst);
  else
    printf ("decode+summary %d:%02d FLAC: %.2f s = %.0fx real time; "
            "gst-launch-1.0 not available\n", SECONDS / 60, SECONDS % 60, t_ours, xrt);
  printf ("  stages (median): decode %.3f s, peaks %.3f s, spectrogram %.3f s\n",
          median (stage_secs[0], RUNS), median (stage_secs[1], RUNS),
          median (stage_secs[2], RUNS));
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  StrataEngine *engine = strata_engine_new (cache);
  double cold = time_engine_load (engine, path);
  double warm = time_engine_load (engine, path);
  printf ("engine load (hash + decode + summaries): cold cache %.2f s, warm cache %.2f s\n",
          cold, warm);
  strata_engine_shutdown (engine);
  g_object_unref (engine);
  printf ("target >= 200x real time: %s\n", xrt >= 200 ? "met" : "NOT met");

  remove_cache (cache);
  g_remove (path);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  bench_hour (self ? self : argv[0], dir);
  g_rmdir (dir);
  return 0;
}
