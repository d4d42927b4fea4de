// Plain-words explanations and fix hints for each rejection, in terms of the program's
// own instruction and source line.
#include "verifier/explain.h"

#include <algorithm>

#include "isa/printer.h"

namespace bpfvet::verifier {

namespace {

struct Words {
  std::string explanation;
  std::string hint;
};

std::string reg_name(int r) { return r >= 0 ? "r" + std::to_string(r) : std::string("a register"); }

Words words_for(const Reject& r, const std::string& insn) {
  const std::string at = insn.empty() ? std::string("this instruction") : "`" + insn + "`";
  switch (r.code) {
    case ErrorCode::InvalidInsn:
      return {"The instruction " + at + " is not valid for the chosen kernel or program type.",
              "Rebuild the program for the target kernel (e.g. clang -mcpu=v3 for kernels older than 6.6)."};
    case ErrorCode::JumpOutOfRange:
      return {"A jump or call in " + at + " lands outside its function or in the middle of a 64-bit immediate load, "
              "so the kernel cannot know what would run there.",
              "Check hand-written jump offsets; compiled code should never do this."};
    case ErrorCode::FallOffEnd:
      return {"The last instruction of a function is neither `exit` nor a jump, so execution would run past the end.",
              "End every function with `exit` (return a value in r0 first)."};
    case ErrorCode::UnreachableInsn:
      return {"No path from the entry reaches this instruction; the kernel refuses dead code.",
              "Remove the dead instructions or fix the jump that was meant to reach them."};
    case ErrorCode::BackEdge:
      return {"The program contains a loop, and the chosen kernel (before 5.3) only accepts loop-free programs.",
              "Unroll the loop (#pragma unroll) or target a kernel of 5.3 or later."};
    case ErrorCode::InfiniteLoop:
      return {"Execution comes back to this instruction in exactly the same state, so the loop can never end.",
              "Make sure the loop condition depends on a value that changes every iteration."};
    case ErrorCode::ProgramTooLarge:
      return {"Checking every path through the program takes more than the kernel's budget of processed instructions; "
              "usually a loop with a large or unknown bound, or many independent branches.",
              "Bound loops with small constants, move work into bpf_loop() callbacks, or split the program with tail calls."};
    case ErrorCode::TooManyInsns:
      return {"The program has more instructions than the kernel accepts.", "Split the program with tail calls."};
    case ErrorCode::JumpSequenceTooComplex:
      return {"Too many branches are pending at once while exploring paths.",
              "Reduce the number of conditions evaluated in sequence, or split the program."};
    case ErrorCode::UninitRegister:
      return {reg_name(r.reg) + " is read by " + at + " but nothing was written to it on this path "
              "(after a call, r1-r5 are cleared).",
              "Assign " + reg_name(r.reg) + " before this instruction on every path; values needed after a call must live in r6-r9."};
    case ErrorCode::ReadOnlyRegister:
      return {"r10 is the frame pointer and may not be changed.", "Copy r10 into another register and modify the copy."};
    case ErrorCode::InvalidPointerArith:
      return {"The arithmetic in " + at + " is not allowed on this kind of pointer (only adding or subtracting bounded "
              "scalars to pointers into known memory is).",
              "Null-check pointers before arithmetic, bound the offset with a comparison or a mask, and do arithmetic in 64 bits."};
    case ErrorCode::PointerComparison:
      return {"Comparing this pointer would reveal a kernel address to an unprivileged program.",
              "Compare only scalars, or load the program with privileges."};
    case ErrorCode::PointerLeak:
      return {"A kernel address would be stored where user space can read it.",
              "Do not store or return pointers; load with privileges if this is intended."};
    case ErrorCode::DivisionByZero:
      return {"The instruction divides by the constant zero.", "Divide by a non-zero constant or a checked register."};
    case ErrorCode::InvalidShift:
      return {"The shift amount is at least the operand width.", "Shift by less than 32 (32-bit) or 64 (64-bit)."};
    case ErrorCode::InvalidMemAccess:
      return {at + " dereferences " + reg_name(r.reg) + ", which does not hold a pointer to memory the program may access here.",
              "Dereference only pointers obtained from the context, a map lookup, the stack or checked packet data."};
    case ErrorCode::NullPointerDeref:
      return {"The pointer may be NULL (e.g. bpf_map_lookup_elem() found no entry), and it is used without a check.",
              "Add `if (!ptr) return 0;` (or the program type's default action) right after the call."};
    case ErrorCode::StackOutOfBounds:
      return {"The stack access falls outside the 512-byte frame below r10.",
              "Use offsets between -512 and -1 from r10, and bound variable offsets."};
    case ErrorCode::UninitStackRead:
      return {"Stack bytes are read before anything was written to them.",
              "Initialize the variable or buffer (e.g. `= {}` or __builtin_memset) before passing or reading it."};
    case ErrorCode::MisalignedAccess:
      return {"The access is not aligned to its size, which the kernel requires for this memory.",
              "Align the offset to the access size."};
    case ErrorCode::PacketOutOfBounds:
      return {"The packet access is not proven to lie between data and data_end on this path.",
              "Compare against data_end first, e.g. `if (data + 14 > data_end) return XDP_DROP;`, covering every byte read."};
    case ErrorCode::MapValueOutOfBounds:
      return {"The access may fall outside the map value (its value_size), e.g. an index with no upper bound.",
              "Check the index against the array size (`if (i >= N) return 0;`) before using it; use unsigned indices."};
    case ErrorCode::MemOutOfBounds:
      return {"The access may fall outside the memory region (ring buffer record or helper memory).",
              "Keep offsets within the size that was reserved or returned."};
    case ErrorCode::CtxAccess:
      return {"The context field access is not allowed for this program type (wrong offset, size, or a write to a read-only field).",
              "Access context fields through the struct definition for this program type, with their natural sizes."};
    case ErrorCode::UnboundedAccess:
      return {"The offset or size used for memory has no upper bound the verifier can see.",
              "Bound the value with a comparison (`if (len > 64) return 0;`) or a mask (`len &= 63;`)."};
    case ErrorCode::ReadOnlyMemory:
      return {"The program writes to memory it may only read.", "Copy the data to the stack or a writable map value first."};
    case ErrorCode::WriteOnlyMemory:
      return {"The map was created with BPF_F_WRONLY_PROG: programs may store into its values but never read them "
              "(also not by passing a value pointer to a helper that reads it).",
              "Drop BPF_F_WRONLY_PROG from the map's flags if the program needs to read the value, or keep the "
              "data the program reads in another map."};
    case ErrorCode::UnknownHelper:
      // 0xbad2310 is what libbpf (and bpfvet's loader) writes over an instruction whose
      // CO-RE relocation found nothing in the target kernel's BTF.
      if (r.kernel_message.find("#195896080") != std::string::npos)
        return {"This instruction was a CO-RE access (BPF_CORE_READ, a preserve_access_index field, an enum or type "
                "query) that the target kernel's BTF cannot satisfy: the field, type or enumerator does not exist "
                "there, so the loader replaced it with a call to the poison helper 0xbad2310.",
                "Guard the access with bpf_core_field_exists()/bpf_core_type_exists() (or a ___flavour struct for "
                "older kernels), or check the struct and field names against the kernel's BTF (--btf)."};
      return {"The helper id is not one the kernel knows.", "Use helpers from bpf_helper_defs.h that exist in the target kernel."};
    case ErrorCode::HelperNotAllowed:
      return {"This program type may not call that helper.", "Use a helper available to this program type, or change the program type."};
    case ErrorCode::GplOnlyHelper:
      return {"The helper is GPL-only and the program's license is not GPL-compatible.",
              "Declare `char LICENSE[] SEC(\"license\") = \"GPL\";` if the program's license allows it."};
    case ErrorCode::HelperArgType:
      return {"A helper argument in " + reg_name(r.reg) + " has the wrong type for the helper's prototype.",
              "Pass what the helper expects (e.g. a pointer to an initialized stack key, a map from lddw, or the context)."};
    case ErrorCode::HelperArgSize:
      return {"The size passed to the helper is not proven to be positive and within the buffer.",
              "Bound the size with a comparison against the buffer size, and make sure it cannot be zero or negative."};
    case ErrorCode::InvalidMapOp:
      return {"The map type does not support this helper.", "Use the helpers that map type provides."};
    case ErrorCode::CallDepth:
      return {"bpf-to-bpf calls nest deeper than 8 frames.", "Flatten the call chain or inline functions."};
    case ErrorCode::StackTooLarge:
      return {"The stack frames of a chain of calls add up to more than 512 bytes.",
              "Move large buffers to a per-CPU array map."};
    case ErrorCode::TailCallMix:
      return {"Tail calls combined with bpf-to-bpf calls use more stack than the kernel allows.", "Reduce stack use in subprograms."};
    case ErrorCode::NotSupportedByKernel:
      return {"The chosen kernel version does not have this feature.", "Target a newer kernel or avoid the feature."};
    case ErrorCode::UnprivilegedNotAllowed:
      return {"An unprivileged loader may not do this.", "Load the program with CAP_BPF."};
    case ErrorCode::UnreleasedReference:
      return {"A reference acquired on this path (ring buffer record, socket) is not released before the program exits.",
              "Submit or discard every ring buffer reservation, and release every socket, on every path."};
    case ErrorCode::InvalidRelease:
      return {"The value released is not an acquired reference (or was already released).",
              "Release exactly the pointer returned by the acquiring helper, once."};
    case ErrorCode::InvalidReturnValue:
      return {"r0 at exit is not a value this program type may return.",
              "Return one of the values the program type allows, e.g. 0 or 1."};
    case ErrorCode::VerifierBug:
      return {"bpfvet reached an inconsistent state; this is a bug in bpfvet, not necessarily in the program.",
              "Please report it with the program."};
  }
  return {"", ""};
}

}  // namespace

Diagnostic make_diagnostic(const VerifierContext& ctx, const Reject& r) {
  Diagnostic d;
  d.code = r.code;
  d.insn = r.insn;
  d.kernel_message = r.kernel_message;
  std::string insn_text;
  if (r.insn >= 0 && r.insn < ctx.insn_count()) insn_text = isa::print_insn(ctx.insn(r.insn), r.insn);
  d.message = std::string(error_code_meaning(r.code));
  if (!insn_text.empty()) d.message += " (insn " + std::to_string(r.insn) + ": " + insn_text + ")";
  Words w = words_for(r, insn_text);
  d.explanation = r.why.empty() ? w.explanation : r.why + " " + w.explanation;
  d.hint = w.hint;
  // Line info covers the first instruction of each source line: use the nearest one before.
  for (int64_t i = std::min<int64_t>(r.insn, ctx.insn_count() - 1); i >= 0; --i)
    if (const isa::SourceLine* src = ctx.prog.line_of(static_cast<size_t>(i))) {
      d.source = *src;
      break;
    }
  d.notes = r.details;
  return d;
}

}  // namespace bpfvet::verifier
