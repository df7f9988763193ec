"""Third-party notices for what the standalone bundle redistributes, made from the installed distributions' metadata.

    python packaging/notices.py --write               # packaging/THIRD-PARTY-NOTICES.md from this environment
    python packaging/notices.py --check               # exit 1, one line, when that file is not what --write makes
    python packaging/notices.py --collect DIR         # DIR/THIRD-PARTY-NOTICES.md and DIR/licenses/<name>/...
    python packaging/notices.py --system-libs BUNDLE  # Linux: the system libraries PyInstaller copied in, by package

The bundle holds Haikei's runtime dependencies (pyproject's ``dependencies``, recursively, no extras), Python and
PyInstaller's bootloader, the shipped models and backgrounds. Names, versions and licences come from each
distribution's metadata; what metadata cannot say (native libraries a wheel carries inside it, such as the FFmpeg
and Qt 5 builds in OpenCV's wheel) is written in :data:`INSIDE` below, and ``--check`` fails when a distribution
that carries native libraries has no entry there (e.g. a new dependency such as PyAV). ``make bundle`` runs
``--check``, ``--collect build/notices`` (the spec copies it into the bundle) and ``--system-libs dist/haikei``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
NOTICES = REPO / "packaging" / "THIRD-PARTY-NOTICES.md"
LICENSE_TEXTS = REPO / "packaging" / "licenses"
LICENSE_FILE = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|ThirdPartyNotices|AUTHORS)", re.IGNORECASE)

#: What a wheel carries inside it beyond its own code, and what its licence asks of us. Keyed by normalised name.
INSIDE = {
    "pyside6-essentials": (
        "Qt 6 (QtCore, QtGui, QtWidgets, QtDBus, QtNetwork, QtOpenGL, QtSvg, QtWaylandClient, ... and their "
        "plugins) under **LGPL-3.0-only**, as shared libraries in the bundle's `PySide6/Qt/` folder, which a user "
        "may replace with their own build (the LGPL's relinking right). Licence texts: `licenses/pyside6-essentials/`. "
        "Qt's source for this version: https://download.qt.io/official_releases/qt/ (a release must also offer it "
        "itself, see docs/install.md)."
    ),
    "shiboken6": "The PySide6 binding runtime, LGPL-3.0-only like Qt (licence texts as for PySide6).",
    "opencv-contrib-python": (
        "OpenCV (Apache-2.0) and, inside the wheel (`opencv_contrib_python.libs/`): FFmpeg (libavcodec, libavformat, "
        "libavutil, libswscale, libswresample; an LGPL-2.1-or-later build, no GPL codecs), Qt 5 (LGPL-3.0-only, for "
        "cv2's own window functions), libaom, libvpx, dav1d, libavif, libpng, OpenBLAS with libgfortran and "
        "libquadmath (GPL-3.0 with the GCC Runtime Library Exception; LGPL-2.1), and X11/xcb libraries (MIT). Each "
        "is listed with its licence in `licenses/opencv-contrib-python/LICENSE-3RD-PARTY.txt`."
    ),
    "onnxruntime": (
        "ONNX Runtime (MIT) and the libraries compiled into it (protobuf, Eigen, abseil, ...), listed in "
        "`licenses/onnxruntime/ThirdPartyNotices.txt`."
    ),
    "numpy": (
        "NumPy (BSD-3-Clause) and, inside the wheel (`numpy.libs/`): OpenBLAS (BSD-3-Clause) with libgfortran and "
        "libquadmath (GPL-3.0 with the GCC Runtime Library Exception; LGPL-2.1); see `licenses/numpy/`."
    ),
    "pillow": (
        "Pillow (MIT-CMU) and, inside the wheel (`pillow.libs/`): libjpeg-turbo, zlib, libpng, libtiff, libwebp, "
        "openjpeg, freetype, lcms2, harfbuzz, brotli, xz and others, each under its own permissive licence, listed "
        "in `licenses/pillow/LICENSE`."
    ),
    "av": (
        "PyAV (BSD-3-Clause) and, inside the wheel (`av.libs/`): FFmpeg 8.1 (libavcodec, libavformat, libavutil, "
        "libavfilter, libavdevice, libswscale, libswresample; configured LGPL-3.0-or-later) **linked with libx264 and "
        "libx265 (GPL-2.0-or-later)**, so the libraries in this wheel are GPL as a whole; libvpx, libopus, libwebp "
        "(BSD-3-Clause), dav1d (BSD-2-Clause), SVT-AV1 (BSD-3-Clause-Clear, with the AOM patent licence), LAME, "
        "GnuTLS, nettle, GMP, libunistring, alsa-lib (LGPL), opencore-amr (Apache-2.0), libvpl, libxcb, libXau, "
        "libdrm (MIT). The wheel ships no licence texts for them: `licenses/av/` has PyAV's, `GPL-3.0.txt` and "
        "`LGPL-3.0.txt`. **A bundle that carries this wheel is distributed under GPL-3.0-or-later as a whole** and "
        "must come with the corresponding source of FFmpeg, x264, x265 and the LGPL libraries (docs/install.md)."
    ),
    "simplejpeg": (
        "simplejpeg (MIT) with **libjpeg-turbo** linked into its extension module (IJG License, BSD-3-Clause and "
        "zlib License), their texts in `licenses/simplejpeg/LICENSE`. This software is based in part on the work "
        "of the Independent JPEG Group."
    ),
    "pyvirtualcam": (
        "pyvirtualcam is **GPL-2.0** (its wheel's licence and classifier), including its native v4l2loopback, OBS "
        "and Unity Capture backends. See the licence note in docs/install.md before publishing a bundle."
    ),
}

#: Licence texts for distributions whose wheels ship none (copied from packaging/licenses and the repository).
FALLBACK_TEXTS = {
    "pyside6-essentials": ["LGPL-3.0.txt", "GPL-3.0.txt"],
    "shiboken6": ["LGPL-3.0.txt", "GPL-3.0.txt"],
    "flatbuffers": ["../../LICENSE"],  # Apache-2.0, the same text as Haikei's
    "av": ["GPL-3.0.txt", "LGPL-3.0.txt"],  # the wheel carries only PyAV's own BSD text
}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions(project: str = "haikei") -> list[metadata.Distribution]:
    """``project``'s runtime dependencies, recursively, without extras, as installed here."""
    seen: dict[str, metadata.Distribution] = {}
    todo = [Requirement(r) for r in metadata.requires(project) or []]
    while todo:
        req = todo.pop()
        if norm(req.name) in seen or (req.marker is not None and not req.marker.evaluate({"extra": ""})):
            continue
        dist = seen[norm(req.name)] = metadata.distribution(req.name)
        todo.extend(Requirement(r) for r in dist.requires or [])
    return sorted(seen.values(), key=lambda d: norm(d.metadata["Name"]))


def licence_of(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    if meta.get("License-Expression"):
        return meta["License-Expression"]
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 80:
        return text
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return ", ".join(classifiers) or "see its licence files"


def carries_native_libraries(dist: metadata.Distribution) -> bool:
    return any(re.search(r"\.(libs|dylibs)/|/Qt/lib/", str(f)) for f in dist.files or [])


def shipped_models() -> list[tuple[str, str]]:
    rows = []
    for manifest in sorted((REPO / "models").glob("*.json")):
        spec = json.loads(manifest.read_text(encoding="utf-8"))
        rows.append((f"`{spec['file']}`", spec["license"]))
    return rows


def render() -> str:
    dists = runtime_distributions()
    lines = [
        "# Third-party notices",
        "",
        "The standalone Haikei app (`make bundle`) redistributes the software below. Haikei itself is Apache-2.0",
        "(`LICENSE`). In the bundle, each component's licence files are in `licenses/<name>/`; this file is made by",
        "`packaging/notices.py` from the installed distributions' metadata (`--check` keeps it current).",
        "",
        "| component | version | licence |",
        "|---|---|---|",
        f"| Python | {sys.version_info.major}.{sys.version_info.minor} | PSF-2.0 (and the libraries CPython builds "
        "in: OpenSSL Apache-2.0, libffi MIT, zlib, bzip2, xz, SQLite public domain, expat MIT) |",
        "| PyInstaller bootloader | see requirements/dev.txt | GPL-2.0-or-later with the Bootloader Exception "
        "(allows distributing it with programs under any licence) |",
    ]
    lines += [f"| {d.metadata['Name']} | {d.version} | {licence_of(d)} |" for d in dists]
    lines += ["", "## Inside the wheels", ""]
    lines += [
        f"- **{d.metadata['Name']}**: {INSIDE[norm(d.metadata['Name'])]}"
        for d in dists
        if norm(d.metadata["Name"]) in INSIDE
    ]
    lines += ["", "## Models and backgrounds", ""]
    for licence in sorted({licence for _, licence in shipped_models()}):
        files = ", ".join(file for file, each in shipped_models() if each == licence)
        lines.append(
            f"- {files}: {licence}. MediaPipe's selfie segmentation models, from the `mediapipe==0.10.21` "
            "wheel; the ONNX files are converted from them by Haikei's own converter."
        )
    lines += [
        "- `backgrounds/`: made by the project (`haikei.tools.make_backgrounds`), Apache-2.0.",
        "",
        "## System libraries (Linux)",
        "",
        "PyInstaller also copies libraries of the build machine that Qt's plugins load (GTK, ICU, X11, ...);",
        "`SYSTEM-LIBRARIES.md` in the bundle lists each with its Debian package, and `licenses/debian/` holds",
        "those packages' copyright files.",
        "",
    ]
    return "\n".join(lines)


def problems() -> list[str]:
    return [
        f"{d.metadata['Name']} carries native libraries: say what they are in INSIDE in packaging/notices.py"
        for d in runtime_distributions()
        if carries_native_libraries(d) and norm(d.metadata["Name"]) not in INSIDE
    ]


def collect(dest: Path) -> None:
    """The notices and every runtime distribution's licence files (plus Python's, PyInstaller's, the models')."""
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "licenses").mkdir(parents=True)
    (dest / "THIRD-PARTY-NOTICES.md").write_text(render(), encoding="utf-8")
    for dist in runtime_distributions():
        name = norm(dist.metadata["Name"])
        folder = dest / "licenses" / name
        found = [
            f
            for f in dist.files or []
            if LICENSE_FILE.search(Path(f).name)
            and Path(f).suffix.lower() not in {".xml", ".py", ".pyc", ".pyi", ".so", ".json"}
        ]
        sources = [Path(str(dist.locate_file(f))) for f in found]
        sources += [LICENSE_TEXTS / text for text in FALLBACK_TEXTS.get(name, [])]
        for source in sources:
            if source.is_file():
                folder.mkdir(exist_ok=True)
                target = folder / source.name
                if target.exists() and target.read_bytes() != source.read_bytes():
                    target = folder / f"{source.parent.name}-{source.name}"
                shutil.copyfile(source, target)
    python_licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    if python_licence.is_file():
        (dest / "licenses" / "python").mkdir()
        shutil.copyfile(python_licence, dest / "licenses" / "python" / "LICENSE.txt")
    try:
        pyinstaller = metadata.distribution("pyinstaller")
        for f in pyinstaller.files or []:
            if Path(f).name == "COPYING.txt":
                (dest / "licenses" / "pyinstaller").mkdir(exist_ok=True)
                shutil.copyfile(
                    Path(str(pyinstaller.locate_file(f))), dest / "licenses" / "pyinstaller" / "COPYING.txt"
                )
    except metadata.PackageNotFoundError:
        pass
    (dest / "licenses" / "models").mkdir()
    for licence in (REPO / "models").glob("LICENSE*"):
        shutil.copyfile(licence, dest / "licenses" / "models" / licence.name)


def system_libraries(bundle: Path) -> int:
    """List the libraries in the bundle that no wheel provided, with their Debian package and its copyright."""
    inside = bundle / "_internal"
    if not sys.platform.startswith("linux") or not shutil.which("dpkg-query") or not inside.is_dir():
        print("notices: system libraries are listed on Debian/Ubuntu builds only", file=sys.stderr)
        return 0
    from_wheels = {Path(str(f)).name for d in metadata.distributions() for f in d.files or []}
    rows, packages = [], {}
    for lib in sorted(p for p in inside.iterdir() if ".so" in p.name and p.name not in from_wheels):
        if lib.name.startswith("libpython"):
            continue
        owner = subprocess.run(["dpkg-query", "-S", f"*/{lib.name}"], capture_output=True, text=True).stdout
        package = owner.split(":")[0].strip() if owner else ""
        if package:
            version = subprocess.run(
                ["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True
            ).stdout
            packages[package] = version
        rows.append(f"| {lib.name} | {package or 'unknown'} | {packages.get(package, '')} |")
    copyrights = inside / "licenses" / "debian"
    copyrights.mkdir(parents=True, exist_ok=True)
    for package in packages:
        source = Path("/usr/share/doc") / package / "copyright"
        if source.is_file():
            shutil.copyfile(source, copyrights / f"{package}.copyright")
    (inside / "SYSTEM-LIBRARIES.md").write_text(
        "# System libraries in this bundle\n\nCopied by PyInstaller from the build machine (Debian packages; "
        "their copyright files are in `licenses/debian/`).\n\n| library | package | version |\n|---|---|---|\n"
        + "\n".join(rows)
        + "\n",
        encoding="utf-8",
    )
    print(f"notices: {len(rows)} system libraries from {len(packages)} packages", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    if argv == ["--write"]:
        NOTICES.write_text(render(), encoding="utf-8")
        return 0
    if argv == ["--check"]:
        issues = problems()
        if NOTICES.read_text(encoding="utf-8") != render():
            issues.append(f"{NOTICES.relative_to(REPO)} is out of date: python packaging/notices.py --write")
        for issue in issues:
            print(f"notices: {issue}", file=sys.stderr)
        return 1 if issues else 0
    if len(argv) == 2 and argv[0] == "--collect":
        collect(Path(argv[1]))
        return 0
    if len(argv) == 2 and argv[0] == "--system-libs":
        return system_libraries(Path(argv[1]))
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
