"""Only what pyproject.toml cannot say: the top-level ``models/``, ``backgrounds/`` and ``packaging/linux/`` (desktop
entry, icons, AppStream metadata, v4l2loopback configuration) stay where they are in the repository and go into the
package as ``haikei/data/<same path>`` (``packages.find`` only finds packages under ``app/``). Metadata and which
files: pyproject.toml's package-data."""

from setuptools import find_packages, setup

DATA_PACKAGES = {
    "haikei.data.models": "models",
    "haikei.data.backgrounds": "backgrounds",
    "haikei.data.packaging.linux": "packaging/linux",
}

setup(
    packages=[*find_packages("app"), *DATA_PACKAGES],
    package_dir={"": "app", **DATA_PACKAGES},
)
