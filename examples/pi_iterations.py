#!/usr/bin/python3
# pi_iterations.py — a job that yields partial results: successive
# approximations of pi by the Monte Carlo method, traits-futures' "pi
# iterations" example, on jobrouter from Python.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   python3 pi_iterations.py [N_APPROXIMATIONS [CHUNK_SIZE]]   (default: 10 100000)
#
# The job draws random points in the unit square, CHUNK_SIZE at a time,
# counts those inside the quarter circle, and after each chunk yields
# (points, approximation, error) with job.yield_(); the program prints each
# one as the future's "yielded" signal brings it, on a GLib main loop. The
# random numbers come from a fixed seed: every run prints the same.
import math
import random
import sys

import gi
gi.require_version('Jr', '1')
from gi.repository import GLib, Jr  # noqa: E402

SEED = 1729


def pi_iterations(job, args):
    """Runs in a worker process. (uu): how many approximations, and the
    points per approximation. Yields (tdd) after each chunk."""
    n_approximations, chunk_size = args.unpack()
    rand = random.Random(SEED)
    n_samples = n_inside = 0
    last = GLib.Variant('(tdd)', (0, 0.0, 0.0))
    for _ in range(n_approximations):
        for _ in range(chunk_size):
            x, y = rand.random(), rand.random()
            n_inside += x * x + y * y <= 1.0
        n_samples += chunk_size
        # A normal approximation interval for the binomial proportion.
        approximation = 4 * n_inside / n_samples
        error = 7.839856 * math.sqrt(n_inside * (n_samples - n_inside) / n_samples ** 3)
        last = GLib.Variant('(tdd)', (n_samples, approximation, error))
        job.yield_(last)   # raises G_IO_ERROR_CANCELLED once cancelled
    return last


Jr.register_job('pi-iterations', pi_iterations, '(uu)')
argv = Jr.init()   # a worker process never returns from here


def main():
    n_approximations = int(argv[1]) if len(argv) > 1 else 10
    chunk_size = int(argv[2]) if len(argv) > 2 else 100000
    yielded = []
    loop = GLib.MainLoop()

    def on_yielded(future, value):
        n_samples, approximation, error = value.unpack()
        print(f'{n_samples} points: pi = {approximation:.6f} +- {error:.6f}')
        yielded.append(value)

    def on_done(future, result):
        try:
            future.wait_finish(result)
        except GLib.Error as error:
            print(f'The approximations failed: {error.message}', file=sys.stderr)
        loop.quit()

    with Jr.Executor(transport=Jr.Transport.PROCESSES, max_workers=1) as executor:
        future = executor.submit_iteration('pi-iterations',
                                           GLib.Variant('(uu)', (n_approximations, chunk_size)))
        future.connect('yielded', on_yielded)
        future.wait_async(None, on_done)
        loop.run()
    if future.get_state() != Jr.FutureState.COMPLETED:
        return 1
    print(f'Done: {len(yielded)} approximations')
    return 0


if __name__ == '__main__':
    sys.exit(main())
