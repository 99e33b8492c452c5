/* strata-audio-gst.c: the GStreamer side of decoding and probing.
 *
 * uridecodebin ! audioconvert ! audioresample ! capsfilter ! appsink, with
 * the raw audio kept at its native channel count (folded to stereo here,
 * with the same matrix as the libsndfile path) and pulled with a timeout so
 * a bad file can never hang the caller.
 *
 * uridecodebin runs the demuxer in pull mode, and oggdemux in pull mode
 * (GStreamer 1.22) neither prerolls nor posts an error on an Ogg file cut
 * inside its headers: the pipeline waits forever (reproduced with
 * gst-launch-1.0). So when no audio stream has appeared after
 * PAD_TIMEOUT_US, the file is decoded again with filesrc ! queue !
 * decodebin, where the queue forces push mode and the same file fails at
 * once ("Could not demultiplex stream"). Push mode is not the default
 * because there vorbisdec does not trim the end padding of the last page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/pbutils/pbutils.h>

#include "audio/strata-audio-private.h"

/* audioresample quality 0..10 (GStreamer's default is 4). Measured on a
 * 0.5-amplitude tone at 96 kHz, everything left after decoding to 44.1 kHz
 * (/strata/audio/resample/alias):
 *   quality   0      4      6      8     10
 *   30 kHz  -61.5 -107.8 -118.4 -137.1 -137.3 dB
 *   23 kHz    -    -92.5 -106.6 -139.7 -127.6 dB
 * Decoding 5 min of 48 kHz WAV: q4 0.40 s, q6 0.45 s, q8 0.66 s, q10 0.89 s.
 * 6 keeps every alias over 100 dB down for 13 % more time than the default. */
#define RESAMPLE_QUALITY 6
#define PULL_TIMEOUT (100 * GST_MSECOND)
/* A pipeline that delivers nothing, posts nothing and does not finish for
 * this long is given up on (never seen; a guard against hangs). */
#define STALL_TIMEOUT_US (30 * G_USEC_PER_SEC)
/* Local files expose their streams within milliseconds. Tests shorten it. */
#define PAD_TIMEOUT_US (3 * G_USEC_PER_SEC)
static gint64 pad_timeout_us = PAD_TIMEOUT_US;

void
_strata_audio_set_pad_timeout (gint64 usec)
{
  pad_timeout_us = usec > 0 ? usec : PAD_TIMEOUT_US;
}

typedef struct {
  GstElement *pipeline;
  GstElement *convert;
  GMutex      lock;
  gboolean    linked_audio;   /* under lock */
  gboolean    no_more_pads;   /* under lock */
} DecodeCtx;

static gboolean
ensure_gst (const char *path,
            GError    **error)
{
  g_autoptr(GError) local = NULL;

  if (gst_is_initialized ())
    return TRUE;
  if (!gst_init_check (NULL, NULL, &local))
    {
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNSUPPORTED,
                   _("Cannot decode “%s”: GStreamer could not be initialised: %s"),
                   path, local->message);
      return FALSE;
    }
  return TRUE;
}

static void
on_pad_added (GstElement *decodebin,
              GstPad     *pad,
              gpointer    user_data)
{
  DecodeCtx *ctx = user_data;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  const GstStructure *s;
  gboolean is_audio;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  s = gst_caps_get_size (caps) > 0 ? gst_caps_get_structure (caps, 0) : NULL;
  is_audio = s != NULL && g_str_has_prefix (gst_structure_get_name (s), "audio/");

  g_mutex_lock (&ctx->lock);
  if (is_audio && !ctx->linked_audio)
    {
      g_autoptr(GstPad) sink = gst_element_get_static_pad (ctx->convert, "sink");

      if (gst_pad_link (pad, sink) == GST_PAD_LINK_OK)
        ctx->linked_audio = TRUE;
      g_mutex_unlock (&ctx->lock);
      return;
    }
  g_mutex_unlock (&ctx->lock);

  /* Other streams (video, a second audio track) go to a fakesink so they do
   * not stop the pipeline with "not-linked". */
  {
    GstElement *fake = gst_element_factory_make ("fakesink", NULL);
    g_autoptr(GstPad) fsink = NULL;

    g_object_set (fake, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add (GST_BIN (ctx->pipeline), fake);
    fsink = gst_element_get_static_pad (fake, "sink");
    gst_pad_link (pad, fsink);
    gst_element_sync_state_with_parent (fake);
  }
}

static void
on_no_more_pads (GstElement *decodebin,
                 gpointer    user_data)
{
  DecodeCtx *ctx = user_data;

  g_mutex_lock (&ctx->lock);
  ctx->no_more_pads = TRUE;
  g_mutex_unlock (&ctx->lock);
}

static void
set_error_from_message (GstMessage *msg,
                        const char *path,
                        gboolean    linked_audio,
                        GError    **error)
{
  g_autoptr(GError) gerr = NULL;
  g_autofree char *debug = NULL;
  StrataAudioError code = STRATA_AUDIO_ERROR_CORRUPT;

  gst_message_parse_error (msg, &gerr, &debug);
  g_debug ("GStreamer error on %s: %s (%s)", path, gerr->message, debug ? debug : "");

  if (gerr->domain == GST_RESOURCE_ERROR)
    code = STRATA_AUDIO_ERROR_UNREADABLE;
  else if (gerr->domain == GST_STREAM_ERROR)
    {
      switch (gerr->code)
        {
        case GST_STREAM_ERROR_TYPE_NOT_FOUND:
          code = STRATA_AUDIO_ERROR_NOT_AUDIO;
          break;
        case GST_STREAM_ERROR_CODEC_NOT_FOUND:
        case GST_STREAM_ERROR_WRONG_TYPE:
          code = linked_audio ? STRATA_AUDIO_ERROR_UNSUPPORTED : STRATA_AUDIO_ERROR_NOT_AUDIO;
          break;
        case GST_STREAM_ERROR_FAILED:
          code = linked_audio ? STRATA_AUDIO_ERROR_CORRUPT : STRATA_AUDIO_ERROR_NOT_AUDIO;
          break;
        default:
          code = STRATA_AUDIO_ERROR_CORRUPT;
          break;
        }
    }
  else if (gerr->domain == GST_CORE_ERROR && gerr->code == GST_CORE_ERROR_MISSING_PLUGIN)
    code = STRATA_AUDIO_ERROR_UNSUPPORTED;

  if (code == STRATA_AUDIO_ERROR_NOT_AUDIO)
    g_set_error (error, STRATA_AUDIO_ERROR, code,
                 _("Cannot decode “%s”: no audio was found in it (%s)"), path, gerr->message);
  else
    g_set_error (error, STRATA_AUDIO_ERROR, code,
                 _("Cannot decode “%s”: %s"), path, gerr->message);
}

static GstElement *
make_element (const char *factory,
              const char *path,
              GError    **error)
{
  GstElement *e = gst_element_factory_make (factory, NULL);

  if (e == NULL)
    g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNSUPPORTED,
                 _("Cannot decode “%s”: the GStreamer element “%s” is not installed"),
                 path, factory);
  return e;
}

/* Appends the samples of @sample, folded to stereo, to @buf. */
static gboolean
consume_sample (GstSample        *sample,
                GstCaps         **last_caps,
                StrataDownmix    *mix,
                StrataGrowBuffer *buf,
                const char       *path,
                GError          **error)
{
  GstCaps *caps = gst_sample_get_caps (sample);
  GstBuffer *gbuf = gst_sample_get_buffer (sample);
  GstMapInfo map;
  gsize n;
  float *out;

  if (caps == NULL || gbuf == NULL)
    return TRUE;
  if (*last_caps == NULL || !gst_caps_is_equal (caps, *last_caps))
    {
      GstAudioInfo ainfo;

      if (!gst_audio_info_from_caps (&ainfo, caps) || GST_AUDIO_INFO_CHANNELS (&ainfo) <= 0)
        {
          g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_CORRUPT,
                       _("Cannot decode “%s”: the decoder produced an unknown sample format"), path);
          return FALSE;
        }
      _strata_downmix_clear (mix);
      _strata_downmix_init (mix, GST_AUDIO_INFO_CHANNELS (&ainfo),
                            GST_AUDIO_INFO_IS_UNPOSITIONED (&ainfo) ? NULL : ainfo.position);
      gst_caps_replace (last_caps, caps);
    }

  if (!gst_buffer_map (gbuf, &map, GST_MAP_READ))
    return TRUE;
  n = map.size / (sizeof (float) * (gsize) mix->channels);
  if (n > 0)
    {
      out = _strata_grow_buffer_append (buf, (gint64) n, path, error);
      if (out == NULL)
        {
          gst_buffer_unmap (gbuf, &map);
          return FALSE;
        }
      _strata_downmix_process (mix, (const float *) map.data, out, n);
      _strata_downmix_sanitize (out, n);
    }
  gst_buffer_unmap (gbuf, &map);
  return TRUE;
}

/* One decoding attempt. In pull mode (@push_mode FALSE), sets *@stalled and
 * returns NULL without an error when no audio stream showed up in time. */
static gboolean
decode_once (const char             *path,
             gint64                  expected_frames,
             StrataGrowBuffer       *result,
             gboolean                push_mode,
             gboolean               *stalled,
             StrataProgressThrottle *progress,
             GCancellable           *cancellable,
             GError                **error)
{
  DecodeCtx ctx = { 0 };
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstCaps) want = NULL;
  GstCaps *last_caps = NULL;
  GstElement *file = NULL, *queue = NULL, *src = NULL;
  GstElement *resample = NULL, *filter = NULL, *sink = NULL;
  StrataGrowBuffer buf = { .mono = result->mono };
  StrataDownmix mix = { 0 };
  gboolean ok = FALSE;
  gint64 announced = -1;     /* frames at 44.1 kHz the stream says it has */
  gboolean asked_duration = FALSE;
  gint64 last_activity, started;
  g_autofree char *missing_plugin = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GError) uri_error = NULL;

  *stalled = FALSE;
  if (!push_mode)
    {
      uri = gst_filename_to_uri (path, &uri_error);
      if (uri == NULL)
        {
          g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNREADABLE,
                       _("Cannot open “%s”: %s"), path, uri_error->message);
          return FALSE;
        }
    }

  g_mutex_init (&ctx.lock);
  ctx.pipeline = gst_pipeline_new ("strata-decode");
  if ((push_mode && !(file = make_element ("filesrc", path, error)))
      || (push_mode && !(queue = make_element ("queue", path, error)))
      || !(src = make_element (push_mode ? "decodebin" : "uridecodebin", path, error))
      || !(ctx.convert = make_element ("audioconvert", path, error))
      || !(resample = make_element ("audioresample", path, error))
      || !(filter = make_element ("capsfilter", path, error))
      || !(sink = make_element ("appsink", path, error)))
    {
      GstElement *made[] = { file, queue, src, ctx.convert, resample, filter, sink };

      for (gsize i = 0; i < G_N_ELEMENTS (made); i++)
        if (made[i] != NULL)
          gst_object_unref (gst_object_ref_sink (made[i]));
      goto out;
    }
  want = gst_caps_new_simple ("audio/x-raw",
                              "format", G_TYPE_STRING, "F32LE",
                              "layout", G_TYPE_STRING, "interleaved",
                              "rate", G_TYPE_INT, STRATA_SAMPLE_RATE,
                              NULL);
  if (push_mode)
    g_object_set (file, "location", path, NULL);
  else
    g_object_set (src, "uri", uri, NULL);
  g_object_set (resample, "quality", RESAMPLE_QUALITY, NULL);
  g_object_set (filter, "caps", want, NULL);
  g_object_set (sink, "sync", FALSE, "max-buffers", 16, "emit-signals", FALSE, NULL);
  gst_bin_add_many (GST_BIN (ctx.pipeline), src, ctx.convert, resample, filter, sink, NULL);
  if (push_mode)
    {
      gst_bin_add_many (GST_BIN (ctx.pipeline), file, queue, NULL);
      gst_element_link_many (file, queue, src, NULL);
    }
  gst_element_link_many (ctx.convert, resample, filter, sink, NULL);
  g_signal_connect (src, "pad-added", G_CALLBACK (on_pad_added), &ctx);
  g_signal_connect (src, "no-more-pads", G_CALLBACK (on_no_more_pads), &ctx);

  if (expected_frames >= 0)
    {
      announced = expected_frames;
      if (announced > _strata_audio_get_max_frames ())
        {
          _strata_grow_buffer_reserve (&buf, announced, path, error);   /* sets TOO_LARGE */
          goto out;
        }
    }

  bus = gst_element_get_bus (ctx.pipeline);
  gst_element_set_state (ctx.pipeline, GST_STATE_PLAYING);
  _strata_progress_report (progress, 0.0);
  started = last_activity = g_get_monotonic_time ();

  for (;;)
    {
      GstSample *sample;
      GstMessage *msg;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      /* Drain the bus (tags, state changes, ... would otherwise pile up
       * for the whole decode); keep errors and missing-plugin notices. */
      while ((msg = gst_bus_pop (bus)) != NULL)
        {
          if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
            {
              gboolean linked;

              g_mutex_lock (&ctx.lock);
              linked = ctx.linked_audio;
              g_mutex_unlock (&ctx.lock);
              set_error_from_message (msg, path, linked, error);
              gst_message_unref (msg);
              goto out;
            }
          if (missing_plugin == NULL && gst_is_missing_plugin_message (msg))
            missing_plugin = gst_missing_plugin_message_get_description (msg);
          gst_message_unref (msg);
        }

      sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), PULL_TIMEOUT);
      if (sample == NULL)
        {
          gboolean no_audio;

          if (gst_app_sink_is_eos (GST_APP_SINK (sink)))
            break;
          /* Every stream is exposed and none is audio (or none could be
           * decoded): nothing will ever reach the sink. */
          g_mutex_lock (&ctx.lock);
          no_audio = ctx.no_more_pads && !ctx.linked_audio;
          g_mutex_unlock (&ctx.lock);
          if (no_audio)
            {
              if (missing_plugin != NULL)
                g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNSUPPORTED,
                             _("Cannot decode “%s”: no decoder is installed for %s"),
                             path, missing_plugin);
              else
                g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_NOT_AUDIO,
                             _("Cannot decode “%s”: no audio stream was found in it"), path);
              goto out;
            }
          if (!push_mode && g_get_monotonic_time () - started > pad_timeout_us)
            {
              gboolean linked;

              g_mutex_lock (&ctx.lock);
              linked = ctx.linked_audio;
              g_mutex_unlock (&ctx.lock);
              if (!linked)
                {
                  g_debug ("%s: no audio stream after %d ms in pull mode, retrying in push mode",
                           path, (int) (pad_timeout_us / 1000));
                  *stalled = TRUE;
                  goto out;
                }
            }
          if (g_get_monotonic_time () - last_activity > STALL_TIMEOUT_US)
            {
              g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_CORRUPT,
                           _("Cannot decode “%s”: the decoder stopped making progress"), path);
              goto out;
            }
          continue;
        }
      last_activity = g_get_monotonic_time ();

      if (!asked_duration)
        {
          gint64 ns;

          asked_duration = TRUE;
          if (announced < 0
              && gst_element_query_duration (ctx.pipeline, GST_FORMAT_TIME, &ns) && ns > 0)
            announced = gst_util_uint64_scale_round ((guint64) ns, STRATA_SAMPLE_RATE, GST_SECOND);
          /* Room for the announced length plus resampler/codec slack. A
           * GStreamer duration is an estimate (a damaged header may claim
           * hours): beyond the limit, nothing is reserved and the decoded
           * length alone decides about STRATA_AUDIO_ERROR_TOO_LARGE. */
          if (announced > 0 && announced <= _strata_audio_get_max_frames ()
              && !_strata_grow_buffer_reserve (&buf,
                                               MIN (announced + announced / 200 + 8192,
                                                    _strata_audio_get_max_frames ()),
                                               path, error))
            {
              gst_sample_unref (sample);
              goto out;
            }
        }

      if (!consume_sample (sample, &last_caps, &mix, &buf, path, error))
        {
          gst_sample_unref (sample);
          goto out;
        }
      gst_sample_unref (sample);
      if (announced > 0)
        _strata_progress_report (progress, (double) buf.n_frames / (double) announced);
    }

  /* A decoder may post its error just before EOS reaches the sink. */
  {
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

    if (msg != NULL)
      {
        set_error_from_message (msg, path, TRUE, error);
        gst_message_unref (msg);
        goto out;
      }
  }

  if (buf.n_frames == 0)
    {
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_EMPTY,
                   _("Cannot decode “%s”: the file holds no audio frames"), path);
      goto out;
    }
  /* A container that states its length exactly (libsndfile's WAV, FLAC, ...)
   * must deliver it, up to resampler rounding; for lengths GStreamer only
   * estimates, a shortfall of more than 10 % (and 1 s) means a cut file. */
  if ((expected_frames >= 0 && buf.n_frames + 64 < expected_frames)
      || (expected_frames < 0 && announced > 0
          && buf.n_frames < announced - MAX (announced / 10, (gint64) STRATA_SAMPLE_RATE)))
    {
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_CORRUPT,
                   _("Cannot decode “%s”: the file is truncated or damaged (%.2f s of %.2f s decoded)"),
                   path, (double) buf.n_frames / STRATA_SAMPLE_RATE,
                   (double) announced / STRATA_SAMPLE_RATE);
      goto out;
    }

  _strata_progress_report (progress, 1.0);
  *result = buf;
  memset (&buf, 0, sizeof buf);
  ok = TRUE;

out:
  if (ctx.pipeline != NULL)
    {
      gst_element_set_state (ctx.pipeline, GST_STATE_NULL);
      gst_object_unref (ctx.pipeline);
    }
  gst_caps_replace (&last_caps, NULL);
  _strata_downmix_clear (&mix);
  _strata_grow_buffer_clear (&buf);
  g_mutex_clear (&ctx.lock);
  return ok;
}

gboolean
_strata_gst_decode (const char             *path,
                    gint64                  expected_frames,
                    StrataGrowBuffer       *result,
                    StrataProgressThrottle *progress,
                    GCancellable           *cancellable,
                    GError                **error)
{
  gboolean ok, stalled = FALSE;

  if (!ensure_gst (path, error))
    return FALSE;
  ok = decode_once (path, expected_frames, result, FALSE, &stalled, progress, cancellable, error);
  if (!ok && stalled)
    ok = decode_once (path, expected_frames, result, TRUE, &stalled, progress, cancellable, error);
  return ok;
}

/* --- Probing with GstDiscoverer ----------------------------------------- */

static char *
format_name_for (GstDiscovererStreamInfo *audio_stream,
                 GstDiscovererInfo       *info)
{
  g_autoptr(GstCaps) caps = gst_discoverer_stream_info_get_caps (audio_stream);
  const GstStructure *s = caps && gst_caps_get_size (caps) > 0 ? gst_caps_get_structure (caps, 0) : NULL;
  const char *name = s ? gst_structure_get_name (s) : "";

  if (g_str_equal (name, "audio/mpeg"))
    {
      int version = 0, layer = 0;

      gst_structure_get_int (s, "mpegversion", &version);
      gst_structure_get_int (s, "layer", &layer);
      if (version == 1)
        return g_strdup_printf ("MP%d", layer > 0 ? layer : 3);
      return g_strdup ("AAC");
    }
  if (g_str_equal (name, "audio/x-vorbis"))
    return g_strdup ("Ogg Vorbis");
  if (g_str_equal (name, "audio/x-opus"))
    return g_strdup ("Opus");
  if (g_str_equal (name, "audio/x-flac"))
    return g_strdup ("FLAC");
  if (g_str_equal (name, "audio/x-wavpack"))
    return g_strdup ("WavPack");
  if (caps != NULL)
    return gst_pb_utils_get_codec_description (caps);
  return g_strdup ("unknown");
}

gboolean
_strata_gst_probe (const char      *path,
                   StrataAudioInfo *info,
                   GError         **error)
{
  g_autoptr(GstDiscoverer) disc = NULL;
  g_autoptr(GstDiscovererInfo) dinfo = NULL;
  g_autoptr(GError) gerr = NULL;
  g_autofree char *uri = NULL;
  GList *streams;
  GstDiscovererAudioInfo *ainfo;
  GstClockTime duration;
  guint bitrate;

  if (!ensure_gst (path, error))
    return FALSE;
  uri = gst_filename_to_uri (path, &gerr);
  if (uri == NULL)
    {
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNREADABLE,
                   _("Cannot open “%s”: %s"), path, gerr->message);
      return FALSE;
    }
  disc = gst_discoverer_new (20 * GST_SECOND, &gerr);
  if (disc == NULL)
    {
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNSUPPORTED,
                   _("Cannot read “%s”: %s"), path, gerr->message);
      return FALSE;
    }
  dinfo = gst_discoverer_discover_uri (disc, uri, &gerr);
  switch (dinfo ? gst_discoverer_info_get_result (dinfo) : GST_DISCOVERER_ERROR)
    {
    case GST_DISCOVERER_OK:
      break;
    case GST_DISCOVERER_MISSING_PLUGINS:
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_UNSUPPORTED,
                   _("Cannot read “%s”: no decoder is installed for its format"), path);
      return FALSE;
    case GST_DISCOVERER_TIMEOUT:
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_CORRUPT,
                   _("Cannot read “%s”: inspecting it took too long"), path);
      return FALSE;
    case GST_DISCOVERER_URI_INVALID:
    case GST_DISCOVERER_BUSY:
    case GST_DISCOVERER_ERROR:
    default:
      {
        StrataAudioError code = STRATA_AUDIO_ERROR_NOT_AUDIO;

        if (gerr != NULL && gerr->domain == GST_RESOURCE_ERROR)
          code = STRATA_AUDIO_ERROR_UNREADABLE;
        else if (gerr != NULL && gerr->domain == GST_STREAM_ERROR
                 && gerr->code != GST_STREAM_ERROR_TYPE_NOT_FOUND)
          code = STRATA_AUDIO_ERROR_CORRUPT;
        g_set_error (error, STRATA_AUDIO_ERROR, code,
                     code == STRATA_AUDIO_ERROR_NOT_AUDIO
                     ? _("Cannot read “%s”: no audio was found in it (%s)")
                     : _("Cannot read “%s”: %s"),
                     path, gerr ? gerr->message : _("unknown error"));
        return FALSE;
      }
    }

  streams = gst_discoverer_info_get_audio_streams (dinfo);
  if (streams == NULL)
    {
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_NOT_AUDIO,
                   _("Cannot read “%s”: it holds no audio stream"), path);
      return FALSE;
    }
  ainfo = GST_DISCOVERER_AUDIO_INFO (streams->data);
  duration = gst_discoverer_info_get_duration (dinfo);
  info->path = g_strdup (path);
  info->format = format_name_for (GST_DISCOVERER_STREAM_INFO (ainfo), dinfo);
  info->sample_rate = (int) gst_discoverer_audio_info_get_sample_rate (ainfo);
  info->channels = (int) gst_discoverer_audio_info_get_channels (ainfo);
  bitrate = gst_discoverer_audio_info_get_bitrate (ainfo);
  if (bitrate == 0)
    bitrate = gst_discoverer_audio_info_get_max_bitrate (ainfo);
  info->codec_detail = bitrate > 0 ? g_strdup_printf ("%u kb/s", (bitrate + 500) / 1000) : NULL;
  if (GST_CLOCK_TIME_IS_VALID (duration) && duration > 0)
    {
      info->duration = (double) duration / GST_SECOND;
      info->n_frames = info->sample_rate > 0
                       ? (gint64) gst_util_uint64_scale_round (duration, (guint64) info->sample_rate, GST_SECOND)
                       : -1;
    }
  else
    {
      info->duration = 0.0;
      info->n_frames = -1;
    }
  gst_discoverer_stream_info_list_free (streams);

  if (info->sample_rate <= 0 || info->channels <= 0)
    {
      strata_audio_info_clear (info);
      g_set_error (error, STRATA_AUDIO_ERROR, STRATA_AUDIO_ERROR_CORRUPT,
                   _("Cannot read “%s”: its audio stream has no sample rate or channel count"), path);
      return FALSE;
    }
  return TRUE;
}
