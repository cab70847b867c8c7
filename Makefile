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
LIBS        = $(shell $(PKG_CONFIG) --libs libcap libseccomp)

SRCS = src/main.c src/cli.c src/idmap.c src/launch.c src/mounts.c src/overlay.c src/net.c \
       src/caps.c src/init.c src/log.c src/util.c
OBJS = $(SRCS:.c=.o)
LIB_OBJS = $(filter-out src/main.o,$(OBJS))
HDRS = src/sandbox.h src/spec.h src/usage.h

UNIT_SRCS = tests/unit/unit-tests.c

.PHONY: all clean check demo install uninstall deps dist deb rpm

all: sandbox

# Fail early, with the apt-get line, when the libraries are missing.
deps:
	@$(PKG_CONFIG) --exists libcap libseccomp || { \
	  echo "sandbox: libcap and libseccomp development files are missing:" >&2; \
	  echo "  apt-get install build-essential pkg-config libcap-dev libseccomp-dev" >&2; \
	  exit 1; }

src/%.o: src/%.c $(HDRS) | deps
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

sandbox: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(OBJS) $(LIBS)

tests/unit/unit-tests: $(UNIT_SRCS) $(LIB_OBJS) $(HDRS)
	$(CC) $(ALL_CFLAGS) -Isrc $(ALL_LDFLAGS) -o $@ $(UNIT_SRCS) $(LIB_OBJS) $(LIBS)

# `make check` and `make demo` install what is missing when run as root
# (tests/setup-host.sh), or print the apt-get line to run.
check:
	@if [ "$$(id -u)" = 0 ]; then bash tests/setup-host.sh; fi
	$(MAKE) sandbox tests/unit/unit-tests
	bash tests/check.sh

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

# Removes what install added: the six files and links, and the directory
# $(LIBEXECDIR)/sandbox, which is ours (left alone if something else was
# put in it). Shared directories such as $(BINDIR) stay.
uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/sandbox' '$(BWRAP_LINK)' \
	  '$(DESTDIR)$(MANDIR)/man1/sandbox.1' '$(DESTDIR)$(BASHCOMPDIR)/sandbox' \
	  '$(DESTDIR)$(ZSHCOMPDIR)/_sandbox' '$(DESTDIR)$(FISHCOMPDIR)/sandbox.fish'
	if [ -d '$(DESTDIR)$(LIBEXECDIR)/sandbox' ]; then \
	  rmdir '$(DESTDIR)$(LIBEXECDIR)/sandbox' 2>/dev/null || \
	  echo "uninstall: $(DESTDIR)$(LIBEXECDIR)/sandbox is not empty; left in place" >&2; \
	fi

# Release artefacts in dist/, built from a copy of the tree (the recipes
# are in packaging/; see packaging/build.sh).
dist deb rpm:
	bash packaging/build.sh $@

clean:
	rm -f sandbox $(OBJS) tests/unit/unit-tests
