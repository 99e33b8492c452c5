/* strata-output.c: atomic output files that never replace an input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE  /* fopencookie */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "io/strata-output.h"

struct _StrataOutput {
  char *path;
  char *temp_path;
  int   fd;
  FILE *stream;       /* nullable: made on demand, writes through fd */
  int   write_errno;  /* the first error a write through the stream met */
  int   slot;         /* in temp_slots, or -1 */
};

G_DEFINE_QUARK (strata-output-error-quark, strata_output_error)

/* The temporary files being written, for the termination handler. A slot
 * is claimed (FREE → BUSY), its path copied, then published (→ LIVE); the
 * handler unlinks the LIVE ones. Fixed storage, so that the handler touches
 * no memory another thread may free. */
enum { SLOT_FREE, SLOT_BUSY, SLOT_LIVE };
#define N_TEMP_SLOTS 64

typedef struct {
  int  state;            /* atomic */
  char path[PATH_MAX];
} TempSlot;

static TempSlot temp_slots[N_TEMP_SLOTS];

static int
temp_register (const char *path)
{
  if (strlen (path) >= PATH_MAX)
    return -1;
  for (int i = 0; i < N_TEMP_SLOTS; i++)
    if (g_atomic_int_compare_and_exchange (&temp_slots[i].state, SLOT_FREE, SLOT_BUSY))
      {
        strcpy (temp_slots[i].path, path);
        g_atomic_int_set (&temp_slots[i].state, SLOT_LIVE);
        return i;
      }
  return -1;  /* more than 64 outputs at once: those are not cleaned on a signal */
}

static void
temp_unregister (int slot)
{
  if (slot >= 0)
    g_atomic_int_set (&temp_slots[slot].state, SLOT_FREE);
}

static void
on_termination_signal (int sig)
{
  int errsv = errno;

  /* async-signal-safe: unlink(), signal(), raise() only */
  for (int i = 0; i < N_TEMP_SLOTS; i++)
    if (g_atomic_int_get (&temp_slots[i].state) == SLOT_LIVE)
      unlink (temp_slots[i].path);
  errno = errsv;
  signal (sig, SIG_DFL);
  raise (sig);
}

/**
 * strata_output_install_signal_cleanup:
 *
 * Makes SIGTERM, SIGINT and SIGHUP remove the temporary files of the outputs
 * being written before the process ends as the signal says (the exit status
 * still shows the signal). A signal that already has a handler keeps it.
 * Called once by each program at start-up.
 */
void
strata_output_install_signal_cleanup (void)
{
  static const int signals[] = { SIGTERM, SIGINT, SIGHUP };

  for (gsize i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      struct sigaction old, sa;

      if (sigaction (signals[i], NULL, &old) != 0 || old.sa_handler != SIG_DFL)
        continue;
      memset (&sa, 0, sizeof sa);
      sa.sa_handler = on_termination_signal;
      sigemptyset (&sa.sa_mask);
      sigaction (signals[i], &sa, NULL);
    }
}

static void
set_failed (GError    **error,
            const char *path,
            int         errsv)
{
  g_set_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_FAILED,
               _("Cannot write “%s”: %s"), path, g_strerror (errsv));
}

static mode_t
current_umask (void)
{
  /* umask() can only be read by setting it; done once, before threads write. */
  static gsize once;
  static mode_t mask;

  if (g_once_init_enter (&once))
    {
      mask = umask (022);
      umask (mask);
      g_once_init_leave (&once, 1);
    }
  return mask;
}

/**
 * strata_output_check:
 * @path: the output file name
 * @inputs: (nullable) (array zero-terminated=1): the files the output is made from
 * @error: return location for a #GError, or %NULL
 *
 * Checks that @path may be written: it must not be a folder, and not the same
 * file as any of @inputs (device and inode compared after following
 * symlinks, so another spelling of the name, a hard link or a symlink is
 * caught). A missing @path is fine; inputs that do not exist are ignored.
 *
 * Returns: %TRUE when @path may be written, %FALSE with @error set
 *   (%STRATA_OUTPUT_ERROR_SAME_AS_INPUT naming both files, or
 *   %STRATA_OUTPUT_ERROR_FAILED)
 */
gboolean
strata_output_check (const char        *path,
                     const char *const *inputs,
                     GError           **error)
{
  GStatBuf st;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (*path == '\0')
    {
      g_set_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_FAILED,
                   _("Cannot write “%s”: the file name is empty"), path);
      return FALSE;
    }
  if (g_stat (path, &st) != 0)
    {
      int errsv = errno;

      if (errsv == ENOENT)
        return TRUE;
      set_failed (error, path, errsv);
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_FAILED,
                   _("Cannot write “%s”: it is a folder"), path);
      return FALSE;
    }
  for (gsize i = 0; inputs != NULL && inputs[i] != NULL; i++)
    {
      GStatBuf in;

      if (g_stat (inputs[i], &in) != 0)
        continue;
      if (in.st_dev == st.st_dev && in.st_ino == st.st_ino)
        {
          g_set_error (error, STRATA_OUTPUT_ERROR, STRATA_OUTPUT_ERROR_SAME_AS_INPUT,
                       _("Cannot write “%s”: it is the same file as the input “%s”"),
                       path, inputs[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * strata_output_new:
 * @path: the output file name
 * @inputs: (nullable) (array zero-terminated=1): the files the output is made from
 * @error: return location for a #GError, or %NULL
 *
 * Runs strata_output_check(), then creates a temporary file in the folder of
 * @path (so that the final rename is atomic) with the mode a plain create
 * would give. Write to strata_output_get_fd() or strata_output_get_stream(),
 * then call strata_output_commit() or strata_output_abort(). With
 * g_autoptr(StrataOutput), pass g_steal_pointer() to the commit.
 *
 * Returns: (transfer full) (nullable): the output, or %NULL with @error set
 */
StrataOutput *
strata_output_new (const char        *path,
                   const char *const *inputs,
                   GError           **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  StrataOutput *out;

  if (!strata_output_check (path, inputs, error))
    return NULL;

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  out = g_new0 (StrataOutput, 1);
  out->path = g_strdup (path);
  out->temp_path = g_strdup_printf ("%s%c.%s.XXXXXX.part", dir, G_DIR_SEPARATOR, base);
  out->fd = g_mkstemp_full (out->temp_path, O_RDWR | O_CLOEXEC, 0666);
  if (out->fd < 0)
    {
      set_failed (error, path, errno);
      g_free (out->temp_path);
      g_free (out->path);
      g_free (out);
      return NULL;
    }
  /* mkstemp creates 0600; give the file the mode a plain create would. */
  (void) fchmod (out->fd, 0666 & ~current_umask ());
  out->slot = temp_register (out->temp_path);
  return out;
}

/**
 * strata_output_get_fd:
 * @out: an output
 *
 * Returns: the temporary file's descriptor, owned by @out (do not close it)
 */
int
strata_output_get_fd (StrataOutput *out)
{
  g_return_val_if_fail (out != NULL, -1);
  return out->fd;
}

static ssize_t
stream_write (void       *cookie,
              const char *buf,
              size_t      size)
{
  StrataOutput *out = cookie;
  size_t done = 0;

  while (done < size)
    {
      ssize_t n = write (out->fd, buf + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (out->write_errno == 0)
            out->write_errno = n < 0 ? errno : ENOSPC;
          return (ssize_t) done;  /* short (0: nothing): the stream's error */
        }
      done += (size_t) n;
    }
  return (ssize_t) done;
}

static int
stream_close (void *cookie)
{
  return 0;  /* the descriptor belongs to the output */
}

/**
 * strata_output_get_stream:
 * @out: an output
 *
 * A buffered stream onto the temporary file, made on the first call. Write
 * errors need not be checked one by one: strata_output_commit() reports the
 * first (for example “File too large”). Do not fclose() it.
 *
 * Returns: (transfer none) (nullable): the stream, %NULL only when out of memory
 */
FILE *
strata_output_get_stream (StrataOutput *out)
{
  g_return_val_if_fail (out != NULL, NULL);

  if (out->stream == NULL)
    {
      cookie_io_functions_t io = { .write = stream_write, .close = stream_close };

      out->stream = fopencookie (out, "w", io);
    }
  return out->stream;
}

/**
 * strata_output_get_temp_path:
 * @out: an output
 *
 * Returns: the temporary file's name, for writers that need a name
 */
const char *
strata_output_get_temp_path (StrataOutput *out)
{
  g_return_val_if_fail (out != NULL, NULL);
  return out->temp_path;
}

static void
output_free (StrataOutput *out,
             gboolean      remove_temp)
{
  if (out->stream != NULL)
    fclose (out->stream);
  if (out->fd >= 0)
    close (out->fd);
  if (remove_temp)
    g_unlink (out->temp_path);
  temp_unregister (out->slot);
  g_free (out->temp_path);
  g_free (out->path);
  g_free (out);
}

/**
 * strata_output_commit:
 * @out: (transfer full): an output
 * @error: return location for a #GError, or %NULL
 *
 * Flushes the stream, syncs and closes the temporary file, checking every
 * step, then renames it over the output file. On failure the temporary file
 * is removed, the output file is untouched and @error names the output and
 * the reason (%STRATA_OUTPUT_ERROR_FAILED). Frees @out in both cases.
 *
 * Returns: %TRUE when the output file now holds what was written
 */
gboolean
strata_output_commit (StrataOutput  *out,
                      GError       **error)
{
  int errsv = 0;

  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out->stream != NULL)
    {
      if (fflush (out->stream) != 0 && out->write_errno == 0)
        out->write_errno = errno != 0 ? errno : EIO;
      fclose (out->stream);
      out->stream = NULL;
    }
  if (out->write_errno != 0)
    errsv = out->write_errno;
  else if (fsync (out->fd) != 0)
    errsv = errno;
  if (close (out->fd) != 0 && errsv == 0)
    errsv = errno;
  out->fd = -1;
  if (errsv == 0 && g_rename (out->temp_path, out->path) != 0)
    errsv = errno;

  if (errsv != 0)
    {
      set_failed (error, out->path, errsv);
      output_free (out, TRUE);
      return FALSE;
    }
  output_free (out, FALSE);
  return TRUE;
}

/**
 * strata_output_abort:
 * @out: (transfer full) (nullable): an output
 *
 * Removes the temporary file and frees @out; the output file is untouched.
 */
void
strata_output_abort (StrataOutput *out)
{
  if (out != NULL)
    output_free (out, TRUE);
}

/**
 * strata_output_write_bytes:
 * @path: the output file name
 * @inputs: (nullable) (array zero-terminated=1): the files the output is made from
 * @bytes: the whole content
 * @error: return location for a #GError, or %NULL
 *
 * Writes @bytes to @path through a #StrataOutput: refused when @path is an
 * input or a folder, atomic, and every write error reported.
 *
 * Returns: %TRUE on success, %FALSE with @error set
 */
gboolean
strata_output_write_bytes (const char        *path,
                           const char *const *inputs,
                           GBytes            *bytes,
                           GError           **error)
{
  StrataOutput *out;
  const guint8 *data;
  gsize size, done = 0;

  g_return_val_if_fail (bytes != NULL, FALSE);

  out = strata_output_new (path, inputs, error);
  if (out == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &size);
  while (done < size)
    {
      ssize_t n = write (out->fd, data + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          set_failed (error, path, n < 0 ? errno : ENOSPC);
          strata_output_abort (out);
          return FALSE;
        }
      done += (gsize) n;
    }
  return strata_output_commit (out, error);
}
