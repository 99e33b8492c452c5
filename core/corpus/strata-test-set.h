/* strata-test-set.h: which real recordings are Strata's test set and never
 * training data. Header-only, so that the trainer (core/model) shares the
 * rule with `corpus index` without linking the renderer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <string.h>

/* The Frets on Fire songs (Debian's fretsonfire-songs-*, FoFiX) carry
 * separate guitar stems: they are the real-music test for separation, so
 * no training set may hold them. Recognised by `fretsonfire` or `fofix`
 * anywhere in @path, in any case. */
static inline gboolean
strata_corpus_path_is_test_set (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  return strstr (lower, "fretsonfire") != NULL || strstr (lower, "fofix") != NULL;
}
