/* strata-player.c: GStreamer playback of a StrataSource through appsrc.
 *
 *   appsrc (F32LE 44.1 kHz stereo, TIME, seekable)
 *     ! audioconvert ! audioresample ! volume ! SINK
 *
 * SINK is autoaudiosink or the bin description in $STRATA_AUDIO_SINK.
 * The appsrc callbacks run on GStreamer's streaming thread; they only touch
 * the source reference and the read offset, under a mutex, and render the
 * source (outside the mutex) into a buffer from a pool, so steady playback
 * allocates nothing. appsrc asks for a buffer when its queue is empty, so a
 * rendered buffer reaches the sink right after the one it plays. Everything else
 * (state, loop, bus messages, signals) happens on the main thread: the bus
 * watch is attached to the default main context.
 *
 * The loop region is played with segment seeks: the first seek into the loop
 * carries GST_SEEK_FLAG_SEGMENT and stop = loop end, so the source posts
 * SEGMENT_DONE instead of EOS there, and the bus handler answers with a
 * non-flushing segment seek back to the loop start. Nothing is flushed, so
 * the sink plays the two segments back to back (gapless).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>
#include <gst/app/gstappsrc.h>

#include "playback/strata-player.h"

#define CHUNK_FRAMES STRATA_PLAYER_BUFFER_FRAMES
#define BYTES_PER_FRAME (STRATA_CHANNELS * (gsize) sizeof (float))

struct _StrataPlayer
{
  GObject parent_instance;

  GstElement *pipeline;
  GstElement *src;
  GstElement *volume;
  GstBufferPool *pool;         /* CHUNK_FRAMES buffers */
  guint bus_watch;

  /* Shared with the streaming thread. */
  GMutex lock;
  StrataSource *source;        /* (nullable) */
  gint64 read_frame;           /* next frame need-data pushes */

  gint64 n_frames;             /* the source's length, main thread */

  /* Main thread only. */
  gboolean playing;
  gboolean loop_enabled;
  double loop_start;
  double loop_end;
  gboolean in_loop_segment;    /* the current segment stops at loop_end */
  double last_position;        /* seconds, when a query fails */
  gboolean at_eos;
  gboolean failed;             /* an error was reported; quiet until restarted */
};

enum { PROP_0, PROP_PLAYING, N_PROPS };
enum { SIGNAL_ERROR, SIGNAL_EOS, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (StrataPlayer, strata_player, G_TYPE_OBJECT)

/* ---- streaming thread ---------------------------------------------------- */

static void
need_data_cb (GstAppSrc *src, guint length, gpointer user_data)
{
  StrataPlayer *self = user_data;
  g_autoptr(StrataSource) source = NULL;
  GstBuffer *buffer = NULL;
  GstMapInfo map;
  gint64 start, n = 0;

  g_mutex_lock (&self->lock);
  if (self->source != NULL)
    {
      source = g_object_ref (self->source);
      n = MIN ((gint64) CHUNK_FRAMES, strata_source_get_n_frames (source) - self->read_frame);
    }
  start = self->read_frame;
  if (n > 0)
    self->read_frame = start + n;
  g_mutex_unlock (&self->lock);

  if (n <= 0)
    {
      gst_app_src_end_of_stream (src);
      return;
    }
  if (gst_buffer_pool_acquire_buffer (self->pool, &buffer, NULL) != GST_FLOW_OK)
    return;   /* shutting down */

  gst_buffer_set_size (buffer, (gssize) (n * BYTES_PER_FRAME));
  if (!gst_buffer_map (buffer, &map, GST_MAP_WRITE))
    {
      gst_buffer_unref (buffer);
      return;
    }
  strata_source_render (source, start, n, (float *) map.data);
  gst_buffer_unmap (buffer, &map);

  GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (start, GST_SECOND, STRATA_SAMPLE_RATE);
  GST_BUFFER_DURATION (buffer) =
    gst_util_uint64_scale (start + n, GST_SECOND, STRATA_SAMPLE_RATE) - GST_BUFFER_PTS (buffer);
  GST_BUFFER_OFFSET (buffer) = start;
  GST_BUFFER_OFFSET_END (buffer) = start + n;
  gst_app_src_push_buffer (src, buffer);
}

static gboolean
seek_data_cb (GstAppSrc *src, guint64 offset, gpointer user_data)
{
  StrataPlayer *self = user_data;

  g_mutex_lock (&self->lock);
  self->read_frame = (gint64) gst_util_uint64_scale (offset, STRATA_SAMPLE_RATE, GST_SECOND);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* ---- main thread ---------------------------------------------------------- */

static void
set_playing (StrataPlayer *self, gboolean playing)
{
  if (self->playing == playing)
    return;
  self->playing = playing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

static gboolean
loop_valid (StrataPlayer *self)
{
  return self->loop_enabled && self->loop_end > self->loop_start;
}

/* Seeks to @seconds; when the loop is on and @seconds lies inside it, the
 * new segment stops at the loop end (segment seek). */
static void
do_seek (StrataPlayer *self, double seconds, gboolean flush)
{
  GstSeekFlags flags = GST_SEEK_FLAG_ACCURATE;
  GstSeekType stop_type = GST_SEEK_TYPE_NONE;
  gint64 stop = -1;
  double duration = strata_player_get_duration (self);

  seconds = CLAMP (seconds, 0.0, MAX (duration, 0.0));
  if (flush)
    flags |= GST_SEEK_FLAG_FLUSH;

  self->in_loop_segment = FALSE;
  if (loop_valid (self) && seconds >= self->loop_start && seconds < self->loop_end)
    {
      flags |= GST_SEEK_FLAG_SEGMENT;
      stop_type = GST_SEEK_TYPE_SET;
      stop = (gint64) (self->loop_end * GST_SECOND);
      self->in_loop_segment = TRUE;
    }

  self->last_position = seconds;
  self->at_eos = FALSE;
  if (self->source == NULL)
    return;

  if (!gst_element_seek (self->pipeline, 1.0, GST_FORMAT_TIME, flags,
                         GST_SEEK_TYPE_SET, (gint64) (seconds * GST_SECOND),
                         stop_type, stop))
    g_debug ("strata-player: seek to %.3f s refused", seconds);
}

static gboolean
bus_cb (GstBus *bus, GstMessage *msg, gpointer user_data)
{
  StrataPlayer *self = user_data;

  switch (GST_MESSAGE_TYPE (msg))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;
        g_autofree char *message = NULL;

        gst_message_parse_error (msg, &error, &debug);
        g_debug ("strata-player: error: %s (%s)", error->message, debug ? debug : "");
        /* One failure often posts several errors; the first is the most
         * specific. Report it once. */
        if (self->failed)
          break;
        self->failed = TRUE;
        gst_element_set_state (self->pipeline, GST_STATE_READY);
        set_playing (self, FALSE);
        message = g_strdup_printf (_("Playback failed: %s"), error->message);
        g_signal_emit (self, signals[SIGNAL_ERROR], 0, message);
      }
      break;

    case GST_MESSAGE_SEGMENT_DONE:
      if (loop_valid (self))
        {
          /* Non-flushing: the next segment queues behind the current one. */
          gst_element_seek (self->pipeline, 1.0, GST_FORMAT_TIME,
                            GST_SEEK_FLAG_SEGMENT | GST_SEEK_FLAG_ACCURATE,
                            GST_SEEK_TYPE_SET, (gint64) (self->loop_start * GST_SECOND),
                            GST_SEEK_TYPE_SET, (gint64) (self->loop_end * GST_SECOND));
          self->in_loop_segment = TRUE;
        }
      else
        {
          /* The loop was switched off while its segment played: carry on to
           * the end of the track. */
          gint64 pos = 0;
          gst_element_query_position (self->pipeline, GST_FORMAT_TIME, &pos);
          do_seek (self, (double) pos / GST_SECOND, TRUE);
        }
      break;

    case GST_MESSAGE_EOS:
      self->last_position = strata_player_get_duration (self);
      self->at_eos = TRUE;
      gst_element_set_state (self->pipeline, GST_STATE_PAUSED);
      set_playing (self, FALSE);
      g_signal_emit (self, signals[SIGNAL_EOS], 0);
      break;

    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static GstElement *
make_sink (GError **error)
{
  const char *desc = g_getenv ("STRATA_AUDIO_SINK");

  if (desc != NULL && *desc != '\0')
    return gst_parse_bin_from_description (desc, TRUE, error);
  return gst_element_factory_make ("autoaudiosink", "sink");
}

static void
strata_player_dispose (GObject *object)
{
  StrataPlayer *self = STRATA_PLAYER (object);

  if (self->pipeline != NULL)
    {
      GstBus *bus = gst_element_get_bus (self->pipeline);
      gst_bus_set_flushing (bus, TRUE);
      gst_bus_remove_watch (bus);
      gst_object_unref (bus);
      self->bus_watch = 0;
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
    }
  gst_clear_object (&self->pipeline);
  self->src = NULL;
  self->volume = NULL;
  if (self->pool != NULL)
    gst_buffer_pool_set_active (self->pool, FALSE);
  gst_clear_object (&self->pool);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (strata_player_parent_class)->dispose (object);
}

static void
strata_player_finalize (GObject *object)
{
  StrataPlayer *self = STRATA_PLAYER (object);

  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (strata_player_parent_class)->finalize (object);
}

static void
strata_player_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StrataPlayer *self = STRATA_PLAYER (object);

  switch (prop_id)
    {
    case PROP_PLAYING:
      g_value_set_boolean (value, self->playing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_player_class_init (StrataPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = strata_player_dispose;
  object_class->finalize = strata_player_finalize;
  object_class->get_property = strata_player_get_property;

  /**
   * StrataPlayer:playing:
   *
   * Whether the player is playing (not paused, stopped or at the end).
   */
  properties[PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * StrataPlayer::error:
   * @message: a translated description of the failure
   *
   * Emitted on the main thread when the pipeline fails; playback stops.
   */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * StrataPlayer::eos:
   *
   * Emitted on the main thread when playback reached the end of the track.
   */
  signals[SIGNAL_EOS] =
    g_signal_new ("eos", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
strata_player_init (StrataPlayer *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstCaps) caps = NULL;
  GstElement *convert, *resample, *sink;
  GstAppSrcCallbacks callbacks = { .need_data = need_data_cb, .seek_data = seek_data_cb };
  GstBus *bus;

  g_mutex_init (&self->lock);

  self->pipeline = gst_pipeline_new ("strata-player");
  self->src = gst_element_factory_make ("appsrc", "src");
  convert = gst_element_factory_make ("audioconvert", NULL);
  resample = gst_element_factory_make ("audioresample", NULL);
  self->volume = gst_element_factory_make ("volume", NULL);
  sink = make_sink (&error);
  if (sink == NULL)
    {
      g_warning ("strata-player: cannot create the audio sink (%s); using fakesink",
                 error ? error->message : "unknown");
      sink = gst_element_factory_make ("fakesink", NULL);
      g_object_set (sink, "sync", TRUE, NULL);
    }
  g_assert (self->src && convert && resample && self->volume && sink);

  caps = gst_caps_new_simple ("audio/x-raw",
                              "format", G_TYPE_STRING, "F32LE",
                              "layout", G_TYPE_STRING, "interleaved",
                              "rate", G_TYPE_INT, STRATA_SAMPLE_RATE,
                              "channels", G_TYPE_INT, STRATA_CHANNELS,
                              "channel-mask", GST_TYPE_BITMASK, (guint64) 0x3,
                              NULL);
  g_object_set (self->src,
                "caps", caps,
                "format", GST_FORMAT_TIME,
                "stream-type", GST_APP_STREAM_TYPE_SEEKABLE,
                "max-bytes", (guint64) (CHUNK_FRAMES * BYTES_PER_FRAME * 2),
                NULL);

  /* Buffers come back to the pool when the sink is done with them; no
   * upper bound, so acquiring never waits. */
  self->pool = gst_buffer_pool_new ();
  {
    GstStructure *config = gst_buffer_pool_get_config (self->pool);

    gst_buffer_pool_config_set_params (config, caps, CHUNK_FRAMES * BYTES_PER_FRAME, 4, 0);
    if (!gst_buffer_pool_set_config (self->pool, config) ||
        !gst_buffer_pool_set_active (self->pool, TRUE))
      g_warning ("strata-player: cannot set up the buffer pool");
  }
  gst_app_src_set_callbacks (GST_APP_SRC (self->src), &callbacks, self, NULL);

  gst_bin_add_many (GST_BIN (self->pipeline), self->src, convert, resample,
                    self->volume, sink, NULL);
  if (!gst_element_link_many (self->src, convert, resample, self->volume, sink, NULL))
    g_warning ("strata-player: cannot link the playback pipeline");

  bus = gst_element_get_bus (self->pipeline);
  self->bus_watch = gst_bus_add_watch (bus, bus_cb, self);
  gst_object_unref (bus);
}

/**
 * strata_player_new:
 *
 * Creates a player with no audio. gst_init() must have been called.
 *
 * Returns: (transfer full): a new #StrataPlayer
 */
StrataPlayer *
strata_player_new (void)
{
  return g_object_new (STRATA_TYPE_PLAYER, NULL);
}

/**
 * strata_player_set_source:
 * @self: a #StrataPlayer
 * @source: (nullable) (transfer none): what to play
 *
 * Stops playback and replaces the source; the position goes back to 0 and
 * the loop is switched off.
 */
void
strata_player_set_source (StrataPlayer *self, StrataSource *source)
{
  g_return_if_fail (STRATA_IS_PLAYER (self));
  g_return_if_fail (source == NULL || STRATA_IS_SOURCE (source));

  /* In NULL state the streaming thread has stopped. */
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  set_playing (self, FALSE);

  g_mutex_lock (&self->lock);
  g_clear_object (&self->source);
  if (source != NULL)
    self->source = g_object_ref (source);
  self->read_frame = 0;
  g_mutex_unlock (&self->lock);

  self->n_frames = source ? strata_source_get_n_frames (source) : 0;
  self->loop_enabled = FALSE;
  self->in_loop_segment = FALSE;
  self->last_position = 0.0;
  self->at_eos = FALSE;
  self->failed = FALSE;

  if (source != NULL)
    {
      gint64 duration = gst_util_uint64_scale (self->n_frames, GST_SECOND, STRATA_SAMPLE_RATE);
      g_object_set (self->src, "duration", (guint64) duration, NULL);
      gst_element_set_state (self->pipeline, GST_STATE_PAUSED);
    }
}

/**
 * strata_player_get_source:
 * @self: a #StrataPlayer
 *
 * Returns: (transfer none) (nullable): the source being played
 */
StrataSource *
strata_player_get_source (StrataPlayer *self)
{
  g_return_val_if_fail (STRATA_IS_PLAYER (self), NULL);
  return self->source;
}

/**
 * strata_player_set_audio:
 * @self: a #StrataPlayer
 * @audio: (nullable) (transfer none): the audio to play
 *
 * Plays one track as it is: strata_player_set_source() with a
 * #StrataTrackSource for @audio.
 */
void
strata_player_set_audio (StrataPlayer *self, StrataAudio *audio)
{
  g_autoptr(StrataSource) source = NULL;

  g_return_if_fail (STRATA_IS_PLAYER (self));

  if (audio != NULL)
    source = strata_track_source_new (audio);
  strata_player_set_source (self, source);
}

/**
 * strata_player_play:
 * @self: a #StrataPlayer
 *
 * Starts or resumes playback; at the end of the track, starts again from the
 * beginning (or the loop start).
 */
void
strata_player_play (StrataPlayer *self)
{
  g_return_if_fail (STRATA_IS_PLAYER (self));

  if (self->source == NULL)
    return;
  self->failed = FALSE;
  if (self->at_eos)
    do_seek (self, loop_valid (self) ? self->loop_start : 0.0, TRUE);
  else if (loop_valid (self) && !self->in_loop_segment)
    {
      double pos = strata_player_get_position (self);
      if (pos < self->loop_start || pos >= self->loop_end)
        pos = self->loop_start;
      do_seek (self, pos, TRUE);
    }
  gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
  set_playing (self, TRUE);
}

/**
 * strata_player_pause:
 * @self: a #StrataPlayer
 *
 * Pauses playback at the current position.
 */
void
strata_player_pause (StrataPlayer *self)
{
  g_return_if_fail (STRATA_IS_PLAYER (self));

  if (self->source == NULL)
    return;
  self->last_position = strata_player_get_position (self);
  gst_element_set_state (self->pipeline, GST_STATE_PAUSED);
  set_playing (self, FALSE);
}

/**
 * strata_player_stop:
 * @self: a #StrataPlayer
 *
 * Pauses and goes back to the start (the loop start when the loop is on).
 */
void
strata_player_stop (StrataPlayer *self)
{
  g_return_if_fail (STRATA_IS_PLAYER (self));

  if (self->source == NULL)
    return;
  gst_element_set_state (self->pipeline, GST_STATE_PAUSED);
  set_playing (self, FALSE);
  do_seek (self, loop_valid (self) ? self->loop_start : 0.0, TRUE);
}

/**
 * strata_player_get_playing:
 * @self: a #StrataPlayer
 *
 * Returns: whether the player is playing
 */
gboolean
strata_player_get_playing (StrataPlayer *self)
{
  g_return_val_if_fail (STRATA_IS_PLAYER (self), FALSE);
  return self->playing;
}

/**
 * strata_player_get_position:
 * @self: a #StrataPlayer
 *
 * Returns: the playback position in seconds (what the sink is playing now)
 */
double
strata_player_get_position (StrataPlayer *self)
{
  gint64 pos = -1;

  g_return_val_if_fail (STRATA_IS_PLAYER (self), 0.0);

  if (self->source == NULL || self->at_eos)
    return self->last_position;
  if (gst_element_query_position (self->pipeline, GST_FORMAT_TIME, &pos) && pos >= 0)
    {
      double d = strata_player_get_duration (self);
      self->last_position = MIN ((double) pos / GST_SECOND, d);
    }
  return self->last_position;
}

/**
 * strata_player_get_duration:
 * @self: a #StrataPlayer
 *
 * Returns: the duration of the source in seconds, 0 without one
 */
double
strata_player_get_duration (StrataPlayer *self)
{
  g_return_val_if_fail (STRATA_IS_PLAYER (self), 0.0);

  return (double) self->n_frames / STRATA_SAMPLE_RATE;
}

/**
 * strata_player_seek:
 * @self: a #StrataPlayer
 * @seconds: the new position, clamped to the track
 *
 * Moves the playback position (flushing, accurate).
 */
void
strata_player_seek (StrataPlayer *self, double seconds)
{
  g_return_if_fail (STRATA_IS_PLAYER (self));

  do_seek (self, seconds, TRUE);
}

/**
 * strata_player_set_loop:
 * @self: a #StrataPlayer
 * @enabled: whether to loop
 * @start: loop start in seconds
 * @end: loop end in seconds (exclusive); must be > @start to loop
 *
 * Loops [@start, @end) gaplessly while enabled. When the position lies
 * outside the new loop it jumps to @start.
 */
void
strata_player_set_loop (StrataPlayer *self, gboolean enabled, double start, double end)
{
  double duration, pos;

  g_return_if_fail (STRATA_IS_PLAYER (self));

  duration = strata_player_get_duration (self);
  start = CLAMP (start, 0.0, duration);
  end = CLAMP (end, 0.0, duration);
  pos = strata_player_get_position (self);

  self->loop_enabled = enabled && end > start;
  self->loop_start = start;
  self->loop_end = end;

  if (self->source == NULL)
    return;
  if (self->loop_enabled)
    {
      if (pos < start || pos >= end)
        pos = start;
      do_seek (self, pos, TRUE);
    }
  else if (self->in_loop_segment)
    do_seek (self, pos, TRUE);   /* drop the stop position */
}

/**
 * strata_player_get_loop:
 * @self: a #StrataPlayer
 * @start: (out) (optional): loop start in seconds
 * @end: (out) (optional): loop end in seconds
 *
 * Returns: whether the loop is enabled
 */
gboolean
strata_player_get_loop (StrataPlayer *self, double *start, double *end)
{
  g_return_val_if_fail (STRATA_IS_PLAYER (self), FALSE);

  if (start)
    *start = self->loop_start;
  if (end)
    *end = self->loop_end;
  return self->loop_enabled;
}

/**
 * strata_player_set_volume:
 * @self: a #StrataPlayer
 * @volume: linear gain, 0..1 (up to 10)
 *
 * Sets the playback volume.
 */
void
strata_player_set_volume (StrataPlayer *self, double volume)
{
  g_return_if_fail (STRATA_IS_PLAYER (self));

  g_object_set (self->volume, "volume", CLAMP (volume, 0.0, 10.0), NULL);
}
