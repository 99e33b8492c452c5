/* io-test-files.h: folder and file helpers shared by the core/io tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

/* The names in @dir, sorted bytewise and joined with spaces. */
char *io_test_list_folder  (const char *dir);
/* The whole of @path (asserted readable); @len receives its size. */
char *io_test_read_file    (const char *path,
                            gsize      *len);
/* Removes @dir and everything below it (symlinks are not followed). */
void  io_test_remove_tree  (const char *dir);
