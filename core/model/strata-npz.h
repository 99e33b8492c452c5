/* strata-npz.h: writing NumPy .npz files (a zip of .npy arrays, stored
 * uncompressed) for `strata-cli features` and feature export.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef struct _StrataNpz StrataNpz;

StrataNpz *strata_npz_new        (void);
void       strata_npz_free       (StrataNpz *npz);
/* Adds NAME.npy: @data holds prod(@shape) values of @dtype ("<f4", "<f8",
 * "<i4"), copied. */
void       strata_npz_add        (StrataNpz *npz, const char *name, const char *dtype,
                                  int ndim, const int64_t *shape, const void *data);
/* Adds a 1-D array of strings (numpy dtype '<U<n>', UTF-32LE). */
void       strata_npz_add_strings (StrataNpz *npz, const char *name, const char *const *strings,
                                   int n);
/* The archive's bytes (NULL with @error past the zip format's limits). */
GBytes    *strata_npz_to_bytes   (StrataNpz *npz, GError **error);
/* Writes the archive atomically, never over one of @inputs (core/io). */
gboolean   strata_npz_write      (StrataNpz *npz, const char *path, const char *const *inputs,
                                  GError **error);
/* CRC-32 (IEEE 802.3, as zip), exposed for tests. */
guint32    strata_crc32          (guint32 crc, const guint8 *data, gsize len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataNpz, strata_npz_free)

G_END_DECLS
