# pdf-viewer - a PDF viewer: gui.inc alone (no network, no sound, an empty
# home), so your files are not in its view; share the ones it is to open,
# read-only, on the command line:
#   sandbox --profile pdf-viewer --share ~/paper.pdf -- evince ~/paper.pdf
include gui.inc
