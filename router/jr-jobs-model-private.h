/* jr-jobs-model-private.h — the list model of an executor's futures that
 * are not done yet, in submission order. A GListStore finds an item by a
 * walk over the list; this one hands out a place per item, so that adding
 * and removing one cost O(log n) however many jobs are queued.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: the executor's thread only.
 */
#pragma once

#if !defined(JOBROUTER_COMPILATION)
#error "This header is private to libjobrouter."
#endif

#include <gio/gio.h>

#include "jr-future.h"

G_BEGIN_DECLS

#define JR_TYPE_JOBS_MODEL (jr_jobs_model_get_type ())
G_DECLARE_FINAL_TYPE (JrJobsModel, jr_jobs_model, JR, JOBS_MODEL, GObject)

JrJobsModel   *jr_jobs_model_new    (void);
/* Adds @future at the end and sets *@place_out to its place, for
 * removing it, before items-changed is emitted. */
void           jr_jobs_model_append (JrJobsModel    *self,
                                     JrFuture       *future,
                                     GSequenceIter **place_out);
void           jr_jobs_model_remove (JrJobsModel    *self,
                                     GSequenceIter  *place);

G_END_DECLS
