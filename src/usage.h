/* usage.h - the native --help text; every option here is also in
 * man/sandbox.1 and the three completions (tests/docs.sh checks). */
#ifndef SANDBOX_USAGE_H
#define SANDBOX_USAGE_H

#define SANDBOX_USAGE \
"Usage: sandbox [OPTION...] [--] COMMAND [ARG...]\n" \
"Run COMMAND confined: new user, mount, pid, network, ipc, uts and cgroup\n" \
"namespaces, no capabilities, a fresh /proc, /dev, /tmp and /run.\n" \
"\n" \
"Root filesystem:\n" \
"      --rootfs DIR            use DIR as / (default: the host's / read-only);\n" \
"                              writes go to a throwaway overlay, DIR is unchanged\n" \
"      --overlay               the throwaway overlay over DIR (the default)\n" \
"      --overlay-dir DIR2      keep the overlay's writes in DIR2 (reusable)\n" \
"      --overlay-driver auto|kernel|fuse\n" \
"                              kernel overlayfs or fuse-overlayfs (default: auto,\n" \
"                              the kernel's where it allows it)\n" \
"      --read-only             bind DIR read-only, no overlay\n" \
"      --rootfs-rw             bind DIR writable, no overlay: writes change DIR\n" \
"\n" \
"Mount operations, applied in the order given:\n" \
"      --bind SRC DEST         bind host path SRC on DEST, writable\n" \
"      --bind-try SRC DEST     like --bind; nothing happens if SRC is missing\n" \
"      --ro-bind SRC DEST      bind SRC on DEST read-only\n" \
"      --ro-bind-try SRC DEST  like --ro-bind; nothing if SRC is missing\n" \
"      --dev-bind SRC DEST     bind SRC on DEST, device nodes usable\n" \
"      --dev-bind-try SRC DEST like --dev-bind; nothing if SRC is missing\n" \
"      --rw PATH               same as --bind PATH PATH\n" \
"      --ro PATH               same as --ro-bind PATH PATH\n" \
"      --tmpfs DEST            mount a new tmpfs on DEST\n" \
"      --proc DEST             mount a new procfs on DEST\n" \
"      --dev DEST              mount a new minimal /dev on DEST\n" \
"      --dir DEST              create directory DEST\n" \
"      --symlink TARGET DEST   create symbolic link DEST pointing to TARGET\n" \
"      --remount-ro DEST       make the mount at DEST (and below) read-only\n" \
"\n" \
"Identity:\n" \
"      --uid N                 uid inside the sandbox (default: yours)\n" \
"      --gid N                 gid inside (default: yours, 0 with --uid 0)\n" \
"      --subids                map your /etc/subuid and /etc/subgid ranges\n" \
"      --no-subids             map only your own uid and gid\n" \
"      --uid-map IN:OUT:COUNT  explicit uid map entry (repeatable)\n" \
"      --gid-map IN:OUT:COUNT  explicit gid map entry (repeatable)\n" \
"\n" \
"Namespaces:\n" \
"      --share-net             keep the host's network namespace\n" \
"      --share-ipc             keep the host's ipc namespace\n" \
"      --share-pid             keep the host's pid namespace\n" \
"      --share-uts             keep the host's uts namespace\n" \
"      --share-cgroup          keep the host's cgroup namespace\n" \
"      --unshare-time          add a new time namespace\n" \
"      --hostname NAME         hostname inside (default: sandbox)\n" \
"\n" \
"Process:\n" \
"      --chdir DIR             working directory inside (default: the\n" \
"                              current one where it exists, else /)\n" \
"      --setenv VAR VALUE      set an environment variable\n" \
"      --unsetenv VAR          unset an environment variable\n" \
"      --clearenv              start from an empty environment\n" \
"      --argv0 VALUE           argv[0] for COMMAND\n" \
"      --keep-fd FD            pass inherited fd FD to COMMAND (repeatable)\n" \
"      --as-pid-1              run COMMAND as pid 1 (no reaper in between)\n" \
"      --new-session           run COMMAND in a new session (setsid)\n" \
"      --die-with-parent       kill the sandbox when sandbox's parent dies\n" \
"\n" \
"Privileges:\n" \
"      --cap-add CAP           keep capability CAP inside (ALL for all)\n" \
"      --cap-drop CAP          drop CAP again (after --cap-add ALL)\n" \
"\n" \
"Other:\n" \
"  -v, --verbose               print each setup step and its duration\n" \
"  -h, --help                  print this help and exit\n" \
"      --version               print the version and exit\n" \
"\n" \
"Exit status: COMMAND's; 128+N if it was killed by signal N; 125 if the\n" \
"sandbox could not be set up; 126 if COMMAND cannot run; 127 if not found.\n"

#endif
