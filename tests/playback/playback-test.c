/* playback-test.c: main-loop helpers shared by the playback tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "playback-test.h"

/* Iterates the default main context for @ms milliseconds. */
void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

/* Iterates the main context until @cond (@data) holds, for at most @ms. */
gboolean
spin_until (gboolean (*cond) (gpointer), gpointer data, guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
  return TRUE;
}

static gboolean
flag_set (gpointer flag)
{
  return *(gboolean *) flag;
}

gboolean
spin_until_flag (gboolean *flag, guint ms)
{
  return spin_until (flag_set, flag, ms);
}

/* A signal handler that sets the gboolean at @data. */
void
on_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
}

typedef struct { StrataPlayer *player; double seconds; } Past;

static gboolean
position_past (gpointer data)
{
  Past *p = data;
  return strata_player_get_position (p->player) > p->seconds;
}

/* Waits (up to 5 s) until the player's position passes @seconds. */
gboolean
wait_position (StrataPlayer *player, double seconds)
{
  Past p = { player, seconds };
  return spin_until (position_past, &p, 5000);
}

/* A player whose sink is the bin description @sink (NULL: the product's
 * default, autoaudiosink); $STRATA_AUDIO_SINK is restored afterwards. */
StrataPlayer *
player_new_with_sink (const char *sink)
{
  g_autofree char *old = g_strdup (g_getenv ("STRATA_AUDIO_SINK"));
  StrataPlayer *player;

  if (sink != NULL)
    g_setenv ("STRATA_AUDIO_SINK", sink, TRUE);
  else
    g_unsetenv ("STRATA_AUDIO_SINK");
  player = strata_player_new ();
  if (old != NULL)
    g_setenv ("STRATA_AUDIO_SINK", old, TRUE);
  else
    g_unsetenv ("STRATA_AUDIO_SINK");
  return player;
}
