/* strata-piano-roll-lane.h: the transcription as a piano roll.
 *
 * Notes (StrataTimedNote, given by strata_piano_roll_lane_set_notes())
 * are rectangles on a pitch axis, one row a semitone, shaded by velocity
 * (strata_piano_roll_lane_velocity_color()); a keyboard ruler with
 * C labels covers the lane's left STRATA_PIANO_ROLL_KEYS_WIDTH pixels.
 * The pitch range fits the notes (at least two octaves); scrolling over
 * the keyboard moves it, Ctrl+scroll there zooms it. The lane follows
 * the shared viewport like every lane; the tooltip names the note under
 * the pointer with its times and velocity; a click on a note emits
 * "note-activated" (the window sounds it). Without notes the lane shows
 * its message ("No notes found", a progress or an error).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "tasks/transcription/strata-transcription.h"
#include "strata-lane.h"

G_BEGIN_DECLS

#define STRATA_PIANO_ROLL_KEYS_WIDTH 36
/* Colours of the keyboard ruler's keys (0..255). */
#define STRATA_PIANO_ROLL_WHITE_KEY 0xf4
#define STRATA_PIANO_ROLL_BLACK_KEY 0x30

#define STRATA_TYPE_PIANO_ROLL_LANE (strata_piano_roll_lane_get_type ())
G_DECLARE_FINAL_TYPE (StrataPianoRollLane, strata_piano_roll_lane, STRATA, PIANO_ROLL_LANE, StrataLane)

StrataLane *strata_piano_roll_lane_new          (void);

/* @notes: (nullable) (element-type StrataTimedNote): copied; %NULL clears. */
void        strata_piano_roll_lane_set_notes    (StrataPianoRollLane *self, const GArray *notes);
/* Returns: (transfer none) (nullable) (element-type StrataTimedNote): the notes, sorted. */
const GArray *strata_piano_roll_lane_get_notes  (StrataPianoRollLane *self);
/* @message: (nullable): shown across the lane when it has no notes. */
void        strata_piano_roll_lane_set_message  (StrataPianoRollLane *self, const char *message);
const char *strata_piano_roll_lane_get_message  (StrataPianoRollLane *self);

/* Vertical navigation (also: scroll and Ctrl+scroll over the keyboard):
 * move the range shown by @semitones, or show @factor times fewer pitches. */
void        strata_piano_roll_lane_scroll_pitch (StrataPianoRollLane *self, int semitones);
void        strata_piano_roll_lane_zoom_pitch   (StrataPianoRollLane *self, double factor);
/* The lowest and highest pitch shown (MIDI). */
void        strata_piano_roll_lane_get_pitch_range (StrataPianoRollLane *self, int *lo, int *hi);
/* Rows [@top, @bottom) of @pitch's row in a lane @height pixels tall;
 * FALSE when @pitch is outside the range shown. */
gboolean    strata_piano_roll_lane_pitch_rows   (StrataPianoRollLane *self, int pitch, int height,
                                                 double *top, double *bottom);
/* The pitch whose row holds @y, or -1. */
int         strata_piano_roll_lane_y_to_pitch   (StrataPianoRollLane *self, double y, int height);
/* The index of the note under (@x, @y) in lane coordinates, or -1. */
int         strata_piano_roll_lane_note_at      (StrataPianoRollLane *self, double x, double y);
/* What a click at (@x, @y) does: emits "note-activated" (index) for the
 * note there; returns its index or -1. */
int         strata_piano_roll_lane_activate_at  (StrataPianoRollLane *self, double x, double y);
/* A note's fill colour for @velocity (1..127): louder is darker, 0..1. */
void        strata_piano_roll_lane_velocity_color (int velocity, double *r, double *g, double *b);
/* "A4" for 69; @pitch 0..127. (transfer full) */
char       *strata_pitch_name                   (int pitch);

G_END_DECLS
