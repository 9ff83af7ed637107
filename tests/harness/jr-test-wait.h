/* jr-test-wait.h — setting a test program up, failing a test, and waiting
 * on a main context.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two ways to wait. jr_test_run_until*() abort the test program, naming
 * what was awaited, when the time is up: for tests that cannot go on.
 * jr_test_wait_*() mark the test failed (jr_test_fail()) and return FALSE:
 * for tests that must clean up (close a window, stop an executor) first.
 * Both iterate the context with a 10 ms tick, so that a condition that no
 * source announces (a thread ending, a process in /proc) is seen too.
 * Waiting never sleeps the context: sources keep being dispatched.
 *
 * Threads: the thread that called jr_test_init().
 */
#pragma once

#if !defined(JOBROUTER_TEST_INSIDE) && !defined(JOBROUTER_TEST_COMPILATION)
#error "Only <jobrouter-test.h> or <jobrouter-test-gui.h> can be included directly."
#endif

#include <jobrouter.h>

G_BEGIN_DECLS

/* ---- setup and failing ---- */

/* g_test_init(), with a log writer that knows expected warnings (see
 * jr_test_expect_warning()); remembers the calling thread as the main
 * thread, and the threads running now, which jr_test_shutdown_executor()
 * expects to find again. In a program that starts worker processes, call
 * it after jr_init(). */
void          jr_test_init                  (int            *argc,
                                             char         ***argv);
GThread      *jr_test_get_main_thread       (void);

/* Marks the running test failed, with @format also on stderr (where
 * g_test_fail_printf() alone does not show it: a trapped subprocess, the
 * default output). The test goes on: return from it. */
void          jr_test_fail                  (const char     *format,
                                             ...) G_GNUC_PRINTF (1, 2);

/* "processes" or "threads": for test paths. */
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
/* Lets pending events settle: dispatches what is ready in the
 * thread-default context, without blocking (at most 1000 iterations:
 * pulsing widgets always have a next frame). */
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

G_END_DECLS
