/* router-fixture.h — what the router's test programs (test-router,
 * test-channel, test-inbox, test-monitor) share: a fixture with a router
 * on either transport, pipes that check what they receive, sending
 * threads, and child processes running tests/router-child.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every test runs in a fixture that takes the process's baseline of
 * threads and fds before and checks it after, with no child process left:
 * a test ends with its router stopped and nothing behind.
 *
 * Ordinary messages are "(tu)": the connection id they were sent on and
 * their sequence number on that pipe, so the receiving handler checks,
 * message by message, that each arrives exactly once, in order, at the
 * right receiver, on the main thread.
 *
 * Threads: the main thread, except SendJob's own thread.
 */
#pragma once

#include "jr-test.h"

G_BEGIN_DECLS

/* How long to wait for something that must happen: far above any normal
 * run, only there so that a broken build fails instead of hanging. Under
 * AddressSanitizer with slow unwinding on every malloc (as .ci/run runs
 * it) a flood runs some 100 times slower: test-inbox's backpressure flood
 * then takes 40-50 s on its own, more beside other tests. */
#if defined(__SANITIZE_ADDRESS__)
#define DEADLINE_MS   60000u
#else
#define DEADLINE_MS   20000u
#endif
#define DEADLINE_USEC ((gint64) DEADLINE_MS * 1000)

/* ---- the fixture ---- */

typedef struct {
  JrTransport     transport;
  JrRouter       *router;
  JrTestBaseline  baseline;
} Fixture;

typedef void (*FixtureFunc) (Fixture *f, gconstpointer data);

enum {
  THREADS = 1 << JR_TRANSPORT_THREADS,
  PROCESSES = 1 << JR_TRANSPORT_PROCESSES,
  BOTH = THREADS | PROCESSES,
};

/* jr_test_init(), then makes what GLib creates once per process (the
 * default main context, the worker thread that watches children) exist
 * before any fixture takes its baseline. Test paths will start with
 * "/@prefix/". */
void      router_fixture_init  (int          *argc,
                                char       ***argv,
                                const char   *prefix);
/* Adds "/PREFIX/TRANSPORT/@path" for each transport in @transports. */
void      add_test             (const char   *path,
                                guint         transports,
                                FixtureFunc   func);
/* g_test_run(), then frees what router_fixture_init() made. */
int       router_fixture_run   (void);

void      start_router         (Fixture      *f);
void      stop_router          (Fixture      *f);
gboolean  is_threads           (Fixture      *f);

/* A JrConditionFunc that never holds. */
gboolean  never_true           (gpointer      data);

/* ---- pipes and the receiving side ---- */

typedef struct _Collector Collector;

typedef struct {
  Collector  *collector;
  JrSender   *sender;
  JrReceiver *receiver;
  guint64     id;
  guint32     next_seq;   /* = messages received, since they come in order */
  guint32     target;     /* for pipe_done() */
  gboolean    closed;
} Pipe;

struct _Collector {
  JrRouter  *router;
  GPtrArray *pipes;       /* Pipe* */
  guint64    received;
  guint64    expected;    /* for collector_done() */
  GMainLoop *loop;        /* quit once received == expected, if set */
};

Collector *collector_new        (JrRouter  *router);
void       collector_free       (Collector *c);
Pipe      *collector_add_pipe   (Collector *c);
Pipe      *collector_pipe       (Collector *c,
                                 guint      index);
void       collector_close_pipe (Collector *c,
                                 Pipe      *pipe);
void       collector_close_all  (Collector *c);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Collector, collector_free)

/* JrConditionFuncs: the collector has received @expected; the pipe has
 * received @target. */
gboolean   collector_done       (gpointer   data);
gboolean   pipe_done            (gpointer   data);
void       assert_all_pipes_got (Collector *c,
                                 guint32    count);
/* Runs a GMainLoop until the collector has everything. */
void       run_loop_until_done  (Collector *c);
/* Routes by hand (jr_router_route_until) until it has everything. */
void       route_until_done     (Collector *c);

/* ---- sending threads ---- */

typedef struct {
  GPtrArray *pipes;        /* Pipe*, borrowed; sent on interleaved */
  guint32    count;        /* messages per pipe */
  guint      interval_us;  /* pause after each round */
  gboolean   hold;         /* wait for release before stopping */
  gboolean   until_fail;   /* keep sending until send fails */
  gboolean   mixed;        /* every other message with jr_sender_send_data() */

  gint       stop;         /* atomic: stop early */
  gint       released;     /* atomic: see hold */
  gint       done;         /* atomic */
  gint       sent;         /* atomic: rounds fully sent */
  GError    *error;        /* the first failure */
  GThread   *thread;
} SendJob;

/* A job for @count messages on each of pipes [@first, @first + @n_pipes). */
SendJob   *send_job_start       (Collector *c,
                                 guint      first,
                                 guint      n_pipes,
                                 guint32    count);
void       send_job_run         (SendJob   *job);
/* Joins the thread; asserts it sent everything unless @may_fail. */
void       send_job_join        (SendJob   *job,
                                 gboolean   may_fail);
void       send_job_free        (SendJob   *job);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SendJob, send_job_free)

/* ---- child processes (tests/router-child.c) ---- */

/* Spawns router-child with a launcher prepared by @router (if not NULL),
 * freeing the launcher at once so the router sees the child's exit;
 * @env_value (if not NULL) is its JOBROUTER_CHANNEL_FDS. */
GSubprocess *spawn_child_full   (JrRouter          *router,
                                 GSubprocessFlags   flags,
                                 const char        *env_value,
                                 const char *const *args);
/* spawn_child (router, mode, arg..., NULL) */
GSubprocess *spawn_child        (JrRouter          *router,
                                 const char        *mode,
                                 ...) G_GNUC_NULL_TERMINATED;
/* Spawns "MODE COUNT ID..." for pipes [first, first + n). */
GSubprocess *spawn_sender_child (Collector         *c,
                                 const char        *mode,
                                 guint32            count,
                                 guint              first,
                                 guint              n);
/* The pipe's connection id, as router-child takes it. */
char        *id_arg             (Pipe              *pipe);

/* Waits for the child's exit while the main context (and so the router)
 * keeps running: the child may be waiting for room in its queue. */
void         wait_child         (GSubprocess       *process);
/* Waits without routing anything (a private main context). */
void         wait_child_quietly (GSubprocess       *process);
void         assert_child_exit  (GSubprocess       *process,
                                 int                status);

G_END_DECLS
