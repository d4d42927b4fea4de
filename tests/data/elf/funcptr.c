// A callback passed to bpf_loop: a .text-relative function pointer (lddw src=4) next
// to an ordinary static call, plus a read of .rodata.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile int step = 3;

static int body(__u32 index, void *ctx) {
  __u64 *sum = ctx;
  *sum += index * step;
  return 0;
}

static __attribute__((noinline)) __u64 finish(__u64 v) {
  return v ^ 0x5a;
}

SEC("xdp")
int loop_prog(struct xdp_md *ctx) {
  __u64 sum = 0;
  bpf_loop(10, body, &sum, 0);
  return finish(sum) & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
