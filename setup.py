"""Build: the domain core and the text readers compiled to C with mypyc, for speed
(docs/benchmarks.md).

The compiled modules are the same Python files, type-checked by mypy and
translated to C: they behave alike, only faster (the audit about 1.6× faster,
the text import about 1.5×).
Compiled when a wheel is built (``pip install .``). Left as plain Python:
  - in an editable install (``pip install -e .``), so that an edited module is
    the module that runs, never a stale compiled copy beside it;
  - with JIXIAO_PURE_PYTHON=1 in the environment;
  - when the machine cannot compile C (no compiler, no headers, out of memory):
    all of the core or none of it is compiled (the modules need the one shared
    library mypyc makes), and a failed build falls back to the .py files;
  - when mypy finds a type error (said on stderr; CI fails on it).
Project metadata is in pyproject.toml.
"""

import os
import shutil
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

# The pure core the audit and scoring spend their time in, and the text readers.
# The model too: compiled code reads a plain class's attribute through a generic
# lookup (no inline cache as the interpreter has), a tenth of the audit's time.
# Classes defined here become native classes: a frozen one needs its own __reduce__
# to be pickled (the model, Target, Finding: the workers of a batch import pass them
# between processes), and has no __slots__ to list (dataclasses.fields does).
COMPILED = [
    "src/jixiao/domain/model.py",
    "src/jixiao/domain/template.py",
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
    "src/jixiao/domain/audit/batch.py",
    # The field paths the audit names on every form (its docstring says so).
    "src/jixiao/contract/paths.py",
    # The text path of the readers (#25): rows, shapes, the family, the 2023 table and
    # the Shanghai 2019 recognisers. Not the readers of files (pdf, xlsx, docx, html …),
    # whose time goes to pdfium, openpyxl or python-docx, nor read_path's dispatch.
    "src/jixiao/readers/base.py",
    "src/jixiao/readers/shapes.py",
    "src/jixiao/readers/ocr.py",
    "src/jixiao/readers/glued.py",
    "src/jixiao/readers/grid.py",
    "src/jixiao/readers/loose.py",
    "src/jixiao/readers/family.py",
    "src/jixiao/readers/text.py",
]


def compiled_modules() -> list:
    building_wheel = "bdist_wheel" in sys.argv or "build_ext" in sys.argv
    pure = os.environ.get("JIXIAO_PURE_PYTHON", "").lower() in ("1", "true", "yes")
    if not building_wheel or "editable_wheel" in sys.argv or pure:
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
        # "--config-file=" (empty): not pyproject.toml's [tool.mypy], whose Django plugin the
        # build's environment lacks; mypy's defaults here, `make typecheck` checks it strictly.
        # --ignore-missing-imports: the readers' package imports pypdfium2, which has no types.
        paths = ["--config-file=", "--ignore-missing-imports", *COMPILED]
        extensions = mypycify(paths, opt_level="3", group_name="jixiao_core")
    except SystemExit:  # mypy found a type error: install, uncompiled (CI refuses this: .ci/run)
        print("jixiao: the domain core does not type-check, it stays pure Python", file=sys.stderr)
        return []
    return extensions


class AllOrNone(build_ext):
    """Builds every compiled module or none: one that failed alone (the large
    shared library, say) would leave the others importing a library that is not
    there. On any failure the built ones are removed and the .py files install."""

    def build_extensions(self) -> None:
        try:
            super().build_extensions()
        except Exception as error:  # no compiler, a compile error, killed for memory …
            self.warn(f"jixiao: compiling the domain core failed ({error}); it installs as plain Python")
            for extension in self.extensions:
                built = self.get_ext_fullpath(extension.name)
                if os.path.exists(built):
                    os.remove(built)
            self.extensions = []


setup(ext_modules=compiled_modules(), cmdclass={"build_ext": AllOrNone})
