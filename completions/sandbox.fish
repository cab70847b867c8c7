# fish completion for sandbox(1).  Install as
# /usr/share/fish/vendor_completions.d/sandbox.fish (make install does).
# Every option of `sandbox --help` is listed here; tests/docs-tests.sh checks
# that none is missing.
#
# fish knows only one argument per option, and sandbox has options with two
# (--bind SRC DEST) and one with none or three (--overlay, which right after
# --overlay-src is bwrap's --overlay RWSRC WORKDIR DEST), so the options are
# declared as plain flags and __sandbox_state works out what the word under
# the cursor is.

# Options that take one and two arguments.
set -g __sandbox_opts1 --rootfs --overlay-dir --overlay-driver \
    --rw --ro --tmpfs --proc --dev --mqueue --dir --remount-ro --perms --size \
    --overlay-src --tmp-overlay --ro-overlay --hide --home \
    --uid --gid --uid-map --gid-map --hostname --userns --userns2 --pidns \
    --net -p --publish --net-allow --dns \
    --chdir --unsetenv --argv0 --keep-fd --cap-add --cap-drop \
    --args --info-fd --json-status-fd --sync-fd --block-fd --userns-block-fd \
    --lock-file --seccomp --add-seccomp-fd --exec-label --file-label --seccomp-policy \
    --rlimit --timeout --kill-after --memory --memory-swap --pids --cpus \
    --cpu-weight --cpuset --io-weight --profile --profile-show --share \
    --dbus-see --dbus-talk --dbus-own --dbus-call --dbus-broadcast \
    --dbus-system-see --dbus-system-talk --dbus-system-own --dbus-system-call \
    --dbus-system-broadcast --app-id
set -g __sandbox_opts2 --bind --bind-try --ro-bind --ro-bind-try --dev-bind \
    --dev-bind-try --bind-fd --ro-bind-fd --file --bind-data --ro-bind-data \
    --symlink --chmod --setenv

# Prints what the word under the cursor is, one word a line:
#   opt               an option, or the command
#   arg OPTION N      argument N of OPTION
#   cmd WORD...       a word of the command; the command line from it on
function __sandbox_state
    set -l toks (commandline -opc)
    set -l cur (commandline -ct)
    set -e toks[1]
    set -l n (count $toks)
    set -l i 1
    set -l prev
    while test $i -le $n
        set -l t $toks[$i]
        set -l k 0
        if test "$t" = --
            printf '%s\n' cmd $toks[(math $i + 1)..-1] $cur
            return
        else if test "$t" = --overlay -a "$prev" = --overlay-src
            set k 3
        else if contains -- $t $__sandbox_opts2
            set k 2
        else if contains -- $t $__sandbox_opts1
            set k 1
        else if not string match -q -- '-*' $t
            printf '%s\n' cmd $toks[$i..-1] $cur
            return
        end
        if test (math $i + $k) -gt $n
            printf '%s\n' arg $t (math $n - $i + 1)
            return
        end
        set prev $t
        set i (math $i + $k + 1)
    end
    echo opt
end

# True when the cursor is on an option or the command.
function __sandbox_at_opt
    set -l s (__sandbox_state)
    test "$s[1]" = opt
end

# True when the cursor is on argument $2 (default: any) of one of the
# options named by the other arguments: __sandbox_at_arg [-n N] OPT...
function __sandbox_at_arg
    set -l want
    if test "$argv[1]" = -n
        set want $argv[2]
        set -e argv[1..2]
    end
    set -l s (__sandbox_state)
    test "$s[1]" = arg; or return 1
    contains -- $s[2] $argv; or return 1
    test -z "$want"; or test "$s[3]" = "$want"
end

# True when the cursor is on an argument that is a file (any kind) of the
# host or of the sandbox; directories-only arguments are handled apart.
function __sandbox_at_file_arg
    set -l s (__sandbox_state)
    test "$s[1]" = arg; or return 1
    switch $s[2]
        case --bind --bind-try --ro-bind --ro-bind-try --dev-bind --dev-bind-try \
            --rw --ro --symlink --lock-file --hide
            return 0
        case --file --bind-data --ro-bind-data --chmod
            # FD or OCTAL first, then the file inside
            test "$s[3]" = 2
            return
    end
    return 1
end

# True when the cursor is on an argument that is a directory.
function __sandbox_at_dir_arg
    set -l s (__sandbox_state)
    test "$s[1]" = arg; or return 1
    switch $s[2]
        case --rootfs --overlay-dir --chdir --tmpfs --proc --dev --mqueue --dir \
            --remount-ro --overlay-src --tmp-overlay --ro-overlay --overlay
            # --overlay here is RWSRC WORKDIR DEST: three directories
            return 0
        case --bind-fd --ro-bind-fd
            test "$s[3]" = 2
            return
    end
    return 1
end

function __sandbox_at_cmd
    set -l s (__sandbox_state)
    test "$s[1]" = cmd
end

# Completes the command and its arguments as if typed alone.
function __sandbox_complete_cmd
    set -l s (__sandbox_state)
    set -e s[1]
    __fish_complete_subcommand --commandline $s
end

# Capability names as capabilities(7) spells them (0 to 40), and ALL.
function __sandbox_caps
    printf '%s\n' ALL \
        CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID \
        CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE \
        CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW \
        CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT \
        CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE \
        CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE \
        CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE \
        CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ \
        CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE
end

function __sandbox_net_modes
    printf '%s\t%s\n' none 'Loopback only (the default)' host 'The host\'s network' \
        pasta 'Userspace network by pasta (package passt)' \
        slirp4netns 'Userspace network by slirp4netns' auto 'pasta, else slirp4netns'
end

function __sandbox_home_modes
    set -l cur (commandline -ct)
    if string match -q -- 'persist:*' $cur
        __fish_complete_directories (string replace -- persist: '' $cur) | string replace -r '^' persist:
        return
    end
    printf '%s\t%s\n' ro 'Read-only (the default)' tmpfs 'An empty tmpfs' \
        persist 'A persistent home (--app-id)' persist: 'A persistent home in DIR' none 'Hidden'
end

function __sandbox_rlimits
    string match -q -- '*=*' (commandline -ct); and return
    printf '%s=\n' as core cpu data fsize locks memlock msgqueue nice nofile nproc \
        rss rtprio rttime sigpending stack
end

function __sandbox_overlay_drivers
    printf '%s\t%s\n' auto 'Kernel overlayfs where allowed, else fuse-overlayfs' \
        kernel 'The kernel\'s overlayfs' fuse fuse-overlayfs
end

complete -c sandbox -e

# Where the state is not an argument that takes files, offer none.
complete -c sandbox -n 'not __sandbox_at_file_arg' -f

# Option names.
set -l o '__sandbox_at_opt'
# Root filesystem
complete -c sandbox -n $o -l rootfs -d 'Use DIR as / (default: the host\'s / read-only)'
complete -c sandbox -n $o -l overlay -d 'The throwaway overlay over DIR; after --overlay-src: RWSRC WORKDIR DEST'
complete -c sandbox -n $o -l overlay-dir -d 'Keep the overlay\'s writes in DIR2 (reusable)'
complete -c sandbox -n $o -l overlay-driver -d 'Kernel overlayfs or fuse-overlayfs'
complete -c sandbox -n $o -l read-only -d 'Bind DIR read-only, no overlay'
complete -c sandbox -n $o -l rootfs-rw -d 'Bind DIR writable, no overlay: writes change DIR'
# Mount operations
complete -c sandbox -n $o -l bind -d 'Bind host path SRC on DEST, writable'
complete -c sandbox -n $o -l bind-try -d 'Like --bind; nothing if SRC is missing'
complete -c sandbox -n $o -l ro-bind -d 'Bind SRC on DEST read-only'
complete -c sandbox -n $o -l ro-bind-try -d 'Like --ro-bind; nothing if SRC is missing'
complete -c sandbox -n $o -l dev-bind -d 'Bind SRC on DEST, device nodes usable'
complete -c sandbox -n $o -l dev-bind-try -d 'Like --dev-bind; nothing if SRC is missing'
complete -c sandbox -n $o -l bind-fd -d 'Bind the directory open at FD on DEST'
complete -c sandbox -n $o -l ro-bind-fd -d 'Like --bind-fd, read-only'
complete -c sandbox -n $o -l rw -d 'Same as --bind PATH PATH'
complete -c sandbox -n $o -l ro -d 'Same as --ro-bind PATH PATH'
complete -c sandbox -n $o -l tmpfs -d 'Mount a new tmpfs on DEST'
complete -c sandbox -n $o -l proc -d 'Mount a new procfs on DEST'
complete -c sandbox -n $o -l dev -d 'Mount a new minimal /dev on DEST'
complete -c sandbox -n $o -l mqueue -d 'Mount a new mqueue filesystem on DEST'
complete -c sandbox -n $o -l dir -d 'Create directory DEST'
complete -c sandbox -n $o -l file -d 'Create file DEST with the content read from FD'
complete -c sandbox -n $o -l bind-data -d 'Bind a file with the content read from FD on DEST'
complete -c sandbox -n $o -l ro-bind-data -d 'Like --bind-data, read-only'
complete -c sandbox -n $o -l symlink -d 'Create symbolic link DEST pointing to TARGET'
complete -c sandbox -n $o -l chmod -d 'Set the mode of PATH to OCTAL'
complete -c sandbox -n $o -l remount-ro -d 'Make the mount at DEST read-only'
complete -c sandbox -n $o -l perms -d 'Mode of the next --tmpfs, --dir, --file, --bind-data'
complete -c sandbox -n $o -l size -d 'Size of the next --tmpfs (k, M, G suffixes)'
complete -c sandbox -n $o -l overlay-src -d 'A lower layer for the next overlay operation'
complete -c sandbox -n $o -l tmp-overlay -d 'Overlay on DEST whose writes are thrown away'
complete -c sandbox -n $o -l ro-overlay -d 'Read-only overlay of two or more --overlay-src'
complete -c sandbox -n $o -l hide -d 'An empty node of mode 000 over PATH'
# Home directory and the built-in hide list
complete -c sandbox -n $o -l no-default-hide -d 'Show the built-in hide list (keys, agents\' sockets, other homes)'
complete -c sandbox -n $o -l print-hides -d 'Print the built-in hide list for this user and exit'
complete -c sandbox -n $o -l home -d 'Home inside: ro, tmpfs, persist[:DIR] or none'
# Identity
complete -c sandbox -n $o -l uid -d 'Uid inside the sandbox'
complete -c sandbox -n $o -l gid -d 'Gid inside the sandbox'
complete -c sandbox -n $o -l subids -d 'Map your /etc/subuid and /etc/subgid ranges'
complete -c sandbox -n $o -l no-subids -d 'Map only your own uid and gid'
complete -c sandbox -n $o -l uid-map -d 'Explicit uid map entry IN:OUT:COUNT'
complete -c sandbox -n $o -l gid-map -d 'Explicit gid map entry IN:OUT:COUNT'
# Namespaces
complete -c sandbox -n $o -l share-net -d 'Keep the host\'s network namespace'
complete -c sandbox -n $o -l share-ipc -d 'Keep the host\'s ipc namespace'
complete -c sandbox -n $o -l share-pid -d 'Keep the host\'s pid namespace'
complete -c sandbox -n $o -l share-uts -d 'Keep the host\'s uts namespace'
complete -c sandbox -n $o -l share-cgroup -d 'Keep the host\'s cgroup namespace'
complete -c sandbox -n $o -l unshare-time -d 'Add a new time namespace'
complete -c sandbox -n $o -l hostname -d 'Hostname inside (default: sandbox)'
complete -c sandbox -n $o -l unshare-all -d 'New ipc, pid, net, uts and cgroup namespaces'
complete -c sandbox -n $o -l unshare-user -d 'Accepted for bwrap: the user namespace is always new'
complete -c sandbox -n $o -l unshare-user-try -d 'Accepted for bwrap: the user namespace is always new'
complete -c sandbox -n $o -l unshare-ipc -d 'New ipc namespace (undoes --share-ipc)'
complete -c sandbox -n $o -l unshare-pid -d 'New pid namespace (undoes --share-pid)'
complete -c sandbox -n $o -l unshare-net -d 'New network namespace (undoes --share-net)'
complete -c sandbox -n $o -l unshare-uts -d 'New uts namespace (undoes --share-uts)'
complete -c sandbox -n $o -l unshare-cgroup -d 'New cgroup namespace (undoes --share-cgroup)'
complete -c sandbox -n $o -l unshare-cgroup-try -d 'New cgroup namespace (undoes --share-cgroup)'
complete -c sandbox -n $o -l userns -d 'Use the user namespace open at FD'
complete -c sandbox -n $o -l userns2 -d 'Switch to the user namespace at FD after setup'
complete -c sandbox -n $o -l pidns -d 'Use (or nest in) the pid namespace at FD'
complete -c sandbox -n $o -l allow-userns -d 'Let the command create user namespaces'
complete -c sandbox -n $o -l disable-userns -d 'The sandbox may not create user namespaces'
complete -c sandbox -n $o -l assert-userns-disabled -d 'Fail unless user namespaces are already disabled'
complete -c sandbox -n $o -l not-a-security-boundary -d 'A submount that cannot be made read-only only warns'
# Network
complete -c sandbox -n $o -l net -d 'none, host, or a userspace network: pasta, slirp4netns, auto'
complete -c sandbox -n $o -s p -l publish -d 'Forward [HOSTIP:]HOSTPORT to PORT inside'
complete -c sandbox -n $o -l allow-host-loopback -d 'Reach the host\'s 127.0.0.1 services at 10.0.2.2'
complete -c sandbox -n $o -l net-allow -d 'Allow egress only to HOST|ADDR[/PREFIX][:PORT]'
complete -c sandbox -n $o -l dns -d 'Nameserver of /etc/resolv.conf'
# Process
complete -c sandbox -n $o -l chdir -d 'Working directory inside'
complete -c sandbox -n $o -l setenv -d 'Set an environment variable'
complete -c sandbox -n $o -l unsetenv -d 'Unset an environment variable'
complete -c sandbox -n $o -l clearenv -d 'Start from an empty environment'
complete -c sandbox -n $o -l argv0 -d 'argv[0] for COMMAND'
complete -c sandbox -n $o -l keep-fd -d 'Pass inherited fd FD to COMMAND'
complete -c sandbox -n $o -l as-pid-1 -d 'Run COMMAND as pid 1 (no reaper)'
complete -c sandbox -n $o -l new-session -d 'Run COMMAND in a new session (setsid)'
complete -c sandbox -n $o -l die-with-parent -d 'Kill the sandbox when sandbox\'s parent dies'
# Privileges
complete -c sandbox -n $o -l cap-add -d 'Keep capability CAP inside (ALL for all)'
complete -c sandbox -n $o -l cap-drop -d 'Drop CAP (ALL for all)'
# Integration (bubblewrap's protocols)
complete -c sandbox -n $o -l args -d 'Read NUL-separated arguments from FD'
complete -c sandbox -n $o -l info-fd -d 'Write pid and namespace ids to FD as JSON'
complete -c sandbox -n $o -l json-status-fd -d 'JSON lines on FD: start, exit code'
complete -c sandbox -n $o -l sync-fd -d 'Keep FD open while the sandbox runs'
complete -c sandbox -n $o -l block-fd -d 'Wait for data on FD before running COMMAND'
complete -c sandbox -n $o -l userns-block-fd -d 'Wait on FD while another program maps the ids'
complete -c sandbox -n $o -l lock-file -d 'Hold a lock on DEST while the sandbox runs'
complete -c sandbox -n $o -l seccomp -d 'Load a compiled seccomp program from FD'
complete -c sandbox -n $o -l add-seccomp-fd -d 'Add a compiled seccomp program'
complete -c sandbox -n $o -l exec-label -d 'SELinux label (not supported on SELinux hosts)'
complete -c sandbox -n $o -l file-label -d 'SELinux file label (not supported on SELinux hosts)'
complete -c sandbox -n $o -l level-prefix -d 'Prefix messages with a syslog level'
# Security
complete -c sandbox -n $o -l seccomp-policy -d 'System call policy: default, none or a file'
complete -c sandbox -n $o -l landlock -d 'Limit file access to the mount plan (Landlock)'
complete -c sandbox -n $o -a --landlock=require -d 'Landlock, or fail where the kernel cannot'
# Desktop
complete -c sandbox -n $o -l x11 -d "The host's X display, with its cookie alone"
complete -c sandbox -n $o -a --x11=host -d "The host's X display, with its cookie alone"
complete -c sandbox -n $o -a --x11=none -d 'No X display (the default)'
complete -c sandbox -n $o -a --x11=nested -d 'A display of its own, in an Xephyr window'
complete -c sandbox -n $o -l wayland -d 'The Wayland compositor, as wayland-0'
complete -c sandbox -n $o -l fallback-x11 -d 'The X display where there is no Wayland socket'
complete -c sandbox -n $o -l pulseaudio -d 'The PulseAudio server, without its cookie'
complete -c sandbox -n $o -l pipewire -d 'The PipeWire server: all audio, cameras, screen capture'
complete -c sandbox -n $o -l gpu -d 'The GPU device nodes'
complete -c sandbox -n $o -l dev-input -d 'The input device nodes'
complete -c sandbox -n $o -l dev-video -d 'The video device nodes'
complete -c sandbox -n $o -l dev-snd -d 'The sound device nodes'
complete -c sandbox -n $o -l desktop -d "The host's fonts, icons, themes and toolkit settings"
# Profiles and sharing
complete -c sandbox -n $o -l profile -d 'Read options from a profile'
complete -c sandbox -n $o -l profile-show -d 'Print the options a profile gives and exit'
complete -c sandbox -n $o -l list-profiles -d 'List the profiles found and exit'
complete -c sandbox -n $o -l share -d 'Share a host path at its own path (:ro, :rw, :create)'
complete -c sandbox -n $o -l allow-dangerous -d 'Let --share make writable what controls your sessions'
complete -c sandbox -n '__sandbox_at_arg --profile --profile-show' -f -a '(command -q sandbox; and sandbox --list-profiles 2>/dev/null | string replace -r " .*" "")' -d 'Profile'
complete -c sandbox -n '__sandbox_at_arg --profile --profile-show' -F
complete -c sandbox -n '__sandbox_at_arg --share' -F -a 'xdg-download xdg-documents xdg-pictures xdg-music xdg-videos xdg-desktop xdg-templates xdg-public-share'
# D-Bus
complete -c sandbox -n $o -l dbus-user -d 'The session bus, filtered by xdg-dbus-proxy'
complete -c sandbox -n $o -a --dbus-user=filter -d 'The session bus, filtered by xdg-dbus-proxy'
complete -c sandbox -n $o -a --dbus-user=host -d 'The session bus itself: an escape'
complete -c sandbox -n $o -a --dbus-user=none -d 'No session bus (the default)'
complete -c sandbox -n $o -l dbus-see -d 'Session bus: NAME is visible'
complete -c sandbox -n $o -l dbus-talk -d 'Session bus: the command may call NAME'
complete -c sandbox -n $o -l dbus-own -d 'Session bus: the command may own NAME'
complete -c sandbox -n $o -l dbus-call -d 'Session bus: the calls to NAME that RULE names'
complete -c sandbox -n $o -l dbus-broadcast -d 'Session bus: the signals of NAME that RULE names'
complete -c sandbox -n $o -l dbus-system -d 'The system bus, filtered by xdg-dbus-proxy'
complete -c sandbox -n $o -a --dbus-system=filter -d 'The system bus, filtered by xdg-dbus-proxy'
complete -c sandbox -n $o -a --dbus-system=host -d 'The system bus itself, unfiltered'
complete -c sandbox -n $o -a --dbus-system=none -d 'No system bus (the default)'
complete -c sandbox -n $o -l dbus-system-see -d 'System bus: NAME is visible'
complete -c sandbox -n $o -l dbus-system-talk -d 'System bus: the command may call NAME'
complete -c sandbox -n $o -l dbus-system-own -d 'System bus: the command may own NAME'
complete -c sandbox -n $o -l dbus-system-call -d 'System bus: the calls to NAME that RULE names'
complete -c sandbox -n $o -l dbus-system-broadcast -d 'System bus: the signals of NAME that RULE names'
complete -c sandbox -n $o -l app-id -d "The application's id, a D-Bus name"
# Named sandboxes
complete -c sandbox -n $o -l name -r -d 'Name this sandbox'
complete -c sandbox -n $o -l list -d 'List your running sandboxes'
complete -c sandbox -n $o -l json -d 'With --list: as JSON'
complete -c sandbox -n $o -l stop -x -a '(sandbox --list 2>/dev/null | awk "NR > 1 { print \$1 }")' -d 'Stop a running sandbox'
complete -c sandbox -n $o -l grace -x -d 'With --stop: the grace period (default 10s)'
complete -c sandbox -n $o -l enter -x -a '(sandbox --list 2>/dev/null | awk "NR > 1 { print \$1 }")' -d 'Run COMMAND in a running sandbox'
complete -c sandbox -n $o -l tty -x -a 'auto always never' -d 'A terminal of the sandbox\'s own, relayed to yours'
# Resource limits
complete -c sandbox -n $o -l rlimit -d 'Set a resource limit of COMMAND: NAME=SOFT[:HARD]'
complete -c sandbox -n $o -l timeout -d 'SIGTERM after DURATION, exit status 124'
complete -c sandbox -n $o -l kill-after -d 'SIGKILL after DURATION more (default 10s)'
complete -c sandbox -n $o -l stats -d 'Print wall, CPU time and peak memory at exit'
complete -c sandbox -n $o -l memory -d 'cgroup v2 memory.max (k, M, G)'
complete -c sandbox -n $o -l memory-swap -d 'cgroup v2 memory.swap.max (0: no swap)'
complete -c sandbox -n $o -l pids -d 'cgroup v2 pids.max'
complete -c sandbox -n $o -l cpus -d 'cgroup v2 cpu.max, in CPUs (0.5)'
complete -c sandbox -n $o -l cpu-weight -d 'cgroup v2 cpu.weight (1-10000)'
complete -c sandbox -n $o -l cpuset -d 'cgroup v2 cpuset.cpus (0-3,6)'
complete -c sandbox -n $o -l io-weight -d 'cgroup v2 io.weight (1-10000)'
# Other
complete -c sandbox -n $o -s v -l verbose -d 'Print each setup step and its duration'
complete -c sandbox -n $o -s h -l help -d 'Print the help and exit'
complete -c sandbox -n $o -l version -d 'Print the version and exit'

# The command, in place of an option.
complete -c sandbox -n $o -a '(__fish_complete_command)'

# Option arguments.
complete -c sandbox -n __sandbox_at_dir_arg \
    -a '(__fish_complete_directories (commandline -ct))'
complete -c sandbox -n '__sandbox_at_arg --overlay-driver' -a '(__sandbox_overlay_drivers)'
complete -c sandbox -n '__sandbox_at_arg --net' -a '(__sandbox_net_modes)'
complete -c sandbox -n '__sandbox_at_arg --home' -a '(__sandbox_home_modes)'
complete -c sandbox -n '__sandbox_at_arg --cap-add --cap-drop' -a '(__sandbox_caps)'
complete -c sandbox -n '__sandbox_at_arg --seccomp-policy' -a 'default none' -d 'Policy'
complete -c sandbox -n '__sandbox_at_arg --seccomp-policy' -a '(__fish_complete_path (commandline -ct))'
complete -c sandbox -n '__sandbox_at_arg -n 1 --setenv' -a '(set -n -x)' -d 'Exported variable'
complete -c sandbox -n '__sandbox_at_arg --unsetenv' -a '(set -n -x)' -d 'Exported variable'
complete -c sandbox -n '__sandbox_at_arg --rlimit' -a '(__sandbox_rlimits)'
# --uid, --gid, --uid-map, --gid-map, --hostname, --argv0, the --setenv
# VALUE, the file descriptors (FD), modes (OCTAL), sizes and SELinux labels
# take a number or a name: nothing is offered.

# The command's own arguments.
complete -c sandbox -n __sandbox_at_cmd -a '(__sandbox_complete_cmd)'
