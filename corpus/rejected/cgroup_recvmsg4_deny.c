// EXPECT: rejected
// CODE: INVALID_RETURN_VALUE
// INSN: 14
// KERNEL: At program exit the register R0 has smin=0 smax=0 should have been in [1, 1]
// A UDP recvmsg4 hook that restores the original service address of replies tries to
// drop replies from unknown backends by returning 0; recvmsg hooks cannot deny and must
// return 1.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} backend_to_service SEC(".maps");

SEC("cgroup/recvmsg4")
int recvmsg4_restore(struct bpf_sock_addr *ctx)
{
	__u32 backend = ctx->user_ip4;
	__u32 *service = bpf_map_lookup_elem(&backend_to_service, &backend);

	if (!service)
		return 0; /* BUG: recvmsg hooks must return 1 */
	ctx->user_ip4 = *service;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
