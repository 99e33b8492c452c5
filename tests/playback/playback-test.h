/* playback-test.h: main-loop helpers shared by the playback tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "playback/strata-player.h"

void          spin                   (guint ms);
gboolean      spin_until             (gboolean (*cond) (gpointer), gpointer data, guint ms);
gboolean      spin_until_flag        (gboolean *flag, guint ms);
void          on_flag                (gpointer data);
gboolean      wait_position          (StrataPlayer *player, double seconds);
StrataPlayer *player_new_with_sink   (const char *sink);
