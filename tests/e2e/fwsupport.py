"""Target firmware for the tests, made from the spec's description: small ELF executables with a
SHEPHERD_NODE_ID symbol (node-control.md 4.4) and Intel HEX text (3.5)."""
import struct

EM_ARM = 40
EM_MSP430 = 105


def make_elf(path, segments, symbols, machine=EM_ARM, big_endian=False):
    """An ELF32 executable: segments is a list of (name, address, bytes), one PT_LOAD and one
    PROGBITS section each; symbols maps names to (address, size, section name)."""
    e = ">" if big_endian else "<"
    shstr = b"\0" + b"".join(n.encode() + b"\0" for n, _, _ in segments) + \
        b".symtab\0.strtab\0.shstrtab\0"

    def shname(name):
        return shstr.index(name.encode() + b"\0")

    strtab = b"\0" + b"".join(n.encode() + b"\0" for n in symbols)
    sec_index = {n: i + 1 for i, (n, _, _) in enumerate(segments)}
    symtab = bytes(16)  # the null symbol
    for name, (addr, size, sec) in symbols.items():
        symtab += struct.pack(e + "IIIBBH", strtab.index(name.encode() + b"\0"), addr, size,
                              0x11, 0, sec_index[sec])  # STB_GLOBAL, STT_OBJECT
    ehsize, phentsize, shentsize = 52, 32, 40
    phoff = ehsize
    data_off = phoff + phentsize * len(segments)
    body = b""
    offsets = []
    for _, _, blob in segments:
        pad = (-(data_off + len(body))) % 4
        body += bytes(pad)
        offsets.append(data_off + len(body))
        body += blob
    extra = {}
    for name, blob in ((".symtab", symtab), (".strtab", strtab), (".shstrtab", shstr)):
        pad = (-(data_off + len(body))) % 4
        body += bytes(pad)
        extra[name] = (data_off + len(body), len(blob))
        body += blob
    shoff = data_off + len(body) + ((-(data_off + len(body))) % 4)
    shnum = len(segments) + 4
    ident = b"\x7fELF" + bytes([1, 2 if big_endian else 1, 1]) + bytes(9)
    out = ident + struct.pack(e + "HHIIIIIHHHHHH", 2, machine, 1, segments[0][1], phoff, shoff,
                              0, ehsize, phentsize, len(segments), shentsize, shnum, shnum - 1)
    for (_, addr, blob), off in zip(segments, offsets):
        out += struct.pack(e + "IIIIIIII", 1, off, addr, addr, len(blob), len(blob), 5, 4)
    out += body
    out += bytes(shoff - len(out))
    out += bytes(shentsize)
    for (name, addr, blob), off in zip(segments, offsets):
        out += struct.pack(e + "IIIIIIIIII", shname(name), 1, 6, addr, off, len(blob), 0, 0, 4, 0)
    o, n = extra[".symtab"]
    out += struct.pack(e + "IIIIIIIIII", shname(".symtab"), 2, 0, 0, o, n, shnum - 2, 1, 4, 16)
    o, n = extra[".strtab"]
    out += struct.pack(e + "IIIIIIIIII", shname(".strtab"), 3, 0, 0, o, n, 0, 0, 1, 0)
    o, n = extra[".shstrtab"]
    out += struct.pack(e + "IIIIIIIIII", shname(".shstrtab"), 3, 0, 0, o, n, 0, 0, 1, 0)
    with open(path, "wb") as f:
        f.write(out)
    return path


def nrf52_elf(path):
    """nRF52-like: .text at 0 of 0x700 bytes, SHEPHERD_NODE_ID at 0x6C8 (bytes FE AF); the 16 bytes
    at 0x6C0 are those of the spec's patched line with the original id."""
    text = bytearray((i * 7 + 3) & 0xFF for i in range(0x700))
    text[0x6C0:0x6D0] = bytes.fromhex("5FF800F021000020FEAF0000021A5000")
    return make_elf(path, [(".text", 0, bytes(text))], {"SHEPHERD_NODE_ID": (0x6C8, 2, ".text")})


def msp430_elf(path):
    """MSP430-like: .rodata of 2 bytes at 0x4000 (the id, FE AF), .text at 0x4002, the reset
    vector at 0xFFFE."""
    code = bytes((i * 5 + 1) & 0xFF for i in range(0x13A))
    return make_elf(path, [(".rodata", 0x4000, b"\xfe\xaf"), (".text", 0x4002, code),
                           (".vectors", 0xFFFE, b"\x00\x40")],
                    {"SHEPHERD_NODE_ID": (0x4000, 2, ".rodata")}, machine=EM_MSP430)
