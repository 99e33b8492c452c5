/* strata-summary.c: waveform peaks and log-frequency spectrogram summaries.
 *
 * Parameters and the storage formats are in strata-summary-private.h. Blobs
 * are little-endian with a fixed header; deserialisation checks every field
 * and the exact length, so hostile bytes give NULL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "dsp/strata-summary.h"
#include "dsp/strata-summary-private.h"
#include "dsp/strata-stft.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- little-endian helpers ------------------------------------------------ */

static void
put_u32 (uint8_t *p, uint32_t v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t) (v >> (8 * i));
}

static uint32_t
get_u32 (const uint8_t *p)
{
  uint32_t v = 0;
  for (int i = 0; i < 4; i++)
    v |= (uint32_t) p[i] << (8 * i);
  return v;
}

static void
put_u64 (uint8_t *p, uint64_t v)
{
  for (int i = 0; i < 8; i++)
    p[i] = (uint8_t) (v >> (8 * i));
}

static uint64_t
get_u64 (const uint8_t *p)
{
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v |= (uint64_t) p[i] << (8 * i);
  return v;
}

static void
put_f32 (uint8_t *p, float f)
{
  uint32_t v;
  memcpy (&v, &f, 4);
  put_u32 (p, v);
}

static float
get_f32 (const uint8_t *p)
{
  uint32_t v = get_u32 (p);
  float f;
  memcpy (&f, &v, 4);
  return f;
}

static void
put_f64 (uint8_t *p, double d)
{
  uint64_t v;
  memcpy (&v, &d, 8);
  put_u64 (p, v);
}

static double
get_f64 (const uint8_t *p)
{
  uint64_t v = get_u64 (p);
  double d;
  memcpy (&d, &v, 8);
  return d;
}

/* ---- peaks ---------------------------------------------------------------- */

struct StrataPeaks
{
  int64_t n_frames;
  int n_levels;
  int64_t n_bins[STRATA_PEAKS_MAX_LEVELS];
  float *minmax[STRATA_PEAKS_MAX_LEVELS];   /* level l: (n_bins[l], 2) min, max */
};

#define PEAKS_CHUNK_BINS 4096   /* bins between abort checks (65536 frames) */

static int64_t
ceil_div (int64_t a, int64_t b)
{
  return a / b + (a % b != 0);
}

/* Allocates the finest level; the coarser ones come from peaks_build_levels. */
static StrataPeaks *
peaks_alloc (int64_t n_frames)
{
  StrataPeaks *p = calloc (1, sizeof *p);
  if (p == NULL)
    return NULL;
  p->n_frames = n_frames;
  p->n_levels = 1;
  p->n_bins[0] = ceil_div (n_frames, STRATA_PEAKS_BASE);
  p->minmax[0] = malloc ((size_t) (p->n_bins[0] > 0 ? p->n_bins[0] : 1) * 2 * sizeof (float));
  if (p->minmax[0] == NULL)
    {
      free (p);
      return NULL;
    }
  return p;
}

static bool
peaks_build_levels (StrataPeaks *p)
{
  while (p->n_levels < STRATA_PEAKS_MAX_LEVELS && p->n_bins[p->n_levels - 1] > 1)
    {
      const int l = p->n_levels;
      const int64_t nb_src = p->n_bins[l - 1];
      const int64_t nb = ceil_div (nb_src, STRATA_PEAKS_FACTOR);
      const float *src = p->minmax[l - 1];
      float *dst = malloc ((size_t) nb * 2 * sizeof (float));
      if (dst == NULL)
        return false;
      for (int64_t b = 0; b < nb; b++)
        {
          int64_t s0 = b * STRATA_PEAKS_FACTOR;
          int64_t s1 = s0 + STRATA_PEAKS_FACTOR < nb_src ? s0 + STRATA_PEAKS_FACTOR : nb_src;
          float mn = src[2 * s0], mx = src[2 * s0 + 1];
          for (int64_t s = s0 + 1; s < s1; s++)
            {
              mn = src[2 * s] < mn ? src[2 * s] : mn;
              mx = src[2 * s + 1] > mx ? src[2 * s + 1] : mx;
            }
          dst[2 * b] = mn;
          dst[2 * b + 1] = mx;
        }
      p->minmax[l] = dst;
      p->n_bins[l] = nb;
      p->n_levels++;
    }
  return true;
}

StrataPeaks *
strata_peaks_new (const float *samples, int64_t n_frames, StrataProgressFunc progress,
                  StrataAbortFunc abort_func, void *user_data)
{
  if (n_frames < 0 || (n_frames > 0 && samples == NULL))
    return NULL;
  StrataPeaks *p = peaks_alloc (n_frames);
  if (p == NULL)
    return NULL;

  const int64_t nb = p->n_bins[0];
  float *mm = p->minmax[0];
  for (int64_t b0 = 0; b0 < nb; b0 += PEAKS_CHUNK_BINS)
    {
      if (abort_func != NULL && abort_func (user_data))
        {
          strata_peaks_free (p);
          return NULL;
        }
      if (progress != NULL)
        progress ((double) b0 / (double) nb, "peaks", user_data);
      const int64_t b1 = b0 + PEAKS_CHUNK_BINS < nb ? b0 + PEAKS_CHUNK_BINS : nb;
      for (int64_t b = b0; b < b1; b++)
        {
          const int64_t f0 = b * STRATA_PEAKS_BASE;
          const int64_t f1 = f0 + STRATA_PEAKS_BASE < n_frames ? f0 + STRATA_PEAKS_BASE : n_frames;
          const float *s = samples + 2 * f0;
          float mn = 0.5f * (s[0] + s[1]), mx = mn;
          for (int64_t i = 1; i < f1 - f0; i++)
            {
              float v = 0.5f * (s[2 * i] + s[2 * i + 1]);
              mn = v < mn ? v : mn;
              mx = v > mx ? v : mx;
            }
          mm[2 * b] = mn;
          mm[2 * b + 1] = mx;
        }
    }
  if (!peaks_build_levels (p))
    {
      strata_peaks_free (p);
      return NULL;
    }
  if (progress != NULL)
    progress (1.0, "peaks", user_data);
  return p;
}

void
strata_peaks_free (StrataPeaks *peaks)
{
  if (peaks == NULL)
    return;
  for (int l = 0; l < peaks->n_levels; l++)
    free (peaks->minmax[l]);
  free (peaks);
}

int64_t
strata_peaks_get_n_frames (const StrataPeaks *peaks)
{
  return peaks->n_frames;
}

/* Zoomed in closer than STRATA_PEAKS_BASE frames per pixel, each column gets
 * the min/max of the 16-frame bin it falls in (a staircase): views that want
 * single samples read them from the StrataAudio. */
void
strata_peaks_query (const StrataPeaks *peaks, double start_frame, double frames_per_px,
                    int n_px, float *out_min, float *out_max)
{
  if (n_px <= 0)
    return;
  memset (out_min, 0, (size_t) n_px * sizeof (float));
  memset (out_max, 0, (size_t) n_px * sizeof (float));
  if (!isfinite (start_frame) || !isfinite (frames_per_px) || frames_per_px <= 0.0 ||
      peaks->n_frames == 0)
    return;

  int l = 0;
  double bs = STRATA_PEAKS_BASE;
  while (l + 1 < peaks->n_levels && bs * STRATA_PEAKS_FACTOR <= frames_per_px)
    {
      l++;
      bs *= STRATA_PEAKS_FACTOR;
    }
  const float *mm = peaks->minmax[l];
  const int64_t nb = peaks->n_bins[l];
  const double n = (double) peaks->n_frames;

  for (int i = 0; i < n_px; i++)
    {
      double a = start_frame + i * frames_per_px;
      double b = a + frames_per_px;
      if (b <= 0.0 || a >= n)
        continue;
      a = a < 0.0 ? 0.0 : a;
      b = b > n ? n : b;
      int64_t b0 = (int64_t) floor (a / bs);
      int64_t b1 = (int64_t) ceil (b / bs);
      if (b1 <= b0)
        b1 = b0 + 1;
      if (b1 > nb)
        b1 = nb;
      if (b0 >= nb)
        continue;
      float mn = mm[2 * b0], mx = mm[2 * b0 + 1];
      for (int64_t k = b0 + 1; k < b1; k++)
        {
          mn = mm[2 * k] < mn ? mm[2 * k] : mn;
          mx = mm[2 * k + 1] > mx ? mm[2 * k + 1] : mx;
        }
      out_min[i] = mn;
      out_max[i] = mx;
    }
}

/* Blob: "SPKS" u32 version u32 base u32 reserved(0) i64 n_frames,
 * then n_bins[0] x (f32 min, f32 max). */
#define PEAKS_HEADER 24

void *
strata_peaks_serialize (const StrataPeaks *peaks, size_t *out_size)
{
  const int64_t nb = peaks->n_bins[0];
  const size_t size = PEAKS_HEADER + (size_t) nb * 8;
  uint8_t *blob = malloc (size);
  if (blob == NULL)
    return NULL;
  memcpy (blob, "SPKS", 4);
  put_u32 (blob + 4, STRATA_PEAKS_FORMAT_VERSION);
  put_u32 (blob + 8, STRATA_PEAKS_BASE);
  put_u32 (blob + 12, 0);
  put_u64 (blob + 16, (uint64_t) peaks->n_frames);
  const float *mm = peaks->minmax[0];
  for (int64_t i = 0; i < 2 * nb; i++)
    put_f32 (blob + PEAKS_HEADER + 4 * i, mm[i]);
  *out_size = size;
  return blob;
}

StrataPeaks *
strata_peaks_deserialize (const void *blob, size_t size)
{
  const uint8_t *p = blob;
  if (blob == NULL || size < PEAKS_HEADER || memcmp (p, "SPKS", 4) != 0 ||
      get_u32 (p + 4) != STRATA_PEAKS_FORMAT_VERSION ||
      get_u32 (p + 8) != STRATA_PEAKS_BASE || get_u32 (p + 12) != 0)
    return NULL;
  const uint64_t n_frames = get_u64 (p + 16);
  if (n_frames > (uint64_t) INT64_MAX / 2)
    return NULL;
  const uint64_t nb = (uint64_t) ceil_div ((int64_t) n_frames, STRATA_PEAKS_BASE);
  if (nb > (size - PEAKS_HEADER) / 8 || size - PEAKS_HEADER != nb * 8)
    return NULL;

  StrataPeaks *peaks = peaks_alloc ((int64_t) n_frames);
  if (peaks == NULL)
    return NULL;
  float *mm = peaks->minmax[0];
  for (uint64_t b = 0; b < nb; b++)
    {
      float mn = get_f32 (p + PEAKS_HEADER + 8 * b);
      float mx = get_f32 (p + PEAKS_HEADER + 8 * b + 4);
      if (!isfinite (mn) || !isfinite (mx) || mn > mx)
        {
          strata_peaks_free (peaks);
          return NULL;
        }
      mm[2 * b] = mn;
      mm[2 * b + 1] = mx;
    }
  if (!peaks_build_levels (peaks))
    {
      strata_peaks_free (peaks);
      return NULL;
    }
  return peaks;
}

/* ---- spectrogram ---------------------------------------------------------- */

#define SPEC_MAX_BINS 4096      /* largest band count a blob may declare */

struct StrataSpecgram
{
  int n_bins;              /* F (log bands) */
  int sample_rate;
  int hop;
  int n_fft;
  double fmin, fmax;
  int64_t n_samples;       /* frames of audio summarised */
  int n_levels;
  int64_t n_frames[STRATA_SPECGRAM_MAX_LEVELS];   /* T at each level */
  uint8_t *q[STRATA_SPECGRAM_MAX_LEVELS];         /* level l: (T_l, F) */
  /* Band mapping from FFT power: band f takes the max of FFT bins
   * [k_lo[f], k_hi[f]), or when that is empty (bands narrower than a bin at
   * low frequencies), interpolates linearly at its centre: bin k_lo[f] with
   * weight 1 - frac[f], bin k_lo[f] + 1 with frac[f]. */
  int *k_lo, *k_hi;        /* (F) */
  float *frac;             /* (F) */
  double *centre;          /* (F) Hz */
};

static StrataSpecgram *
specgram_alloc (int64_t n_samples, int n_bins, int sample_rate, int hop, int n_fft,
                double fmin, double fmax)
{
  StrataSpecgram *s = calloc (1, sizeof *s);
  if (s == NULL)
    return NULL;
  s->n_bins = n_bins;
  s->sample_rate = sample_rate;
  s->hop = hop;
  s->n_fft = n_fft;
  s->fmin = fmin;
  s->fmax = fmax;
  s->n_samples = n_samples;
  s->n_levels = 1;
  s->n_frames[0] = n_samples / hop + 1;
  s->q[0] = malloc ((size_t) s->n_frames[0] * (size_t) n_bins);
  s->k_lo = malloc ((size_t) n_bins * sizeof (int));
  s->k_hi = malloc ((size_t) n_bins * sizeof (int));
  s->frac = malloc ((size_t) n_bins * sizeof (float));
  s->centre = malloc ((size_t) n_bins * sizeof (double));
  if (s->q[0] == NULL || s->k_lo == NULL || s->k_hi == NULL || s->frac == NULL ||
      s->centre == NULL)
    {
      strata_specgram_free (s);
      return NULL;
    }

  const double df = (double) sample_rate / n_fft;
  const int n_fft_bins = n_fft / 2 + 1;
  const double ratio = log (fmax / fmin);
  for (int f = 0; f < n_bins; f++)
    {
      const double lo = fmin * exp (ratio * f / n_bins);
      const double hi = fmin * exp (ratio * (f + 1) / n_bins);
      const double c = sqrt (lo * hi);
      int k0 = (int) ceil (lo / df), k1 = (int) ceil (hi / df);
      k0 = k0 < n_fft_bins ? k0 : n_fft_bins;
      k1 = k1 < n_fft_bins ? k1 : n_fft_bins;
      s->centre[f] = c;
      if (k1 > k0)
        {
          s->k_lo[f] = k0;
          s->k_hi[f] = k1;
          s->frac[f] = 0.0f;
        }
      else
        {
          double pos = c / df;
          int k = (int) floor (pos);
          if (k > n_fft_bins - 2)
            k = n_fft_bins - 2;
          s->k_lo[f] = k;
          s->k_hi[f] = k;
          s->frac[f] = (float) (pos - k);
        }
    }
  return s;
}

static bool
specgram_build_levels (StrataSpecgram *s)
{
  const int F = s->n_bins;
  while (s->n_levels < STRATA_SPECGRAM_MAX_LEVELS && s->n_frames[s->n_levels - 1] > 1)
    {
      const int l = s->n_levels;
      const int64_t T_src = s->n_frames[l - 1];
      const int64_t T = ceil_div (T_src, STRATA_SPECGRAM_FACTOR);
      const uint8_t *src = s->q[l - 1];
      uint8_t *dst = malloc ((size_t) T * (size_t) F);
      if (dst == NULL)
        return false;
      for (int64_t t = 0; t < T; t++)
        {
          uint8_t *row = dst + t * F;
          const int64_t s0 = t * STRATA_SPECGRAM_FACTOR;
          const int64_t s1 = s0 + STRATA_SPECGRAM_FACTOR < T_src ? s0 + STRATA_SPECGRAM_FACTOR : T_src;
          memcpy (row, src + s0 * F, (size_t) F);
          for (int64_t u = s0 + 1; u < s1; u++)
            {
              const uint8_t *in = src + u * F;
              for (int f = 0; f < F; f++)
                row[f] = in[f] > row[f] ? in[f] : row[f];
            }
        }
      s->q[l] = dst;
      s->n_frames[l] = T;
      s->n_levels++;
    }
  return true;
}

/* Shared state of the (up to two) threads computing level 0. */
typedef struct {
  StrataSpecgram *spec;
  const StrataStft *stft;
  const float *samples;      /* (n, 2) */
  float norm;                /* power -> power re full scale */
  int64_t next_frame;        /* atomic: next chunk to take */
  int64_t frames_done;       /* atomic */
  int aborted;               /* atomic */
  int failed;                /* atomic */
} SpecWork;

#define SPEC_CHUNK 64   /* frames a thread takes at a time (abort granularity) */

static void
spec_compute_frame (SpecWork *w, StrataStftScratch *scratch, float *frame, float *power,
                    int64_t t)
{
  StrataSpecgram *s = w->spec;
  const int N = s->n_fft, F = s->n_bins;
  const int64_t n = s->n_samples;
  const int64_t start = t * s->hop - N / 2;
  const float *x = w->samples;

  int lo = 0, hi = N;
  if (start < 0)
    lo = (int) (-start < N ? -start : N);
  if (start + N > n)
    hi = (int) (n - start > lo ? n - start : lo);
  for (int m = 0; m < lo; m++)
    frame[m] = 0.0f;
  const float *src = x + 2 * start;
  for (int m = lo; m < hi; m++)
    frame[m] = 0.5f * (src[2 * m] + src[2 * m + 1]);
  for (int m = hi; m < N; m++)
    frame[m] = 0.0f;

  strata_stft_frame_power (w->stft, scratch, frame, power);

  const float norm = w->norm;
  uint8_t *row = s->q[0] + t * F;
  for (int f = 0; f < F; f++)
    {
      float p;
      const int k0 = s->k_lo[f], k1 = s->k_hi[f];
      if (k1 > k0)
        {
          p = power[k0];
          for (int k = k0 + 1; k < k1; k++)
            p = power[k] > p ? power[k] : p;
        }
      else
        p = (1.0f - s->frac[f]) * power[k0] + s->frac[f] * power[k0 + 1];
      const float db = 10.0f * log10f (p * norm + 1e-30f);
      float qv = (db - (float) STRATA_SPECGRAM_DB_MIN) / (float) STRATA_SPECGRAM_DB_STEP + 0.5f;
      qv = qv < 0.0f ? 0.0f : (qv > 255.0f ? 255.0f : qv);
      row[f] = (uint8_t) qv;
    }
}

/* Takes chunks until none is left or the computation is aborted. */
static void
spec_run (SpecWork *w, StrataProgressFunc progress, StrataAbortFunc abort_func,
          void *user_data)
{
  const int64_t T = w->spec->n_frames[0];
  StrataStftScratch *scratch = strata_stft_scratch_new (w->stft);
  float *frame = malloc ((size_t) w->spec->n_fft * sizeof (float));          /* (n_fft) */
  float *power = malloc ((size_t) (w->spec->n_fft / 2 + 1) * sizeof (float)); /* (n_fft/2+1) */
  if (scratch == NULL || frame == NULL || power == NULL)
    {
      __atomic_store_n (&w->failed, 1, __ATOMIC_RELAXED);
      goto out;
    }
  for (;;)
    {
      if (__atomic_load_n (&w->aborted, __ATOMIC_RELAXED) ||
          __atomic_load_n (&w->failed, __ATOMIC_RELAXED))
        break;
      /* Only the calling thread asks the caller (its callbacks are not
       * assumed thread-safe); it tells the helper through w->aborted. */
      if (abort_func != NULL && abort_func (user_data))
        {
          __atomic_store_n (&w->aborted, 1, __ATOMIC_RELAXED);
          break;
        }
      if (progress != NULL)
        progress ((double) __atomic_load_n (&w->frames_done, __ATOMIC_RELAXED) / (double) T,
                  "spectrogram", user_data);
      const int64_t t0 = __atomic_fetch_add (&w->next_frame, SPEC_CHUNK, __ATOMIC_RELAXED);
      if (t0 >= T)
        break;
      const int64_t t1 = t0 + SPEC_CHUNK < T ? t0 + SPEC_CHUNK : T;
      for (int64_t t = t0; t < t1; t++)
        spec_compute_frame (w, scratch, frame, power, t);
      __atomic_fetch_add (&w->frames_done, t1 - t0, __ATOMIC_RELAXED);
    }
out:
  strata_stft_scratch_free (scratch);
  free (frame);
  free (power);
}

static void *
spec_helper_thread (void *data)
{
  spec_run (data, NULL, NULL, NULL);
  return NULL;
}

StrataSpecgram *
strata_specgram_new (const float *samples, int64_t n_frames, StrataProgressFunc progress,
                     StrataAbortFunc abort_func, void *user_data)
{
  if (n_frames < 0 || (n_frames > 0 && samples == NULL))
    return NULL;
  StrataSpecgram *s = specgram_alloc (n_frames, STRATA_SPECGRAM_N_BINS, STRATA_SAMPLE_RATE,
                                      STRATA_SPECGRAM_HOP, STRATA_SPECGRAM_N_FFT,
                                      STRATA_SPECGRAM_FMIN, STRATA_SPECGRAM_FMAX);
  if (s == NULL)
    return NULL;
  StrataStft *stft = strata_stft_new (s->n_fft, s->hop, STRATA_WINDOW_FN_HANN);
  if (stft == NULL)
    {
      strata_specgram_free (s);
      return NULL;
    }

  /* Full-scale sine -> |X| = sum(w) / 2 -> normalised power 1 -> 0 dB. */
  const double wsum = strata_window_fn_sum (strata_stft_get_window (stft), s->n_fft, 1);
  SpecWork w = { .spec = s, .stft = stft, .samples = samples,
                 .norm = (float) (4.0 / (wsum * wsum)) };
  /* Two threads: this one and a helper (the machine has 2 cores; the engine
   * runs one load at a time on its decode thread). Short inputs stay on one. */
  pthread_t helper;
  bool have_helper = s->n_frames[0] > 4 * SPEC_CHUNK &&
                     pthread_create (&helper, NULL, spec_helper_thread, &w) == 0;
  spec_run (&w, progress, abort_func, user_data);
  if (have_helper)
    pthread_join (helper, NULL);
  strata_stft_free (stft);

  if (w.aborted || w.failed || !specgram_build_levels (s))
    {
      strata_specgram_free (s);
      return NULL;
    }
  if (progress != NULL)
    progress (1.0, "spectrogram", user_data);
  return s;
}

void
strata_specgram_free (StrataSpecgram *spec)
{
  if (spec == NULL)
    return;
  for (int l = 0; l < spec->n_levels; l++)
    free (spec->q[l]);
  free (spec->k_lo);
  free (spec->k_hi);
  free (spec->frac);
  free (spec->centre);
  free (spec);
}

int
strata_specgram_get_n_bins (const StrataSpecgram *spec)
{
  return spec->n_bins;
}

int64_t
strata_specgram_get_n_frames (const StrataSpecgram *spec)
{
  return spec->n_frames[0];
}

double
strata_specgram_get_frame_rate (const StrataSpecgram *spec)
{
  return (double) spec->sample_rate / spec->hop;
}

double
strata_specgram_get_bin_freq (const StrataSpecgram *spec, int f)
{
  if (f < 0 || f >= spec->n_bins)
    return 0.0;
  return spec->centre[f];
}

/* Frame t is centred on t * hop / sr seconds and stands for the half-open
 * interval of one hop around it. */
void
strata_specgram_query (const StrataSpecgram *spec, double start_s, double s_per_px,
                       int n_px, float *out_db)
{
  const int F = spec->n_bins;
  if (n_px <= 0)
    return;
  for (int64_t i = 0; i < (int64_t) n_px * F; i++)
    out_db[i] = (float) STRATA_SPECGRAM_DB_MIN;
  if (!isfinite (start_s) || !isfinite (s_per_px) || s_per_px <= 0.0)
    return;

  const double fr = strata_specgram_get_frame_rate (spec);
  const double fpp = s_per_px * fr;
  const double duration = (double) spec->n_samples / spec->sample_rate;
  int l = 0;
  int64_t scale = 1;
  while (l + 1 < spec->n_levels && (double) (scale * STRATA_SPECGRAM_FACTOR) <= fpp)
    {
      l++;
      scale *= STRATA_SPECGRAM_FACTOR;
    }
  const int64_t T = spec->n_frames[l];
  const uint8_t *q = spec->q[l];

  for (int i = 0; i < n_px; i++)
    {
      const double a = start_s + i * s_per_px;
      if (a + s_per_px <= 0.0 || a >= duration)
        continue;
      const double lo = a * fr + 0.5;
      int64_t t0 = (int64_t) floor (lo);
      int64_t t1 = (int64_t) ceil (lo + fpp);
      if (t0 < 0)
        t0 = 0;
      if (t1 <= t0)
        t1 = t0 + 1;
      t0 /= scale;
      t1 = ceil_div (t1, scale);
      if (t1 > T)
        t1 = T;
      if (t0 >= T)
        t0 = T - 1;
      if (t1 <= t0)
        t1 = t0 + 1;
      uint8_t row[SPEC_MAX_BINS];
      memcpy (row, q + t0 * F, (size_t) F);
      for (int64_t t = t0 + 1; t < t1; t++)
        {
          const uint8_t *in = q + t * F;
          for (int f = 0; f < F; f++)
            row[f] = in[f] > row[f] ? in[f] : row[f];
        }
      float *out = out_db + (int64_t) i * F;
      for (int f = 0; f < F; f++)
        out[f] = (float) (STRATA_SPECGRAM_DB_MIN + STRATA_SPECGRAM_DB_STEP * row[f]);
    }
}

/* Blob: "SSPG" u32 version u32 n_bins u32 sample_rate u32 hop u32 n_fft
 * i64 n_samples f64 fmin f64 fmax f64 db_min f64 db_step, then (T, F) uint8
 * with T = n_samples / hop + 1. */
#define SPEC_HEADER 64

void *
strata_specgram_serialize (const StrataSpecgram *spec, size_t *out_size)
{
  const size_t payload = (size_t) spec->n_frames[0] * (size_t) spec->n_bins;
  uint8_t *blob = malloc (SPEC_HEADER + payload);
  if (blob == NULL)
    return NULL;
  memcpy (blob, "SSPG", 4);
  put_u32 (blob + 4, STRATA_SPECGRAM_FORMAT_VERSION);
  put_u32 (blob + 8, (uint32_t) spec->n_bins);
  put_u32 (blob + 12, (uint32_t) spec->sample_rate);
  put_u32 (blob + 16, (uint32_t) spec->hop);
  put_u32 (blob + 20, (uint32_t) spec->n_fft);
  put_u64 (blob + 24, (uint64_t) spec->n_samples);
  put_f64 (blob + 32, spec->fmin);
  put_f64 (blob + 40, spec->fmax);
  put_f64 (blob + 48, STRATA_SPECGRAM_DB_MIN);
  put_f64 (blob + 56, STRATA_SPECGRAM_DB_STEP);
  memcpy (blob + SPEC_HEADER, spec->q[0], payload);
  *out_size = SPEC_HEADER + payload;
  return blob;
}

StrataSpecgram *
strata_specgram_deserialize (const void *blob, size_t size)
{
  const uint8_t *p = blob;
  if (blob == NULL || size < SPEC_HEADER || memcmp (p, "SSPG", 4) != 0 ||
      get_u32 (p + 4) != STRATA_SPECGRAM_FORMAT_VERSION)
    return NULL;
  const uint32_t n_bins = get_u32 (p + 8), sr = get_u32 (p + 12);
  const uint32_t hop = get_u32 (p + 16), n_fft = get_u32 (p + 20);
  const uint64_t n_samples = get_u64 (p + 24);
  const double fmin = get_f64 (p + 32), fmax = get_f64 (p + 40);
  if (n_bins < 1 || n_bins > SPEC_MAX_BINS || sr < 1 || sr > 1000000 || hop < 1 ||
      n_fft < 2 || n_fft > (1u << 20) || (n_fft & 1) || hop > n_fft ||
      n_samples > (uint64_t) INT64_MAX / 2 ||
      !isfinite (fmin) || !isfinite (fmax) || !(fmin > 0.0) || !(fmax > fmin) ||
      fmax > sr / 2.0 ||
      get_f64 (p + 48) != STRATA_SPECGRAM_DB_MIN || get_f64 (p + 56) != STRATA_SPECGRAM_DB_STEP)
    return NULL;
  const uint64_t T = n_samples / hop + 1;
  if (T > (size - SPEC_HEADER) / n_bins || (size - SPEC_HEADER) != T * n_bins)
    return NULL;

  StrataSpecgram *s = specgram_alloc ((int64_t) n_samples, (int) n_bins, (int) sr, (int) hop,
                                      (int) n_fft, fmin, fmax);
  if (s == NULL)
    return NULL;
  memcpy (s->q[0], p + SPEC_HEADER, (size_t) (T * n_bins));
  if (!specgram_build_levels (s))
    {
      strata_specgram_free (s);
      return NULL;
    }
  return s;
}
