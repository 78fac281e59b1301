"""Command line: `reportkit figures|report|all|template …` (thin; the work is in the library)."""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from pathlib import Path

from . import __version__, config
from .exceptions import OutputFolderError, ParameterError, ReportkitError, os_error_message


def _add_build(p: argparse.ArgumentParser) -> None:
    p.add_argument("--build", type=Path, default=None, help="输出根目录(默认 build/)")


def _add_common(p: argparse.ArgumentParser, *, build: bool = False) -> None:
    """--data, and --build for a command that writes or reads outputs."""
    if build:
        _add_build(p)
    p.add_argument("--data", type=Path, default=None, help="数据文件夹(默认 data/)")


def _add_rebuild(p: argparse.ArgumentParser, force_help: str) -> None:
    """The options of a command that builds county reports."""
    p.add_argument("--strict", action="store_true", help="叙述段落有空缺时报错")
    p.add_argument("--force", action="store_true", help=force_help)
    p.add_argument("--clean", action="store_true", help="数据更新不以修订标出,直接写新数字")


def _add_parallel(p: argparse.ArgumentParser, jobs_help: str) -> None:
    """The options of a command that builds many outputs at once."""
    p.add_argument("--jobs", type=int, default=None, help=jobs_help)
    p.add_argument("--no-progress", action="store_true", help="不显示进度条")


def cmd_figures(args) -> int:
    from .inputs import parameters
    from .model.report import compute_report_figures
    parameters.validate(args.county, args.year, args.data)
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
            out.write(f"\n提示:{f.name}:{w}\n")
    if rf.illustrative:
        from .model.report import ILLUSTRATIVE_NOTICE
        out.write(f"\n\n注意:{ILLUSTRATIVE_NOTICE}\n")
    if args.csv:
        path = Path(args.csv)
        rf.figures_frame().to_csv(path, index=False, encoding="utf-8-sig")
        out.write(f"\n指标数据表已写入 {path}\n")
    return 0


def cmd_import(args) -> int:
    from .editing.importer import import_report
    from .inputs.parameters import check_slug, check_year
    result = import_report(check_slug(args.county), check_year(args.year), args.file, data_dir=args.data,
                           preview=args.preview)
    print(result.summary())
    if args.preview:
        print(f"\n—— 将写入 {_show(result.narrative_path)} ——\n{result.narrative_text}")
        print("预览:没有写入任何文件(去掉 PREVIEW=1 即写入)")
    else:
        print("\n已写入:" + "、".join(_show(p) for p in result.written) if result.written
              else "\n数据和叙述文件中已经是这些内容,没有写入任何文件")
        if result.kept:
            print("原有文件已另存:" + "、".join(_show(p) for p in result.kept))
        print(f"下一步:make check,然后 make report COUNTY={result.county} YEAR={result.year}")
    return 0


def cmd_new(args) -> int:
    from .editing.nextyear import start_next_year
    from .inputs.parameters import check_slug, check_year
    out = start_next_year(check_slug(args.county), check_year(args.year), data_dir=args.data, preview=args.preview)
    if args.preview:
        print(out.text)
        print("预览:没有写入任何文件")
    else:
        print(f"已由 {_show(out.source)} 开始 {_show(out.path)}:{out.carried} 段上年原文标为“待修改”,"
              f"逐段修改或确认(删去段首标记)后,STRICT=1 才能生成")
    return 0


def _up_to_date(reason: str, docx: Path, target: str) -> int:
    """A build skipped because nothing it depends on changed: why, where, and how to force it."""
    print(f"{reason}:{_show(docx)}")
    print(f"如需强制重新生成,加 --force(make {target} … FORCE=1)。")
    return 0


def cmd_report(args) -> int:
    from .run.build import build_report
    from .inputs.tables import unread_notes
    for line in unread_notes(Path(args.data or config.DATA_DIR)):
        print(f"提示:{line}")
    out = build_report(args.county, args.year, data_dir=args.data, build_root=args.build,
                       strict=args.strict, force=args.force, clean=args.clean, verbose=args.verbose)
    paths = out.paths
    if out.action == "skipped":
        return _up_to_date(out.decision.reason, paths.docx, "report")
    if out.action == "kept":
        print(f"{out.decision.reason}:{_show(paths.docx)}")
        print(f"要把编辑写回叙述文件:make harvest COUNTY={out.county} YEAR={out.year};"
              f"要按数据重新生成(编辑稿会先保留并写回):make report COUNTY={out.county} YEAR={out.year} FORCE=1")
        return 0
    if out.harvest is not None:
        _print_harvest(out.harvest)
    r = out.run
    if args.verbose:
        for step, seconds in r.timings:
            print(f"  {seconds:6.2f} 秒  {step}", file=sys.stderr)
    print(f"完成({r.seconds:.1f} 秒)。输出在 {_show(r.out_dir)}/:")
    for label, path in (("Word 文档", r.docx), ("执行后的笔记本", r.notebook), ("笔记本 HTML", r.html),
                        ("指标数据", paths.figures_csv), ("图表", paths.charts_dir)):
        print(f"  {label}: {_show(path)}")
    if out.kept:
        print(f"  原文档已保留为: {_show(out.kept)}")
        if out.harvest is None:
            print(f"  (原文档没有生成记录,无法判断是否被编辑过;如其中有编辑的修改,请用 "
                  f"make harvest COUNTY={out.county} YEAR={out.year} FILE={_show(out.kept)} 写回)")
    if out.changes:
        print(f"数据更新({len(out.changes)} 处,{'已在文档中标为修订,作者“数据更新”' if not args.clean else '文档中直接写新值'};"
              f"明细见 {_show(paths.changes_csv)}):")
        for c in out.changes:
            print(f"  {c['label']} {c['old']} → {c['new']}" + (f"({c['where']})" if c["where"] else ""))
    return 0


def _print_harvest(h, *, diff: bool = True) -> None:
    """The Chinese summary of what an editor's document carried into the narrative file."""
    if h.written:
        print(f"编辑稿 {_show(h.file)} 中的修改已写回 {_show(h.narrative)}"
              + (f"(原文件备份为 {_show(h.backup)})" if h.backup else "") + ":")
    elif h.changed:
        print(f"编辑稿 {_show(h.file)} 中的修改(未写入,仅预览):")
    else:
        print(f"编辑稿 {_show(h.file)} 与叙述文件一致,叙述文件未改动。")
    if h.kept:
        print(f"编辑稿已另存为 {_show(h.kept)}(未能写回的内容在其中保留)")
    for line in h.summary_lines():
        print("  " + line)
    if diff and h.changed:
        print(h.diff())


def _show(path: Path) -> str:
    """A path as the user typed it: relative to the project when inside it."""
    try:
        return str(Path(path).resolve().relative_to(config.ROOT))
    except ValueError:
        return str(path)


def cmd_all(args) -> int:
    from .run.batch import notes, run_batch, summary
    from .run.fingerprint import DataIndex
    idx = DataIndex.read(args.data)
    jobs = run_batch(args.year, data_dir=args.data, build_root=args.build, counties=args.county or None,
                     jobs=args.jobs, scheduler=args.scheduler, force=args.force, strict=args.strict,
                     clean=args.clean, progress=not args.no_progress, index=idx)
    print(summary(jobs, args.build))
    for line in notes(args.year, args.data, explicit=bool(args.county), index=idx):
        print(f"提示:{line}")
    return 1 if any(j.status == "failed" for j in jobs) else 0


def cmd_city(args) -> int:
    """The city's view: one city (or every city with data: --city all), built or skipped."""
    from .run.city import build_city
    from .run.fingerprint import DataIndex
    if args.city == "all":
        from .run.batch import run_cities, summary
        jobs = run_cities(args.year, data_dir=args.data, build_root=args.build, force=args.force,
                          jobs=args.jobs, progress=not args.no_progress)
        print(summary(jobs, args.build, unit="市"))
        return 1 if any(j.status == "failed" for j in jobs) else 0
    idx = DataIndex.read(args.data)
    out = build_city(args.city, args.year, county=args.county or "", data_dir=args.data, build_root=args.build,
                     force=args.force, index=idx, verbose=args.verbose)
    if out.action == "skipped":
        return _up_to_date("汇总已是最新(数据、县区报告状态、设置和代码都没有变化)", out.paths.docx, "city")
    if out.action == "kept":
        print(f"汇总文档生成后被编辑过,输入没有变化:未重新生成:{_show(out.paths.docx)}(要重新生成加 FORCE=1,编辑稿会先保留)")
        return 0
    print(f"完成({out.seconds:.1f} 秒)。输出在 {_show(out.paths.out_dir)}/:")
    for label, path in (("Word 文档", out.paths.docx), ("笔记本 HTML", out.paths.html),
                        ("指标数据", out.paths.figures_csv), ("图表", out.paths.charts_dir)):
        print(f"  {label}: {_show(path)}")
    if out.kept:
        print(f"  原文档已保留为: {_show(out.kept)}")
    return 0


def cmd_pdf(args) -> int:
    from .inputs.parameters import check_slug, check_year
    from .run.pdf import report_pdf
    county, year = check_slug(args.county), check_year(args.year)
    out = report_pdf(county, year, build_root=args.build, file=check_document_file(args.file))
    print(f"已生成 PDF:{_show(out)}")
    return 0


def cmd_check(args) -> int:
    from .run.check import check
    r = check(args.data)
    print(f"检查 {_show(r.root)}(县区登记、指标目录、数据表和 {r.narratives} 个叙述文件)……")
    for line in r.lines():
        print(line)
    if r.ok:
        print("没有发现错误。")
        return 0
    print(f"共 {len(r.errors)} 个错误,请逐条改正后再运行 make check。", file=sys.stderr)
    return 1


def cmd_harvest(args) -> int:
    from .editing.harvest import harvest
    from .inputs.parameters import check_slug, check_year
    county, year = check_slug(args.county), check_year(args.year)
    with _settled(county, year, args.build):
        h = harvest(county, year, file=check_document_file(args.file), data_dir=args.data, build_root=args.build,
                    write=not args.dry_run, allow_conflict=args.force)
    _print_harvest(h)
    if h.written:
        print(f"重新生成以带上这些修改:make report COUNTY={county} YEAR={year}")
    return 0


def cmd_audit(args) -> int:
    from .editing.audit import audit
    from .inputs.parameters import check_slug, check_year
    county, year = check_slug(args.county), check_year(args.year)
    with _settled(county, year, args.build):
        a = audit(county, year, file=check_document_file(args.file), data_dir=args.data, build_root=args.build,
                  comments=args.comments)
    print(f"核对 {_show(a.file)} 中的数字(按 {county} {year} 年的当前数据):")
    for line in a.summary_lines():
        print("  " + line)
    print(f"明细:{_show(a.csv_path)}")
    if a.commented:
        print(f"带批注的副本:{_show(a.commented)}")
    if not a.ok:
        print(f"有 {len(a.of('mismatch'))} 个数字与数据不一致。", file=sys.stderr)
        return 1
    print("没有与数据不一致的数字。")
    return 0


@contextlib.contextmanager
def _settled(county: str, year: int, build_root):
    """A command that reads (or writes beside) a county-year's outputs: not while a run of it is
    moving its outputs in, and never on the mix a killed run left (completed first)."""
    from .outputs import state
    paths = config.report_paths(county, year, build_root)
    if not paths.out_dir.exists():
        yield
        return
    lock = state.report_lock(paths)
    try:
        lock.__enter__()
    except OutputFolderError:       # a read-only build/: no run can be writing it; read it as it is
        yield
        return
    try:
        state.recover(paths)
        yield
    finally:
        lock.__exit__(None, None, None)


def cmd_clean(args) -> int:
    from .outputs.state import clean
    kept = clean(args.build)
    for path, why in kept:
        print(f"保留 {_show(path)}({why})")
    print("已删除可以重新生成的输出。")
    return 0


def cmd_bless(args) -> int:
    from .run.guard import bless, guarded
    if getattr(args, "city", None):
        from .run.guard import bless_city
        if not args.year:
            raise ParameterError("CITY 要和 YEAR 一起指定", hint="如 make bless CITY=温州市 YEAR=2024")
        path = bless_city(args.city, int(args.year))
        print(f"已更新全市汇总的参考笔记本 {_show(path)}")
        print("make test 会按这个笔记本核对已发布的汇总。请检查 git diff 后提交。")
        return 0
    if bool(args.county) != bool(args.year):
        raise ParameterError("COUNTY 和 YEAR 要一起指定", hint="如 make bless COUNTY=xinchang YEAR=2024;都不写则更新全部")
    targets = [(args.county, args.year)] if args.county else None
    if not targets and not guarded():
        print("还没有受保护的报告。用 make bless COUNTY=… YEAR=… 保护一份已发布的报告。")
        return 0
    for path in bless(targets):
        print(f"已更新参考笔记本 {_show(path)}")
    print("make test 会按这些笔记本核对已发布的数字。请检查 git diff 后提交。")
    return 0


def cmd_unbless(args) -> int:
    from .run.guard import unbless
    path = unbless(args.county, int(args.year))
    print(f"已删除参考笔记本 {_show(path)}:{args.county} {args.year} 年不再受保护。请提交这一删除。")
    return 0


def cmd_template(args) -> int:
    from docx import Document
    from .document.template import check_template, template_problems
    path = Path(args.check or config.DEFAULT_TEMPLATE)
    markers = check_template(path)
    problems = template_problems(Document(path))
    print(f"模板 {_show(path)} 可用,块的顺序:{' '.join(markers)}")
    for p in problems:
        print(f"不符合 GB/T 9704-2012:{p}")
    return 1 if problems else 0


def _document_command(sub, name: str, help_text: str, file_help: str, func) -> argparse.ArgumentParser:
    """A command that reads one county-year's document: --county, --year, --file, --build, --data."""
    p = sub.add_parser(name, help=help_text)
    _county_year(p, "年份,如 2024")
    p.add_argument("--file", type=Path, default=None, help=file_help)
    _add_common(p, build=True)
    p.set_defaults(func=func)
    return p


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="用法:" if prefix is None else prefix)


#: argparse's own messages, in Chinese (the patterns of CPython 3.10–3.13)
_ARGPARSE_ZH = [
    (r"the following arguments are required: (.*)", lambda m: f"缺少必需的参数:{m.group(1).replace(', ', '、')}"),
    (r"argument (\S+): invalid int value: '(.*)'", lambda m: f"参数 {m.group(1)} 的值“{m.group(2)}”不是整数"),
    (r"argument (\S+): invalid choice: '(.*?)' \(choose from (.*)\)",
     lambda m: f"没有“{m.group(2)}”这个命令或选项(可用:{m.group(3)})"),
    (r"unrecognized arguments: (.*)", lambda m: f"不认识的参数:{m.group(1)}"),
    (r"argument (\S+): expected one argument", lambda m: f"参数 {m.group(1)} 后面缺少值"),
]


class _Parser(argparse.ArgumentParser):
    """Chinese usage and error messages; exit 2 as argparse does."""

    def __init__(self, *args, **kw):
        kw.setdefault("formatter_class", _Formatter)
        kw.setdefault("add_help", False)
        super().__init__(*args, **kw)
        self._positionals.title, self._optionals.title = "参数", "选项"
        self.add_argument("-h", "--help", action="help", help="显示这段帮助并退出")

    def error(self, message):
        for pattern, zh in _ARGPARSE_ZH:
            m = re.fullmatch(pattern, message)
            if m:
                message = zh(m)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"错误:{message}\n")


def check_document_file(path: Path | None) -> Path | None:
    """FILE= as given: a document (not a folder, not a link that points back to itself), or the
    reason it is not, with the documents that are there."""
    import errno
    if path is None:
        return None
    path = Path(path)
    if path.is_symlink():
        try:
            path.resolve(strict=True)
        except RuntimeError:        # Python < 3.13: "Symlink loop"
            raise OSError(errno.ELOOP, "symlink loop", str(path)) from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise OSError(errno.ELOOP, "symlink loop", str(path)) from None
            raise ParameterError(f"FILE=“{path}”是一个符号链接,它指向的文件不存在",
                                 hint="请给出文档本身的路径,或改正这个链接") from None
    if path.is_dir():
        docs = sorted(p.name for p in path.glob("*.docx") if not p.name.startswith("~$"))[:5]
        listed = f";其中的 Word 文档:{'、'.join(docs)}" if docs else ";其中没有 Word 文档(.docx)"
        raise ParameterError(f"FILE=“{path}”是一个文件夹,不是 Word 文档{listed}",
                             hint="FILE= 请写到文件本身,如 FILE=" + str(path / (docs[0] if docs else "编辑稿.docx")))
    return path


def _county_year(p, year_help: str, year_type=str) -> None:
    """The --county and --year every county-year command takes."""
    p.add_argument("--county", required=True, help="县区代码,如 xinchang")
    p.add_argument("--year", required=True, type=year_type, help=year_help)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="reportkit", description="科技局年度工作总结:由数据生成报告(出错时退出码 1,用法错误 2)")
    parser.add_argument("--version", action="version", version=f"reportkit {__version__}", help="显示版本并退出")
    sub = parser.add_subparsers(dest="command", required=True, title="命令", parser_class=_Parser)
    p = sub.add_parser("figures", help="打印某县区某年的指标语句和指标表")
    _county_year(p, "年份,如 2024", int)
    p.add_argument("--csv", help="另存指标数据表(CSV)到此路径")
    _add_common(p)
    p.set_defaults(func=cmd_figures)

    p = sub.add_parser("import", help="导入一份已发布的报告(.docx/.txt/.md/.html),生成叙述文件和数据行")
    _county_year(p, "报告的年份,如 2024")
    p.add_argument("--file", required=True, type=Path, help="报告文件")
    p.add_argument("--preview", action="store_true", help="只显示将写入的内容,不写任何文件")
    _add_common(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("new", help="由上一年的叙述文件开始新一年的叙述文件(上年原文标为待修改)")
    _county_year(p, "新的年份,如 2025")
    p.add_argument("--preview", action="store_true", help="只显示将写入的内容,不写文件")
    _add_common(p)
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("report", help="运行笔记本,生成某县区某年的 Word 报告")
    _county_year(p, "年份,如 2024")
    _add_rebuild(p, "即使输入没有变化也重新生成(编辑过的文档仍会先保留)")
    p.add_argument("--quiet", action="store_true", help="不显示进度提示")
    p.add_argument("--verbose", action="store_true", help="显示笔记本每个单元格的进度和每一步用的时间")
    _add_common(p, build=True)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("all", help="并行生成某年所有有数据的县区的报告(只重做有变化的)")
    p.add_argument("--year", required=True, type=int, help="年份,如 2024")
    p.add_argument("--county", action="append", help="只生成这些县区(可重复)")
    _add_parallel(p, "并行进程数(默认 CPU 核数加 1)")
    p.add_argument("--scheduler", default=None, help="Dask 调度器地址,如 tcp://10.0.0.5:8786")
    _add_rebuild(p, "全部重新生成(编辑过的文档仍会先保留)")
    _add_common(p, build=True)
    p.set_defaults(func=cmd_all)

    p = sub.add_parser("city", help="全市汇总:一个市各县(市、区)的指标、排名、数据覆盖和报告进度")
    p.add_argument("--city", required=True, help="市名(counties.csv 的 city 列),如 温州市;all 表示所有有数据的市")
    p.add_argument("--year", required=True, type=int, help="年份,如 2024")
    p.add_argument("--county", default=None, help="在图中突出显示的县区代码(可选)")
    p.add_argument("--force", action="store_true", help="即使输入没有变化也重新生成")
    _add_parallel(p, "--city all 时的并行进程数")
    p.add_argument("--verbose", action="store_true", help="显示笔记本每个单元格的进度")
    _add_common(p, build=True)
    p.set_defaults(func=cmd_city)

    p = sub.add_parser("worker", help="批量生成的工作进程(由 reportkit all 启动,内部使用)")
    p.set_defaults(func=lambda args: __import__("reportkit.run.batch", fromlist=["serve"]).serve())

    p = sub.add_parser("check", help="检查整个数据文件夹,一次列出所有问题")
    _add_common(p)
    p.set_defaults(func=cmd_check)

    p = _document_command(sub, "harvest", "把编辑过的 Word 文档写回叙述文件(data/narrative/…)",
                          "编辑稿路径(默认 build/ 中的文档;可以是改过名、经 WPS/LibreOffice 另存的副本)", cmd_harvest)
    p.add_argument("--force", action="store_true", help="叙述文件在生成后也被改过时,仍以文档为准(叙述文件先备份)")
    p.add_argument("--dry-run", action="store_true", help="只显示会写回什么,不改叙述文件")

    p = _document_command(sub, "audit", "核对文档中的每个数字:对应数据、叙述数字或不一致",
                          "要核对的文档(默认 build/ 中的文档)", cmd_audit)
    p.add_argument("--comments", action="store_true", help="另存一份在不一致的数字上加了批注的副本")

    _document_command(sub, "pdf", "把报告转换为 PDF(需要 LibreOffice)", "要转换的文档(默认 build/ 中的文档)", cmd_pdf)

    p = sub.add_parser("clean", help="删除可重新生成的输出(编辑过的文档和 versions/ 保留)")
    _add_build(p)
    p.set_defaults(func=cmd_clean)

    p = sub.add_parser("bless", help="把一份报告置于保护之下,或接受数字的变化(更新参考笔记本)")
    p.add_argument("--county", default=None, help="县区代码(与 --year 一起;都不写则更新全部受保护的报告)")
    p.add_argument("--city", default=None, help="市名:保护这个市的全市汇总(与 --year 一起)")
    p.add_argument("--year", default=None, help="年份")
    p.set_defaults(func=cmd_bless)

    p = sub.add_parser("unbless", help="不再保护某县区某年的报告(删除其参考笔记本)")
    p.add_argument("--county", required=True, help="县区代码")
    p.add_argument("--year", required=True, type=int, help="年份")
    p.set_defaults(func=cmd_unbless)

    p = sub.add_parser("template", help="检查 Word 模板:样式、块标记和 GB/T 9704 的版式要求")
    p.add_argument("--check", help="要检查的模板(默认 templates/gongwen.docx)")
    p.set_defaults(func=cmd_template)
    return parser


def _tolerant_streams() -> None:
    """Output that cannot encode a character (Windows: a console or file in cp936, and a message
    that spells out ‹U+200B›) writes it as an escape instead of failing the command."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _log_to_stderr(*, quiet: bool, verbose: bool) -> None:
    """reportkit's progress and diagnostics (``logging``, loggers under ``reportkit``) go to stderr
    as plain Chinese lines: progress by default, nothing but warnings with --quiet, and the
    developers' diagnostics too with --verbose."""
    import logging

    class Stderr(logging.StreamHandler):
        """Writes to whatever sys.stderr is when a message comes (tests and workers replace it)."""
        reportkit = True
        stream = property(lambda self: sys.stderr, lambda self, value: None)

    logger = logging.getLogger("reportkit")
    if not any(getattr(h, "reportkit", False) for h in logger.handlers):
        handler = Stderr()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)


def main(argv: list[str] | None = None) -> int:
    _tolerant_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    _log_to_stderr(quiet=getattr(args, "quiet", False), verbose=getattr(args, "verbose", False))
    try:
        return args.func(args)
    except ReportkitError as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        print(f"错误:{os_error_message(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130


def run() -> None:
    """The ``reportkit`` command (and ``python -m reportkit``): :func:`main`, then the process ends
    without tearing the interpreter down module by module (a tenth of a second once papermill and
    nbconvert are loaded). Exit handlers still run and the output streams are flushed; every file
    reportkit writes is closed when it is written."""
    code = main()
    from .thirdparty import run_exit_handlers
    if not run_exit_handlers():    # pragma: no cover - another Python: a normal exit
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or broken pipe: nothing more can be said
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
