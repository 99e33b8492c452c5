/* capture-sink.h: "stratatestcapture", a GStreamer sink for tests that
 * keeps every sample reaching it at the frame its timestamp names (44.1 kHz
 * stereo float), so a test can compare what playback delivered with what
 * it should be.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gst/gst.h>

typedef struct
{
  GMutex lock;
  float *samples;      /* (n_frames, 2); NaN where nothing arrived */
  gint64 n_frames;
  gint64 last_end;     /* end frame of the buffer rendered last */
  guint n_buffers;
  guint misfits;       /* buffers outside [0, n_frames) */
} CaptureState;

/* What the sink received (lock it while playback runs). */
extern CaptureState capture;

/* Registers the element (after gst_init()). */
void   capture_register (void);
/* Forgets what arrived and expects a stream of @n_frames. */
void   capture_reset    (gint64 n_frames);
gint64 capture_last_end (void);
