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

G_END_DECLS
