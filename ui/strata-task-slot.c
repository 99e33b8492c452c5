/* strata-task-slot.c: start, cancel, drop stale results.
 *
 * Usage (the feature controller's); restart before bind, in two
 * statements, since C leaves the order of arguments open:
 *   GCancellable *c = strata_task_slot_restart (&self->slot);
 *   strata_features_job_async (engine, model, track, 0, NULL, c,
 *                              strata_task_slot_ready,
 *                              strata_task_slot_bind (&self->slot, self, done));
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "strata-task-slot.h"

typedef struct {
  StrataTaskSlot *slot;        /* inside @owner, valid while it lives */
  GObject *owner;              /* strong: alive until the result lands */
  StrataTaskSlotFunc func;
  guint generation;
} Bound;

/**
 * strata_task_slot_init:
 * @slot: a slot embedded in its owner
 *
 * An idle slot.
 */
void
strata_task_slot_init (StrataTaskSlot *slot)
{
  g_return_if_fail (slot != NULL);
  slot->generation = 0;
  slot->cancellable = NULL;
}

/**
 * strata_task_slot_drop:
 * @slot: a slot
 *
 * Cancels the running task and makes its result stale; the slot is idle.
 * Owners call it from dispose.
 */
void
strata_task_slot_drop (StrataTaskSlot *slot)
{
  g_return_if_fail (slot != NULL);
  slot->generation++;
  if (slot->cancellable != NULL)
    g_cancellable_cancel (slot->cancellable);
  g_clear_object (&slot->cancellable);
}

/**
 * strata_task_slot_restart:
 * @slot: a slot
 *
 * strata_task_slot_drop(), then a new cancellable for the next task: pass
 * it to the async call, with strata_task_slot_ready() and
 * strata_task_slot_bind() as its callback and data.
 *
 * Returns: (transfer none): the new task's cancellable
 */
GCancellable *
strata_task_slot_restart (StrataTaskSlot *slot)
{
  g_return_val_if_fail (slot != NULL, NULL);
  strata_task_slot_drop (slot);
  slot->cancellable = g_cancellable_new ();
  return slot->cancellable;
}

/**
 * strata_task_slot_bind:
 * @slot: the slot the task was started in (inside @owner)
 * @owner: (type GObject): the slot's owner (a reference is held until the
 *   result lands)
 * @func: where the result lands
 *
 * Returns: (transfer full): the user data for strata_task_slot_ready()
 */
gpointer
strata_task_slot_bind (StrataTaskSlot *slot, gpointer owner, StrataTaskSlotFunc func)
{
  g_return_val_if_fail (slot != NULL && G_IS_OBJECT (owner) && func != NULL, NULL);
  Bound *b = g_new (Bound, 1);
  b->slot = slot;
  b->owner = g_object_ref (owner);
  b->func = func;
  b->generation = slot->generation;
  return b;
}

/**
 * strata_task_slot_ready:
 * @source: the async call's source object
 * @result: its result
 * @bound: (transfer full): what strata_task_slot_bind() returned
 *
 * A #GAsyncReadyCallback: when the task is still the slot's, the slot goes
 * idle; then the bound function gets the result, told whether it is current.
 */
void
strata_task_slot_ready (GObject *source, GAsyncResult *result, gpointer bound)
{
  Bound *b = bound;
  gboolean current = b->generation == b->slot->generation;

  if (current)
    g_clear_object (&b->slot->cancellable);
  b->func (b->owner, source, result, current);
  g_object_unref (b->owner);
  g_free (b);
}

/**
 * strata_task_slot_cancel:
 * @slot: a slot
 *
 * Cancels the running task; its result still lands as current (with
 * %G_IO_ERROR_CANCELLED), so the owner can say it was cancelled.
 */
void
strata_task_slot_cancel (StrataTaskSlot *slot)
{
  g_return_if_fail (slot != NULL);
  if (slot->cancellable != NULL)
    g_cancellable_cancel (slot->cancellable);
}

/**
 * strata_task_slot_is_busy:
 * @slot: a slot
 *
 * Returns: whether a task started in the slot has not landed yet
 */
gboolean
strata_task_slot_is_busy (StrataTaskSlot *slot)
{
  g_return_val_if_fail (slot != NULL, FALSE);
  return slot->cancellable != NULL;
}
