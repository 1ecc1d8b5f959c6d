"""A wheel built from the repository runs `scaleup run` from any folder, with its own configs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parents[2]


def test_public_names_are_exported_and_listed():
    assert sorted(sim.__all__) == sorted(sim._EXPORTS)
    for name in sim.__all__:
        assert getattr(sim, name) is not None, name


def test_version_comes_from_the_installed_metadata():
    from importlib.metadata import version

    assert sim.__version__ == version("scaleup")
    assert f'version = "{sim.__version__}"' in (ROOT / "pyproject.toml").read_text()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # from a clean copy: a stale build/ folder in the checkout would hide a missing package
    src = tmp_path_factory.mktemp("src") / "scaleup"
    skip = shutil.ignore_patterns(".git", "build", "*.egg-info", "outputs", ".venv", "__pycache__")
    shutil.copytree(ROOT, src, ignore=skip)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        check=True,
        capture_output=True,
        timeout=300,
    )  # fmt: skip  (built in an isolated environment, as `pip install .` does)
    (built,) = out.glob("scaleup-*.whl")
    return built


def test_the_wheel_holds_every_package_and_the_shipped_configs(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "sim").rglob("*.py")}
    missing = sorted(p for p in packages if f"{p}/__init__.py" not in names)
    assert not missing, f"packages missing from the wheel (list them in pyproject.toml): {missing}"
    configs = {p.relative_to(ROOT).as_posix() for p in (ROOT / "configs").rglob("*.yaml")}
    assert {f"sim/{c}" for c in configs} <= names


def test_an_installed_wheel_runs_the_default_scenario_from_any_folder(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
         str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run(
        [sys.executable, "-c", "import sim, sim.config.load as l; print(sim.__file__); "
         "print(l.DEFAULT_SCENARIO)"],
        cwd=work, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    module, default = where.stdout.split()
    assert Path(module).is_relative_to(site) and Path(default).is_relative_to(site)
    run = subprocess.run(
        [sys.executable, "-m", "sim", "run", "--no-figures", "--out", "out"],
        cwd=work, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert (work / "out" / "monthly.csv").is_file()
    assert "Break-even" in run.stdout
