# browser - a web browser: gui.inc, a network of its own (pasta), sound,
# a home kept between runs in ~/.local/share/sandbox-browser, and the
# Downloads directory (made if missing) shared writable.  Browsers build
# their own sandboxes, so user namespaces are allowed.
#   sandbox --profile browser -- firefox
# On the session bus: notifications, and media keys (MPRIS) under
# org.mpris.MediaPlayer2.*; add --app-id ID for the browser's own names.
include gui.inc
net pasta
pulseaudio
home persist:${HOME}/.local/share/sandbox-browser
share xdg-download:create
allow-userns
dbus-talk org.freedesktop.Notifications
dbus-own org.mpris.MediaPlayer2.*
