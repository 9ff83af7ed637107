/* jr-job-message-private.h — the messages a worker sends to its executor.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every worker has one pipe to its executor. Each message on it starts
 * with the id of the job it is about (the executor's task id), or 0 for
 * the worker itself:
 *
 *   "(ty)"    t job id, y tag     STARTED, CANCELLED, RETURNED; READY, EXITED (id 0)
 *   "(tyd)"   + d fraction        PROGRESS
 *   "(tyds)"  + s text            PROGRESS with a text
 *   "(tyv)"   + v value           RESULT, YIELD, ERROR; FATAL, READY (id 0)
 *
 * ERROR's value is "(sis)": error domain name, code, message (quarks
 * differ between processes). FATAL's is "s": why the worker cannot run.
 * A stream worker's READY carries an "a{sv}": "host" (s), the name of the
 * machine it runs on, and "pid" (i), its process id there; any other
 * value, or none, says nothing.
 * The flat layouts are numeric, so senders make no GVariant for them and
 * the router checks them cheaply. The last message of a job is RESULT,
 * ERROR or CANCELLED, or RETURNED for a job handed back unstarted.
 *
 * Threads: pure functions; any thread.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include "jobrouter.h"

G_BEGIN_DECLS

typedef enum {
  JR_JOB_MSG_STARTED   = 'S',
  JR_JOB_MSG_PROGRESS  = 'P',
  JR_JOB_MSG_YIELD     = 'Y',
  JR_JOB_MSG_RESULT    = 'R',
  JR_JOB_MSG_ERROR     = 'E',
  JR_JOB_MSG_CANCELLED = 'C',
  JR_JOB_MSG_RETURNED  = 'X',
  /* Worker messages (job id 0). */
  JR_JOB_MSG_READY     = 'H',   /* a process worker has started */
  JR_JOB_MSG_FATAL     = 'F',   /* a process worker refuses to start */
  JR_JOB_MSG_EXITED    = 'Q',   /* a thread worker's last message */
} JrJobMessage;

typedef struct {
  guint64      job_id;
  guchar       tag;
  double       fraction;   /* PROGRESS */
  const char  *text;       /* PROGRESS, nullable; points into the message */
  GVariant    *payload;    /* RESULT, YIELD, ERROR, FATAL: owned */
} JrJobMessageParts;

/* Reads a message. FALSE for one of no known shape, or of a known shape
 * with a tag that does not fit it; @parts then holds nothing to free. */
gboolean  jr_job_message_parse      (GVariant          *message,
                                     JrJobMessageParts *parts);
/* The same for a flat message ("(ty)", "(tyd)", "(tyds)") given in
 * serialized form, without a GVariant: what a worker's queue holds. FALSE
 * for another type too. @parts->text points into @data. */
gboolean  jr_job_message_parse_flat (const char        *type,
                                     const guint8      *data,
                                     gsize              size,
                                     JrJobMessageParts *parts);
void      jr_job_message_parts_clear (JrJobMessageParts *parts);

gboolean  jr_job_message_send_tag   (JrSender          *sender,
                                     guint64            job_id,
                                     JrJobMessage       tag,
                                     GError           **error);
/* STARTED, without waking the router by itself (see jr-sender-private.h). */
gboolean  jr_job_message_send_started (JrSender        *sender,
                                       guint64          job_id,
                                       GError         **error);
gboolean  jr_job_message_send_progress (JrSender       *sender,
                                     guint64            job_id,
                                     double             fraction,
                                     const char        *text,
                                     GError           **error);
/* @value: floating references are sunk. */
gboolean  jr_job_message_send_value (JrSender          *sender,
                                     guint64            job_id,
                                     JrJobMessage       tag,
                                     GVariant          *value,
                                     GError           **error);
gboolean  jr_job_message_send_error (JrSender          *sender,
                                     guint64            job_id,
                                     const GError      *job_error,
                                     GError           **error);

/* The job's error from an ERROR payload; one that is not "(sis)" becomes
 * a JR_JOB_ERROR_FAILED that says so, and so does one of a domain this
 * process does not know when it is too long, or once 256 such domains
 * have been taken (a quark is never freed). */
GError   *jr_job_message_to_error   (GVariant          *payload);

G_END_DECLS
