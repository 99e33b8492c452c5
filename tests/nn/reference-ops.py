#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference forward passes in numpy, written from the PyTorch definitions
(torch.nn.Linear, Conv1d, ConvTranspose1d, LayerNorm, GELU(tanh),
MultiheadAttention-style causal local attention, GRU), independently of
the C code. The core/nn test writes IN (inputs, and the hyper-parameters
as JSON in __metadata__["config"]); this script writes OUT with one
reference output per op. Layout: sequences are (B, T, C) as in Strata.

usage: /usr/bin/python3 reference-ops.py IN OUT
"""
import json
import math
import struct
import sys

import numpy as np


def read(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n:]
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        assert e["dtype"] == "F32"
        out[name] = np.frombuffer(data[b:end], dtype="<f4").reshape(e["shape"]).astype(np.float64)
    return out, meta


def write(path, tensors):
    header, blobs, pos = {}, [], 0
    for name, arr in tensors.items():
        b = np.ascontiguousarray(arr, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [pos, pos + len(b)]}
        blobs.append(b)
        pos += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def conv1d(x, w, b, stride, dil, pad):
    # x (B,T,Ci), w (Co,Ci,K): y[b,t,o] = b[o] + sum_{i,k} w[o,i,k] x[b, t*s - p + k*d, i]
    B, T, Ci = x.shape
    Co, _, K = w.shape
    To = (T + 2 * pad - dil * (K - 1) - 1) // stride + 1
    y = np.tile(b, (B, To, 1))
    for t in range(To):
        for k in range(K):
            s = t * stride - pad + k * dil
            if 0 <= s < T:
                y[:, t, :] += x[:, s, :] @ w[:, :, k].T
    return y


def conv_transpose1d(x, w, b, stride, dil, pad, opad):
    # x (B,T,Ci), w (Ci,Co,K): y[b, t*s - p + k*d, o] += sum_i x[b,t,i] w[i,o,k]
    B, T, Ci = x.shape
    _, Co, K = w.shape
    To = (T - 1) * stride - 2 * pad + dil * (K - 1) + 1 + opad
    y = np.tile(b, (B, To, 1))
    for t in range(T):
        for k in range(K):
            s = t * stride - pad + k * dil
            if 0 <= s < To:
                y[:, s, :] += x[:, t, :] @ w[:, :, k]
    return y


def conv2d(x, w, b, st, sf, dt, df, pt, pf):
    # x (B,T,F,Ci), w (Co,Ci,KT,KF): torch.nn.Conv2d with (T, F) as (H, W)
    B, T, F, Ci = x.shape
    Co, _, KT, KF = w.shape
    To = (T + 2 * pt - dt * (KT - 1) - 1) // st + 1
    Fo = (F + 2 * pf - df * (KF - 1) - 1) // sf + 1
    y = np.tile(b, (B, To, Fo, 1))
    for to in range(To):
        for fo in range(Fo):
            for kt in range(KT):
                for kf in range(KF):
                    t, f = to * st - pt + kt * dt, fo * sf - pf + kf * df
                    if 0 <= t < T and 0 <= f < F:
                        y[:, to, fo, :] += x[:, t, f, :] @ w[:, :, kt, kf].T
    return y


def layernorm(x, w, b, eps=1e-5):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * w + b


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def gelu_erf(x):
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def attention(qkv, H, window):
    B, T, C3 = qkv.shape
    C = C3 // 3
    D = C // H
    out = np.zeros((B, T, C))
    for b in range(B):
        for h in range(H):
            q = qkv[b, :, h * D:(h + 1) * D]
            k = qkv[b, :, C + h * D:C + (h + 1) * D]
            v = qkv[b, :, 2 * C + h * D:2 * C + (h + 1) * D]
            s = q @ k.T / np.sqrt(D)
            t = np.arange(T)
            mask = (t[None, :] <= t[:, None]) & (t[None, :] > t[:, None] - window)
            s = np.where(mask, s, -np.inf)
            p = np.exp(s - s.max(-1, keepdims=True))
            p /= p.sum(-1, keepdims=True)
            out[b, :, h * D:(h + 1) * D] = p @ v
    return out


def gru(x, h0, w_ih, w_hh, b_ih, b_hh, reverse):
    B, T, _ = x.shape
    Hd = h0.shape[1]
    sig = lambda a: 1 / (1 + np.exp(-a))
    h = h0.copy()
    out = np.zeros((B, T, Hd))
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        gi = x[:, t, :] @ w_ih.T + b_ih
        gh = h @ w_hh.T + b_hh
        r = sig(gi[:, :Hd] + gh[:, :Hd])
        z = sig(gi[:, Hd:2 * Hd] + gh[:, Hd:2 * Hd])
        n = np.tanh(gi[:, 2 * Hd:] + r * gh[:, 2 * Hd:])
        h = (1 - z) * n + z * h
        out[:, t, :] = h
    return out


def main(inp, outp):
    t, meta = read(inp)
    c = json.loads(meta["config"])
    out = {
        "linear": t["lin.x"] @ t["lin.w"].T + t["lin.b"],
        "conv1d": conv1d(t["conv.x"], t["conv.w"], t["conv.b"], *c["conv"]),
        "conv_transpose1d": conv_transpose1d(t["convt.x"], t["convt.w"], t["convt.b"], *c["convt"]),
        "conv2d": conv2d(t["conv2d.x"], t["conv2d.w"], t["conv2d.b"], *c["conv2d"]),
        "layernorm": layernorm(t["ln.x"], t["ln.w"], t["ln.b"]),
        "gelu": gelu(t["ln.x"]),
        "gelu_erf": gelu_erf(t["ln.x"]),
        "attention": attention(t["attn.qkv"], c["heads"], c["window"]),
        "gru": gru(t["gru.x"], t["gru.h0"], t["gru.w_ih"], t["gru.w_hh"], t["gru.b_ih"], t["gru.b_hh"], False),
        "gru_reverse": gru(t["gru.x"], t["gru.h0"], t["gru.w_ih"], t["gru.w_hh"], t["gru.b_ih"], t["gru.b_hh"], True),
    }
    write(outp, out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
