/* test-engine.c: jobs, progress, cancellation, cache, load.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "audio/strata-audio.h"
#include "dsp/strata-summary-private.h"
#include "engine/strata-engine.h"
#include "tasks/strata-cache.h"
#include "tasks/strata-track-load.h"

static GThread *main_thread;

/* ---- helpers ---- */

static char *
make_tmp_dir (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("strata-engine-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      const char *name;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
          g_free (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static gboolean
timeout_fail (gpointer data)
{
  g_error ("test timed out waiting for %s", (const char *) data);
  return G_SOURCE_REMOVE;
}

static void
wait_for (gboolean *flag, const char *what)
{
  guint id = g_timeout_add_seconds (60, timeout_fail, (gpointer) what);
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

/* Drains the context until only the test holds the engine, then checks it
 * finalises (its dispose joins the workers). */
static void
finish_engine (StrataEngine *engine)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (G_OBJECT (engine)->ref_count > 1)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  g_assert_finalize_object (engine);
}

typedef struct {
  gboolean done;
  gpointer result;
  GError *error;
  gint64 finished_at;
  StrataTrack *track;
} Outcome;

static void
run_done (GObject *source, GAsyncResult *res, gpointer data)
{
  Outcome *o = data;
  g_assert_true (g_thread_self () == main_thread);
  o->result = strata_engine_run_finish (STRATA_ENGINE (source), res, &o->error);
  o->finished_at = g_get_monotonic_time ();
  o->done = TRUE;
}

static void
load_done (GObject *source, GAsyncResult *res, gpointer data)
{
  Outcome *o = data;
  g_assert_true (g_thread_self () == main_thread);
  o->track = strata_track_load_finish (STRATA_ENGINE (source), res, &o->error);
  o->finished_at = g_get_monotonic_time ();
  o->done = TRUE;
}

/* ---- generic jobs ---- */

static gpointer
square_job (StrataJob *job, gpointer data, GError **error)
{
  int *out = g_new (int, 1);
  *out = GPOINTER_TO_INT (data) * GPOINTER_TO_INT (data);
  strata_job_progress (job, 1.0, "square");
  return out;
}

static void
test_run_basic (void)
{
  g_autofree char *dir = make_tmp_dir ();
  StrataEngine *engine = strata_engine_new (dir);
  g_assert_cmpstr (strata_engine_get_cache_dir (engine), ==, dir);
  g_assert_false (strata_engine_get_busy (engine));
  Outcome o = { 0 };
  strata_engine_run_async (engine, "square", square_job, GINT_TO_POINTER (12), NULL, g_free,
                           NULL, run_done, &o);
  g_assert_true (strata_engine_get_busy (engine));
  wait_for (&o.done, "square");
  g_assert_no_error (o.error);
  g_assert_cmpint (*(int *) o.result, ==, 144);
  g_assert_false (strata_engine_get_busy (engine));
  g_free (o.result);
  finish_engine (engine);
  remove_tree (dir);
}

/* Two jobs that can only finish when both run at the same time. */
typedef struct {
  GMutex lock;
  GCond cond;
  int started;
  int released;
} Rendezvous;

static gpointer
rendezvous_job (StrataJob *job, gpointer data, GError **error)
{
  Rendezvous *r = data;
  gboolean met = TRUE;
  g_mutex_lock (&r->lock);
  r->started++;
  g_cond_broadcast (&r->cond);
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (r->started < 2 && met)
    met = g_cond_wait_until (&r->cond, &r->lock, end);
  g_mutex_unlock (&r->lock);
  if (!met)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "the other job never started");
      return NULL;
    }
  /* Some real work whose result is checked. */
  double *sum = g_new0 (double, 1);
  for (int i = 1; i <= 1000; i++)
    *sum += i;
  return sum;
}

static void
test_run_two_at_once (void)
{
  g_autofree char *dir = make_tmp_dir ();
  StrataEngine *engine = strata_engine_new (dir);
  Rendezvous r = { 0 };
  g_mutex_init (&r.lock);
  g_cond_init (&r.cond);
  Outcome a = { 0 }, b = { 0 };
  /* One on each queue: they run side by side. */
  strata_engine_run_async (engine, "a", rendezvous_job, &r, NULL, g_free, NULL, run_done, &a);
  strata_engine_run_on_async (engine, STRATA_ENGINE_QUEUE_IO, "b", rendezvous_job, &r, NULL,
                              g_free, NULL, run_done, &b);
  wait_for (&a.done, "a");
  wait_for (&b.done, "b");
  g_assert_no_error (a.error);
  g_assert_no_error (b.error);
  g_assert_cmpfloat (*(double *) a.result, ==, 500500.0);
  g_assert_cmpfloat (*(double *) b.result, ==, 500500.0);
  g_free (a.result);
  g_free (b.result);
  finish_engine (engine);
  g_mutex_clear (&r.lock);
  g_cond_clear (&r.cond);
  remove_tree (dir);
}

/* A chunked job that runs until cancelled (or 20 s). */
typedef struct {
  int chunks;
  gint64 cancelled_at;
} Spin;

static gpointer
spin_job (StrataJob *job, gpointer data, GError **error)
{
  Spin *spin = data;
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    {
      if (strata_job_is_cancelled (job))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
          return NULL;
        }
      g_usleep (2000);   /* one "chunk" of work */
      g_atomic_int_inc (&spin->chunks);
      strata_job_progress (job, 0.5, "spin");
    }
  return g_new0 (int, 1);
}

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_run_cancel (void)
{
  g_autofree char *dir = make_tmp_dir ();
  StrataEngine *engine = strata_engine_new (dir);
  Spin s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
  GCancellable *c1 = g_cancellable_new (), *c3 = g_cancellable_new ();
  Outcome o1 = { 0 }, o2 = { 0 }, o3 = { 0 };
  /* Two jobs keep both workers busy; the third waits in the compute queue. */
  strata_engine_run_async (engine, "spin1", spin_job, &s1, NULL, g_free, c1, run_done, &o1);
  strata_engine_run_on_async (engine, STRATA_ENGINE_QUEUE_IO, "spin2", spin_job, &s2, NULL,
                              g_free, NULL, run_done, &o2);
  strata_engine_run_async (engine, "spin3", spin_job, &s3, NULL, g_free, c3, run_done, &o3);
  while (g_atomic_int_get (&s1.chunks) < 5 || g_atomic_int_get (&s2.chunks) < 5)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);

  /* The queued one is cancelled promptly although no worker is free. */
  gint64 t0 = g_get_monotonic_time ();
  g_cancellable_cancel (c3);
  wait_for (&o3.done, "queued cancel");
  g_assert_error (o3.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (o3.finished_at - t0, <, 200 * 1000);
  g_assert_cmpint (s3.chunks, ==, 0);
  g_assert_false (o1.done);

  /* A running one, cancelled from the main loop. */
  t0 = g_get_monotonic_time ();
  g_idle_add (cancel_later, c1);
  wait_for (&o1.done, "running cancel");
  g_assert_error (o1.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (o1.finished_at - t0, <, 200 * 1000);
  g_assert_true (strata_engine_get_busy (engine));

  /* cancel_all reaches the last one. */
  t0 = g_get_monotonic_time ();
  strata_engine_cancel_all (engine);
  wait_for (&o2.done, "cancel all");
  g_assert_error (o2.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (o2.finished_at - t0, <, 200 * 1000);
  g_assert_false (strata_engine_get_busy (engine));

  g_clear_error (&o1.error);
  g_clear_error (&o2.error);
  g_clear_error (&o3.error);
  g_object_unref (c1);
  g_object_unref (c3);
  finish_engine (engine);
  remove_tree (dir);
}

static void
test_run_shutdown (void)
{
  g_autofree char *dir = make_tmp_dir ();
  StrataEngine *engine = strata_engine_new (dir);
  Spin s[3] = { { 0 } };
  Outcome o[4] = { { 0 } };
  for (int i = 0; i < 3; i++)
    strata_engine_run_on_async (engine, i == 1 ? STRATA_ENGINE_QUEUE_IO : STRATA_ENGINE_QUEUE_COMPUTE,
                                "spin", spin_job, &s[i], NULL, g_free, NULL, run_done, &o[i]);
  while (g_atomic_int_get (&s[0].chunks) < 2 || g_atomic_int_get (&s[1].chunks) < 2)
    g_usleep (1000);

  /* Returns once the workers are joined, i.e. after their jobs stopped. */
  gint64 t0 = g_get_monotonic_time ();
  strata_engine_shutdown (engine);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 200 * 1000);
  int c0 = g_atomic_int_get (&s[0].chunks), c1 = g_atomic_int_get (&s[1].chunks);
  g_usleep (20000);
  g_assert_cmpint (g_atomic_int_get (&s[0].chunks), ==, c0);
  g_assert_cmpint (g_atomic_int_get (&s[1].chunks), ==, c1);

  /* New jobs are refused. */
  strata_engine_run_async (engine, "late", square_job, GINT_TO_POINTER (2), NULL, g_free, NULL,
                           run_done, &o[3]);
  for (int i = 0; i < 4; i++)
    wait_for (&o[i].done, "shutdown callbacks");
  for (int i = 0; i < 3; i++)
    {
      g_assert_error (o[i].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&o[i].error);
    }
  g_assert_cmpint (s[2].chunks, ==, 0);
  g_assert_error (o[3].error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&o[3].error);
  g_assert_false (strata_engine_get_busy (engine));
  strata_engine_shutdown (engine);   /* idempotent */
  finish_engine (engine);
  remove_tree (dir);
}

/* ---- progress stress (after GStreamer's bus test) ---- */

#define POSTERS 8
#define POSTS 5000

typedef struct {
  StrataJob *job;
  int index;
} Poster;

static gpointer
poster_thread (gpointer data)
{
  Poster *p = data;
  for (int i = 1; i <= POSTS; i++)
    {
      strata_job_progress (p->job, (double) i / POSTS, i % 2 ? "odd" : "even");
      if (i % 20 == 0)
        g_usleep (1000);
    }
  return NULL;
}

static gpointer
stress_job (StrataJob *job, gpointer data, GError **error)
{
  GThread *threads[POSTERS];
  Poster posters[POSTERS];
  for (int i = 0; i < POSTERS; i++)
    {
      posters[i] = (Poster) { job, i };
      threads[i] = g_thread_new ("poster", poster_thread, &posters[i]);
    }
  for (int i = 0; i < POSTERS; i++)
    g_thread_join (threads[i]);
  return g_new0 (int, 1);
}

typedef struct {
  int notifies;
  double last;
  gboolean monotone;
  gboolean off_main;
} Watch;

static void
on_fraction (GObject *obj, GParamSpec *pspec, gpointer data)
{
  Watch *w = data;
  double f = strata_engine_get_fraction (STRATA_ENGINE (obj));
  if (g_thread_self () != main_thread)
    w->off_main = TRUE;
  if (f < w->last)
    w->monotone = FALSE;
  w->last = f;
  w->notifies++;
}

static void
test_progress_stress (void)
{
  g_autofree char *dir = make_tmp_dir ();
  StrataEngine *engine = strata_engine_new (dir);
  Watch w = { 0, 0.0, TRUE, FALSE };
  g_signal_connect (engine, "notify::fraction", G_CALLBACK (on_fraction), &w);
  Outcome o = { 0 };
  gint64 t0 = g_get_monotonic_time ();
  strata_engine_run_async (engine, "stress", stress_job, NULL, NULL, g_free, NULL, run_done, &o);
  wait_for (&o.done, "stress");
  g_assert_no_error (o.error);
  g_free (o.result);
  g_test_message ("%d progress posts gave %d notifications", POSTERS * POSTS, w.notifies);
  g_assert_false (w.off_main);
  g_assert_true (w.monotone);
  g_assert_cmpfloat (w.last, ==, 1.0);
  g_assert_cmpfloat (strata_engine_get_fraction (engine), ==, 1.0);
  /* Coalesced: far fewer dispatches than posts. */
  g_assert_cmpint (w.notifies, >=, 1);
  g_assert_cmpint (w.notifies, <, POSTERS * POSTS / 100);
  /* At most one dispatch per 1/30 s (plus the first and the last). */
  g_assert_cmpint (w.notifies, <=, (o.finished_at - t0) / (G_USEC_PER_SEC / 30) + 2);
  g_signal_handlers_disconnect_by_data (engine, &w);
  finish_engine (engine);
  remove_tree (dir);
}

/* ---- cache ---- */

static void
test_cache (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *sub = g_build_filename (dir, "nested", "strata", NULL);
  StrataEngine *engine = strata_engine_new (sub);
  const char *hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  g_assert_null (strata_cache_lookup (strata_engine_get_cache_dir (engine), hash, "peaks", 1));

  guint8 payload[1000];
  for (guint i = 0; i < sizeof payload; i++)
    payload[i] = (guint8) (i * 7);
  g_autoptr (GBytes) data = g_bytes_new (payload, sizeof payload);
  GError *error = NULL;
  g_assert_true (strata_cache_store (strata_engine_get_cache_dir (engine), hash, "peaks", 1, data, &error));
  g_assert_no_error (error);
  g_autoptr (GBytes) back = strata_cache_lookup (strata_engine_get_cache_dir (engine), hash, "peaks", 1);
  g_assert_nonnull (back);
  g_assert_true (g_bytes_equal (back, data));
  /* Another version or kind is another entry. */
  g_assert_null (strata_cache_lookup (strata_engine_get_cache_dir (engine), hash, "peaks", 2));
  g_assert_null (strata_cache_lookup (strata_engine_get_cache_dir (engine), hash, "specgram", 1));

  g_autofree char *path = strata_cache_path (strata_engine_get_cache_dir (engine), hash, "peaks", 1);
  g_assert_true (g_str_has_prefix (path, sub));
  char *contents;
  gsize len;
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, ==, 152 + sizeof payload);

  /* Corruptions read as misses: a payload byte, a header byte, truncation,
   * extension, an empty file. */
  const gsize flips[] = { 152 + 500, 3, 12, 20, 60, 115, 130 };
  for (guint i = 0; i < G_N_ELEMENTS (flips); i++)
    {
      char *copy = g_memdup2 (contents, len);
      copy[flips[i]] ^= 0x40;
      g_assert_true (g_file_set_contents (path, copy, (gssize) len, NULL));
      g_assert_null (strata_cache_lookup (strata_engine_get_cache_dir (engine), hash, "peaks", 1));
      g_free (copy);
    }
  g_assert_true (g_file_set_contents (path, contents, (gssize) len - 1, NULL));
  g_assert_null (strata_cache_lookup (strata_engine_get_cache_dir (engine), hash, "peaks", 1));
  char *longer = g_malloc0 (len + 1);
  memcpy (longer, contents, len);
  g_assert_true (g_file_set_contents (path, longer, (gssize) len + 1, NULL));
  g_assert_null (strata_cache_lookup (strata_engine_get_cache_dir (engine), hash, "peaks", 1));
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  g_assert_null (strata_cache_lookup (strata_engine_get_cache_dir (engine), hash, "peaks", 1));
  /* Rewriting restores it. */
  g_assert_true (strata_cache_store (strata_engine_get_cache_dir (engine), hash, "peaks", 1, data, &error));
  g_autoptr (GBytes) again = strata_cache_lookup (strata_engine_get_cache_dir (engine), hash, "peaks", 1);
  g_assert_true (g_bytes_equal (again, data));
  g_free (longer);
  g_free (contents);
  finish_engine (engine);
  remove_tree (dir);
}

/* ---- load ---- */

static char *
write_audio (const char *dir, const char *name, double seconds, int rate, StrataAudioFormat format)
{
  const gint64 n = (gint64) (seconds * rate);
  float *s = g_new (float, n * 2);
  for (gint64 i = 0; i < n; i++)
    {
      double t = (double) i / rate;
      s[2 * i] = (float) (0.5 * sin (2 * M_PI * 440.0 * t));
      s[2 * i + 1] = (float) (0.25 * sin (2 * M_PI * 1000.0 * t) * (1 + sin (t)));
    }
  char *path = g_build_filename (dir, name, NULL);
  GError *error = NULL;
  g_assert_true (strata_audio_write (path, s, n, 2, rate, format, &error));
  g_assert_no_error (error);
  g_free (s);
  return path;
}

static char *
write_wav (const char *dir, const char *name, double seconds)
{
  return write_audio (dir, name, seconds, STRATA_SAMPLE_RATE, STRATA_AUDIO_FORMAT_WAV_PCM16);
}

static char *
file_sha256 (const char *path)
{
  char *contents;
  gsize len;
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  char *hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guint8 *) contents, len);
  g_free (contents);
  return hex;
}

static guint64
inode_of (const char *path)
{
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (guint64) st.st_ino;
}

static void
assert_same_summaries (StrataTrack *a, StrataTrack *b)
{
  float a1[32], a2[32], b1[32], b2[32];
  strata_peaks_query (strata_track_get_peaks (a), 0, 4000, 32, a1, a2);
  strata_peaks_query (strata_track_get_peaks (b), 0, 4000, 32, b1, b2);
  g_assert_cmpmem (a1, sizeof a1, b1, sizeof b1);
  g_assert_cmpmem (a2, sizeof a2, b2, sizeof b2);
  const int F = strata_specgram_get_n_bins (strata_track_get_specgram (a));
  g_assert_cmpint (F, ==, strata_specgram_get_n_bins (strata_track_get_specgram (b)));
  float *q1 = g_new (float, 8 * F), *q2 = g_new (float, 8 * F);
  strata_specgram_query (strata_track_get_specgram (a), 0.1, 0.05, 8, q1);
  strata_specgram_query (strata_track_get_specgram (b), 0.1, 0.05, 8, q2);
  g_assert_cmpmem (q1, 8 * F * sizeof (float), q2, 8 * F * sizeof (float));
  g_free (q1);
  g_free (q2);
}

static void
test_load (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autofree char *wav = write_wav (dir, "tone.wav", 3.0);
  g_autofree char *hash = file_sha256 (wav);
  StrataEngine *engine = strata_engine_new (cache);

  Outcome o = { 0 };
  strata_track_load_async (engine, wav, NULL, load_done, &o);
  wait_for (&o.done, "load");
  g_assert_no_error (o.error);
  StrataTrack *t = o.track;
  g_assert_cmpstr (strata_track_get_path (t), ==, wav);
  g_assert_cmpstr (strata_track_get_hash (t), ==, hash);
  g_assert_cmpfloat_with_epsilon (strata_track_get_duration (t), 3.0, 1e-9);
  g_assert_cmpint (strata_audio_get_n_frames (strata_track_get_audio (t)), ==, 3 * 44100);
  g_assert_cmpint (strata_track_get_info (t)->sample_rate, ==, 44100);
  g_assert_cmpint (strata_track_get_info (t)->channels, ==, 2);
  g_assert_cmpint (strata_peaks_get_n_frames (strata_track_get_peaks (t)), ==, 3 * 44100);
  /* Peaks of the mono mix: 0.5 sin + up to 0.5 sin -> within [-0.5, 0.5]. */
  float mn, mx;
  strata_peaks_query (strata_track_get_peaks (t), 0, 3 * 44100, 1, &mn, &mx);
  g_assert_cmpfloat (mx, >, 0.3f);
  g_assert_cmpfloat (mx, <=, 0.5f);
  g_assert_cmpfloat (mn, <, -0.3f);

  g_autofree char *pp = strata_cache_path (strata_engine_get_cache_dir (engine), hash, "peaks",
                                                  STRATA_PEAKS_FORMAT_VERSION);
  g_autofree char *sp = strata_cache_path (strata_engine_get_cache_dir (engine), hash, "specgram",
                                                  STRATA_SPECGRAM_FORMAT_VERSION);
  g_assert_true (g_file_test (pp, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (sp, G_FILE_TEST_IS_REGULAR));
  guint64 pino = inode_of (pp), sino = inode_of (sp);

  /* Second load: summaries come from the cache (entries not rewritten). */
  Outcome o2 = { 0 };
  strata_track_load_async (engine, wav, NULL, load_done, &o2);
  wait_for (&o2.done, "second load");
  g_assert_no_error (o2.error);
  g_assert_cmpuint (inode_of (pp), ==, pino);
  g_assert_cmpuint (inode_of (sp), ==, sino);
  assert_same_summaries (t, o2.track);
  strata_track_unref (o2.track);

  /* A corrupt spectrogram entry is recomputed and rewritten valid. */
  char *contents;
  gsize len;
  g_assert_true (g_file_get_contents (sp, &contents, &len, NULL));
  contents[len / 2] ^= 0x5a;
  g_assert_true (g_file_set_contents (sp, contents, (gssize) len, NULL));
  g_free (contents);
  g_assert_null (strata_cache_lookup (strata_engine_get_cache_dir (engine), hash, "specgram",
                                             STRATA_SPECGRAM_FORMAT_VERSION));
  Outcome o3 = { 0 };
  strata_track_load_async (engine, wav, NULL, load_done, &o3);
  wait_for (&o3.done, "third load");
  g_assert_no_error (o3.error);
  assert_same_summaries (t, o3.track);
  g_autoptr (GBytes) fixed = strata_cache_lookup (strata_engine_get_cache_dir (engine), hash, "specgram",
                                                         STRATA_SPECGRAM_FORMAT_VERSION);
  g_assert_nonnull (fixed);
  g_assert_cmpuint (inode_of (pp), ==, pino);
  strata_track_unref (o3.track);

  /* An entry that verifies but holds a malformed summary is recomputed too. */
  g_autoptr (GBytes) junk = g_bytes_new_static ("SPKS junk", 9);
  g_assert_true (strata_cache_store (strata_engine_get_cache_dir (engine), hash, "peaks", STRATA_PEAKS_FORMAT_VERSION,
                                            junk, NULL));
  Outcome o4 = { 0 };
  strata_track_load_async (engine, wav, NULL, load_done, &o4);
  wait_for (&o4.done, "fourth load");
  g_assert_no_error (o4.error);
  assert_same_summaries (t, o4.track);
  g_autoptr (GBytes) repaired = strata_cache_lookup (strata_engine_get_cache_dir (engine), hash, "peaks",
                                                            STRATA_PEAKS_FORMAT_VERSION);
  g_assert_nonnull (repaired);
  StrataPeaks *rp = strata_peaks_deserialize (g_bytes_get_data (repaired, NULL),
                                              g_bytes_get_size (repaired));
  g_assert_nonnull (rp);
  strata_peaks_free (rp);
  strata_track_unref (o4.track);

  strata_track_unref (t);
  finish_engine (engine);
  remove_tree (dir);
}

static void
test_load_missing (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "no-such-file.flac", NULL);
  StrataEngine *engine = strata_engine_new (dir);
  Outcome o = { 0 };
  strata_track_load_async (engine, path, NULL, load_done, &o);
  wait_for (&o.done, "missing");
  g_assert_null (o.track);
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (o.error->message, path));
  g_clear_error (&o.error);
  finish_engine (engine);
  remove_tree (dir);
}

typedef struct {
  GCancellable *cancellable;
  gint64 cancelled_at;
  double at_fraction;
  char *stage;
} CancelAt;

static void
cancel_at_fraction (GObject *obj, GParamSpec *pspec, gpointer data)
{
  CancelAt *c = data;
  if (c->cancelled_at == 0 && strata_engine_get_fraction (STRATA_ENGINE (obj)) >= c->at_fraction)
    {
      c->cancelled_at = g_get_monotonic_time ();
      c->stage = g_strdup (strata_engine_get_stage (STRATA_ENGINE (obj)));
      g_cancellable_cancel (c->cancellable);
    }
}

/* A load cancelled in its spectrogram stage (a 44.1 kHz WAV: libsndfile)
 * and in its decode stage (a 48 kHz FLAC: GStreamer with resampling) ends
 * within 200 ms and leaves no cache entry. */
static void
test_load_cancel (gconstpointer param)
{
  const gboolean in_decode = GPOINTER_TO_INT (param);
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);
  g_autofree char *wav = in_decode ? write_audio (dir, "long.flac", 240.0, 48000,
                                                  STRATA_AUDIO_FORMAT_FLAC)
                                   : write_wav (dir, "long.wav", 240.0);
  g_autofree char *hash = file_sha256 (wav);
  StrataEngine *engine = strata_engine_new (cache);
  CancelAt c = { g_cancellable_new (), 0, in_decode ? 0.3 : 0.74, NULL };
  g_signal_connect (engine, "notify::fraction", G_CALLBACK (cancel_at_fraction), &c);
  Outcome o = { 0 };
  strata_track_load_async (engine, wav, c.cancellable, load_done, &o);
  wait_for (&o.done, "cancelled load");
  g_assert_cmpint (c.cancelled_at, !=, 0);
  g_assert_error (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (o.track);
  g_test_message ("cancel in stage %s -> callback: %.1f ms", c.stage,
                  (o.finished_at - c.cancelled_at) / 1000.0);
  g_autofree char *lower = g_ascii_strdown (c.stage, -1);
  g_assert_nonnull (strstr (lower, in_decode ? "decod" : "spectrogram"));
  g_free (c.stage);
  {
    /* 200 ms; sanitizer builds run slower (the test command scales it) */
    const char *scale = g_getenv ("STRATA_TEST_TIME_SCALE");
    double limit_us = 200e3 * (scale ? MAX (g_ascii_strtod (scale, NULL), 1.0) : 1.0);
    g_assert_cmpfloat ((double) (o.finished_at - c.cancelled_at), <, limit_us);
  }
  g_autofree char *pp = strata_cache_path (strata_engine_get_cache_dir (engine), hash, "peaks",
                                                  STRATA_PEAKS_FORMAT_VERSION);
  g_autofree char *sp = strata_cache_path (strata_engine_get_cache_dir (engine), hash, "specgram",
                                                  STRATA_SPECGRAM_FORMAT_VERSION);
  g_assert_false (g_file_test (pp, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (sp, G_FILE_TEST_EXISTS));
  g_clear_error (&o.error);
  g_signal_handlers_disconnect_by_data (engine, &c);
  g_object_unref (c.cancellable);
  finish_engine (engine);
  remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();
  g_test_add_func ("/strata/engine/run/basic", test_run_basic);
  g_test_add_func ("/strata/engine/run/two-at-once", test_run_two_at_once);
  g_test_add_func ("/strata/engine/run/cancel", test_run_cancel);
  g_test_add_func ("/strata/engine/run/shutdown", test_run_shutdown);
  g_test_add_func ("/strata/engine/progress/stress", test_progress_stress);
  g_test_add_func ("/strata/engine/cache/corrupt", test_cache);
  g_test_add_func ("/strata/engine/load/wav", test_load);
  g_test_add_func ("/strata/engine/load/missing", test_load_missing);
  g_test_add_data_func ("/strata/engine/load/cancel/spectrogram", GINT_TO_POINTER (FALSE),
                        test_load_cancel);
  g_test_add_data_func ("/strata/engine/load/cancel/decode", GINT_TO_POINTER (TRUE),
                        test_load_cancel);
  return g_test_run ();
}
