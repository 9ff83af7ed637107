#!/usr/bin/env python3
# check-potfiles.py — po/POTFILES.in lists every file with strings to
# translate, and only files that exist: a file left out of it has its
# strings missing from the catalogue, and translators never see them.
#
# Usage: check-potfiles.py SOURCE_ROOT
import pathlib
import re
import sys

# A call that marks a string: _("…"), N_("…"), C_("ctx", "…"), NC_(…) and
# the plural and domain forms.
MARKED_IN_C = re.compile(r'(?<![A-Za-z0-9_])(?:N?C?_|g_dngettext|g_dpgettext2?|d?ngettext)\s*\(')
# Always translatable: the desktop file, the metainfo and the schema.
ALWAYS = ('.desktop.in', '.metainfo.xml.in', '.gschema.xml')


def marked(path):
    text = path.read_text(encoding='utf-8')
    if path.name.endswith(ALWAYS):
        return True
    if path.suffix == '.ui':
        return 'translatable="yes"' in text
    if path.suffix in ('.c', '.h'):
        return MARKED_IN_C.search(text) is not None
    return False


def main():
    root = pathlib.Path(sys.argv[1])
    listed = []
    for line in (root / 'po' / 'POTFILES.in').read_text(encoding='utf-8').splitlines():
        line = line.strip()
        if line and not line.startswith('#'):
            listed.append(line)

    problems = []
    for name in listed:
        if not (root / name).is_file():
            problems.append(f'po/POTFILES.in lists {name}, which does not exist')
    if listed != sorted(listed):
        problems.append('po/POTFILES.in is not sorted')

    candidates = []
    for folder in ('app', 'ui', 'data'):
        candidates += [p for p in (root / folder).rglob('*') if p.is_file()]
    for path in sorted(candidates):
        name = path.relative_to(root).as_posix()
        if marked(path) and name not in listed:
            problems.append(f'{name} has strings to translate: add it to po/POTFILES.in')
        # The widgets are a library: their strings come from their own
        # catalogue (g_dgettext), whatever domain the program has chosen.
        if name.startswith('ui/') and path.suffix == '.c' and '<glib/gi18n.h>' in path.read_text(encoding='utf-8'):
            problems.append(f'{name}: a library includes <glib/gi18n-lib.h>, not <glib/gi18n.h>')

    for problem in problems:
        print(problem, file=sys.stderr)
    print(f'{len(listed)} files listed, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
