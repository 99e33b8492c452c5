/* strata-test-model.h: the model the feature tests use: the default model
 * when it is installed (resources/models/), else a small randomly
 * initialised one written with the model module's own API (128 mels, widths
 * 16), so that the tests run the real extraction code either way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include "model/strata-model-private.h"

/* Writes a random small model to @path; fails the test on error. */
static inline void
strata_test_write_random_model (const char *path, uint64_t seed)
{
  StrataModelConfig cfg;
  HqVae vae;
  Prior priors[STRATA_N_LEVELS];
  g_autoptr(GError) error = NULL;

  _strata_model_config_small (&cfg);
  g_assert_true (_strata_hqvae_init (&vae, &cfg, 0));
  _strata_hqvae_init_random (&vae, seed);
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      g_assert_true (_strata_prior_init (&priors[l], &cfg, l, 0));
      _strata_prior_init_random (&priors[l], seed + 1 + (uint64_t) l);
    }
  _strata_model_config_clear (&cfg);
  g_autoptr(StrataModel) m = _strata_model_new_from_parts (&vae, priors, path);
  g_assert_true (_strata_model_save (m, path, FALSE, &error));
  g_assert_no_error (error);
}

/* The default model when it exists (and STRATA_TEST_RANDOM_MODEL is
 * unset), else a random one written into @dir. (transfer full) */
static inline StrataModel *
strata_test_load_model (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *def = strata_model_dup_default_path ();
  g_autofree char *path = NULL;
  StrataModel *model;

  if (def != NULL && g_getenv ("STRATA_TEST_RANDOM_MODEL") == NULL)
    {
      model = strata_model_load (def, &error);
      if (model != NULL)
        return model;
      g_test_message ("default model unusable (%s); using a random one", error->message);
      g_clear_error (&error);
    }
  path = g_build_filename (dir, "random-model.safetensors", NULL);
  strata_test_write_random_model (path, 11);
  model = strata_model_load (path, &error);
  g_assert_no_error (error);
  return model;
}
