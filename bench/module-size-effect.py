#!/usr/bin/env python3
"""How module sizes change Breakpad's symbol-less stack scanning.

  bench/module-size-effect.py DUMP [DUMP...]

For each dump, reads it as written and writes three copies whose ELF modules' SizeOfImage is:
  load-span   the PT_LOAD span, .bss included (Windows' SizeOfImage counts uninitialised data)
  file-span   up to the end of the last segment's file bytes (no .bss)
  text-end    up to the end of the last executable segment (what Breakpad's own writer covers)
runs minidump_stackwalk (no symbols) on each and counts the frames found by scanning, and of those how many
point outside any executable mapping of the dump's LINUX_MAPS: return addresses that cannot be.
Needs .tools/breakpad/bin/minidump_stackwalk (scripts/install-breakpad).
"""
import os, re, struct, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STACKWALK = os.path.join(ROOT, ".tools/breakpad/bin/minidump_stackwalk")


def streams(data):
    count, rva = struct.unpack_from("<II", data, 8)
    return {struct.unpack_from("<I", data, rva + 12 * i)[0]: struct.unpack_from("<II", data, rva + 12 * i + 4) for i in range(count)}


def read_string(data, rva):
    n = struct.unpack_from("<I", data, rva)[0]
    return data[rva + 4: rva + 4 + n].decode("utf-16-le")


def program_headers(path):
    with open(path, "rb") as f:
        h = f.read(64)
        if h[:4] != b"\x7fELF" or h[4] != 2:
            return None
        phoff, = struct.unpack_from("<Q", h, 32)
        phentsize, phnum = struct.unpack_from("<HH", h, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    loads = []
    for i in range(phnum):
        p_type, p_flags, p_offset, p_vaddr, _, p_filesz, p_memsz, _ = struct.unpack_from("<IIQQQQQQ", table, i * phentsize)
        if p_type == 1:
            loads.append((p_flags, p_vaddr, p_filesz, p_memsz))
    return loads


def sizes(path):
    loads = program_headers(path) if os.path.isfile(path) else None
    if not loads:
        return None
    page = lambda x: (x + 0xFFF) & ~0xFFF
    low = min(v for _, v, _, _ in loads) & ~0xFFF
    return {
        "load-span": page(max(v + m for _, v, _, m in loads)) - low,
        "file-span": page(max(v + fs for _, v, fs, _ in loads)) - low,
        "text-end": page(max(v + m for fl, v, _, m in loads if fl & 1)) - low,
    }


def executable_ranges(data, s):
    size, rva = s[0x47670009]
    ranges = []
    for line in data[rva: rva + size].decode("utf-8", "replace").splitlines():
        f = line.split()
        if len(f) >= 2 and "x" in f[1]:
            a, b = f[0].split("-")
            ranges.append((int(a, 16), int(b, 16)))
    return ranges


def measure(path):
    data = bytearray(open(path, "rb").read())
    s = streams(data)
    size, rva = s[4]
    count, = struct.unpack_from("<I", data, rva)
    modules = []
    for i in range(count):
        at = rva + 4 + 108 * i
        base, = struct.unpack_from("<Q", data, at)
        modules.append((at, base, read_string(data, struct.unpack_from("<I", data, at + 20)[0])))
    exe = executable_ranges(data, s)
    results = {}
    for variant in ("as-written", "load-span", "file-span", "text-end"):
        copy = bytearray(data)
        for at, base, name in modules:
            v = sizes(name)
            if v and variant != "as-written":
                struct.pack_into("<I", copy, at + 8, v[variant])
        with tempfile.NamedTemporaryFile(suffix=".dmp") as t:
            t.write(copy)
            t.flush()
            out = subprocess.run([STACKWALK, "-m", t.name], capture_output=True, text=True).stdout
        scanned = bad = 0
        for line in out.splitlines():
            f = line.split("|")
            # thread|frame|module|function|file|line|offset (machine-readable); trust is not printed, so frame > 0
            if len(f) >= 7 and f[0].isdigit() and f[1].isdigit() and int(f[1]) > 0:
                m = next((b for _, b, n in modules if os.path.basename(n) == f[2] or n == f[2]), None)
                if m is None or not f[6].startswith("0x"):
                    continue
                scanned += 1
                address = m + int(f[6], 16)
                if not any(a <= address < b for a, b in exe):
                    bad += 1
        results[variant] = (scanned, bad)
    return results


if __name__ == "__main__":
    if not os.path.exists(STACKWALK):
        sys.exit(f"{STACKWALK} is missing: run scripts/install-breakpad")
    print(f"{'dump':40} {'variant':10} {'frames>0':>9} {'not code':>9}")
    for path in sys.argv[1:]:
        for variant, (scanned, bad) in measure(path).items():
            print(f"{os.path.basename(path):40} {variant:10} {scanned:9} {bad:9}")
