/* strata-render.h: in-process rendering of pieces with libfluidsynth.
 *
 * A StrataRenderer owns one fluidsynth synthesizer a worker thread, each
 * with the sound font loaded once; it renders a piece one pass a stem (only
 * the parts of that stem sound), at 44.1 kHz stereo float, with the piece's
 * reverb and chorus. Each stem then gets its gain and a constant-power
 * balance (pan), all stems are scaled by one common factor so that no
 * stem and not the mix exceed the peak target, and the mix is the exact
 * float sum of the stems (drums + bass + guitar + piano + vocals + other,
 * in that order). No audio driver is ever opened.
 *
 * A renderer is used by one thread at a time (it runs its own workers).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include "corpus/strata-compose.h"

G_BEGIN_DECLS

#define STRATA_CORPUS_ERROR (strata_corpus_error_quark ())
GQuark strata_corpus_error_quark (void);

typedef enum {
  STRATA_CORPUS_ERROR_SOUNDFONT,  /* missing or unreadable sound font */
  STRATA_CORPUS_ERROR_OPTIONS,    /* invalid options */
  STRATA_CORPUS_ERROR_SYNTH,      /* fluidsynth failed */
  STRATA_CORPUS_ERROR_WRITE,      /* an output file could not be written */
  STRATA_CORPUS_ERROR_READ,       /* an input could not be read */
} StrataCorpusError;

typedef struct _StrataRenderer StrataRenderer;

typedef struct {
  gint64    n_frames;                    /* T */
  float    *stems[STRATA_N_STEMS];       /* (T, 2) each, after gain, pan and scaling */
  float    *mix;                         /* (T, 2), the sum of the stems */
  gboolean  present[STRATA_N_STEMS];     /* the stem has at least one part */
  float     gain_db[STRATA_N_STEMS];     /* gain applied to the dry stem, incl. scaling */
  float     scale_db;                    /* the common scaling (peak normalisation) */
  float     peak_db;                     /* the target peak, dBFS */
} StrataRendering;

StrataRenderer  *strata_renderer_new        (const char  *soundfont,
                                             int          n_threads,
                                             GError     **error);
void             strata_renderer_free       (StrataRenderer *renderer);
void             strata_renderer_set_peak_db (StrataRenderer *renderer,
                                              double          peak_db);
StrataRendering *strata_renderer_render     (StrataRenderer     *renderer,
                                             const StrataPiece  *piece,
                                             GError            **error);
void             strata_rendering_free      (StrataRendering *rendering);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataRenderer, strata_renderer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataRendering, strata_rendering_free)

G_END_DECLS
