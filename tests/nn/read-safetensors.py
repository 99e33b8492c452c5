#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reads a safetensors file with plain numpy (no safetensors package) and
prints one line per tensor: name, dtype, shape, sum and first value, then
the sorted metadata keys. Used by the core/nn test to prove that files
written by Strata load in numpy; exits 1 on any layout violation.

usage: /usr/bin/python3 read-safetensors.py FILE
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": "<f4", "F16": "<f2"}


def main(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    meta = header.pop("__metadata__", {})
    pos = 0
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, end = e["data_offsets"]
        if begin != pos:
            sys.exit(f"{name}: offset {begin}, expected {pos}")
        pos = end
        arr = np.frombuffer(data[begin:end], dtype=DTYPES[e["dtype"]])
        arr = arr.reshape(e["shape"])
        first = float(arr.flat[0]) if arr.size else 0.0
        print(f"{name} {e['dtype']} {tuple(arr.shape)} sum={float(arr.sum(dtype=np.float64))!r} first={first!r}")
    if pos != len(data):
        sys.exit(f"data section has {len(data)} bytes, tensors end at {pos}")
    print("metadata " + " ".join(f"{k}={meta[k]}" for k in sorted(meta)))


if __name__ == "__main__":
    main(sys.argv[1])
