# sandbox - rootless Linux sandbox
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
DESTDIR    ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config

WARN    = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
          -Wmissing-prototypes -Wno-unused-parameter
HARDEN  = -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fPIE
CFLAGS  ?= -O2 -g
# libnftables: its header only; net.c loads the library with dlopen when
# a sandbox has a network helper, so other sandboxes do not pay for it.
ALL_CFLAGS  = -std=gnu11 $(WARN) $(HARDEN) $(CFLAGS) \
              $(shell $(PKG_CONFIG) --cflags libcap libseccomp libnftables)
ALL_LDFLAGS = -pie -Wl,-z,relro -Wl,-z,now $(LDFLAGS)
LIBS        = $(shell $(PKG_CONFIG) --libs libcap libseccomp)

SRCS = src/main.c src/cli.c src/idmap.c src/launch.c src/mounts.c src/overlay.c src/net.c \
       src/caps.c src/init.c src/log.c src/util.c
OBJS = $(SRCS:.c=.o)
LIB_OBJS = $(filter-out src/main.o,$(OBJS))
HDRS = src/sandbox.h src/spec.h src/usage.h

UNIT_SRCS = tests/unit/unit-tests.c

.PHONY: all clean check demo install uninstall deps

all: sandbox

# Fail early, with the apt-get line, when the libraries are missing.
deps:
	@$(PKG_CONFIG) --exists libcap libseccomp libnftables || { \
	  echo "sandbox: libcap, libseccomp or libnftables development files are missing:" >&2; \
	  echo "  apt-get install build-essential pkg-config libcap-dev libseccomp-dev libnftables-dev" >&2; \
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

install: sandbox
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)/sandbox $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(DATADIR)/bash-completion/completions \
	  $(DESTDIR)$(DATADIR)/zsh/vendor-completions \
	  $(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	install -m 0755 sandbox $(DESTDIR)$(BINDIR)/sandbox
	ln -sf $(BINDIR)/sandbox $(DESTDIR)$(LIBEXECDIR)/sandbox/bwrap
	install -m 0644 man/sandbox.1 $(DESTDIR)$(MANDIR)/man1/sandbox.1
	install -m 0644 completions/sandbox.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/sandbox
	install -m 0644 completions/_sandbox $(DESTDIR)$(DATADIR)/zsh/vendor-completions/_sandbox
	install -m 0644 completions/sandbox.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/sandbox.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sandbox $(DESTDIR)$(LIBEXECDIR)/sandbox/bwrap \
	  $(DESTDIR)$(MANDIR)/man1/sandbox.1 \
	  $(DESTDIR)$(DATADIR)/bash-completion/completions/sandbox \
	  $(DESTDIR)$(DATADIR)/zsh/vendor-completions/_sandbox \
	  $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/sandbox.fish
	-rmdir $(DESTDIR)$(LIBEXECDIR)/sandbox 2>/dev/null

clean:
	rm -f sandbox $(OBJS) tests/unit/unit-tests
