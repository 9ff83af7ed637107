#!/usr/bin/python3
# count_primes.py — a job that reports its progress, run to its end once,
# then cancelled midway: traits-futures' "prime counting" example, on
# jobrouter from Python.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   python3 count_primes.py [LIMIT [CANCEL_AT]]   (default: 500000 0.5)
#
# The job counts the primes below a limit, deliberately slowly (trial
# division), in chunks, reporting after each chunk how far it is and how
# many primes it has found. The program follows it on a GLib main loop:
# every change of the future's progress text is printed, and the outcome
# comes through Future.wait_async(). First it counts the primes below
# 10000 to the end; then those below LIMIT, and cancels the job once it is
# CANCEL_AT of the way. The job sees the cancel at its next job.progress(),
# which raises GLib.Error (G_IO_ERROR_CANCELLED): letting it go through
# ends the job.
import sys

import gi
gi.require_version('Jr', '1')
from gi.repository import Gio, GLib, Jr  # noqa: E402

N_CHUNKS = 20


def isqrt(n):
    """The integer square root of a positive integer."""
    s = n
    while True:
        d = n // s
        if s <= d:
            return s
        s = (s + d) // 2


def is_prime(n):
    return n >= 2 and all(n % d for d in range(2, isqrt(n) + 1))


def count_primes(job, args):
    """Runs in a worker process. (uu): the limit, the number of chunks."""
    limit, n_chunks = args.unpack()
    count = 0
    for chunk in range(n_chunks):
        start, end = limit * chunk // n_chunks, limit * (chunk + 1) // n_chunks
        job.progress(chunk / n_chunks,
                     f'{chunk} of {n_chunks} chunks processed, {count} primes found')
        count += sum(1 for n in range(start, end) if is_prime(n))
    return GLib.Variant('u', count)


Jr.register_job('count-primes', count_primes, '(uu)')
argv = Jr.init()   # a worker process never returns from here


def count_below(executor, limit, cancel_at):
    loop = GLib.MainLoop()
    print(f'Counting the primes below {limit}')
    future = executor.submit_progress('count-primes', GLib.Variant('(uu)', (limit, N_CHUNKS)))

    def on_progress_text(future, _pspec):
        if future.get_progress_text() is not None:
            print(future.get_progress_text())
        if future.get_progress() >= cancel_at and future.get_cancellable_now():
            print(f'Cancelling at {future.get_progress() * 100:.0f} %')
            future.cancel()

    def on_done(future, result):
        try:
            count = future.wait_finish(result)
            print(f'There are {count.unpack()} primes smaller than {limit}')
        except GLib.Error as error:
            if error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
                print(f'Run cancelled after {future.get_progress_text()}')
            else:
                print(f'Run failed: {error.message}')
        loop.quit()

    handler = future.connect('notify::progress-text', on_progress_text)
    future.wait_async(None, on_done)
    loop.run()
    future.disconnect(handler)


def main():
    limit = int(argv[1]) if len(argv) > 1 else 500000
    cancel_at = float(argv[2]) if len(argv) > 2 else 0.5
    with Jr.Executor(transport=Jr.Transport.PROCESSES, max_workers=1) as executor:
        count_below(executor, 10000, 2.0)
        count_below(executor, limit, cancel_at)
    return 0


if __name__ == '__main__':
    sys.exit(main())
