/* test-tasks.c: the task layer, once for all tasks: cache or compute with
 * a small test task kind (miss, hit, stale version, corrupt and hostile
 * entries, cancel mid-way leaves no entry, progress spans), two tasks on
 * the engine at once each reporting its own progress, and the model
 * registry loading a model once for two users.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "tasks/strata-cache.h"
#include "tasks/strata-model-registry.h"
#include "tasks/strata-task.h"
#include "../analysis/strata-test-model.h"
#include "../corpus/corpus-test-util.h"

/* ---- the test task kind: the square of an integer ------------------------------ */

typedef struct {
  int value;
  gboolean spin;            /* run until cancelled (after the inner task) */
  gboolean nested;          /* first run the kind on value + 1, within 20-50 % */
  gint started;             /* atomic: set when compute begins spinning */
} SquareInput;

#define SQUARE_MAGIC 0x51415553u   /* "SUAQ" */

static const StrataTaskStage square_stages[] = {
  { "square", "Squaring" },
  { NULL, NULL }
};

static const StrataTaskKind square_task;
static const StrataTaskKind square_task_v2;

static char *
square_key (gconstpointer input)
{
  const SquareInput *in = input;
  char text[16];
  g_snprintf (text, sizeof text, "%d", in->value);
  return strata_task_dup_key ("square-test", text, NULL);
}

static gpointer
square_compute (gconstpointer input, StrataTaskContext *ctx, GError **error)
{
  const SquareInput *in = input;
  strata_task_progress (ctx, 0.0, "square");
  if (in->nested)
    {
      SquareInput inner = { .value = in->value + 1 };
      StrataTaskContext sub;
      strata_task_context_span (&sub, ctx, 0.2, 0.5);
      g_autofree int *r = strata_task_run (&square_task, &inner, &sub, error);
      if (r == NULL)
        return NULL;
    }
  if (in->spin)
    {
      g_atomic_int_set ((gint *) &in->started, 1);
      while (!strata_task_is_cancelled (ctx))
        g_usleep (1000);
      strata_task_set_error_if_cancelled (ctx, error);
      return NULL;
    }
  int *r = g_new (int, 1);
  *r = in->value * in->value;
  strata_task_progress (ctx, 0.5, NULL);
  return r;
}

static GBytes *
square_serialize (gconstpointer result)
{
  guint32 blob[2] = { GUINT32_TO_LE (SQUARE_MAGIC), GUINT32_TO_LE ((guint32) *(const int *) result) };
  return g_bytes_new (blob, sizeof blob);
}

static gpointer
square_deserialize (GBytes *payload, gconstpointer input, GError **error)
{
  const SquareInput *in = input;
  gsize size;
  const guint32 *blob = g_bytes_get_data (payload, &size);
  if (size != 8 || GUINT32_FROM_LE (blob[0]) != SQUARE_MAGIC ||
      (int) GUINT32_FROM_LE (blob[1]) != in->value * in->value)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a square");
      return NULL;
    }
  int *r = g_new (int, 1);
  *r = (int) GUINT32_FROM_LE (blob[1]);
  return r;
}

static const StrataTaskKind square_task = {
  .name = "square",
  .version = 1,
  .queue = STRATA_ENGINE_QUEUE_COMPUTE,
  .stages = square_stages,
  .dup_key = square_key,
  .compute = square_compute,
  .serialize = square_serialize,
  .deserialize = square_deserialize,
  .free = g_free,
};

/* The same task after a change of its result: version 2. */
static const StrataTaskKind square_task_v2 = {
  .name = "square",
  .version = 2,
  .queue = STRATA_ENGINE_QUEUE_COMPUTE,
  .stages = square_stages,
  .dup_key = square_key,
  .compute = square_compute,
  .serialize = square_serialize,
  .deserialize = square_deserialize,
  .free = g_free,
};

static char *
entry_path (const char *dir, const StrataTaskKind *kind, int value)
{
  SquareInput in = { .value = value };
  g_autofree char *key = square_key (&in);
  return strata_cache_path (dir, key, kind->name, kind->version);
}

static int
run_square (const StrataTaskKind *kind, const char *dir, int value)
{
  SquareInput in = { .value = value };
  StrataTaskContext ctx;
  g_autoptr (GError) error = NULL;
  strata_task_context_init (&ctx, dir, NULL, NULL, NULL);
  g_autofree int *r = strata_task_run (kind, &in, &ctx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  return *r;
}

static char *
make_tmp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("strata-tasks-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
test_cache_or_compute (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autofree char *entry = entry_path (cache, &square_task, 7);
  guint computed = strata_task_get_n_computed (&square_task);
  guint cached = strata_task_get_n_cached (&square_task);

  /* miss: computed and stored */
  g_assert_cmpint (run_square (&square_task, cache, 7), ==, 49);
  g_assert_cmpuint (strata_task_get_n_computed (&square_task), ==, computed + 1);
  g_assert_true (g_file_test (entry, G_FILE_TEST_IS_REGULAR));

  /* hit: read back, not computed */
  g_assert_cmpint (run_square (&square_task, cache, 7), ==, 49);
  g_assert_cmpuint (strata_task_get_n_computed (&square_task), ==, computed + 1);
  g_assert_cmpuint (strata_task_get_n_cached (&square_task), ==, cached + 1);

  /* another input: a miss of its own */
  g_assert_cmpint (run_square (&square_task, cache, 8), ==, 64);
  g_assert_cmpuint (strata_task_get_n_computed (&square_task), ==, computed + 2);

  /* stale version: version 2 does not read version 1's entry */
  guint computed2 = strata_task_get_n_computed (&square_task_v2);
  g_assert_cmpint (run_square (&square_task_v2, cache, 7), ==, 49);
  g_assert_cmpuint (strata_task_get_n_computed (&square_task_v2), ==, computed2 + 1);
  g_autofree char *entry2 = entry_path (cache, &square_task_v2, 7);
  g_assert_true (g_file_test (entry2, G_FILE_TEST_IS_REGULAR));

  /* corrupt entry (a flipped byte: the checksum fails): recomputed and
   * rewritten */
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (entry, &bytes, &len, NULL));
  bytes[len - 1] ^= 0x40;
  g_assert_true (g_file_set_contents (entry, bytes, (gssize) len, NULL));
  g_assert_cmpint (run_square (&square_task, cache, 7), ==, 49);
  g_assert_cmpuint (strata_task_get_n_computed (&square_task), ==, computed + 3);
  g_assert_cmpint (run_square (&square_task, cache, 7), ==, 49);
  g_assert_cmpuint (strata_task_get_n_computed (&square_task), ==, computed + 3);

  /* hostile entry (a valid checksum over a payload that lies): the
   * deserialiser rejects it, so it is recomputed */
  SquareInput in7 = { .value = 7 };
  g_autofree char *key7 = square_key (&in7);
  const guint32 lie[2] = { GUINT32_TO_LE (SQUARE_MAGIC), GUINT32_TO_LE (50) };
  g_autoptr (GBytes) liar = g_bytes_new (lie, sizeof lie);
  g_autoptr (GError) error = NULL;
  g_assert_true (strata_cache_store (cache, key7, "square", 1, liar, &error));
  g_assert_no_error (error);
  g_assert_cmpint (run_square (&square_task, cache, 7), ==, 49);
  g_assert_cmpuint (strata_task_get_n_computed (&square_task), ==, computed + 4);
  const guint32 short_blob[1] = { 0 };
  g_autoptr (GBytes) truncated = g_bytes_new (short_blob, sizeof short_blob);
  g_assert_true (strata_cache_store (cache, key7, "square", 1, truncated, &error));
  g_assert_cmpint (run_square (&square_task, cache, 7), ==, 49);
  g_assert_cmpuint (strata_task_get_n_computed (&square_task), ==, computed + 5);

  /* no cache folder: always computed, nothing written */
  g_assert_cmpint (run_square (&square_task, NULL, 7), ==, 49);
  g_assert_cmpuint (strata_task_get_n_computed (&square_task), ==, computed + 6);

  corpus_test_remove_tree (dir);
}

typedef struct {
  GArray *fractions;
  GPtrArray *stages;
} Recorder;

static void
record_progress (double fraction, const char *stage, void *data)
{
  Recorder *r = data;
  g_array_append_val (r->fractions, fraction);
  g_ptr_array_add (r->stages, g_strdup (stage));
}

/* A nested run reports inside the span its caller gave it, and both
 * entries are written once the outer run succeeds. */
static void
test_nested_progress (void)
{
  g_autofree char *dir = make_tmp_dir ();
  Recorder r = { g_array_new (FALSE, FALSE, sizeof (double)),
                 g_ptr_array_new_with_free_func (g_free) };
  SquareInput in = { .value = 3, .nested = TRUE };
  StrataTaskContext ctx, half;
  g_autoptr (GError) error = NULL;

  strata_task_context_init (&ctx, dir, NULL, record_progress, &r);
  strata_task_context_span (&half, &ctx, 0.5, 1.0);
  g_autofree int *res = strata_task_run (&square_task, &in, &half, &error);
  g_assert_no_error (error);
  g_assert_cmpint (*res, ==, 9);
  /* outer: 0 -> 0.5 of [0.5, 1]; inner (value 4): 0, 0.5, 1 of [0.6, 0.75] */
  const double expect[] = { 0.5, 0.6, 0.675, 0.75, 0.75, 1.0 };
  g_assert_cmpuint (r.fractions->len, ==, G_N_ELEMENTS (expect));
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    g_assert_cmpfloat_with_epsilon (g_array_index (r.fractions, double, i), expect[i], 1e-9);
  g_assert_cmpstr (r.stages->pdata[0], ==, "square");
  g_assert_cmpstr (r.stages->pdata[1], ==, "square");
  g_autofree char *outer = entry_path (dir, &square_task, 3);
  g_autofree char *inner = entry_path (dir, &square_task, 4);
  g_assert_true (g_file_test (outer, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (inner, G_FILE_TEST_IS_REGULAR));

  /* the stage text is registered for whoever shows it */
  g_assert_cmpstr (strata_task_stage_text ("square"), ==, "Squaring");
  g_assert_cmpstr (strata_task_stage_text ("no-such-stage"), ==, "no-such-stage");

  g_array_unref (r.fractions);
  g_ptr_array_unref (r.stages);
  corpus_test_remove_tree (dir);
}

typedef struct {
  SquareInput *in;
  GCancellable *cancellable;
  const char *dir;
  GError *error;
  gpointer result;
} SpinRun;

static gpointer
spin_thread (gpointer data)
{
  SpinRun *sr = data;
  StrataTaskContext ctx;
  strata_task_context_init (&ctx, sr->dir, sr->cancellable, NULL, NULL);
  sr->result = strata_task_run (&square_task, sr->in, &ctx, &sr->error);
  return NULL;
}

/* Cancelled mid-way (after a nested task finished): no entry, neither the
 * outer one nor the inner one. */
static void
test_cancel_leaves_no_entry (void)
{
  g_autofree char *dir = make_tmp_dir ();
  SquareInput in = { .value = 20, .nested = TRUE, .spin = TRUE };
  SpinRun sr = { &in, g_cancellable_new (), dir, NULL, NULL };
  GThread *thread = g_thread_new ("spin", spin_thread, &sr);

  while (!g_atomic_int_get (&in.started))
    g_usleep (1000);
  g_cancellable_cancel (sr.cancellable);
  g_thread_join (thread);
  g_assert_error (sr.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (sr.result);
  g_autofree char *outer = entry_path (dir, &square_task, 20);
  g_autofree char *inner = entry_path (dir, &square_task, 21);
  g_assert_false (g_file_test (outer, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (inner, G_FILE_TEST_EXISTS));

  /* already cancelled: nothing runs */
  guint computed = strata_task_get_n_computed (&square_task);
  SquareInput plain = { .value = 5 };
  StrataTaskContext ctx;
  g_autoptr (GError) error = NULL;
  strata_task_context_init (&ctx, dir, sr.cancellable, NULL, NULL);
  g_assert_null (strata_task_run (&square_task, &plain, &ctx, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (strata_task_get_n_computed (&square_task), ==, computed);

  g_clear_error (&sr.error);
  g_object_unref (sr.cancellable);
  corpus_test_remove_tree (dir);
}

/* ---- two tasks at once on the engine ------------------------------------------------ */

typedef struct {
  double fraction;
  const char *stage;
  gint *release;            /* atomic */
} GateInput;

static gpointer
gate_compute (gconstpointer input, StrataTaskContext *ctx, GError **error)
{
  const GateInput *in = input;
  strata_task_progress (ctx, in->fraction, in->stage);
  while (!g_atomic_int_get (in->release))
    {
      if (strata_task_set_error_if_cancelled (ctx, error))
        return NULL;
      g_usleep (1000);
    }
  return g_strdup (in->stage);
}

static const StrataTaskStage gate_stages[] = {
  { "alpha", "Alpha" },
  { "beta", "Beta" },
  { NULL, NULL }
};

static const StrataTaskKind gate_compute_task = {
  .name = "gate-compute",
  .version = 1,
  .queue = STRATA_ENGINE_QUEUE_COMPUTE,
  .stages = gate_stages,
  .compute = gate_compute,
  .free = g_free,
};

static const StrataTaskKind gate_io_task = {
  .name = "gate-io",
  .version = 1,
  .queue = STRATA_ENGINE_QUEUE_IO,
  .stages = gate_stages,
  .compute = gate_compute,
  .free = g_free,
};

typedef struct {
  gboolean done;
  char *result;
  GError *error;
} Outcome;

static void
task_done (GObject *source, GAsyncResult *res, gpointer data)
{
  Outcome *o = data;
  o->result = strata_task_run_finish (STRATA_ENGINE (source), res, &o->error);
  o->done = TRUE;
}

static StrataJobInfo *
find_job (StrataEngine *engine, const char *kind)
{
  GListModel *jobs = strata_engine_get_jobs (engine);
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr (StrataJobInfo) info = g_list_model_get_item (jobs, i);
      if (g_str_equal (strata_job_info_get_kind (info), kind))
        return info;   /* the list keeps it alive */
    }
  return NULL;
}

static gboolean
reported (StrataJobInfo *info, double fraction, const char *stage)
{
  return info != NULL && strata_job_info_get_running (info) &&
         strata_job_info_get_fraction (info) == fraction &&
         g_strcmp0 (strata_job_info_get_stage (info), stage) == 0;
}

static void
test_two_at_once (void)
{
  g_autofree char *dir = make_tmp_dir ();
  StrataEngine *engine = strata_engine_new (dir);
  gint release = 0;
  GateInput a = { 0.25, "alpha", &release }, b = { 0.75, "beta", &release };
  Outcome oa = { 0 }, ob = { 0 };

  strata_task_run_async (engine, &gate_compute_task, &a, NULL, NULL, task_done, &oa);
  strata_task_run_async (engine, &gate_io_task, &b, NULL, NULL, task_done, &ob);
  g_assert_cmpuint (g_list_model_get_n_items (strata_engine_get_jobs (engine)), ==, 2);

  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!(reported (find_job (engine, "gate-compute"), 0.25, "alpha") &&
           reported (find_job (engine, "gate-io"), 0.75, "beta")))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  StrataJobInfo *ia = find_job (engine, "gate-compute"), *ib = find_job (engine, "gate-io");
  g_assert_cmpint (strata_job_info_get_queue (ia), ==, STRATA_ENGINE_QUEUE_COMPUTE);
  g_assert_cmpint (strata_job_info_get_queue (ib), ==, STRATA_ENGINE_QUEUE_IO);
  /* The summary shows one job whole: the newest running one. */
  g_assert_true (strata_engine_get_busy (engine));
  g_assert_cmpfloat (strata_engine_get_fraction (engine), ==, 0.75);
  g_assert_cmpstr (strata_engine_get_stage (engine), ==, "beta");

  g_atomic_int_set (&release, 1);
  while (!oa.done || !ob.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (oa.error);
  g_assert_no_error (ob.error);
  g_assert_cmpstr (oa.result, ==, "alpha");
  g_assert_cmpstr (ob.result, ==, "beta");
  g_assert_cmpuint (g_list_model_get_n_items (strata_engine_get_jobs (engine)), ==, 0);
  g_assert_false (strata_engine_get_busy (engine));
  g_free (oa.result);
  g_free (ob.result);

  /* The last task references go on the main context. */
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (G_OBJECT (engine)->ref_count > 1)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  g_assert_finalize_object (engine);
  corpus_test_remove_tree (dir);
}

/* ---- the model registry ------------------------------------------------------------- */

typedef struct {
  const char *path;
  StrataModel *model;
  GError *error;
} GetRun;

static gpointer
get_thread (gpointer data)
{
  GetRun *g = data;
  g->model = strata_model_registry_get_foundation (g->path, &g->error);
  return NULL;
}

static void
test_registry (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr (GError) error = NULL;
  strata_test_write_random_model (path, 5);
  strata_model_registry_clear ();
  guint loads = strata_model_registry_get_n_loads (&strata_foundation_model_kind);

  /* Two users at once, on two threads: one load, one model. */
  GetRun g1 = { path }, g2 = { path };
  GThread *t1 = g_thread_new ("get1", get_thread, &g1);
  GThread *t2 = g_thread_new ("get2", get_thread, &g2);
  g_thread_join (t1);
  g_thread_join (t2);
  g_assert_no_error (g1.error);
  g_assert_no_error (g2.error);
  g_assert_nonnull (g1.model);
  g_assert_true (g1.model == g2.model);
  g_assert_cmpuint (strata_model_registry_get_n_loads (&strata_foundation_model_kind), ==,
                    loads + 1);
  g_autofree char *v1 = g_strdup (strata_model_get_version (g1.model));

  /* The same file by another name: still the same model. */
  g_autofree char *other_name = g_build_filename (dir, ".", "model.safetensors", NULL);
  StrataModel *m3 = strata_model_registry_get_foundation (other_name, &error);
  g_assert_no_error (error);
  g_assert_true (m3 == g1.model);
  strata_model_unref (m3);

  /* The file replaced by other weights: a new version is loaded; the old
   * model stays valid for its users. */
  strata_test_write_random_model (path, 6);
  StrataModel *m4 = strata_model_registry_get_foundation (path, &error);
  g_assert_no_error (error);
  g_assert_true (m4 != g1.model);
  g_assert_cmpstr (strata_model_get_version (m4), !=, v1);
  g_assert_cmpstr (strata_model_get_version (g1.model), ==, v1);
  g_assert_cmpuint (strata_model_registry_get_n_loads (&strata_foundation_model_kind), ==,
                    loads + 2);

  /* A missing file: an error naming it, and nothing kept. */
  g_autofree char *missing = g_build_filename (dir, "nowhere.safetensors", NULL);
  g_assert_null (strata_model_registry_get_foundation (missing, &error));
  g_assert_error (error, STRATA_MODEL_ERROR, STRATA_MODEL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "nowhere.safetensors"));

  strata_model_unref (m4);
  strata_model_unref (g1.model);
  strata_model_unref (g2.model);
  strata_model_registry_clear ();
  corpus_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/strata/tasks/run/cache-or-compute", test_cache_or_compute);
  g_test_add_func ("/strata/tasks/run/nested-progress", test_nested_progress);
  g_test_add_func ("/strata/tasks/run/cancel-leaves-no-entry", test_cancel_leaves_no_entry);
  g_test_add_func ("/strata/tasks/engine/two-at-once", test_two_at_once);
  g_test_add_func ("/strata/tasks/registry/load-once", test_registry);
  return g_test_run ();
}
