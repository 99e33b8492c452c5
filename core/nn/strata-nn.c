/* strata-nn.c: RNG, arenas, named parameters, AdamW and the training loop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "nn/strata-nn.h"
#include "nn/strata-nn-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *
strata_nn_status_to_string (StrataNnStatus status)
{
  switch (status)
    {
    case STRATA_NN_OK: return "ok";
    case STRATA_NN_ERROR_NOMEM: return "out of memory";
    case STRATA_NN_ERROR_INVALID: return "invalid argument";
    case STRATA_NN_ERROR_NONFINITE: return "non-finite value";
    case STRATA_NN_ABORTED: return "aborted";
    default: return "unknown status";
    }
}

/* ---------------------------------------------------------------- RNG */

static uint64_t
splitmix64 (uint64_t *x)
{
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void
strata_rng_seed (StrataRng *rng, uint64_t seed)
{
  uint64_t x = seed;
  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
}

static inline uint64_t
rotl (uint64_t x, int k)
{
  return (x << k) | (x >> (64 - k));
}

uint64_t
strata_rng_next (StrataRng *rng)
{
  uint64_t *s = rng->s;
  uint64_t result = rotl (s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

float
strata_rng_uniform (StrataRng *rng)
{
  return (float) (strata_rng_next (rng) >> 40) * (1.0f / 16777216.0f);
}

float
strata_rng_normal (StrataRng *rng)
{
  /* Box-Muller in double; u1 in (0, 1] so the log is finite. */
  double u1 = ((double) (strata_rng_next (rng) >> 11) + 1.0) * (1.0 / 9007199254740992.0);
  double u2 = (double) (strata_rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
  return (float) (sqrt (-2.0 * log (u1)) * cos (2.0 * M_PI * u2));
}

uint32_t
strata_rng_below (StrataRng *rng, uint32_t n)
{
  if (n == 0)
    return 0;
  return (uint32_t) (((strata_rng_next (rng) >> 32) * (uint64_t) n) >> 32);
}

void
strata_rng_fill_uniform (StrataRng *rng, float *x, size_t n, float lo, float hi)
{
  for (size_t i = 0; i < n; i++)
    x[i] = lo + (hi - lo) * strata_rng_uniform (rng);
}

void
strata_rng_fill_normal (StrataRng *rng, float *x, size_t n, float mean, float std)
{
  for (size_t i = 0; i < n; i++)
    x[i] = mean + std * strata_rng_normal (rng);
}

void
strata_rng_fill_gumbel (StrataRng *rng, float *x, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      /* u in (0, 1): avoid both log(0) ends. */
      double u = ((double) (strata_rng_next (rng) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
      x[i] = (float) -log (-log (u));
    }
}

void
strata_nn_set_num_threads (int n_threads)
{
  openblas_set_num_threads (n_threads > 0 ? n_threads : 1);
}

/* -------------------------------------------------------------- Arena */

float *
strata_nn_alloc (size_t n_floats)
{
  void *p = NULL;
  size_t bytes = strata_arena_padded (n_floats ? n_floats : 1) * sizeof (float);
  if (bytes / sizeof (float) < n_floats)
    return NULL;
  if (posix_memalign (&p, STRATA_NN_ALIGN, bytes) != 0)
    return NULL;
  memset (p, 0, bytes);
  return p;
}

void
strata_nn_free (float *p)
{
  free (p);
}

size_t
strata_arena_padded (size_t n)
{
  const size_t a = STRATA_NN_ALIGN / sizeof (float);
  return (n + a - 1) / a * a;
}

StrataNnStatus
strata_arena_init (StrataArena *arena, size_t n_floats)
{
  arena->used = 0;
  arena->capacity = strata_arena_padded (n_floats);
  arena->base = strata_nn_alloc (arena->capacity);
  if (arena->base == NULL)
    {
      arena->capacity = 0;
      return STRATA_NN_ERROR_NOMEM;
    }
  return STRATA_NN_OK;
}

float *
strata_arena_alloc (StrataArena *arena, size_t n)
{
  size_t padded = strata_arena_padded (n);
  if (arena->base == NULL || padded < n || padded > arena->capacity - arena->used)
    return NULL;
  float *p = arena->base + arena->used;
  arena->used += padded;
  memset (p, 0, padded * sizeof (float));
  return p;
}

void
strata_arena_reset (StrataArena *arena)
{
  arena->used = 0;
}

void
strata_arena_clear (StrataArena *arena)
{
  strata_nn_free (arena->base);
  arena->base = NULL;
  arena->capacity = 0;
  arena->used = 0;
}

/* --------------------------------------------------------- Parameters */

void
strata_params_init (StrataParams *params)
{
  memset (params, 0, sizeof *params);
}

int
strata_params_find (const StrataParams *params, const char *name)
{
  for (int i = 0; i < params->n_params; i++)
    if (strcmp (params->info[i].name, name) == 0)
      return i;
  return -1;
}

int
strata_params_declare (StrataParams *params, const char *name, int ndim,
                       const int64_t *shape, unsigned flags)
{
  if (params->values != NULL || name == NULL || name[0] == '\0' || strlen (name) > 255 ||
      ndim < 0 || ndim > STRATA_NN_MAX_DIMS || (ndim > 0 && shape == NULL) ||
      strncmp (name, "optim.", 6) == 0 || strata_params_find (params, name) >= 0)
    return -1;

  size_t numel = 1;
  for (int d = 0; d < ndim; d++)
    {
      if (shape[d] <= 0 || (uint64_t) shape[d] > (SIZE_MAX / 4) / numel)
        return -1;
      numel *= (size_t) shape[d];
    }

  if (params->n_params == params->capacity)
    {
      int cap = params->capacity ? params->capacity * 2 : 16;
      StrataParamInfo *info = realloc (params->info, (size_t) cap * sizeof *info);
      if (info == NULL)
        return -1;
      params->info = info;
      params->capacity = cap;
    }

  char *copy = strdup (name);
  if (copy == NULL)
    return -1;
  StrataParamInfo *p = &params->info[params->n_params];
  memset (p, 0, sizeof *p);
  p->name = copy;
  p->ndim = ndim;
  for (int d = 0; d < ndim; d++)
    p->shape[d] = shape[d];
  p->numel = numel;
  p->offset = params->total;
  p->flags = flags;
  p->lr_scale = 1.0f;
  params->total += strata_arena_padded (numel);
  return params->n_params++;
}

StrataNnStatus
strata_params_allocate (StrataParams *params)
{
  if (params->values != NULL)
    return STRATA_NN_ERROR_INVALID;
  params->values = strata_nn_alloc (params->total);
  params->grads = strata_nn_alloc (params->total);
  params->m = strata_nn_alloc (params->total);
  params->v = strata_nn_alloc (params->total);
  if (!params->values || !params->grads || !params->m || !params->v)
    {
      strata_nn_free (params->values);
      strata_nn_free (params->grads);
      strata_nn_free (params->m);
      strata_nn_free (params->v);
      params->values = params->grads = params->m = params->v = NULL;
      return STRATA_NN_ERROR_NOMEM;
    }
  params->step = 0;
  return STRATA_NN_OK;
}

void
strata_params_set_lr_scale (StrataParams *params, int index, float scale)
{
  if (index >= 0 && index < params->n_params)
    params->info[index].lr_scale = scale;
}

void
strata_params_clear (StrataParams *params)
{
  for (int i = 0; i < params->n_params; i++)
    free (params->info[i].name);
  free (params->info);
  strata_nn_free (params->values);
  strata_nn_free (params->grads);
  strata_nn_free (params->m);
  strata_nn_free (params->v);
  memset (params, 0, sizeof *params);
}

float *
strata_params_value (const StrataParams *params, int index)
{
  if (params->values == NULL || index < 0 || index >= params->n_params)
    return NULL;
  return params->values + params->info[index].offset;
}

float *
strata_params_grad (const StrataParams *params, int index)
{
  if (params->grads == NULL || index < 0 || index >= params->n_params)
    return NULL;
  return params->grads + params->info[index].offset;
}

size_t
strata_params_count (const StrataParams *params)
{
  size_t n = 0;
  for (int i = 0; i < params->n_params; i++)
    n += params->info[i].numel;
  return n;
}

void
strata_params_zero_grad (StrataParams *params)
{
  if (params->grads)
    memset (params->grads, 0, params->total * sizeof (float));
}

/* -------------------------------------------------------------- AdamW */

StrataAdamWConfig
strata_adamw_config_default (void)
{
  StrataAdamWConfig c = {
    .lr = 1e-3f, .lr_min = 1e-5f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f,
    .weight_decay = 0.01f, .clip_norm = 1.0f, .warmup_steps = 100,
    .total_steps = 10000, .accum_steps = 1,
  };
  return c;
}

float
strata_adamw_lr_at (const StrataAdamWConfig *c, int64_t step)
{
  if (c->warmup_steps > 0 && step < c->warmup_steps)
    return c->lr * (float) (step + 1) / (float) c->warmup_steps;
  if (step >= c->total_steps || c->total_steps <= c->warmup_steps)
    return step >= c->total_steps ? c->lr_min : c->lr;
  double progress = (double) (step - c->warmup_steps) /
                    (double) (c->total_steps - c->warmup_steps);
  double cosine = 0.5 * (1.0 + cos (M_PI * progress));
  return (float) (c->lr_min + (c->lr - c->lr_min) * cosine);
}

double
strata_nn_l2_norm (const float *x, size_t n)
{
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    s += (double) x[i] * x[i];
  return sqrt (s);
}

StrataNnStatus
strata_adamw_step (StrataParams *params, const StrataAdamWConfig *c,
                   float grad_scale, float *grad_norm)
{
  if (params->values == NULL)
    return STRATA_NN_ERROR_INVALID;

  double sq = 0.0;
  for (int i = 0; i < params->n_params; i++)
    {
      const StrataParamInfo *p = &params->info[i];
      if (p->flags & STRATA_PARAM_FROZEN)
        continue;
      double nrm = strata_nn_l2_norm (params->grads + p->offset, p->numel);
      sq += nrm * nrm;
    }
  double norm = sqrt (sq) * fabs ((double) grad_scale);
  if (grad_norm)
    *grad_norm = (float) norm;
  if (!isfinite (norm))
    return STRATA_NN_ERROR_NONFINITE;

  float scale = grad_scale;
  if (c->clip_norm > 0.0f && norm > c->clip_norm)
    scale = (float) (grad_scale * (c->clip_norm / norm));

  const int64_t t = params->step + 1;
  const float lr = strata_adamw_lr_at (c, params->step);
  const float b1 = c->beta1, b2 = c->beta2;
  const float bc1 = (float) (1.0 - pow (b1, (double) t));
  const float bc2 = (float) (1.0 - pow (b2, (double) t));

  for (int i = 0; i < params->n_params; i++)
    {
      const StrataParamInfo *p = &params->info[i];
      if (p->flags & STRATA_PARAM_FROZEN)
        continue;
      float *w = params->values + p->offset;   /* (numel) */
      const float *g = params->grads + p->offset;
      float *m = params->m + p->offset;
      float *v = params->v + p->offset;
      const float wd = (p->flags & STRATA_PARAM_NO_DECAY) ? 0.0f : c->weight_decay;
      const float lrp = lr * p->lr_scale;
      for (size_t j = 0; j < p->numel; j++)
        {
          float gj = g[j] * scale;
          m[j] = b1 * m[j] + (1.0f - b1) * gj;
          v[j] = b2 * v[j] + (1.0f - b2) * gj * gj;
          float mhat = m[j] / bc1;
          float vhat = v[j] / bc2;
          w[j] -= lrp * (mhat / (sqrtf (vhat) + c->eps) + wd * w[j]);
        }
    }
  params->step = t;
  return STRATA_NN_OK;
}

/* ------------------------------------------------------ Training loop */

static double
now_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

StrataNnStatus
strata_train_run (const StrataTrainer *tr, StrataParams *params, int64_t until_step)
{
  if (tr == NULL || tr->step_func == NULL || params->values == NULL)
    return STRATA_NN_ERROR_INVALID;

  const int accum = tr->optim.accum_steps > 0 ? tr->optim.accum_steps : 1;
  const int every = tr->progress_every > 0 ? tr->progress_every : 1;
  const int64_t first = params->step;
  const double t0 = now_seconds ();

  while (params->step < until_step)
    {
      if (tr->abort_func && tr->abort_func (tr->abort_data))
        return STRATA_NN_ABORTED;

      const int64_t step = params->step;
      strata_params_zero_grad (params);
      double loss_sum = 0.0;
      for (int micro = 0; micro < accum; micro++)
        {
          float loss = 0.0f;
          StrataNnStatus st = tr->step_func (tr->step_data, step, micro, &loss);
          if (st != STRATA_NN_OK)
            return st;
          loss_sum += loss;
        }
      float loss = (float) (loss_sum / accum);
      if (!isfinite (loss))
        return STRATA_NN_ERROR_NONFINITE;

      float lr = strata_adamw_lr_at (&tr->optim, step);
      float gnorm = 0.0f;
      StrataNnStatus st = strata_adamw_step (params, &tr->optim, 1.0f / (float) accum, &gnorm);
      if (st != STRATA_NN_OK)
        return st;

      if (tr->progress_func && ((params->step - first) % every == 0 ||
                                params->step == until_step))
        {
          double elapsed = now_seconds () - t0;
          double done = (double) (params->step - first);
          StrataTrainProgress pr = {
            .step = params->step, .total_steps = until_step, .loss = loss,
            .lr = lr, .grad_norm = gnorm,
            .steps_per_second = elapsed > 0.0 ? done / elapsed : 0.0,
          };
          pr.eta_seconds = pr.steps_per_second > 0.0
                           ? (double) (until_step - params->step) / pr.steps_per_second : 0.0;
          tr->progress_func (&pr, tr->progress_data);
        }
    }
  return STRATA_NN_OK;
}
