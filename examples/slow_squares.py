#!/usr/bin/python3
# slow_squares.py — call jobs that return a result or fail, in worker
# processes: traits-futures' "slow squares" example, on jobrouter from
# Python.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   python3 slow_squares.py [N...]      (default: 0 to 9)
#
# Each N is squared by a job that takes longer the larger N is; one that
# would take longer than its time limit gives up with an exception. The
# program submits them all at once to a pool of worker processes, then
# waits for each in turn with the blocking Future.wait() and prints its
# result or its error:
#
#   square(3) = 9
#   square(8) failed: RuntimeError: Calculation took too long
#
# Worker processes are this script run again by the same interpreter with
# the same arguments: register the jobs and call Jr.init() before anything
# else. An exception in a job fails its future with JR_JOB_ERROR_EXCEPTION;
# Jr.job_exception() gives its type, message and traceback.
import sys
import time

import gi
gi.require_version('Jr', '1')
from gi.repository import GLib, Jr  # noqa: E402

STEP_SECONDS = 0.02
TIME_LIMIT_STEPS = 7


def slow_square(job, args):
    """Runs in a worker process."""
    n = args.unpack()
    cancellable = job.get_cancellable()
    for step in range(n + 1):
        if step == TIME_LIMIT_STEPS:
            raise RuntimeError('Calculation took too long')
        if cancellable.is_cancelled():
            return None
        time.sleep(STEP_SECONDS)
    return GLib.Variant('t', n * n)


Jr.register_job('slow-square', slow_square, 'u')
argv = Jr.init()   # a worker process never returns from here


def main():
    inputs = [int(arg) for arg in argv[1:]] or list(range(10))
    with Jr.Executor(transport=Jr.Transport.PROCESSES, max_workers=4) as executor:
        # Submit everything first: the workers square in parallel.
        futures = [executor.submit_call('slow-square', GLib.Variant('u', n)) for n in inputs]
        # Then wait for each, in order.
        for n, future in zip(inputs, futures):
            try:
                result = future.wait(30 * GLib.USEC_PER_SEC)
                print(f'square({n}) = {result.unpack()}')
            except GLib.Error as error:
                exception = Jr.job_exception(error)
                if exception is not None:
                    print(f'square({n}) failed: {exception.type}: {exception.message}')
                else:
                    print(f'square({n}) failed: {error.message}')
    # Leaving the with block shut the executor down: no worker is left.


if __name__ == '__main__':
    main()
