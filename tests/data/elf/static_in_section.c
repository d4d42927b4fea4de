// A static function placed in the program's own section (not .text): a subprogram
// reached by a same-section call.  libbpf 1.x refuses such objects; bpfvet links them.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) __attribute__((section("xdp"))) int pick(int x) {
  return x > 3 ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int entry(struct xdp_md *ctx) {
  return pick(ctx->ingress_ifindex);
}

char _license[] SEC("license") = "GPL";
