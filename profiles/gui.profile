# gui - any graphical application: a display, the GPU, the desktop's look,
# an empty home; no network, no sound.
#   sandbox --profile gui -- gedit
include gui.inc
