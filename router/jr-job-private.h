/* jr-job-private.h — the job registry, the messages a job sends to its
 * future, and the requests an executor sends to a worker process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: the registry is filled before any thread starts and only read
 * afterwards. Message helpers are pure and may run on any thread.
 */
#pragma once

#include "jobrouter.h"

G_BEGIN_DECLS

/* Job → future, one pipe per job, type "(yv)": a tag and its payload. The
 * last message of a job is always RESULT, ERROR or CANCELLED. */
typedef enum {
  JR_JOB_MSG_STARTED   = 'S',   /* () */
  JR_JOB_MSG_PROGRESS  = 'P',   /* (dms) fraction, text */
  JR_JOB_MSG_YIELD     = 'Y',   /* the value */
  JR_JOB_MSG_RESULT    = 'R',   /* the value */
  JR_JOB_MSG_ERROR     = 'E',   /* (sis) domain name, code, message */
  JR_JOB_MSG_CANCELLED = 'C',   /* () */
  JR_JOB_MSG_RETURNED  = 'X',   /* () recalled before it started: requeue it */
} JrJobMessage;

/* Executor → worker process, on its stdin: a native-endian guint64 size,
 * then a serialized "(ytsmv)": kind, job id (= connection id), job name,
 * args. */
typedef enum {
  JR_WORKER_REQUEST_RUN    = 'R',
  JR_WORKER_REQUEST_CANCEL = 'C',
  JR_WORKER_REQUEST_QUIT   = 'Q',
  JR_WORKER_REQUEST_RECALL = 'X',
} JrWorkerRequestKind;

#define JR_WORKER_ENV        "JOBROUTER_WORKER"
#define JR_WORKER_NICE_ENV   "JOBROUTER_WORKER_NICE"
#define JR_WORKER_REQUEST_TYPE "(ytsmv)"

typedef struct {
  char               *name;
  JrJobFunc           func;
  GVariantType       *args_type;
  char               *unavailable_reason;
} JrJobKindInfo;

const JrJobKindInfo *jr_job_registry_lookup (const char *name);
/* Checks that @name may run with @args: unknown, unavailable, wrong type. */
gboolean             jr_job_registry_check  (const char *name,
                                             GVariant   *args,
                                             GError    **error);

/* Runs one job on the calling thread and sends every message of it on
 * @sender (started here, stopped before returning). */
void                 jr_job_run             (JrSender     *sender,
                                             const char   *name,
                                             GVariant     *args,
                                             GCancellable *cancellable,
                                             gboolean      cancelled_before_start);

GError              *jr_job_error_from_message (GVariant *payload);

/* Tells the future's side that the job went back unstarted. */
void                 jr_job_send_returned   (JrSender     *sender);

G_END_DECLS
