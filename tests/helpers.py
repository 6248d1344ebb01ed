"""What many tests need: a private copy of the project, and the builder's command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from builder import write

ROOT = Path(__file__).resolve().parent.parent


def copy_project(target: Path) -> Path:
    """The project's inputs in `target`: claims.yaml, mkdocs.yml, seeds/, overrides/ and the
    hand-written pages of content/. Generated files are left out, so a test sees only what its
    own build writes; builder/ is a link to the real package (mkdocs.yml names the hook by path)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("claims.yaml", "mkdocs.yml"):
        shutil.copy2(ROOT / name, target / name)
    for folder in ("seeds", "overrides"):
        shutil.copytree(ROOT / folder, target / folder)
    content = ROOT / "content"
    for path in content.rglob("*"):
        if not path.is_file() or path.name in write.RESERVED or (path.suffix == ".md" and write.is_generated(path)):
            continue
        destination = target / "content" / path.relative_to(content)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
    (target / "builder").symlink_to(ROOT / "builder", target_is_directory=True)
    return target


def run_builder(root: Path, *args: str, **options) -> subprocess.CompletedProcess:
    """`python -m builder --root ROOT ARGS...`; editor input must never end in a traceback.

    GITHUB_ACTIONS is left out of the environment (unless `env` is given), so that the output
    is the same on a developer's machine and in a GitHub workflow."""
    plain = {key: value for key, value in os.environ.items() if key != "GITHUB_ACTIONS"}
    options = {
        "capture_output": True,
        "text": True,
        "timeout": 120,
        "stdin": subprocess.DEVNULL,
        "env": plain,
        **options,
    }
    done = subprocess.run([sys.executable, "-m", "builder", "--root", str(root), *args], **options)
    assert "Traceback" not in done.stderr, done.stderr
    return done
