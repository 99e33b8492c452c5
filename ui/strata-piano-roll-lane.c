/* strata-piano-roll-lane.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>
#include "strata-piano-roll-lane.h"

#define MIN_SPAN 24             /* semitones shown at least */
#define MARGIN 2                /* semitones above and below the notes */
#define HIT_PX 2.0              /* a note this close to the pointer is under it */

struct _StrataPianoRollLane
{
  StrataLane parent_instance;

  GArray *notes;                /* (element-type StrataTimedNote) sorted, never NULL */
  double max_duration;          /* the longest note, s: bounds the hit search */
  int lo, hi;                   /* pitch range shown, inclusive */
  char *message;
  double pointer_x;             /* where the pointer is, for scrolls over the keyboard */
};

enum { SIGNAL_NOTE_ACTIVATED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (StrataPianoRollLane, strata_piano_roll_lane, STRATA_TYPE_LANE)

static gboolean
is_black (int pitch)
{
  int pc = ((pitch % 12) + 12) % 12;
  return pc == 1 || pc == 3 || pc == 6 || pc == 8 || pc == 10;
}

/**
 * strata_pitch_name:
 * @pitch: a MIDI note number
 *
 * Returns: (transfer full): its name with the octave, middle C = "C4"
 */
char *
strata_pitch_name (int pitch)
{
  static const char *names[12] = { "C", "C♯", "D", "D♯", "E", "F", "F♯", "G", "G♯", "A", "A♯", "B" };
  return g_strdup_printf ("%s%d", names[((pitch % 12) + 12) % 12], pitch / 12 - 1);
}

/**
 * strata_piano_roll_lane_velocity_color:
 * @velocity: MIDI velocity, 1..127
 * @r: (out): red, 0..1
 * @g: (out): green
 * @b: (out): blue
 *
 * The fill of a note: a pale blue for the softest, a deep blue for the
 * loudest, linear in velocity between them.
 */
void
strata_piano_roll_lane_velocity_color (int velocity, double *r, double *g, double *b)
{
  double v = CLAMP (velocity, 1, 127) / 127.0;

  *r = 0.72 + (0.05 - 0.72) * v;
  *g = 0.82 + (0.25 - 0.82) * v;
  *b = 0.97 + (0.70 - 0.97) * v;
}

static double
row_height (StrataPianoRollLane *self, int height)
{
  return (double) height / (self->hi - self->lo + 1);
}

/**
 * strata_piano_roll_lane_pitch_rows:
 * @self: a #StrataPianoRollLane
 * @pitch: a MIDI note number
 * @height: the lane's height in pixels
 * @top: (out) (optional): first row of @pitch
 * @bottom: (out) (optional): the row after its last
 *
 * Returns: whether @pitch is in the range shown
 */
gboolean
strata_piano_roll_lane_pitch_rows (StrataPianoRollLane *self, int pitch, int height,
                                   double *top, double *bottom)
{
  double rh;

  g_return_val_if_fail (STRATA_IS_PIANO_ROLL_LANE (self), FALSE);
  if (pitch < self->lo || pitch > self->hi || height <= 0)
    return FALSE;
  rh = row_height (self, height);
  if (top)
    *top = (self->hi - pitch) * rh;
  if (bottom)
    *bottom = (self->hi - pitch + 1) * rh;
  return TRUE;
}

/**
 * strata_piano_roll_lane_y_to_pitch:
 * @self: a #StrataPianoRollLane
 * @y: a row, 0 = top
 * @height: the lane's height in pixels
 *
 * Returns: the pitch shown at @y, or -1 outside the lane
 */
int
strata_piano_roll_lane_y_to_pitch (StrataPianoRollLane *self, double y, int height)
{
  g_return_val_if_fail (STRATA_IS_PIANO_ROLL_LANE (self), -1);
  if (height <= 0 || y < 0 || y >= height)
    return -1;
  return self->hi - (int) floor (y / row_height (self, height));
}

/* Fits the pitch range to the notes: MARGIN semitones around them, at
 * least MIN_SPAN, inside MIDI 0..127. */
static void
fit_range (StrataPianoRollLane *self)
{
  int lo = 127, hi = 0;

  for (guint i = 0; i < self->notes->len; i++)
    {
      const StrataTimedNote *n = &g_array_index (self->notes, StrataTimedNote, i);
      lo = MIN (lo, n->pitch);
      hi = MAX (hi, n->pitch);
    }
  if (self->notes->len == 0)
    lo = hi = 60;
  lo -= MARGIN;
  hi += MARGIN;
  while (hi - lo + 1 < MIN_SPAN)
    {
      lo--;
      if (hi - lo + 1 < MIN_SPAN)
        hi++;
    }
  if (lo < 0)
    hi -= lo, lo = 0;
  if (hi > 127)
    lo -= hi - 127, hi = 127;
  self->lo = MAX (lo, 0);
  self->hi = hi;
}

static void
strata_piano_roll_lane_render (StrataLane *lane, cairo_t *cr, int width, int height,
                               double start_s, double s_per_px)
{
  StrataPianoRollLane *self = STRATA_PIANO_ROLL_LANE (lane);
  double rh = row_height (self, height);
  double end_s = start_s + width * s_per_px;

  /* Rows: black keys' rows a shade darker, a line under every C. */
  cairo_set_source_rgb (cr, 0.98, 0.98, 0.98);
  cairo_paint (cr);
  for (int p = self->lo; p <= self->hi; p++)
    {
      double top = (self->hi - p) * rh;

      if (is_black (p))
        {
          cairo_set_source_rgb (cr, 0.92, 0.92, 0.93);
          cairo_rectangle (cr, 0, top, width, rh);
          cairo_fill (cr);
        }
      if (p % 12 == 0)
        {
          cairo_set_source_rgb (cr, 0.80, 0.80, 0.82);
          cairo_rectangle (cr, 0, floor (top + rh) - 1, width, 1);
          cairo_fill (cr);
        }
    }

  /* Notes, in onset order; only those that overlap the range. */
  for (guint i = 0; i < self->notes->len; i++)
    {
      const StrataTimedNote *n = &g_array_index (self->notes, StrataTimedNote, i);
      double r, g, b, x0, x1, top, bottom;

      if (n->onset >= end_s)
        break;
      if (n->offset <= start_s
          || !strata_piano_roll_lane_pitch_rows (self, n->pitch, height, &top, &bottom))
        continue;
      x0 = floor ((n->onset - start_s) / s_per_px);
      x1 = MAX (x0 + 1, floor ((n->offset - start_s) / s_per_px));
      strata_piano_roll_lane_velocity_color (n->velocity, &r, &g, &b);
      cairo_set_source_rgb (cr, r, g, b);
      cairo_rectangle (cr, x0, floor (top), x1 - x0, MAX (1.0, floor (bottom) - floor (top)));
      cairo_fill (cr);
    }
}

static void
show_text (StrataPianoRollLane *self, cairo_t *cr, const char *text, double x, double y,
           double r, double g, double b)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);

  cairo_set_source_rgb (cr, r, g, b);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

/* The keyboard ruler and, without notes, the message. */
static void
strata_piano_roll_lane_draw_overlay (StrataLane *lane, cairo_t *cr, int width, int height)
{
  StrataPianoRollLane *self = STRATA_PIANO_ROLL_LANE (lane);
  const double kw = STRATA_PIANO_ROLL_KEYS_WIDTH;
  const double white = STRATA_PIANO_ROLL_WHITE_KEY / 255.0;
  const double black = STRATA_PIANO_ROLL_BLACK_KEY / 255.0;
  double rh = row_height (self, height);
  PangoLayout *probe = gtk_widget_create_pango_layout (GTK_WIDGET (self), "C8");
  int th;

  pango_layout_get_pixel_size (probe, NULL, &th);
  g_object_unref (probe);

  cairo_set_source_rgb (cr, white, white, white);
  cairo_rectangle (cr, 0, 0, kw, height);
  cairo_fill (cr);
  for (int p = self->lo; p <= self->hi; p++)
    {
      double top = (self->hi - p) * rh;

      if (is_black (p))
        {
          cairo_set_source_rgb (cr, black, black, black);
          cairo_rectangle (cr, 0, floor (top), kw * 0.6, MAX (1.0, floor (top + rh) - floor (top)));
          cairo_fill (cr);
        }
      else if (p % 12 == 0 || p % 12 == 5)
        {
          /* the edge between B and C, E and F */
          cairo_set_source_rgb (cr, 0.70, 0.70, 0.72);
          cairo_rectangle (cr, 0, floor (top + rh) - 1, kw, 1);
          cairo_fill (cr);
        }
      /* C labels where an octave is tall enough for them. */
      if (p % 12 == 0 && rh * 12 >= th + 2)
        {
          g_autofree char *name = strata_pitch_name (p);
          show_text (self, cr, name, kw * 0.62, top + rh - th, 0.25, 0.25, 0.28);
        }
    }
  cairo_set_source_rgb (cr, 0.55, 0.55, 0.58);
  cairo_rectangle (cr, kw - 1, 0, 1, height);
  cairo_fill (cr);

  if (self->notes->len == 0 && self->message != NULL && self->message[0] != '\0')
    {
      PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->message);
      int tw, mh;

      pango_layout_get_pixel_size (layout, &tw, &mh);
      cairo_set_source_rgb (cr, 0.30, 0.30, 0.33);
      cairo_move_to (cr, MAX (kw + 8, (width - tw) / 2.0), (height - mh) / 2.0);
      pango_cairo_show_layout (cr, layout);
      g_object_unref (layout);
    }
}

/**
 * strata_piano_roll_lane_note_at:
 * @self: a #StrataPianoRollLane
 * @x: x in lane coordinates
 * @y: y in lane coordinates
 *
 * Returns: the index (into strata_piano_roll_lane_get_notes()) of the note
 *   under (@x, @y), the latest to start when notes overlap, or -1
 */
int
strata_piano_roll_lane_note_at (StrataPianoRollLane *self, double x, double y)
{
  StrataViewport *vp;
  int pitch, found = -1;
  double t, tol;

  g_return_val_if_fail (STRATA_IS_PIANO_ROLL_LANE (self), -1);

  vp = strata_lane_get_viewport (STRATA_LANE (self));
  if (vp == NULL || x < STRATA_PIANO_ROLL_KEYS_WIDTH)
    return -1;
  pitch = strata_piano_roll_lane_y_to_pitch (self, y, gtk_widget_get_height (GTK_WIDGET (self)));
  if (pitch < 0)
    return -1;
  t = strata_viewport_x_to_time (vp, x);
  tol = HIT_PX * strata_viewport_get_seconds_per_px (vp);
  for (guint i = 0; i < self->notes->len; i++)
    {
      const StrataTimedNote *n = &g_array_index (self->notes, StrataTimedNote, i);

      if (n->onset > t + tol)
        break;
      if (n->pitch == pitch && n->offset + tol >= t)
        found = (int) i;
    }
  return found;
}

/**
 * strata_piano_roll_lane_activate_at:
 * @self: a #StrataPianoRollLane
 * @x: x in lane coordinates
 * @y: y in lane coordinates
 *
 * A click: emits "note-activated" with the index of the note at (@x, @y).
 *
 * Returns: that index, or -1 (nothing emitted)
 */
int
strata_piano_roll_lane_activate_at (StrataPianoRollLane *self, double x, double y)
{
  int i = strata_piano_roll_lane_note_at (self, x, y);

  if (i >= 0)
    g_signal_emit (self, signals[SIGNAL_NOTE_ACTIVATED], 0, (guint) i);
  return i;
}

/* m:ss.mmm */
static char *
format_time (double s)
{
  gint64 ms = (gint64) (MAX (s, 0.0) * 1000.0 + 0.5);
  return g_strdup_printf ("%d:%02d.%03d", (int) (ms / 60000), (int) (ms / 1000 % 60), (int) (ms % 1000));
}

static char *
describe_point (StrataLane *lane, double x, double y)
{
  StrataPianoRollLane *self = STRATA_PIANO_ROLL_LANE (lane);
  int i;

  if (x < STRATA_PIANO_ROLL_KEYS_WIDTH)
    {
      int pitch = strata_piano_roll_lane_y_to_pitch (self, y, gtk_widget_get_height (GTK_WIDGET (self)));
      return pitch >= 0 ? strata_pitch_name (pitch) : NULL;
    }
  i = strata_piano_roll_lane_note_at (self, x, y);
  if (i < 0)
    return NULL;
  {
    const StrataTimedNote *n = &g_array_index (self->notes, StrataTimedNote, i);
    g_autofree char *name = strata_pitch_name (n->pitch);
    g_autofree char *on = format_time (n->onset);
    g_autofree char *off = format_time (n->offset);

    /* Translators: note name · onset – offset · velocity, e.g.
     * "A4 · 0:01.250 – 0:01.750 · velocity 96" */
    return g_strdup_printf (_("%s · %s – %s · velocity %d"), name, on, off, n->velocity);
  }
}

/**
 * strata_piano_roll_lane_scroll_pitch:
 * @self: a #StrataPianoRollLane
 * @semitones: how far to move the range shown (positive: up)
 *
 * Moves the pitch range shown, keeping its span, inside MIDI 0..127.
 */
void
strata_piano_roll_lane_scroll_pitch (StrataPianoRollLane *self, int semitones)
{
  int span;

  g_return_if_fail (STRATA_IS_PIANO_ROLL_LANE (self));
  span = self->hi - self->lo;
  self->hi = CLAMP (self->hi + semitones, span, 127);
  self->lo = self->hi - span;
  strata_lane_invalidate (STRATA_LANE (self));
}

/**
 * strata_piano_roll_lane_zoom_pitch:
 * @self: a #StrataPianoRollLane
 * @factor: > 1 shows fewer semitones, taller
 *
 * Zooms the pitch axis around the middle of the range shown, between one
 * octave and the whole MIDI range.
 */
void
strata_piano_roll_lane_zoom_pitch (StrataPianoRollLane *self, double factor)
{
  double mid;
  int span;

  g_return_if_fail (STRATA_IS_PIANO_ROLL_LANE (self));
  g_return_if_fail (factor > 0);
  mid = (self->lo + self->hi) / 2.0;
  span = CLAMP ((int) lround ((self->hi - self->lo + 1) / factor), 12, 128);
  self->lo = CLAMP ((int) lround (mid - (span - 1) / 2.0), 0, 128 - span);
  self->hi = self->lo + span - 1;
  strata_lane_invalidate (STRATA_LANE (self));
}

static void
motion_cb (GtkEventControllerMotion *motion, double x, double y, StrataPianoRollLane *self)
{
  self->pointer_x = x;
}

/* Over the keyboard: scroll moves the pitches, Ctrl+scroll zooms them;
 * elsewhere the timeline scrolls and zooms time. */
static gboolean
scroll_cb (GtkEventControllerScroll *scroll, double dx, double dy, StrataPianoRollLane *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));

  if (self->pointer_x >= STRATA_PIANO_ROLL_KEYS_WIDTH || dy == 0)
    return FALSE;
  if (mods & GDK_CONTROL_MASK)
    strata_piano_roll_lane_zoom_pitch (self, pow (1.25, -dy));
  else
    strata_piano_roll_lane_scroll_pitch (self, dy < 0 ? 2 : -2);
  return TRUE;
}

static void
click_pressed_cb (GtkGestureClick *click, int n_press, double x, double y, StrataPianoRollLane *self)
{
  if (n_press == 1)
    strata_piano_roll_lane_activate_at (self, x, y);
}

static void
strata_piano_roll_lane_finalize (GObject *object)
{
  StrataPianoRollLane *self = STRATA_PIANO_ROLL_LANE (object);

  g_array_unref (self->notes);
  g_free (self->message);
  G_OBJECT_CLASS (strata_piano_roll_lane_parent_class)->finalize (object);
}

static void
strata_piano_roll_lane_class_init (StrataPianoRollLaneClass *klass)
{
  StrataLaneClass *lane_class = STRATA_LANE_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = strata_piano_roll_lane_finalize;
  lane_class->render = strata_piano_roll_lane_render;
  lane_class->draw_overlay = strata_piano_roll_lane_draw_overlay;
  lane_class->describe_point = describe_point;
  lane_class->dark = FALSE;

  /**
   * StrataPianoRollLane::note-activated:
   * @index: the note's index in strata_piano_roll_lane_get_notes()
   *
   * A note was clicked.
   */
  signals[SIGNAL_NOTE_ACTIVATED] =
    g_signal_new ("note-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "strata-piano-roll-lane");
}

static void
strata_piano_roll_lane_init (StrataPianoRollLane *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);

  self->notes = g_array_new (FALSE, FALSE, sizeof (StrataTimedNote));
  fit_range (self);
  strata_lane_set_title (STRATA_LANE (self), _("Piano Roll"));
  gtk_widget_set_size_request (GTK_WIDGET (self), 100, 160);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "enter", G_CALLBACK (motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  /* Before the timeline's own scrolling, which the lane's owner adds later. */
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
}

/**
 * strata_piano_roll_lane_new:
 *
 * Returns: (transfer floating): a piano-roll lane
 */
StrataLane *
strata_piano_roll_lane_new (void)
{
  return g_object_new (STRATA_TYPE_PIANO_ROLL_LANE, NULL);
}

/**
 * strata_piano_roll_lane_set_notes:
 * @self: a #StrataPianoRollLane
 * @notes: (nullable) (element-type StrataTimedNote): the notes (copied)
 *
 * Draws @notes, with the pitch range fitted to them.
 */
void
strata_piano_roll_lane_set_notes (StrataPianoRollLane *self, const GArray *notes)
{
  g_return_if_fail (STRATA_IS_PIANO_ROLL_LANE (self));

  g_array_set_size (self->notes, 0);
  self->max_duration = 0;
  if (notes != NULL)
    g_array_append_vals (self->notes, notes->data, notes->len);
  strata_notes_sort (self->notes);
  for (guint i = 0; i < self->notes->len; i++)
    {
      const StrataTimedNote *n = &g_array_index (self->notes, StrataTimedNote, i);
      self->max_duration = MAX (self->max_duration, n->offset - n->onset);
    }
  fit_range (self);
  strata_lane_invalidate (STRATA_LANE (self));
}

/**
 * strata_piano_roll_lane_get_notes:
 * @self: a #StrataPianoRollLane
 *
 * Returns: (transfer none) (element-type StrataTimedNote): the notes drawn, sorted
 */
const GArray *
strata_piano_roll_lane_get_notes (StrataPianoRollLane *self)
{
  g_return_val_if_fail (STRATA_IS_PIANO_ROLL_LANE (self), NULL);
  return self->notes;
}

/**
 * strata_piano_roll_lane_set_message:
 * @self: a #StrataPianoRollLane
 * @message: (nullable): what the lane says while it has no notes
 */
void
strata_piano_roll_lane_set_message (StrataPianoRollLane *self, const char *message)
{
  g_return_if_fail (STRATA_IS_PIANO_ROLL_LANE (self));

  if (g_strcmp0 (self->message, message) == 0)
    return;
  g_free (self->message);
  self->message = g_strdup (message);
  strata_lane_invalidate (STRATA_LANE (self));
}

/**
 * strata_piano_roll_lane_get_message:
 * @self: a #StrataPianoRollLane
 *
 * Returns: (nullable): the message
 */
const char *
strata_piano_roll_lane_get_message (StrataPianoRollLane *self)
{
  g_return_val_if_fail (STRATA_IS_PIANO_ROLL_LANE (self), NULL);
  return self->message;
}

/**
 * strata_piano_roll_lane_get_pitch_range:
 * @self: a #StrataPianoRollLane
 * @lo: (out) (optional): the lowest pitch shown
 * @hi: (out) (optional): the highest
 */
void
strata_piano_roll_lane_get_pitch_range (StrataPianoRollLane *self, int *lo, int *hi)
{
  g_return_if_fail (STRATA_IS_PIANO_ROLL_LANE (self));
  if (lo)
    *lo = self->lo;
  if (hi)
    *hi = self->hi;
}
