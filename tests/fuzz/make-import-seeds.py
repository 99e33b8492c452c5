#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the seed corpus of one of the import/writer fuzzers into DIR.

  audio  tiny audio files: WAV (8/16/24/32-bit, float, WAVE_FORMAT_EXTENSIBLE
         with a 5.1 channel mask, 8 kHz mono), AIFF, AU, and FLAC, Ogg Vorbis
         and MP3 encoded by gst-launch-1.0 when it is there; plus cut copies
  npz    recipes for fuzz-npz (array count, names, dtypes, shapes, data)
  smf    recipes for fuzz-smf (composer choices, or a piece spelled out)

usage: /usr/bin/python3 make-import-seeds.py KIND DIR
"""
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile


def tone(n, channels, scale, fmt):
    frames = []
    for i in range(n):
        v = math.sin(2 * math.pi * 440 * i / 8000.0) * 0.5
        for c in range(channels):
            frames.append(struct.pack(fmt, scale(v * (1 - 0.1 * c))))
    return b"".join(frames)


def riff_wav(rate, channels, bits, data, float_fmt=False, mask=None):
    block = channels * bits // 8
    if mask is None:
        tag = 3 if float_fmt else 1
        fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    else:
        sub = bytes.fromhex("0100000000001000800000aa00389b71")
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * block, block, bits,
                          22, bits, mask) + sub
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def aiff(rate, channels, data_be16, n):
    # 80-bit extended sample rate
    e = 16383 + 31
    m = rate << (31 - int(math.log2(rate)))
    ext = struct.pack(">HQ", e - (31 - int(math.log2(rate))), m << 32)
    comm = struct.pack(">hIh", channels, n, 16) + ext
    ssnd = struct.pack(">II", 0, 0) + data_be16
    body = b"AIFF" + b"COMM" + struct.pack(">I", len(comm)) + comm
    body += b"SSND" + struct.pack(">I", len(ssnd)) + ssnd
    return b"FORM" + struct.pack(">I", len(body)) + body


def audio_seeds(out):
    n = 400
    s16 = lambda v: int(v * 32767)
    seeds = {
        "pcm16.wav": riff_wav(44100, 2, 16, tone(n, 2, s16, "<h")),
        "pcm8-mono-8k.wav": riff_wav(8000, 1, 8, tone(n, 1, lambda v: int(v * 127) + 128, "<B")),
        "pcm24.wav": riff_wav(48000, 2, 24, b"".join(
            struct.pack("<i", int(v * 8e6))[:3] for v in
            [math.sin(i / 5.0) for i in range(2 * n)])),
        "pcm32.wav": riff_wav(44100, 1, 32, tone(n, 1, lambda v: int(v * 2e9), "<i")),
        "float.wav": riff_wav(44100, 2, 32, tone(n, 2, float, "<f"), float_fmt=True),
        "float-nan.wav": riff_wav(44100, 1, 32, struct.pack("<4f", float("nan"), float("inf"),
                                                             -float("inf"), 1e30), float_fmt=True),
        "wavex-5.1.wav": riff_wav(44100, 6, 16, tone(64, 6, s16, "<h"), mask=0x3F),
        "header-only.wav": riff_wav(44100, 2, 16, b"")[:44],
        "aiff.aiff": aiff(44100, 2, tone(n, 2, s16, ">h"), n),
        "au.au": struct.pack(">4sIIIII", b".snd", 24, 2 * n, 3, 44100, 1) + tone(n, 1, s16, ">h"),
    }
    gst = shutil.which("gst-launch-1.0")
    if gst:
        encoders = {"flac": "flacenc", "ogg": "vorbisenc ! oggmux", "mp3": "lamemp3enc"}
        with tempfile.TemporaryDirectory() as tmp:
            for ext, enc in encoders.items():
                path = os.path.join(tmp, "t." + ext)
                cmd = (f"{gst} -q audiotestsrc num-buffers=4 samplesperbuffer=1024 ! "
                       f"audio/x-raw,rate=44100,channels=2 ! audioconvert ! {enc} ! "
                       f"filesink location={path}")
                try:
                    subprocess.run(cmd, shell=True, check=True, timeout=30,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    with open(path, "rb") as f:
                        data = f.read()
                except (subprocess.SubprocessError, OSError):
                    continue
                if data:
                    seeds["tone." + ext] = data
                    seeds["cut-half." + ext] = data[:len(data) // 2]
                    seeds["cut-100." + ext] = data[:100]
    for name, blob in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(blob)


def npz_seeds(out):
    seeds = {
        "empty": b"\x00",
        "one-f32": bytes([1, 5, 0x61, 0x62, 0x63, 0x64, 0x65, 0, 2, 2, 3]) + bytes(range(24)),
        "f64-and-i32": bytes([2, 3, 0x78, 0x79, 0x7a, 1, 1, 4, 2, 1, 2, 2]) + bytes(range(64)),
        "scalar": bytes([1, 1, 0x73, 2, 0, 1, 2, 3, 4]),
        "zero-dim": bytes([1, 1, 0x7a, 0, 2, 0, 5]),
        "strings": bytes([1, 3, 0x76, 0x65, 0x72, 3, 2, 3]) + "vé€".encode() + b"\x04ab\xffc",
        "many": bytes([16] + [1, 1, 0x41, 0, 1, 1] * 16),
    }
    for name, blob in seeds.items():
        with open(os.path.join(out, name + ".recipe"), "wb") as f:
            f.write(blob)


def smf_seeds(out):
    seeds = {}
    for style in range(4):
        seeds[f"compose-{style}"] = bytes([0, style]) + struct.pack(">Q", 1000 + style) + \
            bytes([8, 0, 0, 0])
    seeds["compose-demo-solo"] = bytes([0, 1]) + struct.pack(">Q", 7) + bytes([20, 1, 5, 30])
    part = bytes([4, 0x62, 0x61, 0x73, 0x73, 1, 33, 100, 40, 10])
    note = struct.pack(">I", 0) + struct.pack(">H", 479) + bytes([40, 100, 0])
    late = struct.pack(">I", 0xFFFFFF00) + struct.pack(">H", 65535) + bytes([127, 127, 0])
    seeds["spelled"] = bytes([1, 0x07, 0x80, 3, 0, 4, 1, 1]) + part + bytes([2]) + note + note
    seeds["spelled-late"] = bytes([1, 0x00, 0x01, 4, 1, 9, 2, 2]) + part + part + bytes([2]) + \
        note + late
    for name, blob in seeds.items():
        with open(os.path.join(out, name + ".recipe"), "wb") as f:
            f.write(blob)


def main(kind, out):
    os.makedirs(out, exist_ok=True)
    {"audio": audio_seeds, "npz": npz_seeds, "smf": smf_seeds}[kind](out)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("audio", "npz", "smf"):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
