"""Shrink the ICU data library in the Linux bundle to what PayApp can use (~31 MB → ~5 MB).

    python tools/trim_icu.py dist/PayApp/_internal/PySide6/Qt/lib/libicudata.so.73

Qt links ICU for locale-aware case mapping, collation (QCollator), normalisation and IDNA. The PySide6 wheel's
libicudata carries the data of every locale, every legacy character converter and every transliterator. PayApp
speaks English and German, reads and writes UTF-8 only, and transliterates nothing, so this keeps the locale-free
data (properties, normalisation, break rules, time zones, likely subtags, plurals) and the root, English and
German locale data, and drops the other ~700 locales, the .cnv converters, the transliterators and the CJK/Thai
word dictionaries. A locale asked for that is not kept falls back to root, as ICU does for any unknown locale.

The library is only data: one exported symbol `icudt<NN>_dat` holding an ICU "common data" package
(a table of contents of named items). This reads that package out of the .so, writes a package with the kept
items in the same format, and links a new data-only .so with the same soname and symbol (gcc + .incbin).
Windows and macOS bundles are unaffected: Qt there uses the OS's ICU.
"""

from __future__ import annotations

import argparse
import re
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

KEEP_LANGUAGES = {"root", "en", "de"}
# Item names that look like locale ids but are not locale data.
NOT_LOCALES = {"pool", "res_index"}
# "de", "de_AT", "zh_Hant_TW", "es_" (a collation alias), "coll/de__PHONEBOOK" ...
LOCALE_ITEM = re.compile(r"^(?:[a-z]+/)?(?P<lang>[a-z]{2,3}|root)(?:_[A-Za-z0-9]*)*\.res$")


def keep_item(name: str) -> bool:
    """`name` without the "icudt73l/" prefix, e.g. "coll/de.res", "brkitr/cjdict.dict", "ibm-943_P15A-2003.cnv"."""
    if name.endswith(".cnv") or name.endswith(".dict"):
        return False
    if name.startswith("translit/"):
        return name == "translit/root.res"
    base = name.rsplit("/", 1)[-1].removesuffix(".res")
    if base in NOT_LOCALES:
        return True
    match = LOCALE_ITEM.match(name)
    return match is None or match.group("lang") in KEEP_LANGUAGES


def read_symbol(so: Path) -> tuple[str, bytes]:
    """The data symbol's name and bytes (from the dynamic symbol table and the section it lives in)."""
    syms = subprocess.run(["readelf", "-W", "--dyn-syms", str(so)], check=True, capture_output=True,
                          text=True).stdout
    for line in syms.splitlines():
        parts = line.split()
        if len(parts) >= 8 and re.fullmatch(r"icudt\d+_dat", parts[7]):
            address, size, name = int(parts[1], 16), int(parts[2], 0), parts[7]
            break
    else:
        raise SystemExit(f"{so}: no icudtNN_dat symbol")
    sections = subprocess.run(["readelf", "-W", "-S", str(so)], check=True, capture_output=True, text=True).stdout
    for line in sections.splitlines():
        m = re.search(r"\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if m:
            sec_addr, sec_off, sec_size = (int(g, 16) for g in m.groups())
            if sec_addr <= address < sec_addr + sec_size:
                data = so.read_bytes()
                start = sec_off + (address - sec_addr)
                return name, data[start:start + size]
    raise SystemExit(f"{so}: the section of {name} was not found")


def parse_package(blob: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """(header, [(item name, item bytes)]) of an ICU common data package (little-endian, "CmnD")."""
    header_size = struct.unpack_from("<H", blob, 0)[0]
    if blob[2:4] != b"\xda\x27" or blob[12:16] != b"CmnD":
        raise SystemExit("not an ICU common data package")
    toc = header_size
    count = struct.unpack_from("<I", blob, toc)[0]
    entries = [struct.unpack_from("<II", blob, toc + 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_off, data_off) in enumerate(entries):
        name_end = blob.index(b"\0", toc + name_off)
        name = blob[toc + name_off:name_end].decode("ascii")
        end = toc + entries[i + 1][1] if i + 1 < count else len(blob)
        items.append((name, blob[toc + data_off:end]))
    return blob[:header_size], items


def build_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """The same format: header, count, (name offset, data offset) pairs, the names, then each item 16-aligned."""
    items = sorted(items)                     # ICU looks items up by binary search on the names
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    toc_len = 4 + 8 * len(items)
    data_start = (len(header) + toc_len + len(names) + 15) // 16 * 16 - len(header)
    offsets, body, name_pos, pos = [], bytearray(), toc_len, data_start
    for name, data in items:
        offsets.append((name_pos, pos))
        name_pos += len(name) + 1
        padded = data + b"\0" * (-len(data) % 16)
        body += padded
        pos += len(padded)
    toc = struct.pack("<I", len(items)) + b"".join(struct.pack("<II", *o) for o in offsets)
    gap = b"\0" * (data_start - toc_len - len(names))
    return header + toc + names + gap + bytes(body)


def link_data_library(symbol: str, package: bytes, soname: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        dat = Path(tmp) / "data.dat"
        dat.write_bytes(package)
        asm = Path(tmp) / "data.S"
        asm.write_text(f'    .section .rodata\n    .globl {symbol}\n    .type {symbol}, @object\n    .balign 16\n'
                       f'{symbol}:\n    .incbin "{dat}"\n    .size {symbol}, . - {symbol}\n'
                       '    .section .note.GNU-stack,"",@progbits\n')
        subprocess.run(["gcc", "-shared", "-nostdlib", f"-Wl,-soname,{soname}", "-o", str(out), str(asm)],
                       check=True)


def trim(so: Path) -> tuple[int, int]:
    symbol, blob = read_symbol(so)
    header, items = parse_package(blob)
    prefix = items[0][0].split("/", 1)[0] + "/"
    kept = [(name, data) for name, data in items if keep_item(name.removeprefix(prefix))]
    before = so.stat().st_size
    link_data_library(symbol, build_package(header, kept), so.name, so)
    return before, so.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library", type=Path)
    args = parser.parse_args()
    before, after = trim(args.library)
    print(f"{args.library.name}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
