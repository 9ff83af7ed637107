# Jr.py — the PyGObject override of jobrouter's Jr namespace.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# PyGObject loads it when a program does `from gi.repository import Jr`:
# gi.overrides extends its __path__ over every gi/overrides folder on
# sys.path (pkgutil.extend_path), so this file is found where it is
# installed (the site-packages of the Python that has PyGObject) or, in a
# build tree, through PYTHONPATH pointing at router/python.
#
# What it adds to the typelib's API:
#   Jr.register_job(name, func, args_type=None, unavailable_reason=None)
#       registers a Python callable as a job kind; an exception it raises
#       fails the job's future with JR_JOB_ERROR_EXCEPTION (its type,
#       message and traceback), a GLib.Error it raises is kept as it is.
#   Jr.init(argv=None)
#       jr_init() with sys.argv by default, whatever its encoding.
#   Jr.job_exception(error)
#       the type, message and traceback that a JR_JOB_ERROR_EXCEPTION
#       error carries, or None.
#   Jr.Executor
#       a context manager: `with Jr.Executor(...) as executor:` shuts it
#       down on leaving.
#   Jr.Future.wait(timeout_usec)
#       jr_future_wait() that Ctrl-C stops, with KeyboardInterrupt.
#
# Threads: a job's callable runs on a worker's thread (in a worker
# process, or a worker thread of this one), with the GIL held like any
# PyGObject callback.

import collections
import os
import signal
import sys
import threading
import traceback

from gi.repository import Gio, GLib

from ..module import get_introspection_module
from ..overrides import override

try:
    # Also tells whether a GLib source took SIGINT over from Python.
    from .._ossighelper import sigint_handler_is_default as _sigint_handler_is_default
except ImportError:
    def _sigint_handler_is_default():
        return signal.getsignal(signal.SIGINT) is signal.default_int_handler

Jr = get_introspection_module('Jr')

__all__ = []

# The last argument of a worker started through a command
# (JR_STREAM_WORKER_ARG in router/jr-worker-request-private.h).
_STREAM_WORKER_ARG = '--jobrouter-stream-worker='

# What separates the first line of a JR_JOB_ERROR_EXCEPTION message from
# the traceback.
_TRACEBACK_HEAD = 'Traceback (most recent call last):\n'
# What jr_init() reads and takes away in a local worker process.
_WORKER_ENV = ('JOBROUTER_WORKER', 'JOBROUTER_CHANNEL_FDS')


def _type_name(exc_type):
    module = exc_type.__module__
    if module in ('builtins', '__main__', None):
        return exc_type.__qualname__
    return f'{module}.{exc_type.__qualname__}'


def _utf8(text):
    """@text as valid UTF-8, what it cannot carry backslash-escaped: a file
    name the locale cannot decode comes as surrogate escapes, which UTF-8
    refuses."""
    return text.encode('utf-8', 'backslashreplace').decode('utf-8')


def _carried(text):
    """@text as a GLib.Error carries it whole: UTF-8 (see _utf8()), and no
    NUL (which would end the message there)."""
    return _utf8(text).replace('\0', '\\0')


def _exception_error(exc):
    """The GLib.Error that stands for @exc: JR_JOB_ERROR_EXCEPTION, whose
    message is "Type: message", an empty line and the traceback (without
    this module's own frame)."""
    try:
        text = str(exc)
    except Exception:
        text = f'<unprintable {_type_name(type(exc))} object>'
    head = f'{_type_name(type(exc))}: {text}' if text else _type_name(type(exc))
    tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
    try:
        body = ''.join(traceback.format_exception(type(exc), exc, tb))
    except Exception:
        body = ''
    if not body.startswith(_TRACEBACK_HEAD):
        # No frame of the job's own: the traceback is the last line only.
        body = _TRACEBACK_HEAD + body
    return GLib.Error.new_literal(Jr.job_error_quark(), _carried(f'{head}\n\n{body.rstrip()}'),
                                  int(Jr.JobError.EXCEPTION))


def _carried_error(error):
    """@error, with its message as a GLib.Error carries it whole."""
    message = _carried(error.message or '')
    if message == error.message:
        return error
    return GLib.Error.new_literal(GLib.quark_from_string(error.domain), message, error.code)


def _failed(message):
    return GLib.Error.new_literal(Jr.job_error_quark(), message, int(Jr.JobError.FAILED))


class _RunningJob:
    """The handle a Python job function gets: Jr.Job's methods while the
    function runs. The C handle lives only as long as the call: kept and
    used afterwards (from a thread the job started, a later job), it would
    write into memory that is no longer the job's, so its methods then
    raise RuntimeError instead."""

    __slots__ = ('_job', '_name')

    def __init__(self, job, name):
        self._job = job
        self._name = name

    def _live(self):
        if self._job is None:
            raise RuntimeError(f'The job “{self._name}” has returned: its Jr.Job is valid '
                               'only while its job function runs')
        return self._job

    def _end(self):
        self._job = None

    def progress(self, *args, **kwargs):
        return self._live().progress(*args, **kwargs)

    def yield_(self, *args, **kwargs):
        return self._live().yield_(*args, **kwargs)

    def get_cancellable(self):
        return self._live().get_cancellable()

    def __getattr__(self, attribute):
        return getattr(self._live(), attribute)

    def __repr__(self):
        state = 'running' if self._job is not None else 'returned'
        return f'<Jr.Job “{self._name}” ({state})>'


def register_job(name, func, args_type=None, unavailable_reason=None):
    """Registers @func as the job kind @name (jr_register_job_with_data()).

    @func is called as func(job, args), where @job is the running Jr.Job
    (job.progress(), job.yield_(), job.get_cancellable()) and @args the
    GLib.Variant given at submission, or None. It returns a GLib.Variant.
    @job is valid during the call only: kept and used after @func returns,
    its methods raise RuntimeError.

    - An exception it raises fails the future with JR_JOB_ERROR_EXCEPTION:
      the message is "Type: message", an empty line, then the traceback
      (see job_exception()). BaseException too: a job's SystemExit does not
      end the program.
    - A GLib.Error it raises is the future's error as it is (its domain and
      code kept): raise GLib.Error.new_literal(Jr.job_error_quark(), ...,
      Jr.JobError.TRY_LATER) for a retry, say. When the job is cancelled,
      job.progress() and job.yield_() raise G_IO_ERROR_CANCELLED: let it go
      through.
    - Returning None, or something that is not a GLib.Variant, fails it
      with JR_JOB_ERROR_FAILED, saying so.

    @args_type is a GLib.VariantType or a type string ('(su)', say), or
    None for any arguments. Call it before init(), in the same order in
    every run: worker processes run the program again.
    """
    # What the C function refuses with a warning only.
    if not isinstance(name, str) or not name:
        raise ValueError(f'a job kind needs a name, not {name!r}')
    if not callable(func):
        raise TypeError(f'the job “{name}” needs a callable, not {type(func).__name__}')
    if isinstance(args_type, str):
        if not GLib.VariantType.string_is_valid(args_type):
            raise ValueError(f'“{args_type}” is not a GVariant type string')
        args_type = GLib.VariantType.new(args_type)

    def run(job, args, *user_data):
        handle = _RunningJob(job, name)
        try:
            result = func(handle, args)
        except GLib.Error as error:
            raise _carried_error(error) from None
        except BaseException as exc:
            # Nothing but a GLib.Error may leave: PyGObject would print any
            # other and fail the job without saying why.
            try:
                error = _exception_error(exc)
            except BaseException:
                error = _failed(f'The job “{name}” raised {_type_name(type(exc))}')
            raise error from None
        finally:
            handle._end()
        if isinstance(result, GLib.Variant):
            return result
        if result is None:
            if job.get_cancellable().is_cancelled():
                return None   # it stopped for its cancel
            raise _failed(f'The job “{name}” returned None, not a GLib.Variant')
        raise _failed(f'The job “{name}” returned a {type(result).__name__}, '
                      'not a GLib.Variant')

    Jr.register_job_with_data(name, run, args_type=args_type,
                              unavailable_reason=unavailable_reason)


__all__.append('register_job')


def init(argv=None):
    """jr_init() for a Python program: call it after registering the jobs
    and before making an executor. In a worker process it runs the worker
    and never returns; otherwise it returns a copy of @argv (sys.argv by
    default), as it was: an argument the locale could not decode (a file
    name in another encoding) keeps its surrogate escapes, and is no error.

    Worker processes are the interpreter run again with the same script
    and arguments (what /proc/self/cmdline says: `python3 script.py args`,
    `python3 -m module args`), in the folder it started in (whatever
    os.chdir() did since). For other cases (an interactive session, a
    wrapper program) set the executor's worker-argv to a command line that
    runs the same registrations and init().
    """
    argv = list(sys.argv if argv is None else argv)
    # A local worker is told by the environment; one started through a
    # command (ssh, srun: no environment reaches it) by its last argument.
    stream_worker = bool(argv) and str(argv[-1]).startswith(_STREAM_WORKER_ARG)
    local_worker = bool(os.environ.get('JOBROUTER_WORKER'))
    # jr_init() takes the worker's variables out of the environment, so
    # that a program a job starts is no worker; Python's copy of it
    # (os.environ, what subprocess passes on) must lose them too. They
    # stay in the C environment alone, for jr_init() to read.
    for name in _WORKER_ENV:
        value = os.environ.pop(name, None)
        if value is not None:
            os.putenv(name, value)
    if local_worker or stream_worker:
        # A worker process ends without finalizing Python: what jobs print
        # must not wait in a buffer that is never flushed.
        for stream in (sys.stdout, sys.stderr):
            if hasattr(stream, 'reconfigure'):
                stream.reconfigure(line_buffering=True)
    # jr_init() reads only that last argument; the binding wants UTF-8,
    # which an argument the locale could not decode (a surrogate escape) is
    # not. The program keeps its arguments as Python decoded them.
    Jr.init([_utf8(str(arg)) for arg in argv])
    return argv[:-1] if stream_worker else argv


__all__.append('init')


JobException = collections.namedtuple('JobException', ['type', 'message', 'traceback'])


def job_exception(error):
    """What a job's exception left in its future's @error (a GLib.Error):
    a JobException(type, message, traceback) of strings, or None when
    @error is not JR_JOB_ERROR_EXCEPTION."""
    if error is None or not error.matches(Jr.job_error_quark(), int(Jr.JobError.EXCEPTION)):
        return None
    text = error.message
    separator = '\n\n' + _TRACEBACK_HEAD
    # "Type: message", an empty line, the traceback, which ends with
    # "Type: message" again (_exception_error()): the separator is the one
    # after which that holds, whatever the message itself holds (a tool's
    # own traceback, say). Else the first one.
    at = text.find(separator)
    first = at
    while at >= 0 and not text[at + len(separator):].rstrip().endswith(text[:at].rstrip()):
        at = text.find(separator, at + 1)
    if at < 0:
        at = first
    if at < 0:
        head, tb = text, ''
    else:
        head, tb = text[:at], text[at + 2:]
    type_name, _, message = head.partition(': ')
    return JobException(type_name, message, tb)


__all__.append('JobException')
__all__.append('job_exception')


class Executor(Jr.Executor):
    """A Jr.Executor that is also a context manager: leaving the `with`
    block shuts it down (cancelling what still runs, reaping every
    worker) within `shutdown_timeout` seconds (10 by default)."""

    shutdown_timeout = 10.0

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, tb):
        self.shutdown(int(self.shutdown_timeout * GLib.USEC_PER_SEC))
        return False


Executor = override(Executor)
__all__.append('Executor')


class Future(Jr.Future):
    """A Jr.Future whose wait() hears Ctrl-C."""

    def wait(self, timeout_usec):
        """Runs this thread's main context (the future's: call it where the
        job was submitted) until the future is done, as jr_future_wait():
        returns the job's result (None for a job that completed with no
        value), or raises its GLib.Error when it failed,
        G_IO_ERROR_CANCELLED when it was cancelled, G_IO_ERROR_TIMED_OUT
        once @timeout_usec µs have passed (negative: no limit; the job goes
        on).

        On the main thread, while Python's own SIGINT handler is in place,
        Ctrl-C (SIGINT) stops the waiting with KeyboardInterrupt, as it
        stops GLib.MainLoop.run(). The job goes on: cancel it, or let the
        executor's `with` block shut it down.
        """
        if (self.get_done() or threading.current_thread() is not threading.main_thread()
                or not _sigint_handler_is_default()):
            return super().wait(timeout_usec)

        # On the future's own context: the thread-default one where the job
        # was submitted, which need not be the thread-default one now. When
        # another thread runs it, iterating it here could only hang:
        # jr_future_wait() says so (a critical, G_IO_ERROR_WOULD_BLOCK).
        context = self.get_context()
        if not context.acquire():
            return super().wait(timeout_usec)
        try:
            return self._wait_interruptibly(context, timeout_usec)
        finally:
            context.release()

    def _wait_interruptibly(self, context, timeout_usec):
        # What jr_future_wait() does, with one more way out: a GLib source
        # for SIGINT (Python's handler would only run once Python code
        # does, after the wait).
        stopped = []
        sources = []   # their only references: see below

        def add(source, priority, why):
            source.set_priority(priority)
            source.set_callback(lambda *_: stopped.append(why) or GLib.SOURCE_REMOVE)
            source.attach(context)
            sources.append(source)

        try:
            add(GLib.unix_signal_source_new(signal.SIGINT), GLib.PRIORITY_HIGH, KeyboardInterrupt)
            if timeout_usec >= 0:
                add(GLib.timeout_source_new(min(timeout_usec // 1000, GLib.MAXUINT)),
                    GLib.PRIORITY_DEFAULT, TimeoutError)
            while not stopped and not self.get_done():
                context.iteration(True)
        finally:
            # The last reference to GLib's SIGINT source puts back SIG_DFL,
            # not Python's handler: drop it, then put Python's back.
            while sources:
                sources.pop().destroy()
            handler = signal.getsignal(signal.SIGINT)
            if handler is not None:
                signal.signal(signal.SIGINT, handler)
        if KeyboardInterrupt in stopped:
            raise KeyboardInterrupt
        if not self.get_done():
            # jr_future_wait()'s own error (router/jr-future-wait.c).
            raise GLib.Error.new_literal(
                Gio.io_error_quark(),
                f'The job “{self.get_title()}” was not done after {timeout_usec // 1000} ms',
                int(Gio.IOErrorEnum.TIMED_OUT))
        return super().wait(-1)   # done: its outcome, at once


Future = override(Future)
__all__.append('Future')
