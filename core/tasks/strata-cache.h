/* strata-cache.h: the on-disk result cache. Blobs keyed by a hash (a file's
 * content hash, or a task's cache key), an entry kind and a payload version.
 * Reads verify a header and checksum (a corrupt entry reads as absent);
 * writes are atomic (temporary file, then rename). strata_task_run() is its
 * one user in the product; safe from any thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char    *strata_cache_dup_default_dir (void);

/* Path of the entry, whether or not it exists (tests use it). (transfer full) */
char    *strata_cache_path            (const char *dir, const char *hash,
                                       const char *kind, int version);
GBytes  *strata_cache_lookup          (const char *dir, const char *hash,
                                       const char *kind, int version);
gboolean strata_cache_store           (const char *dir, const char *hash,
                                       const char *kind, int version,
                                       GBytes *data, GError **error);

G_END_DECLS
