"""Builds the package's C++ parts with the project's CMake build and copies them in.

The module (_ssmsim) and the executable (bin/ssmsim, which runs a sweep's design points) are targets of the
project's own build: by default the checkout's build/ folder, or SSMSIM_BUILD_DIR. A folder that has been
built already only compiles the module; an empty one is configured and built in full (Ninja when present).
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE_DIR = Path(os.environ.get("SSMSIM_SOURCE_DIR", Path(__file__).resolve().parent.parent))


def cmake(*args):
    subprocess.run(["cmake", *map(str, args)], check=True)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = Path(os.environ.get("SSMSIM_BUILD_DIR", SOURCE_DIR / "build")).resolve()
        module = build / "python" / "ssmsim" / f"_ssmsim{sysconfig.get_config_var('EXT_SUFFIX')}"
        configure = ["-S", SOURCE_DIR, "-B", build]
        if not (build / "CMakeCache.txt").exists() and shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        cmake(*configure)
        cmake("--build", build, "--target", "ssmsim_python", "ssmsim")
        if not module.exists():  # built for another Python than this one: build it for this one
            cmake(*configure, f"-DPython_EXECUTABLE={sys.executable}")
            cmake("--build", build, "--target", "ssmsim_python", "ssmsim")
        if not module.exists():
            sys.exit(f"ssmsim: the build did not produce {module.name} for {sys.executable}; "
                     "is pybind11 installed (apt-get install pybind11-dev python3-dev)?")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(module, target)
        binary = target.parent / "bin" / "ssmsim"
        binary.parent.mkdir(exist_ok=True)
        shutil.copy2(build / "ssmsim", binary)


setup(ext_modules=[Extension("ssmsim._ssmsim", sources=[])], cmdclass={"build_ext": CMakeBuild})
