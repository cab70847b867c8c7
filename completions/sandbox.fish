# fish completion for sandbox(1).  Install as
# /usr/share/fish/vendor_completions.d/sandbox.fish (make install does).
# Every option of `sandbox --help` is listed here; tests/docs-tests.sh checks
# that none is missing.
#
# fish knows only one argument per option, and sandbox has options with two
# (--bind SRC DEST), so the options are declared as plain flags and
# __sandbox_state works out what the word under the cursor is.

# Options that take one and two arguments.
set -g __sandbox_opts1 --rootfs --overlay-dir --overlay-driver --rw --ro --tmpfs --proc --dev --dir --remount-ro \
    --uid --gid --uid-map --gid-map --hostname --net -p --publish --net-allow --dns \
    --chdir --unsetenv --argv0 --keep-fd --cap-add --cap-drop
set -g __sandbox_opts2 --bind --bind-try --ro-bind --ro-bind-try --dev-bind \
    --dev-bind-try --symlink --setenv

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
    while test $i -le $n
        set -l t $toks[$i]
        set -l k 0
        if test "$t" = --
            printf '%s\n' cmd $toks[(math $i + 1)..-1] $cur
            return
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

function __sandbox_overlay_drivers
    printf '%s\t%s\n' auto 'Kernel overlayfs where allowed, else fuse-overlayfs' \
        kernel 'The kernel\'s overlayfs' fuse fuse-overlayfs
end

complete -c sandbox -e

# Where the state is not an argument that takes files, offer none.
complete -c sandbox -n 'not __sandbox_at_arg --bind --bind-try --ro-bind --ro-bind-try --dev-bind --dev-bind-try --rw --ro --symlink' -f

# Option names.
set -l o '__sandbox_at_opt'
# Root filesystem
complete -c sandbox -n $o -l rootfs -d 'Use DIR as / (default: the host\'s / read-only)'
complete -c sandbox -n $o -l overlay -d 'The throwaway overlay over DIR (the default)'
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
complete -c sandbox -n $o -l rw -d 'Same as --bind PATH PATH'
complete -c sandbox -n $o -l ro -d 'Same as --ro-bind PATH PATH'
complete -c sandbox -n $o -l tmpfs -d 'Mount a new tmpfs on DEST'
complete -c sandbox -n $o -l proc -d 'Mount a new procfs on DEST'
complete -c sandbox -n $o -l dev -d 'Mount a new minimal /dev on DEST'
complete -c sandbox -n $o -l dir -d 'Create directory DEST'
complete -c sandbox -n $o -l symlink -d 'Create symbolic link DEST pointing to TARGET'
complete -c sandbox -n $o -l remount-ro -d 'Make the mount at DEST (and below) read-only'
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
complete -c sandbox -n $o -l cap-drop -d 'Drop CAP again (after --cap-add ALL)'
# Other
complete -c sandbox -n $o -s v -l verbose -d 'Print each setup step and its duration'
complete -c sandbox -n $o -s h -l help -d 'Print the help and exit'
complete -c sandbox -n $o -l version -d 'Print the version and exit'

# The command, in place of an option.
complete -c sandbox -n $o -a '(__fish_complete_command)'

# Option arguments.
complete -c sandbox -n '__sandbox_at_arg --rootfs --overlay-dir --chdir --tmpfs --proc --dev --dir --remount-ro' \
    -a '(__fish_complete_directories (commandline -ct))'
complete -c sandbox -n '__sandbox_at_arg --overlay-driver' -a '(__sandbox_overlay_drivers)'
complete -c sandbox -n '__sandbox_at_arg --net' -a '(__sandbox_net_modes)'
complete -c sandbox -n '__sandbox_at_arg --cap-add --cap-drop' -a '(__sandbox_caps)'
complete -c sandbox -n '__sandbox_at_arg -n 1 --setenv' -a '(set -n -x)' -d 'Exported variable'
complete -c sandbox -n '__sandbox_at_arg --unsetenv' -a '(set -n -x)' -d 'Exported variable'
# --uid, --gid, --uid-map, --gid-map, --hostname, --argv0, --keep-fd, the
# network's ports and addresses and the --setenv VALUE take a number or a
# name: nothing is offered.

# The command's own arguments.
complete -c sandbox -n __sandbox_at_cmd -a '(__sandbox_complete_cmd)'
