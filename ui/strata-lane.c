/* strata-lane.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include "strata-lane.h"

typedef struct
{
  StrataViewport *viewport;
  char *title;
  GtkWidget *header;            /* (owned) the label-column widget */
  GdkTexture *texture;          /* (nullable) the rendered range */
  gboolean dirty;
  guint render_count;
  int drag_height;              /* height when a border drag began; -1: no drag */
} StrataLanePrivate;

enum { PROP_0, PROP_TITLE, PROP_HEADER, N_PROPS };
static GParamSpec *properties[N_PROPS];

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (StrataLane, strata_lane, GTK_TYPE_WIDGET)

static void
viewport_changed_cb (StrataLane *self)
{
  strata_lane_invalidate (self);
}

static void
overlay_changed_cb (StrataLane *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* A lane draws once the viewport spans something (a track's duration). */
static gboolean
has_range (StrataLanePrivate *priv)
{
  return priv->viewport != NULL && strata_viewport_get_duration (priv->viewport) > 0.0;
}

/* Renders at @scale device pixels per logical pixel (HiDPI); subclasses
 * draw in logical coordinates. */
static cairo_surface_t *
render_now (StrataLane *self, int width, int height, int scale)
{
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);
  StrataLaneClass *klass = STRATA_LANE_GET_CLASS (self);
  cairo_surface_t *surface;
  cairo_t *cr;
  gint64 t0 = g_get_monotonic_time ();

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, MAX (width, 1) * scale,
                                        MAX (height, 1) * scale);
  cairo_surface_set_device_scale (surface, scale, scale);
  cr = cairo_create (surface);
  if (has_range (priv) && klass->render != NULL)
    {
      klass->render (self, cr, width, height,
                     strata_viewport_get_start (priv->viewport),
                     strata_viewport_get_seconds_per_px (priv->viewport));
      if (klass->draw_overlay != NULL)
        klass->draw_overlay (self, cr, width, height);
    }
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  priv->render_count++;
  g_debug ("%s: rendered %dx%d in %.1f ms", G_OBJECT_TYPE_NAME (self), width, height,
           (g_get_monotonic_time () - t0) / 1000.0);
  return surface;
}

/* The cached image as a texture: uploaded once per render, not per frame. */
static GdkTexture *
texture_from_surface (cairo_surface_t *surface)
{
  int w = cairo_image_surface_get_width (surface);
  int h = cairo_image_surface_get_height (surface);
  int stride = cairo_image_surface_get_stride (surface);
  g_autoptr(GBytes) bytes = g_bytes_new (cairo_image_surface_get_data (surface), (gsize) stride * h);

  /* Cairo's ARGB32 is premultiplied BGRA in memory on little-endian hosts,
   * which is GDK_MEMORY_DEFAULT. */
  return gdk_memory_texture_new (w, h, GDK_MEMORY_DEFAULT, bytes, stride);
}

static void
append_rect (GtkSnapshot *snapshot, float r, float g, float b, float a,
             float x, float y, float w, float h)
{
  GdkRGBA color = { r, g, b, a };
  gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x, y, w, h));
}

static void
strata_lane_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  StrataLane *self = STRATA_LANE (widget);
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);
  StrataLaneClass *klass = STRATA_LANE_GET_CLASS (self);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);

  if (width <= 0 || height <= 0)
    return;

  if (priv->texture == NULL || priv->dirty
      || gdk_texture_get_width (priv->texture) != width * scale
      || gdk_texture_get_height (priv->texture) != height * scale)
    {
      cairo_surface_t *surface = render_now (self, width, height, scale);

      g_clear_object (&priv->texture);
      priv->texture = texture_from_surface (surface);
      cairo_surface_destroy (surface);
      priv->dirty = FALSE;
    }
  gtk_snapshot_append_texture (snapshot, priv->texture, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (has_range (priv))
    {
      double a, b, x;

      /* Loop selection: shaded, with edges. */
      if (strata_viewport_get_selection (priv->viewport, &a, &b))
        {
          float xa = floorf (strata_viewport_time_to_x (priv->viewport, a));
          float xb = floorf (strata_viewport_time_to_x (priv->viewport, b));

          append_rect (snapshot, 0.21f, 0.52f, 0.89f, klass->dark ? 0.30f : 0.22f,
                       xa, 0, xb - xa, height);
          append_rect (snapshot, 0.21f, 0.52f, 0.89f, 0.9f, xa, 0, 1, height);
          append_rect (snapshot, 0.21f, 0.52f, 0.89f, 0.9f, xb, 0, 1, height);
        }

      /* Playhead. */
      x = strata_viewport_time_to_x (priv->viewport, strata_viewport_get_playhead (priv->viewport));
      if (x >= -2 && x <= width + 2)
        {
          if (klass->dark)
            append_rect (snapshot, 1.0f, 1.0f, 1.0f, 1.0f, (float) round (x) - 1, 0, 2, height);
          else
            append_rect (snapshot, 0.88f, 0.11f, 0.14f, 1.0f, (float) round (x) - 1, 0, 2, height);
        }
    }
}

static void
strata_lane_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  StrataLanePrivate *priv = strata_lane_get_instance_private (STRATA_LANE (widget));

  if (priv->viewport != NULL)
    strata_viewport_set_width (priv->viewport, width);
}

static void
strata_lane_dispose (GObject *object)
{
  StrataLane *self = STRATA_LANE (object);
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);

  strata_lane_set_viewport (self, NULL);
  g_clear_object (&priv->header);
  g_clear_object (&priv->texture);
  g_clear_pointer (&priv->title, g_free);

  G_OBJECT_CLASS (strata_lane_parent_class)->dispose (object);
}

/* In init the class is still the base class; here it is the lane's own. */
static void
strata_lane_constructed (GObject *object)
{
  G_OBJECT_CLASS (strata_lane_parent_class)->constructed (object);
  if (STRATA_LANE_GET_CLASS (object)->describe_point != NULL)
    gtk_widget_set_has_tooltip (GTK_WIDGET (object), TRUE);
}

static void
strata_lane_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StrataLane *self = STRATA_LANE (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, strata_lane_get_title (self));
      break;
    case PROP_HEADER:
      g_value_set_object (value, strata_lane_get_header (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_lane_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  StrataLane *self = STRATA_LANE (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      strata_lane_set_title (self, g_value_get_string (value));
      break;
    case PROP_HEADER:
      strata_lane_set_header (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
strata_lane_class_init (StrataLaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = strata_lane_constructed;
  object_class->dispose = strata_lane_dispose;
  object_class->get_property = strata_lane_get_property;
  object_class->set_property = strata_lane_set_property;
  widget_class->snapshot = strata_lane_snapshot;
  widget_class->size_allocate = strata_lane_size_allocate;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEADER] =
    g_param_spec_object ("header", NULL, NULL, GTK_TYPE_WIDGET,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "strata-lane");
}

/* ---- resizing by the bottom border ---------------------------------------- */

static gboolean
on_border (StrataLane *self, double y)
{
  int h = gtk_widget_get_height (GTK_WIDGET (self));
  return h > 0 && y >= h - STRATA_LANE_BORDER && y <= h;
}

/* Claims presses on the bottom border before the timeline's drag sees
 * them (capture phase); elsewhere the gesture steps aside. */
static void
border_drag_begin_cb (GtkGestureDrag *drag, double x, double y, StrataLane *self)
{
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);

  if (!on_border (self, y))
    {
      priv->drag_height = -1;
      gtk_gesture_set_state (GTK_GESTURE (drag), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  priv->drag_height = gtk_widget_get_height (GTK_WIDGET (self));
  gtk_gesture_set_state (GTK_GESTURE (drag), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
border_drag_update_cb (GtkGestureDrag *drag, double dx, double dy, StrataLane *self)
{
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);

  if (priv->drag_height >= 0)
    strata_lane_set_height (self, (int) lround (priv->drag_height + dy));
}

static void
border_drag_end_cb (GtkGestureDrag *drag, double dx, double dy, StrataLane *self)
{
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);

  border_drag_update_cb (drag, dx, dy, self);
  priv->drag_height = -1;
}

/* The resize cursor over the border. */
static void
border_motion_cb (GtkEventControllerMotion *motion, double x, double y, StrataLane *self)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), on_border (self, y) ? "ns-resize" : NULL);
}

static gboolean
query_tooltip_cb (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip)
{
  g_autofree char *text = NULL;

  if (keyboard)
    return FALSE;
  text = strata_lane_describe_point (STRATA_LANE (widget), x, y);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
strata_lane_init (StrataLane *self)
{
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);

  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();

  priv->dirty = TRUE;
  priv->drag_height = -1;
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag), GTK_PHASE_CAPTURE);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (border_drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (border_drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (border_drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (motion, "motion", G_CALLBACK (border_motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

/**
 * strata_lane_set_viewport:
 * @self: a #StrataLane
 * @viewport: (nullable): the shared viewport
 *
 * Attaches the lane to a viewport.
 */
void
strata_lane_set_viewport (StrataLane *self, StrataViewport *viewport)
{
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);

  g_return_if_fail (STRATA_IS_LANE (self));

  if (priv->viewport == viewport)
    return;
  if (priv->viewport != NULL)
    {
      g_signal_handlers_disconnect_by_data (priv->viewport, self);
      g_clear_object (&priv->viewport);
    }
  if (viewport != NULL)
    {
      priv->viewport = g_object_ref (viewport);
      g_signal_connect_swapped (viewport, "changed", G_CALLBACK (viewport_changed_cb), self);
      g_signal_connect_swapped (viewport, "overlay-changed", G_CALLBACK (overlay_changed_cb), self);
    }
  strata_lane_invalidate (self);
}

/**
 * strata_lane_get_viewport:
 * @self: a #StrataLane
 *
 * Returns: (transfer none) (nullable): the viewport
 */
StrataViewport *
strata_lane_get_viewport (StrataLane *self)
{
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);
  return priv->viewport;
}

/**
 * strata_lane_get_title:
 * @self: a #StrataLane
 *
 * Returns: (nullable): the title shown in the label column
 */
const char *
strata_lane_get_title (StrataLane *self)
{
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);
  return priv->title;
}

/**
 * strata_lane_set_title:
 * @self: a #StrataLane
 * @title: (nullable): the title shown in the label column
 *
 * Sets the lane's title (translated).
 */
void
strata_lane_set_title (StrataLane *self, const char *title)
{
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);

  if (g_strcmp0 (priv->title, title) == 0)
    return;
  g_free (priv->title);
  priv->title = g_strdup (title);
  /* Screen readers name the lane by its title. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  title != NULL ? title : "", -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

/* The default header: the title as a label, as the label column always
 * showed it. */
static GtkWidget *
title_label_new (StrataLane *self)
{
  GtkWidget *label = gtk_label_new (strata_lane_get_title (self));

  g_object_bind_property (self, "title", label, "label", G_BINDING_DEFAULT);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_set_valign (label, GTK_ALIGN_START);
  gtk_widget_set_size_request (label, 110, -1);
  return label;
}

/**
 * strata_lane_get_header:
 * @self: a #StrataLane
 *
 * The widget the timeline shows beside the lane in its label column: the
 * one given to strata_lane_set_header(), else a label with the title
 * (made on first use).
 *
 * Returns: (transfer none): the header widget
 */
GtkWidget *
strata_lane_get_header (StrataLane *self)
{
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);

  g_return_val_if_fail (STRATA_IS_LANE (self), NULL);

  if (priv->header == NULL)
    priv->header = g_object_ref_sink (title_label_new (self));
  return priv->header;
}

/**
 * strata_lane_set_header:
 * @self: a #StrataLane
 * @header: (nullable) (transfer floating): the widget for the label column,
 *   or %NULL for the title label
 *
 * Replaces the lane's header; a timeline showing the lane puts the new one
 * in its place (it follows #StrataLane:header). Controls in it should carry
 * an accessible label, as they have no mnemonic.
 */
void
strata_lane_set_header (StrataLane *self, GtkWidget *header)
{
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);

  g_return_if_fail (STRATA_IS_LANE (self));
  g_return_if_fail (header == NULL || GTK_IS_WIDGET (header));

  if (header != NULL && header == priv->header)
    return;
  if (header == NULL)
    header = title_label_new (self);
  g_clear_object (&priv->header);
  priv->header = g_object_ref_sink (header);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEADER]);
}

/**
 * strata_lane_describe_point:
 * @self: a #StrataLane
 * @x: x in lane coordinates
 * @y: y in lane coordinates
 *
 * What the lane's tooltip says at (@x, @y): the class's describe_point().
 *
 * Returns: (transfer full) (nullable): the text, or %NULL (nothing there,
 *   or a lane without tooltips)
 */
char *
strata_lane_describe_point (StrataLane *self, double x, double y)
{
  StrataLaneClass *klass;

  g_return_val_if_fail (STRATA_IS_LANE (self), NULL);

  klass = STRATA_LANE_GET_CLASS (self);
  return klass->describe_point != NULL ? klass->describe_point (self, x, y) : NULL;
}

/**
 * strata_lane_invalidate:
 * @self: a #StrataLane
 *
 * Drops the cached image; the lane re-renders on its next frame.
 */
void
strata_lane_invalidate (StrataLane *self)
{
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);

  priv->dirty = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * strata_lane_render_surface:
 * @self: a #StrataLane
 *
 * Renders the lane at its allocated size, bypassing the cache (tests).
 *
 * Returns: (transfer full): an image surface
 */
cairo_surface_t *
strata_lane_render_surface (StrataLane *self)
{
  return render_now (self, gtk_widget_get_width (GTK_WIDGET (self)),
                     gtk_widget_get_height (GTK_WIDGET (self)), 1);
}

/**
 * strata_lane_get_render_count:
 * @self: a #StrataLane
 *
 * Returns: how often the lane rendered its image (tests)
 */
guint
strata_lane_get_render_count (StrataLane *self)
{
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);
  return priv->render_count;
}

/**
 * strata_lane_get_height:
 * @self: a #StrataLane
 *
 * Returns: the height the lane asks for (its #GtkWidget:height-request),
 *   -1 when it sets none
 */
int
strata_lane_get_height (StrataLane *self)
{
  int h = -1;

  g_return_val_if_fail (STRATA_IS_LANE (self), -1);
  gtk_widget_get_size_request (GTK_WIDGET (self), NULL, &h);
  return h;
}

/**
 * strata_lane_set_height:
 * @self: a #StrataLane
 * @height: pixels
 *
 * Makes the lane @height pixels tall (its #GtkWidget:height-request),
 * clamped to [%STRATA_LANE_MIN_HEIGHT, %STRATA_LANE_MAX_HEIGHT]; a lane
 * that filled the spare height stops doing so, the user chose its size.
 */
void
strata_lane_set_height (StrataLane *self, int height)
{
  int w = -1;

  g_return_if_fail (STRATA_IS_LANE (self));

  height = CLAMP (height, STRATA_LANE_MIN_HEIGHT, STRATA_LANE_MAX_HEIGHT);
  if (height == strata_lane_get_height (self))
    return;
  gtk_widget_get_size_request (GTK_WIDGET (self), &w, NULL);
  gtk_widget_set_vexpand (GTK_WIDGET (self), FALSE);
  gtk_widget_set_size_request (GTK_WIDGET (self), w, height);
}

/**
 * strata_lane_drag_border:
 * @self: a #StrataLane
 * @y: where the press is, in lane coordinates
 * @dy: how far it moves down (negative: up)
 *
 * Runs the same code as the pointer pressing at @y, moving by @dy and
 * releasing (tests).
 *
 * Returns: whether @y was on the bottom border (and the lane resized)
 */
gboolean
strata_lane_drag_border (StrataLane *self, double y, double dy)
{
  StrataLanePrivate *priv = strata_lane_get_instance_private (self);

  g_return_val_if_fail (STRATA_IS_LANE (self), FALSE);

  if (!on_border (self, y))
    return FALSE;
  priv->drag_height = gtk_widget_get_height (GTK_WIDGET (self));
  strata_lane_set_height (self, (int) lround (priv->drag_height + dy));
  priv->drag_height = -1;
  return TRUE;
}
