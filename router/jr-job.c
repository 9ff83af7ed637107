/* jr-job.c — the job registry and what runs a job inside a worker.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-job-private.h"

#include <string.h>

#include "jr-job-message-private.h"
#include "jr-sender-private.h"

/* A job's progress reports go out at once, up to PROGRESS_BURST of them
 * in PROGRESS_WINDOW_USEC; beyond that only the latest is kept, and it
 * goes out with the job's next report after the window, or before its
 * next message, or at its end. A job that reports in a tight loop then
 * costs the GUI a few hundred messages a second, not a few hundred
 * thousand, and a job that reports now and then is never held back. */
#define PROGRESS_WINDOW_USEC 10000
#define PROGRESS_BURST       4

struct _JrJob {
  JrSender     *sender;
  guint64       id;
  GCancellable *cancellable;
  gint64        window_start;
  guint         sent_in_window;
  gboolean      held;            /* a report waits */
  double        held_fraction;
  char         *held_text;
};

static GHashTable *registry;   /* name → JrJobKindInfo */

static void
kind_info_free (JrJobKindInfo *info)
{
  if (info->destroy != NULL)
    info->destroy (info->user_data);
  g_free (info->name);
  g_clear_pointer (&info->args_type, g_variant_type_free);
  g_free (info->unavailable_reason);
  g_free (info);
}

static void
register_kind (const char         *name,
               JrJobFunc           func,
               JrJobDataFunc       data_func,
               gpointer            user_data,
               GDestroyNotify      destroy,
               const GVariantType *args_type,
               const char         *unavailable_reason)
{
  JrJobKindInfo *info;

  if (registry == NULL)
    registry = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) kind_info_free);

  info = g_new0 (JrJobKindInfo, 1);
  info->name = g_strdup (name);
  info->func = func;
  info->data_func = data_func;
  info->user_data = user_data;
  info->destroy = destroy;
  info->args_type = args_type ? g_variant_type_copy (args_type) : NULL;
  info->unavailable_reason = g_strdup (unavailable_reason);
  /* A kind registered again replaces the old one, whose data goes. */
  g_hash_table_replace (registry, info->name, info);
}

/**
 * jr_register_job_full: (skip)
 * @name: the job's name, unique in the program
 * @func: (scope forever): the job function
 * @args_type: (nullable): the type its arguments must have, or %NULL for any
 * @unavailable_reason: (nullable): when not %NULL, the job kind cannot run
 *   here (a missing tool, say) and submitting it fails with this reason
 *
 * Registers a job kind. Call it from main(), before jr_init(), in the same
 * order in every run: worker processes are this program run again.
 *
 * Not for language bindings (a `scope forever` callback with no data):
 * they use [func@Jr.register_job_with_data].
 *
 * Since: 0.1
 */
void
jr_register_job_full (const char         *name,
                      JrJobFunc           func,
                      const GVariantType *args_type,
                      const char         *unavailable_reason)
{
  g_return_if_fail (name != NULL && *name != '\0');
  g_return_if_fail (func != NULL);

  register_kind (name, func, NULL, NULL, NULL, args_type, unavailable_reason);
}

/**
 * jr_register_job_with_data:
 * @name: the job's name, unique in the program
 * @func: (scope notified) (closure user_data) (destroy destroy): the job function
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data once the job kind is replaced
 * @args_type: (nullable): the type its arguments must have, or %NULL for any
 * @unavailable_reason: (nullable): when not %NULL, the job kind cannot run
 *   here (a missing tool, say) and submitting it fails with this reason
 *
 * Registers a job kind whose function takes data of its own: what
 * language bindings call (in Python, the `Jr.register_job()` of the
 * override module wraps it). Otherwise as jr_register_job_full() in C:
 * call it from main(), before jr_init(), in the same order in every run,
 * since worker processes are this program run again. Registering a name
 * again replaces the old kind and calls its @destroy.
 *
 * @func runs on a worker's thread, never the thread that registered it,
 * and two jobs of the same kind may run at once in one process (with
 * %JR_TRANSPORT_THREADS): @user_data must bear that.
 *
 * Since: 0.2
 */
void
jr_register_job_with_data (const char         *name,
                           JrJobDataFunc       func,
                           gpointer            user_data,
                           GDestroyNotify      destroy,
                           const GVariantType *args_type,
                           const char         *unavailable_reason)
{
  g_return_if_fail (name != NULL && *name != '\0');
  g_return_if_fail (func != NULL);

  register_kind (name, NULL, func, user_data, destroy, args_type, unavailable_reason);
}

/**
 * jr_register_job: (skip)
 * @name: the job's name, unique in the program
 * @func: (scope forever): the job function
 *
 * Registers a job kind that takes any arguments. See
 * jr_register_job_full().
 *
 * Since: 0.1
 */
void
jr_register_job (const char *name,
                 JrJobFunc   func)
{
  jr_register_job_full (name, func, NULL, NULL);
}

const JrJobKindInfo *
jr_job_registry_lookup (const char *name)
{
  return registry ? g_hash_table_lookup (registry, name) : NULL;
}

gboolean
jr_job_registry_check (const char *name,
                       GVariant   *args,
                       GError    **error)
{
  const JrJobKindInfo *info = jr_job_registry_lookup (name);

  if (info == NULL)
    {
      g_set_error (error, JR_JOB_ERROR, JR_JOB_ERROR_UNKNOWN_JOB,
                   "No job named “%s” is registered", name);
      return FALSE;
    }
  if (info->unavailable_reason != NULL)
    {
      g_set_error (error, JR_JOB_ERROR, JR_JOB_ERROR_UNAVAILABLE,
                   "The job “%s” is not available: %s", name, info->unavailable_reason);
      return FALSE;
    }
  if (info->args_type != NULL &&
      (args == NULL || !g_variant_is_of_type (args, info->args_type)))
    {
      g_autofree char *want = g_variant_type_dup_string (info->args_type);

      g_set_error (error, JR_JOB_ERROR, JR_JOB_ERROR_INVALID_ARGS,
                   "The job “%s” takes arguments of type %s, not %s", name, want,
                   args ? g_variant_get_type_string (args) : "nothing");
      return FALSE;
    }
  return TRUE;
}

static gboolean
cancelled_error (JrJob   *job,
                 GError **error)
{
  return !g_cancellable_set_error_if_cancelled (job->cancellable, error);
}

/* Sends the report held back by the thinning, if any. */
static gboolean
send_held_progress (JrJob   *job,
                    GError **error)
{
  g_autofree char *text = g_steal_pointer (&job->held_text);

  if (!job->held)
    return TRUE;
  job->held = FALSE;
  return jr_job_message_send_progress (job->sender, job->id, job->held_fraction, text, error);
}

/**
 * jr_job_progress:
 * @job: the running job
 * @fraction: how far the job is, 0 to 1, or negative when unknown
 * @text: (nullable): what the job is doing
 * @error: return location for an error
 *
 * Reports progress to the job's future. Reports made in a tight loop are
 * thinned out on the way (a few every 10 ms go out at once; beyond that
 * the latest is held until the job reports again after that, sends a
 * yield, or ends): the future always ends up with the job's last report.
 *
 * Returns: %TRUE, or %FALSE with %G_IO_ERROR_CANCELLED once the job is
 *   cancelled (stop working then), or another error when the message could
 *   not be sent
 *
 * Since: 0.1
 */
gboolean
jr_job_progress (JrJob       *job,
                 double       fraction,
                 const char  *text,
                 GError     **error)
{
  gint64 now;

  g_return_val_if_fail (job != NULL, FALSE);

  if (!cancelled_error (job, error))
    return FALSE;

  now = g_get_monotonic_time ();
  if (now - job->window_start >= PROGRESS_WINDOW_USEC)
    {
      job->window_start = now;
      job->sent_in_window = 0;
    }
  if (job->sent_in_window >= PROGRESS_BURST)
    {
      /* Held: the latest wins. */
      job->held = TRUE;
      job->held_fraction = fraction;
      g_free (job->held_text);
      job->held_text = g_strdup (text);
      return TRUE;
    }
  job->sent_in_window++;
  g_clear_pointer (&job->held_text, g_free);
  job->held = FALSE;
  return jr_job_message_send_progress (job->sender, job->id, fraction, text, error);
}

/**
 * jr_job_yield:
 * @job: the running job
 * @value: (transfer floating): the next value
 * @error: return location for an error
 *
 * Hands one value to the future's [signal@Jr.Future::yielded] (for jobs
 * submitted with [method@Jr.Executor.submit_iteration]).
 *
 * Returns: %TRUE, or %FALSE with %G_IO_ERROR_CANCELLED once the job is
 *   cancelled, or another error when the value could not be sent
 *
 * Since: 0.1
 */
gboolean
jr_job_yield (JrJob     *job,
              GVariant  *value,
              GError   **error)
{
  g_autoptr(GVariant) owned = NULL;

  g_return_val_if_fail (job != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  owned = g_variant_ref_sink (value);
  if (!cancelled_error (job, error) || !send_held_progress (job, error))
    return FALSE;
  return jr_job_message_send_value (job->sender, job->id, JR_JOB_MSG_YIELD, owned, error);
}

/**
 * jr_job_get_cancellable:
 * @job: the running job
 *
 * Gets the job's cancellable, for operations that should stop with the
 * job (a [class@Gio.Subprocess] wait, a read). [method@Jr.Job.progress]
 * and [method@Jr.Job.yield] fail with %G_IO_ERROR_CANCELLED once it has
 * fired; a job that never calls them should look at it now and then.
 *
 * It is this job's while it runs. A worker may hand it, reset, to its next
 * job when the job left nothing on it: no reference, weak reference,
 * attached data or "cancelled" handler (then the next job gets a new one).
 * So disconnect what you connect, and do not cancel it once the job has
 * returned.
 *
 * Returns: (transfer none): a cancellable that fires, in the worker, as soon
 *   as the job's future is cancelled
 *
 * Since: 0.1
 */
GCancellable *
jr_job_get_cancellable (JrJob *job)
{
  g_return_val_if_fail (job != NULL, NULL);
  return job->cancellable;
}


JrSender *
jr_job_get_sender (JrJob *job)
{
  return job->sender;
}

/* Of an error message too large to send, this much is sent: enough for
 * any reader, far below the limit on messages. */
#define ERROR_TEXT_KEEP (64u * 1024u)

/* @job_error with its message cut to ERROR_TEXT_KEEP bytes, on a
 * character's start. */
static GError *
cut_error (const GError *job_error)
{
  gsize length = strlen (job_error->message);
  gsize keep = MIN (length, ERROR_TEXT_KEEP);

  while (keep > 0 && keep < length && (job_error->message[keep] & 0xC0) == 0x80)
    keep--;
  return g_error_new (job_error->domain, job_error->code, "%.*s… (%" G_GSIZE_FORMAT " more bytes cut)",
                      (int) keep, job_error->message, length - keep);
}

static void
report_error (JrSender     *sender,
              guint64       job_id,
              const GError *job_error)
{
  g_autoptr(GError) send_failure = NULL;
  g_autoptr(GError) cut = NULL;

  if (jr_job_message_send_error (sender, job_id, job_error, &send_failure))
    return;
  /* Nobody is left to hear it: the executor was dropped, or its process
   * is gone (this worker ends with it). */
  if (g_error_matches (send_failure, JR_ROUTER_ERROR, JR_ROUTER_ERROR_NOT_RUNNING) ||
      g_error_matches (send_failure, JR_ROUTER_ERROR, JR_ROUTER_ERROR_DISCONNECTED))
    return;
  /* The job must end all the same: with the start of what it said. */
  if (g_error_matches (send_failure, JR_ROUTER_ERROR, JR_ROUTER_ERROR_MESSAGE_TOO_LARGE))
    {
      g_clear_error (&send_failure);
      cut = cut_error (job_error);
      if (jr_job_message_send_error (sender, job_id, cut, &send_failure))
        return;
    }
  g_warning ("Could not report a job's error: %s", send_failure->message);
}

static void
report_result (JrSender   *sender,
               guint64     job_id,
               const char *name,
               GVariant   *result)
{
  g_autoptr(GError) send_failure = NULL;
  g_autoptr(GError) job_error = NULL;

  if (jr_job_message_send_value (sender, job_id, JR_JOB_MSG_RESULT, result, &send_failure))
    return;
  if (g_error_matches (send_failure, JR_ROUTER_ERROR, JR_ROUTER_ERROR_MESSAGE_TOO_LARGE))
    job_error = g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_RESULT_TOO_LARGE,
                             "The result of “%s” is too large: %s", name, send_failure->message);
  else if (g_error_matches (send_failure, JR_ROUTER_ERROR, JR_ROUTER_ERROR_INVALID_MESSAGE))
    job_error = g_error_new (JR_ROUTER_ERROR, JR_ROUTER_ERROR_INVALID_MESSAGE,
                             "The result of “%s” cannot reach the executor: it nests values "
                             "more deeply than GLib accepts from another process", name);
  else
    job_error = g_error_copy (send_failure);
  report_error (sender, job_id, job_error);
}

void
jr_job_run (JrSender     *sender,
            guint64       job_id,
            const char   *name,
            GVariant     *args,
            GCancellable *cancellable,
            const int    *cancel_requested)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = NULL;
  JrJob job = { sender, job_id, cancellable, 0, 0, FALSE, 0.0, NULL };
  const JrJobKindInfo *info;

  /* Cancelled while it waited here: it never runs. */
  if (g_atomic_int_get (cancel_requested))
    {
      jr_job_message_send_tag (sender, job_id, JR_JOB_MSG_CANCELLED, NULL);
      return;
    }

  jr_job_message_send_started (sender, job_id, NULL);
  /* Over a stream, a thread writes messages out: they are on their way
   * before the job runs, should it crash its worker. */
  jr_sender_flush (sender, NULL);

  if (!jr_job_registry_check (name, args, &error))
    {
      /* The executor checked the name where it was submitted: unknown
       * here, it was registered there too late or only in some runs (or
       * another build of the program runs on the far side). */
      if (g_error_matches (error, JR_JOB_ERROR, JR_JOB_ERROR_UNKNOWN_JOB))
        {
          g_clear_error (&error);
          g_set_error (&error, JR_JOB_ERROR, JR_JOB_ERROR_UNKNOWN_JOB,
                       "No job named “%s” is registered in the worker process, though the "
                       "program that submitted it has one: a worker is the program run again, "
                       "so register every job before jr_init(), in every run (and run the "
                       "same program on every machine)", name);
        }
      report_error (sender, job_id, error);
      return;
    }

  info = jr_job_registry_lookup (name);
  /* A full reference, or a floating one to sink: take it either way. */
  if (info->data_func != NULL)
    result = info->data_func (&job, args, info->user_data, &error);
  else
    result = info->func (&job, args, &error);
  if (result != NULL)
    g_variant_take_ref (result);

  /* The last report it made comes before its end. */
  send_held_progress (&job, NULL);

  /* Only a cancel the executor asked for ends as CANCELLED. A job may
   * cancel its own cancellable to abort a sub-operation: it then ends as
   * it returns, and a NULL with no error says it cancelled itself. */
  if (g_atomic_int_get (cancel_requested))
    jr_job_message_send_tag (sender, job_id, JR_JOB_MSG_CANCELLED, NULL);
  else if (result != NULL)
    report_result (sender, job_id, name, result);
  else
    {
      if (error == NULL && g_cancellable_is_cancelled (cancellable))
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                     "The job “%s” cancelled itself", name);
      else if (error == NULL)
        g_set_error (&error, JR_JOB_ERROR, JR_JOB_ERROR_FAILED,
                     "The job “%s” failed without saying why", name);
      report_error (sender, job_id, error);
    }
}

/* ---- where a job kind may run ---- */

G_DEFINE_ENUM_TYPE (JrJobPlacement, jr_job_placement,
  G_DEFINE_ENUM_VALUE (JR_JOB_PLACEMENT_LOCAL_PATHS, "local-paths"),
  G_DEFINE_ENUM_VALUE (JR_JOB_PLACEMENT_ANYWHERE, "anywhere"))

/**
 * jr_set_job_placement:
 * @name: the name of a registered job kind
 * @placement: where it may run
 *
 * Declares where jobs of a kind may run. A kind registered with
 * [func@Jr.register_job_full] (or any other way) reads local paths as far
 * as the executor knows (%JR_JOB_PLACEMENT_LOCAL_PATHS): it never goes to
 * a group of another machine unless that group's launcher says the paths
 * are shared. A kind that needs nothing but its arguments (a computation,
 * a command to run anywhere) is %JR_JOB_PLACEMENT_ANYWHERE.
 *
 * Call it from main() after registering the kind, before [func@Jr.init].
 *
 * Since: 0.2
 */
void
jr_set_job_placement (const char     *name,
                      JrJobPlacement  placement)
{
  JrJobKindInfo *info = registry ? g_hash_table_lookup (registry, name) : NULL;

  g_return_if_fail (info != NULL);
  info->placement = placement;
}
