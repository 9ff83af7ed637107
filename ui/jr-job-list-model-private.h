/* jr-job-list-model-private.h — the futures a JrJobList shows: a list
 * model in sections whose changes come in batches.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each future sits in the section its place function gives (or is not
 * shown), in the order it was added, or within a section marked so, in
 * the order its job started. A future added, and one whose state
 * changes, is placed at the next dispatch of the main context, together
 * with every other future added or changed meanwhile, in a single
 * items-changed: submitting or cancelling thousands of jobs is one change
 * of the list view, not thousands, and no item enters or leaves the model
 * inside a call the application made. Adding a future, and placing one
 * anew, cost O(log n); the *_all and *_done operations O(n).
 *
 * Threads: the thread whose thread-default main context was current when
 * the model was made; batches are applied in that context.
 */
#pragma once

#if !defined(JOBROUTER_UI_COMPILATION)
#error "This header is private to libjobrouter-ui."
#endif

#include <gio/gio.h>

#include "jobrouter.h"

G_BEGIN_DECLS

#define JR_TYPE_JOB_LIST_MODEL (jr_job_list_model_get_type ())
G_DECLARE_FINAL_TYPE (JrJobListModel, jr_job_list_model, JR, JOB_LIST_MODEL, GObject)

/* The section @future belongs in now, from 0, or -1 when it is not shown. */
typedef int (*JrJobListPlaceFunc) (JrFuture *future,
                                   gpointer  user_data);

JrJobListModel *jr_job_list_model_new            (JrJobListPlaceFunc place,
                                                  gpointer           user_data);
/* Orders @section (one, at most) by the futures' start times (then as
 * added). */
void            jr_job_list_model_order_by_start (JrJobListModel *self,
                                                  int             section);
/* Adds @future, at the next dispatch, where its place function says then.
 * FALSE when it is there already or its place is nowhere now. A future
 * about to be evicted stays instead. */
gboolean        jr_job_list_model_add            (JrJobListModel *self,
                                                  JrFuture       *future);
gboolean        jr_job_list_model_contains       (JrJobListModel *self,
                                                  JrFuture       *future);
/* Places every future anew at the next dispatch (the place function's
 * answers changed). */
void            jr_job_list_model_recheck_all    (JrJobListModel *self);
/* Removes the futures that are done at the next dispatch, whatever the
 * place function says. */
void            jr_job_list_model_evict_done     (JrJobListModel *self);
/* Removes every future at the next dispatch (the list is cleared). */
void            jr_job_list_model_evict_all      (JrJobListModel *self);
/* Whether the last batch applied put a future added in it last (for
 * scrolling to a new job; any items-changed may span the end). */
gboolean        jr_job_list_model_get_appended   (JrJobListModel *self);
/* Removes every future now (the list goes). */
void            jr_job_list_model_remove_all     (JrJobListModel *self);

G_END_DECLS
