/* strata-settings.h: the app's GSettings, usable uninstalled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Returns the io.strata.Strata settings: from the installed schemas, else
 * from the schemas compiled in the build directory (STRATA_BUILD_DIR). When
 * neither has the schema, returns NULL: callers then remember nothing, and
 * nothing aborts. (transfer full) (nullable) */
GSettings *strata_settings_new (void);

G_END_DECLS
