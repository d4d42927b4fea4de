// progen: a seeded generator of random but mostly well-formed eBPF programs, for
// differential testing of the verifier against the running kernel.
//
// How it works: a small builder appends raw instruction slots and resolves labels
// (forward jumps, and the back-edge of bounded loops) when the program is finished.
// While emitting, the generator keeps an abstract picture of what each register holds
// (nothing, a scalar, the context, a stack/map-value/packet pointer) and which stack
// slots were written, so that most choices are legal: ALU operands are initialized
// scalars, loads go through pointers of the right kind, jumps skip whole blocks and
// the picture after a join is the intersection of both paths.  A controlled fraction
// of the choices is deliberately wrong (an uninitialized register, a shift by 64, a
// missing null or bounds check, an off-by-one offset, a misaligned stack slot, a
// context offset that is not a field), so that a healthy share of the programs is
// rejected, for varied reasons, at varied instructions.
//
// Flavours: ALU mixes with branches and bounded loops; stack spills and fills;
// map lookups; packet parsing; context field reads; helper calls with right and
// wrong arguments; every map type with the helpers that take it; references
// (ring buffer records, sockets, spin locks); bpf-to-bpf calls and tail calls.
// Maps the kernel needs BTF for (a value holding a bpf_spin_lock) say so with
// MapDef::spin_lock_off, and map-in-map outers name their inner template map by
// MapDef::inner_map (always an earlier map).  Every program is fully
// determined by (flavour, seed): the random source is our own splitmix64, not a
// standard-library distribution whose output differs between implementations.
//
// Header-only (the implementation is in progen.cpp and progen_bodies.inc, included at
// the bottom) because test binaries are built from tests/<layer>_*_test.cpp only.
#pragma once

#include <cstdint>
#include <string>

#include "isa/program.h"
#include "isa/result.h"

namespace bpfvet::testsupport {

/// The kind of program to generate.
enum class GenFlavour : uint8_t { Alu, Stack, Map, Packet, Context, Helpers, Maps, Refs, Calls };

/// Every flavour, in declaration order.
inline constexpr GenFlavour kGenFlavours[] = {GenFlavour::Alu,     GenFlavour::Stack,   GenFlavour::Map,
                                              GenFlavour::Packet,  GenFlavour::Context, GenFlavour::Helpers,
                                              GenFlavour::Maps,    GenFlavour::Refs,    GenFlavour::Calls};

/// "alu", "stack", "map", "packet", "context", "helpers", "maps", "refs", "calls".
inline const char* gen_flavour_name(GenFlavour f);

/// One generated program and what the generator meant by it.
struct GeneratedProgram {
  isa::Program program;  // decoded, with maps (MapIdx references) and type set
  std::string recipe;    // the deliberate choices, e.g. "map:hash nullchk=none varoff=mask"
};

/// Generates the program for (flavour, seed).  Deterministic: the same arguments
/// always give the same instructions, maps and type.  Program types used: socket_filter,
/// xdp, sched_cls, kprobe (packet programs: xdp and sched_cls, rarely socket_filter).
/// An Error only if the generator produced something undecodable (a generator bug).
inline Result<GeneratedProgram> generate_program(GenFlavour flavour, uint64_t seed);

/// The program's disassembly, one `IDX: (OP) text` line per instruction, for failure
/// messages.
inline std::string program_listing(const isa::Program& prog);

}  // namespace bpfvet::testsupport

#include "tests/support/progen.cpp"  // IWYU pragma: keep
