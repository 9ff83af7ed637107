/* jr-app-job-funcs.h — the job functions behind the table of jr-app-jobs.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: the job functions run in a worker (thread or process); the
 * format functions are pure.
 */
#pragma once

#include <jobrouter.h>

G_BEGIN_DECLS

/* Paths, in arguments and results, are bytestrings ("ay") in the file
 * system's encoding: a name that is not UTF-8 comes back as it is. */

/* "(ay)" folder or file → "ay": sha256sum-style report, names as they are */
GVariant *jr_app_job_checksum              (JrJob *job, GVariant *args, GError **error);
char     *jr_app_job_checksum_format       (GVariant *args, GVariant *result);

/* "(ay)" folder → "a(tsaay)": (size, sha256, relative paths) per group;
 * what could not be read comes last, as (0, "", ["PATH: MESSAGE", …]) */
GVariant *jr_app_job_find_duplicates        (JrJob *job, GVariant *args, GError **error);
char     *jr_app_job_find_duplicates_format (GVariant *args, GVariant *result);

/* "(ay)" file → "(aytt)": (output path, bytes in, bytes out) */
GVariant *jr_app_job_compress              (JrJob *job, GVariant *args, GError **error);
char     *jr_app_job_compress_format       (GVariant *args, GVariant *result);

/* "(s)" command line → yields "ay" per output line, its bytes as printed;
 * result "t": lines */
GVariant *jr_app_job_run_command           (JrJob *job, GVariant *args, GError **error);
char     *jr_app_job_run_command_format    (GVariant *args, GVariant *result);

/* "(t)" N → "t": how many primes are ≤ N */
GVariant *jr_app_job_count_primes          (JrJob *job, GVariant *args, GError **error);
char     *jr_app_job_count_primes_format   (GVariant *args, GVariant *result);

G_END_DECLS
