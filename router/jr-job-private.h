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

/* Job → future, one pipe per job. The frequent messages are flat numeric
 * tuples, cheap to build, check and read: STARTED, CANCELLED and RETURNED
 * are "(y)", progress is "(yd)" or, with a text, "(yds)". RESULT, YIELD
 * and ERROR are "(yv)"; ERROR's value is "(sis)": domain name, code,
 * message. The last message of a job is always RESULT, ERROR or CANCELLED
 * (or RETURNED, for a job recalled before it started). */
typedef enum {
  JR_JOB_MSG_STARTED   = 'S',
  JR_JOB_MSG_PROGRESS  = 'P',
  JR_JOB_MSG_YIELD     = 'Y',
  JR_JOB_MSG_RESULT    = 'R',
  JR_JOB_MSG_ERROR     = 'E',
  JR_JOB_MSG_CANCELLED = 'C',
  JR_JOB_MSG_RETURNED  = 'X',
} JrJobMessage;

typedef struct {
  guchar       tag;
  double       fraction;   /* PROGRESS */
  const char  *text;       /* PROGRESS, nullable; points into the message */
  GVariant    *payload;    /* RESULT, YIELD, ERROR: owned */
} JrJobMessageParts;

/* Reads a message of a job; FALSE for one of no known shape. */
gboolean jr_job_message_parse (GVariant          *message,
                               JrJobMessageParts *parts);

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
