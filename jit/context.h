// Mock contexts: the struct r1 points to at program entry, and the packet behind it.
//
// How it works: the context is laid out exactly as the program sees it (the UAPI
// struct: xdp_md, __sk_buff, pt_regs, bpf_perf_event_data, bpf_sock, a tracepoint
// record, raw tracepoint / LSM argument arrays) in guest memory below 4 GiB, so the
// kernel's 32-bit pointer fields (xdp_md.data, __sk_buff.data/data_end/data_meta)
// hold the real address of the packet bytes: loads from the context need no
// rewriting in the interpreter or the JITs.  The packet lives in its own block with
// 256 bytes of headroom (like XDP_PACKET_HEADROOM) and 4 KiB of tailroom, so
// bpf_xdp_adjust_head/meta/tail move the data pointers without copying.  As in the
// kernel's BPF_PROG_TEST_RUN, socket filter and cgroup_skb programs see skb->data at
// the network header (the Ethernet header is pulled), tc programs at the MAC header.
// The socket types (sock_ops, cgroup_sock_addr, sk_skb, sk_msg) default to an
// established IPv4 TCP connection 127.0.0.1:54321 -> 127.0.0.1:80 and point ctx->sk
// at a read-only bpf_sock built from those fields; sk_skb and sk_msg see --data as
// stream/message bytes from offset 0 (no Ethernet header), sk_msg through 64-bit
// data/data_end pointers.  flow_dissector sees the frame from the MAC header and
// skb->flow_keys points at a bpf_flow_keys that every run starts zeroed with n_proto
// from the frame and nhoff = thoff = 14; its data_out is those keys, clamped the way
// BPF_PROG_TEST_RUN reports them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "isa/prog_type.h"
#include "jit/engine.h"
#include "jit/memory.h"

namespace bpfvet::jit {

inline constexpr uint32_t kPacketHeadroom = 256;
inline constexpr uint32_t kPacketTailroom = 4096;

/// One named, settable context field.
struct CtxFieldSpec {
  const char* name;
  uint32_t offset;
  uint8_t size;
};

/// The packet of a packet-carrying program, as absolute addresses in its block.
struct Packet {
  uint64_t start = 0;   // first byte of the block (headroom begins here)
  uint64_t limit = 0;   // one past the last usable byte (tailroom ends here)
  uint64_t mac = 0;     // first byte of the frame as given (data_out starts here for skbs)
  uint64_t meta = 0;    // data_meta (== data when there is no metadata)
  uint64_t data = 0;    // what ctx->data holds
  uint64_t end = 0;     // ctx->data_end
  uint64_t msg_end = 0; // sk_msg: one past the message (data_end may stop short of it)
};

class MockContext {
 public:
  /// Builds the context for `in.type` from the packet, --mem buffer and --ctx fields;
  /// registers its regions.  Unknown or unsettable ctx fields are errors listing the
  /// valid names.
  static Result<std::unique_ptr<MockContext>> create(const RunInput& in, RegionTable& regions);

  /// Restores the pristine context and packet before each run: copies the context and
  /// the frame, zeroes only the headroom the last run exposed.  Restores nothing when
  /// set_unwritten(true) said no run can change them.
  void reset();
  /// Declares that the programs run on this context never write the context, packet or
  /// --mem buffer (the runtime's scan of verified code), so reset() may skip them.
  void set_unwritten(bool unwritten) { unwritten_ = unwritten; }
  bool unwritten() const { return unwritten_; }
  /// Initial r1 and r2.
  uint64_t r1() const { return r1_; }
  uint64_t r2() const { return r2_; }
  bool has_packet() const { return packet_block_ != nullptr; }
  /// False for program types without a mock context struct (r1 is 0): verified code may
  /// still load from its context, so engines must run such programs with access checks.
  bool mocked() const { return ctx_size_ > 0 || type_ == isa::ProgType::Raw; }
  bool is_skb() const { return skb_; }
  bool is_xdp() const { return type_ == isa::ProgType::Xdp; }
  bool is_msg() const { return type_ == isa::ProgType::SkMsg; }
  /// Address of the mock socket ctx->sk points to (socket program types), or 0.
  uint64_t sock_addr() const { return sock_block_ ? sock_block_->addr() : 0; }
  /// Address of the flow dissector's struct bpf_flow_keys, or 0.
  uint64_t flow_keys_addr() const { return keys_block_ ? keys_block_->addr() : 0; }
  isa::ProgType type() const { return type_; }
  Packet& packet() { return pkt_; }
  /// Writes the packet pointers and lengths back into the context struct and the
  /// region table after a helper moved them.
  void sync_packet();
  /// Packet bytes after the run, as BPF_PROG_TEST_RUN's data_out has them.
  std::vector<uint8_t> data_out() const;
  /// --mem buffer after the run (raw programs).
  std::vector<uint8_t> mem_out() const;
  uint64_t ctx_addr() const { return ctx_block_ ? ctx_block_->addr() : 0; }
  uint32_t ctx_size() const { return ctx_size_; }

 private:
  MockContext() = default;
  Status apply_fields(const CtxInput& in);
  /// Lays out the pristine packet and writes its context fields into ctx_init_.
  void init_packet();
  /// Keeps the region table's packet entry equal to [data_meta or mac, data_end).
  void update_packet_region();
  /// The packet pointer and length fields of the context struct at `ctx`.
  void write_packet_fields(uint8_t* ctx) const;

  isa::ProgType type_ = isa::ProgType::Unspec;
  bool skb_ = false;
  RegionTable* regions_ = nullptr;
  /// The mock socket (ctx->sk) and flow keys blocks of the types that have them.
  Status init_side_blocks();
  void reset_flow_keys();
  std::vector<uint8_t> flow_keys_out() const;

  std::unique_ptr<LowBlock> ctx_block_, packet_block_, mem_block_, sock_block_, keys_block_;
  std::vector<uint8_t> ctx_init_;        // pristine context bytes
  std::vector<uint8_t> packet_init_;     // the frame as given
  std::vector<uint8_t> mem_init_;
  uint32_t ctx_size_ = 0;
  Packet pkt_;
  Packet pristine_;                      // pkt_ as every run starts
  uint64_t exposed_lo_ = 0;              // lowest packet byte exposed since the last reset
  uint64_t packet_region_ = 0;           // base of the registered packet region
  uint64_t packet_region_size_ = 0;
  bool moved_ = true;                    // packet pointers moved since the last reset
  bool unwritten_ = false;               // see set_unwritten()
  uint64_t r1_ = 0, r2_ = 0;
};

/// The settable --ctx fields of a program type.
std::vector<CtxFieldSpec> ctx_fields(isa::ProgType type);

}  // namespace bpfvet::jit
