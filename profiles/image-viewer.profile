# image-viewer - an image viewer: gui.inc alone (no network, no sound, an empty
# home), so your files are not in its view; share the ones it is to open,
# read-only, on the command line:
#   sandbox --profile image-viewer --share ~/photo.jpg -- eog ~/photo.jpg
include gui.inc
