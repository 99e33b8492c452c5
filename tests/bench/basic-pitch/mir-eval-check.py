#!/usr/bin/python3
# mir-eval-check.py: scores the notes bench-basic-pitch wrote out again
# with mir_eval (python3-mir-eval) and prints how far Strata's scorer
# (strata_transcription_evaluate) is from it.
#
#   /usr/bin/python3 mir-eval-check.py DIR
#
# DIR holds scores.csv (piece,system,note_p,note_r,note_f1,offset_p,
# offset_r,offset_f1: the C figures) and, for each piece, PIECE.ref.csv and
# PIECE.SYSTEM.csv (onset_s,offset_s,pitch,velocity). The note scores are
# mir_eval.transcription.precision_recall_f1_overlap with onset tolerance
# 50 ms and pitch tolerance 50 cents, without offsets (offset_ratio=None)
# and with them (offset_ratio 0.2, offset_min_tolerance 50 ms).
# Exit status 0 when every figure agrees within 1e-6, 1 otherwise, 2 on
# bad usage or unreadable files.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import csv
import os
import sys

TOLERANCE = 1e-6


def read_notes(path):
    intervals, pitches = [], []
    with open(path, newline='') as f:
        for row in csv.DictReader(f):
            intervals.append([float(row['onset_s']), float(row['offset_s'])])
            pitches.append(int(row['pitch']))
    return intervals, pitches


def main(argv):
    if len(argv) != 2:
        print('usage: mir-eval-check.py DIR', file=sys.stderr)
        return 2
    try:
        import numpy as np
        import mir_eval
    except ImportError as e:
        print(f'  mir_eval not available ({e}); install python3-mir-eval')
        return 2
    folder = argv[1]

    def as_arrays(notes):
        intervals, pitches = notes
        iv = np.array(intervals, dtype=float).reshape(-1, 2)
        hz = mir_eval.util.midi_to_hz(np.array(pitches, dtype=float))
        return iv, hz

    worst = 0.0
    count = 0
    print(f'  {"piece":<18} {"system":<12} {"note F1 C / mir_eval":<24} '
          f'{"note+offset F1 C / mir_eval":<28}')
    try:
        with open(os.path.join(folder, 'scores.csv'), newline='') as f:
            rows = list(csv.DictReader(f))
        for row in rows:
            piece, system = row['piece'], row['system']
            ref = as_arrays(read_notes(os.path.join(folder, f'{piece}.ref.csv')))
            est = as_arrays(read_notes(os.path.join(folder, f'{piece}.{system}.csv')))
            on = mir_eval.transcription.precision_recall_f1_overlap(
                ref[0], ref[1], est[0], est[1], onset_tolerance=0.05,
                pitch_tolerance=50.0, offset_ratio=None)
            off = mir_eval.transcription.precision_recall_f1_overlap(
                ref[0], ref[1], est[0], est[1], onset_tolerance=0.05,
                pitch_tolerance=50.0, offset_ratio=0.2, offset_min_tolerance=0.05)
            mine = [float(row[k]) for k in ('note_p', 'note_r', 'note_f1',
                                            'offset_p', 'offset_r', 'offset_f1')]
            theirs = list(on[:3]) + list(off[:3])
            for a, b in zip(mine, theirs):
                worst = max(worst, abs(a - b))
                count += 1
            print(f'  {piece:<18} {system:<12} {mine[2]:.4f} / {theirs[2]:.4f}'
                  f'{"":<9} {mine[5]:.4f} / {theirs[5]:.4f}')
    except (OSError, KeyError, ValueError) as e:
        print(f'  mir-eval-check.py: {folder}: {e}')
        return 2
    agree = worst <= TOLERANCE
    print(f'  agreement: {count} figures (P, R, F1 with and without offsets), largest '
          f'difference {worst:.2e}: {"agree" if agree else "DISAGREE"} (tolerance {TOLERANCE:g})')
    return 0 if agree else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
