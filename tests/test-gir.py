#!/usr/bin/python3
# test-gir.py — the Jr introspection data works from a language binding.
# TAP; skips when PyGObject is not installed.
import sys

try:
    import gi
    gi.require_version('Jr', '1')
    from gi.repository import GLib, Jr
except (ImportError, ValueError) as error:
    print(f'1..0 # SKIP {error}')
    sys.exit(0)

results = []


def check(name, condition):
    results.append((name, bool(condition)))


# Router, pipe, sender and receiver, driven by route_until.
router = Jr.Router.new(Jr.Transport.THREADS, None)
router.start()
ok, sender, receiver = router.pipe()
got = []
receiver.connect('message', lambda _receiver, value: got.append(value.unpack()))
sender.start()
for i in range(5):
    sender.send(GLib.Variant('(is)', (i, 'hello')))
check('/gir/router/route-until', router.route_until(lambda _data: len(got) == 5, None, 5000000))
check('/gir/router/messages-in-order', got == [(i, 'hello') for i in range(5)])
check('/gir/router/connection-ids',
      sender.get_connection_id() == receiver.get_connection_id())

# send_data takes a serialized value as bytes.
value = GLib.Variant('(tu)', (7, 8))
sender.send_data(value.get_type(), value.get_data_as_bytes().get_data())
check('/gir/sender/send-data',
      router.route_until(lambda _data: len(got) == 6, None, 5000000) and got[5] == (7, 8))

# Errors keep their domain and code.
try:
    sender.start()
    check('/gir/sender/start-twice-fails', False)
except GLib.Error as error:
    check('/gir/sender/start-twice-fails',
          error.domain == 'jr-router-error-quark' and
          error.code == int(Jr.RouterError.SENDER_STATE))

sender.stop()
router.close_pipe(receiver)
router.stop()
check('/gir/router/stopped', not router.get_running())

# An executor refuses a job nobody registered, with JR_JOB_ERROR.
executor = Jr.Executor.new(Jr.Transport.THREADS, 1)
try:
    executor.submit_call('no-such-job', None)
    check('/gir/executor/unknown-job', False)
except GLib.Error as error:
    check('/gir/executor/unknown-job',
          error.domain == 'jr-job-error-quark' and
          error.code == int(Jr.JobError.UNKNOWN_JOB))
check('/gir/executor/shutdown', executor.shutdown(5000000))
check('/gir/executor/stopped', executor.get_state() == Jr.ExecutorState.STOPPED)

print(f'1..{len(results)}')
for number, (name, passed) in enumerate(results, 1):
    print(f'{"ok" if passed else "not ok"} {number} {name}')
sys.exit(0 if all(passed for _, passed in results) else 1)
