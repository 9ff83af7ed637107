/* jr-job-private.h — the job registry, and what runs one job in a worker.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: the registry is filled before any thread starts and only read
 * afterwards. jr_job_run() runs on the worker thread that owns @sender.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include "jobrouter.h"

G_BEGIN_DECLS

typedef struct {
  char               *name;
  JrJobFunc           func;        /* one of func and data_func */
  JrJobDataFunc       data_func;
  gpointer            user_data;   /* data_func's, freed by destroy */
  GDestroyNotify      destroy;
  GVariantType       *args_type;
  char               *unavailable_reason;
} JrJobKindInfo;

const JrJobKindInfo *jr_job_registry_lookup (const char *name);
/* Checks that @name may run with @args: unknown, unavailable, wrong type. */
gboolean             jr_job_registry_check  (const char *name,
                                             GVariant   *args,
                                             GError    **error);

/* Runs one job on the calling thread and sends every message of it, for
 * @job_id, on @sender (a started one). @cancel_requested is set (to
 * nonzero, atomically) by whoever fires @cancellable on the executor's
 * behalf: a job that fired its own cancellable ends as it returns, not as
 * cancelled. */
void                 jr_job_run             (JrSender     *sender,
                                             guint64       job_id,
                                             const char   *name,
                                             GVariant     *args,
                                             GCancellable *cancellable,
                                             const int    *cancel_requested);

/* The pipe a running job reports on: for tests that play a hostile job. */
JrSender            *jr_job_get_sender      (JrJob        *job);

G_END_DECLS
