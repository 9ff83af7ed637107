/* jobrouter-test.h — helpers for the tests of programs that use jobrouter
 * (libjobrouter-test-1, pkg-config name jobrouter-test-1): run the main
 * context until a condition holds or a deadline passes, failing the test
 * with what was awaited and what was there instead; let pending events
 * settle; declare the warnings a test expects; shut an executor down and
 * check that it left no worker, thread or child process behind.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GLib only; <jobrouter-test-gui.h> adds what GTK tests need. jobrouter's
 * own tests use it. A static library: link it into test programs only.
 *
 * A test program that starts worker processes is its own worker: register
 * the jobs and call jr_init() first thing in main(), then jr_test_init()
 * (or jr_test_gui_init()), then add the tests.
 *
 * Threads: main thread only (the one that called jr_test_init()), except
 * the expected warnings, which match warnings logged on any thread.
 */
#pragma once

#include <jobrouter.h>

#define JOBROUTER_TEST_INSIDE
#include "jr-test-wait.h"
#include "jr-test-warnings.h"
#include "jr-test-process.h"
#undef JOBROUTER_TEST_INSIDE
