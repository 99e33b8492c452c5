/* strata-output.h: the one way Strata writes an output file.
 *
 * Every writer (features, pictures, audio, MIDI, CSV, stems, mixes) goes
 * through a StrataOutput: the output is refused when it is the same file as
 * one of the inputs (device and inode compared, so ./x, ../dir/x, hard links
 * and symlinks are all caught) or a folder; the data goes to a temporary file
 * beside the output, which is flushed, synced and closed with every error
 * checked, then renamed over the output. A write that fails midway (file-size
 * limit, full disk) leaves the output untouched and no temporary file, and its
 * error names the file and the reason.
 *
 * GLib/GIO only; usable from any thread (one StrataOutput per thread).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define STRATA_OUTPUT_ERROR (strata_output_error_quark ())
GQuark strata_output_error_quark (void);

typedef enum {
  STRATA_OUTPUT_ERROR_SAME_AS_INPUT,  /* the output is one of the inputs */
  STRATA_OUTPUT_ERROR_FAILED,         /* a folder, or creating/writing/renaming failed */
} StrataOutputError;

typedef struct _StrataOutput StrataOutput;

gboolean      strata_output_check         (const char         *path,
                                           const char *const  *inputs,
                                           GError            **error);
StrataOutput *strata_output_new           (const char         *path,
                                           const char *const  *inputs,
                                           GError            **error);
int           strata_output_get_fd        (StrataOutput       *out);
FILE         *strata_output_get_stream    (StrataOutput       *out);
const char   *strata_output_get_temp_path (StrataOutput       *out);
gboolean      strata_output_commit        (StrataOutput       *out,
                                           GError            **error);
void          strata_output_abort         (StrataOutput       *out);
gboolean      strata_output_write_bytes   (const char         *path,
                                           const char *const  *inputs,
                                           GBytes             *bytes,
                                           GError            **error);
void          strata_output_install_signal_cleanup (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataOutput, strata_output_abort)

G_END_DECLS
