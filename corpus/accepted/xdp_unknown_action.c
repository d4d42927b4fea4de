// EXPECT: accepted
// An XDP program returns an action code that does not exist (7): a typo'd enum value
// from a hand-maintained constant table.  The verifier does not range-check XDP return
// values (the driver warns and drops at run time), so the kernel accepts it.
#include "corpus_common.h"

#define ACTION_BLOCK 7 /* BUG: there is no XDP action 7 */

SEC("xdp")
int xdp_unknown_action(struct xdp_md *ctx)
{
	if (ctx->ingress_ifindex == 1)
		return ACTION_BLOCK;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
