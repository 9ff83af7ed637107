// Where gi-docgen's links into other namespaces go: the namespace, then the
// base URL of its reference. The two jobrouter references are installed
// side by side ($datadir/doc/jobrouter-1, $datadir/doc/jobrouter-ui-1).
baseURLs = [
  [ 'GLib', 'https://docs.gtk.org/glib/' ],
  [ 'GObject', 'https://docs.gtk.org/gobject/' ],
  [ 'Gio', 'https://docs.gtk.org/gio/' ],
  [ 'Gdk', 'https://docs.gtk.org/gdk4/' ],
  [ 'Gsk', 'https://docs.gtk.org/gsk4/' ],
  [ 'Gtk', 'https://docs.gtk.org/gtk4/' ],
  [ 'Pango', 'https://docs.gtk.org/Pango/' ],
  [ 'Jr', '../jobrouter-1/' ],
  [ 'JrUi', '../jobrouter-ui-1/' ],
]
