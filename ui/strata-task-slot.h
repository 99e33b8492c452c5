/* strata-task-slot.h: one running task of a view or panel (the features of
 * the track shown now; later its transcription, stems, tags): start a task,
 * cancel it, and drop the results of tasks started before the last restart.
 * The generation counting and the cancellable live here once; every lane
 * and panel that starts engine work embeds a StrataTaskSlot.
 *
 * Threading contract: main thread only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * StrataTaskSlotFunc:
 * @owner: the object that started the task (alive for the call)
 * @source: the async call's source object (the engine)
 * @result: its result: finish it in any case, so that it is freed
 * @current: FALSE when the slot was restarted or dropped since the task
 *   started: the result is stale, show nothing of it
 *
 * Where a slot's task lands.
 */
typedef void (*StrataTaskSlotFunc) (gpointer      owner,
                                    GObject      *source,
                                    GAsyncResult *result,
                                    gboolean      current);

/* Embedded in its owner; the fields are private. */
typedef struct {
  /*< private >*/
  guint generation;
  GCancellable *cancellable;
} StrataTaskSlot;

void          strata_task_slot_init     (StrataTaskSlot     *slot);
GCancellable *strata_task_slot_restart  (StrataTaskSlot     *slot);
gpointer      strata_task_slot_bind     (StrataTaskSlot     *slot,
                                         gpointer            owner,
                                         StrataTaskSlotFunc  func);
void          strata_task_slot_ready    (GObject            *source,
                                         GAsyncResult       *result,
                                         gpointer            bound);
void          strata_task_slot_cancel   (StrataTaskSlot     *slot);
void          strata_task_slot_drop     (StrataTaskSlot     *slot);
gboolean      strata_task_slot_is_busy  (StrataTaskSlot     *slot);

G_END_DECLS
