// EXPECT: accepted
// LSM exec guard: bprm_check_security refuses exec for a configured uid (e.g. a service
// account that must never spawn programs) unless the previous hook already decided.
#include "corpus_common.h"

volatile const __u32 blocked_uid = 65534;

SEC("lsm/bprm_check_security")
int BPF_PROG(lsm_bprm_check, void *bprm, int ret)
{
	__u32 uid = (__u32)bpf_get_current_uid_gid();

	if (ret != 0)
		return ret;
	if (uid == blocked_uid)
		return -EPERM;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
