/* strata-transcription-synth.h: hearing a transcription. Notes become
 * 44.1 kHz stereo audio through libfluidsynth and a General MIDI sound
 * font from Debian (fluid-soundfont-gm, timgm6mb-soundfont), so that the
 * window can play what was transcribed, alone or against the original,
 * and sound a single note when it is clicked.
 *
 * The sound font is found once: $STRATA_SOUNDFONT when set, else the
 * first readable SoundFont 2 file of /usr/share/sounds/sf2/default-GM.sf2,
 * FluidR3_GM.sf2, TimGM6mb.sf2. Loading it (FluidR3 is 140 MB) is the slow
 * part, so one synthesizer a sound font is kept for the process and
 * shared; each render starts it from silence.
 *
 * Nothing here uses GTK. Threading contract: any thread, several renders
 * at once (each plays on synthesizers of its own); a render takes
 * seconds, so call it from engine workers, never from the GTK main thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "strata-types.h"
#include "audio/strata-audio.h"

G_BEGIN_DECLS

#define STRATA_SOUNDFONT_ENV "STRATA_SOUNDFONT"
/* Sounding time added after the last note-off (the release). */
#define STRATA_NOTE_SYNTH_TAIL_S 1.0

typedef struct _StrataNoteSynth StrataNoteSynth;

/**
 * strata_note_synth_dup_soundfont_path:
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the sound font to use, or %NULL with
 *   %STRATA_TRANSCRIPTION_ERROR_NOT_FOUND saying what to install (or, for
 *   $STRATA_SOUNDFONT, naming the file and why it cannot be used)
 */
char            *strata_note_synth_dup_soundfont_path (GError **error);

/**
 * strata_note_synth_new:
 * @soundfont: a SoundFont 2 file
 * @error: return location for a #GError
 *
 * Loads @soundfont into a new synthesizer (no audio driver is opened).
 *
 * Returns: (transfer full) (nullable): the synthesizer, or %NULL with
 *   %STRATA_TRANSCRIPTION_ERROR_NOT_FOUND (missing or unreadable file) or
 *   %STRATA_TRANSCRIPTION_ERROR_INVALID (not a sound font), naming the file
 */
StrataNoteSynth *strata_note_synth_new     (const char *soundfont, GError **error);
/**
 * strata_note_synth_get_default:
 * @error: return location for a #GError
 *
 * The process's shared synthesizer of strata_note_synth_dup_soundfont_path(),
 * loaded on first use (callers wait while one thread loads it).
 *
 * Returns: (transfer full) (nullable): a reference, or %NULL with @error set
 */
StrataNoteSynth *strata_note_synth_get_default (GError **error);
StrataNoteSynth *strata_note_synth_ref     (StrataNoteSynth *synth);
/* Drops a reference; NULL-safe. */
void             strata_note_synth_unref   (StrataNoteSynth *synth);
/* Returns: (transfer none): the sound font's path. */
const char      *strata_note_synth_get_soundfont (StrataNoteSynth *synth);

/**
 * strata_note_synth_render:
 * @synth: a synthesizer
 * @notes: (element-type StrataTimedNote): the notes (any order)
 * @n_frames: the length of the result in frames, or -1 for up to the last
 *   note-off plus %STRATA_NOTE_SYNTH_TAIL_S
 * @program: the General MIDI program (0 = acoustic grand piano)
 * @progress: (nullable): told the fraction rendered every second of audio
 *   (stage "transcription-synth")
 * @abort_func: (nullable): checked every second of audio rendered
 * @abort_data: its data, also @progress's
 * @error: return location for a #GError
 *
 * Plays @notes from silence on one channel and records the output: frame
 * i is the synthesizer's output at i / 44100 s; notes past @n_frames are
 * cut. A note's velocity is its MIDI velocity.
 *
 * Returns: (transfer full) (nullable): 44.1 kHz stereo audio of @n_frames
 *   frames, or %NULL with @error set (%G_IO_ERROR_CANCELLED when aborted,
 *   %STRATA_TRANSCRIPTION_ERROR_FAILED when memory runs out)
 */
StrataAudio     *strata_note_synth_render  (StrataNoteSynth *synth,
                                            const GArray    *notes,
                                            gint64           n_frames,
                                            int              program,
                                            StrataProgressFunc progress,
                                            StrataAbortFunc  abort_func,
                                            void            *abort_data,
                                            GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataNoteSynth, strata_note_synth_unref)

G_END_DECLS
