# browser - a web browser: gui.inc, a network of its own (pasta), sound,
# a home kept between runs in ~/.local/share/sandbox-browser, and the
# Downloads directory (made if missing) shared writable.  Browsers build
# their own sandboxes, so user namespaces are allowed.
#   sandbox --profile browser -- firefox
# (D-Bus, once sandbox has it: dbus-user with talk
#  org.freedesktop.Notifications and org.freedesktop.portal.*, and an
#  app-id such as org.mozilla.firefox.)
include gui.inc
net pasta
pulseaudio
home persist:${HOME}/.local/share/sandbox-browser
share xdg-download:create
allow-userns
