/* jr-job-message.c — encode and read the messages of a worker's pipe.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The reader never trusts its input: a worker process may send anything,
 * and fuzz-job-message feeds this parser arbitrary values.
 */
#include "jr-job-message-private.h"

#include <string.h>

#include "jr-sender-private.h"

/* Type strings checked once here, so that the casts below are safe. */
#define TYPE_TAG           ((const GVariantType *) "(ty)")
#define TYPE_PROGRESS      ((const GVariantType *) "(tyd)")
#define TYPE_PROGRESS_TEXT ((const GVariantType *) "(tyds)")
#define TYPE_VALUE         ((const GVariantType *) "(tyv)")

/* The flat layouts, as GVariant serializes them: a tuple of fixed-size
 * members is padded to its alignment (8). */
typedef struct {
  guint64 job_id;
  guint8  tag;
  guint8  pad[7];
} FlatTag;

typedef struct {
  guint64 job_id;
  guint8  tag;
  guint8  pad[7];
  double  fraction;
} FlatProgress;

G_STATIC_ASSERT (sizeof (FlatTag) == 16);
G_STATIC_ASSERT (sizeof (FlatProgress) == 24);

/* Offset of the text in "(tyds)": it is the last member, so it runs from
 * here to the end, NUL included, with no framing offset after it. */
#define PROGRESS_TEXT_OFFSET 24

static gboolean
tag_fits (guchar      tag,
          const char *type)
{
  switch (tag)
    {
    case JR_JOB_MSG_STARTED:
    case JR_JOB_MSG_CANCELLED:
    case JR_JOB_MSG_RETURNED:
    case JR_JOB_MSG_EXITED:
      return strcmp (type, "(ty)") == 0;
    case JR_JOB_MSG_READY:
      /* A stream worker says where it runs. */
      return strcmp (type, "(ty)") == 0 || strcmp (type, "(tyv)") == 0;
    case JR_JOB_MSG_PROGRESS:
      return strcmp (type, "(tyd)") == 0 || strcmp (type, "(tyds)") == 0;
    case JR_JOB_MSG_RESULT:
    case JR_JOB_MSG_YIELD:
    case JR_JOB_MSG_ERROR:
    case JR_JOB_MSG_FATAL:
      return strcmp (type, "(tyv)") == 0;
    default:
      return FALSE;
    }
}

/* The checks every shape shares: the tag fits the shape, and only
 * worker messages (READY, FATAL, EXITED) have job id 0. */
static gboolean
parts_fit (JrJobMessageParts *parts,
           const char        *type)
{
  if (!tag_fits (parts->tag, type) || (parts->job_id == 0) !=
      (parts->tag == JR_JOB_MSG_READY || parts->tag == JR_JOB_MSG_FATAL ||
       parts->tag == JR_JOB_MSG_EXITED))
    {
      jr_job_message_parts_clear (parts);
      return FALSE;
    }
  return TRUE;
}

gboolean
jr_job_message_parse_flat (const char        *type,
                           const guint8      *data,
                           gsize              size,
                           JrJobMessageParts *parts)
{
  memset (parts, 0, sizeof *parts);
  parts->fraction = -1;

  if (strcmp (type, "(ty)") == 0 || strcmp (type, "(tyd)") == 0)
    {
      /* Fixed sizes: a value of another size is not in normal form, and
       * g_variant_get_data() would hand out zeroes for it anyway. */
      if (data == NULL || size != (type[3] == 'd' ? sizeof (FlatProgress) : sizeof (FlatTag)))
        return FALSE;
      memcpy (&parts->job_id, data, sizeof parts->job_id);
      parts->tag = data[8];
      if (type[3] == 'd')
        memcpy (&parts->fraction, data + 16, sizeof (double));
    }
  else if (strcmp (type, "(tyds)") == 0)
    {
      if (data == NULL || size <= PROGRESS_TEXT_OFFSET || data[size - 1] != '\0' ||
          memchr (data + PROGRESS_TEXT_OFFSET, '\0', size - PROGRESS_TEXT_OFFSET - 1) != NULL ||
          !g_utf8_validate ((const char *) data + PROGRESS_TEXT_OFFSET,
                            (gssize) (size - PROGRESS_TEXT_OFFSET - 1), NULL))
        return FALSE;
      memcpy (&parts->job_id, data, sizeof parts->job_id);
      parts->tag = data[8];
      memcpy (&parts->fraction, data + 16, sizeof (double));
      parts->text = (const char *) data + PROGRESS_TEXT_OFFSET;
    }
  else
    return FALSE;
  return parts_fit (parts, type);
}

gboolean
jr_job_message_parse (GVariant          *message,
                      JrJobMessageParts *parts)
{
  const char *type = g_variant_get_type_string (message);

  if (strcmp (type, "(tyv)") == 0)
    {
      /* By child, not g_variant_get(): no format string to scan. */
      g_autoptr(GVariant) id = g_variant_get_child_value (message, 0);
      g_autoptr(GVariant) tag = g_variant_get_child_value (message, 1);
      g_autoptr(GVariant) boxed = g_variant_get_child_value (message, 2);

      memset (parts, 0, sizeof *parts);
      parts->fraction = -1;
      parts->job_id = g_variant_get_uint64 (id);
      parts->tag = g_variant_get_byte (tag);
      parts->payload = g_variant_get_variant (boxed);
      return parts_fit (parts, type);
    }
  return jr_job_message_parse_flat (type, g_variant_get_data (message), g_variant_get_size (message),
                                    parts);
}

void
jr_job_message_parts_clear (JrJobMessageParts *parts)
{
  g_clear_pointer (&parts->payload, g_variant_unref);
}

gboolean
jr_job_message_send_tag (JrSender      *sender,
                         guint64        job_id,
                         JrJobMessage   tag,
                         GError       **error)
{
  FlatTag flat = { job_id, (guint8) tag, { 0 } };

  return jr_sender_send_data (sender, TYPE_TAG, &flat, sizeof flat, error);
}

gboolean
jr_job_message_send_started (JrSender  *sender,
                             guint64    job_id,
                             GError   **error)
{
  FlatTag flat = { job_id, JR_JOB_MSG_STARTED, { 0 } };

  /* A short job's RESULT follows at once, and rings for both; a long one's
   * worker rings for it within a millisecond (jr-worker-process.c). */
  return jr_sender_send_data_deferred (sender, TYPE_TAG, &flat, sizeof flat, error);
}

/* @text, or a copy of it made valid UTF-8 (in @valid): a job's texts are
 * often made of file names, which need not be UTF-8, and a GVariant string
 * must be. */
static const char *
as_utf8 (const char  *text,
         char       **valid)
{
  if (g_utf8_validate (text, -1, NULL))
    return text;
  *valid = g_utf8_make_valid (text, -1);
  return *valid;
}

gboolean
jr_job_message_send_progress (JrSender    *sender,
                              guint64      job_id,
                              double       fraction,
                              const char  *text,
                              GError     **error)
{
  FlatProgress flat = { job_id, JR_JOB_MSG_PROGRESS, { 0 }, fraction };

  if (text != NULL)
    {
      g_autofree char *valid = NULL;

      return jr_sender_send (sender,
                             g_variant_new ("(tyds)", job_id, (guchar) JR_JOB_MSG_PROGRESS,
                                            fraction, as_utf8 (text, &valid)),
                             error);
    }
  return jr_sender_send_data (sender, TYPE_PROGRESS, &flat, sizeof flat, error);
}

gboolean
jr_job_message_send_value (JrSender      *sender,
                           guint64        job_id,
                           JrJobMessage   tag,
                           GVariant      *value,
                           GError       **error)
{
  GVariant *children[3] = {
    g_variant_new_uint64 (job_id),
    g_variant_new_byte ((guchar) tag),
    g_variant_new_variant (value),
  };

  /* By child, not g_variant_new(): no format string to scan. */
  return jr_sender_send (sender, g_variant_new_tuple (children, 3), error);
}

gboolean
jr_job_message_send_error (JrSender      *sender,
                           guint64        job_id,
                           const GError  *job_error,
                           GError       **error)
{
  g_autofree char *valid = NULL;

  return jr_job_message_send_value (sender, job_id, JR_JOB_MSG_ERROR,
                                    g_variant_new ("(sis)", g_quark_to_string (job_error->domain),
                                                   job_error->code,
                                                   as_utf8 (job_error->message, &valid)),
                                    error);
}

/* A domain this process has not seen becomes a quark, which lives as long
 * as the process: a worker that makes up new ones (a bug, or a hostile
 * worker: 8 MiB each) would grow the parent for good. So it takes new
 * domains only of a domain name's length, and only so many. */
#define WORKER_DOMAIN_LENGTH_MAX 128
#define WORKER_DOMAINS_MAX       256

static GQuark
domain_quark (const char *domain)
{
  static gint n_taken;
  GQuark quark = g_quark_try_string (domain);

  if (quark != 0)
    return quark;
  if (strnlen (domain, WORKER_DOMAIN_LENGTH_MAX + 1) > WORKER_DOMAIN_LENGTH_MAX ||
      g_atomic_int_get (&n_taken) >= WORKER_DOMAINS_MAX)
    return 0;
  g_atomic_int_inc (&n_taken);
  return g_quark_from_string (domain);
}

GError *
jr_job_message_to_error (GVariant *payload)
{
  const char *domain, *message;
  gint32 code;
  GQuark quark;

  if (payload == NULL || !g_variant_is_of_type (payload, G_VARIANT_TYPE ("(sis)")))
    return g_error_new_literal (JR_JOB_ERROR, JR_JOB_ERROR_FAILED,
                                "The job failed, and its worker sent an error of no known shape");

  g_variant_get (payload, "(&si&s)", &domain, &code, &message);
  if (*domain == '\0')
    return g_error_new_literal (JR_JOB_ERROR, JR_JOB_ERROR_FAILED, message);
  quark = domain_quark (domain);
  if (quark == 0)
    {
      /* At most 64 bytes of it, cut where a character begins. */
      gsize shown = strnlen (domain, 65);

      if (shown > 64)
        shown = (gsize) (g_utf8_find_prev_char (domain, domain + 65) - domain);
      return g_error_new (JR_JOB_ERROR, JR_JOB_ERROR_FAILED, "%s (error domain “%.*s%s”, code %d)",
                          message, (int) shown, domain, domain[shown] != '\0' ? "…" : "", code);
    }
  return g_error_new_literal (quark, code, message);
}
