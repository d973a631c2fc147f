"""Packaging for the ``geotiler`` library.

A custom build_py step writes ``geotiler/_version.py`` from the git tag and
compiles the bundled protobuf schema so that sdists and wheels always ship the
generated module.
"""
import os
import subprocess
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def git_version(default="0.0.0"):
    try:
        out = subprocess.run(
            ["git", "describe", "--tags", "--abbrev=0"],
            cwd=HERE, check=True, capture_output=True, text=True,
        ).stdout.strip()
        return out.lstrip("v") or default
    except (OSError, subprocess.CalledProcessError):
        return os.environ.get("GEOTILER_VERSION", default)


VERSION = git_version()


class BuildWithGenerated(build_py):
    """build_py that also writes _version.py and compiles tiles.proto."""

    def run(self):
        target = HERE / "src" / "geotiler" / "_version.py"
        target.write_text(f'__version__ = "{VERSION}"\n', encoding="utf-8")
        proto_dir = HERE / "proto"
        if (proto_dir / "tiles.proto").exists():
            subprocess.run(
                ["protoc", f"--proto_path={proto_dir}", "--python_out=src/geotiler", "tiles.proto"],
                cwd=HERE, check=True,
            )
        super().run()


setup(
    name="geotiler",
    version=VERSION,
    description="Slippy-map tile math and caching helpers",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    author="Mapping Team",
    author_email="maps@corp.example",
    url="https://git.corp.example/maps/geotiler",
    package_dir={"": "src"},
    packages=find_packages("src"),
    python_requires=">=3.9",
    install_requires=["protobuf>=4.21", "requests>=2.31"],
    extras_require={"test": ["pytest", "responses"]},
    cmdclass={"build_py": BuildWithGenerated},
    classifiers=[
        "Programming Language :: Python :: 3",
        "License :: OSI Approved :: MIT License",
    ],
)
