#!/usr/bin/env node
// basic-pitch-run.js: Spotify's Basic Pitch (@spotify/basic-pitch, its
// shipped model) on one WAV file, the notes written as CSV
// (onset_s,offset_s,pitch,velocity), for Strata's transcription benchmark.
//
//   node basic-pitch-run.js [--backend wasm|cpu] [--onset-threshold P]
//        [--frame-threshold P] [--min-note-frames N] IN.wav OUT.csv
//
// The WAV (PCM 16/24/32-bit or float 32/64, any rate and channel count)
// is mixed to mono and resampled to the 22,050 Hz Basic Pitch expects
// (windowed-sinc, cut-off 0.95 of the lower Nyquist frequency). Notes are
// made with the library's outputToNotesPoly() defaults: onset threshold
// 0.5, frame threshold 0.3, minimum length 5 frames (58 ms), onsets
// inferred from the frame activations, the "melodia trick", energy
// tolerance 11 frames, no frequency limits. (The Python command line's
// default minimum is 127.7 ms = 11 frames; --min-note-frames 11 gives it.)
// Velocity is the note's amplitude x 127.
//
// On success the last line on stderr is
//   basic-pitch: N notes, A s of audio, backend B, load L s, resample R s, model M s, notes D s
// Exit status: 0, 1 on a bad input (the message names the file and the
// reason), 2 on bad usage. OUT.csv is written to a temporary name beside
// it and renamed, so a failed run leaves no half-written file.
//
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';

const fs = require('fs');
const path = require('path');

const MODEL_RATE = 22050;

class InputError extends Error {}

function usage(message) {
  process.stderr.write(`basic-pitch-run: ${message}\n` +
    'usage: basic-pitch-run.js [--backend wasm|cpu] [--onset-threshold P] ' +
    '[--frame-threshold P] [--min-note-frames N] IN.wav OUT.csv\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    backend: 'wasm',
    onsetThreshold: 0.5,
    frameThreshold: 0.3,
    minNoteFrames: 5,
    files: [],
  };
  const number = (name, value, lo, hi) => {
    const x = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(x) || x < lo || x > hi)
      usage(`${name} needs a number in [${lo}, ${hi}], not "${value ?? ''}"`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--backend') {
      opts.backend = argv[++i];
      if (opts.backend !== 'wasm' && opts.backend !== 'cpu')
        usage(`--backend is wasm or cpu, not "${opts.backend ?? ''}"`);
    } else if (a === '--onset-threshold') {
      opts.onsetThreshold = number(a, argv[++i], 0, 1);
    } else if (a === '--frame-threshold') {
      opts.frameThreshold = number(a, argv[++i], 0, 1);
    } else if (a === '--min-note-frames') {
      opts.minNoteFrames = Math.round(number(a, argv[++i], 0, 1000));
    } else if (a.startsWith('--')) {
      usage(`unknown option ${a}`);
    } else {
      opts.files.push(a);
    }
  }
  if (opts.files.length !== 2)
    usage('needs an input WAV and an output CSV');
  return opts;
}

// Reads a RIFF/WAVE file into one Float32Array per channel.
function readWav(file) {
  let buf;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new InputError(`${file}: cannot read: ${e.message}`);
  }
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' ||
      buf.toString('ascii', 8, 12) !== 'WAVE')
    throw new InputError(`${file}: not a WAV file (no RIFF/WAVE header)`);
  let fmt = null;
  let data = null;
  for (let pos = 12; pos + 8 <= buf.length;) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    const end = Math.min(body + size, buf.length);
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length)
        throw new InputError(`${file}: the fmt chunk is too short`);
      fmt = {
        tag: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        rate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
      if (fmt.tag === 0xfffe && size >= 26 && body + 26 <= buf.length)
        fmt.tag = buf.readUInt16LE(body + 24);   // WAVE_FORMAT_EXTENSIBLE's sub-format
    } else if (id === 'data') {
      data = buf.subarray(body, end);
    }
    pos = body + size + (size & 1);
  }
  if (!fmt)
    throw new InputError(`${file}: no fmt chunk`);
  if (!data)
    throw new InputError(`${file}: no data chunk`);
  if (fmt.channels < 1 || fmt.rate < 1)
    throw new InputError(`${file}: declares ${fmt.channels} channels at ${fmt.rate} Hz`);
  const isFloat = fmt.tag === 3;
  if (!(fmt.tag === 1 && [16, 24, 32].includes(fmt.bits)) &&
      !(isFloat && (fmt.bits === 32 || fmt.bits === 64)))
    throw new InputError(`${file}: unsupported sample format (tag ${fmt.tag}, ${fmt.bits} bits)`);
  const bytes = fmt.bits / 8;
  const n = Math.floor(data.length / (bytes * fmt.channels));
  const channels = [];
  for (let c = 0; c < fmt.channels; c++)
    channels.push(new Float32Array(n));
  for (let i = 0, off = 0; i < n; i++) {
    for (let c = 0; c < fmt.channels; c++, off += bytes) {
      let v;
      if (isFloat)
        v = bytes === 4 ? data.readFloatLE(off) : data.readDoubleLE(off);
      else if (bytes === 2)
        v = data.readInt16LE(off) / 32768;
      else if (bytes === 3)
        v = data.readIntLE(off, 3) / 8388608;
      else
        v = data.readInt32LE(off) / 2147483648;
      channels[c][i] = v;
    }
  }
  return { rate: fmt.rate, channels };
}

function mixToMono(channels) {
  if (channels.length === 1)
    return channels[0];
  const n = channels[0].length;
  const mono = new Float32Array(n);
  for (const ch of channels)
    for (let i = 0; i < n; i++)
      mono[i] += ch[i];
  for (let i = 0; i < n; i++)
    mono[i] /= channels.length;
  return mono;
}

// Band-limited resampling: each output sample is the input convolved with
// a Blackman-windowed sinc of 16 zero crossings a side (of the lower of the
// two rates), cut off at 0.95 of the lower Nyquist frequency. The kernel is
// tabulated at 1/512 of an input sample and interpolated linearly.
const KERNEL_STEPS = 512;

function resample(x, from, to) {
  if (from === to)
    return x;
  const ratio = to / from;
  const n = Math.floor(x.length * ratio);
  const y = new Float32Array(n);
  const cutoff = 0.95 * Math.min(1, ratio);        // in units of the input's Nyquist
  const halfWidth = 16 / cutoff;                    // in input samples
  const taps = Math.ceil(halfWidth);
  const table = new Float64Array(taps * KERNEL_STEPS + 2);   // zero past halfWidth
  for (let i = 0; i < table.length; i++) {
    const d = i / KERNEL_STEPS;
    if (d >= halfWidth)
      continue;
    const arg = Math.PI * cutoff * d;
    const sinc = d === 0 ? 1 : Math.sin(arg) / arg;
    const w = 0.42 + 0.5 * Math.cos(Math.PI * d / halfWidth) +
      0.08 * Math.cos(2 * Math.PI * d / halfWidth);
    table[i] = cutoff * sinc * w;
  }
  for (let j = 0; j < n; j++) {
    const t = j / ratio;                            // position in input samples
    const centre = Math.floor(t);
    const lo = Math.max(0, centre - taps + 1);
    const hi = Math.min(x.length - 1, centre + taps);
    let acc = 0;
    for (let k = lo; k <= hi; k++) {
      const pos = Math.abs(t - k) * KERNEL_STEPS;
      const i = Math.floor(pos);
      const f = pos - i;
      acc += x[k] * (table[i] + f * (table[i + 1] - table[i]));
    }
    y[j] = acc;
  }
  return y;
}

// The shipped graph model, read from the package folder (tf.loadGraphModel
// cannot read file:// URLs without tfjs-node).
async function loadModel(tf) {
  const dir = path.join(path.dirname(require.resolve('@spotify/basic-pitch/package.json')), 'model');
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const specs = [];
  const parts = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths)
      parts.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(parts);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
  }));
}

async function setBackend(tf, name) {
  if (name === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(dist + path.sep);
  }
  if (!(await tf.setBackend(name)))
    throw new Error(`the ${name} backend of TensorFlow.js does not start here`);
  await tf.ready();
  if (name === 'wasm') {
    // The graph's Fill ops reach the kernel without a dtype (the converter
    // passes none); the CPU kernel infers it from the value, the WASM one
    // (tfjs 3.21) fails with "Unknown dtype undefined". Infer it the same way.
    const fill = tf.getKernel('Fill', 'wasm');
    tf.unregisterKernel('Fill', 'wasm');
    tf.registerKernel({
      ...fill,
      kernelFunc: (args) => fill.kernelFunc({
        ...args,
        attrs: { ...args.attrs, dtype: args.attrs.dtype || tf.util.inferDtype(args.attrs.value) },
      }),
    });
  }
}

function writeCsvAtomically(file, notes) {
  const lines = ['onset_s,offset_s,pitch,velocity'];
  for (const n of notes) {
    const vel = Math.min(127, Math.max(1, Math.round(n.amplitude * 127)));
    lines.push(`${n.startTimeSeconds.toFixed(6)},` +
      `${(n.startTimeSeconds + n.durationSeconds).toFixed(6)},${n.pitchMidi},${vel}`);
  }
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, lines.join('\n') + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    try { fs.unlinkSync(tmp); } catch (_) { /* nothing to remove */ }
    throw new InputError(`${file}: cannot write: ${e.message}`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const [input, output] = opts.files;
  const secs = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

  let t0 = process.hrtime.bigint();
  const wav = readWav(input);
  // tfjs prints a hint about tfjs-node on stdout when it loads in Node.
  const log = console.log;
  console.log = () => {};
  const tf = require('@tensorflow/tfjs');
  const bp = require('@spotify/basic-pitch');
  await setBackend(tf, opts.backend);
  const model = await loadModel(tf);
  console.log = log;
  const load = secs(t0);

  t0 = process.hrtime.bigint();
  const audio = resample(mixToMono(wav.channels), wav.rate, MODEL_RATE);
  const resampling = secs(t0);

  t0 = process.hrtime.bigint();
  const frames = [];
  const onsets = [];
  const basicPitch = new bp.BasicPitch(Promise.resolve(model));
  await basicPitch.evaluateModel(audio, (f, o) => {
    frames.push(...f);
    onsets.push(...o);
  }, () => {});
  const inference = secs(t0);

  t0 = process.hrtime.bigint();
  let notes = [];
  if (frames.length > 0)
    notes = bp.noteFramesToTime(bp.outputToNotesPoly(frames, onsets, opts.onsetThreshold,
                                                     opts.frameThreshold, opts.minNoteFrames));
  notes.sort((a, b) => a.startTimeSeconds - b.startTimeSeconds || a.pitchMidi - b.pitchMidi);
  const decoding = secs(t0);

  writeCsvAtomically(output, notes);
  process.stderr.write(`basic-pitch: ${notes.length} notes, ` +
    `${(audio.length / MODEL_RATE).toFixed(2)} s of audio, backend ${tf.getBackend()}, ` +
    `load ${load.toFixed(3)} s, resample ${resampling.toFixed(3)} s, ` +
    `model ${inference.toFixed(3)} s, notes ${decoding.toFixed(3)} s\n`);
}

main().catch((e) => {
  process.stderr.write(`basic-pitch-run: ${e instanceof InputError ? '' : 'error: '}${e.message}\n`);
  process.exit(1);
});
