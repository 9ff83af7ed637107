/* jr-worker-request-private.h — what an executor asks of a worker process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Requests travel on a socket of their own (never the worker's standard
 * input, which a job's commands may read), as frames of the same format
 * as a cross-process queue's (jr-frame-private.h): the header's connection
 * id is the job id, and the value is "(ysmv)":
 *
 *   y  kind: RUN, CANCEL, RECALL
 *   s  the job's registered name (RUN; "" otherwise)
 *   mv its arguments (RUN; nothing otherwise)
 *
 * The executor closes its end of the socket to make the worker quit.
 *
 * Threads: pure functions; any thread.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include "jr-frame-private.h"

G_BEGIN_DECLS

typedef enum {
  JR_WORKER_REQUEST_RUN    = 'R',
  JR_WORKER_REQUEST_CANCEL = 'C',
  JR_WORKER_REQUEST_RECALL = 'X',
} JrWorkerRequestKind;

#define JR_WORKER_REQUEST_TYPE "(ysmv)"

typedef struct {
  JrWorkerRequestKind  kind;
  guint64              job_id;
  const char          *name;   /* points into value */
  GVariant            *args;   /* owned, nullable */
  GVariant            *value;  /* owned: the whole request */
} JrWorkerRequest;

/* The frame of one request; *size is its length. */
guint8        *jr_worker_request_encode (JrWorkerRequestKind  kind,
                                         guint64              job_id,
                                         const char          *name,
                                         GVariant            *args,
                                         gsize               *size);
/* Reads the request at the start of @data. OK: @request holds it and
 * *frame_size bytes were used. NEED_MORE: *frame_size is the whole frame's
 * size once the header is there (0 before). SKIP and CORRUPT: @error says
 * why; after SKIP, *frame_size bytes are to be dropped. */
JrFrameStatus  jr_worker_request_decode (const guint8        *data,
                                         gsize                len,
                                         JrWorkerRequest     *request,
                                         gsize               *frame_size,
                                         GError             **error);
void           jr_worker_request_clear  (JrWorkerRequest     *request);

G_END_DECLS
