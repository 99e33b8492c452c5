/* test-i18n.c: the window in German (LANGUAGE=de, .mo files from the build
 * tree via STRATA_LOCALEDIR), as app/main.c sets it up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>
#include <gst/gst.h>

#include "strata-application.h"
#include "strata-test-util.h"
#include "strata-window.h"

static StrataApplication *app;

static gboolean
has_window (gpointer data)
{
  return gtk_application_get_active_window (GTK_APPLICATION (app)) != NULL;
}

static void
test_gettext (void)
{
  /* A string from C code and one from a .ui template. */
  g_assert_cmpstr (_("Waveform"), !=, "Waveform");
  g_assert_cmpstr (_("Open a Track"), !=, "Open a Track");
  g_test_message ("Open a Track -> %s", _("Open a Track"));
}

static void
test_window (void)
{
  GtkWindow *window;
  AdwStatusPage *status;
  GtkMenuButton *menu;
  g_autofree char *label = NULL;
  gboolean found;

  g_application_activate (G_APPLICATION (app));
  g_assert_true (strata_test_wait (has_window, NULL, 10000));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));

  status = ADW_STATUS_PAGE (strata_test_find_widget (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE));
  g_assert_nonnull (status);
  g_test_message ("status page: %s", adw_status_page_get_title (status));
  g_assert_cmpstr (adw_status_page_get_title (status), ==, _("Open a Track"));
  g_assert_cmpstr (adw_status_page_get_title (status), !=, "Open a Track");

  /* The primary menu's "About Strata" item. */
  menu = GTK_MENU_BUTTON (strata_test_find_widget (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON));
  found = strata_test_menu_has (gtk_menu_button_get_menu_model (menu), "app.about", NULL, &label);
  g_test_message ("about item: %s", label);
  g_assert_cmpstr (label, !=, "_About Strata");
  g_assert_nonnull (strstr (label, "Strata"));
  g_assert_true (found);
  strata_test_spin (300);
  strata_test_screenshot (GTK_WIDGET (window), "german");
  gtk_window_destroy (window);
}

int
main (int argc, char **argv)
{
  int status;
  const char *localedir = g_getenv ("STRATA_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  if ((status = strata_test_open_display (TRUE)) >= 0)
    return status;
  adw_init ();
  app = strata_application_new (G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));

  g_test_add_func ("/strata/i18n/gettext", test_gettext);
  g_test_add_func ("/strata/i18n/window", test_window);
  return g_test_run ();
}
