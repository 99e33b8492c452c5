/* strata-timeline.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include "strata-settings.h"
#include "strata-timeline.h"

#define DRAG_THRESHOLD 4.0       /* px before a press becomes a selection */

struct _StrataTimeline
{
  GtkWidget parent_instance;

  GtkWidget *box;                /* vertical: scroller, scrollbar */
  GtkWidget *scroller;           /* scrolls the grid vertically when the lanes are taller */
  GtkWidget *grid;               /* column 0 the lanes' headers, column 1 the lanes */
  GtkWidget *scrollbar;
  GtkAdjustment *adjustment;
  StrataViewport *viewport;
  GPtrArray *lanes;              /* (element-type StrataLane) borrowed from the grid */
  GSettings *settings;           /* (nullable) remembers the lane heights */

  double pointer_x;              /* last pointer position in lane coordinates */
  gboolean pointer_inside;
  double drag_start_x;
  gboolean dragging;
  gboolean syncing;

  const StrataBeats *beats;      /* nullable, kept alive by beats_owner */
  gpointer beats_owner;
  GDestroyNotify beats_owner_free;
  gboolean snap;
};

#define SNAP_PX 10.0             /* a selection edge this close to a beat lands on it */

enum { SIGNAL_SEEK, SIGNAL_SELECTION_FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (StrataTimeline, strata_timeline, GTK_TYPE_WIDGET)

static void
sync_adjustment (StrataTimeline *self)
{
  double duration = strata_viewport_get_duration (self->viewport);
  double visible = strata_viewport_get_visible_seconds (self->viewport);

  self->syncing = TRUE;
  gtk_adjustment_configure (self->adjustment,
                            strata_viewport_get_start (self->viewport),
                            0.0, MAX (duration, visible),
                            visible / 10.0, visible * 0.9, visible);
  self->syncing = FALSE;
}

static void
adjustment_changed_cb (StrataTimeline *self)
{
  if (!self->syncing)
    strata_viewport_set_start (self->viewport, gtk_adjustment_get_value (self->adjustment));
}

/* Pointer interaction needs something to point at. */
static gboolean
has_duration (StrataTimeline *self)
{
  return strata_viewport_get_duration (self->viewport) > 0.0;
}

/* ---- pointer interaction -------------------------------------------------- */

static void
motion_cb (GtkEventControllerMotion *motion, double x, double y, StrataTimeline *self)
{
  self->pointer_x = x;
  self->pointer_inside = TRUE;
}

static void
leave_cb (GtkEventControllerMotion *motion, StrataTimeline *self)
{
  self->pointer_inside = FALSE;
}

/* Ctrl+scroll zooms around the pointer; any other scroll moves along time. */
static gboolean
scroll_by (StrataTimeline *self, double dx, double dy, GdkModifierType mods)
{
  double spp = strata_viewport_get_seconds_per_px (self->viewport);

  if (!has_duration (self))
    return FALSE;
  if (mods & GDK_CONTROL_MASK)
    {
      double anchor = strata_viewport_x_to_time (self->viewport, self->pointer_x);
      strata_viewport_zoom_around (self->viewport, pow (STRATA_TIMELINE_ZOOM_STEP, -dy), anchor);
      return TRUE;
    }
  /* Plain and Shift+scroll both move along time; touchpads give dx too. */
  strata_viewport_set_start (self->viewport,
                             strata_viewport_get_start (self->viewport)
                             + (dx + dy) * STRATA_TIMELINE_SCROLL_STEP_PX * spp);
  return TRUE;
}

static gboolean
scroll_cb (GtkEventControllerScroll *scroll, double dx, double dy, StrataTimeline *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));

  return scroll_by (self, dx, dy, mods);
}

static void
press_at (StrataTimeline *self, double x)
{
  self->drag_start_x = x;
  self->dragging = FALSE;
}

/* The time at @x, on the nearest beat when snapping and one is close. */
static double
snapped_time (StrataTimeline *self, double x)
{
  double t = strata_viewport_x_to_time (self->viewport, x);

  if (self->snap && self->beats != NULL)
    t = strata_beats_snap (self->beats, t,
                           SNAP_PX * strata_viewport_get_seconds_per_px (self->viewport), FALSE);
  return t;
}

static void
move_to (StrataTimeline *self, double x)
{
  if (!self->dragging && fabs (x - self->drag_start_x) >= DRAG_THRESHOLD)
    self->dragging = TRUE;
  if (self->dragging)
    strata_viewport_set_selection (self->viewport, snapped_time (self, self->drag_start_x),
                                   snapped_time (self, x));
}

static void
release_beats (StrataTimeline *self)
{
  if (self->beats_owner_free && self->beats_owner)
    self->beats_owner_free (self->beats_owner);
  self->beats_owner = NULL;
  self->beats_owner_free = NULL;
  self->beats = NULL;
}

/**
 * strata_timeline_set_beats:
 * @self: the timeline
 * @beats: (nullable): the beat grid, borrowed
 * @owner: (nullable): keeps @beats alive
 * @owner_free: (nullable): releases @owner
 */
void
strata_timeline_set_beats (StrataTimeline    *self,
                           const StrataBeats *beats,
                           gpointer           owner,
                           GDestroyNotify     owner_free)
{
  g_return_if_fail (STRATA_IS_TIMELINE (self));
  release_beats (self);
  self->beats = beats;
  self->beats_owner = owner;
  self->beats_owner_free = owner_free;
}

void
strata_timeline_set_snap (StrataTimeline *self, gboolean snap)
{
  g_return_if_fail (STRATA_IS_TIMELINE (self));
  self->snap = snap;
}

gboolean
strata_timeline_get_snap (StrataTimeline *self)
{
  g_return_val_if_fail (STRATA_IS_TIMELINE (self), FALSE);
  return self->snap;
}

static void
release_at (StrataTimeline *self, double x)
{
  move_to (self, x);
  if (!self->dragging)
    g_signal_emit (self, signals[SIGNAL_SEEK], 0, strata_viewport_x_to_time (self->viewport, x));
  else
    g_signal_emit (self, signals[SIGNAL_SELECTION_FINISHED], 0);
  self->dragging = FALSE;
}

static void
drag_begin_cb (GtkGestureDrag *drag, double x, double y, StrataTimeline *self)
{
  if (!has_duration (self))
    {
      gtk_gesture_set_state (GTK_GESTURE (drag), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  press_at (self, x);
}

static void
drag_update_cb (GtkGestureDrag *drag, double dx, double dy, StrataTimeline *self)
{
  move_to (self, self->drag_start_x + dx);
}

static void
drag_end_cb (GtkGestureDrag *drag, double dx, double dy, StrataTimeline *self)
{
  release_at (self, self->drag_start_x + dx);
}

/**
 * strata_timeline_pointer_gesture:
 * @self: a #StrataTimeline
 * @x0: press position in lane coordinates
 * @x1: release position (equal to @x0: a click, which seeks)
 *
 * Runs the same code as a primary-button press, drag and release (tests).
 */
void
strata_timeline_pointer_gesture (StrataTimeline *self, double x0, double x1)
{
  g_return_if_fail (STRATA_IS_TIMELINE (self));

  press_at (self, x0);
  move_to (self, (x0 + x1) / 2);
  release_at (self, x1);
}

/**
 * strata_timeline_scroll:
 * @self: a #StrataTimeline
 * @x: pointer position in lane coordinates
 * @dx: horizontal scroll delta (wheel notches)
 * @dy: vertical scroll delta (wheel notches; negative is up)
 * @state: the modifiers held (%GDK_CONTROL_MASK zooms)
 *
 * Runs the same code as the pointer moving to @x and a scroll event there
 * (tests).
 *
 * Returns: whether the scroll was handled (something is shown)
 */
gboolean
strata_timeline_scroll (StrataTimeline *self, double x, double dx, double dy,
                        GdkModifierType state)
{
  g_return_val_if_fail (STRATA_IS_TIMELINE (self), FALSE);

  self->pointer_x = x;
  self->pointer_inside = TRUE;
  return scroll_by (self, dx, dy, state);
}

/* ---- GObject -------------------------------------------------------------- */

static void
strata_timeline_dispose (GObject *object)
{
  StrataTimeline *self = STRATA_TIMELINE (object);

  release_beats (self);
  /* The lanes are borrowed from the grid: let go of them before it goes. */
  if (self->lanes != NULL)
    for (guint i = 0; i < self->lanes->len; i++)
      g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->lanes, i), self);
  g_clear_pointer (&self->lanes, g_ptr_array_unref);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  if (self->viewport)
    g_signal_handlers_disconnect_by_data (self->viewport, self);
  g_clear_object (&self->viewport);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (strata_timeline_parent_class)->dispose (object);
}

static void
strata_timeline_class_init (StrataTimelineClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = strata_timeline_dispose;

  /**
   * StrataTimeline::seek:
   * @seconds: the time the user clicked
   */
  signals[SIGNAL_SEEK] =
    g_signal_new ("seek", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);

  /**
   * StrataTimeline::selection-finished:
   *
   * The user released the button after dragging a selection (the
   * viewport's selection is final).
   */
  signals[SIGNAL_SELECTION_FINISHED] =
    g_signal_new ("selection-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "strata-timeline");
}

static void
strata_timeline_init (StrataTimeline *self)
{
  self->lanes = g_ptr_array_new ();
  self->viewport = strata_viewport_new ();
  g_signal_connect_swapped (self->viewport, "changed", G_CALLBACK (sync_adjustment), self);

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (self->grid), 1);
  gtk_widget_set_vexpand (self->grid, TRUE);
  gtk_widget_add_css_class (self->grid, "lanes");
  /* Taller lanes than the window has room for scroll vertically (time
   * scrolls with the scrollbar below and the wheel over the lanes). */
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->grid);
  gtk_widget_set_vexpand (self->scroller, TRUE);
  gtk_box_append (GTK_BOX (self->box), self->scroller);
  self->settings = strata_settings_new ();

  self->adjustment = gtk_adjustment_new (0, 0, 1, 0.1, 0.9, 1);
  g_signal_connect_swapped (self->adjustment, "value-changed",
                            G_CALLBACK (adjustment_changed_cb), self);
  self->scrollbar = gtk_scrollbar_new (GTK_ORIENTATION_HORIZONTAL, self->adjustment);
  gtk_widget_set_margin_start (self->scrollbar, 0);
  gtk_box_append (GTK_BOX (self->box), self->scrollbar);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
}

/**
 * strata_timeline_new:
 *
 * Returns: (transfer floating): an empty timeline
 */
GtkWidget *
strata_timeline_new (void)
{
  return g_object_new (STRATA_TYPE_TIMELINE, NULL);
}

/**
 * strata_timeline_get_viewport:
 * @self: a #StrataTimeline
 *
 * Returns: (transfer none): the viewport shared by the lanes
 */
StrataViewport *
strata_timeline_get_viewport (StrataTimeline *self)
{
  g_return_val_if_fail (STRATA_IS_TIMELINE (self), NULL);
  return self->viewport;
}

/* Puts @lane's header in the label column of @row, in place of what was
 * there, shown and hidden with the lane. The header stays the lane's
 * previous sibling, so keyboard focus reaches it just before the lane. */
static void
attach_header (StrataTimeline *self, StrataLane *lane, guint row)
{
  GtkWidget *header = strata_lane_get_header (lane);
  GtkWidget *old = gtk_grid_get_child_at (GTK_GRID (self->grid), 0, row);

  if (old == header)
    return;
  if (old != NULL)
    gtk_grid_remove (GTK_GRID (self->grid), old);
  gtk_widget_add_css_class (header, "lane-label");
  g_object_bind_property (lane, "visible", header, "visible", G_BINDING_SYNC_CREATE);
  gtk_grid_attach (GTK_GRID (self->grid), header, 0, row, 1, 1);
  gtk_widget_insert_before (header, self->grid, GTK_WIDGET (lane));
}

/* ---- lane heights, remembered per kind -------------------------------------- */

static int
remembered_height (StrataTimeline *self, StrataLane *lane)
{
  g_autoptr(GVariant) heights = NULL;
  int h = -1;

  if (self->settings == NULL)
    return -1;
  heights = g_settings_get_value (self->settings, "lane-heights");
  if (!g_variant_lookup (heights, G_OBJECT_TYPE_NAME (lane), "i", &h))
    return -1;
  return h;
}

static void
lane_height_changed_cb (StrataLane *lane, GParamSpec *pspec, StrataTimeline *self)
{
  g_autoptr(GVariant) old = NULL;
  GVariantBuilder b;
  GVariantIter iter;
  const char *kind, *mine = G_OBJECT_TYPE_NAME (lane);
  int h = strata_lane_get_height (lane), v;

  if (self->settings == NULL || h < 0 || h == remembered_height (self, lane))
    return;
  old = g_settings_get_value (self->settings, "lane-heights");
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{si}"));
  g_variant_iter_init (&iter, old);
  while (g_variant_iter_next (&iter, "{&si}", &kind, &v))
    if (g_strcmp0 (kind, mine) != 0)
      g_variant_builder_add (&b, "{si}", kind, v);
  g_variant_builder_add (&b, "{si}", mine, h);
  g_settings_set_value (self->settings, "lane-heights", g_variant_builder_end (&b));
}

static void
header_changed_cb (StrataLane *lane, GParamSpec *pspec, StrataTimeline *self)
{
  guint row;

  if (g_ptr_array_find (self->lanes, lane, &row))
    attach_header (self, lane, row);
}

/**
 * strata_timeline_add_lane:
 * @self: a #StrataTimeline
 * @lane: (transfer floating): the lane to append at the bottom
 *
 * Appends a lane with its header (strata_lane_get_header(): by default its
 * title) in the label column, shares the viewport with it, and gives it
 * the pointer interaction. The header follows the lane's #StrataLane:header
 * and #GtkWidget:visible. A lane of a kind the user resized before (by
 * its bottom border) gets that height back; a new height is remembered
 * (in GSettings, when the schema is there).
 */
void
strata_timeline_add_lane (StrataTimeline *self, StrataLane *lane)
{
  GtkEventController *controller;
  GtkGesture *drag;
  guint row;

  g_return_if_fail (STRATA_IS_TIMELINE (self));
  g_return_if_fail (STRATA_IS_LANE (lane));

  row = self->lanes->len;
  gtk_grid_attach (GTK_GRID (self->grid), GTK_WIDGET (lane), 1, row, 1, 1);
  /* attach_header() keeps the header right before the lane. */
  g_ptr_array_add (self->lanes, lane);
  attach_header (self, lane, row);
  g_signal_connect (lane, "notify::header", G_CALLBACK (header_changed_cb), self);
  {
    int h = remembered_height (self, lane);
    if (h > 0)
      strata_lane_set_height (lane, h);
  }
  g_signal_connect (lane, "notify::height-request", G_CALLBACK (lane_height_changed_cb), self);

  strata_lane_set_viewport (lane, self->viewport);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (lane), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (lane), controller);

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (lane), GTK_EVENT_CONTROLLER (drag));
}

/**
 * strata_timeline_get_n_lanes:
 * @self: a #StrataTimeline
 *
 * Returns: the number of lanes
 */
guint
strata_timeline_get_n_lanes (StrataTimeline *self)
{
  g_return_val_if_fail (STRATA_IS_TIMELINE (self), 0);
  return self->lanes->len;
}

/**
 * strata_timeline_get_lane:
 * @self: a #StrataTimeline
 * @index: the row
 *
 * Returns: (transfer none): the lane at @index
 */
StrataLane *
strata_timeline_get_lane (StrataTimeline *self, guint index)
{
  g_return_val_if_fail (STRATA_IS_TIMELINE (self), NULL);
  g_return_val_if_fail (index < self->lanes->len, NULL);
  return g_ptr_array_index (self->lanes, index);
}

/**
 * strata_timeline_set_duration:
 * @self: a #StrataTimeline
 * @duration: the length of what the lanes show, in seconds (0: nothing)
 *
 * Sets the time range of every lane, fits it and clears the selection. The
 * lanes get their data through their own setters; with a duration of 0
 * they draw nothing and the pointer does nothing.
 */
void
strata_timeline_set_duration (StrataTimeline *self, double duration)
{
  g_return_if_fail (STRATA_IS_TIMELINE (self));

  strata_viewport_set_duration (self->viewport, MAX (duration, 0.0));
  sync_adjustment (self);
}

/**
 * strata_timeline_zoom:
 * @self: a #StrataTimeline
 * @factor: > 1 zooms in
 *
 * Zooms around the playhead when it is visible, else around the centre.
 */
void
strata_timeline_zoom (StrataTimeline *self, double factor)
{
  StrataViewport *vp;
  double playhead, start, visible, anchor;

  g_return_if_fail (STRATA_IS_TIMELINE (self));

  vp = self->viewport;
  playhead = strata_viewport_get_playhead (vp);
  start = strata_viewport_get_start (vp);
  visible = strata_viewport_get_visible_seconds (vp);
  anchor = (playhead >= start && playhead <= start + visible) ? playhead : start + visible / 2;
  strata_viewport_zoom_around (vp, factor, anchor);
}

/**
 * strata_timeline_format_time:
 * @seconds: a time (negative counts as 0)
 *
 * Returns: (transfer full): "m:ss.mmm", as every time in the window reads
 */
char *
strata_timeline_format_time (double seconds)
{
  gint64 ms = (gint64) (MAX (seconds, 0.0) * 1000.0 + 0.5);
  return g_strdup_printf ("%d:%02d.%03d", (int) (ms / 60000), (int) (ms / 1000 % 60),
                          (int) (ms % 1000));
}
