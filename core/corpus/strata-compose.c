/* strata-compose.c: the composition generator.
 *
 * A piece is built bar by bar on a grid of sixteenth-note steps: a form of
 * sections (intro, verse, chorus, bridge, outro) each with a chord
 * progression from its style, then the parts: drums (verse/chorus patterns,
 * a fill at every section end, a crash on every section start), a bass that
 * follows the chord roots, one or two comping parts voice-led from chord to
 * chord, and a monophonic lead melody written in phrases (motif, answer,
 * motif, cadence) over chord tones and scale steps. Repeated sections reuse
 * their melody, so pieces have a song form. Finally swing and humanisation
 * (timing and velocity) are applied.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "corpus/strata-compose-private.h"
#include "nn/strata-nn.h"

#define STEP_TICKS (STRATA_PIECE_PPQ / 4)
#define TAIL_SECONDS 2.0

/* ---------------------------------------------------------------- PRNG */

/* The project's PRNG (xoshiro256**, seeded through splitmix64). */
typedef StrataRng Rng;

static void
rng_init (Rng *rng, guint64 seed)
{
  strata_rng_seed (rng, seed);
}

static guint64
rng_next (Rng *rng)
{
  return strata_rng_next (rng);
}

static double
rng_uniform (Rng *rng)
{
  return (rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

static double
rng_range (Rng *rng, double lo, double hi)
{
  return lo + (hi - lo) * rng_uniform (rng);
}

static int
rng_int (Rng *rng, int n)
{
  return n <= 1 ? 0 : (int) (rng_uniform (rng) * n);
}

static gboolean
rng_chance (Rng *rng, double p)
{
  return rng_uniform (rng) < p;
}

static double
rng_gauss (Rng *rng)
{
  double u1 = rng_uniform (rng), u2 = rng_uniform (rng);

  if (u1 < 1e-12)
    u1 = 1e-12;
  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

/* Picks one number of a space-separated list. */
static int
rng_pick_number (Rng *rng, const char *list)
{
  int values[32], n = 0;
  const char *p = list;
  char *end;

  while (p && *p && n < 32)
    {
      long v = strtol (p, &end, 10);
      if (end == p)
        break;
      values[n++] = (int) v;
      p = end;
    }
  g_assert (n > 0);
  return values[rng_int (rng, n)];
}

/* Picks one word of a space-separated list; returns a static string. */
static const char *
rng_pick_mode (Rng *rng, const char *list)
{
  static const char *const modes[] = { "major", "minor", "dorian", "mixolydian" };
  const char *found[16];
  int n = 0;

  for (const char *p = list; *p && n < 16;)
    {
      while (*p == ' ')
        p++;
      for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
        {
          gsize len = strlen (modes[m]);
          if (strncmp (p, modes[m], len) == 0 && (p[len] == ' ' || p[len] == '\0'))
            {
              found[n++] = modes[m];
              break;
            }
        }
      while (*p && *p != ' ')
        p++;
    }
  g_assert (n > 0);
  return found[rng_int (rng, n)];
}

/* ---------------------------------------------------------------- harmony */

static const int *
mode_scale (const char *mode)
{
  static const int major[7] = { 0, 2, 4, 5, 7, 9, 11 };
  static const int minor[7] = { 0, 2, 3, 5, 7, 8, 10 };
  static const int dorian[7] = { 0, 2, 3, 5, 7, 9, 10 };
  static const int mixolydian[7] = { 0, 2, 4, 5, 7, 9, 10 };

  if (strcmp (mode, "minor") == 0)
    return minor;
  if (strcmp (mode, "dorian") == 0)
    return dorian;
  if (strcmp (mode, "mixolydian") == 0)
    return mixolydian;
  return major;
}

typedef struct {
  int root;      /* pitch class */
  int n;         /* 3 or 4 */
  int iv[4];     /* intervals above the root */
} Chord;

static Chord
parse_chord (const char *tok, int key, const int *scale, gboolean sevenths)
{
  Chord c = { 0 };
  gboolean flat = FALSE;
  int degree;

  if (*tok == 'b')
    {
      flat = TRUE;
      tok++;
    }
  degree = CLAMP (*tok - '1', 0, 6);
  tok++;
  c.root = (key + scale[degree] - (flat ? 1 : 0) + 12) % 12;

  switch (*tok)
    {
    case 'M': c.n = 3; c.iv[1] = 4; c.iv[2] = 7; break;
    case 'm': c.n = 3; c.iv[1] = 3; c.iv[2] = 7; break;
    case '7': c.n = 4; c.iv[1] = 4; c.iv[2] = 7; c.iv[3] = 10; break;
    case 'j': c.n = 4; c.iv[1] = 4; c.iv[2] = 7; c.iv[3] = 11; break;
    case 'n': c.n = 4; c.iv[1] = 3; c.iv[2] = 7; c.iv[3] = 10; break;
    case 'd': c.n = 3; c.iv[1] = 3; c.iv[2] = 6; break;
    case 's': c.n = 3; c.iv[1] = 5; c.iv[2] = 7; break;
    default:
      if (flat)
        {
          c.n = 3; c.iv[1] = 4; c.iv[2] = 7;
          break;
        }
      c.n = sevenths ? 4 : 3;
      for (int k = 1; k < c.n; k++)
        c.iv[k] = (scale[(degree + 2 * k) % 7] - scale[degree] + 12) % 12;
      break;
    }
  return c;
}

static gboolean
chord_has_pc (const Chord *c, int pc)
{
  for (int k = 0; k < c->n; k++)
    if ((c->root + c->iv[k]) % 12 == ((pc % 12) + 12) % 12)
      return TRUE;
  return FALSE;
}

static gboolean
scale_has_pc (const int *scale, int key, int pc)
{
  for (int k = 0; k < 7; k++)
    if ((key + scale[k]) % 12 == ((pc % 12) + 12) % 12)
      return TRUE;
  return FALSE;
}

/* ---------------------------------------------------------------- form */

typedef enum { SEC_INTRO, SEC_VERSE, SEC_CHORUS, SEC_BRIDGE, SEC_OUTRO } SectionKind;

static const char *const section_names[] = { "intro", "verse", "chorus", "bridge", "outro" };

typedef struct {
  int          section;      /* index into the sections array */
  SectionKind  kind;
  int          pattern;      /* 0 verse patterns, 1 chorus patterns */
  int          bar_in_section;
  gboolean     section_start;
  gboolean     section_end;  /* a fill goes here */
  gboolean     final;        /* the closing hit */
  float        dyn;
  Chord        chord[2];
  int          split;        /* step of the second chord; = steps when one chord */
} Bar;

typedef struct {
  StrataPiece        *piece;
  const StrataStyle  *style;
  Rng                 rng;
  const int          *scale;
  int                 steps;       /* steps a bar */
  int                 beat;        /* steps a beat */
  gboolean            meter_is_compound;
  Bar                *bars;
  const char         *progs[5];    /* per SectionKind */
  GArray             *notes;
  /* per part state */
  int                 drums, bass, comp[2], lead;
} Ctx;

static gint64
step_tick (const Ctx *ctx, int bar, int step)
{
  return bar * ctx->piece->bar_ticks + (gint64) step * STEP_TICKS;
}

static void
add_note (Ctx *ctx, int part, gint64 on, gint64 off, int pitch, double velocity)
{
  StrataNote n;

  if (part < 0 || off <= on || pitch < 0 || pitch > 127)
    return;
  memset (&n, 0, sizeof n);   /* padding too: notes compare with memcmp */
  n.on = on;
  n.off = off;
  n.pitch = (guint8) pitch;
  n.velocity = (guint8) CLAMP ((int) lround (velocity), 1, 127);
  n.part = (guint8) part;
  g_array_append_val (ctx->notes, n);
}

static const Chord *
chord_at (const Ctx *ctx, int bar, int step)
{
  const Bar *b = &ctx->bars[bar];

  return step >= b->split ? &b->chord[1] : &b->chord[0];
}

/* The next chord change after (bar, step), as a tick, and its chord. */
static gint64
next_change (const Ctx *ctx, int bar, int step, const Chord **next)
{
  const Bar *b = &ctx->bars[bar];

  if (step < b->split && b->split < ctx->steps)
    {
      *next = &b->chord[1];
      return step_tick (ctx, bar, b->split);
    }
  if (bar + 1 < ctx->piece->n_bars)
    *next = &ctx->bars[bar + 1].chord[0];
  else
    *next = &b->chord[0];
  return step_tick (ctx, bar + 1, 0);
}

static void
build_form (Ctx *ctx, const StrataComposeOptions *options)
{
  StrataPiece *p = ctx->piece;
  static const SectionKind song[] = {
    SEC_VERSE, SEC_CHORUS, SEC_VERSE, SEC_CHORUS, SEC_BRIDGE, SEC_CHORUS, SEC_CHORUS,
    SEC_VERSE, SEC_CHORUS, SEC_BRIDGE, SEC_CHORUS, SEC_CHORUS,
  };
  double bar_seconds = strata_piece_tick_to_seconds (p, p->bar_ticks);
  int total = (int) lround (options->seconds / bar_seconds);
  int unit, used = 0;
  guint next = 0;

  total = MAX (total, 4);
  unit = total >= 40 ? 8 : 4;

#define ADD_SECTION(kind_, bars_, dyn_) G_STMT_START {                   \
    StrataPieceSection s_ = { { 0 }, used, (bars_), (dyn_) };                \
    g_strlcpy (s_.name, section_names[kind_], sizeof s_.name);          \
    g_array_append_val (p->sections, s_);                               \
    used += (bars_);                                                    \
  } G_STMT_END

  ADD_SECTION (SEC_INTRO, unit == 8 ? 4 : 2, 0.72f);
  while (total - used - unit >= 2 && next < G_N_ELEMENTS (song))
    {
      SectionKind k = song[next++];
      if (options->demo_form && k != SEC_VERSE && k != SEC_CHORUS)
        continue;
      ADD_SECTION (k, unit, k == SEC_CHORUS ? 1.0f : k == SEC_BRIDGE ? 0.78f : 0.84f);
    }
  ADD_SECTION (SEC_OUTRO, MAX (2, total - used), 0.92f);
#undef ADD_SECTION
  p->n_bars = used;
}

static void
build_bars (Ctx *ctx)
{
  StrataPiece *p = ctx->piece;
  const StrataStyle *st = ctx->style;

  /* one progression per section kind, so repeated sections repeat */
  ctx->progs[SEC_VERSE] = st->verse_progs[rng_int (&ctx->rng, g_strv_length ((char **) st->verse_progs))];
  ctx->progs[SEC_CHORUS] = st->chorus_progs[rng_int (&ctx->rng, g_strv_length ((char **) st->chorus_progs))];
  ctx->progs[SEC_BRIDGE] = st->verse_progs[rng_int (&ctx->rng, g_strv_length ((char **) st->verse_progs))];
  if (ctx->progs[SEC_BRIDGE] == ctx->progs[SEC_VERSE])
    ctx->progs[SEC_BRIDGE] = st->chorus_progs[rng_int (&ctx->rng, g_strv_length ((char **) st->chorus_progs))];
  ctx->progs[SEC_INTRO] = rng_chance (&ctx->rng, 0.5) ? ctx->progs[SEC_VERSE] : ctx->progs[SEC_CHORUS];
  ctx->progs[SEC_OUTRO] = ctx->progs[SEC_CHORUS];

  ctx->bars = g_new0 (Bar, p->n_bars);
  for (guint s = 0; s < p->sections->len; s++)
    {
      const StrataPieceSection *sec = &g_array_index (p->sections, StrataPieceSection, s);
      SectionKind kind = SEC_INTRO;
      g_auto (GStrv) tokens = NULL;
      guint n_tokens;

      for (guint k = 0; k < G_N_ELEMENTS (section_names); k++)
        if (strcmp (sec->name, section_names[k]) == 0)
          kind = k;
      tokens = g_strsplit (ctx->progs[kind], " ", -1);
      n_tokens = g_strv_length (tokens);

      for (int i = 0; i < sec->n_bars; i++)
        {
          Bar *b = &ctx->bars[sec->first_bar + i];
          g_auto (GStrv) halves = g_strsplit (tokens[i % n_tokens], ",", 2);

          b->section = s;
          b->kind = kind;
          b->pattern = (kind == SEC_CHORUS || kind == SEC_OUTRO) ? 1 : 0;
          b->bar_in_section = i;
          b->section_start = i == 0;
          b->section_end = i == sec->n_bars - 1 && s + 1 < p->sections->len;
          b->final = sec->first_bar + i == p->n_bars - 1;
          b->dyn = sec->dynamics;
          if (kind == SEC_OUTRO && i >= sec->n_bars - 2)
            b->dyn *= 0.9f;
          if (b->final)
            {
              /* close on the tonic */
              b->chord[0] = parse_chord ("1", p->key, ctx->scale, st->sevenths);
              b->chord[1] = b->chord[0];
              b->split = ctx->steps;
              continue;
            }
          b->chord[0] = parse_chord (halves[0], p->key, ctx->scale, st->sevenths);
          if (halves[1])
            {
              b->chord[1] = parse_chord (halves[1], p->key, ctx->scale, st->sevenths);
              b->split = ctx->steps / 2;
            }
          else
            {
              b->chord[1] = b->chord[0];
              b->split = ctx->steps;
            }
        }
    }
}

/* ---------------------------------------------------------------- drums */

enum {
  KICK = 36, SIDE_STICK = 37, SNARE = 38, CLAP = 39, HAT_CLOSED = 42, HAT_PEDAL = 44,
  HAT_OPEN = 46, CRASH = 49, CRASH2 = 57, RIDE = 51, TOM_HI = 50, TOM_HIMID = 48,
  TOM_LOWMID = 47, TOM_LOW = 45, TOM_FLOOR_HI = 43, TOM_FLOOR_LOW = 41,
  TIMBALE_HI = 65, TIMBALE_LO = 66, CONGA_HI = 63, CONGA_LO = 64,
};

static double
drum_velocity (char c)
{
  switch (c)
    {
    case 'X': return 118;
    case 'x': case 'O': return 96;
    case 'o': return 58;
    default: return 0;
    }
}

static void
drum_fill (Ctx *ctx, int bar, int from, double dyn)
{
  int part = ctx->drums;
  FillKind kind = ctx->style->fill;
  static const int toms[] = { TOM_HI, TOM_HIMID, TOM_LOWMID, TOM_LOW, TOM_FLOOR_HI, TOM_FLOOR_LOW };
  int variant = rng_int (&ctx->rng, 3);
  int n = ctx->steps - from;

  for (int i = 0; i < n; i++)
    {
      int step = from + i;
      gint64 on = step_tick (ctx, bar, step);
      double ramp = 0.7 + 0.3 * (double) i / MAX (1, n - 1);
      int key = -1;

      switch (kind)
        {
        case FILL_TOMS:
          if (variant == 0)        /* 16th tom run, high to low */
            key = toms[MIN (5, i * 6 / n)];
          else if (variant == 1)   /* 8ths: snare, then toms */
            key = (i % 2) ? -1 : (i < n / 2 ? SNARE : toms[2 + (i * 4 / n) % 4]);
          else                     /* snare build */
            key = SNARE;
          break;
        case FILL_JAZZ:
          if (i % 2 == 0 && rng_chance (&ctx->rng, 0.6))
            key = rng_chance (&ctx->rng, 0.6) ? SNARE : toms[rng_int (&ctx->rng, 2) * 3 + 1];
          ramp *= 0.8;
          break;
        case FILL_ROLL:
          key = (variant == 0 && i % 2) ? -1 : SNARE;
          ramp = 0.45 + 0.55 * (double) i / MAX (1, n - 1);
          break;
        case FILL_LATIN:
          key = (i % 4 == 3) ? -1 : (i < n / 2 ? TIMBALE_HI : TIMBALE_LO);
          break;
        case FILL_NONE:
        default:
          return;
        }
      if (key >= 0)
        add_note (ctx, part, on, on + STEP_TICKS, key, 108 * ramp * dyn);
      if (i % 4 == 0 && kind != FILL_JAZZ)
        add_note (ctx, part, on, on + STEP_TICKS, KICK, 100 * dyn);
    }
}

/* The piece's own copy of the style's patterns, varied a little: an extra
 * or a dropped kick, 16th hats, an open hat before the bar line, so a style
 * is not one groove. [pattern][lane], lanes kick, snare, hat, extra. */
typedef char DrumLanes[2][4][17];

static void
vary_drums (Ctx *ctx, DrumLanes lanes)
{
  const StrataStyle *st = ctx->style;
  int n = ctx->steps;

  for (int pat = 0; pat < 2; pat++)
    {
      char *kick = lanes[pat][0], *snare = lanes[pat][1], *hat = lanes[pat][2];

      g_strlcpy (kick, st->kick[pat], 17);
      g_strlcpy (snare, st->snare[pat], 17);
      g_strlcpy (hat, st->hat[pat], 17);
      g_strlcpy (lanes[pat][3], st->extra[pat] ? st->extra[pat] : "................", n + 1);
      if (st->fill == FILL_JAZZ || st->fill == FILL_NONE)
        continue;   /* jazz and waltz time stay as written */
      if (rng_chance (&ctx->rng, 0.5))
        {
          /* one more kick on a free eighth that carries no snare */
          int at = 2 * (1 + rng_int (&ctx->rng, n / 2 - 1));
          if (kick[at] == '.' && snare[at] == '.')
            kick[at] = 'x';
        }
      if (rng_chance (&ctx->rng, 0.25))
        {
          /* drop a kick that is not on the downbeat */
          int at = 1 + rng_int (&ctx->rng, n - 1);
          if (kick[at] != '.')
            kick[at] = '.';
        }
      if (ctx->beat == 4 && rng_chance (&ctx->rng, 0.25))
        {
          /* eighth hats become sixteenths */
          gboolean eighths = TRUE;
          for (int i = 0; i < n; i++)
            eighths = eighths && ((i % 2 == 0) == (hat[i] != '.'));
          if (eighths)
            for (int i = 1; i < n; i += 2)
              hat[i] = 'o';
        }
      if (rng_chance (&ctx->rng, 0.3) && hat[n - 2] != '.')
        hat[n - 2] = 'O';
    }
}

static void
write_drums (Ctx *ctx)
{
  const StrataStyle *st = ctx->style;
  StrataPiece *p = ctx->piece;
  int part = ctx->drums;
  gboolean sparse_intro = rng_chance (&ctx->rng, 0.5);
  DrumLanes lanes;

  if (part < 0)
    return;
  vary_drums (ctx, lanes);
  for (int bar = 0; bar < p->n_bars; bar++)
    {
      const Bar *b = &ctx->bars[bar];
      int pat = b->pattern;
      int fill_from = ctx->steps;
      double dyn = b->dyn;

      if (b->final)
        {
          gint64 on = step_tick (ctx, bar, 0);
          add_note (ctx, part, on, on + STEP_TICKS, KICK, 115 * dyn);
          add_note (ctx, part, on, on + STEP_TICKS, CRASH, 115 * dyn);
          add_note (ctx, part, on, on + STEP_TICKS, CRASH2, 100 * dyn);
          continue;
        }
      if (b->section_end && st->fill != FILL_NONE)
        fill_from = rng_chance (&ctx->rng, 0.5) ? ctx->steps / 2 : ctx->steps * 3 / 4;
      if (ctx->meter_is_compound && fill_from < ctx->steps)
        fill_from = ctx->steps / 2;

      for (int step = 0; step < fill_from; step++)
        {
          gint64 on = step_tick (ctx, bar, step);
          gint64 off = on + STEP_TICKS;
          char k = lanes[pat][0][step], s = lanes[pat][1][step], h = lanes[pat][2][step];
          char e = lanes[pat][3][step];
          gboolean crash = b->section_start && bar > 0 && step == 0;
          gboolean quiet = b->kind == SEC_INTRO && sparse_intro && b->bar_in_section == 0;

          if (k != '.' && !quiet)
            add_note (ctx, part, on, off, KICK, drum_velocity (k) * dyn);
          if (s != '.' && !quiet)
            add_note (ctx, part, on, off, st->snare_key, drum_velocity (s) * dyn);
          if (crash)
            add_note (ctx, part, on, off, rng_chance (&ctx->rng, 0.7) ? CRASH : CRASH2, 112 * dyn);
          else if (h != '.')
            add_note (ctx, part, on, off, h == 'O' ? HAT_OPEN : st->hat_key[pat],
                      drum_velocity (h) * dyn * 0.85);
          if (e != '.' && !quiet)
            add_note (ctx, part, on, off, st->extra_key, drum_velocity (e) * dyn * 0.7);
        }
      if (fill_from < ctx->steps)
        drum_fill (ctx, bar, fill_from, dyn);
    }
}

/* ---------------------------------------------------------------- bass */

static int
bass_root (int pc)
{
  return 28 + ((pc - 4 + 24) % 12);   /* E1 .. D#2 */
}

static int
nearest_pc (int pc, int around)
{
  int best = around, best_d = 99;

  for (int p = around - 6; p <= around + 6; p++)
    if (((p % 12) + 12) % 12 == ((pc % 12) + 12) % 12 && abs (p - around) < best_d)
      {
        best = p;
        best_d = abs (p - around);
      }
  return best;
}

static void
write_walking_bass (Ctx *ctx)
{
  StrataPiece *p = ctx->piece;
  int part = ctx->bass, prev = 40;

  for (int bar = 0; bar < p->n_bars; bar++)
    {
      const Bar *b = &ctx->bars[bar];

      for (int beat = 0; beat * ctx->beat < ctx->steps; beat++)
        {
          int step = beat * ctx->beat;
          const Chord *c = chord_at (ctx, bar, step), *next;
          gint64 on = step_tick (ctx, bar, step);
          gint64 change = next_change (ctx, bar, step, &next);
          int pitch;

          if (b->final && beat > 0)
            break;
          if (on == change - ctx->beat * STEP_TICKS && !b->final)
            {
              /* last beat before a change: approach the next root */
              int target = nearest_pc (next->root, prev);
              pitch = target + (rng_chance (&ctx->rng, 0.5) ? 1 : -1);
            }
          else if (step == 0 || step == b->split)
            pitch = nearest_pc (c->root, prev);
          else
            {
              int iv = c->iv[1 + rng_int (&ctx->rng, c->n - 1)];
              if (rng_chance (&ctx->rng, 0.3))
                iv = ctx->scale[rng_int (&ctx->rng, 7)];
              pitch = nearest_pc (c->root + iv, prev + (rng_chance (&ctx->rng, 0.5) ? 2 : -2));
            }
          while (pitch < 28)
            pitch += 12;
          while (pitch > 52)
            pitch -= 12;
          add_note (ctx, part, on,
                    on + (gint64) ((b->final ? ctx->steps : ctx->beat) * STEP_TICKS * 0.9),
                    pitch, (beat % 2 ? 84 : 92) * b->dyn);
          prev = pitch;
        }
    }
}

static void
write_bass (Ctx *ctx)
{
  const StrataStyle *st = ctx->style;
  StrataPiece *p = ctx->piece;
  int part = ctx->bass;

  if (part < 0)
    return;
  if (st->bass[0] == NULL)
    {
      write_walking_bass (ctx);
      return;
    }
  for (int bar = 0; bar < p->n_bars; bar++)
    {
      const Bar *b = &ctx->bars[bar];
      const char *pat = st->bass[b->pattern];

      if (b->final)
        {
          add_note (ctx, part, step_tick (ctx, bar, 0), step_tick (ctx, bar, ctx->steps),
                    bass_root (b->chord[0].root), 100 * b->dyn);
          continue;
        }
      if (b->kind == SEC_INTRO && b->bar_in_section == 0 && rng_chance (&ctx->rng, 0.3))
        continue;
      for (int step = 0; step < ctx->steps; step++)
        {
          char c = pat[step];
          const Chord *ch = chord_at (ctx, bar, step), *next;
          int root = bass_root (ch->root), pitch, end = step + 1;
          double vel = 88;

          if (c == '.' || c == '-')
            continue;
          while (end < ctx->steps && pat[end] == '-')
            end++;
          switch (c)
            {
            case 'R': pitch = root; vel = 100; break;
            case 'r': pitch = root; break;
            case '5': pitch = root + 7; break;
            case '8': pitch = root + 12; break;
            case '3': pitch = root + ch->iv[1]; break;
            case '6': pitch = root + 9; break;
            case '7': pitch = root + (ch->n > 3 ? ch->iv[3] : 10); break;
            case 'a':
              next_change (ctx, bar, step, &next);
              pitch = bass_root (next->root) - 1;
              break;
            default: pitch = root; break;
            }
          if (step >= b->split && end <= b->split)
            end = ctx->steps;
          if (step < b->split && end > b->split)
            end = b->split;
          add_note (ctx, part, step_tick (ctx, bar, step),
                    step_tick (ctx, bar, step) + (gint64) ((end - step) * STEP_TICKS * st->bass_legato),
                    pitch, vel * b->dyn);
        }
    }
}

/* ---------------------------------------------------------------- comping */

/* Chooses @n chord tones around @target from the tones inside
 * [center - 8, center + 11]: the window of consecutive tones whose mean is
 * nearest to @target (voice leading). Returns the count written. */
static int
voice_chord (const Chord *c, int center, int n, double target, int *out)
{
  int tones[32], n_tones = 0, best = 0;
  double best_d = 1e9;

  for (int p = center - 8; p <= center + 11 && n_tones < 32; p++)
    if (chord_has_pc (c, p))
      tones[n_tones++] = p;
  n = MIN (n, n_tones);
  for (int i = 0; i + n <= n_tones; i++)
    {
      double mean = 0;
      for (int k = 0; k < n; k++)
        mean += tones[i + k];
      mean /= n;
      if (fabs (mean - target) < best_d)
        {
          best_d = fabs (mean - target);
          best = i;
        }
    }
  for (int k = 0; k < n; k++)
    out[k] = tones[best + k];
  return n;
}

static void
write_comp (Ctx *ctx, int which)
{
  const StrataStyle *st = ctx->style;
  const CompSpec *spec = &st->comp[which];
  StrataPiece *p = ctx->piece;
  int part = ctx->comp[which];
  double prev_mean = spec->center;
  int arp_index = 0;

  if (part < 0)
    return;
  for (int bar = 0; bar < p->n_bars; bar++)
    {
      const Bar *b = &ctx->bars[bar];
      const char *rhythm = spec->rhythm[b->pattern];

      for (int step = 0; step < ctx->steps; step++)
        {
          char c = rhythm[step];
          const Chord *ch = chord_at (ctx, bar, step), *next;
          int end = step + 1, voices[8], n;
          gint64 on = step_tick (ctx, bar, step), off, change;
          double vel = 96 * spec->level * b->dyn * (step == 0 ? 1.08 : 1.0);

          if (b->final)
            {
              if (step > 0)
                break;
              c = 'x';
              end = ctx->steps;
            }
          else
            {
              /* pads re-strike on a chord change without a hit */
              if (spec->kind == COMP_PAD && step == b->split && step < ctx->steps && c != 'x')
                c = 'x';
              if (c != 'x' && c != 'u')
                continue;
              while (end < ctx->steps && rhythm[end] == '-')
                end++;
            }
          off = on + (gint64) ((end - step) * STEP_TICKS * (b->final ? 1.0 : spec->legato));
          change = next_change (ctx, bar, step, &next);
          if (spec->kind != COMP_ARP && off > change)
            off = change;
          if (spec->kind == COMP_ARP && off > change + STEP_TICKS * 2)
            off = change + STEP_TICKS * 2;

          switch (spec->kind)
            {
            case COMP_POWER:
              {
                int root = spec->center - 6 + ((ch->root - (spec->center - 6)) % 12 + 12) % 12;
                add_note (ctx, part, on, off, root, vel);
                add_note (ctx, part, on, off, root + 7, vel * 0.95);
                add_note (ctx, part, on, off, root + 12, vel * 0.9);
              }
              break;
            case COMP_STRUM:
              n = voice_chord (ch, spec->center, spec->n_voices, prev_mean, voices);
              for (int k = 0; k < n; k++)
                {
                  int idx = c == 'u' ? n - 1 - k : k;
                  gint64 delay = (gint64) k * (10 + rng_int (&ctx->rng, 8));
                  if (c == 'u' && k >= n - 1)
                    break;
                  add_note (ctx, part, on + delay, off, voices[idx], vel * (c == 'u' ? 0.78 : 1.0) * (1.0 - 0.03 * k));
                }
              prev_mean = 0;
              for (int k = 0; k < n; k++)
                prev_mean += voices[k] / (double) n;
              break;
            case COMP_ARP:
              n = voice_chord (ch, spec->center, spec->n_voices, spec->center, voices);
              {
                int cycle = 2 * n - 2, i = arp_index % MAX (1, cycle);
                int idx = i < n ? i : cycle - i;
                if (b->final)
                  for (int k = 0; k < n; k++)
                    add_note (ctx, part, on + k * 40, off, voices[k], vel);
                else
                  add_note (ctx, part, on, off, voices[CLAMP (idx, 0, n - 1)], vel * (i == 0 ? 1.05 : 0.92));
                arp_index++;
              }
              break;
            case COMP_BLOCK:
            case COMP_PAD:
            default:
              n = voice_chord (ch, spec->center, spec->n_voices, prev_mean * 0.7 + spec->center * 0.3, voices);
              for (int k = 0; k < n; k++)
                add_note (ctx, part, on, off, voices[k], vel * (spec->kind == COMP_PAD ? 0.85 : 1.0));
              prev_mean = 0;
              for (int k = 0; k < n; k++)
                prev_mean += voices[k] / (double) n;
              break;
            }
        }
    }
}

/* ---------------------------------------------------------------- lead */

typedef struct {
  int    step;     /* from the phrase start */
  int    len;      /* steps */
} Onset;

/* Rhythm cells of one beat; density picks between the calm and busy sets. */
static const char *
pick_cell (Ctx *ctx, gboolean vocal, double density)
{
  static const char *const calm4[] = { "x---", "x---", "x-x-", "----", "x---", "..x-" };
  static const char *const busy4[] = { "x-x-", "x-xx", "xxx-", "x-x-", ".x-x", "x---", "xxxx" };
  static const char *const calm6[] = { "x-----", "x-----", "x---x-", "------", "x-x-x-" };
  static const char *const busy6[] = { "x-x-x-", "x---x-", "x-xxx-", "x-----", "----x-" };
  gboolean busy = rng_chance (&ctx->rng, density);

  if (ctx->beat == 6)
    return busy ? busy6[rng_int (&ctx->rng, G_N_ELEMENTS (busy6))]
                : calm6[rng_int (&ctx->rng, G_N_ELEMENTS (calm6))];
  if (busy)
    {
      /* voices do not sing 16th runs */
      int n = vocal ? 4 : G_N_ELEMENTS (busy4);
      return busy4[rng_int (&ctx->rng, n)];
    }
  return calm4[rng_int (&ctx->rng, G_N_ELEMENTS (calm4))];
}

/* One bar of rhythm as onsets; @cadence ends the bar on a long note. */
static int
bar_rhythm (Ctx *ctx, gboolean vocal, double density, gboolean cadence, int *onsets)
{
  char grid[32];
  int n = 0, beats = ctx->steps / ctx->beat;

  for (int beat = 0; beat < beats; beat++)
    memcpy (grid + beat * ctx->beat, pick_cell (ctx, vocal, density), ctx->beat);
  if (cadence)
    {
      /* hold a note from the second beat (or the middle), rest at the end */
      int hold = ctx->beat == 6 ? 6 : (beats == 3 ? 4 : 4 * (1 + rng_int (&ctx->rng, 2)));
      grid[hold] = 'x';
      for (int s = hold + 1; s < ctx->steps; s++)
        grid[s] = '-';
    }
  if (grid[0] != 'x' && rng_chance (&ctx->rng, 0.6))
    grid[0] = 'x';
  for (int s = 0; s < ctx->steps; s++)
    if (grid[s] == 'x')
      onsets[n++] = s;
  return n;
}

typedef struct {
  gint64 on, off;   /* ticks from the section start */
  int    pitch;
  double vel;
} LeadNote;

static void
melody_section (Ctx *ctx, const StrataPieceSection *sec, gboolean vocal, int center, GArray *out)
{
  const StrataStyle *st = ctx->style;
  const StrataPiece *p = ctx->piece;
  int lo = center - 9, hi = center + 10;
  int pitch = center + rng_int (&ctx->rng, 5) - 2;
  int dir = rng_chance (&ctx->rng, 0.5) ? 1 : -1;
  int motif[32], n_motif = 0;
  double density = st->lead_density * (strcmp (sec->name, "chorus") == 0 ? 1.1 : 0.9);

  n_motif = bar_rhythm (ctx, vocal, density, FALSE, motif);
  for (int i = 0; i < sec->n_bars; i++)
    {
      int bar = sec->first_bar + i;
      int onsets[32], n;
      gboolean phrase_end = (i % 2 == 1) || i == sec->n_bars - 1;
      gboolean section_end = i == sec->n_bars - 1;

      if (ctx->bars[bar].final)
        break;
      if (i % 2 == 0 && !(i % 4 == 2 && rng_chance (&ctx->rng, 0.3)))
        {
          memcpy (onsets, motif, sizeof (int) * n_motif);   /* the motif returns */
          n = n_motif;
        }
      else
        n = bar_rhythm (ctx, vocal, density, phrase_end, onsets);
      if (n == 0)
        continue;

      for (int k = 0; k < n; k++)
        {
          int step = onsets[k];
          int next = k + 1 < n ? onsets[k + 1] : ctx->steps;
          const Chord *c = chord_at (ctx, bar, step);
          gboolean strong = step % ctx->beat == 0;
          gboolean last = k == n - 1 && phrase_end;
          LeadNote ln;

          if (last)
            {
              /* resolve: nearest chord root or third, the tonic at a section end */
              int target = section_end ? p->key : (rng_chance (&ctx->rng, 0.5) ? c->root : c->root + c->iv[1]);
              pitch = nearest_pc (target, pitch);
            }
          else if (strong)
            {
              int cand[16], nc = 0;
              for (int q = pitch - 5; q <= pitch + 5; q++)
                if (chord_has_pc (c, q) && q != pitch && (q - pitch) * dir >= 0)
                  cand[nc++] = q;
              if (nc == 0)
                pitch = nearest_pc (c->root + c->iv[rng_int (&ctx->rng, c->n)], pitch);
              else
                pitch = cand[rng_int (&ctx->rng, MIN (nc, 2))];
            }
          else
            {
              int steps = rng_chance (&ctx->rng, 0.75) ? 1 : 2;
              for (int s = 0; s < steps; s++)
                do
                  pitch += dir;
                while (!scale_has_pc (ctx->scale, p->key, pitch));
            }
          while (pitch < lo)
            pitch += 12;
          while (pitch > hi)
            pitch -= 12;
          if (pitch <= lo + 2)
            dir = 1;
          else if (pitch >= hi - 2)
            dir = -1;
          else if (rng_chance (&ctx->rng, 0.25))
            dir = -dir;

          ln.on = (gint64) i * p->bar_ticks + (gint64) step * STEP_TICKS;
          ln.off = (gint64) i * p->bar_ticks
                   + (gint64) (step + MAX (1, (next - step) * (vocal ? 0.95 : 0.85))) * STEP_TICKS;
          if (last)
            ln.off = (gint64) i * p->bar_ticks + (gint64) (ctx->steps - ctx->beat / 2) * STEP_TICKS;
          ln.pitch = pitch;
          ln.vel = (strong ? 96 : 86) + (last ? -4 : 0);
          g_array_append_val (out, ln);
        }
    }
}

static void
write_lead (Ctx *ctx, gboolean vocal)
{
  StrataPiece *p = ctx->piece;
  int part = ctx->lead;
  g_autoptr (GArray) verse = g_array_new (FALSE, FALSE, sizeof (LeadNote));
  g_autoptr (GArray) chorus = g_array_new (FALSE, FALSE, sizeof (LeadNote));
  g_autoptr (GArray) bridge = g_array_new (FALSE, FALSE, sizeof (LeadNote));
  int center = vocal ? 67 : ctx->style->lead_center;
  int verse_bars = 0, chorus_bars = 0, bridge_bars = 0;

  if (part < 0)
    return;
  for (guint s = 0; s < p->sections->len; s++)
    {
      const StrataPieceSection *sec = &g_array_index (p->sections, StrataPieceSection, s);
      GArray *mel = NULL;
      int *bars = NULL, c = center;

      if (strcmp (sec->name, "verse") == 0)
        mel = verse, bars = &verse_bars;
      else if (strcmp (sec->name, "chorus") == 0 || strcmp (sec->name, "outro") == 0)
        mel = chorus, bars = &chorus_bars, c = center + 3;
      else if (strcmp (sec->name, "bridge") == 0)
        mel = bridge, bars = &bridge_bars, c = center + 1;
      else
        continue;
      if (*bars < sec->n_bars)
        {
          /* write the melody once for the longest instance of the section */
          g_array_set_size (mel, 0);
          melody_section (ctx, sec, vocal, c, mel);
          *bars = sec->n_bars;
        }
      for (guint k = 0; k < mel->len; k++)
        {
          const LeadNote *ln = &g_array_index (mel, LeadNote, k);
          gint64 base = (gint64) sec->first_bar * p->bar_ticks;
          int bar = sec->first_bar + (int) (ln->on / p->bar_ticks);

          if (ln->on >= (gint64) sec->n_bars * p->bar_ticks || bar >= p->n_bars || ctx->bars[bar].final)
            break;
          add_note (ctx, part, base + ln->on, base + ln->off, ln->pitch, ln->vel * sec->dynamics);
        }
    }
  /* the closing note */
  add_note (ctx, part, step_tick (ctx, p->n_bars - 1, 0), step_tick (ctx, p->n_bars, 0) - STEP_TICKS,
            nearest_pc (p->key, center + 2), 92 * ctx->bars[p->n_bars - 1].dyn);
}

/* ---------------------------------------------------------------- feel */

static gint64
swing_tick (gint64 tick, double swing, gint64 unit)
{
  gint64 base = tick - tick % unit, pos = tick % unit;
  double half = unit / 2.0, shift = swing * half;

  if (swing <= 0)
    return tick;
  if (pos < half)
    return base + (gint64) llround (pos * (half + shift) / half);
  return base + (gint64) llround (half + shift + (pos - half) * (half - shift) / half);
}

static int
compare_notes (gconstpointer a, gconstpointer b)
{
  const StrataNote *x = a, *y = b;

  if (x->on != y->on)
    return x->on < y->on ? -1 : 1;
  if (x->part != y->part)
    return x->part - y->part;
  return x->pitch - y->pitch;
}

static void
humanise (Ctx *ctx)
{
  const StrataStyle *st = ctx->style;
  StrataPiece *p = ctx->piece;
  double ticks_per_ms = STRATA_PIECE_PPQ * p->bpm / 60000.0;
  gint64 unit = st->swing16 ? STRATA_PIECE_PPQ / 2 : STRATA_PIECE_PPQ;
  double sd = st->human_ms * ticks_per_ms;

  for (guint i = 0; i < ctx->notes->len; i++)
    {
      StrataNote *n = &g_array_index (ctx->notes, StrataNote, i);
      gint64 len = n->off - n->on;
      guint64 h = p->seed ^ ((guint64) n->part << 56) ^ (guint64) n->on * 0x9E3779B1u;
      Rng local;
      double dt, dv;

      /* one timing offset per part and grid position, so chords stay together */
      rng_init (&local, h);
      dt = CLAMP (rng_gauss (&local) * sd, -2.5 * sd, 2.5 * sd);
      dv = rng_gauss (&ctx->rng) * st->human_vel;
      if (p->meter_num != 6)
        {
          n->on = swing_tick (n->on, p->swing, unit);
          len = MAX (STEP_TICKS / 4, swing_tick (n->on + len, p->swing, unit) - n->on);
        }
      n->on = MAX (0, n->on + (gint64) llround (dt));
      n->off = n->on + MAX (len, 20);
      n->velocity = (guint8) CLAMP ((int) lround (n->velocity + dv), 1, 127);
    }
  g_array_sort (ctx->notes, compare_notes);

  /* the lead stays monophonic */
  if (ctx->lead >= 0)
    {
      StrataNote *prev = NULL;
      for (guint i = 0; i < ctx->notes->len; i++)
        {
          StrataNote *n = &g_array_index (ctx->notes, StrataNote, i);
          if (n->part != ctx->lead)
            continue;
          if (prev && prev->off > n->on - 10)
            prev->off = MAX (prev->on + 20, n->on - 10);
          prev = n;
        }
    }
}

/* ---------------------------------------------------------------- piece */

/**
 * strata_compose_options_init:
 * @options: (out caller-allocates): options to initialise
 *
 * Sets the defaults: 45 s, song form, every part.
 */
void
strata_compose_options_init (StrataComposeOptions *options)
{
  memset (options, 0, sizeof *options);
  options->seconds = 45.0;
  options->solo_program = -1;
}

static int
add_part (StrataPiece *p, const char *role, int channel, int program, gboolean is_drums)
{
  StrataPart *part = &p->parts[p->n_parts];

  g_assert (p->n_parts < STRATA_PIECE_MAX_PARTS);
  g_strlcpy (part->role, role, sizeof part->role);
  part->channel = channel;
  part->program = program;
  part->is_drums = is_drums;
  part->stem = strata_stem_for_program (program, is_drums);
  return p->n_parts++;
}

static void
draw_mix (Ctx *ctx)
{
  StrataPiece *p = ctx->piece;
  StrataMix *m = &p->mix;
  Rng *r = &ctx->rng;
  static const float gain_mean[STRATA_N_STEMS] = { 0, -1, -2, -2, 1, -3 };
  static const float pan_spread[STRATA_N_STEMS] = { 0.1f, 0.05f, 0.6f, 0.4f, 0.1f, 0.5f };
  double wet = rng_range (r, ctx->style->reverb_min, ctx->style->reverb_max);

  for (int s = 0; s < STRATA_N_STEMS; s++)
    {
      m->gain_db[s] = (float) (gain_mean[s] + ctx->style->gain_db[s] + rng_range (r, -2.5, 2.5));
      m->pan[s] = (float) rng_range (r, -pan_spread[s], pan_spread[s]);
    }
  m->reverb_room = (float) (0.2 + 0.7 * wet);
  m->reverb_damp = (float) rng_range (r, 0.1, 0.6);
  m->reverb_width = (float) rng_range (r, 0.5, 1.0);
  m->reverb_level = (float) rng_range (r, 0.4, 0.9);
  m->chorus_level = (float) rng_range (r, 0.5, 2.0);
  m->chorus_speed = (float) rng_range (r, 0.2, 0.8);
  m->chorus_depth = (float) rng_range (r, 2.0, 10.0);
  m->chorus_voices = 3;

  for (int i = 0; i < p->n_parts; i++)
    {
      StrataPart *part = &p->parts[i];
      double role_wet = part->is_drums ? 0.5 : strcmp (part->role, "bass") == 0 ? 0.15 : 0.8;

      part->volume = CLAMP (100 + rng_int (r, 21) - 10, 1, 127);
      part->reverb_send = CLAMP ((int) lround (127 * wet * role_wet), 0, 127);
      part->chorus_send = part->is_drums || strcmp (part->role, "bass") == 0
                          ? 0 : rng_int (r, 40);
    }
}

/**
 * strata_piece_compose:
 * @style: a style name (strata_compose_list_styles()) or an alias of one
 * @seed: the piece's seed
 * @options: (nullable): length and form; %NULL for the defaults
 *
 * Writes a piece. Deterministic: the same arguments give the same piece.
 *
 * Returns: (transfer full) (nullable): the piece, or %NULL when @style is
 *   unknown.
 */
StrataPiece *
strata_piece_compose (const char                 *style,
                      guint64                     seed,
                      const StrataComposeOptions *options)
{
  StrataComposeOptions defaults;
  const StrataStyle *st = _strata_style_lookup (style);
  g_autofree Bar *bars = NULL;
  StrataPiece *p;
  Ctx ctx = { 0 };
  gboolean vocal;

  if (st == NULL)
    return NULL;
  if (options == NULL)
    {
      strata_compose_options_init (&defaults);
      options = &defaults;
    }

  style = st->name;   /* the canonical name, also for an alias ("hip-hop") */
  p = g_new0 (StrataPiece, 1);
  p->style = g_strdup (style);
  p->seed = seed;
  p->sections = g_array_new (FALSE, FALSE, sizeof (StrataPieceSection));
  p->notes = g_array_new (FALSE, FALSE, sizeof (StrataNote));

  ctx.piece = p;
  ctx.style = st;
  ctx.notes = p->notes;
  rng_init (&ctx.rng, seed ^ g_str_hash (style));

  p->bpm = st->bpm_min + rng_int (&ctx.rng, st->bpm_max - st->bpm_min + 1);
  p->meter_num = st->meter;
  p->meter_den = st->meter == 6 ? 8 : 4;
  p->swing = st->swing;
  p->key = rng_int (&ctx.rng, 12);
  p->mode = rng_pick_mode (&ctx.rng, st->modes);
  ctx.scale = mode_scale (p->mode);
  ctx.steps = st->meter == 4 ? 16 : 12;
  ctx.beat = st->meter == 6 ? 6 : 4;
  ctx.meter_is_compound = st->meter == 6;
  p->bar_ticks = (gint64) ctx.steps * STEP_TICKS;

  build_form (&ctx, options);
  build_bars (&ctx);
  bars = ctx.bars;

  /* parts: drums on channel 10, then bass, comping and lead */
  ctx.drums = ctx.bass = ctx.comp[0] = ctx.comp[1] = ctx.lead = -1;
  if (st->kick[0])
    ctx.drums = add_part (p, "drums", 9, rng_pick_number (&ctx.rng, st->kits), TRUE);
  ctx.bass = add_part (p, "bass", 0, rng_pick_number (&ctx.rng, st->bass_programs), FALSE);
  ctx.comp[0] = add_part (p, "comp", 1, rng_pick_number (&ctx.rng, st->comp[0].programs), FALSE);
  if (st->comp[1].kind != COMP_NONE && rng_chance (&ctx.rng, 0.8))
    ctx.comp[1] = add_part (p, "comp2", 2, rng_pick_number (&ctx.rng, st->comp[1].programs), FALSE);
  vocal = rng_chance (&ctx.rng, st->vocal_prob);
  ctx.lead = add_part (p, "lead", 3,
                       rng_pick_number (&ctx.rng, vocal ? st->vocal_programs : st->lead_programs), FALSE);
  draw_mix (&ctx);

  write_drums (&ctx);
  write_bass (&ctx);
  write_comp (&ctx, 0);
  write_comp (&ctx, 1);
  write_lead (&ctx, vocal);
  humanise (&ctx);

  if (options->solo_role)
    {
      int keep = -1;
      for (int i = 0; i < p->n_parts; i++)
        if (strcmp (p->parts[i].role, options->solo_role) == 0)
          keep = i;
      for (guint i = 0; i < p->notes->len;)
        {
          StrataNote *n = &g_array_index (p->notes, StrataNote, i);
          if (n->part != keep)
            g_array_remove_index (p->notes, i);
          else
            n->part = 0, i++;
        }
      if (keep >= 0)
        p->parts[0] = p->parts[keep];
      p->n_parts = keep >= 0 ? 1 : 0;
    }
  if (options->solo_program >= 0)
    for (int i = 0; i < p->n_parts; i++)
      if (!p->parts[i].is_drums)
        {
          p->parts[i].program = options->solo_program;
          p->parts[i].stem = strata_stem_for_program (options->solo_program, FALSE);
        }

  p->end_tick = 0;
  for (guint i = 0; i < p->notes->len; i++)
    p->end_tick = MAX (p->end_tick, g_array_index (p->notes, StrataNote, i).off);
  return p;
}

/**
 * strata_piece_free:
 * @piece: (transfer full) (nullable): a piece
 */
void
strata_piece_free (StrataPiece *piece)
{
  if (piece == NULL)
    return;
  g_free (piece->style);
  g_array_unref (piece->sections);
  g_array_unref (piece->notes);
  g_free (piece);
}

/**
 * strata_piece_tick_to_seconds:
 * @piece: a piece
 * @tick: a time in ticks
 *
 * Returns: @tick in seconds from the start (constant tempo).
 */
double
strata_piece_tick_to_seconds (const StrataPiece *piece, gint64 tick)
{
  return (double) tick * 60.0 / (piece->bpm * STRATA_PIECE_PPQ);
}

/**
 * strata_piece_get_duration:
 * @piece: a piece
 *
 * Returns: the rendered length in seconds: the last bar plus a tail in
 *   which the last notes and the reverb die away.
 */
double
strata_piece_get_duration (const StrataPiece *piece)
{
  gint64 end = MAX (piece->end_tick, (gint64) piece->n_bars * piece->bar_ticks);

  return strata_piece_tick_to_seconds (piece, end) + TAIL_SECONDS;
}

/**
 * strata_key_name:
 * @key: pitch class 0..11
 *
 * Returns: (transfer none): the key's name, e.g. "F#".
 */
const char *
strata_key_name (int key)
{
  static const char *const names[12] = { "C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B" };

  return names[((key % 12) + 12) % 12];
}
