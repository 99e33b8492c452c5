/* strata-test-util.h: helpers shared by the GUI tests and the GUI benchmark.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <math.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include "audio/strata-audio.h"

/* Opens the display (gtk_init_check). Without one: returns the exit status
 * the test must end with: with STRATA_REQUIRE_DISPLAY=1 a failure, else a
 * skip (TAP "1..0 # SKIP" for @tap tests, 77 otherwise). Returns -1 when the
 * display is open. */
static inline int
strata_test_open_display (gboolean tap)
{
  if (gtk_init_check ())
    return -1;
  if (g_strcmp0 (g_getenv ("STRATA_REQUIRE_DISPLAY"), "1") == 0)
    {
      if (tap)
        g_print ("Bail out! no display, and STRATA_REQUIRE_DISPLAY=1\n");
      else
        g_printerr ("no display, and STRATA_REQUIRE_DISPLAY=1\n");
      return 1;
    }
  if (tap)
    g_print ("1..0 # SKIP no display\n");
  else
    g_print ("skipped: no display\n");
  return tap ? 0 : 77;
}

/* Iterates the default main context until @cond (@data) holds or @ms pass. */
static inline gboolean
strata_test_wait (gboolean (*cond) (gpointer), gpointer data, guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return TRUE;
}

static inline void
strata_test_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

/* The demo track when the corpus helper rendered it, else a generated
 * multi-tone WAV of @seconds in @dir. (transfer full) */
static inline char *
strata_test_track (const char *dir, double seconds)
{
  const char *src = g_getenv ("STRATA_SOURCE_DIR");
  g_autofree char *demo = g_build_filename (src ? src : STRATA_SOURCE_DIR,
                                            "resources", "demo", "strata-demo.flac", NULL);
  g_autoptr(GError) error = NULL;
  char *path;
  gint64 n = (gint64) (seconds * STRATA_SAMPLE_RATE);
  g_autofree float *s = NULL;

  if (g_file_test (demo, G_FILE_TEST_IS_REGULAR) && g_getenv ("STRATA_TEST_NO_DEMO") == NULL)
    return g_steal_pointer (&demo);

  /* Chords that change every second, a rising sweep and a pulsing bass:
   * a varied waveform and many colours in the spectrogram. */
  s = g_new (float, n * 2);
  double phase = 0.0;
  for (gint64 i = 0; i < n; i++)
    {
      double t = (double) i / STRATA_SAMPLE_RATE;
      int bar = (int) t % 4;
      static const double roots[4] = { 220.0, 261.63, 196.0, 246.94 };
      double f = roots[bar];
      double env = 0.4 + 0.6 * fabs (sin (G_PI * t * 2));
      double sweep = 200.0 * pow (40.0, fmod (t, 3.0) / 3.0);   /* exponential chirp, 3 s */
      double v = 0.18 * sin (2 * G_PI * f * t) + 0.12 * sin (2 * G_PI * f * 1.5 * t)
               + 0.08 * sin (2 * G_PI * f * 2.0 * t) + 0.05 * sin (phase)
               + 0.15 * sin (2 * G_PI * 55.0 * t) * (fmod (t, 0.5) < 0.15);
      phase = fmod (phase + 2 * G_PI * sweep / STRATA_SAMPLE_RATE, 2 * G_PI);
      s[2 * i] = (float) (env * v);
      s[2 * i + 1] = (float) (env * v * 0.9);
    }
  path = g_build_filename (dir, "strata-test-tones.wav", NULL);
  if (!strata_audio_write (path, s, n, 2, STRATA_SAMPLE_RATE, STRATA_AUDIO_FORMAT_WAV_PCM16, &error))
    g_error ("cannot write the test track: %s", error->message);
  return path;
}

/* Renders @widget into @pixels (w*h, ARGB premultiplied as GdkTexture
 * downloads it) with the window's renderer (TESTING.md §1). (transfer full) */
static inline guint32 *
strata_test_render (GtkWidget *widget, int *out_w, int *out_h)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  GdkTexture *texture;
  guint32 *pixels;

  g_assert_cmpint (w, >, 0);
  g_assert_cmpint (h, >, 0);
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  pixels = g_new (guint32, (gsize) w * h);
  gdk_texture_download (texture, (guchar *) pixels, (gsize) w * 4);
  g_object_unref (texture);
  gsk_render_node_unref (node);
  *out_w = w;
  *out_h = h;
  return pixels;
}

static inline guint
strata_test_count_colours (const guint32 *pixels, gsize n)
{
  g_autoptr(GHashTable) set = g_hash_table_new (NULL, NULL);

  for (gsize i = 0; i < n; i++)
    g_hash_table_add (set, GUINT_TO_POINTER (pixels[i] | 0xff000000u));
  return g_hash_table_size (set);
}

/* Removes the tree @path (temporary test directories). */
static inline void
strata_test_rm_rf (const char *path)
{
  GDir *dir;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK)
      && (dir = g_dir_open (path, 0, NULL)) != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          strata_test_rm_rf (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

/* Renders @widget and saves it as @dir/NAME.png, creating @dir and
 * replacing an older file. Returns the path, or NULL when the PNG could not
 * be written. (transfer full) (nullable) */
static inline char *
strata_test_save_screenshot (GtkWidget *widget, const char *dir, const char *name)
{
  g_autofree guint32 *all = NULL;
  g_autoptr(GdkTexture) tex = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  int w, h;

  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    return NULL;
  g_remove (path);
  gtk_test_widget_wait_for_draw (widget);
  all = strata_test_render (widget, &w, &h);
  bytes = g_bytes_new_take (g_steal_pointer (&all), (gsize) w * h * 4);
  tex = gdk_memory_texture_new (w, h, GDK_MEMORY_DEFAULT, bytes, (gsize) w * 4);
  if (!gdk_texture_save_to_png (tex, path))
    return NULL;
  return g_steal_pointer (&path);
}

/* With STRATA_TEST_SCREENSHOT_DIR set (the GUI tests' meson environment
 * sets it to a folder in the build dir), saves @widget as NAME.png there. */
static inline void
strata_test_screenshot (GtkWidget *widget, const char *name)
{
  const char *dir = g_getenv ("STRATA_TEST_SCREENSHOT_DIR");
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;
  path = strata_test_save_screenshot (widget, dir, name);
  if (path == NULL)
    g_test_message ("could not save the screenshot %s in %s", name, dir);
}

/* Loads the PNG at @path and counts its distinct colours (0 when it cannot
 * be read); stores its size in @out_w, @out_h. */
static inline guint
strata_test_png_colours (const char *path, int *out_w, int *out_h)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) png = gdk_texture_new_from_filename (path, &error);
  g_autofree guint32 *px = NULL;
  int w, h;

  *out_w = *out_h = 0;
  if (png == NULL)
    {
      g_test_message ("cannot load %s: %s", path, error->message);
      return 0;
    }
  w = gdk_texture_get_width (png);
  h = gdk_texture_get_height (png);
  px = g_new (guint32, (gsize) w * h);
  gdk_texture_download (png, (guchar *) px, (gsize) w * 4);
  *out_w = w;
  *out_h = h;
  return strata_test_count_colours (px, (gsize) w * h);
}

/* Depth-first search below @root for a widget of @type. (transfer none) */
static inline GtkWidget *
strata_test_find_widget (GtkWidget *root, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = strata_test_find_widget (c, type);
      if (found)
        return found;
    }
  return NULL;
}

/* Looks in the sections of @model for an item activating @action (with
 * string target @target, unless NULL); stores its label in @out_label. */
static inline gboolean
strata_test_menu_has (GMenuModel *model, const char *action, const char *target, char **out_label)
{
  for (int s = 0; s < g_menu_model_get_n_items (model); s++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, s, G_MENU_LINK_SECTION);
      for (int i = 0; section && i < g_menu_model_get_n_items (section); i++)
        {
          g_autofree char *a = NULL, *t = NULL, *label = NULL;

          g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_ACTION, "s", &a);
          g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_TARGET, "s", &t);
          g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_LABEL, "s", &label);
          if (g_strcmp0 (a, action) == 0 && (target == NULL || g_strcmp0 (t, target) == 0))
            {
              if (out_label)
                *out_label = g_steal_pointer (&label);
              return TRUE;
            }
        }
    }
  return FALSE;
}

/* Drops @file on @widget as a file list through its GtkDropTarget, as a
 * drag and drop would; returns whether the target took it. */
static inline gboolean
strata_test_drop_file (GtkWidget *widget, GFile *file)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  GtkDropTarget *target = NULL;
  GValue value = G_VALUE_INIT;
  gboolean handled = FALSE;
  GSList *files;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);
      if (GTK_IS_DROP_TARGET (c))
        target = GTK_DROP_TARGET (c);
    }
  g_assert_nonnull (target);
  files = g_slist_append (NULL, file);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_slist_free (files);
  g_signal_emit_by_name (target, "drop", &value, 20.0, 20.0, &handled);
  g_value_unset (&value);
  return handled;
}
