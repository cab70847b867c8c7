# bash completion for sandbox(1)                           -*- shell-script -*-
#
# Install as /usr/share/bash-completion/completions/sandbox (make install
# does).  Every option of `sandbox --help` is listed here; tests/docs-tests.sh
# checks that none is missing.

# Options that take no argument.  --overlay is one of them, except right
# after --overlay-src, where it is bwrap's --overlay RWSRC WORKDIR DEST.
_sandbox_flags='--overlay --read-only --rootfs-rw --subids --no-subids
--share-net --share-ipc --share-pid --share-uts --share-cgroup --unshare-time
--unshare-all --unshare-user --unshare-user-try --unshare-ipc --unshare-pid
--unshare-net --unshare-uts --unshare-cgroup --unshare-cgroup-try
--disable-userns --assert-userns-disabled --not-a-security-boundary
--allow-userns --no-default-hide --print-hides
--allow-host-loopback
--clearenv --as-pid-1 --new-session --die-with-parent --landlock
--level-prefix --stats
--x11 --wayland --fallback-x11 --pulseaudio --pipewire
--gpu --dev-input --dev-video --dev-snd --desktop --list-profiles
--allow-dangerous --dbus-user --dbus-system --list --json
-v --verbose -h --help --version'

# Options that take one argument.
_sandbox_opts1='--rootfs --overlay-dir --overlay-driver
--rw --ro --tmpfs --proc --dev --mqueue --dir --remount-ro --perms --size
--overlay-src --tmp-overlay --ro-overlay --hide --home
--uid --gid --uid-map --gid-map --hostname --userns --userns2 --pidns
--net -p --publish --net-allow --dns
--chdir --unsetenv --argv0 --keep-fd --cap-add --cap-drop
--args --info-fd --json-status-fd --sync-fd --block-fd --userns-block-fd
--lock-file --seccomp --add-seccomp-fd --exec-label --file-label --seccomp-policy
--rlimit --timeout --kill-after --memory --memory-swap --pids --cpus
--cpu-weight --cpuset --io-weight --name --stop --grace --enter --tty
--profile --profile-show --share
--dbus-see --dbus-talk --dbus-own --dbus-call --dbus-broadcast --dbus-system-see
--dbus-system-talk --dbus-system-own --dbus-system-call --dbus-system-broadcast
--app-id'

# Options that take two arguments.
_sandbox_opts2='--bind --bind-try --ro-bind --ro-bind-try --dev-bind
--dev-bind-try --bind-fd --ro-bind-fd --file --bind-data --ro-bind-data
--symlink --chmod --setenv'

# Capability names as capabilities(7) and `capsh --supported` spell them
# (Linux 5.9 and later: 0 to 40), and ALL.
_sandbox_caps='ALL CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER
CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE
CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW
CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT
CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE
CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE
CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE
CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ
CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE'

# How many arguments option $1 takes, when the option before it was $2:
# prints 0, 1, 2 or 3.
_sandbox_nargs()
{
    local o
    if [[ $1 == --overlay && $2 == --overlay-src ]]; then
        echo 3
        return
    fi
    for o in $_sandbox_opts2; do
        [[ $1 == "$o" ]] && { echo 2; return; }
    done
    for o in $_sandbox_opts1; do
        [[ $1 == "$o" ]] && { echo 1; return; }
    done
    echo 0
}

_sandbox()
{
    # prev is set by _init_completion; local keeps it out of the shell.
    # shellcheck disable=SC2034
    local cur prev words cword
    # Keep IN:OUT:COUNT and VAR=VALUE words whole.
    _init_completion -n =: || return

    # Walk the words before the cursor: skip each option with its
    # arguments; `--` or the first other word starts the command.
    local i=1 n opt='' argi=0 last=''
    while ((i < cword)); do
        case ${words[i]} in
            --)
                _command_offset $((i + 1))
                return
                ;;
            -*)
                n=$(_sandbox_nargs "${words[i]}" "$last")
                if ((i + n >= cword)); then
                    # The cursor is on argument number cword-i of this option.
                    opt=${words[i]}
                    argi=$((cword - i))
                    break
                fi
                last=${words[i]}
                ((i += n + 1))
                ;;
            *)
                _command_offset "$i"
                return
                ;;
        esac
    done

    if [[ -n $opt ]]; then
        case $opt in
            --rootfs | --overlay-dir | --chdir | --tmpfs | --proc | --dev | --mqueue | \
                --dir | --remount-ro | --overlay-src | --tmp-overlay | --ro-overlay | \
                --overlay)
                # --overlay here is RWSRC WORKDIR DEST: three directories.
                _filedir -d
                ;;
            --profile | --profile-show)
                # a profile's name, or a file
                _filedir
                mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W \
                    "$(sandbox --list-profiles 2>/dev/null | awk '{ print $1 }')" -- "$cur")
                ;;
            --share)
                # a path, or an XDG user directory; then :ro, :rw or :create
                _filedir
                mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W 'xdg-download
                    xdg-documents xdg-pictures xdg-music xdg-videos xdg-desktop
                    xdg-templates xdg-public-share' -- "$cur")
                ;;
            --overlay-driver)
                mapfile -t COMPREPLY < <(compgen -W 'auto kernel fuse' -- "$cur")
                ;;
            --stop | --enter)
                mapfile -t COMPREPLY < <(compgen -W "$(sandbox --list 2>/dev/null |
                    awk 'NR > 1 { print $1 }')" -- "$cur")
                ;;
            --tty)
                mapfile -t COMPREPLY < <(compgen -W 'auto always never' -- "$cur")
                ;;
            --net)
                mapfile -t COMPREPLY < <(compgen -W 'none host pasta slirp4netns auto' -- "$cur")
                ;;
            --seccomp-policy)
                _filedir
                COMPREPLY+=($(compgen -W 'default none' -- "$cur"))
                ;;
            --bind | --bind-try | --ro-bind | --ro-bind-try | --dev-bind | \
                --dev-bind-try | --rw | --ro | --symlink | --lock-file | --hide)
                _filedir
                ;;
            --home)
                if [[ $cur == persist:* ]]; then
                    # persist:DIR: directories after the prefix
                    local p=${cur#persist:}
                    mapfile -t COMPREPLY < <(compgen -d -P persist: -- "$p")
                    # bash splits the word at the colon: offer what follows it
                    __ltrim_colon_completions "$cur"
                else
                    mapfile -t COMPREPLY < <(compgen -W 'ro tmpfs persist persist: none' -- "$cur")
                    [[ ${COMPREPLY[0]} == persist: ]] && compopt -o nospace
                fi
                ;;
            --bind-fd | --ro-bind-fd)
                # FD, then the directory inside.
                if ((argi == 2)); then
                    _filedir -d
                fi
                ;;
            --file | --bind-data | --ro-bind-data | --chmod)
                # FD or OCTAL, then the file inside.
                if ((argi == 2)); then
                    _filedir
                fi
                ;;
            --cap-add | --cap-drop)
                # Upper-case what was typed so cap_sys_ad finds CAP_SYS_ADMIN.
                mapfile -t COMPREPLY < <(compgen -W "$_sandbox_caps" -- "${cur^^}")
                ;;
            --setenv)
                if ((argi == 1)); then
                    mapfile -t COMPREPLY < <(compgen -e -- "$cur")
                fi
                ;;
            --unsetenv)
                mapfile -t COMPREPLY < <(compgen -e -- "$cur")
                ;;
            --rlimit)
                # NAME=, then the value: nothing to offer
                if [[ $cur != *=* ]]; then
                    mapfile -t COMPREPLY < <(compgen -S = -W 'as core cpu data fsize locks
                        memlock msgqueue nice nofile nproc rss rtprio rttime sigpending
                        stack' -- "$cur")
                    compopt -o nospace
                fi
                ;;
            *)
                # Numbers, file descriptors, modes, sizes, maps, names,
                # labels, ports, addresses: nothing to offer.
                ;;
        esac
        return
    fi

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$_sandbox_flags $_sandbox_opts1 $_sandbox_opts2 --" -- "$cur")
        return
    fi

    # The word under the cursor is the command.
    _command_offset "$cword"
} &&
    complete -F _sandbox sandbox

# ex: filetype=sh
