/* jr-worker-pool.c — an executor's worker processes or threads.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A pool is one group of an executor: a launcher and a size. A worker
 * that dies before it is up (it says READY) failed to start: after a few
 * such failures in a row the pool stops trying and says why, instead of
 * spawning for ever. A process worker's death shows as the router's
 * channel-closed, after all its messages. Workers that go away are
 * replaced after a pause that doubles with each one lost in a row (a host
 * that went down is not hammered); one that worked for a while resets
 * it.
 *
 * One worker's messages and requests, starting and ending workers, and a
 * command's standard error each have a file of their own beside this
 * one: jr-worker-pool-parts-private.h says which.
 */
#include "jr-worker-pool-parts-private.h"

#include <sys/wait.h>

/* Spawns per second at most, as a multiple of the pool's size: a job that
 * crashes every worker must not turn the pool into a fork bomb. */
#define RESPAWN_WINDOW_USEC     G_USEC_PER_SEC
#define RESPAWNS_PER_WINDOW     2
#define RESPAWN_DELAY_MS        250
/* Workers that die before they are ready, in a row, before giving up. */
#define MAX_START_FAILURES      3
/* Respawn pauses after workers of a command launcher were lost in a
 * row: RESPAWN_DELAY_MS, doubling, at most BACKOFF_MAX_MS. A worker that
 * was up for BACKOFF_RESET_USEC before it went resets the count. */
#define BACKOFF_MAX_MS          (30 * 1000)
#define BACKOFF_RESET_USEC      (10 * G_USEC_PER_SEC)

/* ---- giving up, a worker gone, the pool back to size ---- */

static void
give_up (JrWorkerPool *pool,
         GError       *error)
{
  pool->gave_up = TRUE;
  jr_clear_source (&pool->respawn_timer);
  g_clear_error (&pool->failure);
  pool->failure = error;
  /* Said where it belongs (the executor's worker-error, the futures it
   * fails): a warning of the library's own would say it again, on the
   * terminal of an application that already shows it. */
  g_debug ("%s", error->message);
  if (pool->callbacks.start_failed != NULL)
    pool->callbacks.start_failed (error, pool->user_data);
}

/* A worker failed before it was ready (or could not be made at all). */
static void
count_start_failure (JrWorkerPool *pool,
                     const char   *what)
{
  /* Those still starting when the pool gave up count no more. */
  if (pool->gave_up || ++pool->start_failures < MAX_START_FAILURES)
    return;
  if (!jr_launcher_get_is_local (pool->launcher))
    give_up (pool, g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER,
                                "No worker of group “%s” could be started (%u tries in a row): %s",
                                pool->group, pool->start_failures, what));
  else
    give_up (pool, g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER,
                                "No worker %s could be started (%u tries in a row): %s",
                                pool->transport == JR_TRANSPORT_PROCESSES ? "process" : "thread",
                                pool->start_failures, what));
}

static gboolean respawn_due (gpointer data);

/* Brings the pool back to size after a worker went: at once, or, for a
 * command launcher that lost workers in a row, after a pause that doubles
 * with each (a host that went down is not called again and again). */
static void
respawn (JrWorkerPool *pool)
{
  guint delay;

  if (pool->losses == 0 || pool->respawn_timer != NULL)
    {
      jr_worker_pool_top_up (pool);
      return;
    }
  delay = RESPAWN_DELAY_MS << MIN (pool->losses - 1, 10u);
  pool->respawn_timer = jr_worker_pool_add_timeout (pool, MIN (delay, BACKOFF_MAX_MS),
                                                    respawn_due, pool);
}

/* Takes @worker out of the pool, tells the executor, frees it. */
void
jr_pool_worker_gone (JrPoolWorker *worker,
                     const GError *reason)
{
  JrWorkerPool *pool = worker->pool;
  gboolean failed_to_start = !worker->ready && worker->state == JR_POOL_WORKER_LIVE;

  /* Workers of a command that go away (or never start) in a row make the
   * next start wait longer; one that worked a while, or was retired,
   * resets that. */
  if (worker->via_command)
    {
      if (worker->state != JR_POOL_WORKER_LIVE ||
          (worker->ready && g_get_monotonic_time () - worker->ready_time >= BACKOFF_RESET_USEC))
        pool->losses = 0;
      else if (worker->kill_reason == NULL)
        pool->losses++;
    }
  /* One that had started shows that workers can start: a pool that gave
   * up on the others (a node busy then, a flaky launcher) tries again, or
   * it would shrink for good and its jobs fail with an old reason. */
  if (worker->ready && worker->state == JR_POOL_WORKER_LIVE && pool->gave_up && !pool->retired)
    {
      pool->gave_up = FALSE;
      pool->start_failures = 0;
      g_clear_error (&pool->failure);
    }
  jr_pool_worker_set_state (worker, JR_POOL_WORKER_RETIRING);
  g_ptr_array_remove_fast (pool->workers, worker);
  jr_pool_worker_close_pipe (worker);
  if (pool->callbacks.worker_gone != NULL)
    pool->callbacks.worker_gone (worker, reason, pool->user_data);
  jr_pool_worker_free (worker);

  if (pool->retired)
    return;
  if (failed_to_start)
    count_start_failure (pool, reason->message);
  if (!pool->gave_up)
    respawn (pool);
}

/* @worker said READY (once): workers can start, and a stream worker now
 * takes jobs. */
void
jr_worker_pool_worker_ready (JrPoolWorker *worker)
{
  JrWorkerPool *pool = worker->pool;

  pool->start_failures = 0;
  g_clear_pointer (&pool->start_lines, g_hash_table_unref);
  /* Not one being ended (its group shrank or went while it
   * connected): it said READY before it heard. */
  if (worker->via_command && worker->state == JR_POOL_WORKER_LIVE && !pool->retired &&
      pool->callbacks.worker_added != NULL)
    pool->callbacks.worker_added (worker, pool->user_data);
}

static void process_gone (JrPoolWorker *worker);

static void
on_command_exited (GPid     pid,
                   gint     status,
                   gpointer user_data)
{
  JrPoolWorker *worker = user_data;

  /* GLib reaped it. */
  g_clear_pointer (&worker->exit_watch, g_source_unref);
  worker->wait_status = status;
  worker->pid = 0;
  process_gone (worker);
}

static void
process_gone (JrPoolWorker *worker)
{
  g_autoptr(GError) reason = NULL;

  if (worker->exit_watch != NULL)
    return;   /* waiting for its command to end */

  /* Its queue closed: the process has exited (its status is set then, and
   * a kill changes nothing), or it broke its queue's protocol, the router
   * closed the queue, and the worker must go. Its jobs' commands go with
   * it. */
  if (worker->via_command && worker->pid > 0 && !jr_pool_worker_has_exited (worker))
    {
      /* A command (ssh, srun) is not waited for here: it may take a moment
       * to end after its stream (ssh waits for the far side's status), or
       * its stream was closed as corrupt (a warning said so). Its input
       * ends now; it gets a moment to exit by itself, then SIGTERM and
       * SIGKILL. Ended, it comes back here (from its child watch, or
       * from jr_worker_pool_poll()). */
      jr_pool_worker_close_request_fd (worker);
      if (!worker->ready)
        {
          /* Its start is over: what cut its stream (a login banner, say)
           * is what its end will say, not a start timeout that would run
           * out while the command lingers. */
          worker->cut_short = TRUE;
          jr_clear_source (&worker->ready_timer);
        }
      if (worker->kill_signal == 0 && worker->kill_timer == NULL)
        jr_pool_worker_signal (worker, JR_POOL_COMMAND_KILL_DELAY_MS);
      worker->exit_watch = g_child_watch_source_new (worker->pid);
      g_source_set_callback (worker->exit_watch, G_SOURCE_FUNC (on_command_exited), worker, NULL);
      g_source_set_static_name (worker->exit_watch, "[jobrouter] worker command");
      g_source_attach (worker->exit_watch, jr_router_get_context (worker->pool->router));
      return;
    }
  if (!worker->via_command && worker->kill_reason == NULL &&
      !jr_pool_worker_is_exiting (worker) && !jr_pool_worker_has_exited (worker))
    worker->kill_reason = g_strdup (worker->stream
                                    ? "it broke the protocol of its stream, which was closed "
                                      "(see the warning before), or it closed its output"
                                    : "it broke the protocol of its queue, which was closed "
                                      "(see the warning before)");
  jr_pool_worker_kill_group (worker);
  jr_pool_worker_reap (worker);
  jr_pool_worker_close_request_fd (worker);
  jr_pool_worker_stderr_drain (worker);
  reason = jr_pool_worker_describe_death (worker);
  jr_pool_worker_gone (worker, reason);
}

static void
on_channel_closed (JrRouter *router,
                   guint64   channel_id,
                   gpointer  user_data)
{
  JrWorkerPool *pool = user_data;

  for (guint i = 0; i < pool->workers->len; i++)
    {
      JrPoolWorker *worker = g_ptr_array_index (pool->workers, i);

      if (worker->is_process && worker->channel_id == channel_id)
        {
          process_gone (worker);
          return;
        }
    }
}

static gboolean
respawn_due (gpointer data)
{
  JrWorkerPool *pool = data;

  g_clear_pointer (&pool->respawn_timer, g_source_unref);
  jr_worker_pool_top_up (pool);
  return G_SOURCE_REMOVE;
}

/* Brings the pool up to size, at most RESPAWNS_PER_WINDOW × size spawns a
 * window. */
void
jr_worker_pool_top_up (JrWorkerPool *pool)
{
  gint64 now = g_get_monotonic_time ();

  if (pool->retired || pool->gave_up || pool->respawn_timer != NULL)
    return;

  while (pool->spawn_times->len > 0 &&
         g_array_index (pool->spawn_times, gint64, 0) < now - RESPAWN_WINDOW_USEC)
    g_array_remove_index (pool->spawn_times, 0);

  while (pool->n_live < pool->size)
    {
      g_autoptr(GError) error = NULL;
      JrPoolWorker *worker;

      if (pool->spawn_times->len >= RESPAWNS_PER_WINDOW * pool->size)
        {
          pool->respawn_timer = jr_worker_pool_add_timeout (pool, RESPAWN_DELAY_MS,
                                                            respawn_due, pool);
          return;
        }

      g_array_append_val (pool->spawn_times, now);
      if (pool->transport == JR_TRANSPORT_THREADS)
        worker = jr_worker_pool_spawn_thread_worker (pool, &error);
      else if (jr_launcher_get_is_local (pool->launcher))
        worker = jr_worker_pool_spawn_process_worker (pool, &error);
      else
        worker = jr_worker_pool_spawn_stream_worker (pool, &error);
      if (worker == NULL)
        {
          /* Not being able to even try is no reason to try again. */
          if (g_error_matches (error, JR_JOB_ERROR, JR_JOB_ERROR_NO_WORKER))
            {
              give_up (pool, g_steal_pointer (&error));
              return;
            }
          count_start_failure (pool, error->message);
          if (!pool->gave_up)
            pool->respawn_timer = jr_worker_pool_add_timeout (pool, RESPAWN_DELAY_MS,
                                                              respawn_due, pool);
          return;
        }
      g_ptr_array_add (pool->workers, worker);
      pool->n_live++;
      /* One through a command (ssh to a host that does not answer, srun
       * waiting in its queue) takes jobs once it is up: given one before,
       * it would hold it while the others idle. */
      if (pool->callbacks.worker_added != NULL && !worker->via_command)
        pool->callbacks.worker_added (worker, pool->user_data);
      /* The callback may have retired the pool. */
      if (pool->retired)
        return;
    }
}

/* ---- the pool ---- */

JrWorkerPool *
jr_worker_pool_new (JrRouter                    *router,
                    JrTransport                  transport,
                    JrLauncher                  *launcher,
                    const char                  *group,
                    guint                        size,
                    const char * const          *argv,
                    const JrWorkerPoolCallbacks *callbacks,
                    gpointer                     user_data)
{
  JrWorkerPool *pool = g_new0 (JrWorkerPool, 1);

  g_return_val_if_fail (transport == JR_TRANSPORT_PROCESSES || jr_launcher_get_is_local (launcher),
                        NULL);

  pool->router = g_object_ref (router);
  pool->transport = transport;
  pool->launcher = g_object_ref (launcher);
  pool->group = g_strdup (group);
  pool->size = size;
  pool->callbacks = *callbacks;
  pool->user_data = user_data;
  pool->workers = g_ptr_array_new ();
  pool->spawn_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  pool->argv = argv != NULL ? g_strdupv ((char **) argv) : NULL;
  pool->own_args = jr_worker_dup_worker_arguments ();
  g_mutex_init (&pool->priority_lock);
  if (transport == JR_TRANSPORT_PROCESSES)
    pool->channel_closed_id = g_signal_connect (router, "channel-closed",
                                                G_CALLBACK (on_channel_closed), pool);
  return pool;
}

void
jr_worker_pool_free (JrWorkerPool *pool)
{
  pool->retired = TRUE;
  jr_clear_source (&pool->respawn_timer);
  g_clear_signal_handler (&pool->channel_closed_id, pool->router);
  jr_worker_pool_end_commands_together (pool);
  for (guint i = 0; i < pool->workers->len; i++)
    jr_pool_worker_free (g_ptr_array_index (pool->workers, i));
  g_ptr_array_unref (pool->workers);
  g_array_unref (pool->spawn_times);
  g_clear_error (&pool->failure);
  g_clear_pointer (&pool->start_lines, g_hash_table_unref);
  g_strfreev (pool->argv);
  g_strfreev (pool->own_args);
  g_mutex_clear (&pool->priority_lock);
  g_object_unref (pool->launcher);
  g_free (pool->group);
  g_object_unref (pool->router);
  g_free (pool);
}

void
jr_worker_pool_fill (JrWorkerPool *pool)
{
  if (pool->gave_up)
    {
      /* A new round, paced as the first: its pauses do not grow on from
       * the last one's. */
      pool->gave_up = FALSE;
      pool->start_failures = 0;
      pool->losses = 0;
      g_clear_pointer (&pool->start_lines, g_hash_table_unref);
      g_clear_error (&pool->failure);
    }
  jr_worker_pool_top_up (pool);
}

void
jr_worker_pool_retire (JrWorkerPool *pool)
{
  pool->retired = TRUE;
  jr_clear_source (&pool->respawn_timer);
  for (guint i = 0; i < pool->workers->len; i++)
    jr_pool_worker_retire (g_ptr_array_index (pool->workers, i));
}

gboolean
jr_worker_pool_is_empty (JrWorkerPool *pool)
{
  return pool->workers->len == 0;
}

guint
jr_worker_pool_get_n_workers (JrWorkerPool *pool)
{
  return pool->n_live;
}

const GError *
jr_worker_pool_get_failure (JrWorkerPool *pool)
{
  return pool->gave_up ? pool->failure : NULL;
}

void
jr_worker_pool_set_priority (JrWorkerPool *pool,
                             int           nice_value,
                             gboolean      idle)
{
  g_mutex_lock (&pool->priority_lock);
  pool->nice = nice_value;
  pool->idle = idle;
  for (guint i = 0; i < pool->workers->len; i++)
    {
      JrPoolWorker *worker = g_ptr_array_index (pool->workers, i);
      int tid = g_atomic_int_get (&worker->tid);

      /* A stream worker sets its own, as told: after the setup its HELLO
       * gave it, which it applies as it starts (maybe after this call).
       * Through a command, the command here gets it too; started directly,
       * it is set here at once as well. */
      if (worker->stream && worker->state == JR_POOL_WORKER_LIVE)
        jr_pool_worker_send_request (worker, JR_WORKER_REQUEST_PRIORITY, 0, NULL,
                                     g_variant_new ("(ib)", (gint32) nice_value, idle));
      if (tid > 0 && worker->state == JR_POOL_WORKER_LIVE && worker->is_process)
        jr_worker_set_process_priority (tid, nice_value, idle);
      else if (tid > 0 && worker->state == JR_POOL_WORKER_LIVE)
        jr_worker_set_priority (tid, nice_value, idle);
    }
  g_mutex_unlock (&pool->priority_lock);
}

void
jr_worker_pool_set_size (JrWorkerPool *pool,
                         guint         size)
{
  pool->size = size;
  /* Fewer: those not up yet go first, here (the executor does not know
   * them: they take jobs once up); then the executor retires those it
   * picks. The newest first: the older ones are the nearest to being up. */
  for (guint i = pool->workers->len; i > 0 && pool->n_live > size; i--)
    {
      JrPoolWorker *worker = g_ptr_array_index (pool->workers, i - 1);

      if (worker->via_command && !worker->ready && worker->state == JR_POOL_WORKER_LIVE)
        jr_pool_worker_retire (worker);
    }
  jr_worker_pool_top_up (pool);
}

guint
jr_worker_pool_get_size (JrWorkerPool *pool)
{
  return pool->size;
}

void
jr_worker_pool_poll (JrWorkerPool *pool)
{
  /* A copy: process_gone() takes workers out. */
  g_autoptr(GPtrArray) waiting = g_ptr_array_new ();

  for (guint i = 0; i < pool->workers->len; i++)
    {
      JrPoolWorker *worker = g_ptr_array_index (pool->workers, i);

      if (worker->exit_watch != NULL)
        g_ptr_array_add (waiting, worker);
      /* A worker asked to end that has not: its signal is due, and the
       * caller (a shutdown) runs no timers. */
      else if (worker->kill_timer != NULL && worker->kill_due <= g_get_monotonic_time ())
        jr_pool_worker_signal_overdue (worker);
    }
  for (guint i = 0; i < waiting->len; i++)
    {
      JrPoolWorker *worker = g_ptr_array_index (waiting, i);
      int status = 0;

      if (worker->kill_timer != NULL && worker->kill_due <= g_get_monotonic_time ())
        jr_pool_worker_signal_overdue (worker);
      /* The watch goes first: GLib must not reap what we reap. */
      jr_clear_source (&worker->exit_watch);
      if (waitpid (worker->pid, &status, WNOHANG) == worker->pid)
        {
          worker->wait_status = status;
          worker->pid = 0;
          process_gone (worker);
          continue;
        }
      worker->exit_watch = g_child_watch_source_new (worker->pid);
      g_source_set_callback (worker->exit_watch, G_SOURCE_FUNC (on_command_exited), worker, NULL);
      g_source_set_static_name (worker->exit_watch, "[jobrouter] worker command");
      g_source_attach (worker->exit_watch, jr_router_get_context (pool->router));
    }
}
