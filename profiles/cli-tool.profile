# cli-tool - a command-line tool on the current directory: no display, no
# sound, no network, no D-Bus, an empty home; the current directory shared
# writable (refused, as --share refuses it, when it is your home or holds
# what controls your sessions).
#   cd ~/src/project && sandbox --profile cli-tool -- make
home tmpfs
share ${CWD}:rw
