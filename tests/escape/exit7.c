/* exit7: a program that makes no system call but exit_group(7), without
 * a C library.  Under a policy that kills on anything but execve and
 * exit_group, it exits 7 only if the sandbox itself did nothing after
 * loading the filter but execve it. */
#if defined(__x86_64__)
__asm__(".globl _start\n_start:\n\tmov $231, %eax\n\tmov $7, %edi\n\tsyscall\n\thlt\n");
#elif defined(__i386__)
__asm__(".globl _start\n_start:\n\tmov $252, %eax\n\tmov $7, %ebx\n\tint $0x80\n\thlt\n");
#elif defined(__aarch64__)
__asm__(".globl _start\n_start:\n\tmov x8, #94\n\tmov x0, #7\n\tsvc #0\n");
#else
#error "exit7: no _start for this architecture"
#endif
