#!/usr/bin/python3
# test-staged-install.py — a program outside this project uses an installed
# jobrouter.
#
# The build is installed into a scratch directory (DESTDIR; the .pc files
# are relocatable). Then:
#  - staged-program.c is compiled with nothing but
#    `pkg-config --cflags --libs jobrouter-1 jobrouter-ui-1` and run with
#    the installed libraries: a job in a worker process, one in a thread,
#    and a JrJobList when there is a display;
#  - PyGObject imports Jr and JrUi from the installed typelibs (and
#    nothing from the build tree) and uses both;
#  - the staged tree has the GIRs, and the docs when they are built.
import os
import pathlib
import subprocess
import sys

import installed

SOURCE_DIR = pathlib.Path(__file__).resolve().parent
PYTHON = '/usr/bin/python3'   # the one with PyGObject

PYTHON_PROGRAM = r'''
import sys
import gi
gi.require_version('Jr', '1')
gi.require_version('JrUi', '1')
gi.require_version('Gtk', '4.0')
from gi.repository import Gdk, GLib, Gtk, Jr, JrUi

stage = sys.argv[1]
repository = gi.Repository.get_default()
for namespace in ('Jr', 'JrUi'):
    path = repository.get_typelib_path(namespace)
    assert path.startswith(stage), f'{namespace} from {path}, not the stage'
version = (Jr.get_major_version(), Jr.get_minor_version(), Jr.get_micro_version())
assert version == (Jr.MAJOR_VERSION, Jr.MINOR_VERSION, Jr.MICRO_VERSION), version

executor = Jr.Executor.new(Jr.Transport.THREADS, 1)
try:
    executor.submit_call('no-such-job', None)
    raise AssertionError('an unknown job was accepted')
except GLib.Error as error:
    assert error.matches(Jr.job_error_quark(), Jr.JobError.UNKNOWN_JOB), error
assert JrUi.JobList.__gtype__.is_a(Gtk.Widget)
# PyGObject initialises GTK on import, and GTK 4.8's gtk_init_check() is
# TRUE the second time even when the first failed: ask for the display.
if Gdk.Display.get_default() is not None:
    job_list = JrUi.JobList.new(executor)
    assert job_list.get_executor() == executor
    print('widget made')
assert executor.shutdown(10 * 1000000)
print('python ok')
'''


def run(args, env, timeout=60):
    return subprocess.run(args, env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout)


def main():
    tap = installed.Tap()
    with installed.Stage() as stage:
        ok, output = stage.install()
        if not tap.check('/staged/install', ok, output):
            return tap.finish()

        libraries = installed.libraries()
        expected = [stage.libdir / f'lib{name}.so' for name in libraries]
        expected += [stage.pkgconfig_dir / f'{name}.pc' for name in libraries]
        expected += [stage.includedir / 'jobrouter-1' / 'jobrouter.h',
                     stage.includedir / 'jobrouter-1' / 'jr-version.h',
                     stage.includedir / 'jobrouter-ui-1' / 'jobrouter-ui.h']
        if os.environ.get('JR_INTROSPECTION') == '1':
            for namespace in ('Jr', 'JrUi'):
                expected += [stage.gir_dir / f'{namespace}-1.gir',
                             stage.typelib_dir / f'{namespace}-1.typelib']
        if os.environ.get('JR_DOCS') == '1':
            for name in libraries:
                expected += [stage.datadir / 'doc' / name / 'index.html']
        absent = [str(path) for path in expected if not path.exists()]
        tap.check('/staged/files', not absent, 'missing:\n' + '\n'.join(absent))

        # A C program that knows only pkg-config.
        env = stage.env(LD_LIBRARY_PATH=str(stage.libdir))
        try:
            flags = stage.pkg_config('--cflags', '--libs', 'jobrouter-1', 'jobrouter-ui-1')
        except RuntimeError as error:
            tap.check('/staged/pkg-config', False, error)
            return tap.finish()
        tap.check('/staged/pkg-config', True)
        program = stage.tmp / 'staged-program'
        compiled = run(installed.compiler() +
                       ['-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter',
                        '-o', str(program), str(SOURCE_DIR / 'staged-program.c'), *flags],
                       env=env)
        if tap.check('/staged/c/compile', compiled.returncode == 0,
                     ' '.join(compiled.args) + '\n' + compiled.stdout):
            ran = run([str(program)], env=env)
            lines = ran.stdout.splitlines()
            subtests = [line for line in lines if line.startswith(('ok ', 'not ok '))]
            tap.check('/staged/c/run', ran.returncode == 0 and subtests and
                      not any(line.startswith('not ok') for line in subtests),
                      ran.stdout)
            print('# ' + '\n# '.join(subtests))

        # PyGObject with the installed typelibs only.
        if os.environ.get('JR_INTROSPECTION') != '1':
            tap.skip('/staged/python', 'built without introspection')
        elif not os.path.exists(PYTHON):
            tap.skip('/staged/python', f'{PYTHON} is not installed')
        else:
            py_env = stage.env(LD_LIBRARY_PATH=str(stage.libdir),
                               GI_TYPELIB_PATH=str(stage.typelib_dir))
            ran = run([PYTHON, '-c', PYTHON_PROGRAM, str(stage.destdir)], env=py_env)
            tap.check('/staged/python', ran.returncode == 0 and 'python ok' in ran.stdout,
                      ran.stdout)
    return tap.finish()


if __name__ == '__main__':
    sys.exit(main())
