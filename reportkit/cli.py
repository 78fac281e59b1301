"""Command line: `reportkit figures|report|all|template …` (thin; the work is in the library)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import config
from .exceptions import ReportkitError


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, default=None, help="数据文件夹(默认 data/)")


def cmd_figures(args) -> int:
    from .report import compute_report_figures
    rf = compute_report_figures(args.county, args.year, data_dir=args.data)
    out = sys.stdout
    c = rf.county
    out.write(f"{c.name} {args.year} 年主要科技创新指标\n\n")
    out.write(rf.paragraph + "\n")
    if rf.targets:
        out.write(f"\n{args.year + 1} 年目标:" + rf.targets_sentence + "\n")
    out.write("\n指标表:\n")
    table = rf.table()
    out.write(table.to_string(index=False) + "\n")
    for f in rf.figures:
        for w in f.warnings:
            out.write(f"\n提示:{f.name}:{w}")
    if rf.illustrative:
        out.write("\n\n注意:部分数据为示例数据(来源注明“示例”),不得引用。\n")
    if args.csv:
        path = Path(args.csv)
        rf.figures_frame().to_csv(path, index=False, encoding="utf-8-sig")
        out.write(f"\n指标数据表已写入 {path}\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reportkit", description="科技局年度工作总结:由数据生成报告")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("figures", help="打印某县区某年的指标语句和指标表")
    p.add_argument("--county", required=True, help="县区代码,如 xinchang")
    p.add_argument("--year", required=True, type=int, help="年份,如 2024")
    p.add_argument("--csv", help="另存指标数据表(CSV)到此路径")
    _add_common(p)
    p.set_defaults(func=cmd_figures)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ReportkitError as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
