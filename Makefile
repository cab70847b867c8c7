# sandbox - rootless Linux sandbox
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
# Where each shell looks for completions. The zsh default is Debian's;
# Fedora and Arch use $(DATADIR)/zsh/site-functions (their recipes say so).
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATADIR)/zsh/vendor-completions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d
DESTDIR    ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config

WARN    = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
          -Wmissing-prototypes -Wno-unused-parameter
# Distribution build flags (rpm's %optflags, makepkg.conf) may define their
# own _FORTIFY_SOURCE; a second, different definition is an error under
# -Werror, so when CFLAGS names one, it is the one used.
FORTIFY = $(if $(findstring _FORTIFY_SOURCE,$(CFLAGS)),,-D_FORTIFY_SOURCE=3)
HARDEN  = $(FORTIFY) -fstack-protector-strong -fPIE
CFLAGS  ?= -O2 -g
ALL_CFLAGS  = -std=gnu11 $(WARN) $(HARDEN) $(CFLAGS) \
              $(shell $(PKG_CONFIG) --cflags libcap libseccomp)
ALL_LDFLAGS = -pie -Wl,-z,relro -Wl,-z,now $(LDFLAGS)
# libseccomp's headers only: it is loaded at run time, where a policy is
# compiled (src/seccomp.c); the built-in policy is compiled at build time.
LIBS        = $(shell $(PKG_CONFIG) --libs libcap)

# every src/*.c but the build-time generator of the default seccomp filter
SRCS = $(sort $(filter-out src/gen-seccomp-default.c,$(wildcard src/*.c)))
OBJS = $(SRCS:.c=.o)
LIB_OBJS = $(filter-out src/main.o,$(OBJS))
HDRS = $(wildcard src/*.h)

UNIT_SRCS = tests/unit/unit-tests.c tests/unit/profile-tests.c

# The escape probes (tests/escape-tests.sh): small static programs run
# inside the sandbox; denylist32 is the 32-bit build of denylist, made
# where the compiler can (gcc-multilib on x86_64), and mkbpf a host tool.
PROBE_NAMES  = tiocsti keyring perf ptrace mount chroot fds abstract procsys userns denylist llabi
PROBES       = $(addprefix tests/escape/bin/,$(PROBE_NAMES))
PROBE_CFLAGS = -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -static

.PHONY: all clean check check-vm bench-limits demo install uninstall deps dist deb rpm probes fuzz fuzz-build

all: sandbox

# Fail early, with the apt-get line, when the libraries are missing.
deps:
	@$(PKG_CONFIG) --exists libcap libseccomp || { \
	  echo "sandbox: libcap or libseccomp development files are missing:" >&2; \
	  echo "  apt-get install build-essential pkg-config libcap-dev libseccomp-dev" >&2; \
	  exit 1; }

src/%.o: src/%.c $(HDRS) | deps
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The built-in seccomp policy is compiled here, once, by a tool built from
# the same sources (seccomp.c without the prebuilt table), so the setup
# process only copies it.
build/seccomp-gen.o: src/seccomp.c $(HDRS) | deps
	@mkdir -p build
	$(CC) $(ALL_CFLAGS) -DSECCOMP_NO_PREBUILT -c -o $@ $<

build/gen-seccomp-default: src/gen-seccomp-default.c build/seccomp-gen.o \
		$(filter-out src/seccomp.o,$(LIB_OBJS))
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

build/seccomp-default.h: build/gen-seccomp-default
	./build/gen-seccomp-default >$@.tmp && mv $@.tmp $@

# The shipped profiles are found in $(DATADIR)/sandbox/profiles; the
# directory is compiled in, so build with the PREFIX (or DATADIR) you
# install with.
src/profile.o: ALL_CFLAGS += -DSANDBOX_DATADIR='"$(DATADIR)"'
src/profile.o: build/datadir.stamp

# Rewritten only when DATADIR changes, so that `make install PREFIX=/usr`
# after a plain `make` rebuilds profile.o with the right directory.
build/datadir.stamp: FORCE
	@mkdir -p build
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@

.PHONY: FORCE
FORCE:

src/seccomp.o: build/seccomp-default.h
src/seccomp.o: ALL_CFLAGS += -Ibuild

sandbox: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(OBJS) $(LIBS)

tests/unit/unit-tests: $(UNIT_SRCS) tests/unit/unit.h $(LIB_OBJS) $(HDRS)
	$(CC) $(ALL_CFLAGS) -Isrc $(ALL_LDFLAGS) -o $@ $(UNIT_SRCS) $(LIB_OBJS) $(LIBS)

probes: $(PROBES) tests/escape/bin/exit7 tests/escape/bin/mkbpf tests/escape/bin/denylist32

tests/escape/bin/%: tests/escape/%.c tests/escape/probe.h
	@mkdir -p tests/escape/bin
	$(CC) $(PROBE_CFLAGS) -o $@ $<

tests/escape/bin/exit7: tests/escape/exit7.c
	@mkdir -p tests/escape/bin
	$(CC) -nostdlib -static -o $@ $<

tests/escape/bin/denylist32: tests/escape/denylist.c tests/escape/probe.h
	@mkdir -p tests/escape/bin
	@if echo 'int main(void){return 0;}' | $(CC) -m32 -static -x c -o /dev/null - 2>/dev/null; then \
	  echo "$(CC) -m32 $(PROBE_CFLAGS) -o $@ $<"; \
	  $(CC) -m32 $(PROBE_CFLAGS) -o $@ $<; \
	else \
	  echo "note: $(CC) cannot build 32-bit static programs (apt-get install gcc-multilib): no $@"; \
	fi

tests/escape/bin/mkbpf: tests/escape/mkbpf.c | deps
	@mkdir -p tests/escape/bin
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $< $$($(PKG_CONFIG) --cflags --libs libseccomp)

# Fuzzing (libFuzzer, Debian's clang): every tests/fuzz/fuzz-NAME.c is a
# harness, built with ASan and UBSan against the sources and run for
# FUZZ_SECONDS each (tests/fuzz/run.sh).  Not part of `make check`.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR      = build/fuzz
FUZZ_CFLAGS   = -std=gnu11 $(WARN) -g -O1 -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -DSECCOMP_NO_PREBUILT \
                $(shell $(PKG_CONFIG) --cflags libcap libseccomp)
FUZZ_HARNESSES = $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_OBJS      = $(patsubst src/%.c,$(FUZZ_DIR)/obj/%.o,$(filter-out src/main.c,$(SRCS)))

$(FUZZ_DIR)/obj/%.o: src/%.c $(HDRS) | deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Isrc -o $@ $< $(FUZZ_OBJS) $(LIBS)

.SECONDARY: $(FUZZ_OBJS)

fuzz-build: $(FUZZ_HARNESSES)

fuzz: fuzz-build
	bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

# `make check` and `make demo` install what is missing when run as root
# (tests/setup-host.sh), or print the apt-get line to run.
check:
	@if [ "$$(id -u)" = 0 ]; then bash tests/setup-host.sh; fi
	$(MAKE) sandbox tests/unit/unit-tests probes
	bash tests/check.sh

# The suites on Debian's stock kernels (6.1, 6.12) under qemu: tests/vm/.
# Kernels and initramfs are cached in build/vm.
check-vm:
	@if [ "$$(id -u)" = 0 ]; then bash tests/setup-host.sh; fi
	$(MAKE) sandbox probes
	bash tests/vm/check-vm.sh

# What the cgroup limits add to start-up (bench/limits.sh): where this
# machine has no cgroup v2 with a systemd user manager, it boots the
# systemd VM of tests/vm and runs there.
bench-limits:
	$(MAKE) sandbox
	bash bench/limits.sh

demo:
	@if [ "$$(id -u)" = 0 ]; then bash tests/setup-host.sh; fi
	$(MAKE) sandbox
	bash tests/demo.sh

# The bwrap personality is a symbolic link alone in $(LIBEXECDIR)/sandbox,
# out of PATH, so that it never shadows bubblewrap's /usr/bin/bwrap.
# The link is relative (../../bin/sandbox for the usual
# layout): it then resolves inside a DESTDIR staging tree as well as once
# installed, and Debian policy wants links within /usr relative.
BWRAP_LINK = $(DESTDIR)$(LIBEXECDIR)/sandbox/bwrap
# The shipped profiles (profiles/), in $(DATADIR)/sandbox/profiles.
PROFILES    = $(sort $(wildcard profiles/*.profile profiles/*.inc))
PROFILEDIR  = $(DESTDIR)$(DATADIR)/sandbox/profiles
BWRAP_TARGET = $$(realpath -m -s --relative-to='$(LIBEXECDIR)/sandbox' '$(BINDIR)/sandbox')

install: sandbox
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(LIBEXECDIR)/sandbox' \
	  '$(DESTDIR)$(MANDIR)/man1' '$(DESTDIR)$(BASHCOMPDIR)' \
	  '$(DESTDIR)$(ZSHCOMPDIR)' '$(DESTDIR)$(FISHCOMPDIR)'
	install -m 0755 sandbox '$(DESTDIR)$(BINDIR)/sandbox'
	ln -sfn "$(BWRAP_TARGET)" '$(BWRAP_LINK)'
	install -m 0644 man/sandbox.1 '$(DESTDIR)$(MANDIR)/man1/sandbox.1'
	install -m 0644 completions/sandbox.bash '$(DESTDIR)$(BASHCOMPDIR)/sandbox'
	install -m 0644 completions/_sandbox '$(DESTDIR)$(ZSHCOMPDIR)/_sandbox'
	install -m 0644 completions/sandbox.fish '$(DESTDIR)$(FISHCOMPDIR)/sandbox.fish'
	install -d '$(PROFILEDIR)'
	install -m 0644 $(PROFILES) '$(PROFILEDIR)/'

# Removes what install added: the six files and links, the profiles, and
# the directories $(LIBEXECDIR)/sandbox and $(DATADIR)/sandbox, which are
# ours (left alone if something else was put in them). Shared directories
# such as $(BINDIR) stay.
uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/sandbox' '$(BWRAP_LINK)' \
	  '$(DESTDIR)$(MANDIR)/man1/sandbox.1' '$(DESTDIR)$(BASHCOMPDIR)/sandbox' \
	  '$(DESTDIR)$(ZSHCOMPDIR)/_sandbox' '$(DESTDIR)$(FISHCOMPDIR)/sandbox.fish'
	rm -f $(patsubst profiles/%,'$(PROFILEDIR)/%',$(PROFILES))
	for d in '$(DESTDIR)$(LIBEXECDIR)/sandbox' '$(PROFILEDIR)' '$(DESTDIR)$(DATADIR)/sandbox'; do \
	  if [ -d "$$d" ]; then \
	    rmdir "$$d" 2>/dev/null || echo "uninstall: $$d is not empty; left in place" >&2; \
	  fi; \
	done

# Release artefacts in dist/, built from a copy of the tree (the recipes
# are in packaging/; see packaging/build.sh).
dist deb rpm:
	bash packaging/build.sh $@

clean:
	rm -f sandbox $(OBJS) tests/unit/unit-tests
	rm -rf tests/escape/bin build
