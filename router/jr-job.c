/* jr-job.c — the job registry and what runs a job inside a worker.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jr-job-private.h"
#include "jr-sender-private.h"

#include <string.h>

G_DEFINE_QUARK (jr-job-error-quark, jr_job_error)

struct _JrJob {
  JrSender     *sender;
  GCancellable *cancellable;
};

static GHashTable *registry;   /* name → JrJobKindInfo */

static void
kind_info_free (JrJobKindInfo *info)
{
  g_free (info->name);
  g_clear_pointer (&info->args_type, g_variant_type_free);
  g_free (info->unavailable_reason);
  g_free (info);
}

/**
 * jr_register_job_full:
 * @name: the job's name, unique in the program
 * @func: (scope forever): the job function
 * @args_type: (nullable): the type its arguments must have, or %NULL for any
 * @unavailable_reason: (nullable): when not %NULL, the job kind cannot run
 *   here (a missing tool, say) and submitting it fails with this reason
 *
 * Registers a job kind. Call it from main(), before jr_init(), in the same
 * order in every run: worker processes are this program run again.
 */
void
jr_register_job_full (const char         *name,
                      JrJobFunc           func,
                      const GVariantType *args_type,
                      const char         *unavailable_reason)
{
  JrJobKindInfo *info;

  g_return_if_fail (name != NULL && *name != '\0');
  g_return_if_fail (func != NULL);

  if (registry == NULL)
    registry = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) kind_info_free);

  info = g_new0 (JrJobKindInfo, 1);
  info->name = g_strdup (name);
  info->func = func;
  info->args_type = args_type ? g_variant_type_copy (args_type) : NULL;
  info->unavailable_reason = g_strdup (unavailable_reason);
  g_hash_table_replace (registry, info->name, info);
}

/**
 * jr_register_job:
 * @name: the job's name, unique in the program
 * @func: (scope forever): the job function
 *
 * Registers a job kind that takes any arguments. See
 * [func@Jr.register_job_full].
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

/* Type strings checked once here, so that casts are safe below. */
#define TYPE_TAG          ((const GVariantType *) "(y)")
#define TYPE_PROGRESS     ((const GVariantType *) "(yd)")
#define TYPE_PROGRESS_TEXT ((const GVariantType *) "(yds)")
#define TYPE_VALUE        ((const GVariantType *) "(yv)")

static gboolean
send_message (JrSender     *sender,
              JrJobMessage  tag,
              GVariant     *payload,
              GError      **error)
{
  return jr_sender_send (sender, g_variant_new ("(yv)", (guchar) tag, payload), error);
}

/* A serialized flat message: no tree of children to build or walk. */
static gboolean
send_flat (JrSender           *sender,
           const GVariantType *type,
           const void         *data,
           gsize               size,
           GError            **error)
{
  return jr_sender_send_data (sender, type, data, size, error);
}

static gboolean
send_tag (JrSender     *sender,
          JrJobMessage  tag,
          GError      **error)
{
  guchar byte = (guchar) tag;

  return send_flat (sender, TYPE_TAG, &byte, 1, error);
}

gboolean
jr_job_message_parse (GVariant          *message,
                      JrJobMessageParts *parts)
{
  const char *type = g_variant_get_type_string (message);
  const guint8 *data;

  memset (parts, 0, sizeof *parts);
  parts->fraction = -1;

  if (strcmp (type, "(y)") == 0 || strcmp (type, "(yd)") == 0)
    {
      /* Numeric layouts: the router has checked their size. */
      data = g_variant_get_data (message);
      parts->tag = data[0];
      if (type[2] == 'd')
        memcpy (&parts->fraction, data + 8, sizeof (double));
      return parts->tag != JR_JOB_MSG_PROGRESS || type[2] == 'd';
    }
  if (strcmp (type, "(yds)") == 0)
    {
      /* The string is the last member: it runs from byte 16 to the end,
       * NUL included, with no framing offset after it. */
      gsize size = g_variant_get_size (message);

      data = g_variant_get_data (message);
      if (size < 17 || data[size - 1] != '\0' || !g_variant_is_normal_form (message))
        return FALSE;
      parts->tag = data[0];
      memcpy (&parts->fraction, data + 8, sizeof (double));
      parts->text = (const char *) data + 16;
      return parts->tag == JR_JOB_MSG_PROGRESS;
    }
  if (strcmp (type, "(yv)") == 0)
    {
      g_variant_get (message, "(yv)", &parts->tag, &parts->payload);
      return TRUE;
    }
  return FALSE;
}

static gboolean
cancelled_error (JrJob   *job,
                 GError **error)
{
  return !g_cancellable_set_error_if_cancelled (job->cancellable, error);
}

/**
 * jr_job_progress:
 * @job: the running job
 * @fraction: how far the job is, 0 to 1, or negative when unknown
 * @text: (nullable): what the job is doing
 * @error: return location for an error
 *
 * Reports progress to the job's future.
 *
 * Returns: %TRUE, or %FALSE with %G_IO_ERROR_CANCELLED once the job is
 *   cancelled (stop working then), or another error when the message could
 *   not be sent
 */
gboolean
jr_job_progress (JrJob       *job,
                 double       fraction,
                 const char  *text,
                 GError     **error)
{
  g_return_val_if_fail (job != NULL, FALSE);

  if (!cancelled_error (job, error))
    return FALSE;
  if (text != NULL)
    return jr_sender_send (job->sender,
                           g_variant_new ("(yds)", (guchar) JR_JOB_MSG_PROGRESS, fraction, text),
                           error);
  {
    struct { guint8 tag; guint8 pad[7]; double fraction; } flat = { JR_JOB_MSG_PROGRESS, { 0 }, fraction };

    G_STATIC_ASSERT (sizeof flat == 16);
    return send_flat (job->sender, TYPE_PROGRESS, &flat, sizeof flat, error);
  }
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
  if (!cancelled_error (job, error))
    return FALSE;
  return send_message (job->sender, JR_JOB_MSG_YIELD, owned, error);
}

/**
 * jr_job_get_cancellable:
 * @job: the running job
 *
 * Returns: (transfer none): a cancellable that fires, in the worker, as soon
 *   as the job's future is cancelled
 */
GCancellable *
jr_job_get_cancellable (JrJob *job)
{
  g_return_val_if_fail (job != NULL, NULL);
  return job->cancellable;
}

static void
send_error (JrSender     *sender,
            const GError *error)
{
  g_autoptr(GError) send_failure = NULL;

  if (!send_message (sender, JR_JOB_MSG_ERROR,
                     g_variant_new ("(sis)", g_quark_to_string (error->domain), error->code,
                                    error->message),
                     &send_failure))
    g_warning ("Could not report a job's error: %s", send_failure->message);
}

GError *
jr_job_error_from_message (GVariant *payload)
{
  const char *domain, *message;
  gint32 code;

  if (!g_variant_is_of_type (payload, G_VARIANT_TYPE ("(sis)")))
    return g_error_new_literal (JR_JOB_ERROR, JR_JOB_ERROR_FAILED, "The job failed");

  g_variant_get (payload, "(&si&s)", &domain, &code, &message);
  return g_error_new_literal (g_quark_from_string (domain), code, message);
}

void
jr_job_run (JrSender     *sender,
            const char   *name,
            GVariant     *args,
            GCancellable *cancellable,
            gboolean      cancelled_before_start)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = NULL;
  JrJob job = { sender, cancellable };
  const JrJobKindInfo *info;

  if (!jr_sender_start (sender, &error))
    {
      g_warning ("Could not start a job's sender: %s", error->message);
      return;
    }

  if (cancelled_before_start)
    {
      send_tag (sender, JR_JOB_MSG_CANCELLED, NULL);
      jr_sender_stop (sender, NULL);
      return;
    }

  send_tag (sender, JR_JOB_MSG_STARTED, NULL);

  if (!jr_job_registry_check (name, args, &error))
    {
      send_error (sender, error);
      jr_sender_stop (sender, NULL);
      return;
    }

  info = jr_job_registry_lookup (name);
  /* A full reference, or a floating one to sink: take it either way. */
  result = info->func (&job, args, &error);
  if (result != NULL)
    g_variant_take_ref (result);

  if (g_cancellable_is_cancelled (cancellable))
    send_tag (sender, JR_JOB_MSG_CANCELLED, NULL);
  else if (result != NULL)
    {
      g_autoptr(GError) send_failure = NULL;

      if (!send_message (sender, JR_JOB_MSG_RESULT, result, &send_failure))
        {
          g_autoptr(GError) too_large = NULL;

          if (g_error_matches (send_failure, JR_ROUTER_ERROR, JR_ROUTER_ERROR_MESSAGE_TOO_LARGE))
            too_large = g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_RESULT_TOO_LARGE,
                                     "The result of “%s” is too large: %s", name,
                                     send_failure->message);
          else
            too_large = g_error_copy (send_failure);
          send_error (sender, too_large);
        }
    }
  else
    {
      if (error == NULL)
        g_set_error (&error, JR_JOB_ERROR, JR_JOB_ERROR_FAILED,
                     "The job “%s” failed without saying why", name);
      send_error (sender, error);
    }

  jr_sender_stop (sender, NULL);
}

void
jr_job_send_returned (JrSender *sender)
{
  if (jr_sender_start (sender, NULL))
    {
      send_tag (sender, JR_JOB_MSG_RETURNED, NULL);
      jr_sender_stop (sender, NULL);
    }
}
