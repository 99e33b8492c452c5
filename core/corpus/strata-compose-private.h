/* strata-compose-private.h: the style table behind the composition generator.
 *
 * Rhythms are written as step strings, one character a grid step of a
 * sixteenth note (120 ticks): 16 steps a bar in 4/4, 12 in 3/4 and 6/8.
 *
 *   drums:  'X' accent, 'x' normal, 'o' ghost, 'O' open hi-hat (hat lane), '.' rest
 *   bass:   'R' root (accent), 'r' root, '5' fifth, '8' octave, '3' third,
 *           '6' sixth, '7' seventh, 'a' approach to the next chord, '-' hold, '.' rest
 *   comp:   'x' hit (down stroke), 'u' up stroke (strums), '-' hold, '.' rest
 *
 * Lists of GM programs and drum kits are space-separated numbers.
 * Chord progressions are space-separated bars; a bar is one chord or two
 * separated by ','. A chord is a scale degree 1..7 of the mode, optionally
 * followed by a quality: 'M' major, 'm' minor, '7' dominant seventh,
 * 'j' major seventh, 'n' minor seventh, 'd' diminished, 's' sus4;
 * a leading 'b' lowers the root a semitone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "corpus/strata-compose.h"

G_BEGIN_DECLS

typedef enum {
  COMP_NONE,
  COMP_BLOCK,   /* block chords on the hits */
  COMP_STRUM,   /* guitar strums: down 'x' low to high, up 'u' high to low */
  COMP_ARP,     /* one chord tone a hit, cycling up and down */
  COMP_PAD,     /* sustained chords, re-struck on chord changes */
  COMP_POWER,   /* root-fifth-octave power chords */
} CompKind;

typedef enum {
  FILL_TOMS,    /* rock/pop tom runs and snare builds */
  FILL_JAZZ,    /* sparse snare/tom triplet figures */
  FILL_ROLL,    /* electronic snare roll crescendo */
  FILL_LATIN,   /* timbales / congas */
  FILL_NONE,
} FillKind;

typedef struct {
  CompKind    kind;
  const char *rhythm[2];   /* verse, chorus */
  const char *programs;
  int         center;      /* MIDI pitch the voicings sit around */
  int         n_voices;    /* notes a chord (block/strum/pad) */
  float       legato;      /* fraction of the inter-onset gap a hit sounds */
  float       level;       /* velocity scale */
} CompSpec;

typedef struct {
  const char *name;
  int         bpm_min, bpm_max;   /* quarter notes a minute */
  int         meter;              /* 4 (4/4), 3 (3/4), 6 (6/8) */
  float       swing;              /* 8th-note swing, 0 .. 1/3 */
  gboolean    swing16;            /* swing the 16ths instead */
  const char *modes;              /* e.g. "major minor" */
  gboolean    sevenths;           /* diatonic seventh chords by default */
  const char *verse_progs[5];     /* NULL-terminated */
  const char *chorus_progs[5];
  /* drums, [0] verse, [1] chorus; NULL kick = no drums */
  const char *kick[2], *snare[2], *hat[2], *extra[2];
  int         snare_key, hat_key[2], extra_key;
  const char *kits;
  FillKind    fill;
  /* bass */
  const char *bass[2];            /* NULL: walking bass */
  const char *bass_programs;
  float       bass_legato;
  /* comping */
  CompSpec    comp[2];
  /* lead */
  const char *lead_programs;
  const char *vocal_programs;
  float       vocal_prob;
  float       lead_density;       /* 0 sparse .. 1 busy */
  int         lead_center;
  /* feel and sound */
  float       human_ms, human_vel;
  float       reverb_min, reverb_max;
  float       gain_db[STRATA_N_STEMS];  /* style offsets to the stem gains (mix labels) */
} StrataStyle;

const StrataStyle *_strata_style_lookup (const char *name);
const StrataStyle *_strata_style_get    (guint index);
guint              _strata_style_count  (void);

G_END_DECLS
