#!/usr/bin/python3
# session-services.py — what a desktop session offers the application, for
# the end-to-end tests: a notification server (org.freedesktop.Notifications)
# and a file manager (org.freedesktop.FileManager1) on the session bus.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Every call is appended to LOG as one JSON object a line:
#   {"call": "Notify", "app": …, "summary": …, "body": …, "time": …}
#   {"call": "ShowItems", "uris": […], "time": …}
# Prints "ready" once both names are owned; runs until SIGTERM or its
# stdin closes.
#
# Usage: session-services.py LOG

import json
import signal
import sys
import time

from gi.repository import Gio, GLib

XML = """
<node>
  <interface name='org.freedesktop.Notifications'>
    <method name='Notify'>
      <arg type='s' name='app_name' direction='in'/>
      <arg type='u' name='replaces_id' direction='in'/>
      <arg type='s' name='app_icon' direction='in'/>
      <arg type='s' name='summary' direction='in'/>
      <arg type='s' name='body' direction='in'/>
      <arg type='as' name='actions' direction='in'/>
      <arg type='a{sv}' name='hints' direction='in'/>
      <arg type='i' name='expire_timeout' direction='in'/>
      <arg type='u' name='id' direction='out'/>
    </method>
    <method name='CloseNotification'>
      <arg type='u' name='id' direction='in'/>
    </method>
    <method name='GetCapabilities'>
      <arg type='as' name='capabilities' direction='out'/>
    </method>
    <method name='GetServerInformation'>
      <arg type='s' name='name' direction='out'/>
      <arg type='s' name='vendor' direction='out'/>
      <arg type='s' name='version' direction='out'/>
      <arg type='s' name='spec_version' direction='out'/>
    </method>
    <signal name='NotificationClosed'>
      <arg type='u' name='id'/><arg type='u' name='reason'/>
    </signal>
    <signal name='ActionInvoked'>
      <arg type='u' name='id'/><arg type='s' name='action_key'/>
    </signal>
  </interface>
  <interface name='org.freedesktop.FileManager1'>
    <method name='ShowItems'>
      <arg type='as' name='uris' direction='in'/>
      <arg type='s' name='startup_id' direction='in'/>
    </method>
    <method name='ShowFolders'>
      <arg type='as' name='uris' direction='in'/>
      <arg type='s' name='startup_id' direction='in'/>
    </method>
  </interface>
</node>
"""


def main():
    log = open(sys.argv[1], "a", buffering=1)
    loop = GLib.MainLoop()
    node = Gio.DBusNodeInfo.new_for_xml(XML)
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    next_id = [0]
    owned = set()

    def record(**entry):
        entry["time"] = time.monotonic()
        log.write(json.dumps(entry) + "\n")

    def on_call(connection, sender, path, interface, method, params, invocation):
        args = params.unpack()
        if method == "Notify":
            next_id[0] += 1
            record(call="Notify", app=args[0], summary=args[3], body=args[4],
                   actions=list(args[5]))
            invocation.return_value(GLib.Variant("(u)", (next_id[0],)))
        elif method == "GetCapabilities":
            invocation.return_value(GLib.Variant("(as)", (["body", "actions"],)))
        elif method == "GetServerInformation":
            invocation.return_value(GLib.Variant("(ssss)", ("e2e", "jobrouter", "1", "1.2")))
        elif method in ("ShowItems", "ShowFolders"):
            record(call=method, uris=list(args[0]))
            invocation.return_value(None)
        else:
            invocation.return_value(None)

    bus.register_object("/org/freedesktop/Notifications", node.interfaces[0], on_call, None, None)
    bus.register_object("/org/freedesktop/FileManager1", node.interfaces[1], on_call, None, None)

    def on_acquired(connection, name):
        owned.add(name)
        if len(owned) == 2:
            print("ready", flush=True)

    def on_lost(connection, name):
        print(f"session-services: could not own {name}", file=sys.stderr, flush=True)
        loop.quit()

    for name in ("org.freedesktop.Notifications", "org.freedesktop.FileManager1"):
        Gio.bus_own_name_on_connection(bus, name, Gio.BusNameOwnerFlags.NONE, on_acquired, on_lost)

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()), GLib.PRIORITY_DEFAULT,
                      GLib.IOCondition.HUP | GLib.IOCondition.IN,
                      lambda *args: (loop.quit(), False)[1])
    loop.run()


if __name__ == "__main__":
    main()
