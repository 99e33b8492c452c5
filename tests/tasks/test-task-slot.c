/* test-task-slot.c: the ui/ helper that starts, cancels and drops stale
 * tasks (ui/strata-task-slot.c has no GTK, so it is tested displayless).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "../../ui/strata-task-slot.h"

/* A fake task: a GTask that returns its number from an idle, or
 * G_IO_ERROR_CANCELLED when its cancellable fired first. */
static gboolean
finish_later (gpointer data)
{
  GTask *task = data;
  if (!g_task_return_error_if_cancelled (task))
    g_task_return_int (task, GPOINTER_TO_INT (g_task_get_task_data (task)));
  return G_SOURCE_REMOVE;
}

static void
fake_async (GObject *source, int n, GCancellable *cancellable, GAsyncReadyCallback callback,
            gpointer user_data)
{
  GTask *task = g_task_new (source, cancellable, callback, user_data);
  g_task_set_task_data (task, GINT_TO_POINTER (n), NULL);
  g_idle_add_full (G_PRIORITY_DEFAULT, finish_later, task, g_object_unref);
}

typedef struct {
  GObject parent_instance;
} Owner;

typedef struct {
  GObjectClass parent_class;
} OwnerClass;

static GType owner_get_type (void);
G_DEFINE_TYPE (Owner, owner, G_TYPE_OBJECT)

static void owner_class_init (OwnerClass *klass) { }
static void owner_init (Owner *self) { }

/* What landed, by the fake task's number. */
typedef struct {
  int n_landed;
  gboolean current[8];
  gboolean cancelled[8];
} Landing;

static Landing landing;

static void
landed (gpointer owner, GObject *source, GAsyncResult *result, gboolean current)
{
  g_autoptr (GError) error = NULL;
  gssize v = g_task_propagate_int (G_TASK (result), &error);
  g_assert_true (G_IS_OBJECT (owner));
  int n = GPOINTER_TO_INT (g_task_get_task_data (G_TASK (result)));
  g_assert_true (n > 0 && n < 8);
  g_assert_true (error != NULL || v == n);
  landing.n_landed++;
  landing.current[n] = current;
  landing.cancelled[n] = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
start (StrataTaskSlot *slot, GObject *owner, int n)
{
  GCancellable *c = strata_task_slot_restart (slot);
  fake_async (owner, n, c, strata_task_slot_ready, strata_task_slot_bind (slot, owner, landed));
}

static void
wait_landed (int n)
{
  while (landing.n_landed < n)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_slot (void)
{
  GObject *owner = g_object_new (owner_get_type (), NULL);
  StrataTaskSlot slot;
  strata_task_slot_init (&slot);
  g_assert_false (strata_task_slot_is_busy (&slot));

  /* one task: lands current */
  start (&slot, owner, 1);
  g_assert_true (strata_task_slot_is_busy (&slot));
  wait_landed (1);
  g_assert_true (landing.current[1]);
  g_assert_false (landing.cancelled[1]);
  g_assert_false (strata_task_slot_is_busy (&slot));

  /* restarted before it landed: the first is cancelled and stale, the
   * second current */
  start (&slot, owner, 2);
  start (&slot, owner, 3);
  wait_landed (3);
  g_assert_false (landing.current[2]);
  g_assert_true (landing.cancelled[2]);
  g_assert_true (landing.current[3]);
  g_assert_false (landing.cancelled[3]);

  /* cancelled: lands current, with the cancel error */
  start (&slot, owner, 4);
  strata_task_slot_cancel (&slot);
  wait_landed (4);
  g_assert_true (landing.current[4]);
  g_assert_true (landing.cancelled[4]);

  /* dropped (the owner's dispose): stale; the owner lives until it landed */
  start (&slot, owner, 5);
  strata_task_slot_drop (&slot);
  GWeakRef weak;
  g_weak_ref_init (&weak, owner);
  g_object_unref (owner);
  GObject *still = g_weak_ref_get (&weak);
  g_assert_nonnull (still);
  g_object_unref (still);
  wait_landed (5);
  g_assert_false (landing.current[5]);
  g_assert_true (landing.cancelled[5]);
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/strata/tasks/slot/stale-and-cancel", test_slot);
  return g_test_run ();
}
