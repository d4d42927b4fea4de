// Turns a Reject into the public Diagnostic: code, kernel wording, our message, a
// plain-words explanation, a fix hint, and the source line.
#pragma once

#include "verifier/context.h"
#include "verifier/reject.h"

namespace bpfvet::verifier {

/// The Diagnostic for rejection `r` of ctx.prog.
Diagnostic make_diagnostic(const VerifierContext& ctx, const Reject& r);

}  // namespace bpfvet::verifier
