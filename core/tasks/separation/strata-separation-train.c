/* strata-separation-train.c: the separation head's trainer and scores.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "corpus/strata-corpus.h"
#include "model/strata-model-train.h"
#include "nn/strata-safetensors.h"
#include "tasks/separation/strata-separation-private.h"
#include "tasks/separation/strata-separation-train.h"
#include "tasks/transcription/strata-transcription.h"

#define HOP STRATA_SEPARATION_HOP
/* 8-bit storage of the compressed band features: [-1.35, 2.65) */
#define Q_LO (-1.35f)
#define Q_RANGE 4.0f

void
strata_separation_train_options_init (StrataSeparationTrainOptions *opt)
{
  memset (opt, 0, sizeof *opt);
  opt->steps = 2000;
  opt->batch = 8;
  opt->crop = 128;
  opt->lr = 2e-3f;
  opt->fraction = 1.0;
  opt->half = TRUE;
  opt->seed = 1;
  strata_separation_config_init (&opt->config);
  opt->log_every = 25;
  opt->checkpoint_every = 100;
  opt->valid_every = 200;
}

typedef struct {
  char *name;
  int T;
  guint8 *feat;     /* (T, 256) quantised compressed band magnitudes of the mix */
  guint8 *ratio;    /* (T, 6, 128) each stem's share of the band's magnitude */
  float *fine;      /* (nullable) (T, Df) */
  float *medium;    /* (nullable) (ceil (T / 4), Dm) */
  int fine_dim, medium_dim;
} Piece;

typedef struct {
  StrataSeparationTrainOptions *opt;
  GPtrArray *train, *valid;
  double total_frames;
  StrataSeparator *sep;
  SepActs *acts;
  float *ratio;     /* (B, T, 6, 128) targets of the batch */
  GTimer *timer;
} Trainer;

#define say(t, ...) strata_train_log ((t)->opt->log, (t)->opt->log_data, __VA_ARGS__)

static void
piece_free (gpointer p)
{
  Piece *pc = p;
  if (!pc)
    return;
  g_free (pc->name);
  g_free (pc->feat);
  g_free (pc->ratio);
  g_free (pc->fine);
  g_free (pc->medium);
  g_free (pc);
}

GPtrArray *
strata_separation_list_pieces (const char *dir, GError **error)
{
  /* a piece the renderer is still writing has no other.flac yet */
  return strata_corpus_list_pieces (dir, "stems/other.flac", error);
}

/* The stems of a piece folder, and their sum as the mix. */
static gboolean
read_piece_audio (const char *dir, StrataAudio **mix, StrataAudio **stems, GError **error)
{
  gint64 n = -1;
  for (int j = 0; j < SEP_J; j++)
    {
      g_autofree char *name = g_strconcat (strata_separation_stem_name (j), ".flac", NULL);
      g_autofree char *path = g_build_filename (dir, "stems", name, NULL);
      stems[j] = strata_audio_decode (path, NULL, NULL, NULL, error);
      if (!stems[j])
        goto fail;
      n = n < 0 ? strata_audio_get_n_frames (stems[j])
                : MIN (n, strata_audio_get_n_frames (stems[j]));
    }
  float *sum = g_new0 (float, n * 2);
  for (int j = 0; j < SEP_J; j++)
    {
      const float *s = strata_audio_get_samples (stems[j]);
      for (gint64 k = 0; k < n * 2; k++)
        sum[k] += s[k];
      if (strata_audio_get_n_frames (stems[j]) != n)
        {
          float *cut = g_memdup2 (s, (gsize) n * 2 * sizeof (float));
          strata_audio_unref (stems[j]);
          stems[j] = strata_audio_new_take (cut, n);
        }
    }
  *mix = strata_audio_new_take (sum, n);
  return TRUE;
fail:
  for (int j = 0; j < SEP_J; j++)
    g_clear_pointer (&stems[j], strata_audio_unref);
  return FALSE;
}

static guint8
quantise (float f)
{
  float q = (f - Q_LO) / Q_RANGE * 255.0f + 0.5f;
  return (guint8) CLAMP (q, 0.0f, 255.0f);
}

static inline float
dequantise (guint8 q)
{
  return Q_LO + q * (Q_RANGE / 255.0f);
}

/* A band magnitude back from the network's input. */
static inline float
decompress (float f)
{
  return MAX (expf (4.0f * f - 4.0f) - 1e-4f, 0.0f);
}

static Piece *
prepare_piece (const char *dir, StrataModel *foundation, GError **error)
{
  StrataAudio *mix = NULL, *stems[SEP_J] = { NULL };
  if (!read_piece_audio (dir, &mix, stems, error))
    return NULL;
  const gint64 n = strata_audio_get_n_frames (mix);
  Piece *pc = g_new0 (Piece, 1);
  pc->name = g_strdup (dir);
  pc->T = (int) (n / HOP + 1);
  pc->feat = g_new (guint8, (gsize) pc->T * SEP_IN);
  pc->ratio = g_new (guint8, (gsize) pc->T * SEP_OUT);
  SepFft *fft = _strata_sep_fft_new ();
  const int L = 256;
  float *spec = g_new (float, (gsize) L * SEP_NF * 2);
  float *sb = g_new (float, (gsize) L * SEP_J * SEP_NB);
  float bands[SEP_NB];
  for (int t0 = 0; t0 < pc->T; t0 += L)
    {
      const int Tc = MIN (pc->T, t0 + L) - t0;
      memset (sb, 0, (gsize) Tc * SEP_J * SEP_NB * sizeof (float));
      for (int c = 0; c < 2; c++)
        {
          _strata_sep_stft (fft, strata_audio_get_samples (mix), n, c, t0, Tc, spec);
          for (int t = 0; t < Tc; t++)
            {
              _strata_sep_bands (spec + (size_t) t * SEP_NF * 2, bands);
              for (int b = 0; b < SEP_NB; b++)
                pc->feat[(size_t) (t0 + t) * SEP_IN + c * SEP_NB + b] =
                  quantise (_strata_sep_compress (bands[b]));
            }
          for (int j = 0; j < SEP_J; j++)
            {
              _strata_sep_stft (fft, strata_audio_get_samples (stems[j]), n, c, t0, Tc, spec);
              for (int t = 0; t < Tc; t++)
                {
                  _strata_sep_bands (spec + (size_t) t * SEP_NF * 2, bands);
                  float *row = sb + ((size_t) t * SEP_J + j) * SEP_NB;
                  for (int b = 0; b < SEP_NB; b++)
                    row[b] += bands[b];
                }
            }
        }
      for (int t = 0; t < Tc; t++)
        for (int b = 0; b < SEP_NB; b++)
          {
            const float *row = sb + (size_t) t * SEP_J * SEP_NB;
            float sum = 0;
            for (int j = 0; j < SEP_J; j++)
              sum += row[j * SEP_NB + b];
            for (int j = 0; j < SEP_J; j++)
              {
                float r = sum > 0 ? row[j * SEP_NB + b] / sum : 1.0f / SEP_J;
                pc->ratio[(size_t) (t0 + t) * SEP_OUT + j * SEP_NB + b] =
                  (guint8) lroundf (r * 255.0f);
              }
          }
    }
  g_free (spec);
  g_free (sb);
  _strata_sep_fft_free (fft);
  gboolean ok = TRUE;
  if (foundation)
    {
      g_autoptr (StrataFeatures) f = strata_model_extract (foundation, mix, NULL, NULL, NULL,
                                                           NULL, NULL, error);
      StrataTranscriptionInput aligned = { .T = pc->T };
      ok = f && strata_transcription_input_set_features (&aligned, f, error);
      pc->fine = aligned.fine, pc->medium = aligned.medium;
      pc->fine_dim = aligned.fine_dim, pc->medium_dim = aligned.medium_dim;
    }
  strata_audio_unref (mix);
  for (int j = 0; j < SEP_J; j++)
    strata_audio_unref (stems[j]);
  if (!ok)
    {
      piece_free (pc);
      return NULL;
    }
  return pc;
}

static gboolean
load_dirs (Trainer *t, char **dirs_in, StrataModel *foundation, GPtrArray *out,
           double max_frames, GError **error)
{
  double frames = 0;
  for (int d = 0; dirs_in && dirs_in[d]; d++)
    {
      g_autoptr (GPtrArray) dirs = strata_separation_list_pieces (dirs_in[d], error);
      if (!dirs)
        return FALSE;
      for (guint i = 0; i < dirs->len && (max_frames <= 0 || frames < max_frames); i++)
        {
          Piece *pc = prepare_piece (dirs->pdata[i], foundation, error);
          if (!pc)
            return FALSE;
          frames += pc->T;
          g_ptr_array_add (out, pc);
          if (t->opt->abort_func && t->opt->abort_func (t->opt->abort_data))
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Training stopped"));
              return FALSE;
            }
        }
    }
  return TRUE;
}

static gboolean
load_corpora (Trainer *t, GError **error)
{
  StrataSeparationTrainOptions *opt = t->opt;
  g_autoptr (StrataModel) foundation = NULL;
  if (opt->features)
    {
      foundation = opt->foundation ? strata_model_load (opt->foundation, error)
                                   : strata_model_load_default (error);
      if (!foundation)
        return FALSE;
    }
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (piece_free);
  double max_frames = opt->max_minutes * 60.0 * STRATA_SAMPLE_RATE / HOP;
  /* with a held-out corpus, a fraction reads only the audio it keeps */
  const double fraction = CLAMP (opt->fraction, 0.0, 1.0);
  if (opt->valid_dirs && fraction < 1 && max_frames > 0)
    max_frames *= fraction;
  if (!load_dirs (t, opt->corpus_dirs, foundation, all, max_frames, error) ||
      !load_dirs (t, opt->valid_dirs, foundation, t->valid,
                  opt->valid_max_minutes * 60.0 * STRATA_SAMPLE_RATE / HOP, error))
    return FALSE;
  GPtrArray *kept = g_ptr_array_new_with_free_func (piece_free);
  for (guint i = 0; i < all->len; i++)
    {
      gboolean hold = !opt->valid_dirs && i % 10 == 9;
      g_ptr_array_add (hold ? t->valid : kept, all->pdata[i]);
      all->pdata[i] = NULL;
    }
  /* a fraction of the data: the first pieces, at least one */
  const guint keep = opt->valid_dirs && max_frames > 0
                       ? kept->len : MAX (1, (guint) ceil (kept->len * fraction));
  for (guint i = 0; i < kept->len; i++)
    {
      Piece *pc = kept->pdata[i];
      if (i < keep && pc->T >= opt->crop + 4)
        {
          g_ptr_array_add (t->train, pc);
          kept->pdata[i] = NULL;
        }
    }
  g_ptr_array_unref (kept);
  if (t->train->len == 0)
    {
      g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_INVALID,
                   _("No training pieces (folders with stems/*.flac, at least %d frames long) "
                     "in the corpus"), opt->crop + 4);
      return FALSE;
    }
  t->total_frames = 0;
  for (guint i = 0; i < t->train->len; i++)
    t->total_frames += ((Piece *) t->train->pdata[i])->T;
  opt->config.features = opt->features ? 1 : 0;
  if (opt->features)
    {
      const Piece *pc = t->train->pdata[0];
      opt->config.fine_dim = pc->fine_dim;
      opt->config.medium_dim = pc->medium_dim;
    }
  opt->n_train = t->train->len;
  opt->n_valid = t->valid->len;
  opt->train_minutes = t->total_frames * HOP / STRATA_SAMPLE_RATE / 60.0;
  return TRUE;
}

/* ------------------------------------------------------------ batches and loss */

/* Copies frames [off, off + T) of @pc into row @b of the batch. */
static void
fill_row (SepActs *a, const StrataSeparationConfig *c, const Piece *pc, int b, int off,
          float *ratio)
{
  const int T = a->T;
  float *x = a->x + (size_t) b * T * SEP_IN;
  const guint8 *q = pc->feat + (size_t) off * SEP_IN;
  for (size_t k = 0; k < (size_t) T * SEP_IN; k++)
    x[k] = dequantise (q[k]);
  float *r = ratio + (size_t) b * T * SEP_OUT;
  const guint8 *qr = pc->ratio + (size_t) off * SEP_OUT;
  for (size_t k = 0; k < (size_t) T * SEP_OUT; k++)
    r[k] = qr[k] * (1.0f / 255.0f);
  if (c->features)
    {
      memcpy (a->fine + (size_t) b * T * c->fine_dim, pc->fine + (size_t) off * c->fine_dim,
              (size_t) T * c->fine_dim * sizeof (float));
      const int Tm_all = (pc->T + 3) / 4;
      for (int m = 0; m < a->Tm; m++)
        memcpy (a->medium + ((size_t) b * a->Tm + m) * c->medium_dim,
                pc->medium + (size_t) MIN (off / 4 + m, Tm_all - 1) * c->medium_dim,
                (size_t) c->medium_dim * sizeof (float));
    }
}

/* Σ (m X − r X)² / Σ X², X the band magnitude (mean of the channels);
 * writes a->dmasks when @grad. */
static float
batch_loss (SepActs *a, const float *ratio, gboolean grad)
{
  const size_t N = (size_t) a->B * a->T;
  double num = 0, den = 1e-6;
  for (size_t n = 0; n < N; n++)
    for (int b = 0; b < SEP_NB; b++)
      {
        const float X = 0.5f * (decompress (a->x[n * SEP_IN + b]) +
                                decompress (a->x[n * SEP_IN + SEP_NB + b]));
        den += (double) X * X * SEP_J;
      }
  const float k = (float) (1.0 / den);
  for (size_t n = 0; n < N; n++)
    for (int b = 0; b < SEP_NB; b++)
      {
        const float X = 0.5f * (decompress (a->x[n * SEP_IN + b]) +
                                decompress (a->x[n * SEP_IN + SEP_NB + b]));
        const float X2 = X * X;
        for (int j = 0; j < SEP_J; j++)
          {
            const size_t o = n * SEP_OUT + j * SEP_NB + b;
            const float e = a->masks[o] - ratio[o];
            num += (double) X2 * e * e;
            if (grad)
              a->dmasks[o] = 2.0f * k * X2 * e;
          }
      }
  return (float) (num / den);
}

static StrataNnStatus
train_step (void *user_data, int64_t step, int micro, float *loss)
{
  Trainer *t = user_data;
  const int B = t->opt->batch, T = t->opt->crop;
  StrataRng rng;
  strata_rng_seed (&rng, t->opt->seed * 0x9e3779b97f4a7c15ull + (uint64_t) step * 131 + micro);
  for (int b = 0; b < B; b++)
    {
      double r = strata_rng_uniform (&rng) * t->total_frames;
      guint i = 0;
      for (; i + 1 < t->train->len; i++)
        {
          r -= ((Piece *) t->train->pdata[i])->T;
          if (r < 0)
            break;
        }
      const Piece *pc = t->train->pdata[i];
      int off = (int) strata_rng_below (&rng, (uint32_t) ((pc->T - T) / 4 + 1)) * 4;
      fill_row (t->acts, &t->sep->cfg, pc, b, off, t->ratio);
    }
  _strata_sep_forward (t->sep, t->acts);
  *loss = batch_loss (t->acts, t->ratio, TRUE);
  if (!isfinite (*loss))
    return STRATA_NN_ERROR_NONFINITE;
  _strata_sep_backward (t->sep, t->acts);
  return STRATA_NN_OK;
}

static void
progress (const StrataTrainProgress *p, void *user_data)
{
  Trainer *t = user_data;
  say (t, "separation %5" G_GINT64_FORMAT "/%d  loss %.4f  lr %.2e  |g| %.3g  %.2f steps/s",
       p->step, t->opt->steps, p->loss, p->lr, p->grad_norm, p->steps_per_second);
  if (t->opt->first_loss == 0.0f)
    t->opt->first_loss = p->loss;
  t->opt->last_loss = p->loss;
}

/* The loss over every whole window of 512 frames of the held-out pieces. */
static void
validate (Trainer *t)
{
  const int W = 512;
  double num = 0;
  int count = 0;
  SepActs *a = NULL;
  float *ratio = g_new (float, (gsize) W * SEP_OUT);
  for (guint i = 0; i < t->valid->len; i++)
    {
      const Piece *pc = t->valid->pdata[i];
      for (int off = 0; off + W <= pc->T; off += W)
        {
          if (!a)
            a = _strata_sep_acts_new (t->sep, 1, W, TRUE);
          if (!a)
            break;
          fill_row (a, &t->sep->cfg, pc, 0, off, ratio);
          _strata_sep_forward (t->sep, a);
          num += batch_loss (a, ratio, FALSE);
          count++;
        }
    }
  _strata_sep_acts_free (a);
  g_free (ratio);
  t->opt->valid_loss = count ? (float) (num / count) : 0.0f;
  if (count && (t->opt->best_valid_loss == 0.0f || t->opt->valid_loss < t->opt->best_valid_loss))
    t->opt->best_valid_loss = t->opt->valid_loss;
  const double secs = g_timer_elapsed (t->timer, NULL);
  say (t, "  validation (%u pieces, %d windows): loss %.4f  (%.0f s)", t->valid->len, count,
       t->opt->valid_loss, secs);
  if (t->opt->valid_func)
    t->opt->valid_func (t->sep->params.step, secs, t->opt->valid_loss, t->opt->valid_data);
}

static void
score (Trainer *t)
{
  double sum[SEP_J] = { 0 };
  int cnt[SEP_J] = { 0 };
  for (guint i = 0; i < t->valid->len; i++)
    {
      const Piece *pc = t->valid->pdata[i];
      StrataSeparationScores s;
      g_autoptr (GError) local = NULL;
      g_autoptr (StrataModel) foundation = NULL;
      if (t->opt->features)
        foundation = t->opt->foundation ? strata_model_load (t->opt->foundation, NULL)
                                        : strata_model_load_default (NULL);
      if (!strata_separation_score_piece (t->sep, foundation, pc->name, &s, &local))
        {
          say (t, "  %s: %s", pc->name, local->message);
          continue;
        }
      for (int j = 0; j < SEP_J; j++)
        if (isfinite (s.sdr[j]))
          sum[j] += s.sdr[j], cnt[j]++;
    }
  GString *line = g_string_new ("  validation SDR (dB):");
  for (int j = 0; j < SEP_J; j++)
    {
      t->opt->valid_sdr[j] = cnt[j] ? sum[j] / cnt[j] : NAN;
      g_string_append_printf (line, " %s %.2f", strata_separation_stem_name (j),
                              t->opt->valid_sdr[j]);
    }
  say (t, "%s", line->str);
  g_string_free (line, TRUE);
}

static gboolean
save_final (Trainer *t, GError **error)
{
  char vl[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (vl, sizeof vl, "%.5f", t->opt->valid_loss);
  g_autofree char *steps = g_strdup_printf ("%" G_GINT64_FORMAT, t->sep->params.step);
  const char *meta[] = {
    "strata.license", "GPL-3.0-or-later",
    "strata.source", "trained by strata-cli train separation on Strata's synthetic corpus",
    "strata.frontend", "stereo STFT 2048/512, magnitudes in 128 bands",
    "strata.steps", steps,
    "strata.valid_loss", vl,
    NULL,
  };
  return strata_separator_save (t->sep, t->opt->output, t->opt->half, meta, error);
}

static bool
over_time (void *user_data)
{
  Trainer *t = user_data;
  if (t->opt->abort_func && t->opt->abort_func (t->opt->abort_data))
    return TRUE;
  return t->opt->max_seconds > 0 && g_timer_elapsed (t->timer, NULL) > t->opt->max_seconds;
}

gboolean
strata_separation_train (StrataSeparationTrainOptions *opt, GError **error)
{
  Trainer t = { opt };
  gboolean ok = FALSE;
  t.train = g_ptr_array_new_with_free_func (piece_free);
  t.valid = g_ptr_array_new_with_free_func (piece_free);
  t.timer = g_timer_new ();
  g_autofree char *ckpt = g_strconcat (opt->output, ".ckpt", NULL);
  g_autofree char *config = NULL;
  if (opt->batch < 1 || opt->crop < 16 || opt->steps < 0)
    {
      g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_INVALID,
                   _("Batch, crop and steps must be positive"));
      goto out;
    }
  if (!load_corpora (&t, error))
    goto out;
  say (&t, "separation: %u training pieces (%.1f min), %u validation pieces, features %s "
       "(read in %.0f s)", t.train->len, opt->train_minutes, t.valid->len,
       opt->features ? "on" : "off", g_timer_elapsed (t.timer, NULL));
  g_timer_start (t.timer);
  t.sep = strata_separator_new (&opt->config, opt->seed);
  if (!t.sep)
    {
      g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_INVALID,
                   _("Invalid separation model configuration"));
      goto out;
    }
  say (&t, "  %zu parameters", strata_separator_get_n_params (t.sep));
  config = _strata_sep_config_to_json (&t.sep->cfg);
  if (opt->resume && g_file_test (ckpt, G_FILE_TEST_EXISTS))
    {
      if (!strata_params_load (&t.sep->params, ckpt, STRATA_SEPARATION_ARCHITECTURE, TRUE, error))
        goto out;
      say (&t, "  resumed from %s at step %" G_GINT64_FORMAT, ckpt, t.sep->params.step);
    }
  t.acts = _strata_sep_acts_new (t.sep, opt->batch, opt->crop, TRUE);
  t.ratio = g_try_new (float, (gsize) opt->batch * opt->crop * SEP_OUT);
  if (!t.acts || !t.ratio)
    {
      g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_FAILED,
                   _("Out of memory for the training batch"));
      goto out;
    }
  StrataTrainer trainer = {
    .optim = strata_adamw_config_default (),
    .step_func = train_step, .step_data = &t,
    .abort_func = over_time, .abort_data = &t,
    .progress_func = progress, .progress_data = &t,
    .progress_every = MAX (1, opt->log_every),
  };
  trainer.optim.lr = opt->lr;
  trainer.optim.lr_min = opt->lr * 0.1f;
  trainer.optim.warmup_steps = MIN (100, opt->steps / 10 + 1);
  trainer.optim.total_steps = opt->steps;
  trainer.optim.weight_decay = 0.01f;
  trainer.optim.clip_norm = 1.0f;
  const int every = MAX (1, opt->checkpoint_every);
  gboolean timed_out = FALSE;
  while (t.sep->params.step < opt->steps && !timed_out)
    {
      int64_t next = MIN ((int64_t) opt->steps, (t.sep->params.step / every + 1) * every);
      if (opt->valid_every > 0)
        next = MIN (next, (t.sep->params.step / opt->valid_every + 1) * opt->valid_every);
      StrataNnStatus st = strata_train_run (&trainer, &t.sep->params, next);
      if (st == STRATA_NN_ABORTED)
        {
          if (opt->abort_func && opt->abort_func (opt->abort_data))
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Training stopped"));
              goto out;
            }
          /* the time budget is spent: finish as if this were the last step */
          timed_out = TRUE;
          say (&t, "  time budget of %.0f s reached at step %" G_GINT64_FORMAT, opt->max_seconds,
               t.sep->params.step);
        }
      else if (st != STRATA_NN_OK)
        {
          g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_FAILED,
                       _("Training failed at step %lld: %s"), (long long) t.sep->params.step,
                       strata_nn_status_to_string (st));
          goto out;
        }
      if (!strata_params_save (&t.sep->params, ckpt, STRATA_SEPARATION_ARCHITECTURE, config,
                               NULL, TRUE, error))
        goto out;
      if (opt->valid_every > 0 && t.sep->params.step % opt->valid_every == 0 &&
          t.sep->params.step < opt->steps && !timed_out)
        validate (&t);
    }
  validate (&t);
  opt->seconds = g_timer_elapsed (t.timer, NULL);
  opt->steps_done = t.sep->params.step;
  if (opt->score)
    score (&t);
  if (!save_final (&t, error))
    goto out;
  say (&t, "wrote %s (%" G_GINT64_FORMAT " steps, %.0f s)", opt->output, t.sep->params.step,
       opt->seconds);
  ok = TRUE;
out:
  _strata_sep_acts_free (t.acts);
  g_free (t.ratio);
  strata_separator_free (t.sep);
  g_ptr_array_unref (t.train);
  g_ptr_array_unref (t.valid);
  g_timer_destroy (t.timer);
  return ok;
}

/* ------------------------------------------------------------ scores */

gboolean
strata_separation_score_piece (StrataSeparator *sep, StrataModel *foundation, const char *dir,
                               StrataSeparationScores *scores, GError **error)
{
  StrataAudio *mix = NULL, *stems[SEP_J] = { NULL };
  if (!read_piece_audio (dir, &mix, stems, error))
    return FALSE;
  const gint64 n = strata_audio_get_n_frames (mix);
  scores->seconds = (double) n / STRATA_SAMPLE_RATE;
  g_autoptr (StrataTranscriptionInput) aligned = NULL;
  gboolean ok = TRUE;
  if (strata_separator_get_config (sep)->features)
    {
      g_autoptr (StrataFeatures) f = foundation ? strata_model_extract (foundation, mix, NULL,
                                                                        NULL, NULL, NULL, NULL,
                                                                        error)
                                                : NULL;
      aligned = g_new0 (StrataTranscriptionInput, 1);
      aligned->T = (int) (n / HOP + 1);
      ok = f && strata_transcription_input_set_features (aligned, f, error);
      if (!f && !foundation)
        g_set_error (error, STRATA_SEPARATION_ERROR, STRATA_SEPARATION_ERROR_FEATURES,
                     _("The separation model %s needs the foundation model's features"),
                     strata_separator_get_path (sep));
    }
  g_autoptr (StrataStems) est = NULL, irm = NULL;
  if (ok)
    est = strata_separator_run (sep, mix, aligned ? aligned->fine : NULL,
                                aligned ? aligned->medium : NULL, NULL, NULL, NULL, NULL, NULL,
                                error);
  if (est)
    irm = strata_stems_ideal_ratio_mask (mix, stems, SEP_J);
  ok = est && irm;
  for (int j = 0; ok && j < SEP_J; j++)
    {
      const float *ref = strata_audio_get_samples (stems[j]);
      scores->sdr[j] = strata_sdr (ref, strata_audio_get_samples (est->stems[j]), n * 2);
      scores->irm[j] = strata_sdr (ref, strata_audio_get_samples (irm->stems[j]), n * 2);
      scores->mixture[j] = strata_sdr (ref, strata_audio_get_samples (mix), n * 2);
      /* a stem under -60 dB of the mix is silent: no score */
      double e_ref = 0, e_mix = 0;
      const float *m = strata_audio_get_samples (mix);
      for (gint64 k = 0; k < n * 2; k++)
        e_ref += (double) ref[k] * ref[k], e_mix += (double) m[k] * m[k];
      if (e_ref <= 1e-6 * e_mix)
        scores->sdr[j] = scores->irm[j] = scores->mixture[j] = NAN;
    }
  strata_audio_unref (mix);
  for (int j = 0; j < SEP_J; j++)
    strata_audio_unref (stems[j]);
  return ok;
}
