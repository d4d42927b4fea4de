// Legacy "maps" section in samples/bpf's struct bpf_map_def layout (five u32 fields
// plus inner_map_idx and numa_node: 28 bytes per record).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct legacy_map_def {
  unsigned int type;
  unsigned int key_size;
  unsigned int value_size;
  unsigned int max_entries;
  unsigned int map_flags;
  unsigned int inner_map_idx;
  unsigned int numa_node;
};

struct legacy_map_def counters SEC("maps") = {
    .type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8, .max_entries = 16,
};
struct legacy_map_def flows SEC("maps") = {
    .type = BPF_MAP_TYPE_HASH, .key_size = 8, .value_size = 16, .max_entries = 1024, .map_flags = 1,
};

SEC("socket")
int count_packets(struct __sk_buff *skb) {
  __u32 key = 0;
  __u64 *v = bpf_map_lookup_elem(&counters, &key);
  if (v) __sync_fetch_and_add(v, 1);
  __u64 fkey = skb->len;
  void *f = bpf_map_lookup_elem(&flows, &fkey);
  return f ? 1 : 0;
}

char _license[] SEC("license") = "GPL";
unsigned int _version SEC("version") = 0x050a00;
