/* jr-app-jobs.h — the built-in jobs of the jobrouter application.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One table describes every built-in job: its registered name, how the
 * command line and the dialogs parse its argument, how it is submitted and
 * how its result reads as text. The CLI, the window and the tests share it.
 *
 * Threads: jr_app_jobs_register() runs in main() before jr_init(); the
 * lookup, parse and format functions are pure and may run on any thread.
 */
#pragma once

#include <jobrouter.h>

G_BEGIN_DECLS

/* The largest N count-primes accepts: its sieve keeps the primes up to
 * sqrt(N) in memory, 10^12 keeps that under a megabyte. */
#define JR_APP_COUNT_PRIMES_MAX G_GUINT64_CONSTANT (1000000000000)

/* "DEVICE:INODE" of a file the checksum job leaves out: `jobrouter run`
 * sets it when its stdout is a regular file (the shell made it, empty,
 * before the job lists the folder, and a report listing itself fails
 * `sha256sum -c`). The environment, because worker processes inherit it
 * and the job's arguments stay its folder alone for every caller. */
#define JR_APP_CHECKSUM_SKIP_ENV "JOBROUTER_CHECKSUM_SKIP"

typedef char *(*JrAppResultFormatFunc) (GVariant *args,
                                        GVariant *result);

/**
 * JrAppArgKind:
 * @JR_APP_ARG_PATH: a file or folder; made absolute, since workers may not
 *   share the submitter's working directory
 * @JR_APP_ARG_TEXT: free text, e.g. a command line
 * @JR_APP_ARG_NUMBER: an unsigned decimal number
 *
 * How the one argument of a built-in job is read from text.
 */
typedef enum {
  JR_APP_ARG_PATH,
  JR_APP_ARG_TEXT,
  JR_APP_ARG_NUMBER,
} JrAppArgKind;

/**
 * JrAppJob:
 * @name: the registered job name, e.g. "checksum"
 * @title: what the job does, for menus and help, e.g. "Checksum a folder"
 * @describe_format: a title for one run, "%s" standing for the argument
 * @arg_name: the name of its one argument in usage text, e.g. "FOLDER"
 * @arg_kind: how the argument is read; a path travels as a bytestring
 *   ("ay"), in the file system's encoding
 * @max_number: for %JR_APP_ARG_NUMBER, the largest value accepted
 * @args_type: the GVariant type string of its arguments
 * @kind: how it is submitted
 * @result_type: the GVariant type string of its result
 * @func: the job function
 * @format_result: turns a result into text for people
 * @result_file_name: a suggested file name to save the result text under
 *
 * A built-in job.
 */
typedef struct {
  const char            *name;
  const char            *title;
  const char            *describe_format;
  const char            *arg_name;
  JrAppArgKind           arg_kind;
  guint64                max_number;
  const char            *args_type;
  JrJobKind              kind;
  const char            *result_type;
  JrJobFunc              func;
  JrAppResultFormatFunc  format_result;
  const char            *result_file_name;
} JrAppJob;

void            jr_app_jobs_register      (void);
const JrAppJob *jr_app_jobs_get_all       (guint          *n_jobs);
const JrAppJob *jr_app_jobs_lookup        (const char     *name);
char           *jr_app_jobs_describe_all  (void) G_GNUC_WARN_UNUSED_RESULT;

GVariant       *jr_app_job_parse_args     (const JrAppJob *job,
                                           const char     *text,
                                           GError        **error) G_GNUC_WARN_UNUSED_RESULT;
char           *jr_app_job_describe       (const JrAppJob *job,
                                           GVariant       *args) G_GNUC_WARN_UNUSED_RESULT;
char           *jr_app_job_format_result  (const JrAppJob *job,
                                           GVariant       *args,
                                           GVariant       *result) G_GNUC_WARN_UNUSED_RESULT;

char           *jr_app_job_summarize_result (const JrAppJob *job,
                                             GVariant       *args,
                                             GVariant       *result) G_GNUC_WARN_UNUSED_RESULT;
char           *jr_app_job_dup_result_path (const JrAppJob *job,
                                            GVariant       *result) G_GNUC_WARN_UNUSED_RESULT;

char           *jr_app_format_count       (guint64         n) G_GNUC_WARN_UNUSED_RESULT;
gulong          jr_app_plural_n           (guint64         n);
char           *jr_app_yield_dup_text     (GVariant       *value,
                                           gsize          *length) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
