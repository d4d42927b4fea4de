// CO-RE relocations (isa/core_relo.h): every relocation kind against a small target BTF
// built here with libbpf's btf__add_* API, checking the patched immediate or offset;
// then candidate rules (flavours, anonymous members, ambiguity), poisoning, validation
// and the errors of a missing target.
#include <bpf/btf.h>
#include <gtest/gtest.h>

#include <memory>

#include "isa/core_relo.h"

namespace bpfvet::testing {
namespace {

using isa::Btf;
using isa::CoreRelo;
using isa::CoreReloKind;
using isa::RawInsn;

struct BtfDeleter {
  void operator()(struct btf* b) const { btf__free(b); }
};
using BtfPtr = std::unique_ptr<struct btf, BtfDeleter>;

Btf parse(const struct btf* b) {
  uint32_t size = 0;
  const void* data = btf__raw_data(b, &size);
  auto r = Btf::parse({static_cast<const uint8_t*>(data), size});
  EXPECT_TRUE(r) << r.message();
  return std::move(*r);
}

// Type ids of the local BTF (what the program was compiled against).
struct Local {
  BtfPtr btf{btf__new_empty()};
  int task = 0, pid_type = 0, task_v2 = 0, anon_user = 0;
};

// The program's view: struct task { int pid; unsigned int tgid; unsigned int in_execve:1;
// struct task *parent; int arr[4]; int gone; } plus enum pid_type { PIDTYPE_PID,
// PIDTYPE_TGID, PIDTYPE_OLD } and a flavour struct task___v2 { int pid; }.
Local make_local() {
  Local l;
  struct btf* b = l.btf.get();
  const int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
  const int u32 = btf__add_int(b, "unsigned int", 4, 0);
  l.task = btf__add_struct(b, "task", 48);
  btf__add_field(b, "pid", i32, 0, 0);
  btf__add_field(b, "tgid", u32, 32, 0);
  btf__add_field(b, "in_execve", u32, 64, 1);
  btf__add_field(b, "parent", l.task + 3, 128, 0);  // the pointer added below
  btf__add_field(b, "arr", l.task + 5, 192, 0);     // the array added below
  btf__add_field(b, "gone", i32, 320, 0);
  l.pid_type = btf__add_enum(b, "pid_type", 4);
  btf__add_enum_value(b, "PIDTYPE_PID", 0);
  btf__add_enum_value(b, "PIDTYPE_TGID", 1);
  btf__add_enum_value(b, "PIDTYPE_OLD", 2);
  l.task_v2 = btf__add_struct(b, "task___v2", 4);
  btf__add_field(b, "pid", i32, 0, 0);
  const int ptr = btf__add_ptr(b, l.task);
  const int idx = btf__add_int(b, "__ARRAY_SIZE_TYPE__", 4, 0);
  const int arr = btf__add_array(b, idx, i32, 4);
  EXPECT_EQ(ptr, l.task + 3);  // ids the struct's fields refer to (after the enum and flavour)
  EXPECT_EQ(arr, l.task + 5);
  l.anon_user = btf__add_struct(b, "user", 8);
  btf__add_field(b, "uid", i32, 0, 0);
  // Access strings live in the local BTF's string section, as clang puts them there.
  for (const char* s : {"0", "1", "2", "0:0", "0:1", "0:2", "0:3", "0:5", "0:4:2", "0:9", "x"})
    btf__add_str(b, s);
  return l;
}

// The kernel's view: fields moved and resized, `gone` removed, pid inside an anonymous
// struct, the bitfield elsewhere, enum values renumbered.
BtfPtr make_target(bool ambiguous = false) {
  BtfPtr bp{btf__new_empty()};
  struct btf* b = bp.get();
  const int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);   // 1
  const int u32 = btf__add_int(b, "unsigned int", 4, 0);       // 2
  const int u64 = btf__add_int(b, "long unsigned int", 8, 0);  // 3
  const int task = btf__add_struct(b, "task", 96);             // 4
  btf__add_field(b, "", 5, 64, 0);                             // anonymous struct (5) at byte 8
  btf__add_field(b, "tgid", u64, 128, 0);                      // byte 16, now 8 bytes
  btf__add_field(b, "in_execve", u32, 141, 1);                 // bit 141
  btf__add_field(b, "parent", 7, 256, 0);                      // byte 32
  btf__add_field(b, "arr", 9, 384, 0);                         // byte 48
  const int anon = btf__add_struct(b, nullptr, 8);             // 5
  btf__add_field(b, "raw", u32, 0, 0);
  btf__add_field(b, "pid", i32, 32, 0);            // byte 8 + 4 = 12
  const int pt = btf__add_enum(b, "pid_type", 4);  // 6
  btf__add_enum_value(b, "PIDTYPE_PID", 0);
  btf__add_enum_value(b, "PIDTYPE_PGID", 1);
  btf__add_enum_value(b, "PIDTYPE_TGID", 5);
  btf__add_ptr(b, task);                                         // 7
  const int idx = btf__add_int(b, "__ARRAY_SIZE_TYPE__", 4, 0);  // 8
  btf__add_array(b, idx, i32, 8);                                // 9
  EXPECT_EQ(anon, 5);
  EXPECT_EQ(pt, 6);
  if (ambiguous) {  // a second "task" flavour with pid elsewhere
    btf__add_struct(b, "task___other", 8);
    btf__add_field(b, "pid", i32, 32, 0);
  }
  return bp;
}

struct Case {
  const char* name;
  CoreReloKind kind;
  const char* root;  // "task", "pid_type", "task___v2"
  const char* access;
  RawInsn insn;  // as the compiler emitted it
  RawInsn want;  // after relocation
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

constexpr uint8_t kLdxW = 0x61, kLdxDw = 0x79, kLdxB = 0x71, kMov64K = 0xb7, kLddw = 0x18, kCall = 0x85;

RawInsn ldx(uint8_t code, int16_t off) { return RawInsn::make(code, 0, 1, off, 0); }
RawInsn mov(int32_t imm) { return RawInsn::make(kMov64K, 0, 0, 0, imm); }
const RawInsn kPoison = RawInsn::make(kCall, 0, 0, 0, isa::kCorePoisonImm);

const Case kCases[] = {
    {"byte_off_into_anon_union", CoreReloKind::FieldByteOffset, "task", "0:0", ldx(kLdxW, 0), ldx(kLdxW, 12)},
    {"byte_off_resizes_u32_to_u64", CoreReloKind::FieldByteOffset, "task", "0:1", ldx(kLdxW, 4),
     ldx(kLdxDw, 16)},
    {"byte_off_pointer", CoreReloKind::FieldByteOffset, "task", "0:3", ldx(kLdxDw, 16), ldx(kLdxDw, 32)},
    {"byte_off_array_element", CoreReloKind::FieldByteOffset, "task", "0:4:2", ldx(kLdxW, 32),
     ldx(kLdxW, 56)},
    {"byte_off_bitfield", CoreReloKind::FieldByteOffset, "task", "0:2", mov(8), mov(16)},
    {"byte_off_missing_field_poisons", CoreReloKind::FieldByteOffset, "task", "0:5", ldx(kLdxW, 40), kPoison},
    {"byte_sz", CoreReloKind::FieldByteSize, "task", "0:1", mov(4), mov(8)},
    {"byte_sz_bitfield_container", CoreReloKind::FieldByteSize, "task", "0:2", mov(4), mov(4)},
    {"field_exists", CoreReloKind::FieldExists, "task", "0:1", mov(1), mov(1)},
    {"field_exists_missing", CoreReloKind::FieldExists, "task", "0:5", mov(1), mov(0)},
    {"signed", CoreReloKind::FieldSigned, "task", "0:0", mov(1), mov(1)},
    {"unsigned", CoreReloKind::FieldSigned, "task", "0:1", mov(0), mov(0)},
    {"lshift_u64", CoreReloKind::FieldLshiftU64, "task", "0:2", mov(63), mov(50)},
    {"rshift_u64", CoreReloKind::FieldRshiftU64, "task", "0:2", mov(63), mov(63)},
    {"type_id_target", CoreReloKind::TypeIdTarget, "task", "0", RawInsn::make(kLddw, 0, 0, 0, 2),
     RawInsn::make(kLddw, 0, 0, 0, 4)},
    {"type_exists", CoreReloKind::TypeExists, "task", "0", mov(1), mov(1)},
    {"type_exists_missing", CoreReloKind::TypeExists, "user", "0", mov(1), mov(0)},
    {"type_size", CoreReloKind::TypeSize, "task", "0", mov(48), mov(96)},
    {"type_size_missing_poisons", CoreReloKind::TypeSize, "user", "0", mov(8), kPoison},
    {"flavour_matches_base_name", CoreReloKind::FieldByteOffset, "task___v2", "0:0", ldx(kLdxW, 0),
     ldx(kLdxW, 12)},
    {"enumval_value", CoreReloKind::EnumvalValue, "pid_type", "1", mov(1), mov(5)},
    {"enumval_exists", CoreReloKind::EnumvalExists, "pid_type", "1", mov(1), mov(1)},
    {"enumval_exists_missing", CoreReloKind::EnumvalExists, "pid_type", "2", mov(1), mov(0)},
    {"enumval_value_missing_poisons", CoreReloKind::EnumvalValue, "pid_type", "2", mov(2), kPoison},
};

class CoreReloTest : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    local_ = new Local(make_local());
    auto t = make_target();
    local_btf_ = new Btf(parse(local_->btf.get()));
    target_btf_ = new Btf(parse(t.get()));
  }
  static void TearDownTestSuite() {
    delete local_;
    delete local_btf_;
    delete target_btf_;
  }
  // A relocation record of the local BTF for `root` and `access`.
  static CoreRelo relo(const char* root, const char* access, CoreReloKind kind) {
    const int id = std::string(root) == "pid_type"    ? local_->pid_type
                   : std::string(root) == "task___v2" ? local_->task_v2
                   : std::string(root) == "user"      ? local_->anon_user
                                                      : local_->task;
    const int str = btf__find_str(local_->btf.get(), access);
    return CoreRelo{0, static_cast<uint32_t>(id), static_cast<uint32_t>(str), static_cast<uint32_t>(kind)};
  }
  static Local* local_;
  static Btf* local_btf_;
  static Btf* target_btf_;
};
Local* CoreReloTest::local_ = nullptr;
Btf* CoreReloTest::local_btf_ = nullptr;
Btf* CoreReloTest::target_btf_ = nullptr;

TEST_P(CoreReloTest, PatchesInstruction) {
  const Case& c = GetParam();
  const CoreRelo r = relo(c.root, c.access, c.kind);
  ASSERT_GT(r.access_str_off, 0u);
  auto v = isa::calc_core_relo(*local_btf_, r, target_btf_);
  ASSERT_TRUE(v) << v.message();
  std::vector<RawInsn> insns{c.insn};
  if (c.insn.code == kLddw) insns.push_back(RawInsn{});
  auto st = isa::patch_core_insn(insns, 0, *v);
  ASSERT_TRUE(st) << st.message();
  EXPECT_EQ(insns[0].code, c.want.code) << isa::describe_core_relo(*local_btf_, r);
  EXPECT_EQ(insns[0].off, c.want.off);
  EXPECT_EQ(insns[0].imm, c.want.imm);
  if (c.want == kPoison && c.insn.code == kLddw) {
    EXPECT_EQ(insns[1], kPoison);
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, CoreReloTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

TEST_F(CoreReloTest, TypeIdLocalNeedsNoTarget) {
  const CoreRelo r = relo("task", "0", CoreReloKind::TypeIdLocal);
  EXPECT_FALSE(isa::core_relo_needs_target(r));
  auto v = isa::calc_core_relo(*local_btf_, r, nullptr);
  ASSERT_TRUE(v) << v.message();
  EXPECT_EQ(v->new_value, static_cast<uint64_t>(local_->task));
}

TEST_F(CoreReloTest, MissingTargetIsAnErrorNamingTheRelocation) {
  auto v = isa::calc_core_relo(*local_btf_, relo("task", "0:1", CoreReloKind::FieldByteOffset), nullptr);
  ASSERT_FALSE(v);
  EXPECT_NE(v.message().find("<byte_off> struct task (0:1: tgid)"), std::string::npos) << v.message();
  EXPECT_NE(v.message().find("needs the target kernel's BTF"), std::string::npos) << v.message();
}

TEST_F(CoreReloTest, CandidatesThatDisagreeAreAmbiguous) {
  auto t = make_target(/*ambiguous=*/true);
  Btf target = parse(t.get());
  auto v = isa::calc_core_relo(*local_btf_, relo("task", "0:0", CoreReloKind::FieldByteOffset), &target);
  ASSERT_FALSE(v);
  EXPECT_NE(v.message().find("ambiguity"), std::string::npos) << v.message();
  // Candidates that agree are fine: the flavour has no tgid, so only `task` matches.
  auto ok = isa::calc_core_relo(*local_btf_, relo("task", "0:1", CoreReloKind::FieldByteOffset), &target);
  ASSERT_TRUE(ok) << ok.message();
  EXPECT_EQ(ok->new_value, 16u);
}

TEST_F(CoreReloTest, InstructionMustHoldTheLocalValue) {
  auto v = isa::calc_core_relo(*local_btf_, relo("task", "0:1", CoreReloKind::FieldByteOffset), target_btf_);
  ASSERT_TRUE(v) << v.message();
  std::vector<RawInsn> insns{ldx(kLdxW, 8)};  // the compiler would have put 4 here
  auto st = isa::patch_core_insn(insns, 0, *v);
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("unexpected offset 8, expected 4"), std::string::npos) << st.message();
  std::vector<RawInsn> jmp{RawInsn::make(0x05, 0, 0, 4, 0)};  // ja: nothing to patch
  EXPECT_FALSE(isa::patch_core_insn(jmp, 0, *v));
}

TEST_F(CoreReloTest, MalformedAccessStringsAreErrors) {
  for (const char* access : {"0:9", "x", "0:4:2:1"}) {
    CoreRelo r = relo("task", access, CoreReloKind::FieldByteOffset);
    if (r.access_str_off == static_cast<uint32_t>(-1) || r.access_str_off == 0)
      continue;  // "0:4:2:1" not in BTF
    auto v = isa::calc_core_relo(*local_btf_, r, target_btf_);
    EXPECT_FALSE(v) << access;
  }
  auto v = isa::calc_core_relo(*local_btf_, relo("task", "0", CoreReloKind{99}), target_btf_);
  EXPECT_FALSE(v);
}

}  // namespace
}  // namespace bpfvet::testing
