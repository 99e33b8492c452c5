/* strata-stem-folder.h: a folder of stem files (a producer's multitrack, a
 * previous export, a separation written by `strata-cli separate`) read as
 * stems of one length, and the rule that names each file's stem family.
 *
 * Which files: every regular, non-hidden file in the folder (not below it)
 * whose MIME type guessed from its name is audio/something (GIO's table: .wav,
 * .flac, .ogg, .opus, .mp3, .aiff, .m4a, ...), in the order of their names.
 * Each is decoded with strata_audio_decode() (44.1 kHz stereo float: other
 * rates resampled, mono made stereo). A file that does not decode is named
 * with the reason in the result's notes and the others are kept.
 *
 * Lengths: every stem is padded with silence or cut to one length: the
 * track's when the caller gives one (stems to audition against an open
 * track), else the longest stem's. Each stem whose length changed is named
 * in the notes with the difference.
 *
 * Stem family of a file (strata_stem_family_for_file()), the rule the
 * mixing suggestions build on: the file name without its extension is
 * split into words at every character that is not a letter, words are
 * compared in lower case, and the first family (in the order drums, bass,
 * guitar, piano, vocals) with a word that starts with one of its keywords
 * wins:
 *   drums   drum kit perc kick snare hat hihat cymbal overhead tom
 *   bass    bass (not bassoon) sub
 *   guitar  guitar gtr
 *   piano   piano keys keyboard pno rhodes
 *   vocals  vocal vox voice sing choir
 * anything else is "other". So "01 Drums.wav", "kick_in.flac" -> drums;
 * "Bass DI.wav" -> bass; "lead-vox.ogg" -> vocals; "song.ogg" -> other.
 * The family names are those of the corpus (strata_stem_get_name()).
 *
 * Threading contract: strata_stem_folder_load() runs on a worker (it reads
 * and decodes); the result is immutable and readable from any thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "audio/strata-audio.h"

G_BEGIN_DECLS

#define STRATA_STEM_FOLDER_ERROR (strata_stem_folder_error_quark ())
GQuark strata_stem_folder_error_quark (void);

typedef enum {
  STRATA_STEM_FOLDER_ERROR_UNREADABLE,   /* the folder cannot be listed */
  STRATA_STEM_FOLDER_ERROR_NO_AUDIO,     /* no audio file in it */
  STRATA_STEM_FOLDER_ERROR_ALL_FAILED,   /* no audio file decoded */
} StrataStemFolderError;

/**
 * StrataStemFolder:
 * @n_stems: how many stems were read
 * @stems: (array length=n_stems): the stems, 44.1 kHz stereo, @n_frames each
 * @names: (array length=n_stems): display names (file name without extension)
 * @families: (array length=n_stems): each file's stem family
 *   ("drums", "bass", "guitar", "piano", "vocals", "other"; static strings)
 * @paths: (array length=n_stems): the files read ("" for stems not read
 *   from a file)
 * @n_frames: the stems' common length
 * @notes: (nullable): what went differently, for people (translated, one
 *   sentence a line): files that did not decode and why, lengths changed
 * @n_failed: how many audio files did not decode
 */
typedef struct {
  guint n_stems;
  StrataAudio **stems;
  char **names;
  const char **families;
  char **paths;
  gint64 n_frames;
  char *notes;
  guint n_failed;
} StrataStemFolder;

const char       *strata_stem_family_for_file (const char *file_name);

StrataStemFolder *strata_stem_folder_load     (const char          *folder,
                                               gint64               n_frames,
                                               StrataProgressFunc   progress,
                                               void                *progress_data,
                                               GCancellable        *cancellable,
                                               GError             **error);
StrataStemFolder *strata_stem_folder_new      (StrataAudio *const *stems,
                                               const char *const  *names,
                                               const char *const  *paths,
                                               guint               n,
                                               gint64              n_frames);
void              strata_stem_folder_free     (StrataStemFolder *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataStemFolder, strata_stem_folder_free)

StrataAudio      *strata_audio_fit_length     (StrataAudio *audio,
                                               gint64       n_frames);
StrataAudio      *strata_audio_sum            (StrataAudio *const *audios,
                                               guint               n);

G_END_DECLS
