"""Make reportkit's chart font: Noto Sans CJK SC Regular cut down to what charts print.

The charts only print indicator names, units, county names, years and numbers, so the shipped
font keeps GB 2312 (6763 hanzi and its symbols), ASCII, Latin-1 and the punctuation a report uses,
plus every character that appears in ``data/`` when this is run. Layout tables matplotlib does not
read (GSUB, GPOS, vertical metrics) are dropped. The result is renamed (SIL OFL 1.1 lets a Modified
Version be distributed under the licence; a distinct name also keeps a system-installed Noto Sans
CJK SC from being picked instead, which would make charts differ between machines).

    python tools/subset_font.py NotoSansCJKsc-Regular.otf   # writes reportkit/charts/fonts/

The source file is Noto Sans CJK SC 1.004 (googlefonts/noto-cjk, also shipped by Debian's
fonts-noto-cjk and by the mplfonts package); run it again when the character set changes.
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "reportkit" / "charts" / "fonts" / "ReportkitSansSC-Regular.otf"
FAMILY = "Reportkit Sans SC"
POSTSCRIPT = "ReportkitSansSC-Regular"


def gb2312() -> set[str]:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def wanted() -> set[str]:
    chars = gb2312()
    chars |= {chr(c) for c in range(0x20, 0x7F)}          # ASCII
    chars |= {chr(c) for c in range(0xA0, 0x100)}         # Latin-1 (°, ±, ×, ·, …)
    chars |= {chr(c) for c in range(0x2010, 0x2040)}      # dashes, quotes, †, ‡, ‰, …
    chars |= {chr(c) for c in range(0x3000, 0x3040)}      # CJK symbols and punctuation
    chars |= {chr(c) for c in range(0xFF01, 0xFF66)}      # full-width forms
    chars |= set("℃№Ⅰ Ⅱ Ⅲ Ⅳ Ⅴ Ⅵ Ⅶ Ⅷ Ⅸ Ⅹ①②③④⑤⑥⑦⑧⑨⑩㎡") - {" "}
    for path in (ROOT / "data").rglob("*"):
        if path.suffix.lower() in (".csv", ".md", ".txt"):
            chars |= set(path.read_text(encoding="utf-8", errors="ignore"))
    return {c for c in chars if c.isprintable() or c == "\u3000"}


def main(source: str) -> None:
    font = TTFont(source)
    cmap = font.getBestCmap()
    chars = sorted(c for c in wanted() if ord(c) in cmap)
    options = subset.Options()
    options.drop_tables += ["GSUB", "GPOS", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 13, 14]
    options.notdef_outline = True
    options.desubroutinize = False
    sub = subset.Subsetter(options)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)
    name = font["name"]
    source_sha = hashlib.sha256(Path(source).read_bytes()).hexdigest()[:16]
    for rec in list(name.names):
        if rec.nameID in (1, 4):
            rec.string = FAMILY if rec.nameID == 1 else f"{FAMILY} Regular"
        elif rec.nameID == 3:
            rec.string = f"{POSTSCRIPT};subset of Noto Sans CJK SC 1.004 sha256:{source_sha}"
        elif rec.nameID == 6:
            rec.string = POSTSCRIPT
    name.names = [r for r in name.names if r.langID in (0, 0x409)]
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [POSTSCRIPT]
        top = cff.topDictIndex[0]
        top.FullName, top.FamilyName = f"{FAMILY} Regular", FAMILY
    font.flavor = None
    font.recalcTimestamp = False          # the same source gives the same bytes
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(OUT)
    print(f"{OUT.relative_to(ROOT)}: {len(chars)} characters, {OUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
