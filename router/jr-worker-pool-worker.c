/* jr-worker-pool-worker.c — one worker of a pool, as the executor drives
 * it: its messages in, its requests out, and what the executor asks of it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Requests go out on a non-blocking socket: a worker that stops reading
 * them can never block the main thread; what does not fit waits in the
 * worker's outbox until the socket takes it.
 *
 * Its READY and EXITED are the pool's business (a start that worked, a
 * thread that ended): they go back to jr-worker-pool.c
 * (jr_worker_pool_worker_ready(), jr_pool_worker_gone()). What it says of
 * its jobs goes to the executor.
 */
#include "jr-worker-pool-parts-private.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <glib-unix.h>

#include "jr-receiver-private.h"

/* What a worker may say of itself (where it runs, why it gave up) ends up
 * in labels and messages: bounded, one line. */
#define WORKER_HOST_MAX         255
#define WORKER_REASON_MAX       1024

/* Moves @worker to @state, keeping the pool's count of live workers. */
void
jr_pool_worker_set_state (JrPoolWorker      *worker,
                          JrPoolWorkerState  state)
{
  if (worker->state == JR_POOL_WORKER_LIVE && state != JR_POOL_WORKER_LIVE)
    worker->pool->n_live--;
  worker->state = state;
}

/* ---- what a worker says of itself ---- */

/* @text as one line of valid UTF-8 of at most @max bytes, control
 * characters as spaces; NULL if nothing printable is left. A worker's
 * words end up in labels and messages: a hostile one must not fill them
 * with megabytes or fake lines. */
static char *
one_line_of (const char *text,
             gsize       max)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *line = g_string_sized_new (MIN (strlen (valid), max));

  for (const char *c = valid; *c != '\0'; c = g_utf8_next_char (c))
    {
      gunichar ch = g_utf8_get_char (c);
      gsize len = (gsize) (g_utf8_next_char (c) - c);

      if (line->len + len > max)
        break;
      if (g_unichar_iscntrl (ch))
        g_string_append_c (line, ' ');
      else
        g_string_append_len (line, c, (gssize) len);
    }
  g_strstrip (line->str);
  if (line->str[0] == '\0')
    {
      g_string_free (line, TRUE);
      return NULL;
    }
  return g_string_free (line, FALSE);
}

/* ---- messages ---- */

/* Acts on a message read into @parts (and clears them). @message is the
 * whole message, or NULL for one taken in serialized form. */
static void
handle_message (JrPoolWorker      *worker,
                GVariant          *message,
                JrJobMessageParts *parts_in)
{
  JrWorkerPool *pool = worker->pool;
  JrJobMessageParts parts = *parts_in;

  switch (parts.tag)
    {
    case JR_JOB_MSG_READY:
      if (worker->ready)
        break;  /* said twice: nothing new */
      worker->ready = TRUE;
      worker->ready_time = g_get_monotonic_time ();
      jr_clear_source (&worker->ready_timer);
      /* A stream worker says where it runs. */
      if (parts.payload != NULL && g_variant_is_of_type (parts.payload, G_VARIANT_TYPE_VARDICT) &&
          worker->host == NULL)
        {
          const char *host = NULL;

          if (g_variant_lookup (parts.payload, "host", "&s", &host))
            worker->host = one_line_of (host, WORKER_HOST_MAX);
        }
      if (worker->host == NULL)
        worker->host = g_strdup (g_get_host_name ());
      /* All its threads are there now (or, through a command, the
       * command's: the worker set its own from its HELLO). */
      if (worker->pid > 0)
        {
          g_mutex_lock (&pool->priority_lock);
          jr_worker_set_process_priority (worker->pid, pool->nice, pool->idle);
          g_mutex_unlock (&pool->priority_lock);
        }
      jr_worker_pool_worker_ready (worker);
      break;

    case JR_JOB_MSG_FATAL:
      if (worker->fatal_reason == NULL && g_variant_is_of_type (parts.payload, G_VARIANT_TYPE_STRING))
        worker->fatal_reason = one_line_of (g_variant_get_string (parts.payload, NULL),
                                            WORKER_REASON_MAX);
      break;

    case JR_JOB_MSG_EXITED:
      if (worker->thread != NULL)
        {
          g_autoptr(GError) reason = g_error_new_literal (JR_JOB_ERROR, JR_JOB_ERROR_STOPPED,
                                                          "The worker thread has ended");

          /* Its last message: the thread is about to return. */
          g_thread_join (g_steal_pointer (&worker->thread));
          if (worker->state == JR_POOL_WORKER_ABANDONED)
            {
              g_ptr_array_remove_fast (pool->workers, worker);
              /* Its jobs were settled when it was abandoned: told only
               * so that whoever waits for the pool to empty (a stopping
               * executor, a removed group) looks again. */
              if (pool->callbacks.worker_gone != NULL)
                pool->callbacks.worker_gone (worker, reason, pool->user_data);
              jr_pool_worker_free (worker);
            }
          else
            jr_pool_worker_gone (worker, reason);
        }
      break;

    default:
      /* An abandoned thread's job: its future has ended already. */
      if (worker->state != JR_POOL_WORKER_ABANDONED && pool->callbacks.job_message != NULL)
        pool->callbacks.job_message (worker, message, &parts, pool->user_data);
      break;
    }
  jr_job_message_parts_clear (&parts);
}

static void
on_worker_message (JrReceiver *receiver,
                   GVariant   *message,
                   gpointer    user_data)
{
  JrPoolWorker *worker = user_data;
  JrJobMessageParts parts;

  /* A worker that lied once is not believed again: its job fails when it
   * is gone, whatever it reports meanwhile. */
  if (worker->rejected)
    return;
  if (!jr_job_message_parse (message, &parts))
    {
      g_autofree char *reason = g_strdup_printf ("it sent a message of no known shape (of type %s)",
                                                 g_variant_get_type_string (message));

      jr_pool_worker_reject (worker, reason);
      return;
    }
  handle_message (worker, message, &parts);
}

/* The tags alone ("(ty)": STARTED, CANCELLED, RETURNED, READY, EXITED,
 * two of them per job) are read where they lie, with no GVariant made of
 * them; anything else, a malformed one included, comes as a GVariant
 * (progress keeps its message for its text). */
static gboolean
on_worker_data (JrReceiver    *receiver,
                const char    *type,
                gconstpointer  data,
                gsize          size,
                gpointer       user_data)
{
  JrPoolWorker *worker = user_data;
  JrJobMessageParts parts;

  if (strcmp (type, "(ty)") != 0)
    return FALSE;
  if (worker->rejected)
    return TRUE;
  if (!jr_job_message_parse_flat (type, data, size, &parts))
    return FALSE;
  handle_message (worker, NULL, &parts);
  return TRUE;
}

gboolean
jr_pool_worker_open_pipe (JrPoolWorker  *worker,
                          JrSender     **sender,
                          GError       **error)
{
  /* A process's pipe may only carry what its own queue sends: another
   * worker cannot pose as this one. */
  if (worker->channel_id != 0
        ? !jr_router_pipe_for_channel (worker->pool->router, worker->channel_id, sender,
                                       &worker->receiver, error)
        : !jr_router_pipe (worker->pool->router, sender, &worker->receiver, error))
    return FALSE;
  jr_receiver_set_func (worker->receiver, on_worker_message, worker);
  jr_receiver_set_data_func (worker->receiver, on_worker_data);
  return TRUE;
}

/* ---- requests ---- */

static gboolean
flush_outbox (JrPoolWorker *worker)
{
  while (worker->outbox->len > 0)
    {
      ssize_t n = send (worker->request_fd, worker->outbox->data, worker->outbox->len,
                        MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return FALSE;
      if (n < 0)
        {
          /* The worker is dying: its queue will close, and tell. */
          g_byte_array_set_size (worker->outbox, 0);
          break;
        }
      g_byte_array_remove_range (worker->outbox, 0, (guint) n);
    }
  if (worker->close_after_outbox)
    shutdown (worker->request_fd, SHUT_WR);
  return TRUE;
}

static gboolean
on_request_fd_writable (int          fd,
                        GIOCondition condition,
                        gpointer     user_data)
{
  JrPoolWorker *worker = user_data;

  if (!flush_outbox (worker))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&worker->outbox_watch, g_source_unref);
  return G_SOURCE_REMOVE;
}

void
jr_pool_worker_send_request (JrPoolWorker        *worker,
                             JrWorkerRequestKind  kind,
                             guint64              job_id,
                             const char          *name,
                             GVariant            *args)
{
  g_autofree guint8 *frame = NULL;
  gsize size;

  if (worker->request_fd < 0)
    return;
  worker->last_request = g_get_monotonic_time ();
  worker->ack_owed = FALSE;
  frame = jr_worker_request_encode (kind, job_id, name, args, &size);
  g_byte_array_append (worker->outbox, frame, (guint) size);
  if (worker->outbox_watch != NULL || flush_outbox (worker))
    return;

  worker->outbox_watch = g_unix_fd_source_new (worker->request_fd, G_IO_OUT);
  g_source_set_callback (worker->outbox_watch, G_SOURCE_FUNC (on_request_fd_writable), worker,
                         NULL);
  g_source_set_static_name (worker->outbox_watch, "[jobrouter] worker requests");
  g_source_attach (worker->outbox_watch, jr_router_get_context (worker->pool->router));
}

void
jr_pool_worker_run (JrPoolWorker *worker,
                    guint64       job_id,
                    const char   *name,
                    GVariant     *args)
{
  worker->handed_job = TRUE;
  if (worker->runtime != NULL)
    jr_worker_runtime_push (worker->runtime, job_id, name, args);
  else
    jr_pool_worker_send_request (worker, JR_WORKER_REQUEST_RUN, job_id, name, args);
}

/* ---- answering a command worker ----
 *
 * ssh and srun relay a worker's stream over TCP, and Slurm's relay keeps
 * Nagle's algorithm on: a small write waits while the one before it is
 * not acknowledged, and the other end delays its acknowledgement (40 ms
 * on Linux) unless it has data to send back. A job's STARTED and RESULT
 * are two small writes with nothing between: every trivial job through
 * srun took 40 ms. So whenever such a worker says something and no
 * request goes back to it by the end of the dispatch, an ACK does (at most
 * one a millisecond): the acknowledgement rides on it. The worker ignores
 * it. */

#define ACK_INTERVAL_USEC 1000

static gboolean
ack_due (gpointer data)
{
  JrPoolWorker *worker = data;

  g_clear_pointer (&worker->ack_timer, g_source_unref);
  /* Requests still waiting to go carry the acknowledgement when they do;
   * and a worker that reads none must not pile up ACKs here. */
  if (worker->ack_owed && worker->outbox->len == 0)
    jr_pool_worker_send_request (worker, JR_WORKER_REQUEST_ACK, 0, NULL, NULL);
  return G_SOURCE_REMOVE;
}

void
jr_pool_worker_heard (JrPoolWorker *worker)
{
  gboolean recent;

  if (!worker->via_command || worker->request_fd < 0)
    return;
  worker->ack_owed = TRUE;
  if (worker->ack_timer != NULL)
    return;
  /* Never at once: what the executor does with the message may send a
   * request, which carries the acknowledgement, and an ACK just before it
   * would hold it back instead (two small writes). */
  recent = g_get_monotonic_time () - worker->last_request < ACK_INTERVAL_USEC;
  worker->ack_timer = g_timeout_source_new (recent ? 1 : 0);
  g_source_set_callback (worker->ack_timer, ack_due, worker, NULL);
  g_source_set_static_name (worker->ack_timer, "[jobrouter] worker ack");
  g_source_attach (worker->ack_timer, jr_router_get_context (worker->pool->router));
}

/* ---- what the executor asks of it ---- */

void
jr_pool_worker_cancel (JrPoolWorker *worker,
                       guint64       job_id)
{
  if (worker->runtime != NULL)
    jr_worker_runtime_cancel (worker->runtime, job_id);
  else
    jr_pool_worker_send_request (worker, JR_WORKER_REQUEST_CANCEL, job_id, NULL, NULL);
}

gboolean
jr_pool_worker_recall (JrPoolWorker *worker,
                       guint64       job_id)
{
  if (worker->runtime != NULL)
    return jr_worker_runtime_recall (worker->runtime, job_id);
  jr_pool_worker_send_request (worker, JR_WORKER_REQUEST_RECALL, job_id, NULL, NULL);
  return FALSE;
}

void
jr_pool_worker_reject (JrPoolWorker *worker,
                       const char   *reason)
{
  if (!worker->is_process)
    {
      g_warning ("A worker thread %s; ignored", reason);
      return;
    }
  /* Once: what it sends until it is gone is dropped with it. */
  if (worker->rejected)
    return;
  worker->rejected = TRUE;
  if (worker->via_command)
    g_warning ("The worker of group “%s” on %s: %s; killed", worker->pool->group,
               worker->host != NULL ? worker->host : "its machine", reason);
  else
    g_warning ("Worker process %d: %s; killed", worker->pid, reason);
  jr_pool_worker_kill (worker, reason);
}

gboolean
jr_pool_worker_kill (JrPoolWorker *worker,
                     const char   *reason)
{
  JrWorkerPool *pool = worker->pool;

  if (worker->is_process)
    {
      if (worker->kill_reason == NULL)
        worker->kill_reason = g_strdup (reason);
      /* Through a command: its connection closes, and the far side dies
       * with it. */
      jr_pool_worker_kill_group (worker);
      return FALSE;
    }

  /* A thread cannot be killed: let it finish in its own time, its
   * messages dropped, while another takes its place. */
  if (worker->state != JR_POOL_WORKER_ABANDONED)
    {
      jr_pool_worker_set_state (worker, JR_POOL_WORKER_ABANDONED);
      jr_worker_runtime_quit (worker->runtime);
      if (!pool->retired)
        jr_worker_pool_top_up (pool);
    }
  return TRUE;
}

gboolean
jr_pool_worker_is_ready (JrPoolWorker *worker)
{
  return worker->ready;
}

gboolean
jr_pool_worker_is_process (JrPoolWorker *worker)
{
  return worker->is_process;
}

const char *
jr_pool_worker_get_host (JrPoolWorker *worker)
{
  return worker->host;
}

JrWorkerPool *
jr_pool_worker_get_pool (JrPoolWorker *worker)
{
  return worker->pool;
}

/* Asks the worker to end (after the jobs it has, none by the executor's
 * choice): a thread's runtime quits; a local process sees its requests
 * end; a stream worker is told to QUIT, then sees them end. */
static void
ask_to_end (JrPoolWorker *worker)
{
  if (worker->runtime != NULL)
    jr_worker_runtime_quit (worker->runtime);
  else if (worker->via_command && !worker->ready && worker->pid > 0)
    {
      /* Still connecting, or waiting in srun's queue: it holds no job,
       * and may not answer for a long while (a host that is down). */
      jr_pool_worker_end_command (worker);
    }
  else if (worker->request_fd >= 0 && !worker->close_after_outbox)
    {
      /* A stream worker takes the end of its input for a lost
       * connection: QUIT first says it is an orderly end. */
      if (worker->stream)
        jr_pool_worker_send_request (worker, JR_WORKER_REQUEST_QUIT, 0, NULL, NULL);
      /* EOF on its requests, once it has them all: the worker ends. */
      worker->close_after_outbox = TRUE;
      if (worker->outbox_watch == NULL)
        flush_outbox (worker);
      /* A command whose far side does not end (the session held open),
       * or a local worker that does not (an exit handler that waits, or
       * a job that took its requests' socket), is ended after a while:
       * its jobs are over, only the end is left. A local worker still
       * starting has its start's own timeout: it may take longer to
       * read its requests' end than this (heavy imports, a busy
       * machine). */
      if (worker->pid > 0 && (worker->via_command || worker->ready) &&
          worker->kill_signal == 0 && worker->kill_timer == NULL)
        jr_pool_worker_signal (worker, worker->via_command ? JR_POOL_COMMAND_QUIT_DELAY_MS
                                                           : JR_POOL_LOCAL_QUIT_DELAY_MS);
    }
}

void
jr_pool_worker_retire (JrPoolWorker *worker)
{
  if (worker->state == JR_POOL_WORKER_LIVE)
    jr_pool_worker_set_state (worker, JR_POOL_WORKER_RETIRING);
  ask_to_end (worker);
}

void
jr_pool_worker_set_data (JrPoolWorker *worker,
                         gpointer      data)
{
  worker->data = data;
}

gpointer
jr_pool_worker_get_data (JrPoolWorker *worker)
{
  return worker->data;
}
