/* strata-export.h: the window's exports written off the main thread. The
 * main thread renders (GTK work stays there) and hands over an immutable
 * texture or the features; the engine's I/O queue encodes and writes them
 * through the atomic output writer (core/io/strata-output.h), which refuses
 * to replace the track.
 *
 * Threading contract: the async functions are called on the main thread;
 * the write functions run on any one thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include "engine/strata-engine.h"
#include "model/strata-model.h"

G_BEGIN_DECLS

gboolean _strata_export_write_png  (GdkTexture      *texture,
                                    GFile           *file,
                                    const char      *input,
                                    GError         **error);
void     _strata_export_png_async  (StrataEngine        *engine,
                                    GdkTexture          *texture,
                                    GFile               *file,
                                    const char          *input,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
void     _strata_export_npz_async  (StrataEngine        *engine,
                                    StrataFeatures      *features,
                                    const char          *path,
                                    const char          *input,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
void     _strata_export_bytes_async (StrataEngine        *engine,
                                    GBytes              *bytes,
                                    const char          *path,
                                    const char          *input,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean _strata_export_finish     (StrataEngine        *engine,
                                    GAsyncResult        *result,
                                    GError             **error);

G_END_DECLS
