#!/usr/bin/python3
# test-python-jobs.py — Python jobs in worker processes and threads, through
# the Jr override (router/python/gi/overrides/Jr.py), and waiting on
# futures from Python. TAP; skips when PyGObject or the typelib is missing.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run with G_DEBUG=fatal-criticals (tests/meson.build does): PyGObject
# prints a CRITICAL for a job callback it cannot handle, and that must
# kill the test. Worker processes are this script run again: everything
# up to Jr.init() runs in them too.
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time
import weakref

import taptest

try:
    import gi
    gi.require_version('Jr', '1')
    from gi.repository import Gio, GLib, GObject, Jr
except (ImportError, ValueError) as error:
    taptest.skip_all(error)

import unittest  # noqa: E402

SECOND = GLib.USEC_PER_SEC


# ---- the jobs: registered in every run, workers included ----

def square(job, args):
    return GLib.Variant('i', args.unpack() ** 2)


def where(job, args):
    """Where the job runs: its pid, /proc/self/cmdline, sys.argv."""
    with open('/proc/self/cmdline', 'rb') as f:
        cmdline = [arg.decode() for arg in f.read().split(b'\0')[:-1]]
    return GLib.Variant('(uasas)', (os.getpid(), cmdline, sys.argv))


def _check_value(value):
    raise ValueError(f'bad value {value}')


def raise_value_error(job, args):
    _check_value(args.unpack() if args is not None else None)


def raise_glib_error(job, args):
    raise GLib.Error.new_literal(Gio.io_error_quark(), 'no such thing',
                                 int(Gio.IOErrorEnum.NOT_FOUND))


def call_exit(job, args):
    sys.exit(3)


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError('no text for this one')


def raise_awkward(job, args):
    """An exception whose text GLib cannot carry as it is: a file name the
    locale could not decode (a surrogate escape), a NUL, or none at all."""
    how = args.unpack()
    if how == 'surrogate':
        raise ValueError('caf' + b'\xe9.txt'.decode('utf-8', 'surrogateescape') + ': not a CSV file')
    if how == 'nul':
        raise ValueError('field 3 is "a\0b"')
    if how == 'tool-traceback':
        # A failed tool's own traceback, quoted in the message.
        raise RuntimeError('tool failed with status 1:\n\nTraceback (most recent call last):\n'
                           '  File "tool.py", line 1, in <module>\nKeyError: 3')
    if how == 'glib-surrogate':
        raise GLib.Error.new_literal(Gio.io_error_quark(),
                                     'caf' + b'\xe9'.decode('utf-8', 'surrogateescape'),
                                     int(Gio.IOErrorEnum.NOT_FOUND))
    raise Unprintable()


def worker_environment(job, args):
    """The worker's variables as a job sees them, in Python's copy of the
    environment (what subprocess passes on) and in the C one."""
    names = ('JOBROUTER_WORKER', 'JOBROUTER_CHANNEL_FDS')
    return GLib.Variant('(bb)', (any(name in os.environ for name in names),
                                 any(GLib.getenv(name) is not None for name in names)))


def return_none(job, args):
    return None


def return_int(job, args):
    return 42


def count(job, args):
    """(ud): n steps of d seconds each, with progress; returns n."""
    n, step = args.unpack()
    for i in range(n):
        job.progress(i / n, f'step {i} of {n}')
        time.sleep(step)
    job.progress(1.0, 'done')
    return GLib.Variant('u', n)


def yield_squares(job, args):
    n = args.unpack()
    for i in range(n):
        job.yield_(GLib.Variant('u', i * i))
    return GLib.Variant('u', n)


def sleep(job, args):
    """Sleeps @args seconds in small steps, until cancelled."""
    deadline = time.monotonic() + args.unpack()
    cancellable = job.get_cancellable()
    while time.monotonic() < deadline and not cancellable.is_cancelled():
        time.sleep(0.005)
    return GLib.Variant('b', True)


_kept_jobs = []


def keep_job(job, args):
    """Keeps its handle past its end, as a careless job might."""
    _kept_jobs.append(job)
    return GLib.Variant('b', True)


def use_kept_job(job, args):
    """Reports what using the handle a job kept does now."""
    outcomes = []
    for use in (lambda old: old.progress(0.5, 'late'),
                lambda old: old.yield_(GLib.Variant('u', 1)),
                lambda old: old.get_cancellable()):
        try:
            use(_kept_jobs[-1])
            outcomes.append('no error')
        except RuntimeError as error:
            outcomes.append(f'RuntimeError: {error}')
    return GLib.Variant('as', outcomes)


Jr.register_job('square', square, 'i')
Jr.register_job('keep-job', keep_job)
Jr.register_job('use-kept-job', use_kept_job)
Jr.register_job('where', where)
Jr.register_job('raise-value-error', raise_value_error)
Jr.register_job('raise-glib-error', raise_glib_error)
Jr.register_job('exit', call_exit)
Jr.register_job('raise-awkward', raise_awkward, 's')
Jr.register_job('return-none', return_none)
Jr.register_job('worker-environment', worker_environment)
Jr.register_job('return-int', return_int)
Jr.register_job('count', count, GLib.VariantType.new('(ud)'))
Jr.register_job('yield-squares', yield_squares, 'u')
Jr.register_job('sleep', sleep, 'd')
Jr.register_job('unavailable', square, None, 'it needs a thing this machine lacks')

ARGV = Jr.init()


# ---- helpers ----

def own_cmdline():
    with open('/proc/self/cmdline', 'rb') as f:
        return [arg.decode() for arg in f.read().split(b'\0')[:-1]]


def run_loop_until(condition, timeout_sec, what):
    """Iterates the default main context until condition() holds."""
    context = GLib.MainContext.default()
    deadline = time.monotonic() + timeout_sec
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f'timed out after {timeout_sec} s waiting for {what}')
        context.iteration(False) or time.sleep(0.002)


class ExecutorTest:
    """A fresh executor of `transport` for each test, shut down (and
    checked) after it."""
    transport = Jr.Transport.PROCESSES

    def setUp(self):
        self.executor = Jr.Executor(transport=self.transport, max_workers=2)

    def tearDown(self):
        self.assertTrue(self.executor.shutdown(10 * SECOND))
        self.assertEqual(self.executor.get_state(), Jr.ExecutorState.STOPPED)
        self.assertEqual(self.executor.get_n_workers(), 0)

    def assertFails(self, future, domain, code, timeout=10 * SECOND):
        with self.assertRaises(GLib.Error) as caught:
            future.wait(timeout)
        self.assertTrue(caught.exception.matches(domain, int(code)),
                        f'{caught.exception.domain} {caught.exception.code}: '
                        f'{caught.exception.message}')
        return caught.exception


# ---- jobs ----

class JobTests(ExecutorTest):
    def test_result(self):
        future = self.executor.submit_call('square', GLib.Variant('i', 7))
        self.assertEqual(future.wait(10 * SECOND).unpack(), 49)
        self.assertEqual(future.get_state(), Jr.FutureState.COMPLETED)

    def test_exception(self):
        future = self.executor.submit_call('raise-value-error', GLib.Variant('s', 'x'))
        error = self.assertFails(future, Jr.job_error_quark(), Jr.JobError.EXCEPTION)
        self.assertEqual(future.get_state(), Jr.FutureState.FAILED)
        first_line = error.message.splitlines()[0]
        self.assertEqual(first_line, 'ValueError: bad value x')
        info = Jr.job_exception(error)
        self.assertEqual((info.type, info.message), ('ValueError', 'bad value x'))
        # The traceback names the job's own frames, not the override's.
        self.assertTrue(info.traceback.startswith('Traceback (most recent call last):\n'))
        self.assertIn('in raise_value_error', info.traceback)
        self.assertIn('in _check_value', info.traceback)
        self.assertNotIn('overrides', info.traceback)
        self.assertTrue(info.traceback.endswith('ValueError: bad value x'))
        # The future's error property holds the same.
        self.assertEqual(future.get_error().message, error.message)

    def test_glib_error_kept(self):
        future = self.executor.submit_call('raise-glib-error', None)
        error = self.assertFails(future, Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND)
        self.assertEqual(error.message, 'no such thing')
        self.assertIsNone(Jr.job_exception(error))

    def test_exception_text_carried(self):
        # Whatever the text, the job fails with its exception, not
        # "without saying why".
        expected = {
            'surrogate': ('ValueError', 'caf\\udce9.txt: not a CSV file'),
            'nul': ('ValueError', 'field 3 is "a\\0b"'),
            'unprintable': ('Unprintable', '<unprintable Unprintable object>'),
        }
        for how, (type_name, message) in expected.items():
            future = self.executor.submit_call('raise-awkward', GLib.Variant('s', how))
            error = self.assertFails(future, Jr.job_error_quark(), Jr.JobError.EXCEPTION)
            info = Jr.job_exception(error)
            self.assertEqual((info.type, info.message), (type_name, message))
            self.assertIn('in raise_awkward', info.traceback)
        future = self.executor.submit_call('raise-awkward', GLib.Variant('s', 'glib-surrogate'))
        error = self.assertFails(future, Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND)
        self.assertEqual(error.message, 'caf\\udce9')

    def test_exception_quoting_a_traceback(self):
        # The job's message quotes another traceback: it stays the message.
        future = self.executor.submit_call('raise-awkward', GLib.Variant('s', 'tool-traceback'))
        error = self.assertFails(future, Jr.job_error_quark(), Jr.JobError.EXCEPTION)
        info = Jr.job_exception(error)
        self.assertEqual(info.type, 'RuntimeError')
        self.assertTrue(info.message.startswith('tool failed with status 1:\n\nTraceback'))
        self.assertTrue(info.message.endswith('KeyError: 3'))
        self.assertIn('in raise_awkward', info.traceback)
        self.assertNotIn('tool.py', info.traceback.split('in raise_awkward')[0])

    def test_no_worker_environment(self):
        # A program a job starts with os.environ is no worker.
        in_python, in_c = self.executor.submit_call('worker-environment', None).wait(10 * SECOND).unpack()
        self.assertFalse(in_python)
        self.assertFalse(in_c)

    def test_system_exit_is_an_exception(self):
        # Not the end of the worker (nor of this program with threads).
        future = self.executor.submit_call('exit', None)
        error = self.assertFails(future, Jr.job_error_quark(), Jr.JobError.EXCEPTION)
        self.assertEqual(Jr.job_exception(error).type, 'SystemExit')
        again = self.executor.submit_call('square', GLib.Variant('i', 3))
        self.assertEqual(again.wait(10 * SECOND).unpack(), 9)

    def test_return_none(self):
        future = self.executor.submit_call('return-none', None)
        error = self.assertFails(future, Jr.job_error_quark(), Jr.JobError.FAILED)
        self.assertIn('returned None', error.message)

    def test_return_not_a_variant(self):
        future = self.executor.submit_call('return-int', None)
        error = self.assertFails(future, Jr.job_error_quark(), Jr.JobError.FAILED)
        self.assertIn('returned a int', error.message)

    def test_progress(self):
        texts = []
        future = self.executor.submit_progress('count', GLib.Variant('(ud)', (5, 0.01)))
        future.connect('notify::progress-text',
                       lambda f, _pspec: texts.append(f.get_progress_text()))
        self.assertEqual(future.wait(10 * SECOND).unpack(), 5)
        self.assertEqual(future.get_progress(), 1.0)
        self.assertEqual(future.get_progress_text(), 'done')
        self.assertEqual(texts[-1], 'done')

    def test_yield(self):
        got = []
        future = self.executor.submit_iteration('yield-squares', GLib.Variant('u', 6))
        future.connect('yielded', lambda f, value: got.append(value.unpack()))
        self.assertEqual(future.wait(10 * SECOND).unpack(), 6)
        self.assertEqual(got, [0, 1, 4, 9, 16, 25])

    def test_cancel_midway(self):
        future = self.executor.submit_progress('count', GLib.Variant('(ud)', (1000, 0.01)))
        run_loop_until(lambda: future.get_progress() > 0, 10, 'the first progress')
        self.assertTrue(future.cancel())
        self.assertFails(future, Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
        self.assertEqual(future.get_state(), Jr.FutureState.CANCELLED)
        self.assertLess(future.get_progress(), 1.0)

    def test_job_handle_kept_after_its_end(self):
        # One worker: the second job finds the first one's handle.
        executor = Jr.Executor(transport=self.transport, max_workers=1)
        try:
            self.assertTrue(executor.submit_call('keep-job', None).wait(10 * SECOND).unpack())
            outcomes = executor.submit_call('use-kept-job', None).wait(10 * SECOND).unpack()
            self.assertEqual(len(outcomes), 3)
            for outcome in outcomes:
                self.assertTrue(outcome.startswith('RuntimeError: The job “keep-job” has returned'),
                                outcome)
            # The worker goes on.
            self.assertEqual(executor.submit_call('square', GLib.Variant('i', 4))
                             .wait(10 * SECOND).unpack(), 16)
        finally:
            self.assertTrue(executor.shutdown(10 * SECOND))

    def test_args_type(self):
        with self.assertRaises(GLib.Error) as caught:
            self.executor.submit_call('square', GLib.Variant('s', 'seven'))
        self.assertTrue(caught.exception.matches(Jr.job_error_quark(),
                                                 int(Jr.JobError.INVALID_ARGS)))

    def test_unavailable(self):
        with self.assertRaises(GLib.Error) as caught:
            self.executor.submit_call('unavailable', GLib.Variant('i', 1))
        self.assertTrue(caught.exception.matches(Jr.job_error_quark(),
                                                 int(Jr.JobError.UNAVAILABLE)))
        self.assertIn('lacks', caught.exception.message)


class ProcessJobTests(JobTests, unittest.TestCase):
    tap_path = '/python/processes'
    transport = Jr.Transport.PROCESSES

    def test_runs_in_a_worker_process(self):
        # The worker is this script run again by the same interpreter,
        # with the same arguments.
        pid, cmdline, argv = self.executor.submit_call('where', None).wait(10 * SECOND).unpack()
        self.assertNotEqual(pid, os.getpid())
        self.assertEqual(cmdline[1:], own_cmdline()[1:])
        self.assertEqual(os.path.realpath(cmdline[0]), os.path.realpath(sys.executable))
        self.assertEqual(argv, sys.argv)


class ThreadJobTests(JobTests, unittest.TestCase):
    tap_path = '/python/threads'
    transport = Jr.Transport.THREADS

    def test_runs_in_this_process(self):
        pid, _cmdline, _argv = self.executor.submit_call('where', None).wait(10 * SECOND).unpack()
        self.assertEqual(pid, os.getpid())


# ---- waiting ----

class WaitTests(ExecutorTest):
    def wait_async(self, future, cancellable=None):
        """wait_async() and a loop until its callback: what wait_finish()
        gave, as ('result', value) or ('error', GLib.Error)."""
        outcome = []

        def on_done(source, result):
            self.assertIs(source, future)
            try:
                outcome.append(('result', future.wait_finish(result)))
            except GLib.Error as error:
                outcome.append(('error', error))

        future.wait_async(cancellable, on_done)
        # Never from inside the call, even when the future is done already.
        self.assertEqual(outcome, [])
        run_loop_until(lambda: outcome, 10, 'the wait_async callback')
        return outcome[0]

    def test_wait_on_its_own_context(self):
        # An executor made under a pushed context: its futures are waited
        # for on that context, whatever the thread-default one is now.
        context = GLib.MainContext()
        context.push_thread_default()
        try:
            executor = Jr.Executor(transport=self.transport, max_workers=1)
            future = executor.submit_call('square', GLib.Variant('i', 3))
        finally:
            context.pop_thread_default()
        self.assertEqual(future.get_context(), context)
        self.assertEqual(future.wait(10 * SECOND).unpack(), 9)
        context.push_thread_default()
        try:
            self.assertTrue(executor.shutdown(10 * SECOND))
        finally:
            context.pop_thread_default()

    def test_wait_on_a_context_another_thread_runs(self):
        # The executor and its main loop on a helper thread: the main
        # thread cannot run that context, and waiting there says so at
        # once (jr_future_wait()'s critical, hence a process of its own)
        # instead of hanging, whatever the timeout.
        code = textwrap.dedent('''
            import threading, time, gi; gi.require_version("Jr", "1")
            from gi.repository import GLib, Gio, Jr
            def sleep(job, args):
                while not job.get_cancellable().is_cancelled():
                    time.sleep(0.005)
            Jr.register_job("sleep", sleep)
            Jr.init()
            context = GLib.MainContext()
            loop = GLib.MainLoop(context)
            submitted = threading.Event()
            box = {}
            def helper():
                context.push_thread_default()
                executor = Jr.Executor(transport=Jr.Transport.{transport}, max_workers=1)
                box["future"] = executor.submit_call("sleep", None)
                source = GLib.idle_source_new()
                source.set_callback(lambda *_: submitted.set() or GLib.SOURCE_REMOVE)
                source.attach(context)
                loop.run()
                assert executor.shutdown(10000000)
                context.pop_thread_default()
            thread = threading.Thread(target=helper)
            thread.start()
            submitted.wait()
            try:
                box["future"].wait(60000000)
            except GLib.Error as error:
                print(error.matches(Gio.io_error_quark(), int(Gio.IOErrorEnum.WOULD_BLOCK)))
            quit = GLib.idle_source_new()
            quit.set_callback(lambda *_: loop.quit() or GLib.SOURCE_REMOVE)
            quit.attach(context)
            thread.join()
            print("done")
        ''').replace('{transport}', self.transport.value_nick.upper())
        env = {k: v for k, v in os.environ.items() if k != 'G_DEBUG'}
        done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                              timeout=30, env=env)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.splitlines(), ['True', 'done'])
        self.assertIn('run by another thread', done.stderr)

    def test_wait_result(self):
        future = self.executor.submit_call('square', GLib.Variant('i', 5))
        self.assertEqual(future.wait(10 * SECOND).unpack(), 25)
        # Waiting again on a done future gives the same at once.
        self.assertEqual(future.wait(0).unpack(), 25)

    def test_wait_timeout_then_cancel(self):
        future = self.executor.submit_call('sleep', GLib.Variant('d', 30.0))
        start = time.monotonic()
        with self.assertRaises(GLib.Error) as caught:
            future.wait(200000)
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(),
                                                 int(Gio.IOErrorEnum.TIMED_OUT)))
        self.assertLess(time.monotonic() - start, 5)
        # The job goes on.
        self.assertFalse(future.get_done())
        self.assertTrue(future.cancel())
        with self.assertRaises(GLib.Error) as caught:
            future.wait(10 * SECOND)
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(),
                                                 int(Gio.IOErrorEnum.CANCELLED)))
        self.assertEqual(future.get_state(), Jr.FutureState.CANCELLED)

    def test_wait_failed(self):
        future = self.executor.submit_call('raise-value-error', GLib.Variant('i', 1))
        error = self.assertFails(future, Jr.job_error_quark(), Jr.JobError.EXCEPTION)
        self.assertEqual(Jr.job_exception(error).message, 'bad value 1')

    def test_wait_async_result(self):
        future = self.executor.submit_call('square', GLib.Variant('i', 6))
        kind, value = self.wait_async(future)
        self.assertEqual((kind, value.unpack()), ('result', 36))
        # Done already: the callback still comes from the main loop.
        kind, value = self.wait_async(future)
        self.assertEqual((kind, value.unpack()), ('result', 36))

    def test_wait_async_failed(self):
        future = self.executor.submit_call('raise-glib-error', None)
        kind, error = self.wait_async(future)
        self.assertEqual(kind, 'error')
        self.assertTrue(error.matches(Gio.io_error_quark(), int(Gio.IOErrorEnum.NOT_FOUND)))

    def test_wait_async_cancel_the_wait(self):
        # Cancelling the wait gives up waiting; the job goes on.
        future = self.executor.submit_call('sleep', GLib.Variant('d', 30.0))
        cancellable = Gio.Cancellable()
        GLib.timeout_add(50, lambda: cancellable.cancel() and False)
        kind, error = self.wait_async(future, cancellable)
        self.assertEqual(kind, 'error')
        self.assertTrue(error.matches(Gio.io_error_quark(), int(Gio.IOErrorEnum.CANCELLED)))
        self.assertFalse(future.get_done())
        self.assertTrue(future.get_cancellable_now())
        future.cancel()
        self.assertFails(future, Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)

    def test_wait_async_cancel_the_job(self):
        future = self.executor.submit_call('sleep', GLib.Variant('d', 30.0))
        GLib.timeout_add(50, lambda: future.cancel() and False)
        kind, error = self.wait_async(future)
        self.assertEqual(kind, 'error')
        self.assertTrue(error.matches(Gio.io_error_quark(), int(Gio.IOErrorEnum.CANCELLED)))
        self.assertEqual(future.get_state(), Jr.FutureState.CANCELLED)


class ProcessWaitTests(WaitTests, unittest.TestCase):
    tap_path = '/python/processes/wait'
    transport = Jr.Transport.PROCESSES


class ThreadWaitTests(WaitTests, unittest.TestCase):
    tap_path = '/python/threads/wait'
    transport = Jr.Transport.THREADS


class InterruptedWaitTests(unittest.TestCase):
    """Ctrl-C in a program blocked in future.wait(-1): a child Python
    process, as a terminal starts it (SIGINT at Python's own handler)."""
    tap_path = '/python/wait/interrupted'

    CHILD = (
        'import signal, time\n'
        'signal.signal(signal.SIGINT, signal.default_int_handler)\n'
        'import gi; gi.require_version("Jr", "1")\n'
        'from gi.repository import Gio, GLib, Jr\n'
        'def sleep(job, args):\n'
        '    cancellable = job.get_cancellable()\n'
        '    end = time.monotonic() + 60\n'
        '    while time.monotonic() < end and not cancellable.is_cancelled():\n'
        '        time.sleep(0.005)\n'
        '    return GLib.Variant("b", True)\n'
        'Jr.register_job("sleep", sleep)\n'
        'Jr.init()\n'
        'with Jr.Executor(transport=Jr.Transport.{transport}, max_workers=1) as executor:\n'
        '    future = executor.submit_call("sleep", None)\n'
        '    # Said from inside the wait, which runs the main context.\n'
        '    GLib.idle_add(lambda: print("waiting", flush=True))\n'
        '    try:\n'
        '        future.wait(-1)\n'
        '    except KeyboardInterrupt:\n'
        '        print("interrupted, done:", future.get_done(), flush=True)\n'
        '    try:\n'
        '        future.wait(100000)\n'
        '    except GLib.Error as error:\n'
        '        assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.TIMED_OUT)\n'
        '        print(error.message, flush=True)\n'
        '    try:\n'
        '        print("sleeping", flush=True)\n'
        '        time.sleep(60)\n'
        '    except KeyboardInterrupt:\n'
        '        print("interrupted in sleep", flush=True)\n')

    def read_line(self, lines, timeout):
        try:
            return lines.get(timeout=timeout).rstrip('\n')
        except queue.Empty:
            raise AssertionError(f'nothing from the child in {timeout} s') from None

    def check(self, transport):
        child = subprocess.Popen([sys.executable, '-c', self.CHILD.format(transport=transport)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in child.stdout],
                         daemon=True).start()
        try:
            self.assertEqual(self.read_line(lines, 30), 'waiting')
            sent = time.monotonic()
            child.send_signal(signal.SIGINT)
            # The wait ends at once, the job going on.
            self.assertEqual(self.read_line(lines, 5), 'interrupted, done: False')
            self.assertLess(time.monotonic() - sent, 5)
            # Waiting again works as before; then Python's own handler is
            # back: a second Ctrl-C is a KeyboardInterrupt where the
            # program is, and the with block shuts the executor down.
            self.assertEqual(self.read_line(lines, 5),
                             'The job “sleep” was not done after 100 ms')
            self.assertEqual(self.read_line(lines, 5), 'sleeping')
            child.send_signal(signal.SIGINT)
            self.assertEqual(self.read_line(lines, 5), 'interrupted in sleep')
            child.wait(timeout=15)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            err = child.stderr.read()
        self.assertEqual(child.returncode, 0, err)

    def test_processes(self):
        self.check('PROCESSES')

    def test_threads(self):
        self.check('THREADS')


# ---- the executor as a GObject, the override's own API ----

class ExecutorObjectTests(unittest.TestCase):
    tap_path = '/python/executor'

    def check_runs(self, executor):
        try:
            self.assertEqual(executor.submit_call('square', GLib.Variant('i', 4))
                             .wait(10 * SECOND).unpack(), 16)
        finally:
            self.assertTrue(executor.shutdown(10 * SECOND))
        self.assertEqual(executor.get_n_workers(), 0)

    def test_properties(self):
        executor = Jr.Executor(transport=Jr.Transport.THREADS, max_workers=3)
        self.assertEqual(executor.props.transport, Jr.Transport.THREADS)
        self.assertEqual(executor.props.max_workers, 3)
        self.assertFalse(executor.props.worker_argv)   # NULL: this program again
        self.assertIsInstance(executor, Jr.Executor)
        self.check_runs(executor)

    def test_gobject_new(self):
        executor = GObject.new(Jr.Executor, transport=Jr.Transport.PROCESSES, max_workers=1)
        self.assertEqual(executor.get_max_workers(), 1)
        self.check_runs(executor)

    def test_bare(self):
        executor = Jr.Executor()
        self.assertEqual(executor.get_transport(), Jr.Transport.PROCESSES)
        self.assertEqual(executor.get_max_workers(), max(os.cpu_count() or 1, 1))
        self.check_runs(executor)

    def test_new(self):
        self.check_runs(Jr.Executor.new(Jr.Transport.PROCESSES, 1))

    def test_worker_argv_empty(self):
        # An empty list is the default (what the property reads back as).
        executor = Jr.Executor(transport=Jr.Transport.PROCESSES, max_workers=1, worker_argv=[])
        self.assertFalse(executor.props.worker_argv)
        self.check_runs(executor)

    def test_job_options_freed_by_the_binding(self):
        self.assertFalse(hasattr(Jr.JobOptions, 'free'))

    def test_worker_argv(self):
        argv = [sys.executable, os.path.abspath(__file__), '--started-by-worker-argv']
        executor = Jr.Executor(transport=Jr.Transport.PROCESSES, max_workers=1,
                               worker_argv=argv)
        self.assertEqual(executor.props.worker_argv, argv)
        try:
            _pid, _cmdline, worker_sys_argv = (executor.submit_call('where', None)
                                               .wait(10 * SECOND).unpack())
            self.assertEqual(worker_sys_argv, argv[1:])
        finally:
            self.assertTrue(executor.shutdown(10 * SECOND))

    def test_no_warning(self):
        # GLib warnings are not fatal in this process: make them so in one
        # of its own, for every way of making an executor. (Its worker
        # process is `python3 -c CODE` again.)
        code = ('import gi; gi.require_version("Jr", "1");'
                'from gi.repository import GObject, Jr;'
                'Jr.init();'
                'e = [Jr.Executor(transport=Jr.Transport.THREADS, max_workers=2),'
                '     GObject.new(Jr.Executor, transport=Jr.Transport.THREADS),'
                '     Jr.Executor(transport=Jr.Transport.PROCESSES, max_workers=1),'
                '     Jr.Executor.new(Jr.Transport.THREADS, 1)];'
                'assert all(x.shutdown(10000000) for x in e)')
        env = dict(os.environ, G_DEBUG='fatal-warnings')
        done = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True,
                              text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertNotIn('WARNING', done.stderr)
        self.assertNotIn('CRITICAL', done.stderr)

    def test_worker_output_flushed(self):
        # A worker process ends without finalizing Python: what a job prints
        # to a pipe must get there all the same.
        code = ('import gi; gi.require_version("Jr", "1");'
                'from gi.repository import GLib, Jr;'
                'Jr.register_job("hello", lambda job, args:'
                '                print("printed by the job") or GLib.Variant("b", True));'
                'Jr.init();'
                'e = Jr.Executor(transport=Jr.Transport.PROCESSES, max_workers=1);'
                'e.submit_call("hello", None).wait(10000000);'
                'assert e.shutdown(10000000);'
                'print("main done")')
        done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.splitlines(), ['printed by the job', 'main done'])

    def test_stream_worker_output_flushed(self):
        # The same for a worker started through a command (here directly,
        # on its standard input and output), which no environment reaches
        # (ssh passes none): its output is line-buffered too, or what a job
        # prints may wait in a buffer that the end of a remote session
        # throws away.
        code = ('import sys, gi; gi.require_version("Jr", "1");'
                'from gi.repository import GLib, Jr;'
                'Jr.register_job("buffering", lambda job, args: GLib.Variant("(bb)",'
                '                (sys.stdout.line_buffering, sys.stderr.line_buffering)));'
                'Jr.set_job_placement("buffering", Jr.JobPlacement.ANYWHERE);'
                'Jr.init();'
                'e = Jr.Executor(transport=Jr.Transport.PROCESSES, local_group=False);'
                'assert e.add_group("direct", Jr.Launcher.new_command(None), 1);'
                'print(e.submit_call("buffering", None).wait(10000000).unpack());'
                'assert e.shutdown(10000000)')
        env = {k: v for k, v in os.environ.items() if k != 'JOBROUTER_WORKER'}
        done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                              timeout=60, env=env)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.splitlines(), ['(True, True)'])

    def test_context_manager(self):
        with Jr.Executor(transport=Jr.Transport.PROCESSES, max_workers=1) as executor:
            future = executor.submit_call('sleep', GLib.Variant('d', 30.0))
        # Leaving the block shut it down: the job was cancelled.
        self.assertEqual(executor.get_state(), Jr.ExecutorState.STOPPED)
        self.assertEqual(executor.get_n_workers(), 0)
        self.assertEqual(future.get_state(), Jr.FutureState.CANCELLED)


class RegistrationTests(unittest.TestCase):
    tap_path = '/python/register'

    def test_from_the_override(self):
        self.assertEqual(Jr.register_job.__module__, 'gi.overrides.Jr')
        self.assertEqual(Jr.init.__module__, 'gi.overrides.Jr')
        # C's scope-forever registrations are not for bindings.
        self.assertFalse(hasattr(Jr, 'register_job_full'))

    def test_init_returns_argv(self):
        self.assertEqual(ARGV, sys.argv)
        self.assertEqual(Jr.init(['prog', '--flag']), ['prog', '--flag'])

    def test_init_non_utf8_argv(self):
        # An argument the locale cannot decode (a file name in Latin-1)
        # comes as a surrogate escape: the program starts all the same, and
        # its workers too, with the same arguments.
        code = ('import sys, gi; gi.require_version("Jr", "1")\n'
                'from gi.repository import GLib, Jr\n'
                'Jr.register_job("argv", lambda job, args: GLib.Variant("s", ascii(sys.argv)))\n'
                'argv = Jr.init()\n'
                'assert argv == sys.argv, argv\n'
                'print(ascii(argv))\n'
                'for t in (Jr.Transport.THREADS, Jr.Transport.PROCESSES):\n'
                '    e = Jr.Executor(transport=t, max_workers=1)\n'
                '    print(e.submit_call("argv", None).wait(10000000).unpack())\n'
                '    assert e.shutdown(10000000)\n')
        done = subprocess.run([sys.executable, '-c', code, b'caf\xe9.txt'],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout.splitlines(), [ascii(['-c', 'caf\udce9.txt'])] * 3)
        self.assertEqual(Jr.init(['prog', 'caf\udce9.txt']), ['prog', 'caf\udce9.txt'])

    def test_register_job_refuses_nonsense(self):
        # Raised at the call, where the C function only warns.
        with self.assertRaises(ValueError):
            Jr.register_job('', square)
        with self.assertRaises(ValueError):
            Jr.register_job(None, square)
        with self.assertRaises(TypeError):
            Jr.register_job('not-callable', 42)
        with self.assertRaises(ValueError):
            Jr.register_job('bad-type', square, '(i')

    def test_replacing_frees_the_callable(self):
        # Registered after Jr.init(): only for threads of this process.
        class Job:
            def __call__(self, job, args):
                return GLib.Variant('s', 'first')

        first = Job()
        gone = weakref.ref(first)
        Jr.register_job('replaced', first)
        del first
        self.assertIsNotNone(gone())
        Jr.register_job('replaced', lambda job, args: GLib.Variant('s', 'second'))
        self.assertIsNone(gone())
        executor = Jr.Executor(transport=Jr.Transport.THREADS, max_workers=1)
        try:
            self.assertEqual(executor.submit_call('replaced', None)
                             .wait(10 * SECOND).unpack(), 'second')
        finally:
            self.assertTrue(executor.shutdown(10 * SECOND))


taptest.main()
