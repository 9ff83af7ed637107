/* jr-app-record.h — one job the window started: what it is, what it
 * printed, and its result as text.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: main thread, like the future it follows.
 */
#pragma once

#include <gio/gio.h>

#include "jr-app-jobs.h"

G_BEGIN_DECLS

#define JR_TYPE_APP_RECORD (jr_app_record_get_type ())
G_DECLARE_FINAL_TYPE (JrAppRecord, jr_app_record, JR, APP_RECORD, GObject)

JrAppRecord    *jr_app_record_new              (guint           id,
                                                const JrAppJob *job,
                                                GVariant       *args,
                                                JrFuture       *future) G_GNUC_WARN_UNUSED_RESULT;
guint           jr_app_record_get_id           (JrAppRecord    *self);
const JrAppJob *jr_app_record_get_job          (JrAppRecord    *self);
GVariant       *jr_app_record_get_args         (JrAppRecord    *self);
const char     *jr_app_record_get_title        (JrAppRecord    *self);
JrFuture       *jr_app_record_get_future       (JrAppRecord    *self);
gboolean        jr_app_record_has_output       (JrAppRecord    *self);
const char     *jr_app_record_get_output       (JrAppRecord    *self,
                                                gsize          *length);
guint64         jr_app_record_get_output_dropped (JrAppRecord  *self);
char           *jr_app_record_dup_text         (JrAppRecord    *self) G_GNUC_WARN_UNUSED_RESULT;
char           *jr_app_record_dup_summary      (JrAppRecord    *self) G_GNUC_WARN_UNUSED_RESULT;
GFile          *jr_app_record_dup_result_file  (JrAppRecord    *self) G_GNUC_WARN_UNUSED_RESULT;
GFile          *jr_app_record_get_saved_file   (JrAppRecord    *self);
void            jr_app_record_set_saved_file   (JrAppRecord    *self,
                                                GFile          *file);

gsize           jr_app_text_tail_start         (const char     *text,
                                                gsize           length,
                                                gsize           max);

G_END_DECLS
