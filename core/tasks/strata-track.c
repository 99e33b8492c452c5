/* strata-track.c: an opened track, immutable and refcounted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tasks/strata-track.h"

struct _StrataTrack
{
  gatomicrefcount ref;
  char *path;
  StrataAudioInfo info;
  char *hash;
  StrataAudio *audio;
  StrataPeaks *peaks;
  StrataSpecgram *specgram;
  StrataBeats *beats;        /* nullable */
};

StrataTrack *
strata_track_new (const char            *path,
                  const StrataAudioInfo *info,
                  const char            *hash,
                  StrataAudio           *audio,
                  StrataPeaks           *peaks,
                  StrataSpecgram        *specgram)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (hash != NULL, NULL);
  g_return_val_if_fail (audio != NULL, NULL);
  g_return_val_if_fail (peaks != NULL, NULL);
  g_return_val_if_fail (specgram != NULL, NULL);

  StrataTrack *track = g_new0 (StrataTrack, 1);
  g_atomic_ref_count_init (&track->ref);
  track->path = g_strdup (path);
  if (info != NULL)
    {
      track->info = *info;
      track->info.path = g_strdup (info->path);
      track->info.format = g_strdup (info->format);
      track->info.codec_detail = g_strdup (info->codec_detail);
    }
  else
    {
      track->info.path = g_strdup (path);
      track->info.sample_rate = STRATA_SAMPLE_RATE;
      track->info.channels = STRATA_CHANNELS;
      track->info.n_frames = strata_audio_get_n_frames (audio);
      track->info.duration = strata_audio_get_duration (audio);
    }
  track->hash = g_strdup (hash);
  track->audio = strata_audio_ref (audio);
  track->peaks = peaks;
  track->specgram = specgram;
  return track;
}

/**
 * strata_track_ref:
 * @track: a track
 *
 * Returns: (transfer full): @track
 */
StrataTrack *
strata_track_ref (StrataTrack *track)
{
  g_return_val_if_fail (track != NULL, NULL);
  g_atomic_ref_count_inc (&track->ref);
  return track;
}

/**
 * strata_track_unref:
 * @track: (transfer full): a track
 */
void
strata_track_unref (StrataTrack *track)
{
  g_return_if_fail (track != NULL);
  if (!g_atomic_ref_count_dec (&track->ref))
    return;
  g_free (track->path);
  strata_audio_info_clear (&track->info);
  g_free (track->hash);
  strata_audio_unref (track->audio);
  strata_peaks_free (track->peaks);
  strata_specgram_free (track->specgram);
  strata_beats_free (track->beats);
  g_free (track);
}

const char *
strata_track_get_path (const StrataTrack *track)
{
  g_return_val_if_fail (track != NULL, NULL);
  return track->path;
}

const StrataAudioInfo *
strata_track_get_info (const StrataTrack *track)
{
  g_return_val_if_fail (track != NULL, NULL);
  return &track->info;
}

const char *
strata_track_get_hash (const StrataTrack *track)
{
  g_return_val_if_fail (track != NULL, NULL);
  return track->hash;
}

StrataAudio *
strata_track_get_audio (const StrataTrack *track)
{
  g_return_val_if_fail (track != NULL, NULL);
  return track->audio;
}

const StrataPeaks *
strata_track_get_peaks (const StrataTrack *track)
{
  g_return_val_if_fail (track != NULL, NULL);
  return track->peaks;
}

const StrataSpecgram *
strata_track_get_specgram (const StrataTrack *track)
{
  g_return_val_if_fail (track != NULL, NULL);
  return track->specgram;
}

const StrataBeats *
strata_track_get_beats (const StrataTrack *track)
{
  g_return_val_if_fail (track != NULL, NULL);
  return track->beats;
}

/**
 * strata_track_set_beats:
 * @track: a track not yet shared with other threads
 * @beats: (transfer full) (nullable): its beats
 */
void
strata_track_set_beats (StrataTrack *track, StrataBeats *beats)
{
  g_return_if_fail (track != NULL);
  strata_beats_free (track->beats);
  track->beats = beats;
}

double
strata_track_get_duration (const StrataTrack *track)
{
  g_return_val_if_fail (track != NULL, 0.0);
  return strata_audio_get_duration (track->audio);
}
