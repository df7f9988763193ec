"""Only what pyproject.toml cannot say: the top-level ``models/`` and ``backgrounds/`` folders stay where
they are in the repository and go into the wheel as ``haikei/data/models`` and ``haikei/data/backgrounds``
(``packages.find`` only finds packages under ``app/``). Metadata and package data: pyproject.toml."""

from setuptools import find_packages, setup

DATA_PACKAGES = {
    "haikei.data.models": "models",
    "haikei.data.backgrounds": "backgrounds",
}

setup(
    packages=[*find_packages("app"), *DATA_PACKAGES],
    package_dir={"": "app", **DATA_PACKAGES},
)
