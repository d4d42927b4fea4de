// EXPECT: rejected
// CODE: INVALID_MEM_ACCESS
// INSN: 10
// KERNEL: R6 invalid mem access 'scalar'
// An sk_msg program checks msg->data against data_end, then calls bpf_msg_pull_data
// and keeps using the old pointer: the pull may move the data, so the kernel forgets
// every packet pointer across the call.
#include "corpus_common.h"

SEC("sk_msg")
int msg_stale_data(struct sk_msg_md *msg)
{
	void *data = msg->data;
	void *data_end = msg->data_end;
	__u8 tag;

	if (data + 8 > data_end)
		return SK_PASS;
	bpf_msg_pull_data(msg, 0, 16, 0);
	tag = *(__u8 *)data; /* BUG: data is stale after the pull */
	return tag == 1 ? SK_DROP : SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
