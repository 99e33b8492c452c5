/* strata-separation-private.h: the separation head's graph and signal
 * helpers, shared by inference, training and the tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "nn/strata-nn.h"
#include "tasks/separation/strata-separation.h"

G_BEGIN_DECLS

#define SEP_NB STRATA_SEPARATION_N_BANDS
#define SEP_NF STRATA_SEPARATION_N_FREQ
#define SEP_J STRATA_SEPARATION_N_STEMS
#define SEP_IN (2 * SEP_NB)
#define SEP_OUT (SEP_J * SEP_NB)

struct _StrataSeparator {
  gatomicrefcount ref_count;
  StrataSeparationConfig cfg;
  StrataParams params;
  int i_ew, i_eb, i_fw, i_fb, i_mw, i_mb;
  int i_gru[2][4];
  int i_dw, i_db, i_ow, i_ob;
  char *path;
  char *version;
};

/* Activations of one (B, T) batch. */
typedef struct {
  int B, T, Tm;
  float *x;        /* (B,T,256) band features */
  float *fine;     /* (B,T,Df) */
  float *medium;   /* (B,Tm,Dm) */
  float *e, *ea;   /* (B,T,E) pre-activation, tanh */
  float *mp;       /* (B,Tm,E) medium projection */
  float *g[2], *gcache[2];
  float *cat;      /* (B,T,E+2H) */
  float *d, *da;   /* (B,T,D) */
  float *logits;   /* (B,T,6*128) */
  float *masks;    /* (B,T,6,128) softmax over stems */
  float *dmasks, *dlogits, *dda, *dcat, *dg[2], *dea, *de, *dmp, *scratch;
  size_t scratch_size;
} SepActs;

SepActs *_strata_sep_acts_new  (const StrataSeparator *sep, int B, int T, gboolean train);
void     _strata_sep_acts_free (SepActs *a);
/* a->x (and features) -> a->masks, laid out (N, band, stem)... see the code. */
void     _strata_sep_forward   (StrataSeparator *sep, SepActs *a);
/* From a->dmasks into the parameters' gradients (accumulating). */
void     _strata_sep_backward  (StrataSeparator *sep, SepActs *a);
char    *_strata_sep_config_to_json (const StrataSeparationConfig *cfg);

/* Band b covers bins [edges[b], edges[b + 1]); edges has 129 entries. */
const int *_strata_sep_band_edges (void);
/* One frame's band magnitudes (mean over the band's bins) of a complex
 * spectrum (F, 2). */
void     _strata_sep_bands (const float *spec, float *bands);
/* The network's input of a band magnitude. */
static inline float
_strata_sep_compress (float mag)
{
  return (logf (mag + 1e-4f) + 4.0f) * 0.25f;
}

/* Complex STFT of one channel of interleaved stereo @x (@n frames), frames
 * [t0, t0 + T), frame t centred on sample t * 512, zero outside the
 * signal: @spec (T, F, 2). @work is a planned transform (see the code). */
typedef struct SepFft SepFft;
SepFft  *_strata_sep_fft_new  (void);
void     _strata_sep_fft_free (SepFft *f);
void     _strata_sep_stft (SepFft *f, const float *x, gint64 n, int channel, gint64 t0, int T,
                           float *spec);
/* Overlap-adds the windowed inverse of frames [t0, t0 + T) of @spec (T, F, 2)
 * into channel @channel of interleaved stereo @y (n frames), unnormalised. */
void     _strata_sep_istft_add (SepFft *f, const float *spec, gint64 t0, int T, float *y,
                                gint64 n, int channel);
/* Divides @y (n stereo frames) by the overlap-added squared window. */
void     _strata_sep_istft_normalise (float *y, gint64 n);

/**
 * _strata_sep_wiener:
 * @X: (T, F, 2 channels, 2) the mix's spectrum, channel-major within a bin
 * @v: (J, T, F) power estimates of the stems (non-negative)
 * @J: stems
 * @iterations: EM iterations (0: soft masks v_j / Σ v)
 * @Y: (out): (J, T, F, 2, 2) the stems' spectra, Σ_j Y_j = X
 *
 * Multichannel Wiener filtering with per-stem, per-bin spatial covariances
 * re-estimated by EM; whatever regularisation leaves of the mix is shared
 * out by the soft masks, so the stems sum to the mix exactly.
 */
gboolean _strata_sep_wiener (const float *X, float *v, int J, int T, int iterations, float *Y);

G_END_DECLS
