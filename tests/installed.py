"""Helpers for the packaging tests: build the sdist and wheel from the project's files, install the wheel
into a fresh venv outside the checkout, and run commands with a bare desktop-like environment.

The fresh venv gets no packages from an index: its runtime dependencies are the ones already installed for
the test run, reached through one ``.pth`` file listing the folders that hold them (only those folders: a
``.pth`` line puts a folder on ``sys.path`` without running the ``.pth`` files inside it, so the checkout's
editable install of haikei is not seen). That keeps the test offline and fast, and still installs and
imports the wheel exactly as a user's ``pip install`` would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]


def project_files(root: Path = REPO) -> list[Path]:
    """The files that belong to the project: tracked or new, not ignored (what a clean clone has, plus
    work not yet committed)."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                         capture_output=True, check=True).stdout.decode()
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
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(outdir), str(src)], check=True,
                   capture_output=True, text=True)
    (sdist,) = outdir.glob("haikei-*.tar.gz")
    (wheel,) = outdir.glob("haikei-*.whl")
    return sdist, wheel


def runtime_dependency_dirs(project: str = "haikei") -> list[Path]:
    """The site folders holding ``project``'s runtime dependencies (recursively, no extras) as installed
    for this test run."""
    seen: set[str] = set()
    folders: list[Path] = []
    todo = [Requirement(r) for r in metadata.requires(project) or []]
    while todo:
        req = todo.pop()
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        if name in seen or (req.marker is not None and not req.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        dist = metadata.distribution(req.name)
        folder = Path(str(dist.locate_file(""))).resolve()
        if folder not in folders:
            folders.append(folder)
        todo.extend(Requirement(r) for r in dist.requires or [])
    return folders


def fresh_venv(where: Path, wheel: Path) -> Path:
    """A new venv at ``where`` with ``wheel`` installed (no dependencies from an index: see the module's
    docstring); returns its ``bin`` folder."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    (site_packages_of(where / "bin") / "haikei-test-dependencies.pth").write_text(
        "".join(f"{folder}\n" for folder in runtime_dependency_dirs()), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True, text=True)
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


def run(argv: list[str | os.PathLike], cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def site_packages_of(bin_dir: Path) -> Path:
    python = bin_dir / "python"
    return Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())

