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
/* `train transcription`: argv[0] = "transcription" */
int strata_cli_train_transcription (int argc, char **argv);

/* Prints "strata-cli: <message>" on stderr. */
void strata_cli_error (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* A trainer's log line on stderr (strata-cli-train.c). */
void strata_cli_log_line (const char *line, void *user_data);
/* Progress line on stderr, only when stderr is a terminal. */
void strata_cli_progress (double fraction, const char *stage, void *user_data);
