/* strata-stft-loss.h: multi-resolution STFT loss (spectral convergence plus
 * log-magnitude L1) with its exact gradient, for training separation and
 * mixing heads. Plain C (libc, libm, FFTW3f).
 *
 * Framing follows strata-stft.h (centre convention, zero padding): for a
 * resolution (n_fft, hop, win_length), frame t (0 <= t < T = n / hop + 1)
 * covers samples [t * hop - n_fft / 2, t * hop + n_fft / 2); samples outside
 * [0, n) read as zero. The window is a periodic Hann of win_length samples,
 * zero-padded on both sides to n_fft (offset (n_fft - win_length) / 2).
 *   X[t, k] = sum_m w[m] x[t * hop - n_fft / 2 + m] exp (-2 pi i k m / n_fft),
 *   k = 0 .. F - 1, F = n_fft / 2 + 1 (unnormalised).
 *
 * Loss, for prediction p (spectrum P) and target x (spectrum X), one signal:
 *   L = (1 / R) sum_r [ SC_r + LM_r ]
 *   SC_r = || |X| - |P| ||_F / max (|| |X| ||_F, 1e-12)
 *   LM_r = (1 / (T F)) sum_{t,k} | log (|X| + eps) - log (|P| + eps) |
 * and for a batch of B signals the mean of the B per-signal losses.
 *
 * Gradient: dL/d|P| is exact (the sub-gradient 0 is used where |X| == |P|
 * in the L1 term); dL/dP = dL/d|P| * P / |P| (0 where |P| < 1e-20); dL/dp is
 * the adjoint of the STFT applied to that: per frame a real inverse DFT of
 * the half spectrum with interior bins counted twice (DC and Nyquist once),
 * times the window, overlap-added, samples in the padding dropped.
 *
 * Thread contract: a StrataStftLoss holds its own FFT buffers; use one per
 * thread. Creation serialises FFTW planning against other StrataStftLoss
 * creations (not against other FFTW users: create it where no other thread
 * is planning).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdint.h>

typedef struct {
  int n_fft;      /* even, >= 2 */
  int hop;        /* 1 .. n_fft */
  int win_length; /* 1 .. n_fft; 0 means n_fft */
} StrataStftLossRes;

typedef struct StrataStftLoss StrataStftLoss;

/**
 * strata_stft_loss_new:
 * @res: (array length=n_res) (nullable): resolutions; NULL for the default
 *   set {512, 128, 512}, {1024, 256, 1024}, {2048, 512, 2048}
 * @n_res: number of resolutions (1 .. 16; ignored when @res is NULL)
 * @max_samples: the longest signal length n the loss will see (>= 1)
 * @eps: the log floor (> 0); 0 selects the default 1e-5
 *
 * All scratch is allocated here; the loss and gradient calls do not allocate.
 *
 * Returns: (transfer full) (nullable): the loss, or NULL on bad arguments or
 * allocation failure. Free with strata_stft_loss_free().
 */
StrataStftLoss *strata_stft_loss_new  (const StrataStftLossRes *res, int n_res,
                                       int64_t max_samples, float eps);
void            strata_stft_loss_free (StrataStftLoss *loss);

/**
 * strata_stft_loss_forward:
 * @loss: the loss
 * @pred: (B, n) predicted signals, row-major
 * @target: (B, n) target signals
 * @n: samples per signal (1 .. max_samples)
 * @B: batch size (>= 1)
 *
 * Returns: the loss (the mean over the batch), or NAN on bad arguments.
 */
float strata_stft_loss_forward  (StrataStftLoss *loss, const float *pred,
                                 const float *target, int64_t n, int B);

/**
 * strata_stft_loss_backward:
 * @loss: the loss
 * @dpred: (B, n) gradient, ACCUMULATED into (+=) with dL/dpred * @scale
 * @pred: (B, n) predicted signals
 * @target: (B, n) target signals
 * @n: samples per signal
 * @B: batch size
 * @scale: factor applied to the gradient
 *
 * Recomputes the spectra (no state is kept from the forward call).
 *
 * Returns: the loss, as strata_stft_loss_forward(), or NAN on bad arguments
 * (@dpred untouched).
 */
float strata_stft_loss_backward (StrataStftLoss *loss, float *dpred, const float *pred,
                                 const float *target, int64_t n, int B, float scale);
