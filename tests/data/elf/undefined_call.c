// Calls a function that is declared but defined nowhere: loading must name it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int not_defined_anywhere(int x);

SEC("xdp")
int calls_undefined(struct xdp_md *ctx) {
  return not_defined_anywhere(ctx->ingress_ifindex);
}

char _license[] SEC("license") = "GPL";
