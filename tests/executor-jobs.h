/* executor-jobs.h — the jobs that the executor tests (and the GUI tests)
 * run in worker threads and worker processes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Call executor_test_jobs_register() in main() before jr_init(): a worker
 * process re-executes the test program, and must know the same jobs.
 *
 * The jobs, by name and argument type:
 *
 *   "sleep"         (t)    sleeps that many ms in small steps; honours
 *                          cancellation (fails with G_IO_ERROR_CANCELLED);
 *                          result "t", the ms slept
 *   "progress"      (u)    n progress updates ((i+1)/n, text "i+1/n"),
 *                          then the result "u" n
 *   "iterate"       (u)    yields "u" 0..n-1, then the result "u" n
 *   "fail"          (sis)  fails with that error domain (by name), code
 *                          and message
 *   "crash"         (s)    "segv", "abort", "exit" (_exit (3)) or "kill"
 *   "ignore-cancel" (t)    sleeps that many ms, deaf to cancellation;
 *                          result "t"
 *   "echo"          any    returns its arguments ("()" for none)
 *   "flaky"         (su)   counts its runs in the file at the path; fails
 *                          with JR_JOB_ERROR_TRY_LATER while the count is
 *                          at most K; result "u", the count
 *   "big-result"    (t)    returns an "ay" of that many bytes
 *   "trivial"       none   (no arguments, or "()"): result "(b)" TRUE
 *   "unavailable"   none   registered with EXECUTOR_TEST_UNAVAILABLE_REASON
 *   "cancel-self"   (b)    cancels its own cancellable, then fails with
 *                          G_IO_ERROR_CANCELLED (TRUE) or returns "s"
 *                          "finished anyway" (FALSE)
 *   "cancellable-state" none  result "(bt)": whether its cancellable is
 *                          cancelled as it starts, and its address
 *   "keep-cancellable" none  keeps a reference to its cancellable in
 *                          its worker; result "t", its address
 *   "leave-handler" none   connects a handler to its cancellable and never
 *                          disconnects it; result "b" TRUE
 *   "stray-handler-calls" none  result "u": how often such a handler ran
 *   "weak-cancellable" none  keeps a weak reference to its cancellable
 *   "cancel-weak"   none   cancels what that weak reference still reaches;
 *                          result as "cancellable-state"
 *   "read-stdin"    none   reads standard input to its end; result "t",
 *                          the bytes read; fails when it neither gives
 *                          data nor ends for 2 s
 *   "spawn-sleeper" (s)    starts `sleep 600`, writes its pid to the file
 *                          at the path, then sleeps deaf to cancellation
 *                          for ever
 *   "forge-job-id"  (t)    sends a RESULT for job id T on its worker's
 *                          pipe (as a hostile job would); result "s"
 *   "forge-pipes"   none   sends a RESULT on every pipe id up to 64 but
 *                          its own worker's; result "s"
 *   "garbage-message" none sends a message of no known shape on its
 *                          worker's pipe; result "s"
 *   "file-size"     (s)    the size of the file at the path: result "t"
 *   "whoami"        none   result "(ii)": its worker's pid and process group
 *   "stop-self"     none   stops its worker (SIGSTOP) as it starts
 *   "hang-at-exit"  none   leaves its worker an exit handler that never
 *                          returns (worker processes only); result "b"
 *   "args-size"     any    result "t": the serialized size of its arguments
 *   "print"         (s)    writes the text on standard output; result "(b)"
 *   "flood-stderr"  (ts)   writes T lines "x" on standard error as fast
 *                          as it can, or (T = 0) until cancelled; grows the
 *                          pipe there to 1 MiB; once 1 MiB is written,
 *                          creates the file at the path (unless ""); result
 *                          "t", the lines written
 *
 * "flaky", "spawn-sleeper" and "file-size" take paths of this machine
 * (JR_JOB_PLACEMENT_LOCAL_PATHS); every other job may run anywhere.
 */
#pragma once

#include "jobrouter.h"

G_BEGIN_DECLS

/* The error domain a test can ask the "fail" job to raise: a domain the
 * executor cannot know of, that must still come back by name. */
#define EXECUTOR_TEST_ERROR_DOMAIN "test-error-quark"

#define EXECUTOR_TEST_UNAVAILABLE_REASON "needs a flux capacitor"

/* The exit status of the "crash" job's "exit" variant. */
#define EXECUTOR_TEST_EXIT_STATUS 3

void executor_test_jobs_register (void);
/* "held" jobs (thread workers, this process) run, deaf to cancellation,
 * until released. */
void executor_test_jobs_release_held (void);

G_END_DECLS
