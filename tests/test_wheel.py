"""The wheel: every subpackage, the template and the notebook inside; an installed reportkit
builds a report from a plain working folder (data/ and build/ there), far from the source tree."""
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from helpers import copy_real_data
from reportkit import config


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                        str(out), str(config.ROOT)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    (whl,) = out.glob("reportkit-*.whl")
    return whl


def test_the_wheel_holds_every_part(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for part in ("reportkit/document/builder.py", "reportkit/document/reader.py", "reportkit/editing/harvest.py",
                 "reportkit/resources/templates/gongwen.docx", "reportkit/resources/notebooks/report.ipynb",
                 "reportkit/charts/fonts/ReportkitSansSC-Regular.otf", "reportkit/charts/fonts/OFL.txt"):
        assert part in names, part
    sources = {p.relative_to(config.ROOT).as_posix() for p in (config.ROOT / "reportkit").rglob("*.py")}
    assert sources <= set(names)


def test_an_installed_reportkit_builds_a_report(wheel, tmp_path):
    """A bare environment: the wheel installed into its own site-packages, the dependencies seen
    through a .pth file (the editable install of the source tree is not)."""
    env_dir = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    py = env_dir / "bin" / "python"
    site = Path(subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    work = tmp_path / "office"
    copy_real_data(work / "data")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTKIT_")}
    env["PATH"] = f"{env_dir / 'bin'}:{env['PATH']}"
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")    # the dependencies' data files (nbconvert's)
    where = subprocess.run([py, "-c", "import reportkit, reportkit.config as c; print(reportkit.__file__, c.SOURCE_TREE)"],
                           capture_output=True, text=True, cwd=work, env=env)
    assert str(site) in where.stdout and "False" in where.stdout, where.stdout + where.stderr
    r = subprocess.run([py, "-m", "reportkit", "report", "--county", "jiangbei", "--year", "2020"],
                       capture_output=True, text=True, cwd=work, env=env, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    docx = work / "build" / "jiangbei" / "2020" / "jiangbei_2020.docx"
    assert docx.stat().st_size > 10_000
    version = subprocess.run([py, "-m", "reportkit", "--version"], capture_output=True, text=True, cwd=work, env=env)
    assert version.stdout.startswith("reportkit ")
    shutil.rmtree(env_dir)
