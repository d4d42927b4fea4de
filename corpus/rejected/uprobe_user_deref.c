// EXPECT: rejected
// CODE: INVALID_MEM_ACCESS
// INSN: 2
// KERNEL: R1 invalid mem access 'scalar'
// A uprobe on getaddrinfo(node, ...) reads the first character of the host name
// straight from the user pointer instead of through bpf_probe_read_user.
#include "corpus_common.h"

__u64 numeric_lookups;

SEC("uprobe//lib/x86_64-linux-gnu/libc.so.6:getaddrinfo")
int BPF_KPROBE(uprobe_user_deref, const char *node)
{
	if (node && node[0] >= '0' && node[0] <= '9') /* BUG: user memory */
		numeric_lookups++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
