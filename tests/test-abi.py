#!/usr/bin/python3
# test-abi.py — the installed libraries export exactly what their installed
# headers declare.
#
# The build is installed into a scratch directory (DESTDIR). For each
# library, the functions its umbrella header declares (the preprocessed
# text that comes from the library's own installed headers, static inline
# functions left out) are compared with the symbols `nm -D --defined-only`
# lists, both ways: a symbol exported but not declared is a private one
# leaking out (a JR_AVAILABLE_IN_* macro where none belongs, or a build
# without -fvisibility=hidden); one declared but not exported lacks its
# macro, or its definition. Also: no private header is installed, and the
# umbrella headers are the only ones a program may include.
import os
import re
import subprocess
import tempfile

import installed

UMBRELLA = {
    'jobrouter-1': 'jobrouter.h',
    'jobrouter-ui-1': 'jobrouter-ui.h',
}

# Symbols the linker adds to any shared library.
LINKER_SYMBOLS = {'_init', '_fini', '_edata', '_end', '__bss_start'}

LINEMARKER = re.compile(r'^# (\d+) "([^"]*)"')
DECLARED_NAME = re.compile(r'\b([A-Za-z_]\w*)\s*\(')


def exported_symbols(library_path):
    out = subprocess.run(['nm', '-D', '--defined-only', str(library_path)],
                         stdout=subprocess.PIPE, check=True, text=True).stdout
    symbols = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[2] not in LINKER_SYMBOLS:
            symbols.add(fields[2].split('@')[0])
    return symbols


def text_from(preprocessed, header_dir):
    """The preprocessed lines that come from headers in header_dir."""
    keep = False
    lines = []
    prefix = os.path.normpath(header_dir) + '/'
    for line in preprocessed.splitlines():
        marker = LINEMARKER.match(line)
        if marker:
            # pkg-config's paths are relative to the .pc file: a/b/../c
            keep = os.path.normpath(marker.group(2)).startswith(prefix)
        elif keep:
            lines.append(line)
    return '\n'.join(lines)


def without_bodies(text):
    """Drops every {...}: function bodies, struct and enum members."""
    out = []
    depth = 0
    for char in text:
        if char == '{':
            depth += 1
        elif char == '}':
            depth -= 1
            if depth == 0:
                out.append(';')
        elif depth == 0:
            out.append(char)
    return ''.join(out)


def declared_functions(text):
    """Names of the functions the text declares (not typedefs, not static)."""
    names = set()
    for statement in without_bodies(text).split(';'):
        statement = ' '.join(statement.split())
        if not statement or statement.startswith('typedef'):
            continue
        if re.search(r'\bstatic\b', statement):
            continue
        # Attributes come before or after the declarator; drop them so that
        # the first name followed by "(" is the declarator's.
        statement = re.sub(r'__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)', ' ', statement)
        match = DECLARED_NAME.search(statement)
        if match:
            names.add(match.group(1))
    return names


def main():
    tap = installed.Tap()
    with installed.Stage() as stage:
        ok, output = stage.install()
        if not tap.check('/abi/install', ok, output):
            return tap.finish()

        for library in installed.libraries():
            subdir = stage.includedir / library
            umbrella = UMBRELLA[library]
            so = stage.libdir / f'lib{library}.so'

            # No private header is installed.
            private = sorted(p.name for p in subdir.glob('*private*'))
            tap.check(f'/abi/{library}/no-private-header', not private,
                      'installed: ' + ' '.join(private))

            cflags = stage.pkg_config('--cflags', library)
            with tempfile.TemporaryDirectory() as tmp:
                source = f'{tmp}/umbrella.c'
                with open(source, 'w') as f:
                    f.write(f'#include <{umbrella}>\n')
                result = subprocess.run(
                    installed.compiler() + ['-E', *cflags, source],
                    env=stage.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    text=True)
                if not tap.check(f'/abi/{library}/umbrella-preprocesses',
                                 result.returncode == 0, result.stderr):
                    continue
                declared = declared_functions(text_from(result.stdout, subdir))

                # Any other header on its own is refused (all at once: the
                # preprocessor stops at the #error).
                checks = []
                for header in sorted(subdir.glob('*.h')):
                    if header.name == umbrella:
                        continue
                    alone = f'{tmp}/{header.stem}.c'
                    with open(alone, 'w') as f:
                        f.write(f'#include <{header.name}>\n')
                    checks.append((header.name, subprocess.Popen(
                        installed.compiler() + ['-E', '-Wfatal-errors', *cflags, alone],
                        env=stage.env(), stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE, text=True)))
                accepted = []
                for name, process in checks:
                    _, stderr = process.communicate()
                    if process.returncode == 0 or 'can be included directly' not in stderr:
                        accepted.append(name)
                tap.check(f'/abi/{library}/only-the-umbrella-header', not accepted,
                          'accepted on its own: ' + ' '.join(accepted))

            exported = exported_symbols(so)
            leaked = sorted(exported - declared)
            missing = sorted(declared - exported)
            print(f'# {library}: {len(exported)} exported, {len(declared)} declared')
            tap.check(f'/abi/{library}/no-private-symbol-exported', not leaked,
                      'exported but not declared in an installed header:\n' + '\n'.join(leaked))
            tap.check(f'/abi/{library}/every-declared-symbol-exported', not missing,
                      'declared but not exported:\n' + '\n'.join(missing))
            tap.check(f'/abi/{library}/declares-something', len(declared) > 10,
                      f'only {len(declared)} declarations found: the parser is broken')
    return tap.finish()


if __name__ == '__main__':
    raise SystemExit(main())
