/* jr-test-process.h — what this process holds (threads, child processes,
 * read from /proc), and an executor shut down with nothing left behind.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: the thread that called jr_test_init().
 */
#pragma once

#if !defined(JOBROUTER_TEST_INSIDE) && !defined(JOBROUTER_TEST_COMPILATION)
#error "Only <jobrouter-test.h> or <jobrouter-test-gui.h> can be included directly."
#endif

#include <jobrouter.h>

G_BEGIN_DECLS

/* ---- an executor's end ---- */

/* Shuts @executor down (10 s at most) and checks it ended clean: stopped,
 * no worker, no thread more than at jr_test_init() (GLib's and GTK's own
 * threads aside), no child process left, not even a zombie. A failure
 * marks the test failed, naming the threads or processes left. */
void          jr_test_shutdown_executor     (JrExecutor     *executor);
/* Takes @executor and shuts it down as above, then drops it, when the
 * running test ends (g_test_queue_destroy()): for executors a test makes
 * and must not leave running whatever it asserts. Returns @executor. */
JrExecutor   *jr_test_shutdown_at_teardown  (JrExecutor     *executor);

/* ---- this process (from /proc) ---- */

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
/* Open fds, leaving out the one that reads /proc/self/fd. */
guint         jr_test_count_fds             (void);
/* " TID(NAME)" for each thread. */
char         *jr_test_describe_threads      (void);
/* Threads that are not library threads: those GLib, GDBus, GTK, Mesa...
 * start on demand and keep for the life of the process, by name. @names
 * (if not NULL) gets " TID(NAME)" of each one counted. */
guint         jr_test_count_own_threads     (GString        *names);

G_END_DECLS
