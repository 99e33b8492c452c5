/* strata-gm.c: General MIDI names and the GM family -> stem map.
 *
 * The stem map (also in resources/demo/README.md and tests):
 *
 *   channel 10 (drum kits)                      -> drums
 *   0-7    piano, electric piano, harpsichord,
 *          clavinet                             -> piano
 *   24-31  guitars                              -> guitar
 *   32-39  basses                               -> bass
 *   52-54  choir aahs, voice oohs, synth voice;
 *   85     lead 6 (voice)                       -> vocals
 *   everything else (chromatic percussion, organ, strings, ensembles,
 *   brass, reeds, pipes, synth leads and pads, ethnic, percussive,
 *   sound effects)                              -> other
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "corpus/strata-compose.h"

static const char *const stem_names[STRATA_N_STEMS] = {
  "drums", "bass", "guitar", "piano", "vocals", "other",
};

static const char *const family_names[16] = {
  "piano", "chromatic percussion", "organ", "guitar", "bass", "strings",
  "ensemble", "brass", "reed", "pipe", "synth lead", "synth pad",
  "synth effects", "ethnic", "percussive", "sound effects",
};

static const char *const program_names[128] = {
  "Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano", "Honky-tonk Piano",
  "Electric Piano 1", "Electric Piano 2", "Harpsichord", "Clavinet",
  "Celesta", "Glockenspiel", "Music Box", "Vibraphone",
  "Marimba", "Xylophone", "Tubular Bells", "Dulcimer",
  "Drawbar Organ", "Percussive Organ", "Rock Organ", "Church Organ",
  "Reed Organ", "Accordion", "Harmonica", "Tango Accordion",
  "Acoustic Guitar (nylon)", "Acoustic Guitar (steel)", "Electric Guitar (jazz)", "Electric Guitar (clean)",
  "Electric Guitar (muted)", "Overdriven Guitar", "Distortion Guitar", "Guitar Harmonics",
  "Acoustic Bass", "Electric Bass (finger)", "Electric Bass (pick)", "Fretless Bass",
  "Slap Bass 1", "Slap Bass 2", "Synth Bass 1", "Synth Bass 2",
  "Violin", "Viola", "Cello", "Contrabass",
  "Tremolo Strings", "Pizzicato Strings", "Orchestral Harp", "Timpani",
  "String Ensemble 1", "String Ensemble 2", "Synth Strings 1", "Synth Strings 2",
  "Choir Aahs", "Voice Oohs", "Synth Voice", "Orchestra Hit",
  "Trumpet", "Trombone", "Tuba", "Muted Trumpet",
  "French Horn", "Brass Section", "Synth Brass 1", "Synth Brass 2",
  "Soprano Sax", "Alto Sax", "Tenor Sax", "Baritone Sax",
  "Oboe", "English Horn", "Bassoon", "Clarinet",
  "Piccolo", "Flute", "Recorder", "Pan Flute",
  "Blown Bottle", "Shakuhachi", "Whistle", "Ocarina",
  "Lead 1 (square)", "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)",
  "Lead 5 (charang)", "Lead 6 (voice)", "Lead 7 (fifths)", "Lead 8 (bass + lead)",
  "Pad 1 (new age)", "Pad 2 (warm)", "Pad 3 (polysynth)", "Pad 4 (choir)",
  "Pad 5 (bowed)", "Pad 6 (metallic)", "Pad 7 (halo)", "Pad 8 (sweep)",
  "FX 1 (rain)", "FX 2 (soundtrack)", "FX 3 (crystal)", "FX 4 (atmosphere)",
  "FX 5 (brightness)", "FX 6 (goblins)", "FX 7 (echoes)", "FX 8 (sci-fi)",
  "Sitar", "Banjo", "Shamisen", "Koto",
  "Kalimba", "Bagpipe", "Fiddle", "Shanai",
  "Tinkle Bell", "Agogo", "Steel Drums", "Woodblock",
  "Taiko Drum", "Melodic Tom", "Synth Drum", "Reverse Cymbal",
  "Guitar Fret Noise", "Breath Noise", "Seashore", "Bird Tweet",
  "Telephone Ring", "Helicopter", "Applause", "Gunshot",
};

/**
 * strata_stem_get_name:
 * @stem: a stem
 *
 * Returns: (transfer none): the stem's file name stem, e.g. "drums".
 */
const char *
strata_stem_get_name (StrataStem stem)
{
  g_return_val_if_fail (stem < STRATA_N_STEMS, NULL);
  return stem_names[stem];
}

/**
 * strata_stem_from_name:
 * @name: "drums", "bass", "guitar", "piano", "vocals" or "other"
 *
 * Returns: the #StrataStem, or -1 when @name is not a stem.
 */
int
strata_stem_from_name (const char *name)
{
  for (int i = 0; i < STRATA_N_STEMS; i++)
    if (g_strcmp0 (name, stem_names[i]) == 0)
      return i;
  return -1;
}

/**
 * strata_stem_for_program:
 * @program: GM program 0..127
 * @is_drums: whether the part plays on the drum channel
 *
 * Returns: the stem a part with this program renders into (the map at the
 *   top of this file).
 */
StrataStem
strata_stem_for_program (int program, gboolean is_drums)
{
  if (is_drums)
    return STRATA_STEM_DRUMS;
  if (program >= 0 && program <= 7)
    return STRATA_STEM_PIANO;
  if (program >= 24 && program <= 31)
    return STRATA_STEM_GUITAR;
  if (program >= 32 && program <= 39)
    return STRATA_STEM_BASS;
  if ((program >= 52 && program <= 54) || program == 85)
    return STRATA_STEM_VOCALS;
  return STRATA_STEM_OTHER;
}

/**
 * strata_gm_family_name:
 * @program: GM program 0..127
 *
 * Returns: (transfer none): the GM family, e.g. "guitar".
 */
const char *
strata_gm_family_name (int program)
{
  g_return_val_if_fail (program >= 0 && program < 128, NULL);
  return family_names[program / 8];
}

/**
 * strata_gm_program_name:
 * @program: GM program 0..127
 *
 * Returns: (transfer none): the GM instrument name.
 */
const char *
strata_gm_program_name (int program)
{
  g_return_val_if_fail (program >= 0 && program < 128, NULL);
  return program_names[program];
}
