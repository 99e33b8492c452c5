/* strata-compose-styles.c: the styles of the composition generator.
 *
 * Each style is data: tempo range, metre, modes, chord progressions, drum
 * patterns for verse and chorus, a bass figure, one or two comping parts and
 * the GM programs each part draws from (several a family, so a model cannot
 * learn one patch). The notation is described in strata-compose-private.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "corpus/strata-compose-private.h"

static const StrataStyle styles[] = {
  {
    .name = "pop", .bpm_min = 96, .bpm_max = 124, .meter = 4,
    .modes = "major major minor",
    .verse_progs = { "1 5 6 4", "6 4 1 5", "1 6 4 5", "1 3 4 4,5", NULL },
    .chorus_progs = { "4 1 5 6", "1 5 6 4", "4 5 3 6", "6 4 1 5", NULL },
    .kick  = { "x.......x.x.....", "x.....x.x.x....." },
    .snare = { "....x.......x...", "....X.......X..." },
    .hat   = { "x.x.x.x.x.x.x.x.", "x.x.x.x.x.x.x.xO" },
    .extra = { NULL, "....x.......x..." },
    .snare_key = 38, .hat_key = { 42, 42 }, .extra_key = 54,
    .kits = "0 8 16", .fill = FILL_TOMS,
    .bass = { "R-----r-R---5-r-", "R-r-R-r-R-r-R-8-" },
    .bass_programs = "33 34 33 38", .bass_legato = 0.85f,
    .comp = {
      { COMP_BLOCK, { "x-----x-----x---", "x-x-x-x-x-x-x-x-" }, "0 1 2 4 5", 64, 4, 0.9f, 0.80f },
      { COMP_STRUM, { "x---x---x---x-u-", "x-x-u-x-u-x-u-x-" }, "24 25 26 27", 60, 5, 0.9f, 0.70f },
    },
    .lead_programs = "73 65 80 81 11 56 71", .vocal_programs = "52 53 54 85",
    .vocal_prob = 0.4f, .lead_density = 0.5f, .lead_center = 72,
    .human_ms = 6, .human_vel = 6, .reverb_min = 0.3f, .reverb_max = 0.7f,
  },
  {
    .name = "rock", .bpm_min = 100, .bpm_max = 140, .meter = 4,
    .modes = "major mixolydian minor",
    .verse_progs = { "1 1 4 4", "1 b7M 4 1", "1 4 5 4", "6 4 1 5", NULL },
    .chorus_progs = { "4 1 5 5", "1 4 5 4", "1 b7M 4 4", "4 5 6 6", NULL },
    .kick  = { "x.....x.x.x.....", "x.x...x.x.x...x." },
    .snare = { "....X.......X...", "....X.......X..." },
    .hat   = { "x.x.x.x.x.x.x.x.", "x.x.x.x.x.x.x.x." },
    .extra = { NULL, NULL },
    .snare_key = 38, .hat_key = { 42, 51 }, .extra_key = 0,
    .kits = "0 8 16", .fill = FILL_TOMS,
    .bass = { "R-r-r-r-R-r-r-r-", "R-r-r-r-R-r-5-8-" },
    .bass_programs = "33 34 35 34", .bass_legato = 0.8f,
    .comp = {
      { COMP_POWER, { "x-x-x-x-x-x-x-x-", "x-x-x-x-x-x-x-x-" }, "29 30 29", 52, 3, 0.85f, 0.85f },
      { COMP_BLOCK, { "x---------------", "x-------x-------" }, "0 16 17 18 1", 62, 4, 1.0f, 0.65f },
    },
    .lead_programs = "29 30 27 81 62 56", .vocal_programs = "52 53 85",
    .vocal_prob = 0.35f, .lead_density = 0.55f, .lead_center = 71,
    .human_ms = 7, .human_vel = 8, .reverb_min = 0.2f, .reverb_max = 0.6f,
    .gain_db = { 1, 0, 2, -1, 0, 0 },
  },
  {
    .name = "funk", .bpm_min = 92, .bpm_max = 114, .meter = 4, .swing = 0.12f, .swing16 = TRUE,
    .modes = "dorian mixolydian", .sevenths = TRUE,
    .verse_progs = { "1n 1n 4 4", "1n 4 1n 4", "17 17 47 17", NULL },
    .chorus_progs = { "4 4 1n 1n", "4 5 1n 1n", "47 47 17 5", NULL },
    .kick  = { "x..x..x...x..x..", "x..x..x.x.x..x.." },
    .snare = { "....x..o.o..x..o", "....X..o.o..X..o" },
    .hat   = { "XxXxXxXxXxXxXxXx", "XxXxXxXxXxXxXOXx" },
    .extra = { NULL, "x...x...x...x..." },
    .snare_key = 38, .hat_key = { 42, 42 }, .extra_key = 54,
    .kits = "0 8 24", .fill = FILL_TOMS,
    .bass = { "R..r.8.r..r5.r.8", "R..r.8.r.3r5.r.8" },
    .bass_programs = "33 36 37 38 39", .bass_legato = 0.5f,
    .comp = {
      { COMP_BLOCK, { "..x...x...x..x..", "..x.x.x...x.xx.." }, "27 28 26", 64, 3, 0.35f, 0.75f },
      { COMP_BLOCK, { "x.....x.....x...", "x..x..x...x....." }, "7 4 5 16 17", 62, 4, 0.5f, 0.70f },
    },
    .lead_programs = "65 66 56 61 81 17", .vocal_programs = "53 54 85",
    .vocal_prob = 0.3f, .lead_density = 0.7f, .lead_center = 70,
    .human_ms = 4, .human_vel = 8, .reverb_min = 0.1f, .reverb_max = 0.4f,
    .gain_db = { 0, 2, 0, 0, 0, 0 },
  },
  {
    .name = "jazz", .bpm_min = 116, .bpm_max = 176, .meter = 4, .swing = 0.3f,
    .modes = "major minor", .sevenths = TRUE,
    .verse_progs = { "2n 57 1j 1j", "1j 6n 2n 57", "3n 6n 2n 57", NULL },
    .chorus_progs = { "4j 47 3n 6n", "2n 57 3n 67", "1j 4j 2n 57", NULL },
    .kick  = { "o.......o.......", "o...o...o...o..." },
    .snare = { "..........o.....", "......o.....o..o" },
    .hat   = { "x...x.x.x...x.x.", "x...X.x.x...X.x." },
    .extra = { "....x.......x...", "....x.......x..." },
    .snare_key = 38, .hat_key = { 51, 51 }, .extra_key = 44,
    .kits = "32 40 0", .fill = FILL_JAZZ,
    .bass = { NULL, NULL },
    .bass_programs = "32 33 32", .bass_legato = 0.9f,
    .comp = {
      { COMP_BLOCK, { "x.....x.........", "x.....x.....x..." }, "0 1 4", 62, 4, 0.45f, 0.65f },
      { COMP_BLOCK, { "x...x...x...x...", "x...x...x...x..." }, "26 25 24", 58, 3, 0.4f, 0.55f },
    },
    .lead_programs = "65 66 64 56 57 11 73 26", .vocal_programs = "53 52",
    .vocal_prob = 0.2f, .lead_density = 0.7f, .lead_center = 70,
    .human_ms = 10, .human_vel = 8, .reverb_min = 0.3f, .reverb_max = 0.7f,
    .gain_db = { -3, 1, 0, 1, 0, 0 },
  },
  {
    .name = "bossa", .bpm_min = 118, .bpm_max = 144, .meter = 4,
    .modes = "major minor", .sevenths = TRUE,
    .verse_progs = { "1j 1j 2n 57", "1j 67 2n 57", "2n 57 1j 6n", NULL },
    .chorus_progs = { "4j 4j 3n 67", "2n 57 1j 1j", "4j 47 3n 6n", NULL },
    .kick  = { "x..xx..xx..xx..x", "x..xx..xx..xx..x" },
    .snare = { "x..x..x...x..x..", "x..x..x...x..x.." },
    .hat   = { "o.o.o.o.o.o.o.o.", "x.x.x.x.x.x.x.x." },
    .extra = { "xxxxxxxxxxxxxxxx", "xxxxxxxxxxxxxxxx" },
    .snare_key = 37, .hat_key = { 42, 42 }, .extra_key = 70,
    .kits = "0 32 40", .fill = FILL_LATIN,
    .bass = { "R-----5-R-----5-", "R-----5-R-----5-" },
    .bass_programs = "32 33 35", .bass_legato = 0.9f,
    .comp = {
      { COMP_BLOCK, { "x..x..x...x..x..", "x..x..x...x..x.." }, "24 25", 58, 4, 0.6f, 0.65f },
      { COMP_PAD, { "x---------------", "x-------x-------" }, "48 49 4 89", 64, 4, 1.0f, 0.55f },
    },
    .lead_programs = "73 65 66 11 71 22", .vocal_programs = "53 52 54",
    .vocal_prob = 0.35f, .lead_density = 0.45f, .lead_center = 71,
    .human_ms = 8, .human_vel = 6, .reverb_min = 0.3f, .reverb_max = 0.7f,
    .gain_db = { -2, 0, 1, 0, 0, 0 },
  },
  {
    .name = "waltz", .bpm_min = 132, .bpm_max = 176, .meter = 3,
    .modes = "major minor",
    .verse_progs = { "1 1 5 5", "1 4 5 1", "1 6 2 5", NULL },
    .chorus_progs = { "4 1 5 1", "6 2 5 1", "4 4 1 5", NULL },
    .kick  = { "x...........", "x..........." },
    .snare = { "....o...o...", "....x...x..." },
    .hat   = { "x...x...x...", "x...x...x..." },
    .extra = { NULL, NULL },
    .snare_key = 38, .hat_key = { 42, 51 }, .extra_key = 0,
    .kits = "40 32 0", .fill = FILL_JAZZ,
    .bass = { "R-----------", "R-------5---" },
    .bass_programs = "32 33 58 43", .bass_legato = 0.7f,
    .comp = {
      { COMP_BLOCK, { "....x...x...", "....x...x..." }, "0 1 21 6", 64, 3, 0.6f, 0.6f },
      { COMP_PAD, { "x-----------", "x-----------" }, "48 49 21 19 52", 67, 3, 1.0f, 0.5f },
    },
    .lead_programs = "40 73 71 21 22 68 41", .vocal_programs = "52 53",
    .vocal_prob = 0.3f, .lead_density = 0.45f, .lead_center = 72,
    .human_ms = 10, .human_vel = 8, .reverb_min = 0.4f, .reverb_max = 0.8f,
  },
  {
    .name = "ballad", .bpm_min = 84, .bpm_max = 104, .meter = 6,
    .modes = "major minor major",
    .verse_progs = { "1 5 6 4", "1 3 4 5", "6 4 1 5", NULL },
    .chorus_progs = { "4 5 1 6", "4 1 5 5", "6 4 1 5", NULL },
    .kick  = { "x.........x.", "x.....x...x." },
    .snare = { "......x.....", "......X....." },
    .hat   = { "x.x.x.x.x.x.", "x.x.x.x.x.x." },
    .extra = { NULL, NULL },
    .snare_key = 38, .hat_key = { 42, 51 }, .extra_key = 0,
    .kits = "0 8 40", .fill = FILL_TOMS,
    .bass = { "R-----r-----", "R-----5---r-" },
    .bass_programs = "33 32 35", .bass_legato = 0.95f,
    .comp = {
      { COMP_ARP, { "x.x.x.x.x.x.", "x.x.x.x.x.x." }, "0 1 4 2 46", 64, 4, 1.6f, 0.6f },
      { COMP_PAD, { "x-----------", "x-----x-----" }, "48 49 50 88 89 19", 62, 4, 1.0f, 0.5f },
    },
    .lead_programs = "40 73 68 71 27 60 11", .vocal_programs = "52 53 54",
    .vocal_prob = 0.5f, .lead_density = 0.3f, .lead_center = 70,
    .human_ms = 10, .human_vel = 7, .reverb_min = 0.5f, .reverb_max = 0.9f,
    .gain_db = { -2, 0, 0, 1, 2, 0 },
  },
  {
    .name = "reggae", .bpm_min = 70, .bpm_max = 92, .meter = 4, .swing = 0.1f,
    .modes = "major minor dorian",
    .verse_progs = { "1 4 1 4", "1 1 4 5", "1n 4 1n 4", NULL },
    .chorus_progs = { "4 1 5 1", "4 5 1 1", "6 4 1 5", NULL },
    .kick  = { "........X.......", "x.......X......." },
    .snare = { "........x.......", "........X......." },
    .hat   = { "x.x.x.x.x.x.x.x.", "x.x.x.x.x.xxx.x." },
    .extra = { NULL, NULL },
    .snare_key = 37, .hat_key = { 42, 42 }, .extra_key = 0,
    .kits = "0 8", .fill = FILL_TOMS,
    .bass = { "R--r..5.R--.3...", "R--r..5.R--.3.a." },
    .bass_programs = "33 34 38", .bass_legato = 0.75f,
    .comp = {
      { COMP_BLOCK, { "....x.......x...", "....x.......x..." }, "27 28 26", 64, 3, 0.3f, 0.75f },
      { COMP_BLOCK, { "..x...x...x...x.", "..x.xx..x.x.x.xx" }, "16 17 18", 60, 3, 0.35f, 0.55f },
    },
    .lead_programs = "22 65 56 57 11", .vocal_programs = "53 52 54",
    .vocal_prob = 0.4f, .lead_density = 0.45f, .lead_center = 69,
    .human_ms = 6, .human_vel = 6, .reverb_min = 0.3f, .reverb_max = 0.7f,
    .gain_db = { 0, 3, 0, 0, 0, 0 },
  },
  {
    .name = "electronic", .bpm_min = 118, .bpm_max = 130, .meter = 4,
    .modes = "minor dorian minor",
    .verse_progs = { "1 6 7 7", "1 1 6 7", "1 4 6 5", NULL },
    .chorus_progs = { "6 7 1 1", "4 5 1 1", "6 4 1 7", NULL },
    .kick  = { "x...x...x...x...", "x...x...x...x..." },
    .snare = { "....x.......x...", "....x.......x..." },
    .hat   = { "..O...O...O...O.", "xxOxxxOxxxOxxxOx" },
    .extra = { NULL, "....x.......x..." },
    .snare_key = 39, .hat_key = { 42, 42 }, .extra_key = 40,
    .kits = "24 25 0", .fill = FILL_ROLL,
    .bass = { "..r...r...r...r.", "r.8.r.8.r.8.r.8." },
    .bass_programs = "38 39 38 33", .bass_legato = 0.6f,
    .comp = {
      { COMP_PAD, { "x---------------", "x---------------" }, "88 89 90 91 94 95", 64, 4, 1.0f, 0.55f },
      { COMP_ARP, { "x.x.x.x.x.x.x.x.", "xxxxxxxxxxxxxxxx" }, "80 81 82 84 87", 67, 4, 0.5f, 0.6f },
    },
    .lead_programs = "80 81 84 86 82", .vocal_programs = "54 85 53",
    .vocal_prob = 0.3f, .lead_density = 0.55f, .lead_center = 72,
    .human_ms = 0, .human_vel = 3, .reverb_min = 0.3f, .reverb_max = 0.8f,
    .gain_db = { 1, 2, 0, 0, 0, 1 },
  },
  {
    .name = "country", .bpm_min = 100, .bpm_max = 132, .meter = 4, .swing = 0.08f,
    .modes = "major",
    .verse_progs = { "1 1 4 1", "1 4 5 1", "1 5 4 1", NULL },
    .chorus_progs = { "4 1 5 1", "4 4 1 5", "1 4 1 5", NULL },
    .kick  = { "x.......x.......", "x.......x.x....." },
    .snare = { "....x.......x...", "....X.......X..." },
    .hat   = { "x.x.x.x.x.x.x.x.", "x.x.x.x.x.x.x.x." },
    .extra = { NULL, NULL },
    .snare_key = 38, .hat_key = { 42, 42 }, .extra_key = 0,
    .kits = "0 8", .fill = FILL_TOMS,
    .bass = { "R-------5-------", "R---5---R---5---" },
    .bass_programs = "33 32 34", .bass_legato = 0.7f,
    .comp = {
      { COMP_STRUM, { "x---x-u-x---x-u-", "x-u-x-u-x-u-x-u-" }, "25 24 25", 60, 5, 0.9f, 0.7f },
      { COMP_BLOCK, { "....x.......x...", "....x.......x..." }, "3 0 1 105", 66, 3, 0.5f, 0.6f },
    },
    .lead_programs = "110 22 105 27 26", .vocal_programs = "52 53",
    .vocal_prob = 0.3f, .lead_density = 0.55f, .lead_center = 71,
    .human_ms = 8, .human_vel = 7, .reverb_min = 0.2f, .reverb_max = 0.6f,
    .gain_db = { 0, 0, 2, 0, 0, 0 },
  },
  {
    .name = "metal", .bpm_min = 132, .bpm_max = 176, .meter = 4,
    .modes = "minor minor dorian",
    .verse_progs = { "1 1 6 7", "1 b2M 1 7", "1 6 4 5", NULL },
    .chorus_progs = { "6 7 1 1", "4 5 6 6", "1 7 6 7", NULL },
    .kick  = { "x.x.x.x.x.x.x.x.", "xxxxxxxxxxxxxxxx" },
    .snare = { "....X.......X...", "....X.......X..." },
    .hat   = { "x.x.x.x.x.x.x.x.", "x...x...x...x..." },
    .extra = { NULL, NULL },
    .snare_key = 38, .hat_key = { 42, 49 }, .extra_key = 0,
    .kits = "16 0 8", .fill = FILL_TOMS,
    .bass = { "r.r.r.r.r.r.r.r.", "R---r---R---r---" },
    .bass_programs = "34 33 35", .bass_legato = 0.8f,
    .comp = {
      { COMP_POWER, { "x.x.x.x.x.x.x.x.", "x-------x-------" }, "30 29 30", 47, 3, 0.7f, 0.9f },
      { COMP_PAD, { "x---------------", "x---------------" }, "48 19 50 52 91", 64, 4, 1.0f, 0.45f },
    },
    .lead_programs = "30 29 81 84", .vocal_programs = "52 85",
    .vocal_prob = 0.25f, .lead_density = 0.6f, .lead_center = 69,
    .human_ms = 4, .human_vel = 6, .reverb_min = 0.2f, .reverb_max = 0.5f,
    .gain_db = { 1, 0, 3, 0, 0, -1 },
  },
  {
    .name = "chamber", .bpm_min = 72, .bpm_max = 112, .meter = 3,
    .modes = "major minor",
    .verse_progs = { "1 4 5 1", "1 6 2 5", "1 5 6 3", NULL },
    .chorus_progs = { "4 5 3 6", "2 5 1 1", "6 2 5 1", NULL },
    .kick = { NULL, NULL },
    .snare_key = 0, .hat_key = { 0, 0 }, .extra_key = 0, .kits = "0", .fill = FILL_NONE,
    .bass = { "R-----------", "R---5---r---" },
    .bass_programs = "42 43 70 58", .bass_legato = 0.9f,
    .comp = {
      { COMP_ARP, { "x.x.x.x.x.x.", "x.x.x.x.x.x." }, "46 0 6 48", 62, 4, 1.4f, 0.55f },
      { COMP_PAD, { "x-----------", "x-----------" }, "48 49 41 61 69", 60, 3, 1.0f, 0.45f },
    },
    .lead_programs = "40 73 68 71 60 41 74", .vocal_programs = "52 53",
    .vocal_prob = 0.3f, .lead_density = 0.45f, .lead_center = 74,
    .human_ms = 12, .human_vel = 8, .reverb_min = 0.5f, .reverb_max = 0.9f,
    .gain_db = { 0, 0, 0, 0, 0, 2 },
  },
  {
    .name = "blues", .bpm_min = 72, .bpm_max = 112, .meter = 4, .swing = 0.33f,
    .modes = "mixolydian major", .sevenths = TRUE,
    .verse_progs = { "17 47 17 17", "17 17 17 17", "17 47 17 57", NULL },
    .chorus_progs = { "47 47 17 17", "57 47 17 57", "47 47 17 67", NULL },
    .kick  = { "x.......x.......", "x.....x.x.......", },
    .snare = { "....x.......x...", "....X.......X..." },
    .hat   = { "x...x.x.x...x.x.", "x.x.x.x.x.x.x.x." },
    .extra = { NULL, NULL },
    .snare_key = 38, .hat_key = { 42, 51 }, .extra_key = 0,
    .kits = "0 8 32", .fill = FILL_TOMS,
    .bass = { "R---3---5---6---", "R---3---5---8---" },
    .bass_programs = "33 32 34", .bass_legato = 0.8f,
    .comp = {
      { COMP_BLOCK, { "x.x.x.x.x.x.x.x.", "x.x.x.x.x.x.x.x." }, "27 26 29", 52, 2, 0.6f, 0.7f },
      { COMP_BLOCK, { "x-------x-------", "x---x---x---x---" }, "16 17 18 0 3", 64, 4, 0.9f, 0.55f },
    },
    .lead_programs = "22 65 66 29 27 56", .vocal_programs = "53 52",
    .vocal_prob = 0.3f, .lead_density = 0.5f, .lead_center = 70,
    .human_ms = 9, .human_vel = 8, .reverb_min = 0.3f, .reverb_max = 0.6f,
    .gain_db = { 0, 0, 1, 0, 0, 0 },
  },
  {
    .name = "hiphop", .bpm_min = 84, .bpm_max = 98, .meter = 4, .swing = 0.16f, .swing16 = TRUE,
    .modes = "minor dorian",
    .verse_progs = { "1 1 6 6", "1 4 1 4", "1n 6j 1n 6j", NULL },
    .chorus_progs = { "6 7 1 1", "4 4 1 1", "6j 57 1n 1n", NULL },
    .kick  = { "x.....x...x.x...", "x.....x.x.x..x.." },
    .snare = { "....x.......x...", "....X.......X..." },
    .hat   = { "x.x.x.x.x.x.x.x.", "xxx.x.xxx.x.x.xx" },
    .extra = { NULL, NULL },
    .snare_key = 38, .hat_key = { 42, 42 }, .extra_key = 0,
    .kits = "25 24 0 8", .fill = FILL_ROLL,
    .bass = { "R-----r---r-r---", "R-----r---r-8-r-" },
    .bass_programs = "38 39 33 35", .bass_legato = 0.9f,
    .comp = {
      { COMP_BLOCK, { "x-------x-------", "x-----x---x-----" }, "4 5 0 11", 62, 4, 0.9f, 0.6f },
      { COMP_PAD, { "x---------------", "x---------------" }, "48 49 50 89 91", 67, 3, 1.0f, 0.45f },
    },
    .lead_programs = "80 81 11 73 61", .vocal_programs = "54 53 85",
    .vocal_prob = 0.4f, .lead_density = 0.55f, .lead_center = 69,
    .human_ms = 5, .human_vel = 6, .reverb_min = 0.2f, .reverb_max = 0.5f,
    .gain_db = { 2, 3, 0, 0, 0, 0 },
  },
};

static const char *style_names[G_N_ELEMENTS (styles) + 1];

/* Other spellings a user may type, and the style each one means. The
 * canonical name is what pieces, folders and labels carry (and what the
 * generator's seed hash uses), so an alias gives the same pieces. */
static const struct {
  const char *alias;
  const char *name;
} style_aliases[] = {
  { "hip-hop", "hiphop" },
};

const StrataStyle *
_strata_style_lookup (const char *name)
{
  if (name == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (style_aliases); i++)
    if (strcmp (style_aliases[i].alias, name) == 0)
      name = style_aliases[i].name;
  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    if (strcmp (styles[i].name, name) == 0)
      return &styles[i];
  return NULL;
}

const StrataStyle *
_strata_style_get (guint index)
{
  g_return_val_if_fail (index < G_N_ELEMENTS (styles), NULL);
  return &styles[index];
}

guint
_strata_style_count (void)
{
  return G_N_ELEMENTS (styles);
}

/**
 * strata_compose_list_styles:
 *
 * Returns: (transfer none) (array zero-terminated=1): the style names
 *   strata_piece_compose() accepts, in table order.
 */
const char * const *
strata_compose_list_styles (void)
{
  static gsize initialised;

  if (g_once_init_enter (&initialised))
    {
      for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
        style_names[i] = styles[i].name;
      g_once_init_leave (&initialised, 1);
    }
  return style_names;
}

/**
 * strata_compose_has_style:
 * @style: a style name or an alias of one ("hip-hop" for "hiphop")
 *
 * Returns: whether @style names one of the generator's styles.
 */
gboolean
strata_compose_has_style (const char *style)
{
  return _strata_style_lookup (style) != NULL;
}

/**
 * strata_compose_style_name:
 * @style: a style name or an alias of one ("hip-hop" for "hiphop")
 *
 * Returns: (transfer none) (nullable): the canonical name of @style (one of
 *   strata_compose_list_styles()), or %NULL when @style is unknown.
 */
const char *
strata_compose_style_name (const char *style)
{
  const StrataStyle *st = _strata_style_lookup (style);

  return st ? st->name : NULL;
}
