/* jr-worker-request-private.h — what an executor asks of a worker process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Requests travel on a socket of their own (never the worker's standard
 * input, which a job's commands may read), as frames of the same format
 * as a cross-process queue's (jr-frame-private.h): the header's connection
 * id is the job id, and the value is "(ysmv)":
 *
 *   y  kind: RUN, CANCEL, RECALL; HELLO, QUIT, PRIORITY, ACK (stream
 *      workers; ACK asks nothing: it carries a TCP acknowledgement, see
 *      jr-worker-pool-worker.c)
 *   s  the job's registered name (RUN; "" otherwise)
 *   mv its arguments (RUN), the setup (HELLO), "(ib)" nice and idle
 *      (PRIORITY); nothing otherwise
 *
 * The executor closes its end of the socket to make the worker quit.
 *
 * A stream worker (started through a launcher: ssh, srun, or none; see
 * jr-worker-process.c) gets its requests on its standard input instead,
 * and its setup from them rather than from the environment, which ssh
 * does not pass: the first frame is a HELLO (job id 0) whose value is an
 * "a{sv}":
 *
 *   version  u  JR_STREAM_PROTOCOL_VERSION; a worker of another refuses
 *   pipe     t  the connection id of its messages
 *   group    s  the executor's name for the worker's group (for messages)
 *   nice     i  its CPU priority, as PRIORITY sets later
 *   idle     b
 *   env      a{ss}  the executor's variables named JOBROUTER_… (not its
 *            own JOBROUTER_WORKER, JOBROUTER_CHANNEL_FDS), set in the
 *            worker
 *
 * Its standard input ending means that the executor is gone, or the
 * connection to it: the worker then kills its jobs' processes and exits
 * at once. To have it end as a local worker ends when its socket closes
 * (cancel its jobs, let them stop), the executor sends QUIT first.
 * A frame whose magic is JR_FRAME_MAGIC with its bytes swapped comes from
 * a machine of the other byte order: the worker says so and exits.
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
  JR_WORKER_REQUEST_RUN      = 'R',
  JR_WORKER_REQUEST_CANCEL   = 'C',
  JR_WORKER_REQUEST_RECALL   = 'X',
  JR_WORKER_REQUEST_HELLO    = 'H',
  JR_WORKER_REQUEST_QUIT     = 'Q',
  JR_WORKER_REQUEST_PRIORITY = 'N',
  JR_WORKER_REQUEST_ACK      = 'A',
} JrWorkerRequestKind;

/* What a stream worker and its executor must agree on: the frames, the
 * requests and the job messages. Both sides check it. 2: ACK. */
#define JR_STREAM_PROTOCOL_VERSION 2u

/* The last argument of a stream worker's command line: "this process is a
 * worker on its standard input and output, protocol version N". */
#define JR_STREAM_WORKER_ARG "--jobrouter-stream-worker="

#define JR_WORKER_REQUEST_TYPE "(ysmv)"

typedef struct {
  JrWorkerRequestKind  kind;
  guint64              job_id;
  const char          *name;   /* points into value */
  GVariant            *args;   /* owned, nullable */
  GVariant            *value;  /* owned: the whole request */
} JrWorkerRequest;

/* The serialized size of a request's value, which a worker reads only
 * up to JR_MESSAGE_SIZE_MAX. */
gsize          jr_worker_request_data_size (JrWorkerRequestKind  kind,
                                            const char          *name,
                                            GVariant            *args);
/* Whether a worker, which reads a request as untrusted data, takes the
 * request of @args in normal form: FALSE when they nest more deeply than
 * GLib accepts from another process. */
gboolean       jr_worker_request_readable  (JrWorkerRequestKind  kind,
                                            const char          *name,
                                            GVariant            *args);
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
