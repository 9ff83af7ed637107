/* jr-test-warnings.h — the warnings a test expects.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Warnings of the "jobrouter" log domain (a worker that crashed, a
 * message for a closed pipe...) are fatal under g_test, unless a test
 * declares them; needs jr_test_init(), which installs the log writer that
 * knows them (so the program must not install another). A match is
 * counted, not printed, and wakes the default main context. GLib 2.74's
 * g_test_expect_message() does not see structured logging, which the
 * library uses.
 *
 * Threads: declare them on the main thread; they match warnings logged
 * on any thread.
 */
#pragma once

#if !defined(JOBROUTER_TEST_INSIDE) && !defined(JOBROUTER_TEST_COMPILATION)
#error "Only <jobrouter-test.h> or <jobrouter-test-gui.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* A warning matching @pattern (g_pattern_match_simple) must be logged
 * before jr_test_check_expected_warnings(); it may be logged more than
 * once. */
void          jr_test_expect_warning        (const char     *pattern);
/* Warnings matching @pattern may be logged, or not. */
void          jr_test_allow_warnings        (const char     *pattern);
/* Copies of the warnings logged since the last
 * jr_test_check_expected_warnings() that an expected or allowed pattern
 * caught and that match @pattern, oldest first (element-type utf8). */
GPtrArray    *jr_test_dup_seen_warnings     (const char     *pattern);
/* A JrConditionFunc: every expected warning was logged. */
gboolean      jr_test_expected_warnings_seen (gpointer       unused);
/* Asserts that every expected warning was logged, and forgets all
 * expectations. */
void          jr_test_check_expected_warnings (void);

G_END_DECLS
