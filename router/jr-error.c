/* jr-error.c — error domains and shared enum types of the library.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The error enums are registered types as well: that is what tells GObject
 * introspection that they are error domains (the quark function pairs with
 * the enum's type), so that bindings map a GError to its enum.
 */
#include "jobrouter.h"

/**
 * jr_router_error_quark:
 *
 * The error domain of the router, its pipes and their senders: the quark
 * behind %JR_ROUTER_ERROR, whose name is "jr-router-error-quark".
 *
 * Returns: the error domain
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (jr-router-error-quark, jr_router_error)

/**
 * jr_job_error_quark:
 *
 * The error domain of job execution: the quark behind %JR_JOB_ERROR, whose
 * name is "jr-job-error-quark".
 *
 * Returns: the error domain
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (jr-job-error-quark, jr_job_error)

G_DEFINE_ENUM_TYPE (JrRouterError, jr_router_error,
  G_DEFINE_ENUM_VALUE (JR_ROUTER_ERROR_NOT_RUNNING, "not-running"),
  G_DEFINE_ENUM_VALUE (JR_ROUTER_ERROR_ALREADY_RUNNING, "already-running"),
  G_DEFINE_ENUM_VALUE (JR_ROUTER_ERROR_TIMED_OUT, "timed-out"),
  G_DEFINE_ENUM_VALUE (JR_ROUTER_ERROR_SENDER_STATE, "sender-state"),
  G_DEFINE_ENUM_VALUE (JR_ROUTER_ERROR_MESSAGE_TOO_LARGE, "message-too-large"),
  G_DEFINE_ENUM_VALUE (JR_ROUTER_ERROR_NO_PARENT, "no-parent"),
  G_DEFINE_ENUM_VALUE (JR_ROUTER_ERROR_DISCONNECTED, "disconnected"),
  G_DEFINE_ENUM_VALUE (JR_ROUTER_ERROR_FAILED, "failed"),
  G_DEFINE_ENUM_VALUE (JR_ROUTER_ERROR_INVALID_MESSAGE, "invalid-message"))

G_DEFINE_ENUM_TYPE (JrJobError, jr_job_error,
  G_DEFINE_ENUM_VALUE (JR_JOB_ERROR_UNKNOWN_JOB, "unknown-job"),
  G_DEFINE_ENUM_VALUE (JR_JOB_ERROR_INVALID_ARGS, "invalid-args"),
  G_DEFINE_ENUM_VALUE (JR_JOB_ERROR_UNAVAILABLE, "unavailable"),
  G_DEFINE_ENUM_VALUE (JR_JOB_ERROR_WORKER_CRASHED, "worker-crashed"),
  G_DEFINE_ENUM_VALUE (JR_JOB_ERROR_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (JR_JOB_ERROR_DEPENDENCY_FAILED, "dependency-failed"),
  G_DEFINE_ENUM_VALUE (JR_JOB_ERROR_TRY_LATER, "try-later"),
  G_DEFINE_ENUM_VALUE (JR_JOB_ERROR_RESULT_TOO_LARGE, "result-too-large"),
  G_DEFINE_ENUM_VALUE (JR_JOB_ERROR_FAILED, "failed"),
  G_DEFINE_ENUM_VALUE (JR_JOB_ERROR_NO_WORKER, "no-worker"),
  G_DEFINE_ENUM_VALUE (JR_JOB_ERROR_EXCEPTION, "exception"))

G_DEFINE_ENUM_TYPE (JrTransport, jr_transport,
  G_DEFINE_ENUM_VALUE (JR_TRANSPORT_THREADS, "threads"),
  G_DEFINE_ENUM_VALUE (JR_TRANSPORT_PROCESSES, "processes"))
