/* ui-common.c — what the tests of ui/'s widgets share; see ui-common.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ui-common.h"

#include "jr-future-private.h"

const char *
ui_test_label_text (GtkWidget *label)
{
  return gtk_label_get_text (GTK_LABEL (label));
}

JrFuture *
ui_test_new_running (const char *name,
                     JrJobKind   kind)
{
  JrFuture *future = jr_future_new (name, kind);

  g_assert_true (jr_future_mark_started (future));
  return future;
}

static void
on_fake_done (JrFuture   *future,
              GParamSpec *pspec,
              GListStore *jobs)
{
  guint position;

  if (jr_future_get_done (future) && g_list_store_find (jobs, future, &position))
    g_list_store_remove (jobs, position);
}

void
ui_test_fake_jobs_add (GListStore *jobs,
                       JrFuture   *future)
{
  g_signal_connect_object (future, "notify::done", G_CALLBACK (on_fake_done), jobs, 0);
  g_list_store_append (jobs, future);
}
