// EXPECT: accepted
// A program that adapts to the kernel it is loaded on: LINUX_KERNEL_VERSION (filled in
// by the loader, a constant the verifier sees) picks bpf_loop() on Linux 5.17 and
// later and a plain bounded loop before, so only one of the two branches is ever
// verified.  `bpfvet verify --kernel 5.10` must set the extern to 5.10 as well, or it
// would verify the bpf_loop branch under 5.10's rules and reject the program.
#include "corpus_common.h"

#define KVER(a, b, c) (((a) << 16) + ((b) << 8) + (c))

extern unsigned int LINUX_KERNEL_VERSION __kconfig;

__u64 total;

static long add_index(__u32 i, void *data)
{
	*(__u64 *)data += i;
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int tp_kconfig_version_gate(void *ctx)
{
	__u64 sum = 0;

	if (LINUX_KERNEL_VERSION >= KVER(5, 17, 0)) {
		bpf_loop(8, add_index, &sum, 0);
	} else {
		for (__u32 i = 0; i < 8; i++)
			sum += i;
	}
	total += sum;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
