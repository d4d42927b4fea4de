// EXPECT: accepted
// Global variables in all three sections: a .rodata configuration (set by the loader
// before load), a .data counter with an initial value and .bss statistics.  Frames
// larger than the configured MTU are dropped while sampling mode is on.
#include "corpus_common.h"

volatile const __u32 max_frame = 1514;     /* .rodata */
volatile const __u8 sampling = 1;          /* .rodata */
__u64 sample_every = 100;                  /* .data */
__u64 seen;                                /* .bss */
__u64 dropped;                             /* .bss */

SEC("xdp")
int xdp_global_vars(struct xdp_md *ctx)
{
	__u64 len = ctx->data_end - ctx->data;
	__u64 n = __sync_fetch_and_add(&seen, 1);

	if (sampling && sample_every && n % sample_every != 0)
		return XDP_PASS;
	if (len > max_frame) {
		__sync_fetch_and_add(&dropped, 1);
		return XDP_DROP;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
