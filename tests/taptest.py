# taptest.py — runs a test script's unittest cases and reports them in TAP,
# as meson's `protocol: 'tap'` reads it. The Python tests' harness.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A script registers its jobs and calls Jr.init() before it defines its
# tests (worker processes run the script again and stop in Jr.init()),
# then ends with taptest.main().
import sys
import traceback
import unittest


def _flatten(suite):
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            yield from _flatten(test)
        else:
            yield test


class _Result(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.problems = []
        self.skip_reason = None

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.problems.append(''.join(traceback.format_exception(*err)))

    def addError(self, test, err):
        super().addError(test, err)
        self.problems.append(''.join(traceback.format_exception(*err)))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.skip_reason = reason


def _name(test):
    # The class's tap_path (or its name), then the method without test_.
    prefix = getattr(test, 'tap_path', '/' + type(test).__name__)
    method = test._testMethodName
    if method.startswith('test_'):
        method = method[len('test_'):]
    return prefix + '/' + method.replace('_', '-')


def skip_all(reason):
    """Skips the whole program, the TAP way (meson counts exit 77 as an
    error in TAP mode)."""
    print(f'1..0 # SKIP {reason}', flush=True)
    sys.exit(0)


def main(module=None):
    module = module or sys.modules['__main__']
    tests = list(_flatten(unittest.defaultTestLoader.loadTestsFromModule(module)))
    print(f'1..{len(tests)}', flush=True)
    failed = 0
    for number, test in enumerate(tests, 1):
        result = _Result()
        test.run(result)
        name = _name(test)
        if result.skip_reason is not None:
            print(f'ok {number} {name} # SKIP {result.skip_reason}', flush=True)
        elif result.wasSuccessful():
            print(f'ok {number} {name}', flush=True)
        else:
            failed += 1
            print(f'not ok {number} {name}', flush=True)
            for problem in result.problems:
                for line in problem.rstrip().splitlines():
                    print(f'# {line}', flush=True)
                sys.stderr.write(problem)
    sys.exit(1 if failed else 0)
