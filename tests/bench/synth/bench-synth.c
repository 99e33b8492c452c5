/* bench-synth.c: what Play Transcription waits for. A 4-minute piece of
 * four-note chords (one every 250 ms, 3840 notes) synthesised with each
 * Debian GM sound font that is installed: the font's load, the first and
 * a second render (the second reuses fluidsynth's sample cache), as wall
 * time and as a multiple of real time. Reports only; never fails on
 * timing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "tasks/transcription/strata-transcription.h"
#include "tasks/transcription/strata-transcription-synth.h"

#define MINUTES 4.0

static const char *const fonts[] = {
  "/usr/share/sounds/sf2/TimGM6mb.sf2",
  "/usr/share/sounds/sf2/FluidR3_GM.sf2",
};

static GArray *
chords (void)
{
  static const int shape[4] = { 0, 4, 7, 12 };
  GArray *notes = g_array_new (FALSE, FALSE, sizeof (StrataTimedNote));

  for (int k = 0; k < (int) (MINUTES * 60 * 4); k++)
    for (int v = 0; v < 4; v++)
      {
        StrataTimedNote n = { k * 0.25, k * 0.25 + 0.4, 48 + (k * 5) % 24 + shape[v],
                              40 + (k * 7 + v * 13) % 80 };
        g_array_append_val (notes, n);
      }
  return notes;
}

int
main (void)
{
  g_autoptr(GArray) notes = chords ();
  gint64 n_frames = (gint64) (MINUTES * 60 * STRATA_SAMPLE_RATE);

  printf ("# synthesis of %u notes, %.0f min of audio\n", notes->len, MINUTES);
  printf ("%-40s %8s %10s %10s %8s\n", "font", "load_s", "render1_s", "render2_s", "x_real");
  for (guint f = 0; f < G_N_ELEMENTS (fonts); f++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(StrataNoteSynth) synth = NULL;
      double t0, t1, t2, t3;

      if (!g_file_test (fonts[f], G_FILE_TEST_IS_REGULAR))
        {
          printf ("%-40s (not installed)\n", fonts[f]);
          continue;
        }
      t0 = g_get_monotonic_time () / 1e6;
      synth = strata_note_synth_new (fonts[f], &error);
      t1 = g_get_monotonic_time () / 1e6;
      if (synth == NULL)
        {
          printf ("%-40s %s\n", fonts[f], error->message);
          continue;
        }
      for (int pass = 0; pass < 2; pass++)
        {
          g_autoptr(StrataAudio) audio = strata_note_synth_render (synth, notes, n_frames, 0, NULL,
                                                                   NULL, NULL, &error);
          if (audio == NULL)
            {
              printf ("%-40s %s\n", fonts[f], error->message);
              return 1;
            }
          if (pass == 0)
            t2 = g_get_monotonic_time () / 1e6;
        }
      t3 = g_get_monotonic_time () / 1e6;
      printf ("%-40s %8.2f %10.2f %10.2f %8.1f\n", fonts[f], t1 - t0, t2 - t1, t3 - t2,
              MINUTES * 60 / (t3 - t2));
    }
  return 0;
}
