/* main.c: the strata GUI entry point.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <glib/gi18n.h>
#include <gst/gst.h>

#include "io/strata-output.h"
#include "strata-application.h"

int
main (int argc, char **argv)
{
  g_autoptr(StrataApplication) app = NULL;
  const char *localedir = g_getenv ("STRATA_LOCALEDIR");

  /* a write past `ulimit -f` then fails with EFBIG, reported by the writer */
  signal (SIGXFSZ, SIG_IGN);
  /* SIGTERM/SIGINT remove the temporary files of outputs being written */
  strata_output_install_signal_cleanup ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gst_init (&argc, &argv);

  app = strata_application_new (G_APPLICATION_DEFAULT_FLAGS);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
