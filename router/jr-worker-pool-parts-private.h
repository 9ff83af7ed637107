/* jr-worker-pool-parts-private.h — what the files of a worker pool share:
 * the pool's and a worker's structs, and what one file calls of another.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The executor sees none of this: jr-worker-pool-private.h is its whole
 * view of the pool, and this header is for the pool's own files:
 *
 *   jr-worker-pool.c         the pool: its size, topping up, respawning
 *                            and its back-off, giving up; a worker gone
 *   jr-worker-pool-spawn.c   starting a worker: a thread, a local process,
 *                            or a stream worker through a command
 *   jr-worker-pool-worker.c  one worker: its messages in, its requests
 *                            out, and what the executor asks of it
 *   jr-worker-pool-ending.c  ending a worker: signals, killing, reaping;
 *                            the error its end becomes
 *   jr-worker-pool-stderr.c  a command's standard error: echoed, its last
 *                            lines kept
 *
 * So the pool's policy (how many workers, when to try again, when to give
 * up) reads apart from the mechanics of processes, sockets and pipes. A
 * worker's READY, a thread's EXITED and an abandoned thread are the
 * pool's business, so jr-worker-pool-worker.c calls back into
 * jr-worker-pool.c for those (jr_worker_pool_worker_ready(),
 * jr_pool_worker_gone(), jr_worker_pool_top_up()); otherwise each file
 * calls only those listed after it.
 *
 * Threads: everything here runs on the thread of the router's main context
 * (the executor's), as jr-worker-pool-private.h does. Two functions of
 * jr-worker-pool-spawn.c run elsewhere: a thread worker's main function,
 * on its own thread (it takes its runtime, sets its worker's tid,
 * atomically, and reads the pool's nice and idle under priority_lock; then
 * it touches neither again), and die_with_parent(), in a command's process
 * between fork and exec.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include "jr-source-private.h"
#include "jr-worker-pool-private.h"
#include "jr-worker-private.h"
#include "jr-worker-request-private.h"

G_BEGIN_DECLS

/* How long a command (ssh, srun) has to end after SIGTERM before SIGKILL. */
#define JR_POOL_COMMAND_KILL_DELAY_MS   2000
/* How long a command asked to end (its worker told to QUIT) may take
 * before it gets SIGTERM: the worker gives its jobs' processes 0.5 s. */
#define JR_POOL_COMMAND_QUIT_DELAY_MS   5000
/* The same for a local worker process (an exit handler that waits for
 * ever would hold up the executor's stop for ever). */
#define JR_POOL_LOCAL_QUIT_DELAY_MS     2000

typedef enum {
  JR_POOL_WORKER_LIVE,        /* takes jobs */
  JR_POOL_WORKER_RETIRING,    /* asked to end */
  JR_POOL_WORKER_ABANDONED,   /* a thread whose job ignored its cancel */
} JrPoolWorkerState;

struct _JrPoolWorker {
  JrWorkerPool     *pool;
  JrPoolWorkerState state;
  gboolean          ready;
  gboolean          handed_job;     /* a job was sent to it, maybe before READY came */
  gpointer          data;
  JrReceiver       *receiver;
  char             *fatal_reason;   /* what a worker that refused to start said */
  char             *kill_reason;    /* why the pool killed it */
  gboolean          rejected;       /* it lied: nothing more it says counts */

  /* Processes. */
  guint64           channel_id;
  gboolean          is_process;
  int               pid;            /* 0 once reaped */
  int               wait_status;
  int               request_fd;
  GByteArray       *outbox;         /* requests the socket has not taken yet */
  GSource          *outbox_watch;
  gboolean          close_after_outbox;
  GSource          *ready_timer;
  gboolean          ready_waited;   /* its start timeout waited once for pending messages */

  /* Threads. */
  GThread          *thread;
  JrWorkerRuntime  *runtime;
  int               tid;            /* atomic; 0 until the thread runs */

  /* Stream workers (a command launcher). */
  gboolean          stream;
  gboolean          via_command;    /* pid is the command's (ssh, srun), not the worker's */
  int               stream_fd;      /* a copy of the router's end of its stream */
  int               stderr_fd;
  GSource          *stderr_watch;
  GString          *stderr_line;    /* the line being printed */
  GString          *stderr_tail;    /* the last lines printed */
  gint64            echo_since;     /* this second of echoed lines began */
  guint             echo_count;     /* lines echoed in it */
  guint64           echo_dropped;   /* lines not echoed since the last count */
  GSource          *kill_timer;     /* its process's next signal (kill_signal) */
  gint64            kill_due;       /* ... at this time */
  int               kill_signal;    /* SIGTERM, then SIGKILL; 0: none sent yet */
  gboolean          outlived;       /* it did not end with its stream: we ended it */
  gboolean          cut_short;      /* its stream closed before it was ready */
  GSource          *exit_watch;     /* a command whose stream ended before it did */
  gint64            last_request;   /* when a request last went to it */
  gboolean          ack_owed;       /* it spoke, and nothing went back since */
  GSource          *ack_timer;
  char             *host;           /* where it runs, as it said when ready */
  gint64            ready_time;
};

struct _JrWorkerPool {
  JrRouter              *router;
  JrTransport            transport;
  JrLauncher            *launcher;
  char                  *group;
  guint                  size;
  char                 **argv;      /* NULL: this program run again */
  char                 **own_args;  /* see jr_set_worker_arguments() */
  guint                  losses;    /* command launcher: workers lost in a row */
  GHashTable            *start_lines; /* echoed of workers still starting, this round */
  JrWorkerPoolCallbacks  callbacks;
  gpointer               user_data;

  GPtrArray             *workers;   /* JrPoolWorker: every one not yet gone */
  guint                  n_live;
  gboolean               retired;
  gboolean               gave_up;
  guint                  start_failures;   /* in a row */
  GError                *failure;
  GArray                *spawn_times;
  GSource               *respawn_timer;
  gulong                 channel_closed_id;

  /* A thread worker applies its own priority as it starts, while the main
   * thread may be changing it: priority_lock orders the two, so that the
   * newer setting always wins. */
  GMutex                 priority_lock;
  int                    nice;
  gboolean               idle;
};

static inline GSource *
jr_worker_pool_add_timeout (JrWorkerPool *pool,
                            guint         ms,
                            GSourceFunc   func,
                            gpointer      data)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_set_static_name (source, "[jobrouter] worker pool");
  g_source_attach (source, jr_router_get_context (pool->router));
  return source;
}

/* jr-worker-pool.c */
void          jr_worker_pool_top_up               (JrWorkerPool       *pool);
void          jr_pool_worker_gone                 (JrPoolWorker       *worker,
                                                   const GError       *reason);
void          jr_worker_pool_worker_ready         (JrPoolWorker       *worker);

/* jr-worker-pool-spawn.c: each returns a new worker, not yet in the pool, or
 * NULL with @error set. */
JrPoolWorker *jr_worker_pool_spawn_thread_worker  (JrWorkerPool       *pool,
                                                   GError            **error) G_GNUC_WARN_UNUSED_RESULT;
JrPoolWorker *jr_worker_pool_spawn_process_worker (JrWorkerPool       *pool,
                                                   GError            **error) G_GNUC_WARN_UNUSED_RESULT;
JrPoolWorker *jr_worker_pool_spawn_stream_worker  (JrWorkerPool       *pool,
                                                   GError            **error) G_GNUC_WARN_UNUSED_RESULT;

/* jr-worker-pool-worker.c */
void          jr_pool_worker_set_state            (JrPoolWorker       *worker,
                                                   JrPoolWorkerState   state);
gboolean      jr_pool_worker_open_pipe            (JrPoolWorker       *worker,
                                                   JrSender          **sender,
                                                   GError            **error);
void          jr_pool_worker_send_request         (JrPoolWorker       *worker,
                                                   JrWorkerRequestKind kind,
                                                   guint64             job_id,
                                                   const char         *name,
                                                   GVariant           *args);

/* jr-worker-pool-ending.c */
void          jr_pool_worker_close_request_fd     (JrPoolWorker       *worker);
void          jr_pool_worker_signal               (JrPoolWorker       *worker,
                                                   guint               delay_ms);
void          jr_pool_worker_signal_overdue       (JrPoolWorker       *worker);
void          jr_pool_worker_end_command          (JrPoolWorker       *worker);
/* SIGKILL to a local worker's process group; a command worker's command
 * is ended instead (jr_pool_worker_end_command()). */
void          jr_pool_worker_kill_group           (JrPoolWorker       *worker);
void          jr_pool_worker_reap                 (JrPoolWorker       *worker);
void          jr_worker_pool_end_commands_together (JrWorkerPool      *pool);
/* Stops hearing @worker's pipe: its receiver goes from the router. */
void          jr_pool_worker_close_pipe           (JrPoolWorker       *worker);
/* Kills and reaps what is left of @worker, joins or lets go its thread,
 * closes its fds and frees it. */
void          jr_pool_worker_free                 (JrPoolWorker       *worker);
gboolean      jr_pool_worker_has_exited           (JrPoolWorker       *worker);
gboolean      jr_pool_worker_is_exiting           (JrPoolWorker       *worker);
GError       *jr_pool_worker_describe_death       (JrPoolWorker       *worker) G_GNUC_WARN_UNUSED_RESULT;

/* jr-worker-pool-stderr.c */
gboolean      jr_pool_worker_stderr_read          (JrPoolWorker       *worker);
void          jr_pool_worker_watch_stderr         (JrPoolWorker       *worker);
void          jr_pool_worker_stderr_drain         (JrPoolWorker       *worker);

G_END_DECLS
