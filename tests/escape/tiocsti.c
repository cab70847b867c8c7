/* tiocsti: push a character into the input of our own controlling
 * terminal (a new pty), as a payload would into the terminal sandbox was
 * started from, and check that it arrives; TIOCLINUX as well (a pty
 * answers it with EINVAL or ENOTTY, the filter with EPERM). */
#include "probe.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

int main(void)
{
	int m, s, sub = 0, r_sti, e_sti, r_lnx, e_lnx;
	char c = '#', got = 0;
	struct pollfd p;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
		ERROR("no pty: %s", strerror(errno));
	if (setsid() < 0)
		ERROR("setsid: %s", strerror(errno));
	s = open(ptsname(m), O_RDWR); /* our controlling terminal now */
	if (s < 0)
		ERROR("open %s: %s", ptsname(m), strerror(errno));
	ioctl(s, TIOCSCTTY, 0);
	{
		struct termios t; /* raw: a read needs no newline */
		if (tcgetattr(s, &t) == 0) {
			cfmakeraw(&t);
			tcsetattr(s, TCSANOW, &t);
		}
	}
	r_sti = ioctl(s, TIOCSTI, &c);
	e_sti = errno;
	r_lnx = ioctl(s, TIOCLINUX, &sub);
	e_lnx = errno;
	if (r_sti == 0) {
		p.fd = s;
		p.events = POLLIN;
		if (poll(&p, 1, 2000) == 1 && read(s, &got, 1) == 1 && got == c)
			OPEN("TIOCSTI injected '%c' into the terminal; TIOCLINUX: %s", got,
			     r_lnx == 0 ? "ok" : ename(e_lnx));
		ERROR("TIOCSTI returned 0 but nothing arrived");
	}
	if (e_sti == EIO)
		ERROR("TIOCSTI: EIO (the kernel disables it: dev.tty.legacy_tiocsti = 0)");
	if (r_lnx == 0 || e_lnx != EPERM)
		OPEN("TIOCSTI: %s, but TIOCLINUX reached the tty driver (%s)", ename(e_sti),
		     r_lnx == 0 ? "ok" : ename(e_lnx));
	BLOCKED("TIOCSTI: %s, TIOCLINUX: %s", ename(e_sti), ename(e_lnx));
}
