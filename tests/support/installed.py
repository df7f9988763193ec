"""Helpers for the packaging tests: build the sdist and wheel from the project's files, install the wheel
into a fresh venv outside the checkout, and run commands with a bare desktop-like environment.

The fresh venv gets no packages from an index: its runtime dependencies (``project.dependencies``, recursively,
no extras) are the ones already installed for the test run, linked one by one into a folder that a ``.pth`` file
puts on ``sys.path``. Only those: not mediapipe (an extra), not the test tools, not the checkout's editable haikei,
so a dependency the package forgets to declare fails here. That keeps the test offline and fast (no 700 MiB
download and copy), and still installs and imports the wheel exactly as a user's ``pip install`` would.
"""

from __future__ import annotations

import email.parser
import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from support.data import REPO


def project_files(root: Path = REPO) -> list[Path]:
    """The files that belong to the project: tracked or new, not ignored (what a clean clone has, plus
    work not yet committed)."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [root / name for name in out.split("\0") if name and (root / name).is_file()]


def copy_project(dest: Path, root: Path = REPO) -> Path:
    """A copy of the project's files, so that building writes nothing into the checkout."""
    for path in project_files(root):
        target = dest / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return dest


def build_dists(src: Path, outdir: Path) -> tuple[Path, Path]:
    """``python -m build``: the sdist, then the wheel built from the unpacked sdist (so a file missing from
    the sdist is missing from the wheel too)."""
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(outdir), str(src)], check=True, capture_output=True, text=True
    )
    (sdist,) = outdir.glob("haikei-*.tar.gz")
    (wheel,) = outdir.glob("haikei-*.whl")
    return sdist, wheel


def wheel_requirements(wheel: Path) -> list[str]:
    """The wheel's ``Requires-Dist`` lines."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.BytesParser().parsebytes(archive.read(name)).get_all("Requires-Dist") or []


def runtime_distributions(requirements: list[str]) -> list[metadata.Distribution]:
    """The distributions ``requirements`` need, recursively, without extras, as installed for this test run."""
    seen: dict[str, metadata.Distribution] = {}
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        if name in seen or (req.marker is not None and not req.marker.evaluate({"extra": ""})):
            continue
        seen[name] = metadata.distribution(req.name)
        todo.extend(Requirement(r) for r in seen[name].requires or [])
    return list(seen.values())


def link_dependencies(dest: Path, requirements: list[str]) -> Path:
    """A folder holding links to the top-level modules, data folders and metadata of the distributions
    ``requirements`` need (and nothing else)."""
    dest.mkdir(parents=True, exist_ok=True)
    for dist in runtime_distributions(requirements):
        for top in {Path(f).parts[0] for f in dist.files or []} - {".."}:
            link, target = dest / top, Path(str(dist.locate_file(top)))
            if target.exists() and not link.exists():
                link.symlink_to(target)
    return dest


def fresh_venv(where: Path, wheel: Path) -> Path:
    """A new venv at ``where`` with ``wheel`` installed (no dependencies from an index: see the module's
    docstring); returns its ``bin`` folder."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    deps = link_dependencies(where / "haikei-test-dependencies", wheel_requirements(wheel))
    (site_packages_of(where / "bin") / "haikei-test-dependencies.pth").write_text(f"{deps}\n", encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return where / "bin"


def desktop_env(home: Path, **extra: str) -> dict[str, str]:
    """What a desktop session gives a program it starts, and nothing from the developer's shell: no venv on
    PATH, no PYTHONPATH, a fresh HOME."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(home / ".runtime"),
    }
    (home / ".runtime").mkdir(mode=0o700, exist_ok=True)
    env.update(extra)
    return env


def run(
    argv: list[str | os.PathLike], cwd: Path, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def site_packages_of(bin_dir: Path) -> Path:
    python = bin_dir / "python"
    return Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
