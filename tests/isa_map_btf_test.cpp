// Map facts the ELF loader reads from BTF beyond key and value sizes: the offset of a
// struct bpf_spin_lock in the value (MapDef::spin_lock_off), which the verifier checks
// bpf_spin_lock()'s argument and every load/store against.
#include <gtest/gtest.h>

#include <string>

#include "isa/program.h"

namespace bpfvet::testing {
namespace {

struct SpinLockCase {
  const char* object;  // corpus object (built from corpus/*/NAME.c)
  const char* map;
  int32_t lock_off;    // -1: the value has no bpf_spin_lock
};

class MapBtfSpinLockTest : public ::testing::TestWithParam<SpinLockCase> {};

TEST_P(MapBtfSpinLockTest, LockOffsetFromValueType) {
  const SpinLockCase c = GetParam();
  auto obj = isa::load_object(std::string(BPFVET_CORPUS_DIR) + "/" + c.object + ".o");
  ASSERT_TRUE(obj.ok()) << obj.message();
  const isa::MapDef* found = nullptr;
  for (const isa::MapDef& m : obj->maps)
    if (m.name == c.map) found = &m;
  ASSERT_NE(found, nullptr) << "no map " << c.map << " in " << c.object;
  EXPECT_EQ(found->spin_lock_off, c.lock_off);
  // Every program carries the same facts in its copy of the maps.
  for (const isa::Program& p : obj->programs)
    for (const isa::MapDef& m : p.maps)
      if (m.name == c.map) EXPECT_EQ(m.spin_lock_off, c.lock_off) << p.name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, MapBtfSpinLockTest,
                         ::testing::Values(SpinLockCase{"tc_spin_lock", "shaper", 0},
                                           SpinLockCase{"tc_spin_lock_helper_call", "stamps", 0},
                                           SpinLockCase{"kprobe_latency", "start", -1}),
                         [](const ::testing::TestParamInfo<SpinLockCase>& info) {
                           return std::string(info.param.object);
                         });

}  // namespace
}  // namespace bpfvet::testing
