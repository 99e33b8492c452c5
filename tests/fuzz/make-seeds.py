#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the seed corpus for fuzz-safetensors into DIR: valid files
(F32/F16/BF16, scalars, empty tensors, metadata) and near-misses (gaps,
overlaps, bad dtypes, truncation) so the fuzzer starts at the edges.

usage: /usr/bin/python3 make-seeds.py DIR
"""
import json
import os
import struct
import sys


def file(header, data=b"", pad=True):
    h = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + data


def t(dtype, shape, b, e):
    return {"dtype": dtype, "shape": shape, "data_offsets": [b, e]}


def main(out):
    os.makedirs(out, exist_ok=True)
    f32 = struct.pack("<6f", 0, 0.5, 1, 1.5, 2, 2.5)
    meta = {"strata.format_version": "1", "strata.architecture": "seed",
            "strata.config": "{\"d\": 2}"}
    seeds = {
        "valid-f32": file({"__metadata__": meta, "w": t("F32", [2, 3], 0, 24)}, f32),
        "valid-multi": file({"a": t("F32", [2], 0, 8), "b": t("F16", [2, 2], 8, 16),
                             "c": t("BF16", [1], 16, 18), "s": t("F32", [], 18, 22),
                             "z": t("F32", [0, 4], 22, 22)}, bytes(range(22))),
        "valid-empty": file({}),
        "valid-meta-only": file({"__metadata__": meta}),
        "gap": file({"a": t("F32", [1], 0, 4), "b": t("F32", [1], 8, 12)}, bytes(12)),
        "overlap": file({"a": t("F32", [2], 0, 8), "b": t("F32", [2], 4, 12)}, bytes(12)),
        "dtype": file({"a": t("I64", [1], 0, 8)}, bytes(8)),
        "shape": file({"a": t("F32", [3], 0, 8)}, bytes(8)),
        "huge-shape": file({"a": t("F32", [2**62, 2**62], 0, 8)}, bytes(8)),
        "truncated": file({"w": t("F32", [2, 3], 0, 24)}, f32)[:-5],
        "trailing": file({"w": t("F32", [1], 0, 4)}, bytes(9)),
        "nested": file({"a": [[[[[[[1]]]]]]]}),
        "unpadded": file({"w": t("F32", [2, 3], 0, 24)}, f32, pad=False),
    }
    for name, blob in seeds.items():
        with open(os.path.join(out, name + ".safetensors"), "wb") as f:
            f.write(blob)


if __name__ == "__main__":
    main(sys.argv[1])
