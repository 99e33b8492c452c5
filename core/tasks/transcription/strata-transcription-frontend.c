/* strata-transcription-frontend.c: the head's log-frequency spectrogram.
 *
 * A 4096-point STFT resolves 10.8 Hz, more than a semitone below about
 * 180 Hz; there each log bin reads the power spectrum interpolated at its
 * centre frequency (the Hann window's main lobe spreads a partial over
 * four FFT bins, so the interpolated value still peaks at the right
 * pitch). Above, a bin is the triangular-weighted sum of the FFT bins
 * within a third of a semitone of its centre.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "dsp/strata-stft.h"
#include "tasks/transcription/strata-transcription.h"

#define NB STRATA_TRANSCRIPTION_N_BINS
#define NFFT STRATA_TRANSCRIPTION_N_FFT

typedef struct {
  int first, count;   /* FFT bins */
  float *w;
} LogBin;

static double
bin_midi (int i)
{
  /* bin 1 of each semitone's three sits on the pitch */
  return STRATA_TRANSCRIPTION_MIN_PITCH + (i - 1) / (double) STRATA_TRANSCRIPTION_BINS_PER_SEMITONE;
}

static double
midi_hz (double m)
{
  return 440.0 * pow (2.0, (m - 69.0) / 12.0);
}

static void
make_bins (LogBin *bins)
{
  const double df = (double) STRATA_SAMPLE_RATE / NFFT;
  const double half = 1.0 / STRATA_TRANSCRIPTION_BINS_PER_SEMITONE;  /* semitones */
  for (int i = 0; i < NB; i++)
    {
      const double m = bin_midi (i), fc = midi_hz (m);
      const double lo = midi_hz (m - half), hi = midi_hz (m + half);
      int k0 = (int) ceil (lo / df), k1 = (int) floor (hi / df);
      int n = 0;
      for (int k = k0; k <= k1; k++)
        n += 1;
      if (n >= 2)
        {
          bins[i].first = k0, bins[i].count = n;
          bins[i].w = g_new (float, n);
          double sum = 0;
          for (int k = k0; k <= k1; k++)
            {
              double d = fabs (12.0 * log2 (k * df / fc)) / half;
              bins[i].w[k - k0] = (float) MAX (0.0, 1.0 - d);
              sum += bins[i].w[k - k0];
            }
          for (int j = 0; j < n; j++)
            bins[i].w[j] = (float) (bins[i].w[j] / (sum > 0 ? sum : 1.0));
        }
      else
        {
          /* linear interpolation at the centre */
          double pos = fc / df;
          int k = (int) floor (pos);
          double f = pos - k;
          bins[i].first = k, bins[i].count = 2;
          bins[i].w = g_new (float, 2);
          bins[i].w[0] = (float) (1.0 - f), bins[i].w[1] = (float) f;
        }
    }
}

float *
strata_transcription_frontend (const float *mono, int64_t n_samples, int *n_frames)
{
  static LogBin bins[NB];
  static gsize once = 0;
  if (g_once_init_enter (&once))
    {
      make_bins (bins);
      g_once_init_leave (&once, 1);
    }
  StrataStft *stft = strata_stft_new (NFFT, STRATA_TRANSCRIPTION_HOP, STRATA_WINDOW_FN_HANN);
  if (!stft)
    return NULL;
  const int64_t T = strata_stft_get_n_frames (stft, MAX (n_samples, 0));
  const int F = strata_stft_get_n_bins (stft);
  StrataStftScratch *scratch = strata_stft_scratch_new (stft);
  float *out = g_try_new (float, (gsize) T * NB);
  float *frame = g_new (float, NFFT);
  float *power = g_new (float, F);
  if (!scratch || !out)
    {
      g_free (out);
      out = NULL;
      goto done;
    }
  /* a full-scale sine at a bin centre gives |X| = sum (w) / 2 */
  const float *win = strata_stft_get_window (stft);
  double wsum = 0;
  for (int i = 0; i < NFFT; i++)
    wsum += win[i];
  const double ref = (wsum / 2) * (wsum / 2);
  for (int64_t t = 0; t < T; t++)
    {
      const int64_t s0 = t * STRATA_TRANSCRIPTION_HOP - NFFT / 2;
      for (int i = 0; i < NFFT; i++)
        {
          int64_t s = s0 + i;
          frame[i] = s >= 0 && s < n_samples ? mono[s] : 0.0f;
        }
      strata_stft_frame_power (stft, scratch, frame, power);
      float *row = out + (size_t) t * NB;
      for (int b = 0; b < NB; b++)
        {
          double e = 0;
          for (int j = 0; j < bins[b].count; j++)
            {
              int k = bins[b].first + j;
              if (k >= 0 && k < F)
                e += bins[b].w[j] * power[k];
            }
          double db = 10.0 * log10 (e / ref + 1e-10);
          row[b] = (float) ((MAX (db, -100.0) + 50.0) / 25.0);
        }
    }
  *n_frames = (int) T;
done:
  g_free (frame);
  g_free (power);
  strata_stft_scratch_free (scratch);
  strata_stft_free (stft);
  return out;
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
