// Map definitions the runtime refuses (kernel creation rules plus what it simulates),
// and MockMap operations in isolation: flags, LRU order, LPM matching, queue limits.
#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include "tests/support/map_def.h"
#include "jit/maps.h"

namespace bpfvet::jit {
namespace {

using isa::MapType;

isa::MapDef def(MapType t, uint32_t k, uint32_t v, uint32_t n, uint32_t flags = 0) {
  return bpfvet::testsupport::map_def("m", t, k, v, n, flags);
}

struct BadDef {
  const char* name;
  isa::MapDef d;
};

class BadMapDef : public testing::TestWithParam<BadDef> {};

TEST_P(BadMapDef, IsRefusedWithTheMapName) {
  RegionTable regions;
  auto m = MockMap::create(GetParam().d, 2, regions);
  ASSERT_FALSE(m);
  EXPECT_NE(m.message().find("map 'm'"), std::string::npos) << m.message();
}

INSTANTIATE_TEST_SUITE_P(Maps, BadMapDef,
                         testing::Values(BadDef{"array_key_8", def(MapType::Array, 8, 4, 1)},
                                         BadDef{"hash_no_entries", def(MapType::Hash, 4, 4, 0)},
                                         BadDef{"hash_zero_value", def(MapType::Hash, 4, 0, 4)},
                                         BadDef{"ringbuf_not_pow2", def(MapType::Ringbuf, 0, 0, 5000)},
                                         BadDef{"queue_with_key", def(MapType::Queue, 4, 4, 4)},
                                         BadDef{"lpm_without_no_prealloc", def(MapType::LpmTrie, 8, 4, 4)},
                                         BadDef{"cgroup_storage_not_simulated", def(MapType::CgroupStorage, 8, 4, 0)}),
                         [](const testing::TestParamInfo<BadDef>& i) { return i.param.name; });

uint8_t* at(uint64_t a) { return reinterpret_cast<uint8_t*>(a); }

TEST(MockMap, HashFlagsFollowTheKernel) {
  RegionTable regions;
  auto m = MockMap::create(def(MapType::Hash, 4, 8, 2), 1, regions);
  ASSERT_TRUE(m);
  uint32_t k = 1;
  uint64_t v = 5;
  const auto* key = reinterpret_cast<uint8_t*>(&k);
  const auto* val = reinterpret_cast<uint8_t*>(&v);
  EXPECT_EQ((*m)->update(key, val, kBpfExist, 0, true), -kENOENT);
  EXPECT_EQ((*m)->update(key, val, kBpfNoExist, 0, true), 0);
  EXPECT_EQ((*m)->update(key, val, kBpfNoExist, 0, true), -kEEXIST);
  EXPECT_EQ((*m)->update(key, val, 7, 0, true), -kEINVAL);
  k = 2;
  EXPECT_EQ((*m)->update(key, val, kBpfAny, 0, true), 0);
  k = 3;
  EXPECT_EQ((*m)->update(key, val, kBpfAny, 0, true), -kE2BIG);  // full, not LRU
  k = 1;
  const uint64_t addr = (*m)->lookup(key, 0);
  ASSERT_NE(addr, 0u);
  EXPECT_TRUE(regions.check(addr, 8, true));  // value pointers are accessible guest memory
  EXPECT_EQ(*reinterpret_cast<uint64_t*>(at(addr)), 5u);
  EXPECT_EQ((*m)->remove(key), 0);
  EXPECT_EQ((*m)->remove(key), -kENOENT);
  EXPECT_EQ((*m)->lookup(key, 0), 0u);
}

TEST(MockMap, LpmPicksTheLongestMatchingPrefix) {
  RegionTable regions;
  auto m = MockMap::create(def(MapType::LpmTrie, 8, 4, 8, 1), 1, regions);
  ASSERT_TRUE(m);
  auto insert = [&](uint32_t plen, std::array<uint8_t, 4> ip, uint32_t value) {
    uint8_t key[8];
    std::memcpy(key, &plen, 4);
    std::memcpy(key + 4, ip.data(), 4);
    return (*m)->update(key, reinterpret_cast<uint8_t*>(&value), kBpfAny, 0, true);
  };
  ASSERT_EQ(insert(8, {10, 0, 0, 0}, 8), 0);
  ASSERT_EQ(insert(24, {10, 1, 2, 0}, 24), 0);
  ASSERT_EQ(insert(0, {0, 0, 0, 0}, 0), 0);
  EXPECT_EQ(insert(33, {0, 0, 0, 0}, 1), -kEINVAL);
  auto find = [&](std::array<uint8_t, 4> ip) -> int64_t {
    uint8_t key[8];
    const uint32_t plen = 32;
    std::memcpy(key, &plen, 4);
    std::memcpy(key + 4, ip.data(), 4);
    const uint64_t a = (*m)->lookup(key, 0);
    return a == 0 ? -1 : *reinterpret_cast<uint32_t*>(at(a));
  };
  EXPECT_EQ(find({10, 1, 2, 3}), 24);
  EXPECT_EQ(find({10, 1, 3, 3}), 8);
  EXPECT_EQ(find({192, 168, 0, 1}), 0);
}

TEST(MockMap, LruEvictsTheLeastRecentlyUsed) {
  RegionTable regions;
  auto m = MockMap::create(def(MapType::LruHash, 4, 4, 3), 1, regions);
  ASSERT_TRUE(m);
  auto put = [&](uint32_t k) { return (*m)->update(reinterpret_cast<uint8_t*>(&k), reinterpret_cast<uint8_t*>(&k), kBpfAny, 0, true); };
  auto has = [&](uint32_t k) { return (*m)->lookup(reinterpret_cast<uint8_t*>(&k), 0) != 0; };
  put(1);
  put(2);
  put(3);
  EXPECT_TRUE(has(1));  // 1 is now the most recent; 2 the least
  put(4);
  EXPECT_FALSE(has(2));
  EXPECT_TRUE(has(1));
  EXPECT_TRUE(has(3));
  EXPECT_TRUE(has(4));
}

TEST(MockMap, QueueFullAndBpfExistOverwritesOldest) {
  RegionTable regions;
  auto m = MockMap::create(def(MapType::Queue, 0, 4, 2), 1, regions);
  ASSERT_TRUE(m);
  uint32_t v = 1;
  auto* p = reinterpret_cast<uint8_t*>(&v);
  EXPECT_EQ((*m)->push(p, 0), 0);
  v = 2;
  EXPECT_EQ((*m)->push(p, 0), 0);
  v = 3;
  EXPECT_EQ((*m)->push(p, 0), -kE2BIG);
  EXPECT_EQ((*m)->push(p, kBpfExist), 0);
  EXPECT_EQ((*m)->pop(p, false), 0);
  EXPECT_EQ(v, 2u);
  EXPECT_EQ((*m)->pop(p, true), 0);
  EXPECT_EQ(v, 3u);
  EXPECT_EQ((*m)->pop(p, false), 0);
  EXPECT_EQ((*m)->pop(p, false), -kENOENT);
}

TEST(MockMap, RingbufRecordsAccumulateUntilFull) {
  RegionTable regions;
  auto m = MockMap::create(def(MapType::Ringbuf, 0, 0, 4096), 1, regions);
  ASSERT_TRUE(m);
  int reserved = 0;
  while ((*m)->ringbuf_reserve(1000) != 0) ++reserved;
  EXPECT_EQ(reserved, 4);  // 4 x (8-byte header + 1000 rounded to 1000) fit in 4096
  EXPECT_EQ((*m)->ringbuf_reserve(0), 0u);
  std::vector<uint8_t> out;
  EXPECT_FALSE((*m)->ringbuf_finish(12345, out));
}

}  // namespace
}  // namespace bpfvet::jit
