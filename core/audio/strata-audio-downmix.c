/* strata-audio-downmix.c: folding any channel layout to stereo.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "audio/strata-audio-private.h"

#define M3DB 0.70710678f   /* -3 dB */
#define M6DB 0.5f          /* -6 dB */

/* Gain of one positioned channel into L and R, before normalisation. */
static void
position_gains (GstAudioChannelPosition pos,
                float                  *gl,
                float                  *gr)
{
  switch (pos)
    {
    case GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT:
    case GST_AUDIO_CHANNEL_POSITION_WIDE_LEFT:
      *gl = 1.0f; *gr = 0.0f; break;
    case GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT:
    case GST_AUDIO_CHANNEL_POSITION_WIDE_RIGHT:
      *gl = 0.0f; *gr = 1.0f; break;
    case GST_AUDIO_CHANNEL_POSITION_MONO:
    case GST_AUDIO_CHANNEL_POSITION_FRONT_CENTER:
      *gl = M3DB; *gr = M3DB; break;
    case GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT_OF_CENTER:
      *gl = 0.92387953f; *gr = 0.38268343f; break;   /* constant-power pan at 22.5° */
    case GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT_OF_CENTER:
      *gl = 0.38268343f; *gr = 0.92387953f; break;
    case GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT:
    case GST_AUDIO_CHANNEL_POSITION_REAR_LEFT:
    case GST_AUDIO_CHANNEL_POSITION_SURROUND_LEFT:
    case GST_AUDIO_CHANNEL_POSITION_TOP_FRONT_LEFT:
    case GST_AUDIO_CHANNEL_POSITION_TOP_REAR_LEFT:
    case GST_AUDIO_CHANNEL_POSITION_TOP_SIDE_LEFT:
    case GST_AUDIO_CHANNEL_POSITION_BOTTOM_FRONT_LEFT:
      *gl = M3DB; *gr = 0.0f; break;
    case GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT:
    case GST_AUDIO_CHANNEL_POSITION_REAR_RIGHT:
    case GST_AUDIO_CHANNEL_POSITION_SURROUND_RIGHT:
    case GST_AUDIO_CHANNEL_POSITION_TOP_FRONT_RIGHT:
    case GST_AUDIO_CHANNEL_POSITION_TOP_REAR_RIGHT:
    case GST_AUDIO_CHANNEL_POSITION_TOP_SIDE_RIGHT:
    case GST_AUDIO_CHANNEL_POSITION_BOTTOM_FRONT_RIGHT:
      *gl = 0.0f; *gr = M3DB; break;
    case GST_AUDIO_CHANNEL_POSITION_LFE1:
    case GST_AUDIO_CHANNEL_POSITION_LFE2:
      *gl = 0.0f; *gr = 0.0f; break;
    default:
      /* Rear/top/bottom centre and anything else: -6 dB to both sides. */
      *gl = M6DB; *gr = M6DB; break;
    }
}

static gboolean
positions_usable (int                            channels,
                  const GstAudioChannelPosition *positions)
{
  if (positions == NULL)
    return FALSE;
  for (int c = 0; c < channels; c++)
    if (positions[c] < 0 || positions[c] == GST_AUDIO_CHANNEL_POSITION_NONE)
      return FALSE;
  return TRUE;
}

/**
 * _strata_downmix_init:
 * @mix: the matrix to fill
 * @channels: C, at least 1
 * @positions: (nullable) (array length=channels): where each channel sits
 *
 * Builds the stereo fold-down documented in strata-audio.h. One channel is
 * copied to both sides; two channels pass through unchanged. For more, each
 * channel feeds L and R with the gains of position_gains() (ITU-R BS.775
 * style: front L/R 1, centre 0.7071 to both, surround/rear 0.7071 to their
 * side, LFE dropped), and each output row is then scaled so its gains sum
 * to 1. Without usable positions, layouts of up to 8 channels take
 * GStreamer's default layout for that count (gst_audio_channel_get_fallback_mask);
 * wider ones are averaged into both sides.
 */
void
_strata_downmix_init (StrataDownmix                 *mix,
                      int                            channels,
                      const GstAudioChannelPosition *positions)
{
  GstAudioChannelPosition fallback[64];
  float sum_l = 0.0f, sum_r = 0.0f;

  g_assert (channels > 0);

  mix->channels = channels;
  mix->coef = g_new0 (float, 2 * (gsize) channels);

  if (channels == 1)
    {
      mix->coef[0] = mix->coef[1] = 1.0f;
      return;
    }
  if (channels == 2)
    {
      mix->coef[0] = 1.0f;
      mix->coef[2 + 1] = 1.0f;
      return;
    }

  if (!positions_usable (channels, positions))
    {
      positions = NULL;
      if (channels <= 8
          && gst_audio_channel_positions_from_mask (channels,
                                                    gst_audio_channel_get_fallback_mask (channels),
                                                    fallback))
        positions = fallback;
    }

  for (int c = 0; c < channels; c++)
    {
      float gl = 1.0f, gr = 1.0f;

      if (positions != NULL)
        position_gains (positions[c], &gl, &gr);
      mix->coef[c] = gl;
      mix->coef[channels + c] = gr;
      sum_l += gl;
      sum_r += gr;
    }
  for (int c = 0; c < channels; c++)
    {
      if (sum_l > 0.0f)
        mix->coef[c] /= sum_l;
      if (sum_r > 0.0f)
        mix->coef[channels + c] /= sum_r;
    }
}

void
_strata_downmix_clear (StrataDownmix *mix)
{
  g_clear_pointer (&mix->coef, g_free);
  mix->channels = 0;
}

void
_strata_downmix_process (const StrataDownmix *mix,
                         const float         *in,
                         float               *out,
                         gsize                n_frames)
{
  const int c_in = mix->channels;
  const float *cl = mix->coef;
  const float *cr = mix->coef + c_in;

  if (c_in == 1)
    {
      for (gsize t = 0; t < n_frames; t++)
        out[2 * t] = out[2 * t + 1] = in[t];
      return;
    }
  if (c_in == 2)
    {
      memcpy (out, in, n_frames * 2 * sizeof (float));
      return;
    }
  for (gsize t = 0; t < n_frames; t++)
    {
      const float *x = in + t * c_in;
      float l = 0.0f, r = 0.0f;

      for (int c = 0; c < c_in; c++)
        {
          l += cl[c] * x[c];
          r += cr[c] * x[c];
        }
      out[2 * t] = l;
      out[2 * t + 1] = r;
    }
}

/**
 * _strata_downmix_sanitize:
 * @x: (T, 2) interleaved samples
 * @n_frames: T
 *
 * Replaces non-finite samples (from damaged float files) by 0, so NaN and
 * infinity never reach the analysis.
 */
void
_strata_downmix_sanitize (float *x,
                          gsize  n_frames)
{
  for (gsize i = 0; i < 2 * n_frames; i++)
    if (G_UNLIKELY (!isfinite (x[i])))
      x[i] = 0.0f;
}
