#!/usr/bin/python3
"""Names the functions behind the qemu_icount plugin's block counts (profile=on).

The plugin writes, per executed block, the block's offset in the file it was mapped from, its
instruction count and the file's path. This module turns a file offset into the ELF virtual
address (program headers) and that into the function containing it (the symbol table, or the
dynamic one for stripped libraries such as libc), and sums the counts per function.

    arm_profile.py ICOUNT_FILE [--pid PID] [--top N]
"""
import argparse
import bisect
import collections
import pathlib
import struct
import sys


class Elf32:
    """The parts of a 32-bit little-endian ELF file a profile needs: loads and function symbols."""

    def __init__(self, path):
        data = pathlib.Path(path).read_bytes()
        if data[:4] != b"\x7fELF" or data[4] != 1 or data[5] != 1:
            raise ValueError(f"{path}: not a 32-bit little-endian ELF file")
        (e_phoff, e_shoff, _flags, _ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum,
         _shstrndx) = struct.unpack_from("<IIIHHHHHH", data, 0x1C)
        self.loads = []  # (file offset, size, vaddr)
        for k in range(e_phnum):
            p_type, p_offset, p_vaddr, _pa, p_filesz = struct.unpack_from(
                "<IIIII", data, e_phoff + k * e_phentsize)
            if p_type == 1:  # PT_LOAD
                self.loads.append((p_offset, p_filesz, p_vaddr))
        sections = [struct.unpack_from("<IIIIIIIIII", data, e_shoff + k * e_shentsize)
                    for k in range(e_shnum)]
        symbols = {}
        for wanted in (2, 11):  # SHT_SYMTAB, else SHT_DYNSYM
            for sh in sections:
                if sh[1] != wanted:
                    continue
                strtab = sections[sh[6]]
                for off in range(sh[4], sh[4] + sh[5], 16):
                    st_name, st_value, st_size, st_info = struct.unpack_from("<IIIB", data, off)
                    if st_info & 0xF != 2 or st_value == 0:  # STT_FUNC only
                        continue
                    start = strtab[4] + st_name
                    name = data[start:data.index(b"\0", start)].decode(errors="replace")
                    # Thumb functions have bit 0 set; keep the longest name per address
                    addr = st_value & ~1
                    if addr not in symbols or len(name) > len(symbols[addr][0]):
                        symbols[addr] = (name, st_size)
            if symbols:
                break
        self.addrs = sorted(symbols)
        self.symbols = [symbols[a] for a in self.addrs]

    def function_at(self, file_offset):
        vaddr = None
        for off, size, va in self.loads:
            if off <= file_offset < off + size:
                vaddr = va + (file_offset - off)
                break
        if vaddr is None:
            return None
        k = bisect.bisect_right(self.addrs, vaddr) - 1
        if k < 0:
            return None
        name, size = self.symbols[k]
        if size and vaddr >= self.addrs[k] + size:
            return None
        return name


def read_counts(path, pid=None):
    """{pid: (total, [(offset, count, file)])} of an icount file."""
    procs = {}
    current = None
    for line in pathlib.Path(path).read_text().splitlines():
        parts = line.split(" ", 3)
        if parts[0] == "pid":
            current = int(parts[1])
            procs[current] = (int(parts[3]), [])
        elif parts[0] == "tb" and current is not None:
            procs[current][1].append((int(parts[1], 16), int(parts[2]), parts[3]))
        elif parts[0] == "end":
            current = None
    if pid is not None:
        return {pid: procs[pid]}
    return procs


def profile(blocks):
    """[(function, file, instructions)] sorted by instructions, from a process's blocks."""
    elves = {}
    per_function = collections.Counter()
    for offset, count, path in blocks:
        if path not in elves:
            try:
                elves[path] = Elf32(path)
            except (OSError, ValueError):
                elves[path] = None
        elf = elves[path]
        name = elf.function_at(offset) if elf else None
        per_function[(name or "?", pathlib.Path(path).name)] += count
    return [(f, lib, n) for (f, lib), n in per_function.most_common()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("icount")
    ap.add_argument("--pid", type=int)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    procs = read_counts(args.icount, args.pid)
    for pid, (total, blocks) in procs.items():
        print(f"pid {pid}: {total:,} instructions")
        for name, lib, n in profile(blocks)[:args.top]:
            print(f"  {100.0 * n / total:6.2f} %  {n:>14,}  {name}  ({lib})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
