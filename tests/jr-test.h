/* jr-test.h — the harness that every test program here links: the
 * published one (tests/harness/, <jobrouter-test.h>: setup, waiting on a main
 * context, expected warnings, threads and children, an executor's clean
 * end) and what only jobrouter's own tests need: fds and memory, the data
 * that test programs share with the child programs they spawn, a log of a
 * future's states, temporary folders.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GLib only, no GTK: GUI tests include <jobrouter-test-gui.h> too. The
 * benchmarks link it too.
 *
 * Threads: everything here is for the main thread (the one that called
 * jr_test_init()), except the data shared with child programs (any
 * thread, any process).
 */
#pragma once

#include <gio/gio.h>

#include "jobrouter.h"
#include "jobrouter-test.h"

G_BEGIN_DECLS

/* A GAsyncReadyCallback for g_subprocess_wait_async(): asserts the wait
 * worked and sets the gboolean at @flag. */
void          jr_test_on_subprocess_exited  (GObject        *source,
                                             GAsyncResult   *result,
                                             gpointer        flag);

/* Runs `true` and waits (60 s at most) for its exit: what GLib makes once
 * per process (the thread that watches children) then exists before a
 * fixture takes its baseline. */
void          jr_test_warm_child_watch      (void);

/* ---- this process: fds, memory (from /proc) ---- */

/* fd number → what it points to, both strings (the same fds). */
GHashTable   *jr_test_list_fds              (void);
/* " FD=TARGET" for each open fd. */
char         *jr_test_describe_fds          (void);
/* What changed since @before (from jr_test_list_fds()): " FD=TARGET (new)",
 * " FD=TARGET (closed)"; "" if nothing did. */
char         *jr_test_describe_fd_changes   (GHashTable     *before);
/* A JrConditionFunc: GLib holds no pidfd of a child watch. GLib's worker
 * thread closes the pidfd of a reaped child (and an eventfd) a moment
 * after the exit was reported. */
gboolean      jr_test_no_child_watch        (gpointer        unused);

/* From /proc/self/statm, in bytes; FALSE if it cannot be read. */
gboolean      jr_test_read_statm            (gsize          *resident,
                                             gsize          *shared);
gsize         jr_test_resident_bytes        (void);

/* What a test must leave behind as it found it. */
typedef struct {
  guint       n_threads;
  guint       n_fds;
  GHashTable *fds;
} JrTestBaseline;

/* Asserts that no child process is left, waits (1 s at most) for GLib to
 * close the pidfds of children it reaped, then counts threads and fds. */
void          jr_test_baseline_take         (JrTestBaseline *baseline);
/* Waits (1 s at most, iterating the default context) for threads that
 * were joined to leave /proc and for pidfds to close, then asserts that
 * the threads and fds are as many as at jr_test_baseline_take() and that
 * no child process is left, not even a zombie. A failure names the
 * threads, the fds that changed or the children. Clears @baseline. */
void          jr_test_baseline_assert       (JrTestBaseline *baseline);
void          jr_test_baseline_clear        (JrTestBaseline *baseline);

/* ---- data shared by test programs and the child programs they spawn ---- */

/* The "(tu)" test message — a connection id and a sequence number —
 * serialized by hand for jr_sender_send_data(): the guint64 at 0, the
 * guint32 at 8, and 4 bytes of padding that normal form wants zero. */
#define JR_TEST_TU_SIZE 16u

void          jr_test_tu_serialize          (guint8          out[JR_TEST_TU_SIZE],
                                             guint64         id,
                                             guint32         seq);

/* A connection id that no router ever gives out. */
#define JR_TEST_UNKNOWN_CONNECTION_ID G_GUINT64_CONSTANT (987654321)

/* The byte at @index of a large test message. */
guint8        jr_test_pattern_byte          (gsize           index);
/* A floating "ay" of @size pattern bytes. */
GVariant     *jr_test_new_pattern_message   (gsize           size);

/* A frame built by hand from the layout in jr-frame-private.h, with no
 * check at all, so that any field can be wrong: a header claiming
 * @claimed_data_size bytes of data, @type_size bytes of @type_bytes, and
 * @data_size bytes of @data, each part zero-padded. Free with g_free(). */
guint8       *jr_test_build_frame           (guint64         connection_id,
                                             guint16         magic,
                                             const char     *type_bytes,
                                             gsize           type_size,
                                             guint32         claimed_data_size,
                                             gconstpointer   data,
                                             gsize           data_size,
                                             gsize          *frame_size);

/* The exit statuses of tests/router-child.c. */
#define JR_TEST_CHILD_EXIT_CHECK_FAILED 1
#define JR_TEST_CHILD_EXIT_USAGE        2
/* The router went away while the child was writing. */
#define JR_TEST_CHILD_EXIT_DISCONNECTED 3

/* ---- the states a future passes through ---- */

typedef enum {
  JR_TEST_STATE_LOG_DEFAULT          = 0,
  /* At each notification of "state", check that what derives from the
   * state already fits it: done, cancellable-now, start and end time,
   * result, error. */
  JR_TEST_STATE_LOG_CHECK_CONSISTENT = 1 << 0,
} JrTestStateLogFlags;

typedef struct {
  JrFuture           *future;           /* (owned) */
  GArray             *states;           /* (element-type JrFutureState) */
  guint               n_done_notifies;
  JrTestStateLogFlags flags;
} JrTestStateLog;

/* Records every state @future passes through, in order, as notified. */
void          jr_test_state_log_init        (JrTestStateLog *log,
                                             JrFuture       *future,
                                             JrTestStateLogFlags flags);
/* Asserts the states recorded, JrFutureState values ending with -1, naming
 * both lists when they differ; and that "done" notified once if they end
 * in a final state (never if not). */
void          jr_test_state_log_assert      (JrTestStateLog *log,
                                             ...);
void          jr_test_state_log_clear       (JrTestStateLog *log);

/* ---- jobs on an executor ---- */

/* Submits @job with options of @kind (jr_executor_submit_full()) and
 * asserts that the submission was accepted. @args is sunk. */
JrFuture     *jr_test_submit                (JrExecutor     *executor,
                                             JrJobKind       kind,
                                             const char     *job,
                                             GVariant       *args);
/* Fails, naming the job and its error, unless @future completed. */
void          jr_test_assert_completed      (JrFuture       *future);
/* A JrConditionFunc on a JrFuture: it has started, or is done already (on
 * a loaded machine a short job may start and end within one dispatch). */
gboolean      jr_test_future_started        (gpointer        future);
/* A JrConditionFunc on a JrFuture: it is done. */
gboolean      jr_test_future_done           (gpointer        future);

/* ---- the child programs (tests/router-child.c, tests/hostile-child.c) ---- */

/* With "--stream" as the first of @argv's arguments: makes the queue to the
 * parent a byte stream on standard output (jr_sender_set_parent_stream()),
 * what the child would print there going to standard error from then on,
 * and drops the argument. Sets *@stream to whether it did. FALSE, with
 * @error saying what failed, if the stream could not be set up. */
gboolean      jr_test_child_take_stream_arg (int            *argc,
                                             char         ***argv,
                                             gboolean       *stream,
                                             GError        **error);

/* ---- temporary folders ---- */

/* A new folder from g_dir_make_tmp(@tmpl); asserts it was made. */
char         *jr_test_make_temp_dir         (const char     *tmpl);
/* Removes @dir and everything below it (links are not followed). */
void          jr_test_remove_temp_dir       (const char     *dir);

G_END_DECLS
