/* keyring: the kernel keyrings are not namespaced; add a key to our
 * process keyring and look up the session keyring. */
#include "probe.h"
#include <sys/syscall.h>

#define KEY_SPEC_SESSION_KEYRING -3
#define KEY_SPEC_PROCESS_KEYRING -2
#define KEYCTL_GET_KEYRING_ID 0

int main(void)
{
	long k = syscall(SYS_add_key, "user", "sandbox-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING);
	int e_add = errno;
	long s = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	int e_ctl = errno;
	long q = syscall(SYS_request_key, "user", "sandbox-probe", NULL, 0);
	int e_req = errno;

	if (k >= 0 || s >= 0 || q >= 0)
		OPEN("add_key: %s, keyctl: %s, request_key: %s", k >= 0 ? "a key" : ename(e_add),
		     s >= 0 ? "the session keyring" : ename(e_ctl), q >= 0 ? "found" : ename(e_req));
	if (e_add == EPERM && e_ctl == EPERM && e_req == EPERM)
		BLOCKED("add_key, keyctl and request_key: EPERM");
	OPEN("reached the kernel: add_key %s, keyctl %s, request_key %s", ename(e_add),
	     ename(e_ctl), ename(e_req));
}
