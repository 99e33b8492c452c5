/* strata-nn.h: Strata's neural-network engine, base types.
 *
 * Plain C (libc, libm, OpenBLAS), no GLib. Tensors are float32, row-major,
 * outermost dimension first; they are plain `float *` views into arenas
 * (one allocation each for parameters, gradients, optimiser state and
 * activations), as in llm.c. Every op has a `_forward` and a `_backward`
 * function side by side (strata-nn-ops.h); backward functions ACCUMULATE
 * (+=) into their gradient outputs, and any gradient output may be NULL
 * when it is not needed.
 *
 * Dimension alphabet used in every shape comment:
 *   B batch, T time (frames/tokens), S context length (cross-attention),
 *   C channels, I input features, O output features, H heads, D head
 *   dimension, K kernel taps or codebook size, V vocabulary, N rows (B*T).
 *
 * Threading contract: nothing here holds global state; one StrataParams,
 * StrataArena or StrataRng must not be used by two threads at once. Matrix
 * products go through OpenBLAS, whose thread count is a process-wide
 * setting (strata_nn_set_num_threads()), set once by the task layer's first
 * run (core/tasks/strata-task.c) and by the trainer's --threads.
 *
 * Errors: functions return a StrataNnStatus or NULL; they never print and
 * never exit.
 *
 * Writing a model (see tests/nn/test-nn-train.c for complete ones):
 *
 *   typedef struct {
 *     StrataParams params;
 *     float *fc_w, *fc_b;       // (O,I) (O)   views into params.values
 *     float *dfc_w, *dfc_b;     //             views into params.grads
 *     StrataArena acts;         // activations + scratch, sized once
 *     float *x, *y, *dy;        // (N,I) (N,O) (N,O)
 *   } MyModel;
 *
 *   int i = strata_params_declare (&m->params, "fc.weight", 2, (int64_t[]) { O, I }, 0);
 *   ... declare every tensor, then strata_params_allocate (&m->params) and bind
 *   m->fc_w = strata_params_value (&m->params, i), m->dfc_w = strata_params_grad (...);
 *   forward:  strata_linear_forward (m->y, m->x, m->fc_w, m->fc_b, N, I, O); ...
 *   backward: zero the activation gradients, then call the _backward functions in
 *             reverse order (they accumulate into params.grads);
 *   train:    StrataTrainer with a step callback, strata_train_run();
 *   save:     strata_params_save() / strata_params_load() (strata-safetensors.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strata-types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  STRATA_NN_OK = 0,
  STRATA_NN_ERROR_NOMEM,      /* an allocation failed */
  STRATA_NN_ERROR_INVALID,    /* bad argument (shape, size, name) */
  STRATA_NN_ERROR_NONFINITE,  /* a loss or gradient became NaN/Inf */
  STRATA_NN_ABORTED,          /* the abort callback asked to stop */
} StrataNnStatus;

const char *strata_nn_status_to_string (StrataNnStatus status);

#define STRATA_NN_MAX_DIMS 4
/* Every view handed out by an arena starts on a 64-byte boundary. */
#define STRATA_NN_ALIGN 64

/* ------------------------------------------------------------------ */
/* Random numbers: xoshiro256** seeded through splitmix64. Deterministic
 * across platforms for a given seed. */

typedef struct {
  uint64_t s[4];
} StrataRng;

void     strata_rng_seed          (StrataRng *rng, uint64_t seed);
uint64_t strata_rng_next          (StrataRng *rng);
/* Uniform in [0, 1), 24 random bits. */
float    strata_rng_uniform       (StrataRng *rng);
/* Standard normal (Box-Muller). */
float    strata_rng_normal        (StrataRng *rng);
/* Uniform integer in [0, n). */
uint32_t strata_rng_below         (StrataRng *rng, uint32_t n);
void     strata_rng_fill_uniform  (StrataRng *rng, float *x, size_t n, float lo, float hi);
void     strata_rng_fill_normal   (StrataRng *rng, float *x, size_t n, float mean, float std);
/* Standard Gumbel(0, 1) noise, -log(-log(u)). */
void     strata_rng_fill_gumbel   (StrataRng *rng, float *x, size_t n);

/* ------------------------------------------------------------------ */
/* Arena: one aligned allocation, handed out as views. Used for
 * activations and scratch; sized once when a model plans its graph. */

typedef struct {
  float *base;
  size_t capacity;  /* floats */
  size_t used;      /* floats */
} StrataArena;

StrataNnStatus strata_arena_init  (StrataArena *arena, size_t n_floats);
/* Returns a zero-filled view of @n floats, or NULL when the arena is full.
 * Views are aligned to STRATA_NN_ALIGN bytes. */
float         *strata_arena_alloc (StrataArena *arena, size_t n);
/* Size in floats that strata_arena_alloc() consumes for a request of @n. */
size_t         strata_arena_padded (size_t n);
void           strata_arena_reset (StrataArena *arena);
void           strata_arena_clear (StrataArena *arena);

/* Sets OpenBLAS's process-wide thread count (call once, from the thread
 * that owns the compute work; 1 makes results bit-reproducible). */
void   strata_nn_set_num_threads (int n_threads);

/* Aligned allocation helpers (NULL on failure). */
float *strata_nn_alloc (size_t n_floats);
void   strata_nn_free  (float *p);

/* ------------------------------------------------------------------ */
/* Named parameters: declared first (name and shape), then allocated in
 * four parallel arenas (values, gradients, AdamW m and v) with identical
 * offsets. A model is a struct of `float *` views bound after
 * strata_params_allocate(). */

typedef enum {
  STRATA_PARAM_DEFAULT  = 0,
  STRATA_PARAM_NO_DECAY = 1 << 0,  /* no weight decay (biases, norms, codebooks) */
  STRATA_PARAM_FROZEN   = 1 << 1,  /* never updated by the optimiser */
} StrataParamFlags;

typedef struct {
  char   *name;                       /* PyTorch state_dict name */
  int     ndim;
  int64_t shape[STRATA_NN_MAX_DIMS];
  size_t  numel;
  size_t  offset;                     /* floats from the arena base */
  unsigned flags;                     /* StrataParamFlags */
  float   lr_scale;                   /* multiplies the learning rate (1) */
} StrataParamInfo;

typedef struct {
  StrataParamInfo *info;
  int      n_params;
  int      capacity;
  size_t   total;   /* floats per arena, including alignment padding */
  float   *values;
  float   *grads;
  float   *m;       /* AdamW first moment */
  float   *v;       /* AdamW second moment */
  int64_t  step;    /* optimiser steps taken */
} StrataParams;

void           strata_params_init      (StrataParams *params);
/* Declares a tensor; returns its index (>= 0) or -1 on a bad name/shape,
 * a duplicate name, or after allocation. @shape has @ndim entries. */
int            strata_params_declare   (StrataParams *params, const char *name,
                                        int ndim, const int64_t *shape, unsigned flags);
StrataNnStatus strata_params_allocate  (StrataParams *params);
/* Per-tensor learning-rate multiplier, e.g. 0.1 for an SQ variance
 * parameter (MODEL-NOTES pitfall 2). Default 1. */
void           strata_params_set_lr_scale (StrataParams *params, int index, float scale);
void           strata_params_clear     (StrataParams *params);
int            strata_params_find      (const StrataParams *params, const char *name);
float         *strata_params_value     (const StrataParams *params, int index);
float         *strata_params_grad      (const StrataParams *params, int index);
size_t         strata_params_count     (const StrataParams *params);
void           strata_params_zero_grad (StrataParams *params);

/* ------------------------------------------------------------------ */
/* AdamW with linear warm-up and cosine decay. */

typedef struct {
  float   lr;             /* peak learning rate */
  float   lr_min;         /* floor of the cosine decay */
  float   beta1, beta2, eps;
  float   weight_decay;   /* decoupled (AdamW) */
  float   clip_norm;      /* global-norm clipping; <= 0 disables */
  int64_t warmup_steps;
  int64_t total_steps;    /* end of the cosine; constant lr_min after */
  int     accum_steps;    /* micro-batches per optimiser step (>= 1) */
} StrataAdamWConfig;

StrataAdamWConfig strata_adamw_config_default (void);
/* Learning rate used for optimiser step @step (0-based). */
float  strata_adamw_lr_at   (const StrataAdamWConfig *config, int64_t step);
/* L2 norm of @n floats, accumulated in double. */
double strata_nn_l2_norm    (const float *x, size_t n);
/* One AdamW step on every non-frozen parameter: gradients are first
 * multiplied by @grad_scale (e.g. 1/accum), then clipped to the global norm.
 * Increments params->step. Returns the pre-clip global norm in @grad_norm
 * (nullable). STRATA_NN_ERROR_NONFINITE leaves the parameters untouched. */
StrataNnStatus strata_adamw_step (StrataParams *params, const StrataAdamWConfig *config,
                                  float grad_scale, float *grad_norm);

/* ------------------------------------------------------------------ */
/* Training loop driver. */

typedef struct {
  int64_t step;         /* optimiser steps done */
  int64_t total_steps;  /* steps this run will reach */
  float   loss;         /* mean loss of the last step's micro-batches */
  float   lr;
  float   grad_norm;
  double  steps_per_second;
  double  eta_seconds;
} StrataTrainProgress;

/* Runs forward + backward of micro-batch @micro of optimiser step @step,
 * accumulating into params->grads, and stores the loss. Data selection and
 * any randomness must be a function of (@step, @micro) so that a resumed run
 * is bit-identical. */
typedef StrataNnStatus (*StrataTrainStepFunc) (void *user_data, int64_t step, int micro,
                                               float *loss);
typedef void (*StrataTrainProgressFunc) (const StrataTrainProgress *progress, void *user_data);

typedef struct {
  StrataAdamWConfig       optim;
  StrataTrainStepFunc     step_func;
  void                   *step_data;
  StrataAbortFunc         abort_func;      /* nullable, checked before each step */
  void                   *abort_data;
  StrataTrainProgressFunc progress_func;   /* nullable */
  void                   *progress_data;
  int                     progress_every;  /* steps between reports (>= 1) */
} StrataTrainer;

/* Trains from params->step up to @until_step (exclusive bound on steps
 * taken). Returns STRATA_NN_ABORTED when the abort callback fired; the
 * parameters are then consistent as of the last completed step. */
StrataNnStatus strata_train_run (const StrataTrainer *trainer, StrataParams *params,
                                 int64_t until_step);

#ifdef __cplusplus
}
#endif
