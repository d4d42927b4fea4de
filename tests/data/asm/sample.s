; A small program in the mixed syntax the assembler accepts: labels, both
; spellings of offsets, v4 instructions, a bpf-to-bpf call and a 64-bit constant.
; tests/isa_printer_test.cpp assembles it and compares the listing with sample.lst.
entry:
    r6 = r1                          ; keep the context
    r2 = *(u32 *)(r6 + 0)            // LLVM spelling
    r3 = *(u32 *)(r6 +4)             # kernel spelling
    r4 = r2
    r4 += 14
    if r4 > r3 goto drop
    r5 = *(s8 *)(r2 +12)             ; ldsx (ISA v4)
    w5 = (s16)w5
    r5 = bswap16 r5
    r0 = 0
    r7 = 3
loop:
    r0 += r7
    r7 += -1
    if w7 s> 0 goto loop
    may_goto +1
    call helper
    r1 = 0xfeedface00000001 ll
    *(u64 *)(r10 -8) = r1
    lock *(u64 *)(r10 -8) += r0
    r0 = atomic_fetch_or((u64 *)(r10 -8), r0)
    gotol out
drop:
    r0 = 1
out:
    exit
helper:
    r0 s/= 3
    r0 = *(u8 *)skb[r6 + 2]
    exit
