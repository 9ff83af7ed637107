#!/usr/bin/python3
# test-installed.py — what a user gets from `meson install`: installed into
# a staging folder (DESTDIR), a Python program that sees only the staged
# typelib and override module, and a C program built only with
# `pkg-config --cflags --libs jobrouter-1 jobrouter-test-1`, both run jobs
# in worker processes. TAP.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   test-installed.py BUILD_ROOT
import json
import os
import shutil
import subprocess
import sys
import tempfile

PYTHON_PROGRAM = r'''
import os
import sys

import gi
gi.require_version('Jr', '1')
from gi.repository import GLib, Jr


def square(job, args):
    return GLib.Variant('(ii)', (args.unpack() ** 2, os.getpid()))


def fail(job, args):
    raise KeyError('nope')


Jr.register_job('square', square, 'i')
Jr.register_job('fail', fail)
Jr.init()

import gi.overrides.Jr
print('override', gi.overrides.Jr.__file__)
print('typelib', gi.Repository.get_default().get_typelib_path('Jr'))
with Jr.Executor(transport=Jr.Transport.PROCESSES, max_workers=1) as executor:
    value, pid = executor.submit_call('square', GLib.Variant('i', 12)).wait(30 * 1000000).unpack()
    print('result', value, 'in another process' if pid != os.getpid() else 'in this process')
    try:
        executor.submit_call('fail', None).wait(30 * 1000000)
    except GLib.Error as error:
        print('error', Jr.job_exception(error).type)
'''

C_PROGRAM = r'''
#include <unistd.h>

#include <jobrouter.h>
#include <jobrouter-test.h>

static GVariant *
square (JrJob *job, GVariant *args, GError **error)
{
  gint32 n = g_variant_get_int32 (args);

  return g_variant_new ("(ii)", n * n, (gint32) getpid ());
}

static void
test_square (void)
{
  JrExecutor *executor = jr_test_shutdown_at_teardown (jr_executor_new (JR_TRANSPORT_PROCESSES, 1));
  g_autoptr(GError) error = NULL;
  g_autoptr(JrFuture) future = jr_executor_submit_call (executor, "square",
                                                        g_variant_new_int32 (12), &error);
  gint32 value, pid;

  g_assert_no_error (error);
  if (!jr_test_wait_done (future, 30 * G_USEC_PER_SEC))
    return;
  g_variant_get (jr_future_get_result (future), "(ii)", &value, &pid);
  g_assert_cmpint (value, ==, 144);
  g_assert_cmpint (pid, !=, getpid ());
}

int
main (int argc, char **argv)
{
  jr_register_job_full ("square", square, G_VARIANT_TYPE_INT32, NULL);
  jr_init (&argc, &argv);
  jr_test_init (&argc, &argv);
  g_test_add_func ("/installed/square", test_square);
  return g_test_run ();
}
'''


def main(build_root):
    results = []

    def check(name, passed, diagnostic=''):
        results.append((name, bool(passed), diagnostic))
        return passed

    stage = tempfile.mkdtemp(prefix='jobrouter-stage-')
    try:
        done = subprocess.run(['meson', 'install', '-C', build_root, '--no-rebuild',
                               '--destdir', stage, '--quiet'],
                              capture_output=True, text=True)
        if not check('/installed/meson-install', done.returncode == 0, done.stdout + done.stderr):
            return results
        installed = json.loads(subprocess.run(['meson', 'introspect', '--installed', build_root],
                                              capture_output=True, text=True, check=True).stdout)

        def staged(suffix):
            """The staged path of the one installed file whose path ends with @suffix."""
            for path in installed.values():
                if path.endswith(suffix):
                    return stage + path
            return None

        typelib = staged('/Jr-1.typelib')
        override = staged('/gi/overrides/Jr.py')
        library = staged('/libjobrouter-1.so')
        pc = staged('/jobrouter-1.pc')
        check('/installed/files', all((typelib, override, library, pc)),
              f'typelib {typelib} override {override} library {library} pc {pc}')
        if not all((typelib, override, library, pc)):
            return results

        libdir = os.path.dirname(library)
        # Nothing of the build tree: only the stage, and the system.
        env = {key: value for key, value in os.environ.items()
               if key not in ('GI_TYPELIB_PATH', 'LD_LIBRARY_PATH', 'PYTHONPATH')}
        env.update({
            'GI_TYPELIB_PATH': os.path.dirname(typelib),
            'LD_LIBRARY_PATH': libdir,
            'PYTHONPATH': os.path.dirname(os.path.dirname(os.path.dirname(override))),
            'PYTHONDONTWRITEBYTECODE': '1',
            'G_DEBUG': 'fatal-criticals',
        })

        # Python, through the staged typelib and override.
        program = os.path.join(stage, 'installed-jobs.py')
        with open(program, 'w') as f:
            f.write(PYTHON_PROGRAM)
        done = subprocess.run([sys.executable, program], env=env, capture_output=True, text=True,
                              timeout=120)
        out = done.stdout.splitlines()
        diagnostic = done.stdout + done.stderr
        check('/installed/python/runs', done.returncode == 0, diagnostic)
        check('/installed/python/staged-override', f'override {override}' in out, diagnostic)
        check('/installed/python/staged-typelib', f'typelib {typelib}' in out, diagnostic)
        check('/installed/python/job-in-worker-process',
              'result 144 in another process' in out, diagnostic)
        check('/installed/python/exception', 'error KeyError' in out, diagnostic)

        # C, built with pkg-config alone. Staged .pc files that say the
        # install prefix get copies that say the stage's (a sysroot would
        # move the system's packages too).
        # Relocatable ones (the project's default) say ${pcfiledir}: they
        # work where they are.
        pc_dir = os.path.dirname(pc)
        with open(pc) as f:
            relocatable = 'prefix=${pcfiledir}' in f.read()
        if not relocatable:
            pc_dir = os.path.join(stage, 'pkgconfig')
            os.mkdir(pc_dir)
            for name in os.listdir(os.path.dirname(pc)):
                with open(os.path.join(os.path.dirname(pc), name)) as f:
                    lines = f.read().splitlines()
                with open(os.path.join(pc_dir, name), 'w') as f:
                    for line in lines:
                        if line.startswith('prefix='):
                            line = 'prefix=' + stage + line[len('prefix='):]
                        f.write(line + '\n')
        pkg_env = dict(env, PKG_CONFIG_PATH=pc_dir)
        flags = subprocess.run(['pkg-config', '--cflags', '--libs', 'jobrouter-1',
                                'jobrouter-test-1'],
                               env=pkg_env, capture_output=True, text=True)
        if not check('/installed/c/pkg-config', flags.returncode == 0, flags.stderr):
            return results
        source = os.path.join(stage, 'installed-jobs.c')
        exe = os.path.join(stage, 'installed-jobs')
        with open(source, 'w') as f:
            f.write(C_PROGRAM)
        compiler = os.environ.get('CC', 'cc')
        built = subprocess.run([compiler, '-std=gnu11', '-o', exe, source] + flags.stdout.split(),
                               capture_output=True, text=True)
        if not check('/installed/c/builds', built.returncode == 0,
                     ' '.join(flags.stdout.split()) + '\n' + built.stderr):
            return results
        done = subprocess.run([exe, '--tap'], env=env, capture_output=True, text=True, timeout=120)
        check('/installed/c/job-in-worker-process',
              done.returncode == 0 and 'ok 1 /installed/square' in done.stdout,
              done.stdout + done.stderr)
        return results
    finally:
        shutil.rmtree(stage, ignore_errors=True)


if __name__ == '__main__':
    if shutil.which('meson') is None:
        print('1..0 # SKIP meson is not on PATH')
        sys.exit(0)
    outcome = main(sys.argv[1])
    print(f'1..{len(outcome)}')
    for number, (name, passed, diagnostic) in enumerate(outcome, 1):
        print(f'{"ok" if passed else "not ok"} {number} {name}')
        if not passed:
            for line in str(diagnostic).splitlines():
                print(f'# {line}')
    sys.exit(0 if all(passed for _, passed, _ in outcome) else 1)
