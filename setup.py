"""The wheel's packages, found in the tree so a new sub-package or data folder is never left out
(everything else is in pyproject.toml): `app/` installs as `dropout_lab`, `lessons/` and `labs/`
inside it, each folder below them a package (tests/hosting/test_wheel.py checks the result)."""

from setuptools import find_namespace_packages, setup

FOLDERS = {"dropout_lab": "app", "dropout_lab.lessons": "lessons", "dropout_lab.labs": "labs"}


def packages(name: str, folder: str) -> list[str]:
    found = find_namespace_packages(folder, exclude=["__pycache__", "*.__pycache__"])
    return [name, *(f"{name}.{sub}" for sub in found)]


setup(packages=[p for name, folder in FOLDERS.items() for p in packages(name, folder)])
