# installed.py — what test-abi.py and test-staged-install.py share: this
# build installed into a scratch directory with DESTDIR, and TAP output.
#
# The build tells the tests where it is and what it installs through the
# environment (tests/meson.build): JR_BUILD_ROOT, JR_PREFIX, JR_LIBDIR,
# JR_INCLUDEDIR, JR_DATADIR (the last four as configured, absolute), JR_CC
# and JR_LIBRARIES (the pkg-config names of the libraries built).
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile


class Tap:
    """Numbered TAP lines; a failure prints its details as comments."""

    def __init__(self):
        self.count = 0
        self.failed = 0

    def check(self, name, passed, details=''):
        self.count += 1
        if not passed:
            self.failed += 1
        print(f'{"ok" if passed else "not ok"} {self.count} {name}')
        for line in str(details).splitlines() if details and not passed else []:
            print(f'# {line}')
        sys.stdout.flush()
        return passed

    def skip(self, name, reason):
        self.count += 1
        print(f'ok {self.count} {name} # SKIP {reason}')

    def finish(self):
        print(f'1..{self.count}')
        return 1 if self.failed else 0


def env_path(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f'Bail out! {name} is not set: run this through meson test')
    return pathlib.Path(value)


def libraries():
    return os.environ.get('JR_LIBRARIES', 'jobrouter-1').split()


class Stage:
    """`meson install --destdir` of this build into a scratch directory,
    removed on exit. Paths are those of the staged tree."""

    def __init__(self):
        self.build_root = env_path('JR_BUILD_ROOT')
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix='jobrouter-stage-'))
        self.destdir = self.tmp / 'stage'

        def staged(name):
            return self.destdir / env_path(name).relative_to('/')

        self.prefix = staged('JR_PREFIX')
        self.libdir = staged('JR_LIBDIR')
        self.includedir = staged('JR_INCLUDEDIR')
        self.datadir = staged('JR_DATADIR')
        self.pkgconfig_dir = self.libdir / 'pkgconfig'
        self.typelib_dir = self.libdir / 'girepository-1.0'
        self.gir_dir = self.datadir / 'gir-1.0'

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def install(self):
        """Installs; returns (ok, output)."""
        meson = shutil.which('meson') or 'meson'
        result = subprocess.run(
            [meson, 'install', '-C', str(self.build_root), '--no-rebuild',
             '--quiet', '--destdir', str(self.destdir)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, timeout=120)
        if result.returncode == 0:
            self._relocate_pc_files()
        return result.returncode == 0, result.stdout

    def _relocate_pc_files(self):
        # The project makes its .pc files relocatable (a default option),
        # but a build directory configured before that keeps absolute
        # ones: point those at the stage.
        for pc in self.pkgconfig_dir.glob('*.pc'):
            text = pc.read_text()
            if text.startswith('prefix=${pcfiledir}'):
                continue
            print(f'# {pc.name} is not relocatable (pkgconfig.relocatable=false '
                  'in this build): its prefix is rewritten to the stage')
            lines = [f'prefix={self.prefix}' if line.startswith('prefix=') else line
                     for line in text.splitlines()]
            pc.write_text('\n'.join(lines) + '\n')

    def env(self, **extra):
        """The environment of a program that uses the staged tree only."""
        env = dict(os.environ)
        for name in ('GI_TYPELIB_PATH', 'LD_LIBRARY_PATH', 'PKG_CONFIG_PATH',
                     'PKG_CONFIG_LIBDIR', 'PKG_CONFIG_SYSROOT_DIR'):
            env.pop(name, None)
        # The system's .pc files stay on pkg-config's default path.
        env['PKG_CONFIG_PATH'] = str(self.pkgconfig_dir)
        env.update(extra)
        return env

    def pkg_config(self, *args):
        result = subprocess.run(['pkg-config', *args], env=self.env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, timeout=30)
        if result.returncode != 0:
            raise RuntimeError(f'pkg-config {" ".join(args)}: {result.stderr.strip()}')
        return result.stdout.split()


def compiler():
    return os.environ.get('JR_CC', 'cc').split()
