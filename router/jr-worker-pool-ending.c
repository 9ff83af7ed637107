/* jr-worker-pool-ending.c — ending a pool's workers: signalled, killed and
 * reaped, and the error that their end becomes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A worker started through a command (ssh, srun) has the command's pid:
 * ending such a worker closes its requests (the worker, maybe on another
 * machine, sees its input end and kills its jobs' processes), sends the
 * command SIGTERM (srun then cancels its step at once; its process group
 * is left alone, whose death would leave the step running) and SIGKILL a
 * moment later. A local worker's SIGKILL goes to its process group, which
 * its jobs' commands join.
 */
#include "jr-worker-pool-parts-private.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jr-receiver-private.h"

/* ---- ending workers ---- */

void
jr_pool_worker_close_request_fd (JrPoolWorker *worker)
{
  jr_clear_source (&worker->outbox_watch);
  jr_clear_source (&worker->ack_timer);
  if (worker->request_fd >= 0)
    close (worker->request_fd);
  worker->request_fd = -1;
}

static gboolean signal_due (gpointer data);
static gboolean is_runnable (JrPoolWorker *worker);

/* Sends the worker's process its next signal, after @delay_ms (0: now):
 * SIGTERM first, then SIGKILL. A command (ssh, srun) gets them alone; a
 * local worker's SIGKILL goes to its jobs' commands too (its SIGTERM
 * handler sends them theirs). */
void
jr_pool_worker_signal (JrPoolWorker *worker,
                       guint         delay_ms)
{
  jr_clear_source (&worker->kill_timer);
  if (worker->pid <= 0 || worker->kill_signal == SIGKILL)
    return;
  if (delay_ms == 0)
    {
      /* What it printed so far is echoed: what comes once it is
       * signalled is not (stderr_line(), jr-worker-pool-stderr.c). */
      if (worker->kill_signal == 0 && worker->stderr_fd >= 0)
        jr_pool_worker_stderr_read (worker);
      worker->kill_signal = worker->kill_signal == 0 ? SIGTERM : SIGKILL;
      if (worker->kill_signal == SIGKILL && !worker->via_command)
        {
          jr_pool_worker_kill_group (worker);
          return;
        }
      kill (worker->pid, worker->kill_signal);
      /* A command SIGKILLed is given a last moment for its stream to end
       * (jr_pool_worker_signal_overdue()). */
      delay_ms = JR_POOL_COMMAND_KILL_DELAY_MS;
    }
  worker->kill_timer = jr_worker_pool_add_timeout (worker->pool, delay_ms, signal_due, worker);
  worker->kill_due = g_get_monotonic_time () + (gint64) delay_ms * 1000;
}

/* Its time is up: its next signal, and the first time, a word on why. */
void
jr_pool_worker_signal_overdue (JrPoolWorker *worker)
{
  if (worker->kill_signal == SIGKILL)
    {
      /* The command is gone, but its stream is still open: a process it
       * started holds it (a wrapper script's). Ended here as if it had
       * closed: its worker is gone either way. */
      jr_clear_source (&worker->kill_timer);
      if (worker->stream_fd >= 0)
        shutdown (worker->stream_fd, SHUT_RD);
      return;
    }
  if (worker->kill_signal == 0)
    {
      gboolean idle;

      /* It ended in time, and its end waits among the router's messages,
       * which this thread, busy past the delay, has not dispatched yet:
       * that end comes, and nothing is to be sent to it. */
      if (!worker->via_command && jr_pool_worker_is_exiting (worker))
        {
          jr_clear_source (&worker->kill_timer);
          return;
        }
      worker->outlived = TRUE;
      g_mutex_lock (&worker->pool->priority_lock);
      idle = worker->pool->idle;
      g_mutex_unlock (&worker->pool->priority_lock);
      /* An idle-priority worker that is runnable is starved of the CPU on
       * a busy machine, not waiting in an exit handler: ended all the
       * same, without a warning that would mislead. */
      if (!worker->via_command && !(idle && is_runnable (worker)))
        g_warning ("jobrouter: worker process %d (group “%s”) had not ended %d s after it was "
                   "asked to, with no job left: ending it (does an exit handler wait?)",
                   (int) worker->pid, worker->pool->group, JR_POOL_LOCAL_QUIT_DELAY_MS / 1000);
    }
  jr_pool_worker_signal (worker, 0);
}

static gboolean
signal_due (gpointer data)
{
  JrPoolWorker *worker = data;

  g_clear_pointer (&worker->kill_timer, g_source_unref);
  jr_pool_worker_signal_overdue (worker);
  return G_SOURCE_REMOVE;
}

/* Ends a worker started through a command (ssh, srun): its input ends,
 * so the worker on the far side kills its jobs and exits; the command
 * gets SIGTERM (srun cancels its step), and SIGKILL if it has not ended
 * a moment later. Its own process, not its group: srun's helper must
 * live to cancel the step. */
void
jr_pool_worker_end_command (JrPoolWorker *worker)
{
  jr_pool_worker_close_request_fd (worker);
  if (worker->kill_signal == 0)
    jr_pool_worker_signal (worker, 0);
}

void
jr_pool_worker_kill_group (JrPoolWorker *worker)
{
  if (worker->pid <= 0)
    return;
  if (worker->via_command)
    {
      jr_pool_worker_end_command (worker);
      return;
    }
  /* The worker leads its own group, which its jobs' commands join. It may
   * not have made the group yet: then the process itself. */
  kill (-worker->pid, SIGKILL);
  kill (worker->pid, SIGKILL);
}

/* Reaps a command at once, however it was going: SIGTERM, a moment, then
 * SIGKILL (the pool is going away). */
static void
reap_command_now (JrPoolWorker *worker)
{
  jr_pool_worker_close_request_fd (worker);
  if (worker->pid <= 0)
    return;
  kill (worker->pid, SIGTERM);
  for (int i = 0; i < 50; i++)
    {
      int r = waitpid (worker->pid, &worker->wait_status, WNOHANG);

      if (r == worker->pid || (r < 0 && errno != EINTR))
        {
          worker->pid = 0;
          return;
        }
      g_usleep (10 * 1000);
    }
  kill (worker->pid, SIGKILL);
}

/* Nobody else waits for it: spawned with G_SPAWN_DO_NOT_REAP_CHILD. */
void
jr_pool_worker_reap (JrPoolWorker *worker)
{
  if (worker->pid <= 0)
    return;
  while (waitpid (worker->pid, &worker->wait_status, 0) < 0 && errno == EINTR)
    ;
  worker->pid = 0;
}

/* Tells every command still running (ssh, srun) to end, then gives them
 * one moment together — not one each: sixteen srun workers must not hold
 * the caller for eight seconds. Then SIGKILL for what is left. */
void
jr_worker_pool_end_commands_together (JrWorkerPool *pool)
{
  gint64 deadline = g_get_monotonic_time () + 500 * 1000;
  guint running = 0;

  for (guint i = 0; i < pool->workers->len; i++)
    {
      JrPoolWorker *worker = g_ptr_array_index (pool->workers, i);

      if (worker->pid > 0 && worker->via_command)
        {
          jr_pool_worker_close_request_fd (worker);
          kill (worker->pid, SIGTERM);
          running++;
        }
    }
  while (running > 0 && g_get_monotonic_time () < deadline)
    {
      running = 0;
      for (guint i = 0; i < pool->workers->len; i++)
        {
          JrPoolWorker *worker = g_ptr_array_index (pool->workers, i);
          int r;

          if (worker->pid <= 0 || !worker->via_command)
            continue;
          r = waitpid (worker->pid, &worker->wait_status, WNOHANG);
          if (r == worker->pid || (r < 0 && errno != EINTR))
            worker->pid = 0;
          else
            running++;
        }
      if (running > 0)
        g_usleep (10 * 1000);
    }
  for (guint i = 0; i < pool->workers->len; i++)
    {
      JrPoolWorker *worker = g_ptr_array_index (pool->workers, i);

      if (worker->pid > 0 && worker->via_command)
        {
          kill (worker->pid, SIGKILL);
          jr_pool_worker_reap (worker);
        }
    }
}

void
jr_pool_worker_close_pipe (JrPoolWorker *worker)
{
  JrRouter *router = worker->pool->router;

  if (worker->receiver == NULL)
    return;
  jr_receiver_set_func (worker->receiver, NULL, NULL);
  jr_receiver_set_data_func (worker->receiver, NULL);
  if (jr_router_get_running (router))
    jr_router_close_pipe (router, worker->receiver, NULL);
  g_clear_object (&worker->receiver);
}

void
jr_pool_worker_free (JrPoolWorker *worker)
{
  jr_clear_source (&worker->exit_watch);
  if (worker->pid > 0 && worker->via_command)
    reap_command_now (worker);
  else if (worker->pid > 0)
    jr_pool_worker_kill_group (worker);
  jr_pool_worker_reap (worker);
  jr_pool_worker_close_request_fd (worker);
  jr_clear_source (&worker->kill_timer);
  jr_clear_source (&worker->stderr_watch);
  if (worker->stderr_fd >= 0)
    close (worker->stderr_fd);
  if (worker->stream_fd >= 0)
    close (worker->stream_fd);
  if (worker->stderr_line != NULL)
    g_string_free (worker->stderr_line, TRUE);
  if (worker->stderr_tail != NULL)
    g_string_free (worker->stderr_tail, TRUE);
  g_free (worker->host);
  g_clear_pointer (&worker->outbox, g_byte_array_unref);
  jr_clear_source (&worker->ready_timer);
  if (worker->thread != NULL)
    {
      jr_worker_runtime_quit (worker->runtime);
      /* A job that ignores its cancel: its thread ends in its own time,
       * holding its runtime (its messages go nowhere by then). Nobody
       * waits for it: not an executor dropped from a window being closed.
       * An idle one ends at once. */
      if (jr_worker_runtime_is_running_job (worker->runtime))
        g_thread_unref (worker->thread);
      else
        g_thread_join (worker->thread);
    }
  g_clear_pointer (&worker->runtime, jr_worker_runtime_unref);
  jr_pool_worker_close_pipe (worker);
  g_free (worker->fatal_reason);
  g_free (worker->kill_reason);
  g_free (worker);
}

/* ---- whether it has exited ---- */

/* Whether the process has exited, without reaping it. Its queue closes
 * as it exits, a moment before it is a zombie: give it that moment. */
gboolean
jr_pool_worker_has_exited (JrPoolWorker *worker)
{
  for (int i = 0; i < 20 && worker->pid > 0; i++)
    {
      siginfo_t info = { 0 };

      if (waitid (P_PID, (id_t) worker->pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0 ||
          info.si_pid == worker->pid)
        return TRUE;
      g_usleep (1000);
    }
  return worker->pid <= 0;
}

/* The kernel's PF_EXITING (linux/sched.h), in /proc/PID/stat. */
#define TASK_FLAG_EXITING 0x4u

/* The process's state letter and flags, from /proc/PID/stat. */
static gboolean
read_process_stat (JrPoolWorker *worker,
                   char         *state,
                   unsigned int *flags)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) worker->pid);
  g_autofree char *stat = NULL;
  const char *fields;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  /* After the command's name, which may hold anything: state, ppid, pgrp,
   * session, tty, tpgid, then the flags. */
  fields = strrchr (stat, ')');
  return fields != NULL && sscanf (fields + 1, " %c %*d %*d %*d %*d %*d %u", state, flags) == 2;
}

/* Whether the process is on its way out: set before it closes its files,
 * so before its queue closes, and from then on its exit status is
 * settled, whatever signal comes after. Under load the moment before it
 * is a zombie can be long; this does not wait for it. */
gboolean
jr_pool_worker_is_exiting (JrPoolWorker *worker)
{
  char state;
  unsigned int flags;

  if (worker->pid <= 0)
    return TRUE;
  return read_process_stat (worker, &state, &flags) && (flags & TASK_FLAG_EXITING) != 0;
}

/* Whether the process is runnable ('R' in /proc/PID/stat): not waiting. */
static gboolean
is_runnable (JrPoolWorker *worker)
{
  char state;
  unsigned int flags;

  return worker->pid > 0 && read_process_stat (worker, &state, &flags) && state == 'R';
}

/* ---- what its end says ---- */

/* What a command's end says: "exited with status 255" or "was killed by
 * SIGKILL", and the last lines it printed. */
static char *
describe_command_end (JrPoolWorker *worker)
{
  int status = worker->wait_status;
  g_autofree char *how = NULL;
  g_autofree char *command = jr_launcher_describe (worker->pool->launcher);

  if (WIFSIGNALED (status))
    how = g_strdup_printf ("was killed by %s", jr_worker_signal_name (WTERMSIG (status)));
  else
    how = g_strdup_printf ("exited with status %d", WEXITSTATUS (status));
  if (worker->stderr_tail != NULL && worker->stderr_tail->len > 0)
    return g_strdup_printf ("“%s” %s, saying: %s", command, how, worker->stderr_tail->str);
  return g_strdup_printf ("“%s” %s", command, how);
}

GError *
jr_pool_worker_describe_death (JrPoolWorker *worker)
{
  int status = worker->wait_status;
  const char *group = worker->pool->group;

  if (worker->stream && worker->kill_reason != NULL)
    return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                        "The worker of group “%s”%s%s was ended: %s", group,
                        worker->host != NULL ? " on " : "", worker->host != NULL ? worker->host : "",
                        worker->kill_reason);
  if (worker->stream && worker->fatal_reason != NULL)
    return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                        "The worker of group “%s” could not start: %s", group,
                        worker->fatal_reason);
  if (worker->via_command && !worker->ready)
    {
      g_autofree char *end = describe_command_end (worker);

      /* Its output ended, or was closed as no worker's, while the command
       * ran on: what it printed first was not a worker's HELLO. */
      return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                          "The worker of group “%s” did not start: %s%s", group,
                          worker->cut_short ? "its output ended, or was not a worker's stream "
                                              "(did something print on standard output before "
                                              "the worker, such as a login banner? see any "
                                              "warning before), and then " : "",
                          end);
    }
  if (worker->via_command)
    {
      g_autofree char *end = describe_command_end (worker);

      return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_LOST,
                          "The connection to the worker of group “%s”%s%s was lost: %s%s", group,
                          worker->host != NULL ? " on " : "", worker->host != NULL ? worker->host : "",
                          worker->outlived ? "its stream ended, but not its command, which was "
                                             "ended: " : "",
                          end);
    }

  if (worker->kill_reason != NULL)
    return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                        "The worker process was killed: %s", worker->kill_reason);
  if (worker->fatal_reason != NULL)
    return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                        "The worker process could not start: %s", worker->fatal_reason);
  if (WIFSIGNALED (status))
    {
      int sig = WTERMSIG (status);

      /* A stream worker whose stream was cut (closed as corrupt after a
       * warning, say) kills its own process group, itself included: no
       * job's process may outlive its connection. Its status cannot tell
       * that from a SIGKILL of another cause. */
      return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                          "The worker process was killed by %s (%d, %s)%s",
                          jr_worker_signal_name (sig), sig, g_strsignal (sig),
                          worker->stream && sig == SIGKILL && worker->kill_signal == 0
                          ? "; a stream worker also kills itself so when its stream is cut "
                            "(see a warning before, if any)"
                          : "");
    }
  /* A local worker that ended on its own before it said hello never got
   * to jr_init(): the program run again took another way (a script read
   * from standard input cannot be read again, an argument parsed before
   * jr_init() made it quit). */
  if (!worker->ready)
    return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                        "The worker process exited with status %d before it became a worker: "
                        "a worker runs this program again, with the arguments of "
                        "jr_set_worker_arguments() if set, and must reach jr_init() (a script "
                        "read from standard input cannot be run again)", WEXITSTATUS (status));
  return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_WORKER_CRASHED,
                      "The worker process exited with status %d", WEXITSTATUS (status));
}
