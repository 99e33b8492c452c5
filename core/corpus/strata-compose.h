/* strata-compose.h: Strata's composition generator.
 *
 * A StrataPiece is a complete multi-instrument composition drawn from a
 * style and a seed: tempo, metre, key and mode, a form of sections with
 * dynamics, parts (one MIDI channel each, with a General MIDI program and
 * the stem it renders into) and every note. Time is kept in MIDI ticks at
 * STRATA_PIECE_PPQ ticks per quarter note and a constant tempo, so a tick
 * converts to seconds exactly (strata_piece_tick_to_seconds()).
 *
 * The generator is deterministic: the same style, seed and length give the
 * same piece on every machine (it uses its own PRNG, never rand()).
 * A StrataPiece is a plain value: no thread-safety beyond "one writer".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define STRATA_PIECE_PPQ 480
#define STRATA_PIECE_MAX_PARTS 8

/* The six stems every separated or rendered track is made of. */
typedef enum {
  STRATA_STEM_DRUMS,
  STRATA_STEM_BASS,
  STRATA_STEM_GUITAR,
  STRATA_STEM_PIANO,
  STRATA_STEM_VOCALS,
  STRATA_STEM_OTHER,
  STRATA_N_STEMS
} StrataStem;

const char *strata_stem_get_name       (StrataStem stem);
int         strata_stem_from_name      (const char *name);
StrataStem  strata_stem_for_program    (int program,
                                        gboolean is_drums);
const char *strata_gm_family_name      (int program);
const char *strata_gm_program_name     (int program);

typedef struct {
  gint64  on;        /* ticks */
  gint64  off;       /* ticks, > on */
  guint8  pitch;     /* MIDI key (GM drum key on the drum part) */
  guint8  velocity;  /* 1..127 */
  guint8  part;      /* index into StrataPiece.parts */
} StrataNote;

typedef struct {
  char        role[16];    /* "drums", "bass", "comp", "comp2", "lead" */
  int         channel;     /* MIDI channel 0..15 (9 = drums) */
  int         program;     /* GM program 0..127 (drum kit number on channel 9) */
  gboolean    is_drums;
  StrataStem  stem;
  int         volume;      /* CC 7 */
  int         reverb_send; /* CC 91 */
  int         chorus_send; /* CC 93 */
} StrataPart;

typedef struct {
  char   name[16];   /* "intro", "verse", "chorus", "bridge", "outro" */
  int    first_bar;
  int    n_bars;
  float  dynamics;   /* velocity scale, ~0.6 .. 1.0 */
} StrataPieceSection;

/* Mix parameters of a piece (labels in mix.json). */
typedef struct {
  float  gain_db[STRATA_N_STEMS];  /* drawn per stem, before normalisation */
  float  pan[STRATA_N_STEMS];      /* -1 (left) .. 1 (right), constant-power balance */
  float  reverb_room, reverb_damp, reverb_width, reverb_level;
  float  chorus_level, chorus_speed, chorus_depth;
  int    chorus_voices;
} StrataMix;

typedef struct {
  char          *style;
  guint64        seed;
  double         bpm;
  int            meter_num;     /* 4, 3 or 6 */
  int            meter_den;     /* 4 or 8 */
  int            key;           /* tonic pitch class, 0 = C */
  const char    *mode;          /* "major", "minor", "dorian", "mixolydian" */
  double         swing;         /* 0 = straight .. 1/3 = triplet feel */
  gint64         bar_ticks;
  int            n_bars;
  gint64         end_tick;      /* last note off */
  GArray        *sections;      /* of StrataPieceSection */
  StrataPart     parts[STRATA_PIECE_MAX_PARTS];
  int            n_parts;
  GArray        *notes;         /* of StrataNote, sorted by onset */
  StrataMix      mix;
} StrataPiece;

/* Options of strata_piece_compose(). */
typedef struct {
  double   seconds;    /* target length (the piece ends on a bar line near it) */
  gboolean demo_form;  /* fixed intro-verse-chorus-outro form (the demo track) */
  const char *solo_role; /* nullable: keep only this part ("lead", "bass", ...) */
  int      solo_program; /* -1, or force the GM program of every pitched part */
} StrataComposeOptions;

void                strata_compose_options_init  (StrataComposeOptions *options);
const char * const *strata_compose_list_styles   (void);
gboolean            strata_compose_has_style     (const char *style);
const char         *strata_compose_style_name    (const char *style);

StrataPiece *strata_piece_compose (const char                 *style,
                                   guint64                     seed,
                                   const StrataComposeOptions *options);
void         strata_piece_free    (StrataPiece *piece);
double       strata_piece_tick_to_seconds (const StrataPiece *piece,
                                           gint64             tick);
double       strata_piece_get_duration    (const StrataPiece *piece);
const char  *strata_key_name      (int key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataPiece, strata_piece_free)

G_END_DECLS
