#!/usr/bin/python3
# job_list_window.py — a small GTK window that binds a JrJobList to an
# executor, from Python: the window of traits-futures' "slow squares"
# example, on jobrouter's widgets (the JrUi namespace, libjobrouter-ui-1).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   python3 job_list_window.py [--demo]
#
# Pick a number and press Square: a worker process (this script run again)
# squares it, slowly, and the list shows the job waiting, running, then
# done with its result or failed with its error (numbers from 7 up take too
# long). Each row has its own cancel button; "Cancel all" cancels every job
# still running. The list follows the executor's jobs by itself.
#
# With --demo the window squares 0 to 8 by itself, prints each job's end
# and the number of rows the list holds, and closes once all are done (the
# examples' test runs it so, under Xvfb).
import sys
import time

import gi
gi.require_version('Jr', '1')
gi.require_version('JrUi', '1')
gi.require_version('Gtk', '4.0')
from gi.repository import Gio, GLib, Jr  # noqa: E402

STEP_SECONDS = 0.05
TIME_LIMIT_STEPS = 7
N_DEMO_JOBS = 9


def slow_square(job, args):
    """Runs in a worker process; see slow_squares.py."""
    n = args.unpack()
    for step in range(n + 1):
        if step == TIME_LIMIT_STEPS:
            raise RuntimeError('Calculation took too long')
        if job.get_cancellable().is_cancelled():
            return None
        time.sleep(STEP_SECONDS)
    return GLib.Variant('t', n * n)


Jr.register_job('slow-square', slow_square, 'u')
argv = Jr.init()   # a worker process never returns from here

# GTK only now: importing Gtk (or JrUi, which loads it) initialises GTK and
# opens the display, and a worker process, this script run again, needs
# neither.
from gi.repository import Gtk, JrUi  # noqa: E402


class SquaresWindow(Gtk.ApplicationWindow):
    def __init__(self, application, executor):
        super().__init__(application=application, title='Slow squares',
                         default_width=480, default_height=480)
        self.executor = executor

        self.input = Gtk.SpinButton.new_with_range(0, 100, 1)
        self.input.set_tooltip_text('The number to square')
        square = Gtk.Button.new_with_mnemonic('_Square')
        square.connect('clicked', lambda _button: self.submit(self.input.get_value_as_int()))
        cancel_all = Gtk.Button.new_with_mnemonic('_Cancel all')
        cancel_all.connect('clicked', self.on_cancel_all)
        controls = Gtk.Box(orientation=Gtk.Orientation.HORIZONTAL, spacing=6)
        for widget in (self.input, square, cancel_all):
            controls.append(widget)

        # The list binds itself to the executor's jobs model; finished jobs
        # stay until cleared, so that their results can be read.
        self.list = JrUi.JobList.new(executor)
        self.list.set_keep_finished(True)
        self.list.set_vexpand(True)

        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=6,
                      margin_top=6, margin_bottom=6, margin_start=6, margin_end=6)
        box.append(controls)
        box.append(self.list)
        self.set_child(box)

    def submit(self, n):
        options = Jr.JobOptions.new(Jr.JobKind.CALL)
        options.set_title(f'Square of {n}')
        return self.executor.submit_full('slow-square', GLib.Variant('u', n), options)

    def on_cancel_all(self, _button):
        # Cancelling changes nothing in the model inside this loop: futures
        # leave it at the next dispatch.
        for future in list(self.executor.get_jobs()):
            future.cancel()


def main():
    demo = '--demo' in argv[1:]
    executor = Jr.Executor(transport=Jr.Transport.PROCESSES, max_workers=4)
    app = Gtk.Application(application_id='org.jobrouter.examples.JobListWindowPy',
                          flags=Gio.ApplicationFlags.NON_UNIQUE)
    done = []

    def on_job_done(future, _pspec, window):
        if not future.get_done():
            return
        if future.get_state() == Jr.FutureState.COMPLETED:
            print(f'{future.get_title()}: {future.get_result().unpack()}')
        else:
            print(f'{future.get_title()}: failed: {future.get_error().message.splitlines()[0]}')
        done.append(future)
        if len(done) == N_DEMO_JOBS:
            print(f'The list shows {window.list.get_model().get_n_items()} jobs')
            window.close()

    def on_activate(app):
        window = SquaresWindow(app, executor)
        window.present()
        if demo:
            for n in range(N_DEMO_JOBS):
                window.submit(n).connect('notify::done', on_job_done, window)

    def on_shutdown(app):
        # The last window is closed: no job outlives the program.
        executor.shutdown(10 * GLib.USEC_PER_SEC)

    app.connect('activate', on_activate)
    app.connect('shutdown', on_shutdown)
    return app.run(argv[:1] if demo else argv)


if __name__ == '__main__':
    sys.exit(main())
