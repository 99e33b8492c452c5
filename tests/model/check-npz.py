#!/usr/bin/python3
# check-npz.py OUT.npz: prints what numpy.load sees in a features .npz, one
# line per array (name dtype shape), then the rates and the model version,
# a summary per level, and a digest of each array's bytes ("digest NAME HEX",
# SHA-1) so that two files can be compared array by array.
# Used by tests/model/test-model.c and tests/ui-strata/test-ui-strata.c
# (numpy from Debian's python3-numpy).
#
# SPDX-License-Identifier: GPL-3.0-or-later
import hashlib
import sys

import numpy

with numpy.load(sys.argv[1]) as z:
    for name in sorted(z.files):
        a = z[name]
        print(name, a.dtype.str, "x".join(str(s) for s in a.shape))
    if "rates" in z.files:
        print("rates", " ".join("%.6f" % r for r in z["rates"]))
    if "model_version" in z.files:
        print("model_version", z["model_version"][0])
    for level in ("coarse", "medium", "fine"):
        if level in z.files:
            f = z[level]
            t = z[level + "_tokens"]
            print("check", level, int(numpy.isfinite(f).all()), int(t.min()), int(t.max()),
                  "%.6f" % float(f.sum(dtype=numpy.float64)))
    for name in sorted(z.files):
        print("digest", name, hashlib.sha1(numpy.ascontiguousarray(z[name]).tobytes()).hexdigest())
