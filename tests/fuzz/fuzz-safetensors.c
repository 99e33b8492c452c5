/* fuzz-safetensors.c: libFuzzer harness for the strict safetensors reader.
 *
 * Every input must either parse (then every tensor's data is touched, so
 * ASan sees any out-of-bounds view) or fail with a GError; nothing may
 * crash, leak, hang or allocate without bound. Built and run by
 * run-fuzz.sh.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdint.h>

#include "nn/strata-safetensors.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const uint8_t empty[1];
  GError *error = NULL;
  StrataSafetensors *st = strata_safetensors_read_bytes (size ? data : empty, size,
                                                         "fuzz", &error);
  if (st == NULL)
    {
      if (error == NULL || error->domain != STRATA_SAFETENSORS_ERROR)
        __builtin_trap ();
      g_error_free (error);
      return 0;
    }
  volatile float sink = 0.0f;
  for (guint i = 0; i < strata_safetensors_get_n_tensors (st); i++)
    {
      const StrataTensorEntry *e = strata_safetensors_get_tensor (st, i);
      if (strata_safetensors_lookup (st, e->name) == NULL)
        __builtin_trap ();
      for (size_t j = 0; j < e->numel; j++)
        sink += e->data[j];
    }
  (void) strata_safetensors_get_metadata (st, "strata.format_version");
  (void) sink;
  strata_safetensors_free (st);
  return 0;
}
