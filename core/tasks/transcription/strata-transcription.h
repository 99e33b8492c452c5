/* strata-transcription.h: the transcription head (DESIGN §6b): notes of
 * every pitched instrument of a mix, 88 pitches A0..C8.
 *
 * Pipeline:
 *
 *   mono 44.1 kHz --strata_transcription_frontend()--> (T, 264) log-frequency
 *   spectrogram (4096-point STFT, hop 512 = 86.13 frames/s, 3 bins a
 *   semitone from MIDI 20.67 to 108.33)
 *   [+ foundation fine (86.13 /s) and medium (21.5 /s) features, each through a
 *    linear projection, the medium upsampled x4]
 *   --StrataTranscriber: 2 conv layers, a linear, a bidirectional GRU, a linear-->
 *   per frame and pitch: activity, onset, offset (probabilities), velocity (0..1)
 *   --strata_transcription_decode()--> notes
 *
 * Weights are safetensors files (architecture "strata-transcription"), the
 * hyper-parameters (widths, with/without features) in strata.config.
 *
 * Nothing here uses GTK; inference (strata_transcriber_run()) only reads
 * a StrataTranscriber, so one head serves several threads at once;
 * training writes it (one thread).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "strata-types.h"
#include "audio/strata-audio.h"
#include "model/strata-model.h"

G_BEGIN_DECLS

#define STRATA_TRANSCRIPTION_ARCHITECTURE "strata-transcription"
#define STRATA_TRANSCRIPTION_DEFAULT_FILE "strata-transcription.safetensors"

#define STRATA_TRANSCRIPTION_N_PITCHES 88     /* MIDI 21 (A0) .. 108 (C8) */
#define STRATA_TRANSCRIPTION_MIN_PITCH 21
#define STRATA_TRANSCRIPTION_N_FFT 4096
#define STRATA_TRANSCRIPTION_HOP 512
#define STRATA_TRANSCRIPTION_BINS_PER_SEMITONE 3
#define STRATA_TRANSCRIPTION_N_BINS (STRATA_TRANSCRIPTION_N_PITCHES * STRATA_TRANSCRIPTION_BINS_PER_SEMITONE)
/* 44100 / 512 frames a second; frame t is centred on t / rate seconds. */
#define STRATA_TRANSCRIPTION_RATE ((double) STRATA_SAMPLE_RATE / STRATA_TRANSCRIPTION_HOP)
/* The front end's value of a silent bin (-100 dB). */
#define STRATA_TRANSCRIPTION_SILENCE (-2.0f)

#define STRATA_TRANSCRIPTION_ERROR (strata_transcription_error_quark ())
GQuark strata_transcription_error_quark (void);

typedef enum {
  STRATA_TRANSCRIPTION_ERROR_INVALID,    /* a damaged or hostile weights file, bad data */
  STRATA_TRANSCRIPTION_ERROR_NOT_FOUND,  /* no default model */
  STRATA_TRANSCRIPTION_ERROR_FEATURES,   /* features missing or of the wrong width */
  STRATA_TRANSCRIPTION_ERROR_FAILED,     /* out of memory, I/O */
} StrataTranscriptionError;

/* ------------------------------------------------------------ notes */

typedef struct {
  double onset;     /* seconds */
  double offset;    /* seconds, > onset */
  int    pitch;     /* MIDI note number */
  int    velocity;  /* 1..127 */
} StrataTimedNote;

/* Sorts by onset, then pitch. */
void strata_notes_sort (GArray *notes);

/* ------------------------------------------------------------ front end */

/**
 * strata_transcription_frontend:
 * @mono: (array length=n_samples): mono samples at 44.1 kHz
 * @n_samples: their count (>= 0)
 * @n_frames: (out): T = n_samples / 512 + 1
 *
 * The head's input: for each frame the power spectrum of a Hann-windowed
 * 4096-point frame, folded into 264 bins a third of a semitone apart
 * (triangular weights in log frequency; below the FFT's resolution the
 * power is interpolated), in dB relative to a full-scale sine, mapped
 * to (dB + 50) / 25 and clamped at -100 dB.
 *
 * Returns: (transfer full) (nullable): (T, 264) floats, %NULL when memory
 *   runs out.
 */
float *strata_transcription_frontend (const float *mono, int64_t n_samples, int *n_frames);

/* ------------------------------------------------------------ the head */

typedef struct {
  int conv_channels;   /* C of both conv layers (8) */
  int embed;           /* width after the conv front end's linear (128) */
  int hidden;          /* GRU width a direction (96) */
  int features;        /* 1: fine and medium features are injected */
  int fine_dim;        /* widths of the foundation features (with features) */
  int medium_dim;
  int proj;            /* projection width of each feature level (32) */
} StrataTranscriptionConfig;

void strata_transcription_config_init (StrataTranscriptionConfig *config);

typedef struct _StrataTranscriber StrataTranscriber;

/* Outputs of the head, each (T, 88): probabilities for activity, onset and
 * offset; velocity in [0, 1] (x 127 = MIDI velocity). */
typedef struct {
  int    T;
  float *frame;
  float *onset;
  float *offset;
  float *velocity;
} StrataTranscriptionOutput;

void strata_transcription_output_free (StrataTranscriptionOutput *out);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataTranscriptionOutput, strata_transcription_output_free)

/**
 * strata_transcriber_new:
 * @config: the hyper-parameters
 * @seed: initialisation seed
 *
 * Returns: (transfer full) (nullable): a freshly initialised head, or
 *   %NULL when @config is out of range or memory runs out.
 */
StrataTranscriber *strata_transcriber_new  (const StrataTranscriptionConfig *config,
                                            uint64_t seed);
/**
 * strata_transcriber_load:
 * @path: a strata-transcription safetensors file
 * @error: return location for a #GError
 *
 * Reads the configuration from the metadata (each width checked against
 * a range), then every tensor with its shape; a file that is damaged,
 * hostile, of another architecture or inconsistent with its config gives
 * %STRATA_TRANSCRIPTION_ERROR_INVALID naming the file and the reason.
 *
 * Returns: (transfer full) (nullable): the head.
 */
StrataTranscriber *strata_transcriber_load (const char *path, GError **error);
/**
 * strata_transcription_dup_default_path:
 *
 * $STRATA_TRANSCRIPTION_MODEL_PATH when set, else the installed
 * strata-transcription.safetensors, else the source tree's copy.
 *
 * Returns: (transfer full) (nullable): the first path that exists.
 */
char              *strata_transcription_dup_default_path (void);
/* strata_transcriber_load() of the default path (%STRATA_TRANSCRIPTION_ERROR_NOT_FOUND
 * when there is none). */
StrataTranscriber *strata_transcriber_load_default (GError **error);
/* Takes a reference (the model registry shares one head between users). */
StrataTranscriber *strata_transcriber_ref  (StrataTranscriber *tr);
/* Drops a reference; the last one frees the head. NULL-safe. */
void               strata_transcriber_free (StrataTranscriber *tr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataTranscriber, strata_transcriber_free)

/* Returns: (transfer none): the configuration. */
const StrataTranscriptionConfig *strata_transcriber_get_config (const StrataTranscriber *tr);
/* Returns: (transfer none): the path it was loaded from, or "" for a new one. */
const char *strata_transcriber_get_path    (const StrataTranscriber *tr);
/* Returns: (transfer none): "strata-transcription/1/<12 hex digits of the
 * weights' hash>", for cache keys. */
const char *strata_transcriber_get_version (const StrataTranscriber *tr);
size_t      strata_transcriber_get_n_params (const StrataTranscriber *tr);

/**
 * strata_transcriber_run:
 * @tr: the head
 * @spec: (T, 264) front-end frames
 * @T: frames
 * @fine: (nullable): (T, fine_dim) fine features at the head's rate (with
 *   features only)
 * @medium: (nullable): (ceil (T / 4), medium_dim) medium features
 * @abort_func: (nullable): checked between chunks
 * @abort_data: its data
 * @error: return location for a #GError
 *
 * Inference in overlapping chunks of 1024 frames (memory stays bounded
 * on long tracks).
 *
 * Returns: (transfer full) (nullable): the outputs.
 */
StrataTranscriptionOutput *strata_transcriber_run (StrataTranscriber *tr, const float *spec,
                                                   int T, const float *fine,
                                                   const float *medium,
                                                   StrataAbortFunc abort_func,
                                                   void *abort_data, GError **error);

/* ------------------------------------------------------------ a track */

/* What the head reads for one track. */
typedef struct {
  int    T;          /* frames at STRATA_TRANSCRIPTION_RATE */
  float *spec;       /* (T, 264) */
  int    fine_dim, medium_dim;
  float *fine;       /* (nullable) (T, fine_dim) */
  float *medium;     /* (nullable) (ceil (T / 4), medium_dim) */
} StrataTranscriptionInput;

/**
 * strata_transcription_input_new:
 * @audio: decoded audio (mixed to mono)
 * @foundation: (nullable): the foundation model, when the head injects features
 * @abort_func: (nullable): checked by the feature extraction
 * @abort_data: its data
 * @error: return location for a #GError
 *
 * The front end of @audio and, with @foundation, its fine and medium
 * features lined up with the head's frames (both use a 512-sample hop;
 * rows missing at the end repeat the last one).
 *
 * Returns: (transfer full) (nullable): the input.
 */
StrataTranscriptionInput *strata_transcription_input_new (StrataAudio *audio,
                                                          StrataModel *foundation,
                                                          StrataAbortFunc abort_func,
                                                          void *abort_data, GError **error);
/**
 * strata_transcription_input_set_features:
 * @in: an input (its spectrogram made)
 * @f: the foundation model's features of the same audio
 * @error: return location for a #GError
 *
 * Lines @f's fine and medium levels up with @in's frames (replacing any
 * features it had), as strata_transcription_input_new() does with a
 * foundation model; the transcription task uses it with features it got
 * from its nested features task.
 *
 * Returns: %TRUE, or %FALSE with %STRATA_TRANSCRIPTION_ERROR_FEATURES when
 *   the audio is too short for the features, FAILED when memory runs out.
 */
gboolean strata_transcription_input_set_features (StrataTranscriptionInput *in,
                                                  const StrataFeatures *f, GError **error);
void strata_transcription_input_free (StrataTranscriptionInput *input);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StrataTranscriptionInput, strata_transcription_input_free)

/* ------------------------------------------------------------ decoding */

typedef struct {
  double onset_threshold;   /* onset probability for a note to start (0.15) */
  double frame_threshold;   /* activity that keeps a note going (0.4) */
  double min_note_ms;       /* shorter notes are dropped (30) */
  double merge_gap_ms;      /* a dip of the activity up to this long without an onset is bridged (70) */
} StrataDecodeOptions;

void    strata_decode_options_init   (StrataDecodeOptions *options);
/**
 * strata_transcription_decode:
 * @out: the head's outputs
 * @options: (nullable): thresholds; %NULL = defaults
 *
 * Onset peak-picking (a local maximum of the onset probability at or above
 * the onset threshold starts a note, also inside a sounding note of the
 * same pitch), frame continuation while the activity stays at or above
 * the frame threshold (dips up to merge_gap_ms bridged), minimum duration;
 * velocity from the velocity head at the onset.
 *
 * Returns: (transfer full) (element-type StrataTimedNote): the notes, sorted.
 */
GArray *strata_transcription_decode (const StrataTranscriptionOutput *out,
                                     const StrataDecodeOptions *options);

/**
 * strata_estimate_tempo:
 * @notes: (element-type StrataTimedNote): notes
 *
 * The beat period that best explains the onsets: the autocorrelation of
 * an onset train (10 ms grid, 20 ms Gaussian bumps) between 60 and 200
 * BPM, weighted by a log-normal preference around 120 BPM.
 *
 * Returns: the tempo in BPM (120 when there are fewer than 4 onsets).
 */
double  strata_estimate_tempo (const GArray *notes);

/* ------------------------------------------------------------ evaluation */

typedef struct {
  double precision, recall, f1;
  int    n_ref, n_est, n_match;
} StrataPrf;

typedef struct {
  StrataPrf note;          /* onset within ±50 ms, pitch within 50 cents */
  StrataPrf note_offset;   /* and offset within max (50 ms, 20 % of the reference duration) */
  StrataPrf frame;         /* piano-roll cells at the head's frame rate */
} StrataTranscriptionScores;

/**
 * strata_transcription_evaluate:
 * @ref: (element-type StrataTimedNote): reference notes
 * @est: (element-type StrataTimedNote): estimated notes
 * @scores: (out): the scores
 *
 * Note scores follow mir_eval.transcription: a maximum one-to-one
 * matching between reference and estimate (distances rounded to 4
 * decimals as mir_eval does), precision = matches / estimates, recall =
 * matches / references. Frame scores count piano-roll cells (pitch x
 * frame of 1/86.13 s, a note covering the frames whose centre lies in
 * [onset, offset)).
 */
void strata_transcription_evaluate (const GArray *ref, const GArray *est,
                                    StrataTranscriptionScores *scores);

/* Adds @b's counts to @a and recomputes its ratios (pooling over pieces). */
void strata_prf_add (StrataPrf *a, const StrataPrf *b);

/* ------------------------------------------------------------ MIDI */

/**
 * strata_notes_to_smf:
 * @notes: (element-type StrataTimedNote): notes
 * @tempo_bpm: tempo written into the conductor track (> 0)
 *
 * A type-1 Standard MIDI File, 480 ticks a quarter: track 0 holds the
 * tempo and a 4/4 time signature, track 1 the notes on channel 1
 * (acoustic grand piano).
 *
 * Returns: (transfer full): the file's bytes.
 */
GBytes  *strata_notes_to_smf   (const GArray *notes, double tempo_bpm);
/**
 * strata_smf_read_notes:
 * @data: (array length=len): a Standard MIDI File (type 0 or 1)
 * @len: its size
 * @name: the file's name, for messages
 * @tempo_bpm: (out) (optional): the first tempo (120 when there is none)
 * @error: return location for a #GError
 *
 * Reads every note (note-on paired with the next note-off or zero-velocity
 * note-on of the same channel and key; drum channel 10 skipped), timed
 * through the whole tempo map.
 *
 * Returns: (transfer full) (element-type StrataTimedNote) (nullable): the
 *   notes, sorted, or %NULL with %STRATA_TRANSCRIPTION_ERROR_INVALID.
 */
GArray  *strata_smf_read_notes (const guint8 *data, gsize len, const char *name,
                                double *tempo_bpm, GError **error);

/* The columns of strata_notes_to_csv() (and of `strata-cli transcribe --csv`). */
#define STRATA_NOTES_CSV_HEADER "onset_s,offset_s,pitch,velocity"

void     strata_notes_append_csv (GString *csv, const char *file_field, const GArray *notes);
GBytes  *strata_notes_to_csv     (const GArray *notes);

/* ------------------------------------------------------------ corpus notes */

/**
 * strata_notes_read_csv:
 * @path: a corpus notes.csv (onset_s,offset_s,pitch,velocity,program,stem,role),
 *   or a transcription's CSV (onset_s,offset_s,pitch,velocity: what
 *   `strata-cli transcribe --csv` writes for one file)
 * @error: return location for a #GError
 *
 * The pitched notes of a piece: rows of the drums stem and pitches outside
 * A0..C8 are left out.
 *
 * Returns: (transfer full) (element-type StrataTimedNote) (nullable): the notes.
 */
GArray  *strata_notes_read_csv (const char *path, GError **error);

G_END_DECLS
