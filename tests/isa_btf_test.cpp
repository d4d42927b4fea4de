// BTF and .BTF.ext parsing on hand-built sections: every kind, the queries map
// definitions rely on, and a table of malformed inputs that must each be an Error.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "isa/btf.h"

namespace bpfvet::isa {
namespace {

// Builds raw .BTF sections the way the kernel's btf.h lays them out.
class BtfBuilder {
 public:
  uint32_t str(const std::string& s) {
    if (s.empty()) return 0;
    const uint32_t off = static_cast<uint32_t>(strs_.size());
    strs_ += s;
    strs_ += '\0';
    return off;
  }
  uint32_t add(BtfKind kind, const std::string& name, uint32_t vlen, uint32_t size_or_type,
               std::vector<uint32_t> extra = {}, bool kflag = false) {
    words_.push_back(str(name));
    words_.push_back((kflag ? 1u << 31 : 0) | static_cast<uint32_t>(kind) << 24 | vlen);
    words_.push_back(size_or_type);
    words_.insert(words_.end(), extra.begin(), extra.end());
    return next_id_++;
  }
  uint32_t int_(const std::string& name, uint32_t size, bool is_signed = true) {
    return add(BtfKind::Int, name, 0, size, {(is_signed ? 1u << 24 : 0) | size * 8});
  }
  uint32_t ptr(uint32_t t) { return add(BtfKind::Ptr, "", 0, t); }
  uint32_t array(uint32_t elem, uint32_t index, uint32_t n) { return add(BtfKind::Array, "", 0, 0, {elem, index, n}); }
  // Members as (name, type, bit offset).
  uint32_t record(BtfKind kind, const std::string& name, uint32_t size,
                  std::vector<std::tuple<std::string, uint32_t, uint32_t>> members) {
    std::vector<uint32_t> extra;
    for (auto& [n, t, off] : members) extra.insert(extra.end(), {str(n), t, off});
    return add(kind, name, static_cast<uint32_t>(members.size()), size, extra);
  }

  std::vector<uint8_t> build() const {
    const uint32_t type_len = static_cast<uint32_t>(words_.size() * 4);
    const uint32_t hdr[6] = {0x0001eB9F, 24, 0, type_len, type_len, static_cast<uint32_t>(strs_.size())};
    std::vector<uint8_t> out(24 + type_len + strs_.size());
    std::memcpy(out.data(), hdr, 24);
    std::memcpy(out.data() + 24, words_.data(), type_len);
    std::memcpy(out.data() + 24 + type_len, strs_.data(), strs_.size());
    return out;
  }

 private:
  std::string strs_ = std::string(1, '\0');
  std::vector<uint32_t> words_;
  uint32_t next_id_ = 1;
};

TEST(Btf, EveryKindParses) {
  BtfBuilder b;
  const uint32_t i32 = b.int_("int", 4);
  const uint32_t p = b.ptr(i32);
  const uint32_t arr = b.array(i32, i32, 4);
  const uint32_t st = b.record(BtfKind::Struct, "pair", 8, {{"a", i32, 0}, {"b", i32, 32}});
  const uint32_t un = b.record(BtfKind::Union, "either", 4, {{"x", i32, 0}});
  const uint32_t en = b.add(BtfKind::Enum, "sign", 2, 4, {b.str("NEG"), static_cast<uint32_t>(-1), b.str("POS"), 1}, true);
  const uint32_t fwd = b.add(BtfKind::Fwd, "opaque", 0, 0);
  const uint32_t td = b.add(BtfKind::Typedef, "i32_t", 0, i32);
  const uint32_t vol = b.add(BtfKind::Volatile, "", 0, td);
  const uint32_t cst = b.add(BtfKind::Const, "", 0, vol);
  const uint32_t rst = b.add(BtfKind::Restrict, "", 0, p);
  const uint32_t proto = b.add(BtfKind::FuncProto, "", 2, i32, {b.str("ctx"), p, b.str("n"), i32});
  const uint32_t fn = b.add(BtfKind::Func, "main_fn", 1, proto);  // vlen = linkage (global)
  const uint32_t var = b.add(BtfKind::Var, "counter", 0, i32, {1});
  const uint32_t ds = b.add(BtfKind::Datasec, ".data", 1, 4, {var, 0, 4});
  const uint32_t fl = b.add(BtfKind::Float, "double", 0, 8);
  const uint32_t tag = b.add(BtfKind::DeclTag, "my_tag", 0, st, {1});
  const uint32_t ttag = b.add(BtfKind::TypeTag, "user", 0, i32);
  const uint32_t e64 = b.add(BtfKind::Enum64, "big", 1, 8, {b.str("HUGE"), 0x89abcdef, 0x01234567});

  auto btf = Btf::parse(b.build());
  ASSERT_TRUE(btf.ok()) << btf.message();
  EXPECT_EQ(btf->type_count(), e64 + 1);
  EXPECT_EQ(btf->type(0)->kind, BtfKind::Void);
  EXPECT_EQ(btf->type(i32)->int_encoding, (1u << 24) | 32);
  EXPECT_EQ(btf->type(p)->type, i32);
  EXPECT_EQ(btf->type(arr)->array_nelems, 4u);
  ASSERT_EQ(btf->type(st)->members.size(), 2u);
  EXPECT_EQ(btf->type(st)->members[1].name, "b");
  EXPECT_EQ(btf->type(st)->members[1].offset, 32u);
  EXPECT_EQ(btf->type(un)->kind, BtfKind::Union);
  EXPECT_EQ(btf->type(en)->members[0].value, -1);  // kind_flag: signed enum
  EXPECT_EQ(btf->type(en)->members[1].name, "POS");
  EXPECT_EQ(btf->type(fwd)->kind, BtfKind::Fwd);
  EXPECT_EQ(btf->type(cst)->type, vol);
  EXPECT_EQ(btf->type(rst)->kind, BtfKind::Restrict);
  ASSERT_EQ(btf->type(proto)->members.size(), 2u);
  EXPECT_EQ(btf->type(proto)->members[0].name, "ctx");
  EXPECT_EQ(btf->type(proto)->members[0].type, p);
  EXPECT_EQ(btf->type(fn)->linkage, 1u);
  EXPECT_EQ(btf->type(fn)->name, "main_fn");
  EXPECT_EQ(btf->type(var)->linkage, 1u);
  ASSERT_EQ(btf->type(ds)->members.size(), 1u);
  EXPECT_EQ(btf->type(ds)->members[0].type, var);
  EXPECT_EQ(btf->type(ds)->members[0].size, 4u);
  EXPECT_EQ(btf->type(fl)->size, 8u);
  EXPECT_EQ(btf->type(tag)->component_idx, 1);
  EXPECT_EQ(btf->type(ttag)->name, "user");
  EXPECT_EQ(btf->type(e64)->members[0].value, 0x0123456789abcdefLL);

  // Queries.
  EXPECT_EQ(*btf->resolve(cst), i32);
  EXPECT_EQ(*btf->resolve(ttag), i32);
  EXPECT_EQ(*btf->size_of(st), 8u);
  EXPECT_EQ(*btf->size_of(arr), 16u);
  EXPECT_EQ(*btf->size_of(p), 8u);
  EXPECT_EQ(*btf->size_of(cst), 4u);
  EXPECT_EQ(*btf->size_of(var), 4u);
  EXPECT_FALSE(btf->size_of(fn).ok());
  EXPECT_FALSE(btf->size_of(0).ok());
  EXPECT_FALSE(btf->size_of(fwd).ok());
  EXPECT_EQ(btf->find("pair", BtfKind::Struct), st);
  EXPECT_EQ(btf->find(".data", BtfKind::Datasec), ds);
  EXPECT_FALSE(btf->find("pair", BtfKind::Union).has_value());
  EXPECT_EQ(btf->type_name(p), "int *");
  EXPECT_EQ(btf->type_name(arr), "int[4]");
  EXPECT_EQ(btf->type_name(st), "struct pair");
  EXPECT_EQ(btf->type_name(td), "i32_t");
  EXPECT_EQ(btf->string_at(1), "int");
  EXPECT_EQ(btf->string_at(1u << 30), "");
}

// The map-definition idioms of bpf_helpers.h: __uint(type, 1) is `int (*type)[1]` and
// __type(key, struct k) is `struct k *key`; their sizes are what .maps parsing reads.
TEST(Btf, MapDefinitionIdioms) {
  BtfBuilder b;
  const uint32_t i32 = b.int_("int", 4);
  const uint32_t idx = b.int_("__ARRAY_SIZE_TYPE__", 4, false);
  const uint32_t key = b.record(BtfKind::Struct, "flow_key", 12, {{"a", i32, 0}, {"b", i32, 32}, {"c", i32, 64}});
  const uint32_t type_ptr = b.ptr(b.array(i32, idx, 1));
  const uint32_t key_ptr = b.ptr(key);
  auto btf = Btf::parse(b.build());
  ASSERT_TRUE(btf.ok()) << btf.message();
  const BtfType* arr = btf->type(*btf->resolve(btf->type(type_ptr)->type));
  EXPECT_EQ(arr->kind, BtfKind::Array);
  EXPECT_EQ(arr->array_nelems, 1u);
  EXPECT_EQ(*btf->size_of(btf->type(key_ptr)->type), 12u);
}

TEST(Btf, ModifierLoopIsAnError) {
  BtfBuilder b;
  b.add(BtfKind::Typedef, "a", 0, 2);
  b.add(BtfKind::Typedef, "b", 0, 1);
  auto btf = Btf::parse(b.build());
  ASSERT_TRUE(btf.ok()) << btf.message();
  EXPECT_FALSE(btf->resolve(1).ok());
  auto sz = btf->size_of(1);
  ASSERT_FALSE(sz.ok());
  EXPECT_NE(sz.message().find("loop"), std::string::npos) << sz.message();
  EXPECT_EQ(btf->type_name(1), "a");  // a typedef prints as its own name
}

struct BadBtf {
  std::string name;
  std::function<std::vector<uint8_t>()> make;
  std::string expect;
};

std::vector<uint8_t> good_btf() {
  BtfBuilder b;
  const uint32_t i = b.int_("int", 4);
  b.record(BtfKind::Struct, "s", 4, {{"x", i, 0}});
  return b.build();
}

std::vector<uint8_t> patched(size_t off, uint32_t v) {
  auto d = good_btf();
  std::memcpy(d.data() + off, &v, 4);
  return d;
}

class BtfErrors : public ::testing::TestWithParam<BadBtf> {};

TEST_P(BtfErrors, IsAnError) {
  auto r = Btf::parse(GetParam().make());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message().rfind("bad BTF: ", 0), 0u) << r.message();
  EXPECT_NE(r.message().find(GetParam().expect), std::string::npos) << r.message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, BtfErrors,
    ::testing::Values(
        BadBtf{"empty", [] { return std::vector<uint8_t>{}; }, "shorter than the header"},
        BadBtf{"short_header", [] { auto d = good_btf(); d.resize(20); return d; }, "shorter than the header"},
        BadBtf{"bad_magic", [] { return patched(0, 0x0001abcd); }, "bad magic 0xabcd"},
        BadBtf{"big_endian", [] { return patched(0, 0x00019FeB); }, "big-endian"},
        BadBtf{"version", [] { return patched(0, 0x0002eB9F); }, "unsupported version 2"},
        BadBtf{"hdr_len", [] { return patched(4, 4096); }, "header length 4096"},
        BadBtf{"types_past_end", [] { return patched(12, 4000); }, "type section runs past"},
        BadBtf{"strings_past_end", [] { return patched(20, 4000); }, "string section runs past"},
        BadBtf{"unaligned_types", [] { return patched(8, 2); }, "not 4-byte aligned"},
        BadBtf{"strings_not_terminated", [] { auto d = good_btf(); d.back() = 'x'; return d; }, "not NUL-terminated"},
        BadBtf{"name_offset", [] { return patched(24, 9999); }, "type id 1: name offset 9999"},
        BadBtf{"unknown_kind", [] { return patched(28, 25u << 24); }, "type id 1 has unknown kind 25"},
        BadBtf{"truncated_members", [] { return patched(24 + 16 + 4, (4u << 24) | 50); }, "type id 2 (struct) is truncated"},
        BadBtf{"missing_type", [] { return patched(24 + 16 + 12 + 4, 77); }, "refers to missing type id 77"},
        BadBtf{"truncated_type", [] { return patched(12, 16 + 12 + 12 + 4); }, "type id 3 is truncated"}),
    [](const auto& info) { return info.param.name; });

// .BTF.ext with one func_info and two line_info records for section "xdp".
std::vector<uint8_t> make_ext(uint32_t sec_name_off, uint32_t func_type, uint32_t func_rec = 8, uint32_t first_off = 0) {
  std::vector<uint32_t> func = {func_rec, sec_name_off, 1, first_off, func_type};
  for (uint32_t i = 8; i < func_rec; i += 4) func.push_back(0);
  const std::vector<uint32_t> line = {16, sec_name_off, 2, 0, 1, 2, (10u << 10) | 5, 16, 1, 2, (11u << 10) | 3};
  std::vector<uint32_t> words = {0x0001eB9F, 32, 0, static_cast<uint32_t>(func.size() * 4),
                                 static_cast<uint32_t>(func.size() * 4), static_cast<uint32_t>(line.size() * 4), 0, 0};
  words.insert(words.end(), func.begin(), func.end());
  words.insert(words.end(), line.begin(), line.end());
  std::vector<uint8_t> out(words.size() * 4);
  std::memcpy(out.data(), words.data(), out.size());
  return out;
}

class BtfExtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BtfBuilder b;
    xdp_ = b.str("xdp");
    const uint32_t i = b.int_("int", 4);
    const uint32_t proto = b.add(BtfKind::FuncProto, "", 0, i);
    func_ = b.add(BtfKind::Func, "prog", 1, proto);
    auto btf = Btf::parse(b.build());
    ASSERT_TRUE(btf.ok()) << btf.message();
    btf_ = std::move(*btf);
  }
  uint32_t xdp_ = 0, func_ = 0;
  Btf btf_;
};

TEST_F(BtfExtTest, RecordsPerSectionInSlots) {
  auto ext = BtfExt::parse(make_ext(xdp_, func_), btf_);
  ASSERT_TRUE(ext.ok()) << ext.message();
  ASSERT_EQ(ext->func_info.count("xdp"), 1u);
  EXPECT_EQ(ext->func_info["xdp"][0].type_id, func_);
  ASSERT_EQ(ext->line_info["xdp"].size(), 2u);
  EXPECT_EQ(ext->line_info["xdp"][1].insn_off, 2u);  // byte 16 = slot 2
  EXPECT_EQ(ext->line_info["xdp"][1].line_col >> 10, 11u);
  // A newer compiler's larger records are accepted; the extra words are ignored.
  auto wide = BtfExt::parse(make_ext(xdp_, func_, 12), btf_);
  ASSERT_TRUE(wide.ok()) << wide.message();
  EXPECT_EQ(wide->func_info["xdp"][0].type_id, func_);
}

TEST_F(BtfExtTest, MalformedRecordsAreErrors) {
  struct Case { std::vector<uint8_t> data; std::string expect; };
  std::vector<Case> cases = {
      {make_ext(xdp_, 1), "refers to type id 1, which is not a FUNC"},
      {make_ext(xdp_, func_, 4), "func_info record size 4 is invalid"},
      {make_ext(xdp_, func_, 8, 12), "instruction offset 12 is not a multiple of 8"},
      {make_ext(0, func_), "names no section"},
      {std::vector<uint8_t>(10, 0), "shorter than the header"},
  };
  auto truncated = make_ext(xdp_, func_);
  truncated.resize(truncated.size() - 8);
  cases.push_back({truncated, "runs past the end"});
  auto bad_count = make_ext(xdp_, func_);
  const uint32_t huge = 0x10000000;
  std::memcpy(bad_count.data() + 32 + 8, &huge, 4);  // func_info count
  cases.push_back({bad_count, "func_info of section 'xdp' is truncated"});
  for (const auto& c : cases) {
    auto r = BtfExt::parse(c.data, btf_);
    ASSERT_FALSE(r.ok()) << c.expect;
    EXPECT_EQ(r.message().rfind("bad .BTF.ext: ", 0), 0u) << r.message();
    EXPECT_NE(r.message().find(c.expect), std::string::npos) << r.message();
  }
}

}  // namespace
}  // namespace bpfvet::isa
