"""The error catalogue (reportkit.exceptions): one module, a stable code per class, the context
carried as data and passed whole between processes."""
import ast

from reportkit import config, exceptions
from reportkit.exceptions import (NoDataError, ReportkitError, UnknownCountyError, ValueFormatError, by_code,
                                  os_error_message)


def all_classes():
    out, stack = [], [ReportkitError]
    while stack:
        cls = stack.pop()
        out.append(cls)
        stack.extend(cls.__subclasses__())
    return out


def test_every_error_class_lives_in_the_catalogue():
    elsewhere = []
    for path in (config.ROOT / "reportkit").rglob("*.py"):
        if path.name == "exceptions.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    (getattr(b, "id", None) or getattr(b, "attr", "")).endswith(("Error", "Problem", "Exception"))
                    for b in node.bases):
                elsewhere.append(f"{path.relative_to(config.ROOT)}:{node.name}")
    assert elsewhere == []


def test_every_class_has_its_own_stable_code_and_a_chinese_title():
    classes = [c for c in all_classes() if c.__module__ == "reportkit.exceptions"]
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes)), codes
    for cls in classes:
        assert cls.__dict__.get("code"), cls.__name__             # its own, not inherited
        assert any("\u4e00" <= ch <= "\u9fff" for ch in cls.title), cls.__name__
        assert by_code(cls.code) is cls


def test_message_from_the_template_when_none_is_given():
    exc = ValueFormatError(file="v.csv", row=3, column="value", value="12,3")
    assert str(exc) == "文件 v.csv,第 3 行,“value”列:单元格的内容不是所需的格式"


def test_context_and_exit_code_survive_a_trip_through_json():
    import json
    exc = UnknownCountyError("未知的县区“xinchan”", county="xinchan", file="counties.csv", exit_code=2,
                             hint="检查拼写")
    back = ReportkitError.from_dict(json.loads(json.dumps(exc.to_dict(), ensure_ascii=False)))
    assert type(back) is UnknownCountyError and back.exit_code == 2 and str(back) == str(exc)
    assert back.to_dict()["code"] == "unknown-county" and back.county == "xinchan"


def test_usage_errors_are_passed_an_exit_code_not_a_new_class():
    exc = NoDataError("没有数据", exit_code=2)
    assert type(exc) is NoDataError and exc.exit_code == 2 and NoDataError("x").exit_code == 1


def test_os_errors_are_told_as_staff_can_act_on_them():
    import errno
    assert "磁盘空间不足" in os_error_message(OSError(errno.ENOSPC, "No space left on device", "build/x.docx"))
    assert exceptions.os_error_message is os_error_message
