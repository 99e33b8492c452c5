/* strata-features-npz.c: features as an .npz (strata-cli features, the
 * window's feature export), kept apart from the generic writer so that the
 * writer builds alone (tests/fuzz).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "model/strata-model.h"
#include "model/strata-npz.h"

gboolean
strata_features_write_npz (const StrataFeatures *f, const char *path, const char *const *inputs,
                           GError **error)
{
  g_return_val_if_fail (f && path, FALSE);
  g_autoptr (StrataNpz) npz = strata_npz_new ();
  double rates[STRATA_N_LEVELS];
  for (int l = 0; l < STRATA_N_LEVELS; l++)
    {
      const StrataFeatureLevel *fl = &f->level[l];
      const int64_t shape[2] = { fl->T, fl->D };
      strata_npz_add (npz, strata_level_get_name (l), "<f4", 2, shape, fl->features);
      g_autofree char *tn = g_strconcat (strata_level_get_name (l), "_tokens", NULL);
      strata_npz_add (npz, tn, "<i4", 1, shape, fl->tokens);
      rates[l] = fl->rate;
    }
  const int64_t three[1] = { STRATA_N_LEVELS };
  strata_npz_add (npz, "rates", "<f8", 1, three, rates);
  const char *version[] = { f->model_version ? f->model_version : "" };
  strata_npz_add_strings (npz, "model_version", version, 1);
  return strata_npz_write (npz, path, inputs, error);
}
