/* strata-corpus.h: labelled training corpora and indexes of real recordings.
 *
 * strata_corpus_render() writes one folder a piece under the output folder:
 *
 *   NNNNN-<style>/mix.flac           the mix (= sum of the stems before quantisation)
 *   NNNNN-<style>/stems/<stem>.flac  drums bass guitar piano vocals other
 *   NNNNN-<style>/notes.csv          onset_s,offset_s,pitch,velocity,program,stem,role
 *   NNNNN-<style>/tags.json          style, tempo, key, mode, metre, sections, parts
 *   NNNNN-<style>/mix.json           per-stem gain_db / pan, reverb and chorus
 *   NNNNN-<style>/piece.mid          the Standard MIDI File that was rendered
 *   manifest.jsonl                   one line a piece: folder, style, seed, duration, split
 *
 * Seeds are labelled as decimal strings ("seed": "15299368921377129575"):
 * the full unsigned 64-bit value, which a JSON integer cannot portably
 * hold; strata_corpus_compose_piece() regenerates a piece from its label.
 *
 * A piece folder is written under a temporary name and renamed when it is
 * complete, so after an interruption a rerun skips finished pieces and
 * redoes the rest. Same options and seed give identical files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include "strata-types.h"
#include "audio/strata-audio.h"
#include "corpus/strata-compose.h"
#include "corpus/strata-render.h"

G_BEGIN_DECLS

typedef struct {
  double              minutes;       /* total length to render */
  const char         *soundfont;
  guint64             seed;
  const char         *output;        /* output folder */
  const char * const *styles;        /* nullable: every style */
  double              min_seconds;   /* length range of one piece */
  double              max_seconds;
  int                 threads;       /* render workers (stems in parallel) */
  StrataAudioFormat   format;        /* FLAC (24-bit) or WAV_F32 (exact stems) */
  const char         *split;         /* "auto" (90/5/5 by seed), "train", "valid", "test" */
} StrataCorpusOptions;

void     strata_corpus_options_init (StrataCorpusOptions *options);

gboolean strata_corpus_render (const StrataCorpusOptions  *options,
                               StrataProgressFunc          progress,
                               gpointer                    progress_data,
                               GError                    **error);

StrataPiece *strata_corpus_compose_piece (const char *style,
                                          guint64     seed,
                                          double      min_seconds,
                                          double      max_seconds);

gboolean strata_corpus_write_piece (StrataRenderer     *renderer,
                                    const StrataPiece  *piece,
                                    const char         *soundfont,
                                    const char         *folder,
                                    StrataAudioFormat   format,
                                    const char         *split,
                                    double             *duration_out,
                                    GError            **error);

gboolean strata_corpus_index (const char * const  *folders,
                              const char          *manifest,
                              StrataProgressFunc   progress,
                              gpointer             progress_data,
                              double              *minutes_out,
                              guint               *n_files_out,
                              GError             **error);

void     strata_corpus_measure_levels (const float *x,
                                       gint64       n_frames,
                                       double      *peak_db,
                                       double      *rms_db);

/**
 * strata_corpus_list_pieces:
 * @dir: a rendered corpus (a folder of piece folders)
 * @required: a file each piece folder must hold, relative to it
 *   ("notes.csv", "stems/other.flac": a piece still being rendered has not
 *   written it yet)
 * @error: return location for a #GError
 *
 * The trainers' view of a corpus; folders of the test set
 * (strata_corpus_path_is_test_set()) are left out.
 *
 * Returns: (transfer full) (element-type filename) (nullable): the piece
 *   folders' paths, sorted by name, or %NULL when @dir cannot be read.
 */
GPtrArray *strata_corpus_list_pieces (const char *dir, const char *required, GError **error);

G_END_DECLS
