/* strata-window-separation.c: "Separate Stems" — the open track split by
 * the separation head on the engine (progress, cancel, cached), its six
 * stems then shown as stem lanes and played by the window's live mix
 * (strata_window_set_stems()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "tasks/separation/strata-separation-task.h"
#include "strata-window-private.h"

static void
separate_done_cb (gpointer owner, GObject *source, GAsyncResult *result, gboolean current)
{
  StrataWindow *self = owner;
  g_autoptr(GError) error = NULL;
  StrataStems *stems = strata_engine_run_finish (STRATA_ENGINE (source), result, &error);
  const char *const *names = NULL;
  StrataAudio *const *audio;
  guint n = 0;

  if (stems == NULL)
    {
      if (current && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _strata_window_show_error (self, error->message);
      return;
    }
  if (current)
    {
      audio = strata_stems_get (stems, &names);
      while (names[n] != NULL)
        n++;
      strata_window_set_stems (self, audio, names, n, "separation");
    }
  strata_stems_free (stems);
}

static void
separate_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  StrataWindow *self = user_data;
  GCancellable *cancellable;

  if (self->track == NULL)
    return;
  cancellable = strata_task_slot_restart (&self->separation_slot);
  strata_head_task_run_async (self->engine, &strata_separation_head_task,
                              strata_track_get_path (self->track),
                              strata_track_get_hash (self->track),
                              strata_track_get_audio (self->track), cancellable,
                              strata_task_slot_ready,
                              strata_task_slot_bind (&self->separation_slot, self,
                                                     separate_done_cb));
}

static const GActionEntry separation_entries[] = {
  { .name = "separate", .activate = separate_action },
};

void
_strata_window_separation_init (StrataWindow *self)
{
  strata_task_slot_init (&self->separation_slot);
  g_action_map_add_action_entries (G_ACTION_MAP (self), separation_entries,
                                   G_N_ELEMENTS (separation_entries), self);
  /* enabled with a track (_strata_window_set_track_actions_enabled) */
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self),
                                                                            "separate")),
                               self->track != NULL);
}

/* A new track or the window going: the running separation is not wanted. */
void
_strata_window_separation_cancel (StrataWindow *self)
{
  strata_task_slot_drop (&self->separation_slot);
}

/* True while a separation runs (tests). */
gboolean
_strata_window_separation_busy (StrataWindow *self)
{
  return strata_task_slot_is_busy (&self->separation_slot);
}
