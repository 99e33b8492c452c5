/* strata-cli.h: the commands of strata-cli, one file each (strata-cli-<cmd>.c).
 *
 * Contract (DESIGN §6): results on stdout (JSON with --json) or in files
 * (-o); progress on stderr only when it is a terminal; exit status
 * STRATA_CLI_OK, STRATA_CLI_FAILED (a bad input: the message names the file
 * and the reason) or STRATA_CLI_USAGE (bad usage).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "model/strata-model.h"

enum {
  STRATA_CLI_OK = 0,
  STRATA_CLI_FAILED = 1,
  STRATA_CLI_USAGE = 2,
};

/* Each gets argv with argv[0] = the command name. */
int strata_cli_info   (int argc, char **argv);
int strata_cli_corpus (int argc, char **argv);
int strata_cli_features (int argc, char **argv);
int strata_cli_train (int argc, char **argv);
int strata_cli_transcribe (int argc, char **argv);
int strata_cli_sections (int argc, char **argv);
/* `train transcription`: argv[0] = "transcription" */
int strata_cli_train_transcription (int argc, char **argv);
int strata_cli_separate (int argc, char **argv);
/* `train separation`: argv[0] = "separation" (strata-cli-separate.c) */
int strata_cli_train_separation (int argc, char **argv);

/* Prints "strata-cli: <message>" on stderr. */
void strata_cli_error (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* A trainer's log line on stderr (strata-cli-train.c). */
void strata_cli_log_line (const char *line, void *user_data);
/* Progress line on stderr, only when stderr is a terminal. */
void strata_cli_progress (double fraction, const char *stage, void *user_data);

/* The options and the run that commands built on the features task share
 * (strata-cli-features-setup.c). Zero-initialise, parse, check, run, and
 * clear. */
typedef struct {
  char  *model_path;   /* --model: NULL = the installed foundation model */
  char  *layer_arg;    /* --layer as given */
  char  *cache_dir;    /* --cache-dir: NULL = the window's cache */
  char **condition;    /* --condition TAG... */
  int    layer;        /* set by the check: 0 = the model's default */
} StrataCliFeaturesSetup;

/* Parses the command line with the command's own @command_entries and
 * --model, --layer, --condition and --cache-dir. Returns STRATA_CLI_OK, or
 * STRATA_CLI_USAGE after printing the reason. */
int  strata_cli_features_setup_parse (StrataCliFeaturesSetup *setup,
                                      GOptionContext         *context,
                                      const GOptionEntry     *command_entries,
                                      int                    *argc,
                                      char                 ***argv);
/* Validates --layer. Returns STRATA_CLI_OK, or STRATA_CLI_USAGE after
 * printing the reason and @usage_text. */
int  strata_cli_features_setup_check (StrataCliFeaturesSetup *setup,
                                      const char             *usage_text);
/* Loads the model and runs the features task on @path through the cache.
 * Returns STRATA_CLI_OK with *@features set (transfer full), or the exit
 * status after printing the reason (naming @path when the file is bad). */
int  strata_cli_features_setup_run (StrataCliFeaturesSetup *setup,
                                    const char             *path,
                                    StrataFeatures        **features);
void strata_cli_features_setup_clear (StrataCliFeaturesSetup *setup);
