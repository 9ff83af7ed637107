/* jr-test-private.h — what the files of libjobrouter-test share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(JOBROUTER_TEST_COMPILATION)
#error "This header is private to libjobrouter-test."
#endif

#include "jobrouter-test.h"

G_BEGIN_DECLS

/* jr-test-warnings.c: the log writer that jr_test_init() installs. */
GLogWriterOutput jr_test_log_writer              (GLogLevelFlags   log_level,
                                                  const GLogField *fields,
                                                  gsize            n_fields,
                                                  gpointer         user_data);

/* jr-test-process.c: counts the threads (GLib's and GTK's own aside) that
 * jr_test_shutdown_executor() expects to find again. jr_test_init() and
 * jr_test_gui_init() call it. */
void             jr_test_record_thread_baseline  (void);

G_END_DECLS
