// Several programs in one section, static and global subprograms in .text, and two
// programs sharing a subprogram; line info is checked against this file's text.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int add_one(int x) {
  return x + 1;
}

static __attribute__((noinline)) int twice(int x) {
  return add_one(x) + add_one(x);
}

__attribute__((noinline)) int global_helper(int x) {
  return x * 3;
}

SEC("tc")
int first(struct __sk_buff *skb) {
  int v = twice(skb->len);
  return v > 100 ? 2 : 0;
}

SEC("tc")
int second(struct __sk_buff *skb) {
  int a = global_helper(skb->len);
  return a + add_one(skb->mark) > 5 ? 2 : 0;
}

SEC("xdp")
int third(struct xdp_md *ctx) {
  return global_helper(ctx->ingress_ifindex) & 1 ? XDP_PASS : XDP_DROP;
}

SEC("mystery_section")
int fourth(void *ctx) {
  return 0;
}

char _license[] SEC("license") = "GPL";
