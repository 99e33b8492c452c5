/* capture-sink.c: the capturing test sink.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <gst/base/gstbasesink.h>

#include "strata-types.h"
#include "capture-sink.h"

CaptureState capture;

typedef struct { GstBaseSink parent_instance; } TestCapture;
typedef struct { GstBaseSinkClass parent_class; } TestCaptureClass;

GType test_capture_get_type (void);
G_DEFINE_TYPE (TestCapture, test_capture, GST_TYPE_BASE_SINK)

static GstFlowReturn
capture_render (GstBaseSink *sink, GstBuffer *buffer)
{
  GstMapInfo map;
  gint64 start, n;

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_FLOW_ERROR;
  start = (gint64) gst_util_uint64_scale_round (GST_BUFFER_PTS (buffer), STRATA_SAMPLE_RATE,
                                                GST_SECOND);
  n = (gint64) (map.size / (STRATA_CHANNELS * sizeof (float)));
  g_mutex_lock (&capture.lock);
  if (start < 0 || start + n > capture.n_frames)
    capture.misfits++;
  else
    memcpy (capture.samples + start * STRATA_CHANNELS, map.data, map.size);
  capture.last_end = start + n;
  capture.n_buffers++;
  g_mutex_unlock (&capture.lock);
  gst_buffer_unmap (buffer, &map);
  return GST_FLOW_OK;
}

static void
test_capture_class_init (TestCaptureClass *klass)
{
  static GstStaticPadTemplate sink_template =
    GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
                             GST_STATIC_CAPS ("audio/x-raw, format=F32LE, layout=interleaved, "
                                              "rate=44100, channels=2"));
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gst_element_class_set_static_metadata (element_class, "Strata test capture", "Sink/Audio",
                                         "Keeps the samples that reach it", "Strata");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  GST_BASE_SINK_CLASS (klass)->render = capture_render;
}

static void
test_capture_init (TestCapture *self)
{
}

void
capture_reset (gint64 n_frames)
{
  g_mutex_lock (&capture.lock);
  g_free (capture.samples);
  capture.samples = g_new (float, n_frames * STRATA_CHANNELS);
  for (gint64 i = 0; i < n_frames * STRATA_CHANNELS; i++)
    capture.samples[i] = NAN;
  capture.n_frames = n_frames;
  capture.last_end = 0;
  capture.n_buffers = 0;
  capture.misfits = 0;
  g_mutex_unlock (&capture.lock);
}

gint64
capture_last_end (void)
{
  gint64 end;

  g_mutex_lock (&capture.lock);
  end = capture.last_end;
  g_mutex_unlock (&capture.lock);
  return end;
}

/**
 * capture_register:
 *
 * Registers "stratatestcapture" (once gst_init() ran).
 */
void
capture_register (void)
{
  g_mutex_init (&capture.lock);
  if (!gst_element_register (NULL, "stratatestcapture", GST_RANK_NONE, test_capture_get_type ()))
    g_error ("cannot register the capturing sink");
}
