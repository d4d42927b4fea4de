// EXPECT: rejected
// CODE: JUMP_SEQUENCE_TOO_COMPLEX
// INSN: 18
// KERNEL: The sequence of 8193 jumps is too complex.
// A checksum over a whole jumbo frame, one byte per iteration with a bounds check and a
// data-dependent branch each time: every iteration leaves pending branches behind, and
// after 8192 of them the verifier gives up.
#include "corpus_common.h"

SEC("xdp")
int xdp_loop_too_complex(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *data_end = (void *)(long)ctx->data_end;
	__u32 sum = 0;
	int i;

#pragma clang loop unroll(disable)
	for (i = 0; i < 9000; i++) {
		if (data + i + 1 > data_end)
			break;
		if (data[i] & 1)
			sum += data[i] << 8;
		else
			sum ^= data[i];
	}
	return sum == 0xffff ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
