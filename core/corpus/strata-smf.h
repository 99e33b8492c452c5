/* strata-smf.h: Standard MIDI File writer for composed pieces.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include "corpus/strata-compose.h"

G_BEGIN_DECLS

GBytes   *strata_piece_to_smf    (const StrataPiece *piece);
gboolean  strata_piece_write_smf (const StrataPiece  *piece,
                                  const char         *path,
                                  GError            **error);

/* Notes (ticks at STRATA_PIECE_PPQ) as a two-track format-1 file. */
GBytes   *strata_smf_from_notes  (const StrataNote  *notes,
                                  guint              n_notes,
                                  double             bpm,
                                  const char        *title);

G_END_DECLS
