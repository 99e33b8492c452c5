/* strata-application.h: the GTK application: windows, app actions,
 * accelerators, About, and the shared StrataEngine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include "engine/strata-engine.h"

G_BEGIN_DECLS

#define STRATA_TYPE_APPLICATION (strata_application_get_type ())
G_DECLARE_FINAL_TYPE (StrataApplication, strata_application, STRATA, APPLICATION, AdwApplication)

StrataApplication *strata_application_new        (GApplicationFlags extra_flags);
StrataEngine      *strata_application_get_engine (StrataApplication *self);  /* (transfer none) */

G_END_DECLS
