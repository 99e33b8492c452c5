/* fuzz-replay.c: runs a libFuzzer harness over files, without libFuzzer.
 *
 * Linked with one fuzz-*.c harness by tests/fuzz/meson.build, so that the
 * normal test suite (and its ASan build) replays every seed and every input
 * that once crashed a fuzzer (tests/fuzz/regressions/NAME/). A harness
 * traps on a failed property, which fails the test.
 *
 * Usage: fuzz-replay-NAME FILE-OR-FOLDER...
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

static int
replay (const char *path)
{
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr (GError) error = NULL;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, &error);
      const char *name;
      int n = 0;

      if (dir == NULL)
        {
          fprintf (stderr, "%s\n", error->message);
          return -1;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          int k = replay (child);

          if (k < 0)
            return -1;
          n += k;
        }
      return n;
    }
  if (!g_file_get_contents (path, &data, &len, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return -1;
    }
  printf ("# %s (%zu bytes)\n", path, len);
  fflush (stdout);
  LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
  return 1;
}

int
main (int argc, char **argv)
{
  int total = 0;

  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    {
      int n = replay (argv[i]);

      if (n < 0)
        return 1;
      total += n;
    }
  if (total == 0)
    {
      fprintf (stderr, "fuzz-replay: no input given\n");
      return 1;
    }
  printf ("# %d inputs replayed\n", total);
  return 0;
}
