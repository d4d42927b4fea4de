// JSON for `bpfvet run` / `bench`: the --ctx and --maps input files and the result objects.
//
// How it works: the parsers turn the user's JSON into the plain structures of
// jit/engine.h (CtxInput, MapInput), checking shapes and byte strings; whether a
// field name or a size fits the program is decided by the runtime, which knows the
// context layouts and map definitions.  Every problem is an Error naming the file and
// the JSON path (exit code 2).  The printers produce the CONTRACT's result shape.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "isa/program.h"
#include "isa/result.h"
#include "jit/engine.h"
#include "jit/nondeterminism.h"

namespace bpfvet::cli {

/// Parses a --ctx file's text: {"ifindex": 3}, {"regs": {"di": 1}}, {"args": [1, 2]},
/// {"buffer": "hex"}, {"cb": [1, 2]}, {"task": {"pid": 42, "comm": "bash"}}.
Result<jit::CtxInput> parse_ctx_json(const std::string& text, const std::string& path);

/// Parses a --maps file's text: {"name": {"type": "hash", "entries": [{"key": "01000000",
/// "value": 10}]}}; keys and values are hex byte strings or non-negative integers,
/// per-CPU values a list (one per simulated CPU), prog_array values program names,
/// queue/stack entries {"value": ...} or a "values" list.
Result<std::vector<jit::MapInput>> parse_maps_json(const std::string& text, const std::string& path,
                                                    const isa::Program& prog);

/// Lower-case hex of the bytes, no separators.
std::string hex_bytes(const std::vector<uint8_t>& b);
/// Parses hex bytes ("0a0b", spaces allowed); Error on odd length or a non-hex digit.
Result<std::vector<uint8_t>> parse_hex(const std::string& s);

/// One engine's result in the CONTRACT's shape.
nlohmann::json result_json(const jit::RunResult& r, isa::ProgType type);
/// An engine that could not run: {"engine": name, "error": message}.
nlohmann::json engine_error_json(const std::string& engine, const std::string& message);
/// What a comparison with the kernel left out (`run --engine all`): {"with": "kernel",
/// "helpers": [...], "why": "...", "parts": ["map 'm' key 0a000001: value bytes 0-7"]},
/// plus "error" when the interpreter could not tell which parts vary (then everything
/// was compared).  Null when the program calls no nondeterministic helper.
nlohmann::json not_compared_json(const jit::VolatileParts& v, const std::string& error);
/// The same as text lines ("" when nothing was left out).
std::string not_compared_text(const jit::VolatileParts& v, const std::string& error);
/// Human-readable result: retval, packet out, maps, output events, timing, cost.
std::string result_text(const jit::RunResult& r, isa::ProgType type);
/// The deterministic cost of one run on one line ("53 BPF insns, 71 A64 insns
/// (emulated), ~58.3 cycles on thunderx2t99 (static estimate, LLVM MCA)"), "" if none.
std::string cost_text(const jit::RunResult& r);
/// bench's summary: one row per engine with ns/run, BPF and A64 instructions per run
/// and the estimated cycles, emulated figures marked and explained below the table.
std::string bench_table(const std::vector<const jit::RunResult*>& results);

}  // namespace bpfvet::cli
