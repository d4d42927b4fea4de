// EXPECT: rejected
// CODE: READ_ONLY_MEMORY
// INSN: 3
// KERNEL: write into map forbidden, value_size=4 off=0 size=4
// A `const volatile` configuration knob (in .rodata, frozen at load time) is updated
// from the program through a cast: the map behind .rodata is read-only to programs.
#include "corpus_common.h"

const volatile __u32 packets_seen_cfg = 0;

SEC("xdp")
int xdp_write_rodata(struct xdp_md *ctx)
{
	*(volatile __u32 *)&packets_seen_cfg = ctx->rx_queue_index; /* BUG */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
