#!/usr/bin/python3
# test-e2e-app.py — the real jobrouter application driven as a person would,
# through its own controls, by AT-SPI (what screen readers use), under X11
# with a window manager, a session bus, the accessibility bus, a
# notification server and a file manager (session-services.py).
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Steps (TAP, one "ok" each):
#   start         the window shows on the accessibility bus
#   jobs          each of the five jobs started from New Job: count primes
#                 (a prompt), run a command (a prompt), checksum a folder,
#                 find duplicates (folder choosers), compress (a file
#                 chooser); their rows say what they gave
#   cancel        a running command cancelled with its row's button
#   result        a result opened from the Results view
#   clipboard     copied, then read by another program (xclip) while the
#                 window keeps answering; the text is what
#                 `jobrouter run checksum` prints, and sha256sum accepts it
#   show-in-files the compressed file shown in the file manager
#   in-use        no notification for the jobs that ended while the window
#                 was in use
#   notify        one, with the result, for a job that ended while the
#                 window was minimized
#   quit          Quit with jobs running and waiting: the question, then
#                 the application and every worker and command gone
#
# Needs: /usr/bin/python3 with pyatspi, DISPLAY, a session bus (run under
# `xvfb-run … dbus-run-session --`), xdotool, xclip and openbox (the window
# manager it starts). Without them it reports itself skipped.
#
# Environment: JOBROUTER (the program), JR_SCHEMA_DIR (the compiled
# settings schema), JR_E2E_VERBOSE=1 for a trace.

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

VERBOSE = os.environ.get("JR_E2E_VERBOSE") == "1"
HERE = os.path.dirname(os.path.abspath(__file__))
TIMEOUT = 60          # for anything a job does
ANSWER_MAX = 1.5      # seconds the window may take to answer, at most

n_steps = 0
started = time.monotonic()


def log(message):
    if VERBOSE:
        print(f"# [{time.monotonic() - started:6.1f}s] {message}", flush=True)


def ok(name):
    global n_steps
    n_steps += 1
    print(f"ok {n_steps} - {name} ({time.monotonic() - started:.1f}s)", flush=True)


class Failure(Exception):
    pass


def skip(reason):
    print(f"1..0 # SKIP {reason}", flush=True)
    sys.exit(0)


try:
    import pyatspi
    from gi.repository import GLib
except ImportError:
    pyatspi = None


def wait_until(check, what, timeout=TIMEOUT, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure(f"timed out waiting for {what}")
        time.sleep(interval)


# ---- AT-SPI ----

def children(acc):
    try:
        count = acc.childCount
    except Exception:
        return []
    result = []
    for i in range(count):
        try:
            child = acc.getChildAtIndex(i)
        except Exception:
            continue
        if child is not None:
            result.append(child)
    return result


def is_showing(acc):
    """On screen. GTK 4.8 sets SHOWING on windows only, and VISIBLE on
    everything visible, mapped or not (the page of a stack not shown, the
    child of a squeezer not chosen): what is on screen has a size."""
    try:
        extents = acc.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        return extents.width > 0 and extents.height > 0
    except Exception:
        return False


def is_window_shown(window):
    try:
        state = window.getState()
        return state.contains(pyatspi.STATE_SHOWING) or state.contains(pyatspi.STATE_VISIBLE)
    except Exception:
        return False


def descendants(acc, showing=True):
    """Depth first; with showing, only what is on screen."""
    stack = [acc]
    while stack:
        node = stack.pop()
        if not showing or node is acc or is_showing(node):
            yield node
        stack.extend(reversed(children(node)))


def role(acc):
    try:
        return acc.getRoleName()
    except Exception:
        return ""


def name(acc):
    try:
        return acc.name or ""
    except Exception:
        return ""


def find(root, want_role=None, want_name=None, match=None, showing=True):
    for node in descendants(root, showing):
        if want_role is not None and role(node) != want_role:
            continue
        if want_name is not None and name(node) != want_name:
            continue
        if match is not None and not match(node):
            continue
        return node
    return None


def wait_find(root, want_role=None, want_name=None, match=None, timeout=TIMEOUT):
    what = f"a {want_role or 'widget'} “{want_name or '…'}”"
    return wait_until(lambda: find(root, want_role, want_name, match), what, timeout)


def action_interface(acc):
    """@acc's Action interface. Right after a window opens or closes, the
    registry may still be rebuilding its cache ("Error in GetItems … cache")
    and answer that the object has none for a moment."""
    def query():
        try:
            return acc.queryAction()
        except NotImplementedError:
            return None
    return wait_until(query, f"the actions of {role(acc)} “{name(acc)}”", 10)


def do_action(acc, action="click"):
    actions = action_interface(acc)
    for i in range(actions.nActions):
        if actions.getName(i) == action:
            log(f"{action} {role(acc)} “{name(acc)}”")
            actions.doAction(i)
            return
    raise Failure(f"{role(acc)} “{name(acc)}” has no {action} action")


def is_labelled(node, label):
    """Whether @node is called @label. (AdwMessageDialog 1.2's response
    buttons are called "_Run Run": their mnemonic label, then their text.)"""
    node_name = name(node)
    return node_name == label or node_name.endswith(" " + label) and node_name.startswith("_")


def click_button(root, label):
    """The push button with this accessible name (the inner, clickable one
    of a menu button)."""
    def clickable(node):
        if not is_labelled(node, label):
            return False
        try:
            return "click" in [node.queryAction().getName(i)
                               for i in range(node.queryAction().nActions)]
        except Exception:
            return False
    def look():
        return find(root, "push button", None, clickable)
    try:
        button = wait_until(look, f"a clickable push button “{label}”")
    except Failure as failure:
        # Say what there was instead: a failure here must be readable from
        # CI's log alone.
        seen = sorted({name(node) for node in descendants(root, True)
                       if role(node) == "push button"})
        raise Failure(f"{failure}; the push buttons shown: {seen}") from None
    do_action(button)


def x_window(app, title):
    """The X window of the application's toplevel called @title."""
    ids = subprocess.run(["xdotool", "search", "--pid", str(app.process.pid), "--name",
                          f"^{title}$"], capture_output=True, text=True).stdout.split()
    if not ids:
        raise Failure(f"xdotool finds no window “{title}”")
    return ids[-1]


def mouse_click(app, window, node):
    """Clicks the middle of @node, in @window, with the pointer."""
    geometry = dict(line.split("=", 1) for line in subprocess.run(
        ["xdotool", "getwindowgeometry", "--shell", x_window(app, name(window))],
        capture_output=True, text=True, check=True).stdout.split())
    extents = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    x = int(geometry["X"]) + extents.x + extents.width // 2
    y = int(geometry["Y"]) + extents.y + extents.height // 2
    xdotool("mousemove", "--sync", str(x), str(y))
    xdotool("click", "1")


def active_window_name():
    """The window with the focus, as the window manager says."""
    return subprocess.run(["xdotool", "getactivewindow", "getwindowname"], capture_output=True,
                          text=True).stdout.strip()


def toplevels(app):
    return [window for window in children(app) if is_window_shown(window)]


def wait_toplevel(app, match, what, timeout=TIMEOUT):
    def look():
        for window in toplevels(app):
            if match(window):
                return window
        return None
    return wait_until(look, what, timeout)


class App:
    def __init__(self, process):
        self.process = process
        self.acc = None

    def find_on_bus(self):
        def look():
            # Ours, by its process: another "jobrouter" may still be on the
            # bus, from before or gone; one whose process cannot be read is
            # taken only when it is the only one.
            desktop = pyatspi.Registry.getDesktop(0)
            unknown = []
            for app in children(desktop):
                if name(app) == "jobrouter":
                    try:
                        if app.get_process_id() == self.process.pid:
                            return app
                    except Exception:
                        unknown.append(app)
            return unknown[0] if len(unknown) == 1 else None
        self.acc = wait_until(look, "jobrouter on the accessibility bus")
        self.window = wait_toplevel(self.acc, lambda w: name(w) == "Job Router", "the window")

    def menu_item(self, label):
        """Opens New Job and chooses @label."""
        click_button(self.window, "New Job")
        item = wait_until(lambda: self._menu_item(label), f"the menu item “{label}”")
        do_action(item)

    def _menu_item(self, label):
        for window in toplevels(self.acc):
            item = find(window, "menu item", label)
            if item is not None:
                return item
        return None

    def row(self, title):
        """The row of a job: a group named by its title, described by its
        state ("Done: 9,592 primes…")."""
        return find(self.window, None, title,
                    lambda node: role(node) in ("panel", "grouping", "group"))

    def wait_row(self, title, state, timeout=TIMEOUT):
        def look():
            row = self.row(title)
            if row is None:
                return None
            description = row.description or ""
            return description if description.startswith(state) else None
        return wait_until(look, f"the row “{title}” to say “{state}…”", timeout)


def measure_answer(acc):
    """One round trip to the application: how long it took to answer."""
    begin = time.monotonic()
    name(acc)
    children(acc)
    return time.monotonic() - begin


# ---- the environment ----

class Session:
    def __init__(self, jobrouter, schema_dir):
        self.jobrouter = jobrouter
        self.tmp = tempfile.mkdtemp(prefix="jr-e2e-")
        self.processes = []
        self.services_log = os.path.join(self.tmp, "services.jsonl")
        self.env = dict(os.environ)
        for variable in ("GTK_A11Y", "NO_AT_BRIDGE", "GSETTINGS_BACKEND", "G_DEBUG",
                         "MALLOC_CHECK_", "MALLOC_PERTURB_"):
            self.env.pop(variable, None)
        config = os.path.join(self.tmp, "config")
        os.makedirs(os.path.join(config, "glib-2.0", "settings"))
        # Settings as a person would have them, but two jobs at once
        # whatever the machine.
        with open(os.path.join(config, "glib-2.0", "settings", "keyfile"), "w") as keyfile:
            keyfile.write("[org/jobrouter/JobRouter]\nmax-workers=uint32 2\n")
        self.env.update({
            "GSETTINGS_BACKEND": "keyfile",
            "GSETTINGS_SCHEMA_DIR": schema_dir,
            "XDG_CONFIG_HOME": config,
            "XDG_CACHE_HOME": os.path.join(self.tmp, "cache"),
            "XDG_DATA_HOME": os.path.join(self.tmp, "data"),
            "HOME": self.tmp,
            "GSK_RENDERER": "cairo",
            "GDK_DEBUG": "gl-disable",
            "GTK_A11Y": "atspi",
        })

    def spawn(self, argv, **kwargs):
        process = subprocess.Popen(argv, env=self.env, **kwargs)
        self.processes.append(process)
        return process

    def start_window_manager(self):
        self.spawn([shutil.which("openbox"), "--sm-disable"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
        # (It manages windows mapped after it starts; a moment is enough.)
        time.sleep(1)

    def start_services(self):
        services = self.spawn([sys.executable, os.path.join(HERE, "session-services.py"),
                               self.services_log],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = services.stdout.readline().strip()
        if line != "ready":
            raise Failure(f"session-services said “{line}”")

    def calls(self, call):
        if not os.path.exists(self.services_log):
            return []
        with open(self.services_log) as log_file:
            entries = [json.loads(line) for line in log_file if line.strip()]
        return [entry for entry in entries if entry["call"] == call]

    def start_app(self):
        self.app_log = open(os.path.join(self.tmp, "app.log"), "w")
        process = self.spawn([self.jobrouter], stdout=self.app_log, stderr=subprocess.STDOUT)
        app = App(process)
        app.find_on_bus()
        return app

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if VERBOSE and os.path.exists(os.path.join(self.tmp, "app.log")):
            with open(os.path.join(self.tmp, "app.log")) as app_log:
                for line in app_log:
                    print(f"# app: {line.rstrip()}")
        shutil.rmtree(self.tmp, ignore_errors=True)


def xdotool(*args):
    log("xdotool " + " ".join(args))
    done = subprocess.run(["xdotool", *args], capture_output=True, text=True)
    # (It complains on stderr while no window is active: not a failure.)
    if done.returncode != 0:
        raise Failure(f"xdotool {' '.join(args)}: {done.stderr.strip()}")


def choose_path(app, title, path):
    """In GTK's file chooser: type the path, go there, and select."""
    chooser = wait_toplevel(app.acc, lambda w: name(w) == title, f"the chooser “{title}”")
    # Typing a "/" opens the location entry; the chooser has the focus.
    wait_until(lambda: active_window_name() == title, "the chooser to have the focus")
    xdotool("type", "--delay", "15", path + "/" if os.path.isdir(path) else path)
    time.sleep(0.3)
    xdotool("key", "Return")
    # Enter on a folder either takes it or opens it: then Select takes it.
    def closed_or_select():
        if chooser not in toplevels(app.acc):
            return "closed"
        return find(chooser, "push button", None,
                    lambda node: is_labelled(node, "Select") and
                    node.getState().contains(pyatspi.STATE_SENSITIVE))
    outcome = wait_until(closed_or_select, "the chooser to take the path", timeout=15)
    if outcome != "closed":
        try:
            do_action(outcome)
        except GLib.Error as error:
            # Enter took the path after all, a moment later: the chooser
            # closed, and its button went with it (checked just below).
            log(f"Select was gone: {error.message}")
    wait_until(lambda: chooser not in toplevels(app.acc), "the chooser to close", timeout=15)


def prompt(app, heading, text):
    """Fills the prompt (its entry) and presses Run."""
    dialog = wait_toplevel(app.acc, lambda w: role(w) == "dialog" and name(w) == heading,
                           f"the prompt “{heading}”")
    entry = wait_find(dialog, "text")
    # Typed, as a person does (GTK 4.8 does not take text through AT-SPI's
    # EditableText): into the entry, which has the focus.
    wait_until(lambda: active_window_name() == heading, "the prompt to have the focus")
    if not entry.getState().contains(pyatspi.STATE_FOCUSED):
        entry.queryComponent().grabFocus()
    wait_until(lambda: entry.getState().contains(pyatspi.STATE_FOCUSED), "the entry to have the focus")
    xdotool("key", "ctrl+a", "BackSpace")
    xdotool("type", "--delay", "10", text)
    # (GTK 4.8 does not give an entry's text through AT-SPI either: Run
    # turns sensitive once the text parses, and the job's title says what
    # was read.)
    run = wait_find(dialog, "push button", None, lambda node: is_labelled(node, "Run"))
    wait_until(lambda: run.getState().contains(pyatspi.STATE_SENSITIVE), "Run to be sensitive",
               timeout=15)
    click_button(dialog, "Run")
    wait_until(lambda: dialog not in toplevels(app.acc), "the prompt to close", timeout=15)


def find_workers(jobrouter):
    """The processes running the program (its workers) or the commands we
    started (tagged with sleep lengths of our own)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                argv = cmdline.read().split(b"\0")
            if argv and (argv[0] == jobrouter.encode() or b"600.125" in argv or b"600.25" in argv):
                found.append((int(pid), b" ".join(argv).decode(errors="replace")))
        except OSError:
            continue
    return found


# ---- the scenario ----

def scenario(session, app, data):
    ok("start: the window is on the accessibility bus")

    # -- each job, from New Job --
    app.menu_item("Count Primes…")
    prompt(app, "Count Primes", "50,000,000")
    app.menu_item("Run a Command…")
    prompt(app, "Run a Command", "seq 1 5")
    app.menu_item("Checksum a Folder…")
    choose_path(app, "Folder to Checksum", data["checksum"])
    app.menu_item("Find Duplicate Files…")
    choose_path(app, "Folder to Search for Duplicates", data["docs"])
    app.menu_item("Compress a File…")
    choose_path(app, "File to Compress", data["log"])

    app.wait_row("Primes up to 50,000,000", "Done: 3,001,134 primes up to 50,000,000")
    app.wait_row("Run “seq 1 5”", "Done: 5 lines of output")
    app.wait_row(f"Checksum of {data['checksum']}", "Done: ")
    app.wait_row(f"Duplicates in {data['docs']}", "Done: 1 group of duplicates")
    app.wait_row(f"Compress {data['log']}", "Done: ")
    if not os.path.exists(data["log"] + ".gz"):
        raise Failure("compress made no .gz")
    ok("jobs: each of the five jobs started from New Job and done")

    # -- cancel one --
    app.menu_item("Run a Command…")
    prompt(app, "Run a Command", "sleep 600.125")
    title = "Run “sleep 600.125”"
    app.wait_row(title, "Running")
    row = app.row(title)
    cancel = wait_find(row, "push button", "Cancel job")
    do_action(cancel)
    app.wait_row(title, "Cancelled")
    ok("cancel: a running command cancelled from its row")

    # -- open a result from Results --
    results_tab = wait_find(app.window, "page tab", "Results")
    do_action(results_tab)
    checksum_title = f"Checksum of {data['checksum']}"
    results_list = wait_find(app.window, "list", "Results")
    result_row = wait_find(results_list, None, None,
                           lambda node: role(node) == "list item" and
                           find(node, "label", checksum_title) is not None)
    # (A list box row has no AT-SPI action in GTK 4.8: a click, as a person
    # would.)
    mouse_click(app, app.window, result_row)
    result = wait_toplevel(app.acc, lambda w: name(w) == checksum_title, "the result window")
    text_view = wait_find(result, "text", "Result")
    shown = wait_until(lambda: text_view.queryText().getText(0, 200), "the result text")
    if not shown.strip():
        raise Failure("the result window shows no text")
    ok("result: opened from the Results view")

    # -- copy, and read it from another program --
    click_button(result, "Copy")
    expected = subprocess.run([session.jobrouter, "run", "-q", "checksum", data["checksum"]],
                              env=session.env, capture_output=True, check=True).stdout
    reader = subprocess.Popen(["xclip", "-o", "-selection", "clipboard", "-t", "UTF8_STRING"],
                              stdout=subprocess.PIPE, env=session.env)
    longest = 0.0
    answers = 0
    deadline = time.monotonic() + TIMEOUT
    chunks = []
    drain = threading.Thread(target=lambda: chunks.append(reader.stdout.read()))
    drain.start()
    while drain.is_alive():
        longest = max(longest, measure_answer(result))
        answers += 1
        if time.monotonic() > deadline:
            reader.kill()
            raise Failure("xclip did not get the clipboard: the transfer is stuck")
        time.sleep(0.02)
    drain.join()
    reader.wait()
    read = b"".join(chunks)
    # …and once more afterwards: the window still answers.
    longest = max(longest, measure_answer(app.window))
    log(f"read {len(read)} bytes; {answers} round trips meanwhile, the longest {longest * 1000:.0f} ms")
    if read != expected:
        raise Failure(f"the clipboard held {len(read)} bytes, not the {len(expected)} of the report")
    if longest > ANSWER_MAX:
        raise Failure(f"the window took {longest:.1f} s to answer during the copy")
    sums = os.path.join(session.tmp, "SHA256SUMS")
    with open(sums, "wb") as out:
        out.write(read)
    subprocess.run(["sha256sum", "--quiet", "--strict", "-c", sums], cwd=data["checksum"],
                   check=True, stdout=subprocess.DEVNULL)
    ok(f"clipboard: {len(read)} bytes read by xclip, the window answering within "
       f"{longest * 1000:.0f} ms meanwhile")
    do_action(wait_find(result, "push button", "Close"))
    wait_until(lambda: result not in toplevels(app.acc), "the result window to close", 15)

    # -- show the compressed file in the file manager --
    # Found again: a window came and went since, and with it the cache.
    results_tab = wait_find(app.window, "page tab", "Results")
    do_action(results_tab)
    compress_title = f"Compress {data['log']}"
    result_row = wait_find(results_list, None, None,
                           lambda node: role(node) == "list item" and
                           find(node, "label", compress_title) is not None)
    mouse_click(app, app.window, result_row)
    result = wait_toplevel(app.acc, lambda w: name(w) == compress_title, "the compress result")
    click_button(result, "Open or Show the File")
    item = wait_until(lambda: next((i for w in toplevels(app.acc)
                                    for i in [find(w, "menu item", "Show in Files")] if i), None),
                      "Show in Files")
    do_action(item)
    gz_uri = "file://" + data["log"] + ".gz"
    wait_until(lambda: any(gz_uri in call["uris"] for call in session.calls("ShowItems")),
               "the file manager to be asked to show the .gz")
    do_action(wait_find(result, "push button", "Close"))
    wait_until(lambda: result not in toplevels(app.acc), "the result window to close", 15)
    ok("show-in-files: the .gz shown in the file manager")

    # -- notifications: none while in use --
    notified = session.calls("Notify")
    if notified:
        raise Failure(f"{len(notified)} notifications while the window was in use: {notified}")
    ok("in-use: no notification while the window was in use")

    # -- one when the window is minimized --
    do_action(wait_find(app.window, "page tab", "Jobs"))
    app.menu_item("Run a Command…")
    prompt(app, "Run a Command", "sleep 4; echo slept")
    window_id = x_window(app, "Job Router")
    xdotool("windowminimize", window_id)
    notification = wait_until(lambda: session.calls("Notify"), "a notification")[0]
    if notification["summary"] != "Job finished" or \
       notification["body"] != "Run “sleep 4; echo slept”\n1 line of output":
        raise Failure(f"unexpected notification {notification}")
    xdotool("windowactivate", "--sync", window_id)
    wait_until(lambda: active_window_name() == "Job Router", "the window back")
    ok("notify: one notification, with the result, for a job that ended while minimized")

    # -- quit with jobs running and waiting --
    for command in ("sleep 600.25", "sleep 600.25; echo 2", "sleep 600.25; echo 3"):
        app.menu_item("Run a Command…")
        prompt(app, "Run a Command", command)
    app.wait_row("Run “sleep 600.25”", "Running")
    app.wait_row("Run “sleep 600.25; echo 2”", "Running")
    app.wait_row("Run “sleep 600.25; echo 3”", "Waiting")
    click_button(app.window, "Main Menu")
    quit_item = wait_until(lambda: next((i for w in toplevels(app.acc)
                                         for i in [find(w, "menu item", "Quit")] if i), None),
                           "Quit in the main menu")
    do_action(quit_item)
    question = wait_toplevel(app.acc, lambda w: find(w, "label", "Stop Jobs and Quit?") is not None,
                             "the question")
    if find(question, "label", None,
            lambda node: name(node).startswith("2 jobs are running and 1 is waiting.")) is None:
        raise Failure("the question does not count 2 running and 1 waiting")
    click_button(question, "Stop Jobs and Quit")
    try:
        status = app.process.wait(20)
    except subprocess.TimeoutExpired:
        raise Failure("the application did not quit")
    if status != 0:
        raise Failure(f"the application exited with {status}")
    try:
        wait_until(lambda: not find_workers(session.jobrouter), "the workers to end", timeout=10)
    except Failure:
        raise Failure(f"left running: {find_workers(session.jobrouter)}")
    ok("quit: with 2 jobs running and 1 waiting, after the question; nothing left running")


def make_data(tmp):
    docs = os.path.join(tmp, "docs")
    os.makedirs(os.path.join(docs, "sub"))
    for relpath, text in (("a.txt", "same words\n" * 100), ("sub/b.txt", "same words\n" * 100),
                          ("c.txt", "other words\n")):
        with open(os.path.join(docs, relpath), "w") as out:
            out.write(text)
    log_path = os.path.join(tmp, "big.log")
    with open(log_path, "w") as out:
        for i in range(20000):
            out.write(f"line {i}: all is well\n")
    # A checksum report near a megabyte: far past X11's single-request size.
    return {"docs": docs, "log": log_path, "checksum": "/usr/include"}


def main():
    jobrouter = os.environ.get("JOBROUTER")
    schema_dir = os.environ.get("JR_SCHEMA_DIR")
    if not jobrouter or not schema_dir:
        print("JOBROUTER and JR_SCHEMA_DIR must be set", file=sys.stderr)
        return 1
    if pyatspi is None:
        skip("no pyatspi (python3-pyatspi)")
    for variable in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS"):
        if not os.environ.get(variable):
            skip(f"no {variable}: run under xvfb-run and dbus-run-session")
    # A window manager gives the focus back to the window when a dialog
    # closes, as on any desktop: without one "in use" means little.
    for program in ("xdotool", "xclip", "sha256sum", "openbox"):
        if shutil.which(program) is None:
            skip(f"no {program}")

    session = Session(os.path.abspath(jobrouter), schema_dir)
    print("1..9", flush=True)
    try:
        session.start_window_manager()
        session.start_services()
        app = session.start_app()
        data = make_data(session.tmp)
        scenario(session, app, data)
    except Failure as failure:
        print(f"not ok {n_steps + 1} - {failure}", flush=True)
        print(f"Bail out! {failure}", flush=True)
        return 1
    finally:
        session.stop()
    print(f"# e2e took {time.monotonic() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
