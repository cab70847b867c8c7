/* usage.h - the native --help text; every option here is also in
 * man/sandbox.1 and the three completions (tests/docs-tests.sh checks). */
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
"      --bind-fd FD DEST       bind the directory open at FD on DEST\n" \
"      --ro-bind-fd FD DEST    like --bind-fd, read-only\n" \
"      --rw PATH               same as --bind PATH PATH\n" \
"      --ro PATH               same as --ro-bind PATH PATH\n" \
"      --tmpfs DEST            mount a new tmpfs on DEST\n" \
"      --proc DEST             mount a new procfs on DEST\n" \
"      --dev DEST              mount a new minimal /dev on DEST\n" \
"      --mqueue DEST           mount a new mqueue filesystem on DEST\n" \
"      --dir DEST              create directory DEST\n" \
"      --file FD DEST          create file DEST with the content read from FD\n" \
"      --bind-data FD DEST     bind a file with the content read from FD on DEST\n" \
"      --ro-bind-data FD DEST  like --bind-data, read-only\n" \
"      --symlink TARGET DEST   create symbolic link DEST pointing to TARGET\n" \
"      --chmod OCTAL PATH      set the mode of PATH\n" \
"      --remount-ro DEST       make the mount at DEST read-only\n" \
"      --perms OCTAL           mode of the next --tmpfs, --dir, --file, --bind-data\n" \
"      --size BYTES            size of the next --tmpfs (k, M, G suffixes)\n" \
"      --overlay-src SRC       a lower layer for the next overlay operation\n" \
"      --overlay RWSRC WORKDIR DEST  (after --overlay-src) overlay on DEST with\n" \
"                              RWSRC as the writable layer\n" \
"      --tmp-overlay DEST      overlay on DEST whose writes are thrown away\n" \
"      --ro-overlay DEST       read-only overlay of two or more --overlay-src\n" \
"      --hide PATH             an empty node of mode 000 over PATH (nothing if\n" \
"                              PATH is missing)\n" \
"\n" \
"Home directory and the built-in hide list:\n" \
"      --no-default-hide       show the built-in hide list: keys, agents'\n" \
"                              sockets, browser profiles, other users' homes\n" \
"      --print-hides           print that list for this user and exit\n" \
"      --home ro|tmpfs|persist:DIR|none\n" \
"                              your home directory: read-only (the default),\n" \
"                              an empty tmpfs, DIR bound writable, or hidden\n" \
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
"      --unshare-all           bwrap's switches: here every namespace is new\n" \
"      --unshare-user          already, unless a --share option says so, and\n" \
"      --unshare-user-try      these undo an earlier --share option\n" \
"      --unshare-ipc\n" \
"      --unshare-pid\n" \
"      --unshare-net\n" \
"      --unshare-uts\n" \
"      --unshare-cgroup\n" \
"      --unshare-cgroup-try\n" \
"      --userns FD             use the user namespace open at FD\n" \
"      --userns2 FD            switch to the user namespace at FD after setup\n" \
"      --pidns FD              use (or, with a new one, nest in) the pid\n" \
"                              namespace at FD\n" \
"      --allow-userns          let the command create user namespaces (refused\n" \
"                              by default: nested sandboxes, browsers need it)\n" \
"      --disable-userns        the sandbox may not create user namespaces\n" \
"      --assert-userns-disabled  fail unless that is already so\n" \
"      --not-a-security-boundary  a submount that cannot be made read-only\n" \
"                              (--ro-bind) only gives a warning\n" \
"\n" \
"Network:\n" \
"      --net none|host|pasta|slirp4netns|auto\n" \
"                              none: loopback only (the default); host: the\n" \
"                              host's network; pasta, slirp4netns: a userspace\n" \
"                              network, 10.0.2.100/24 (auto: pasta where\n" \
"                              installed, else slirp4netns)\n" \
"  -p, --publish [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]\n" \
"                              forward HOSTIP:HOSTPORT (default HOSTIP:\n" \
"                              127.0.0.1) to PORT inside (repeatable)\n" \
"      --allow-host-loopback   let the sandbox reach the host's 127.0.0.1\n" \
"                              services at 10.0.2.2, host.sandbox.internal\n" \
"      --net-allow HOST|ADDR[/PREFIX][:PORT]\n" \
"                              allow egress only to these destinations\n" \
"                              (repeatable; the rest is refused at once)\n" \
"      --dns ADDR              nameserver of /etc/resolv.conf (default: the\n" \
"                              helper's DNS forwarder, 10.0.2.3)\n" \
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
"      --cap-drop CAP          drop CAP (ALL for all)\n" \
"                              (uid 0 inside starts with CHOWN DAC_OVERRIDE FOWNER\n" \
"                              FSETID KILL NET_BIND_SERVICE SETFCAP SETGID SETPCAP\n" \
"                              SETUID SYS_CHROOT, over the sandbox only; others none)\n" \
"\n" \
"Integration (bubblewrap's protocols):\n" \
"      --args FD               read NUL-separated arguments from FD (nests)\n" \
"      --info-fd FD            write pid and namespace ids to FD as JSON\n" \
"      --json-status-fd FD     JSON lines: start (pid, namespaces), exit code\n" \
"      --sync-fd FD            keep FD open while the sandbox runs\n" \
"      --block-fd FD           wait for data on FD before running COMMAND\n" \
"      --userns-block-fd FD    wait on FD while another program maps the ids\n" \
"      --lock-file DEST        hold a lock on DEST while the sandbox runs\n" \
"      --seccomp FD            load a compiled seccomp program from FD\n" \
"      --add-seccomp-fd FD     add a compiled seccomp program (repeatable)\n" \
"      --exec-label LABEL      SELinux label (not supported on SELinux hosts)\n" \
"      --file-label LABEL      SELinux file label (same)\n" \
"      --level-prefix          prefix messages with a syslog level (<3>, <4>)\n" \
"Security:\n" \
"      --seccomp-policy POLICY default: the built-in system call policy; none: no\n" \
"                              policy; else a policy file (see sandbox(1))\n" \
"      --landlock              limit file access to the mount plan and scope\n" \
"                              abstract sockets and signals (Landlock);\n" \
"                              =require: fail where the kernel cannot\n" \
"\n" \
"Resource limits:\n" \
"      --rlimit NAME=SOFT[:HARD]\n" \
"                              set a resource limit of COMMAND (repeatable);\n" \
"                              NAME as prlimit(1): as core cpu data fsize locks\n" \
"                              memlock msgqueue nice nofile nproc rss rtprio\n" \
"                              rttime sigpending stack; unlimited, k/M/G sizes\n" \
"      --timeout DURATION      SIGTERM after DURATION (30, 1.5s, 500ms, 2m, 1h),\n" \
"                              exit status 124\n" \
"      --kill-after DURATION   then SIGKILL after DURATION more (default 10s)\n" \
"      --stats                 print wall, CPU time and peak memory at exit\n" \
"      --memory SIZE           cgroup v2 memory.max (k, M, G suffixes)\n" \
"      --memory-swap SIZE      cgroup v2 memory.swap.max (0: no swap)\n" \
"      --pids N                cgroup v2 pids.max\n" \
"      --cpus N.N              cgroup v2 cpu.max: this many CPUs' time\n" \
"      --cpu-weight N          cgroup v2 cpu.weight, 1-10000 (default 100)\n" \
"      --cpuset CPUS           cgroup v2 cpuset.cpus (e.g. 0-3,6)\n" \
"      --io-weight N           cgroup v2 io.weight, 1-10000 (default 100)\n" \
"                              (the cgroup v2 limits need a delegated cgroup;\n" \
"                              not available in this version: see sandbox(1))\n" \
"\n" \
"Other:\n" \
"  -v, --verbose               print each setup step and its duration\n" \
"  -h, --help                  print this help and exit\n" \
"      --version               print the version and exit\n" \
"\n" \
"Exit status: COMMAND's; 128+N if it was killed by signal N; 125 if the\n" \
"sandbox could not be set up; 126 if COMMAND cannot run; 127 if not found;\n" \
"124 if --timeout expired.\n"

#endif

#ifndef SANDBOX_BWRAP_USAGE_H
#define SANDBOX_BWRAP_USAGE_H
/* --help when invoked as bwrap, after "usage: ARGV0": bubblewrap 0.12's
 * options, then ours. */
#define BWRAP_USAGE \
" [OPTIONS...] [--] COMMAND [ARGS...]\n" \
"\n" \
"    --help                       Print this help\n" \
"    --version                    Print version\n" \
"    --args FD                    Parse NUL-separated arguments from FD\n" \
"    --argv0 VALUE                argv[0] for the program\n" \
"    --level-prefix               Prefix diagnostics with a syslog level (<3>, <4>)\n" \
"    --unshare-all                Unshare every namespace possible\n" \
"    --share-net                  Keep the network namespace (after --unshare-all)\n" \
"    --unshare-user               New user namespace\n" \
"    --unshare-user-try           New user namespace if possible\n" \
"    --unshare-ipc                New ipc namespace\n" \
"    --unshare-pid                New pid namespace\n" \
"    --unshare-net                New network namespace\n" \
"    --unshare-uts                New uts namespace\n" \
"    --unshare-cgroup             New cgroup namespace\n" \
"    --unshare-cgroup-try         New cgroup namespace if possible\n" \
"    --userns FD                  Use this user namespace instead of a new one\n" \
"    --userns2 FD                 Switch to this user namespace after setup\n" \
"    --disable-userns             The sandbox may not create user namespaces\n" \
"    --assert-userns-disabled     Fail unless user namespaces are already disabled\n" \
"    --pidns FD                   Use this pid namespace (as the parent with --unshare-pid)\n" \
"    --uid UID                    Uid inside the sandbox\n" \
"    --gid GID                    Gid inside the sandbox\n" \
"    --hostname NAME              Hostname (needs --unshare-uts)\n" \
"    --chdir DIR                  Working directory\n" \
"    --clearenv                   Empty the environment (PWD is kept)\n" \
"    --setenv VAR VALUE           Set an environment variable\n" \
"    --unsetenv VAR               Unset an environment variable\n" \
"    --lock-file DEST             Hold a lock on DEST while the sandbox runs\n" \
"    --sync-fd FD                 Keep FD open while the sandbox runs\n" \
"    --perms OCTAL                Mode of the next --tmpfs, --dir, --file or --bind-data\n" \
"    --size BYTES                 Size of the next --tmpfs\n" \
"    --bind SRC DEST              Bind SRC on DEST\n" \
"    --bind-try SRC DEST          Same, nothing if SRC is missing\n" \
"    --dev-bind SRC DEST          Bind SRC on DEST, devices usable\n" \
"    --dev-bind-try SRC DEST      Same, nothing if SRC is missing\n" \
"    --ro-bind SRC DEST           Bind SRC on DEST read-only\n" \
"    --ro-bind-try SRC DEST       Same, nothing if SRC is missing\n" \
"    --bind-fd FD DEST            Bind the directory open at FD on DEST\n" \
"    --ro-bind-fd FD DEST         Same, read-only\n" \
"    --remount-ro DEST            Make the mount at DEST read-only\n" \
"    --overlay-src SRC            A lower layer for the next overlay\n" \
"    --overlay RWSRC WORKDIR DEST Overlay with RWSRC as the writable layer\n" \
"    --tmp-overlay DEST           Overlay whose writes are thrown away\n" \
"    --ro-overlay DEST            Read-only overlay of two or more sources\n" \
"    --exec-label LABEL           SELinux label for the program\n" \
"    --file-label LABEL           SELinux label for files created\n" \
"    --proc DEST                  New procfs on DEST\n" \
"    --dev DEST                   New minimal /dev on DEST\n" \
"    --tmpfs DEST                 New tmpfs on DEST\n" \
"    --mqueue DEST                New mqueue on DEST\n" \
"    --dir DEST                   Create directory DEST\n" \
"    --file FD DEST               Copy FD's content to the new file DEST\n" \
"    --bind-data FD DEST          Copy FD's content to a file bound on DEST\n" \
"    --ro-bind-data FD DEST       Same, read-only\n" \
"    --symlink SRC DEST           Create symlink DEST to SRC\n" \
"    --chmod OCTAL PATH           Set the mode of PATH\n" \
"    --seccomp FD                 Load a compiled seccomp program from FD\n" \
"    --add-seccomp-fd FD          Add a compiled seccomp program (repeatable)\n" \
"    --block-fd FD                Wait for data on FD before running the program\n" \
"    --userns-block-fd FD         Wait on FD for the user namespace to be set up\n" \
"    --info-fd FD                 Write information about the sandbox to FD as JSON\n" \
"    --json-status-fd FD          Write JSON lines about the sandbox's state to FD\n" \
"    --new-session                New terminal session (setsid)\n" \
"    --die-with-parent            Kill the sandbox when bwrap's parent dies\n" \
"    --as-pid-1                   No reaper: the program is pid 1\n" \
"    --cap-add CAP                Keep capability CAP (ALL for all)\n" \
"    --cap-drop CAP               Drop capability CAP (ALL for all)\n" \
"    --not-a-security-boundary    A failed read-only remount of a submount only warns\n" \
"\n" \
"sandbox's own options work here too; see sandbox --help and sandbox(1).\n"
#endif
