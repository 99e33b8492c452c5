/* strata-transcription-frontend.c: the head's input — the shared
 * log-frequency spectrogram of core/dsp/strata-logfreq.c (the foundation
 * model's log-frequency front end reads the same bins) and the foundation
 * features at the head's frame rate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "dsp/strata-logfreq.h"
#include "tasks/transcription/strata-transcription.h"

G_STATIC_ASSERT (STRATA_TRANSCRIPTION_N_BINS == STRATA_LOGFREQ_N_BINS);
G_STATIC_ASSERT (STRATA_TRANSCRIPTION_N_FFT == STRATA_LOGFREQ_N_FFT);
G_STATIC_ASSERT (STRATA_TRANSCRIPTION_HOP == STRATA_LOGFREQ_HOP);
G_STATIC_ASSERT (STRATA_TRANSCRIPTION_MIN_PITCH == STRATA_LOGFREQ_MIN_PITCH);

float *
strata_transcription_frontend (const float *mono, int64_t n_samples, int *n_frames)
{
  return strata_logfreq (mono, n_samples, n_frames);
}

/* Copies @src (Ts rows of D) into @T rows, repeating the last row. */
static float *
rows_at (const float *src, int Ts, int D, int T)
{
  float *dst = g_try_new (float, (gsize) MAX (T, 1) * D);
  if (!dst)
    return NULL;
  for (int t = 0; t < T; t++)
    {
      int s = MIN (t, Ts - 1);
      memcpy (dst + (size_t) t * D, src + (size_t) s * D, (size_t) D * sizeof (float));
    }
  return dst;
}

StrataTranscriptionInput *
strata_transcription_input_new (StrataAudio *audio, StrataModel *foundation,
                                StrataAbortFunc abort_func, void *abort_data, GError **error)
{
  const gint64 n = strata_audio_get_n_frames (audio);
  const int ch = STRATA_CHANNELS;
  const float *s = strata_audio_get_samples (audio);
  g_autofree float *mono = g_try_new (float, MAX (n, 1));
  g_autoptr (StrataTranscriptionInput) in = g_new0 (StrataTranscriptionInput, 1);
  if (mono)
    {
      for (gint64 i = 0; i < n; i++)
        {
          float acc = 0;
          for (int c = 0; c < ch; c++)
            acc += s[i * ch + c];
          mono[i] = acc / ch;
        }
      in->spec = strata_transcription_frontend (mono, n, &in->T);
    }
  if (!in->spec)
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_FAILED,
                   _("out of memory for the spectrogram"));
      return NULL;
    }
  if (foundation)
    {
      g_autoptr (StrataFeatures) f = strata_model_extract (foundation, audio, NULL, NULL, NULL,
                                                           abort_func, abort_data, error);
      if (!f || !strata_transcription_input_set_features (in, f, error))
        return NULL;
    }
  return g_steal_pointer (&in);
}

gboolean
strata_transcription_input_set_features (StrataTranscriptionInput *in, const StrataFeatures *f,
                                         GError **error)
{
  g_return_val_if_fail (in != NULL && f != NULL, FALSE);

  const StrataFeatureLevel *fi = &f->level[STRATA_LEVEL_FINE];
  const StrataFeatureLevel *me = &f->level[STRATA_LEVEL_MEDIUM];
  if (fi->T < 1 || me->T < 1)
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_FEATURES,
                   _("too short for the foundation model's features"));
      return FALSE;
    }
  g_clear_pointer (&in->fine, g_free);
  g_clear_pointer (&in->medium, g_free);
  in->fine_dim = fi->D, in->medium_dim = me->D;
  in->fine = rows_at (fi->features, fi->T, fi->D, in->T);
  in->medium = rows_at (me->features, me->T, me->D, (in->T + 3) / 4);
  if (!in->fine || !in->medium)
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_FAILED,
                   _("out of memory for the features"));
      return FALSE;
    }
  return TRUE;
}

void
strata_transcription_input_free (StrataTranscriptionInput *input)
{
  if (!input)
    return;
  g_free (input->spec);
  g_free (input->fine);
  g_free (input->medium);
  g_free (input);
}
