# image-viewer - an image viewer: gui.inc alone (no network, no sound, an empty
# home), so your files are not in its view; share the ones it is to open,
# read-only, on the command line:
#   sandbox --profile image-viewer --share ~/photo.jpg -- eog ~/photo.jpg
# (D-Bus, once sandbox has it: dbus-user with talk
#  org.freedesktop.portal.Documents and org.freedesktop.portal.FileChooser.)
include gui.inc
