/* jr-test.h — the harness that every test program here links: waiting on a
 * main context, the process's threads, fds and children, expected
 * warnings, the data that test programs share with the child programs
 * they spawn, a log of a future's states, temporary folders.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GLib only, no GTK: jr-test-gui.h adds what the GUI tests need. The
 * benchmarks link it too.
 *
 * Two ways to wait. jr_test_run_until*() abort the test program, naming
 * what was awaited, when the time is up: for tests that cannot go on.
 * jr_test_wait_*() mark the test failed (jr_test_fail()) and return FALSE:
 * for tests that must clean up (close a window, stop an executor) first.
 * Both iterate the context with a 10 ms tick, so that a condition that no
 * source announces (a thread ending, a process in /proc) is seen too.
 *
 * Threads: everything here is for the main thread (the one that called
 * jr_test_init()), except: the data shared with child programs (any thread,
 * any process), and the expected warnings, which match warnings logged on
 * any thread.
 */
#pragma once

#include <gio/gio.h>

#include "jobrouter.h"

G_BEGIN_DECLS

/* ---- setup and failing ---- */

/* g_test_init(), with a log writer that knows expected warnings (see
 * jr_test_expect_warning()); remembers the calling thread as the main
 * thread. */
void          jr_test_init                  (int            *argc,
                                             char         ***argv);
GThread      *jr_test_get_main_thread       (void);

/* Marks the running test failed, with @format also on stderr (where
 * g_test_fail_printf() alone does not show it: a trapped subprocess, the
 * default output). The test goes on: return from it. */
void          jr_test_fail                  (const char     *format,
                                             ...) G_GNUC_PRINTF (1, 2);

const char   *jr_test_transport_name        (JrTransport     transport);
/* The nick of @state: "waiting", "executing", "cancelling", ... */
const char   *jr_test_future_state_name     (JrFutureState   state);

/* ---- waiting on a main context ---- */

/* A GSourceFunc: sets the gboolean at @flag, once. */
gboolean      jr_test_set_flag              (gpointer        flag);
/* A JrConditionFunc: the gboolean at @flag is set. */
gboolean      jr_test_flag_is_set           (gpointer        flag);
/* A JrConditionFunc: the pointer at @location is not NULL. */
gboolean      jr_test_pointer_is_set        (gpointer        location);
/* A GAsyncReadyCallback for g_subprocess_wait_async(): asserts the wait
 * worked and sets the gboolean at @flag. */
void          jr_test_on_subprocess_exited  (GObject        *source,
                                             GAsyncResult   *result,
                                             gpointer        flag);

/* Iterates @context (NULL: the thread-default one) until @condition holds,
 * checked after each dispatch and every 10 ms, or until @timeout_usec have
 * passed. Fails nothing: returns whether @condition holds. */
gboolean      jr_test_iterate_until         (GMainContext   *context,
                                             JrConditionFunc condition,
                                             gpointer        data,
                                             gint64          timeout_usec);

/* As jr_test_iterate_until(); on timeout the program aborts with "timed
 * out after N s waiting for @what". */
void          jr_test_run_until             (JrConditionFunc condition,
                                             gpointer        data,
                                             gint64          timeout_usec,
                                             const char     *what);
void          jr_test_run_until_in          (GMainContext   *context,
                                             JrConditionFunc condition,
                                             gpointer        data,
                                             gint64          timeout_usec,
                                             const char     *what);
/* Until @future is done; a timeout names its job, title and state. */
void          jr_test_run_until_done        (JrFuture       *future,
                                             gint64          timeout_usec);
void          jr_test_run_until_done_in     (GMainContext   *context,
                                             JrFuture       *future,
                                             gint64          timeout_usec);
/* Lets the thread-default context run for @msec: for what must NOT
 * happen. */
void          jr_test_run_for               (guint           msec);
/* Dispatches what is ready in the thread-default context, without
 * blocking (at most 1000 iterations: pulsing widgets always have a next
 * frame). */
void          jr_test_drain_main_context    (void);

/* Whether @object, whose @pspec just notified (NULL for the first check),
 * is in the awaited state. */
typedef gboolean (*JrTestCondition) (GObject    *object,
                                     GParamSpec *pspec,
                                     gpointer    user_data);

/* Iterates the thread-default context until @condition holds: checked at
 * once, then on each notification of @property. On timeout the test is
 * marked failed with the object's type, the property and its value, and
 * FALSE is returned. */
gboolean      jr_test_wait_property         (GObject        *object,
                                             const char     *property,
                                             JrTestCondition condition,
                                             gpointer        user_data,
                                             gint64          timeout_usec);
/* JrTestConditions on a JrFuture. jr_test_state_is: @user_data is
 * GINT_TO_POINTER (JrFutureState). */
gboolean      jr_test_state_is              (GObject        *object,
                                             GParamSpec     *pspec,
                                             gpointer        user_data);
gboolean      jr_test_done                  (GObject        *object,
                                             GParamSpec     *pspec,
                                             gpointer        user_data);

#define jr_test_wait_state(future, state, timeout_usec) \
  jr_test_wait_property (G_OBJECT (future), "state", jr_test_state_is, \
                         GINT_TO_POINTER (state), (timeout_usec))
#define jr_test_wait_done(future, timeout_usec) \
  jr_test_wait_property (G_OBJECT (future), "done", jr_test_done, NULL, (timeout_usec))

/* ---- this process: threads, fds, children, memory (from /proc) ---- */

/* One line of /proc/PID/stat (or /proc/self/task/TID/stat). */
typedef struct {
  int  pid;
  char name[64];   /* the command name */
  char state;      /* 'R', 'S', 'Z' (zombie)... */
  int  ppid;
  long nice;
  int  policy;
} JrTestProcStat;

gboolean      jr_test_read_proc_stat        (const char     *path,
                                             JrTestProcStat *out);
/* The child processes of this process; zombies (exited, not yet reaped)
 * only if @with_zombies. (element-type JrTestProcStat) */
GArray       *jr_test_list_children         (gboolean        with_zombies);
guint         jr_test_count_children        (gboolean        with_zombies);
/* " PID(NAME,STATE)" for each child, zombies included. */
char         *jr_test_describe_children     (void);
/* Whether process @pid has exited (a zombie has). */
gboolean      jr_test_process_is_gone       (int             pid);

guint         jr_test_count_threads         (void);
/* Threads that are not library threads: those GLib, GDBus, GTK, Mesa...
 * start on demand and keep for the life of the process, by name. @names
 * (if not NULL) gets " TID(NAME)" of each one counted. */
guint         jr_test_count_own_threads     (GString        *names);

/* Open fds, leaving out the one that reads /proc/self/fd. */
guint         jr_test_count_fds             (void);
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

/* ---- expected warnings ---- */

/* Warnings of the "jobrouter" log domain are fatal under g_test, unless a
 * test declares them; needs jr_test_init(). A match is counted, not
 * printed, and wakes the default main context. */

/* A warning matching @pattern (g_pattern_match_simple) must be logged
 * before jr_test_check_expected_warnings(); it may be logged more than
 * once. */
void          jr_test_expect_warning        (const char     *pattern);
/* Warnings matching @pattern may be logged, or not. */
void          jr_test_allow_warnings        (const char     *pattern);
/* A JrConditionFunc: every expected warning was logged. */
gboolean      jr_test_expected_warnings_seen (gpointer       unused);
/* Asserts that every expected warning was logged, and forgets all
 * expectations. */
void          jr_test_check_expected_warnings (void);

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

/* ---- temporary folders ---- */

/* A new folder from g_dir_make_tmp(@tmpl); asserts it was made. */
char         *jr_test_make_temp_dir         (const char     *tmpl);
/* Removes @dir and everything below it (links are not followed). */
void          jr_test_remove_temp_dir       (const char     *dir);

G_END_DECLS
