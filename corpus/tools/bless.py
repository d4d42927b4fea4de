#!/usr/bin/env python3
"""Re-derives the INSN and KERNEL lines of corpus expectation blocks from the running
kernel (via check.sh / kernel_verdict), keeping EXPECT, CODE, TYPE and SECTION as written
(and KERNEL too when it is still a substring of the kernel's error line).
Prints a diff-like summary; the verdict itself must already agree (it is never rewritten,
so a disagreement is reported instead).   usage: bless.py FILE.c|FILE.s...   (needs root)"""
import os, re, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))

def expectation(text, comment):
    fields = {}
    for line in text.splitlines():
        m = re.match(r'^' + re.escape(comment) + r'\s*(EXPECT|CODE|INSN|KERNEL|TYPE|SECTION):\s?(.*)$', line)
        if m:
            fields[m.group(1)] = m.group(2).strip()
        elif fields and not line.startswith(comment):
            break
    return fields

def main():
    status = 0
    for path in sys.argv[1:]:
        comment = ';' if path.endswith('.s') else '//'
        text = open(path).read()
        exp = expectation(text, comment)
        args = [os.path.join(here, 'check.sh'), path]
        if 'TYPE' in exp:
            args += ['--type', exp['TYPE']]
        out = subprocess.run(args, capture_output=True, text=True).stdout
        blocks = re.split(r'^// SECTION: ', out, flags=re.M)[1:]
        chosen = None
        for b in blocks:
            sec = b.split()[0]
            if exp.get('SECTION', sec) == sec and (chosen is None or 'rejected' in b):
                chosen = b
        if chosen is None:
            print(f'{path}: no kernel verdict\n{out}')
            status = 1
            continue
        verdict = 'rejected' if '// EXPECT: rejected' in chosen else 'accepted'
        if verdict != exp.get('EXPECT'):
            print(f'{path}: kernel says {verdict}, file says {exp.get("EXPECT")}')
            status = 1
            continue
        if verdict == 'accepted':
            print(f'{path}: accepted')
            continue
        insn = re.search(r'^// INSN: (-?\d+)', chosen, re.M).group(1)
        kernel = re.search(r'^// KERNEL: (.*)$', chosen, re.M).group(1)
        if exp.get('KERNEL') and exp['KERNEL'] in kernel:
            kernel = exp['KERNEL']  # a hand-trimmed substring that still matches is kept
        lines = text.splitlines(keepends=True)
        lines = [l for l in lines if not re.match(r'^' + re.escape(comment) + r' (INSN|KERNEL):', l)]
        for i, l in enumerate(lines):
            if re.match(r'^' + re.escape(comment) + r' CODE:', l):
                lines[i + 1:i + 1] = [f'{comment} INSN: {insn}\n', f'{comment} KERNEL: {kernel}\n']
                break
        open(path, 'w').write(''.join(lines))
        print(f'{path}: rejected at {insn}: {kernel}')
    return status

sys.exit(main())
