"""MkDocs hook: `mkdocs build` and `mkdocs serve` run the builder themselves.

Editors never need a second command. The builder runs before MkDocs reads content/ (and
before `mkdocs build` cleans site/), so:
- `mkdocs build`: a problem in claims.yaml or seeds/ aborts with the located messages and
  leaves content/ and site/ as they were;
- `mkdocs serve`: a problem is printed and the server keeps showing the last good pages;
  claims.yaml and seeds/ are watched, and since only changed files are written, the
  builder's own output triggers at most one quiet extra rebuild, never a loop.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError

from builder import pipeline
from builder import settings as site_settings

log = logging.getLogger("mkdocs.builder")
_command = "build"
# Under `mkdocs serve`, the builder's problems go to a logger outside MkDocs' own: with
# `strict: true`, every warning or error logged under "mkdocs" during a build makes MkDocs
# refuse the build, and the server then holds every request until a build succeeds, so the
# editor's browser would hang instead of showing the last good pages. This logger prints
# through MkDocs' console handlers (same look, same level), taken before any build attaches
# its strict counter to them.
_serve_log = logging.getLogger("builder.serve")


def on_startup(command: str, dirty: bool) -> None:
    global _command
    _command = command
    if command == "serve" and not _serve_log.handlers:
        mkdocs_log = logging.getLogger("mkdocs")
        _serve_log.propagate = False
        _serve_log.setLevel(mkdocs_log.getEffectiveLevel())
        for handler in mkdocs_log.handlers or [logging.StreamHandler()]:
            _serve_log.addHandler(handler)


def on_pre_build(config) -> None:
    root = Path(config.config_file_path).parent
    result = pipeline.build(root, settings=site_settings.from_config(config))
    shown = _serve_log if _command == "serve" else log
    for problem in sorted(result.report.problems, key=lambda p: p.sort_key()):
        (shown.error if problem.severity == "error" else shown.warning)(problem.format())
    if result.report.errors:
        message = f"claims.yaml or seeds/ has {len(result.report.errors)} error(s): fix them (see above)"
        if _command == "serve":
            shown.error(message + "; still serving the last good pages")
            return
        raise PluginError(message)
    if result.written or result.removed:
        log.info(f"builder: {len(result.written)} page(s) written, {len(result.removed)} removed")


def on_serve(server, config, builder):
    root = Path(config.config_file_path).parent
    server.watch(str(root / pipeline.CLAIMS))
    server.watch(str(root / "seeds"))
    return server
