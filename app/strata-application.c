/* strata-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <glib/gi18n.h>
#include "strata-application.h"
#include "strata-window.h"

struct _StrataApplication
{
  AdwApplication parent_instance;
  StrataEngine *engine;
  guint quit_timeout;
};

G_DEFINE_FINAL_TYPE (StrataApplication, strata_application, ADW_TYPE_APPLICATION)

static StrataWindow *
get_window (StrataApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (strata_window_new (GTK_APPLICATION (self), self->engine));
  return STRATA_WINDOW (window);
}

static void
strata_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_window (STRATA_APPLICATION (app))));
}

static void
strata_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  StrataWindow *window = get_window (STRATA_APPLICATION (app));

  /* One track at a time: the first file. */
  if (n_files > 0)
    strata_window_open (window, files[0]);
  gtk_window_present (GTK_WINDOW (window));
}

static gboolean
quit_timeout_cb (gpointer user_data)
{
  StrataApplication *self = user_data;

  self->quit_timeout = 0;
  g_application_quit (G_APPLICATION (self));
  return G_SOURCE_REMOVE;
}

static void
strata_application_startup (GApplication *app)
{
  StrataApplication *self = STRATA_APPLICATION (app);
  const char *quit_after;
  static const struct { const char *action; const char *accels[6]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.export-picture", { "<Control>e", NULL } },
    { "win.cancel", { "<Control>period", NULL } },
    { "win.play-pause", { "space", NULL } },
    { "win.stop", { "<Control>space", NULL } },
    { "win.skip-backward", { "Left", NULL } },
    { "win.skip-forward", { "Right", NULL } },
    { "win.zoom-in", { "<Control>plus", "<Control>equal", "plus", "equal", "KP_Add", NULL } },
    { "win.zoom-out", { "<Control>minus", "minus", "KP_Subtract", NULL } },
    { "win.zoom-fit", { "<Control>0", NULL } },
    { "win.clear-selection", { "Escape", NULL } },
    { "win.loop", { "l", NULL } },
    { "win.add-marker", { "m", NULL } },
    { "win.side-panel", { "F9", NULL } },
    { "win.open-stems", { "<Control><Shift>o", NULL } },
    { "win.play-original", { "<Control>b", NULL } },
    { "win.next-match", { "n", NULL } },
    { "win.previous-match", { "<Shift>n", NULL } },
  };

  G_APPLICATION_CLASS (strata_application_parent_class)->startup (app);

  g_set_application_name (_("Strata"));
  gtk_window_set_default_icon_name (APP_ID);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);

  self->engine = strata_engine_new (NULL);

  /* For scripted runs (tests, screenshots): quit after N milliseconds. */
  quit_after = g_getenv ("STRATA_QUIT_AFTER_MS");
  if (quit_after != NULL && *quit_after != '\0')
    self->quit_timeout = g_timeout_add (MAX (0, atoi (quit_after)), quit_timeout_cb, self);
}

static void
strata_application_shutdown (GApplication *app)
{
  StrataApplication *self = STRATA_APPLICATION (app);

  /* Cancel every job and join the engine's workers before the process
   * exits: a worker still inside a BLAS call when the program's
   * destructors run (OpenBLAS stops its own threads then) crashed or hung
   * the exit. Jobs keep the engine alive, so dropping the reference is not
   * enough. */
  if (self->engine)
    strata_engine_shutdown (self->engine);
  g_clear_handle_id (&self->quit_timeout, g_source_remove);
  G_APPLICATION_CLASS (strata_application_parent_class)->shutdown (app);
  g_clear_object (&self->engine);
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The Strata developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Strata"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Strata developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("See, hear and take apart the layers of a piece of music."),
                        "website", "https://strata.io/",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: put your names here, one a line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GApplication *app = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* Close the windows so they save their state. */
  for (GList *l = windows; l; )
    {
      GList *next = l->next;
      gtk_window_destroy (l->data);
      l = next;
    }
  g_application_quit (app);
}

static const GActionEntry app_entries[] = {
  { .name = "about", .activate = about_action },
  { .name = "quit", .activate = quit_action },
};

static void
strata_application_class_init (StrataApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = strata_application_activate;
  app_class->open = strata_application_open;
  app_class->startup = strata_application_startup;
  app_class->shutdown = strata_application_shutdown;
}

static void
strata_application_init (StrataApplication *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_entries,
                                   G_N_ELEMENTS (app_entries), self);
}

/**
 * strata_application_new:
 * @extra_flags: flags added to %G_APPLICATION_HANDLES_OPEN (tests pass
 *   %G_APPLICATION_NON_UNIQUE)
 *
 * Returns: (transfer full): the application
 */
StrataApplication *
strata_application_new (GApplicationFlags extra_flags)
{
  return g_object_new (STRATA_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | extra_flags,
                       NULL);
}

/**
 * strata_application_get_engine:
 * @self: a #StrataApplication
 *
 * Returns: (transfer none): the engine, valid between startup and shutdown
 */
StrataEngine *
strata_application_get_engine (StrataApplication *self)
{
  g_return_val_if_fail (STRATA_IS_APPLICATION (self), NULL);
  return self->engine;
}
