"""Build: the domain core compiled to C with mypyc, for speed (docs/benchmarks.md).

The compiled modules are the same Python files, type-checked by mypy and
translated to C: they behave alike, only faster (the audit about 1.6× faster).
Compiled when a wheel is built (``pip install .``). Left as plain Python:
  - in an editable install (``pip install -e .``), so that an edited module is
    the module that runs, never a stale compiled copy beside it;
  - with JIXIAO_PURE_PYTHON=1 in the environment;
  - when the machine cannot compile C (no compiler or Python headers): the
    extensions are optional, and a failed build falls back to the .py files;
  - when mypy finds a type error (said on stderr; CI fails on it).
Project metadata is in pyproject.toml.
"""

import os
import shutil
import sys

from setuptools import setup

# The pure core the audit and scoring spend their time in. Not the model, which
# the readers, web app and exports build, extend and pickle. Classes defined here
# become native classes: a frozen one needs its own __reduce__ to be pickled
# (Target, Finding: the workers of a batch import pass them between processes).
COMPILED = [
    "src/jixiao/domain/normalize.py",
    "src/jixiao/domain/targets.py",
    "src/jixiao/domain/scoring.py",
    "src/jixiao/domain/recompute.py",
    "src/jixiao/domain/audit/__init__.py",
    "src/jixiao/domain/audit/arithmetic.py",
    "src/jixiao/domain/audit/completeness.py",
    "src/jixiao/domain/audit/finding.py",
    "src/jixiao/domain/audit/grade.py",
    "src/jixiao/domain/audit/scoring.py",
    "src/jixiao/domain/audit/settings.py",
    "src/jixiao/domain/audit/text.py",
    "src/jixiao/domain/audit/units.py",
]


def compiled_modules() -> list:
    building_wheel = "bdist_wheel" in sys.argv or "build_ext" in sys.argv
    if not building_wheel or "editable_wheel" in sys.argv or os.environ.get("JIXIAO_PURE_PYTHON"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # built without the build requirements (--no-build-isolation)
        print("jixiao: mypyc not installed, the domain core stays pure Python", file=sys.stderr)
        return []
    # A module compiled by an earlier build and since dropped from COMPILED would
    # otherwise go into the wheel from build/lib and shadow its .py file.
    shutil.rmtree("build", ignore_errors=True)
    try:
        extensions = mypycify(COMPILED, opt_level="3", group_name="jixiao_core")
    except SystemExit:  # mypy found a type error: install, uncompiled (CI refuses this: .ci/run)
        print("jixiao: the domain core does not type-check, it stays pure Python", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True  # no C compiler: install the .py files instead
    return extensions


setup(ext_modules=compiled_modules())
