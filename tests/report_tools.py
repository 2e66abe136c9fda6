"""The system programs the report tests drive: Debian's chromium (through Playwright, never a browser download)
and LibreOffice. Under CI (``CI`` set, as .ci/run does and installs both) a missing program fails the test; on a
developer's machine without it the test is skipped, saying what to install."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


def require(program: str, package: str) -> str:
    path = program if os.path.isabs(program) and os.access(program, os.X_OK) else shutil.which(program)
    if path:
        return path
    message = f"{program} is not installed (apt-get install {package}; .ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def soffice_recalculate(files: list[Path], outdir: Path) -> list[Path]:
    """Open each workbook in headless LibreOffice with 'recalculate on load: always' and save it again as xlsx.

    LibreOffice keeps the cached values of an xlsx on load by default (OOXMLRecalcMode 1, never), so a private
    profile sets the mode to 0 (always); the caller proves the recalculation with deliberately wrong caches.
    """
    import subprocess
    soffice = require("soffice", "libreoffice-calc-nogui")
    with tempfile.TemporaryDirectory() as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
        run = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                              "--convert-to", "xlsx", "--outdir", str(outdir), *map(str, files)],
                             capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    out = [outdir / f.name for f in files]
    assert all(p.exists() for p in out), run.stdout + run.stderr
    return out
