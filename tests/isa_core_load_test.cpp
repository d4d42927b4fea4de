// Loading real CO-RE objects (the corpus's kprobe_core_*.o): relocations against the
// host kernel's BTF, __kconfig externs from a given config and version, the errors of a
// missing target, and -- where bpf() works -- the relocated instructions compared with
// the ones libbpf hands to the kernel.
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "isa/core_relo.h"
#include "isa/program.h"
#include "tests/support/kernel_loader.h"

namespace bpfvet::testing {
namespace {

namespace fs = std::filesystem;

std::string corpus_object(const std::string& name) {
  return std::string(BPFVET_CORPUS_DIR) + "/" + name + ".o";
}
std::string test_config() { return std::string(BPFVET_SOURCE_DIR) + "/tests/data/core/config"; }

#define REQUIRE_HOST_BTF()                                                               \
  if (isa::host_kernel_btf_path().empty()) GTEST_SKIP() << "no /sys/kernel/btf/vmlinux"; \
  if (!fs::exists(corpus_object("kprobe_core_exec_info"))) GTEST_SKIP() << "corpus not built"

const isa::MapDef* find_map(const isa::Program& p, const std::string& name) {
  for (const auto& m : p.maps)
    if (m.name == name) return &m;
  return nullptr;
}

uint32_t u32_at(const std::vector<uint8_t>& b, size_t off) {
  uint32_t v = 0;
  if (off + 4 <= b.size()) std::memcpy(&v, b.data() + off, 4);
  return v;
}

TEST(CoreLoad, KconfigExternsComeFromTheTargetConfigAndVersion) {
  REQUIRE_HOST_BTF();
  isa::LoadOptions lo;
  lo.target.kconfig_path = test_config();
  lo.target.version = (5 << 16) + (15 << 8) + 3;
  auto obj = isa::load_object(corpus_object("kprobe_core_exec_info"), lo);
  ASSERT_TRUE(obj) << obj.message();
  const isa::MapDef* kc = find_map(obj->programs.at(0), ".kconfig");
  ASSERT_NE(kc, nullptr);
  EXPECT_TRUE(kc->global_data);
  EXPECT_TRUE(kc->read_only);
  // libbpf's layout: alignment descending, then size, then name.
  ASSERT_EQ(kc->value_size, 9u);
  EXPECT_EQ(u32_at(kc->initial, 0), 300u);                          // CONFIG_HZ
  EXPECT_EQ(u32_at(kc->initial, 4), (5u << 16) + (15u << 8) + 3u);  // LINUX_KERNEL_VERSION
  EXPECT_EQ(kc->initial[8], 0u);  // CONFIG_DOES_NOT_EXIST_IN_ANY_KERNEL: __weak, missing
}

TEST(CoreLoad, MissingTargetBtfOrConfigIsAnErrorNamingIt) {
  REQUIRE_HOST_BTF();
  isa::LoadOptions lo;
  lo.target.btf_path = "/nonexistent/vmlinux.btf";
  auto obj = isa::load_object(corpus_object("kprobe_core_exec_info"), lo);
  ASSERT_FALSE(obj);
  EXPECT_NE(obj.message().find("/nonexistent/vmlinux.btf"), std::string::npos) << obj.message();

  lo = {};
  lo.target.kconfig_path = "/nonexistent/config";
  obj = isa::load_object(corpus_object("kprobe_core_exec_info"), lo);
  ASSERT_FALSE(obj);
  EXPECT_NE(obj.message().find("CONFIG_HZ"), std::string::npos) << obj.message();

  lo = {};
  lo.target.btf_path = test_config();  // not BTF at all
  obj = isa::load_object(corpus_object("kprobe_core_exec_info"), lo);
  ASSERT_FALSE(obj);
  EXPECT_NE(obj.message().find("config"), std::string::npos) << obj.message();
}

// --btf also takes a vmlinux ELF image (any machine): its .BTF section is the target.
TEST(CoreLoad, TargetBtfFromAnElfImage) {
  REQUIRE_HOST_BTF();
  const fs::path dir = fs::temp_directory_path() / ("bpfvet_core_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string empty = (dir / "empty.o").string(), image = (dir / "vmlinux").string();
  const std::string cmd = "echo 'int x;' | clang-14 -c -x c - -o '" + empty + "' && llvm-objcopy-14 --add-section .BTF=" +
                          isa::host_kernel_btf_path() + " '" + empty + "' '" + image + "'";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "cannot build an ELF image with clang-14/llvm-objcopy-14";
  isa::LoadOptions lo;
  lo.target.btf_path = image;
  auto from_elf = isa::load_object(corpus_object("kprobe_core_exec_info"), lo);
  ASSERT_TRUE(from_elf) << from_elf.message();
  auto from_host = isa::load_object(corpus_object("kprobe_core_exec_info"));
  ASSERT_TRUE(from_host) << from_host.message();
  EXPECT_EQ(from_elf->programs.at(0).raw, from_host->programs.at(0).raw);
  lo.target.btf_path = empty;  // an ELF without .BTF
  auto none = isa::load_object(corpus_object("kprobe_core_exec_info"), lo);
  ASSERT_FALSE(none);
  EXPECT_NE(none.message().find("no .BTF section"), std::string::npos) << none.message();
  fs::remove_all(dir);
}

TEST(CoreLoad, UnrelocatableFieldIsPoisonedWhereItIsRead) {
  REQUIRE_HOST_BTF();
  auto obj = isa::load_object(corpus_object("kprobe_core_removed_field"));
  ASSERT_TRUE(obj) << obj.message();
  const auto& raw = obj->programs.at(0).raw;
  ASSERT_GT(raw.size(), 2u);
  EXPECT_EQ(raw[2].code, 0x85);
  EXPECT_EQ(raw[2].imm, isa::kCorePoisonImm);
}

// Our relocated program against libbpf's, slot by slot: map loads compare by kind and
// value offset only (libbpf puts file descriptors there).
std::string compare_with_libbpf(const std::string& path) {
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj) return "libbpf cannot open " + path;
  std::string problems;
  if (bpf_object__load(obj) != 0) {
    bpf_object__close(obj);
    return "libbpf cannot load " + path;
  }
  auto ours = isa::load_object(path);
  if (!ours) {
    bpf_object__close(obj);
    return ours.message();
  }
  bpf_program* p;
  bpf_object__for_each_program(p, obj) {
    const isa::Program* mine = nullptr;
    for (const auto& q : ours->programs)
      if (q.name == bpf_program__name(p)) mine = &q;
    if (!mine) {
      problems += std::string("no program ") + bpf_program__name(p) + "\n";
      continue;
    }
    const bpf_insn* in = bpf_program__insns(p);
    const size_t n = bpf_program__insn_cnt(p);
    if (n != mine->raw.size())
      problems += "length " + std::to_string(mine->raw.size()) + " vs " + std::to_string(n) + "\n";
    for (size_t i = 0; i < std::min(n, mine->raw.size()); ++i) {
      const isa::RawInsn& r = mine->raw[i];
      const bool map_load = r.code == 0x18 && r.src() != 0 && i + 1 < n;
      if (map_load) {
        const bool value = r.src() == static_cast<uint8_t>(isa::Pseudo::MapIdxValue);
        if (in[i].src_reg != (value ? BPF_PSEUDO_MAP_VALUE : BPF_PSEUDO_MAP_FD) ||
            in[i + 1].imm != mine->raw[i + 1].imm)
          problems += "slot " + std::to_string(i) + ": map load differs\n";
        ++i;
        continue;
      }
      if (r.code != in[i].code || r.dst() != in[i].dst_reg || r.src() != in[i].src_reg ||
          r.off != in[i].off || r.imm != in[i].imm)
        problems += "slot " + std::to_string(i) + ": code " + std::to_string(r.code) + " off " +
                    std::to_string(r.off) + " imm " + std::to_string(r.imm) + " vs code " +
                    std::to_string(in[i].code) + " off " + std::to_string(in[i].off) + " imm " +
                    std::to_string(in[i].imm) + "\n";
    }
  }
  bpf_object__close(obj);
  return problems;
}

TEST(CoreLoad, RelocatedInstructionsMatchLibbpf) {
  REQUIRE_HOST_BTF();
  if (!testsupport::bpf_syscall_available()) GTEST_SKIP() << "bpf() is not available here";
  for (const char* name : {"kprobe_core_exec_info", "tc_core_skb_fields", "xdp_global_vars"})
    EXPECT_EQ(compare_with_libbpf(corpus_object(name)), "") << name;
}

}  // namespace
}  // namespace bpfvet::testing
