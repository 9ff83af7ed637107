/* jr-error.c — error domains and shared enum types of the library.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "jobrouter.h"

G_DEFINE_QUARK (jr-router-error-quark, jr_router_error)
G_DEFINE_QUARK (jr-job-error-quark, jr_job_error)

G_DEFINE_ENUM_TYPE (JrTransport, jr_transport,
  G_DEFINE_ENUM_VALUE (JR_TRANSPORT_THREADS, "threads"),
  G_DEFINE_ENUM_VALUE (JR_TRANSPORT_PROCESSES, "processes"))
