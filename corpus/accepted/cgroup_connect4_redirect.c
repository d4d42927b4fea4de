// EXPECT: accepted
// Transparent service redirection at connect(): a cgroup/connect4 program looks the
// destination up in a service table and rewrites user_ip4/user_port to a backend,
// binding the socket to the backend's source address first; sendmsg4 does the same
// for UDP.
#include "corpus_common.h"

struct backend {
	__u32 ip4;   /* network byte order */
	__u16 port;  /* network byte order */
	__u16 pad;
	__u32 src_ip4;
};

struct svc_key {
	__u32 ip4;
	__u32 port;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct svc_key);
	__type(value, struct backend);
} services SEC(".maps");

struct sockaddr_in4 {
	__u16 sin_family;
	__u16 sin_port;
	__u32 sin_addr;
	__u8 zero[8];
};

SEC("cgroup/connect4")
int connect4_redirect(struct bpf_sock_addr *ctx)
{
	struct svc_key key = {.ip4 = ctx->user_ip4, .port = ctx->user_port};
	struct backend *b;

	if (ctx->type != 1 /* SOCK_STREAM */)
		return 1;
	b = bpf_map_lookup_elem(&services, &key);
	if (!b)
		return 1;
	if (b->src_ip4) {
		struct sockaddr_in4 sa = {.sin_family = 2, .sin_addr = b->src_ip4};
		if (bpf_bind(ctx, (struct sockaddr *)&sa, sizeof(sa)) != 0)
			return 0; /* refuse the connection */
	}
	ctx->user_ip4 = b->ip4;
	ctx->user_port = b->port;
	return 1;
}

SEC("cgroup/sendmsg4")
int sendmsg4_redirect(struct bpf_sock_addr *ctx)
{
	struct svc_key key = {.ip4 = ctx->user_ip4, .port = ctx->user_port};
	struct backend *b = bpf_map_lookup_elem(&services, &key);

	if (b) {
		ctx->user_ip4 = b->ip4;
		ctx->user_port = b->port;
		if (b->src_ip4)
			ctx->msg_src_ip4 = b->src_ip4;
	}
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
