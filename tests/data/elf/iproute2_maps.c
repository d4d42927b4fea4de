// iproute2's legacy map layout, struct bpf_elf_map: nine u32 fields (36-byte records).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_elf_map {
  __u32 type;
  __u32 size_key;
  __u32 size_value;
  __u32 max_elem;
  __u32 flags;
  __u32 id;
  __u32 pinning;
  __u32 inner_id;
  __u32 inner_idx;
};

struct bpf_elf_map acc_map SEC("maps") = {
    .type = BPF_MAP_TYPE_PERCPU_ARRAY, .size_key = 4, .size_value = 8, .max_elem = 2, .pinning = 2,
};

SEC("classifier")
int account(struct __sk_buff *skb) {
  __u32 key = skb->protocol == 8 ? 0 : 1;
  __u64 *v = bpf_map_lookup_elem(&acc_map, &key);
  if (v) *v += skb->len;
  return 0;
}

char __license[] SEC("license") = "GPL";
