"""Only for building a wheel: ``build_py`` also writes ``citycat/init/template/``, the standard
files ``citycat init`` starts a catalogue from (``src/citycat/init/packaged.py``), read from this
repository. Everything else is in pyproject.toml."""

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithTemplate(build_py):
    def run(self):
        super().run()
        sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
        from citycat.init import packaged

        packaged.write(Path(self.build_lib) / "citycat" / "init" / "template")


setup(cmdclass={"build_py": BuildWithTemplate})
