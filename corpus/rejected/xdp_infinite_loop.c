// EXPECT: rejected
// CODE: INFINITE_LOOP
// INSN: 3
// KERNEL: infinite loop detected at insn 3
// A retry loop whose exit condition can never become true: `tries` is reset inside the
// loop body by a misplaced statement, so the verifier sees the same state again.
#include "corpus_common.h"

SEC("xdp")
int xdp_infinite_loop(struct xdp_md *ctx)
{
	volatile int stop = 0;
	int tries = 0;

	while (tries < 10) {
		if (stop)
			break;
		tries = 0; /* BUG: meant tries++ */
		barrier_var(tries);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
