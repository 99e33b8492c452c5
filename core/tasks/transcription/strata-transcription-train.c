/* strata-transcription-train.c: the transcription head's trainer.
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
#include "tasks/transcription/strata-transcription-private.h"
#include "tasks/transcription/strata-transcription-train.h"

#define P88 STRATA_TRANSCRIPTION_N_PITCHES
#define NB STRATA_TRANSCRIPTION_N_BINS

void
strata_transcription_train_options_init (StrataTranscriptionTrainOptions *opt)
{
  memset (opt, 0, sizeof *opt);
  opt->steps = 3000;
  opt->batch = 8;
  opt->crop = 256;
  opt->lr = 1e-3f;
  opt->onset_weight = 4.0f;
  opt->noise_fraction = 0.1f;
  opt->half = TRUE;
  opt->seed = 1;
  strata_transcription_config_init (&opt->config);
  opt->log_every = 25;
  opt->checkpoint_every = 50;
  opt->valid_every = 250;
}

typedef struct {
  char *name;
  StrataTranscriptionInput *in;
  GArray *notes;
} Piece;

typedef struct {
  StrataTranscriptionTrainOptions *opt;
  GPtrArray *train, *valid;
  double total_frames;
  StrataTranscriber *tr;
  float *noise;          /* front end of white noise at full scale */
  int T_noise;
  TrActs *acts;
  TrTargetRow *targets;
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
  strata_transcription_input_free (pc->in);
  if (pc->notes)
    g_array_unref (pc->notes);
  g_free (pc);
}

static gboolean
load_piece (Trainer *t, const char *dir, StrataModel *foundation, GPtrArray *out, GError **error)
{
  g_autofree char *audio_path = NULL;
  const char *cands[] = { "mix.flac", "mix.wav" };
  for (guint c = 0; c < G_N_ELEMENTS (cands) && !audio_path; c++)
    {
      g_autofree char *q = g_build_filename (dir, cands[c], NULL);
      if (g_file_test (q, G_FILE_TEST_IS_REGULAR))
        audio_path = g_steal_pointer (&q);
    }
  if (!audio_path)
    return TRUE;
  g_autofree char *csv = g_build_filename (dir, "notes.csv", NULL);
  Piece *pc = g_new0 (Piece, 1);
  pc->name = g_strdup (dir);
  pc->notes = strata_notes_read_csv (csv, error);
  if (!pc->notes)
    {
      piece_free (pc);
      return FALSE;
    }
  g_autoptr (StrataAudio) audio = strata_audio_decode (audio_path, NULL, NULL, NULL, error);
  g_autoptr (GError) local = NULL;
  if (audio)
    pc->in = strata_transcription_input_new (audio, foundation, t->opt->abort_func,
                                             t->opt->abort_data, &local);
  if (!pc->in)
    {
      if (local)
        g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
                     "%s: %s", audio_path, local->message);
      piece_free (pc);
      return FALSE;
    }
  if (pc->in->T < t->opt->crop + 4)
    {
      piece_free (pc);
      return TRUE;
    }
  g_ptr_array_add (out, pc);
  return TRUE;
}

static gboolean
load_corpora (Trainer *t, GError **error)
{
  g_autoptr (StrataModel) foundation = NULL;
  if (t->opt->features)
    {
      foundation = t->opt->foundation ? strata_model_load (t->opt->foundation, error)
                                      : strata_model_load_default (error);
      if (!foundation)
        return FALSE;
    }
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (piece_free);
  for (int d = 0; t->opt->corpus_dirs && t->opt->corpus_dirs[d]; d++)
    {
      g_autoptr (GPtrArray) dirs = strata_corpus_list_pieces (t->opt->corpus_dirs[d],
                                                              "notes.csv", error);
      if (!dirs)
        return FALSE;
      for (guint i = 0; i < dirs->len; i++)
        if (!load_piece (t, dirs->pdata[i], foundation, all, error))
          return FALSE;
    }
  for (int d = 0; t->opt->valid_dirs && t->opt->valid_dirs[d]; d++)
    {
      g_autoptr (GPtrArray) dirs = strata_corpus_list_pieces (t->opt->valid_dirs[d],
                                                              "notes.csv", error);
      if (!dirs)
        return FALSE;
      for (guint i = 0; i < dirs->len; i++)
        if (!load_piece (t, dirs->pdata[i], foundation, t->valid, error))
          return FALSE;
    }
  for (guint i = 0; i < all->len; i++)
    {
      gboolean hold = !t->opt->valid_dirs && i % 10 == 9;
      g_ptr_array_add (hold ? t->valid : t->train, all->pdata[i]);
      all->pdata[i] = NULL;
    }
  if (t->train->len == 0)
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
                   _("No training pieces (folders with a mix and notes.csv, at least %d frames "
                     "long) in the corpus"), t->opt->crop + 4);
      return FALSE;
    }
  t->total_frames = 0;
  for (guint i = 0; i < t->train->len; i++)
    t->total_frames += ((Piece *) t->train->pdata[i])->in->T;
  if (t->opt->features)
    {
      const Piece *pc = t->train->pdata[0];
      t->opt->config.features = 1;
      t->opt->config.fine_dim = pc->in->fine_dim;
      t->opt->config.medium_dim = pc->in->medium_dim;
    }
  else
    t->opt->config.features = 0;
  t->opt->n_train = t->train->len;
  t->opt->n_valid = t->valid->len;
  return TRUE;
}

/* ------------------------------------------------------------ steps */

static StrataNnStatus
train_step (void *user_data, int64_t step, int micro, float *loss)
{
  Trainer *t = user_data;
  const int B = t->opt->batch, T = t->opt->crop;
  const StrataTranscriptionConfig *c = &t->tr->cfg;
  StrataRng rng;
  strata_rng_seed (&rng, t->opt->seed * 0x9e3779b97f4a7c15ull + (uint64_t) step * 131 + micro);
  for (int b = 0; b < B; b++)
    {
      double r = strata_rng_uniform (&rng) * t->total_frames;
      guint i = 0;
      for (; i + 1 < t->train->len; i++)
        {
          r -= ((Piece *) t->train->pdata[i])->in->T;
          if (r < 0)
            break;
        }
      const Piece *pc = t->train->pdata[i];
      /* now and then white noise at -40..0 dB, which holds no notes */
      if (t->noise && strata_rng_uniform (&rng) < t->opt->noise_fraction)
        {
          const int off = (int) strata_rng_below (&rng, (uint32_t) (t->T_noise - T + 1));
          const float shift = -40.0f * strata_rng_uniform (&rng) / 25.0f;
          float *x = t->acts->x + (size_t) b * T * NB;
          const float *src = t->noise + (size_t) off * NB;
          for (size_t k = 0; k < (size_t) T * NB; k++)
            x[k] = MAX (src[k] + shift, STRATA_TRANSCRIPTION_SILENCE);
          _strata_tr_targets (NULL, 0, T, t->targets + (size_t) b * T);
          continue;
        }
      /* a multiple of 4, so that the medium stratum lines up */
      int off = (int) strata_rng_below (&rng, (uint32_t) ((pc->in->T - T) / 4 + 1)) * 4;
      memcpy (t->acts->x + (size_t) b * T * NB, pc->in->spec + (size_t) off * NB,
              (size_t) T * NB * sizeof (float));
      if (c->features)
        {
          memcpy (t->acts->fine + (size_t) b * T * c->fine_dim,
                  pc->in->fine + (size_t) off * c->fine_dim,
                  (size_t) T * c->fine_dim * sizeof (float));
          const int Tm = t->acts->Tm, Tm_all = (pc->in->T + 3) / 4;
          for (int m = 0; m < Tm; m++)
            memcpy (t->acts->medium + ((size_t) b * Tm + m) * c->medium_dim,
                    pc->in->medium + (size_t) MIN (off / 4 + m, Tm_all - 1) * c->medium_dim,
                    (size_t) c->medium_dim * sizeof (float));
        }
      _strata_tr_targets (pc->notes, off, T, t->targets + (size_t) b * T);
    }
  _strata_tr_forward (t->tr, t->acts);
  *loss = _strata_tr_loss (t->acts, t->targets, t->opt->onset_weight, 1.0f, TRUE);
  if (!isfinite (*loss))
    return STRATA_NN_ERROR_NONFINITE;
  _strata_tr_backward (t->tr, t->acts);
  return STRATA_NN_OK;
}

static void
progress (const StrataTrainProgress *p, void *user_data)
{
  Trainer *t = user_data;
  say (t, "transcription %5" G_GINT64_FORMAT "/%d  loss %.4f  lr %.2e  |g| %.3g  %.2f steps/s",
       p->step, t->opt->steps, p->loss, p->lr, p->grad_norm, p->steps_per_second);
  if (t->opt->first_loss == 0.0f)
    t->opt->first_loss = p->loss;
  t->opt->last_loss = p->loss;
}

static double
bce_prob (float p, float y)
{
  p = CLAMP (p, 1e-7f, 1.0f - 1e-7f);
  return -(y * log (p) + (1 - y) * log (1 - p));
}

/* Validation: the mean loss over every frame of the held-out pieces
 * (activity, onset and offset cross-entropy) and pooled note scores of the
 * decoded notes. */
static void
validate (Trainer *t)
{
  StrataTranscriptionScores pooled;
  memset (&pooled, 0, sizeof pooled);
  double loss = 0, cells = 0;
  for (guint i = 0; i < t->valid->len; i++)
    {
      const Piece *pc = t->valid->pdata[i];
      g_autoptr (StrataTranscriptionOutput) out =
        strata_transcriber_run (t->tr, pc->in->spec, pc->in->T, pc->in->fine, pc->in->medium,
                                NULL, NULL, NULL);
      if (!out)
        continue;
      TrTargetRow *rows = g_new (TrTargetRow, out->T);
      _strata_tr_targets (pc->notes, 0, out->T, rows);
      for (int f = 0; f < out->T; f++)
        for (int p = 0; p < P88; p++)
          {
            size_t o = (size_t) f * P88 + p;
            float w = rows[f].onset[p] > 0.5f ? t->opt->onset_weight : 1.0f;
            loss += bce_prob (out->frame[o], rows[f].frame[p]) +
                    w * bce_prob (out->onset[o], rows[f].onset[p]) +
                    bce_prob (out->offset[o], rows[f].offset[p]);
          }
      cells += (double) out->T * P88;
      g_free (rows);
      g_autoptr (GArray) est = strata_transcription_decode (out, NULL);
      StrataTranscriptionScores s;
      strata_transcription_evaluate (pc->notes, est, &s);
      strata_prf_add (&pooled.note, &s.note);
      strata_prf_add (&pooled.note_offset, &s.note_offset);
      strata_prf_add (&pooled.frame, &s.frame);
    }
  t->opt->valid_loss = cells > 0 ? (float) (loss / cells) : 0.0f;
  t->opt->valid_scores = pooled;
  say (t, "  validation (%u pieces): loss %.4f  note F1 %.3f (P %.3f R %.3f)  "
       "note+offset F1 %.3f  frame F1 %.3f", t->valid->len, t->opt->valid_loss,
       pooled.note.f1, pooled.note.precision, pooled.note.recall, pooled.note_offset.f1,
       pooled.frame.f1);
}

static gboolean
save_final (Trainer *t, GError **error)
{
  g_autofree char *config = _strata_tr_config_to_json (&t->tr->cfg);
  char f1[G_ASCII_DTOSTR_BUF_SIZE], f1o[G_ASCII_DTOSTR_BUF_SIZE], ff[G_ASCII_DTOSTR_BUF_SIZE];
  char vl[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (f1, sizeof f1, "%.4f", t->opt->valid_scores.note.f1);
  g_ascii_formatd (f1o, sizeof f1o, "%.4f", t->opt->valid_scores.note_offset.f1);
  g_ascii_formatd (ff, sizeof ff, "%.4f", t->opt->valid_scores.frame.f1);
  g_ascii_formatd (vl, sizeof vl, "%.5f", t->opt->valid_loss);
  g_autofree char *steps = g_strdup_printf ("%" G_GINT64_FORMAT, t->tr->params.step);
  const char *meta[] = {
    "strata.license", "GPL-3.0-or-later",
    "strata.source", "trained by strata-cli train transcription on Strata's synthetic corpus",
    "strata.frontend", "log-frequency: 4096-point STFT, hop 512, 3 bins a semitone, MIDI 20.67..108.33",
    "strata.steps", steps,
    "strata.valid_loss", vl,
    "strata.valid_note_f1", f1,
    "strata.valid_note_offset_f1", f1o,
    "strata.valid_frame_f1", ff,
    NULL,
  };
  if (t->opt->half)
    return strata_params_save_f16 (&t->tr->params, t->opt->output,
                                   STRATA_TRANSCRIPTION_ARCHITECTURE, config, meta, error);
  return strata_params_save (&t->tr->params, t->opt->output, STRATA_TRANSCRIPTION_ARCHITECTURE,
                             config, meta, FALSE, error);
}

gboolean
strata_transcription_train (StrataTranscriptionTrainOptions *opt, GError **error)
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
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
                   _("Batch, crop and steps must be positive"));
      goto out;
    }
  if (!load_corpora (&t, error))
    goto out;
  say (&t, "transcription: %u training pieces (%.1f min), %u validation pieces, features %s",
       t.train->len, t.total_frames / STRATA_TRANSCRIPTION_RATE / 60.0, t.valid->len,
       opt->features ? "on" : "off");
  t.tr = strata_transcriber_new (&opt->config, opt->seed);
  if (!t.tr)
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_INVALID,
                   _("Invalid transcription model configuration"));
      goto out;
    }
  say (&t, "  %zu parameters", strata_transcriber_get_n_params (t.tr));
  config = _strata_tr_config_to_json (&t.tr->cfg);
  if (opt->resume && g_file_test (ckpt, G_FILE_TEST_EXISTS))
    {
      if (!strata_params_load (&t.tr->params, ckpt, STRATA_TRANSCRIPTION_ARCHITECTURE, TRUE,
                               error))
        goto out;
      say (&t, "  resumed from %s at step %" G_GINT64_FORMAT, ckpt, t.tr->params.step);
    }
  if (!opt->features && opt->noise_fraction > 0)
    {
      /* 20 s of uniform white noise of amplitude 1 */
      const gint64 n = 20 * (gint64) STRATA_SAMPLE_RATE;
      g_autofree float *w = g_new (float, n);
      StrataRng rng;
      strata_rng_seed (&rng, opt->seed + 77);
      strata_rng_fill_uniform (&rng, w, (size_t) n, -1.0f, 1.0f);
      t.noise = strata_transcription_frontend (w, n, &t.T_noise);
    }
  t.acts = _strata_tr_acts_new (t.tr, opt->batch, opt->crop);
  t.targets = g_try_new (TrTargetRow, (gsize) opt->batch * opt->crop);
  if (!t.acts || !t.targets)
    {
      g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_FAILED,
                   _("Out of memory for the training batch"));
      goto out;
    }
  StrataTrainer trainer = {
    .optim = strata_adamw_config_default (),
    .step_func = train_step, .step_data = &t,
    .abort_func = opt->abort_func, .abort_data = opt->abort_data,
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
  while (t.tr->params.step < opt->steps)
    {
      int64_t next = MIN ((int64_t) opt->steps, (t.tr->params.step / every + 1) * every);
      StrataNnStatus st = strata_train_run (&trainer, &t.tr->params, next);
      if (st == STRATA_NN_ABORTED)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Training stopped"));
          goto out;
        }
      if (st != STRATA_NN_OK)
        {
          g_set_error (error, STRATA_TRANSCRIPTION_ERROR, STRATA_TRANSCRIPTION_ERROR_FAILED,
                       _("Training failed at step %lld: %s"), (long long) t.tr->params.step,
                       strata_nn_status_to_string (st));
          goto out;
        }
      if (!strata_params_save (&t.tr->params, ckpt, STRATA_TRANSCRIPTION_ARCHITECTURE, config,
                               NULL, TRUE, error))
        goto out;
      if (opt->valid_every > 0 && t.tr->params.step % opt->valid_every == 0 &&
          t.tr->params.step < opt->steps)
        validate (&t);
    }
  validate (&t);
  if (!save_final (&t, error))
    goto out;
  say (&t, "wrote %s (%" G_GINT64_FORMAT " steps, %.0f s)", opt->output, t.tr->params.step,
       g_timer_elapsed (t.timer, NULL));
  ok = TRUE;
out:
  _strata_tr_acts_free (t.acts);
  g_free (t.noise);
  g_free (t.targets);
  strata_transcriber_free (t.tr);
  g_ptr_array_unref (t.train);
  g_ptr_array_unref (t.valid);
  g_timer_destroy (t.timer);
  return ok;
}
