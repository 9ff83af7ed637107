#!/usr/bin/python3
# check-example.py — runs one of examples/ and checks what it prints, that
# its jobs ran in worker processes that are the program run again, and
# that no worker outlived it. TAP.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   check-example.py NAME [--gui] COMMAND [ARGS...]
#
# NAME picks the checks (slow-squares, count-primes, pi-iterations,
# job-list-window); COMMAND runs the example, in C (the program) or in
# Python (the interpreter and the script). --gui: the example opens a
# window; skipped without a display, and for Python without the JrUi
# typelib.
import math
import os
import re
import subprocess
import sys
import threading
import time

TIMEOUT_SEC = 100


class Tap:
    def __init__(self, prefix):
        self.prefix = prefix
        self.results = []

    def check(self, name, passed, diagnostic=''):
        self.results.append((f'{self.prefix}/{name}', bool(passed), diagnostic))
        return passed

    def finish(self):
        print(f'1..{len(self.results)}')
        for number, (name, passed, diagnostic) in enumerate(self.results, 1):
            print(f'{"ok" if passed else "not ok"} {number} {name}')
            if not passed and diagnostic:
                for line in str(diagnostic).splitlines():
                    print(f'# {line}')
        sys.exit(0 if all(passed for _, passed, _ in self.results) else 1)


def skip_all(reason):
    print(f'1..0 # SKIP {reason}')
    sys.exit(0)


# ---- processes ----

def read_cmdline(pid):
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            return [arg.decode(errors='replace') for arg in f.read().split(b'\0')[:-1]]
    except OSError:
        return None


def read_exe(pid):
    try:
        return os.path.realpath(f'/proc/{pid}/exe')
    except OSError:
        return None


def children_of(pid):
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(')') + 2:].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def is_gone(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            stat = f.read()
    except OSError:
        return True
    return stat[stat.rindex(')') + 2] in 'ZX'


def run(command):
    """Runs @command, watching its children while it runs: returns the
    completed process's status, stdout, stderr, its own cmdline and exe,
    and {pid: (exe, cmdline)} of every child seen."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL)
    own_cmdline = own_exe = None
    children = {}
    deadline = time.monotonic() + TIMEOUT_SEC
    # Read the pipes on threads of their own: a chatty program must not
    # block on a full pipe while we poll /proc.
    out, err = [], []
    readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()))
               for s, b in ((process.stdout, out), (process.stderr, err))]
    for reader in readers:
        reader.start()
    while process.poll() is None:
        if own_cmdline is None:
            own_cmdline, own_exe = read_cmdline(process.pid), read_exe(process.pid)
        for child in children_of(process.pid):
            if child not in children:
                cmdline = read_cmdline(child)
                if cmdline:
                    children[child] = (read_exe(child), cmdline)
        if time.monotonic() > deadline:
            process.kill()
        time.sleep(0.01)
    for reader in readers:
        reader.join()
    return (process.returncode, out[0].decode(errors='replace'), err[0].decode(errors='replace'),
            own_cmdline, own_exe, children)


# ---- what each example prints ----

def lines_of(stdout):
    return [line for line in stdout.splitlines() if line.strip()]


def check_slow_squares(tap, stdout, args):
    inputs = [int(a) for a in args] or list(range(10))
    expected = []
    for n in inputs:
        if n < 7:
            expected.append(f'square({n}) = {n * n}')
        else:
            expected.append(f'square({n}) failed: ')
    got = lines_of(stdout)
    tap.check('one-line-each', len(got) == len(expected), stdout)
    for want, line in zip(expected, got):
        if want.endswith('failed: '):
            # C says the message; Python names the exception's type too.
            ok = re.fullmatch(re.escape(want) + r'(RuntimeError: )?Calculation took too long', line)
        else:
            ok = line == want
        tap.check(f'line/{want.split(")")[0]})', ok, f'want {want!r}, got {line!r}')


def prime_counts(limit):
    """pi(x) for every x <= limit, as a sieve's running count."""
    sieve = bytearray([1]) * (limit + 1)
    sieve[0:2] = b'\0\0'
    for d in range(2, math.isqrt(limit) + 1):
        if sieve[d]:
            sieve[d * d::d] = bytes(len(range(d * d, limit + 1, d)))
    return sieve


def count_below(sieve, x):
    return sum(sieve[:x])


def check_count_primes(tap, stdout, args):
    limit = int(args[0])
    cancel_at = float(args[1])
    got = lines_of(stdout)
    sieve = prime_counts(limit)
    n_chunks = 20
    tap.check('small-run-completes', 'There are 1229 primes smaller than 10000' in got, stdout)
    try:
        start = got.index(f'Counting the primes below {limit}')
    except ValueError:
        tap.check('large-run-starts', False, stdout)
        return
    run_lines = got[start + 1:]
    progress = [re.fullmatch(r'(\d+) of (\d+) chunks processed, (\d+) primes found', line)
                for line in run_lines]
    progress = [m for m in progress if m]
    chunks = [int(m.group(1)) for m in progress]
    tap.check('progress-reported', len(progress) >= 2, stdout)
    tap.check('progress-in-order', chunks == sorted(chunks), chunks)
    wrong = [m.group(0) for m in progress
             if int(m.group(3)) != count_below(sieve, limit * int(m.group(1)) // n_chunks)]
    tap.check('progress-counts-right', not wrong, wrong)
    tap.check('cancelled-midway', any(re.fullmatch(r'Cancelling at \d+ %', line)
                                      for line in run_lines), stdout)
    last = run_lines[-1] if run_lines else ''
    m = re.fullmatch(r'Run cancelled after (\d+) of 20 chunks processed, (\d+) primes found', last)
    tap.check('ends-cancelled', m is not None, f'last line {last!r}')
    if m:
        done = int(m.group(1))
        tap.check('cancelled-before-the-end',
                  cancel_at * n_chunks <= done < n_chunks, f'{done} of {n_chunks}')
    tap.check('never-completes', not any(line.startswith(f'There are') and line.endswith(f' {limit}')
                                         for line in run_lines), stdout)


def check_pi_iterations(tap, stdout, args):
    n_approximations, chunk_size = int(args[0]), int(args[1])
    got = lines_of(stdout)
    parsed = [re.fullmatch(r'(\d+) points: pi = (\d\.\d{6}) \+- (\d\.\d{6})', line) for line in got]
    approximations = [(int(m.group(1)), float(m.group(2)), float(m.group(3)))
                      for m in parsed if m]
    tap.check('one-line-each', len(approximations) == n_approximations, stdout)
    tap.check('points-grow', [a[0] for a in approximations] ==
              [chunk_size * (i + 1) for i in range(len(approximations))],
              [a[0] for a in approximations])
    tap.check('errors-shrink', all(a[2] > b[2] for a, b in zip(approximations, approximations[1:])),
              [a[2] for a in approximations])
    tap.check('near-pi', all(abs(a[1] - math.pi) < 0.05 for a in approximations),
              [a[1] for a in approximations])
    tap.check('done', got and got[-1] == f'Done: {n_approximations} approximations', stdout)


def check_job_list_window(tap, stdout, args):
    got = lines_of(stdout)
    for n in range(9):
        if n < 7:
            ok = f'Square of {n}: {n * n}' in got
        else:
            ok = any(re.fullmatch(rf'Square of {n}: failed: (RuntimeError: )?'
                                  r'Calculation took too long', line) for line in got)
        tap.check(f'job/{n}', ok, stdout)
    tap.check('list-shows-every-job', got and got[-1] == 'The list shows 9 jobs', stdout)


CHECKS = {
    'slow-squares': check_slow_squares,
    'count-primes': check_count_primes,
    'pi-iterations': check_pi_iterations,
    'job-list-window': check_job_list_window,
}


def main(argv):
    name = argv[1]
    gui = argv[2] == '--gui'
    command = argv[3:] if gui else argv[2:]
    is_python = os.path.basename(command[0]).startswith('python')
    script_args = command[2:] if is_python else command[1:]

    if gui and not (os.environ.get('DISPLAY') or os.environ.get('WAYLAND_DISPLAY')):
        skip_all('no display (run under xvfb-run)')
    if gui and is_python:
        probe = subprocess.run([command[0], '-c',
                                'import gi; gi.require_version("JrUi", "1"); '
                                'from gi.repository import JrUi'],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            reason = (probe.stderr.strip().splitlines() or ['?'])[-1]
            skip_all(f'JrUi is not importable (libjobrouter-ui-1 and its typelib are not '
                     f'built yet): {reason}')

    tap = Tap(f'/examples/{name}/{"python" if is_python else "c"}')
    status, stdout, stderr, own_cmdline, own_exe, children = run(command)
    sys.stderr.write(stderr)
    tap.check('exit-status', status == 0, f'exit status {status}\n{stderr}')
    tap.check('no-warning', not re.search(r'CRITICAL|WARNING|Traceback', stderr), stderr)
    CHECKS[name](tap, stdout, script_args)

    # The workers: this program run again, with the same arguments.
    workers = [pid for pid, (exe, cmdline) in children.items()
               if own_cmdline is not None and exe == own_exe and cmdline[1:] == own_cmdline[1:]]
    tap.check('ran-worker-processes', workers,
              f'program {own_exe} {own_cmdline}; children seen: {children}')
    deadline = time.monotonic() + 5
    while any(not is_gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.02)
    tap.check('no-worker-left', all(is_gone(pid) for pid in workers),
              [pid for pid in workers if not is_gone(pid)])
    tap.finish()


if __name__ == '__main__':
    main(sys.argv)
