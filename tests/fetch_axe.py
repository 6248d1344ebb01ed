"""Fetch axe-core (the accessibility engine the browser tests inject) from the npm registry.

The version and its sha512 integrity come from package-lock.json, so the file the tests run
is exactly the one recorded in the repository; a tarball that does not match is refused and
nothing is written. Standard library only: this runs before anything else is installed.

Usage: python tests/fetch_axe.py [OUTPUT]   (default .cache/axe-core/axe.min.js)
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "axe-core"
MEMBER = "package/axe.min.js"
REGISTRY = "https://registry.npmjs.org"


class FetchError(Exception):
    pass


def locked(lock_path: Path) -> tuple[str, str, str]:
    """(version, integrity, tarball URL) of axe-core in package-lock.json."""
    try:
        lock = json.loads(lock_path.read_text(encoding="utf-8"))
        entry = lock["packages"][f"node_modules/{PACKAGE}"]
        version, integrity = entry["version"], entry["integrity"]
    except (OSError, ValueError, KeyError) as exc:
        raise FetchError(f"{lock_path}: no locked {PACKAGE} with version and integrity ({exc!r})") from exc
    url = entry.get("resolved") or f"{REGISTRY}/{PACKAGE}/-/{PACKAGE}-{version}.tgz"
    return version, integrity, url


def check_integrity(data: bytes, integrity: str) -> None:
    """Raise FetchError unless data matches the lock's Subresource-Integrity string."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512" or not expected:
        raise FetchError(f"unsupported integrity {integrity!r}: expected sha512-<base64>")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")
    if actual != expected:
        raise FetchError(
            f"integrity mismatch for {PACKAGE}: package-lock.json says sha512-{expected}, "
            f"the downloaded tarball is sha512-{actual}. Nothing was written; "
            "if the version was changed on purpose, re-create the lock with "
            f"`npm install --package-lock-only {PACKAGE}@<version>`."
        )


def extract(data: bytes) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        try:
            member = archive.getmember(MEMBER)
        except KeyError as exc:
            raise FetchError(f"{MEMBER} is not in the {PACKAGE} tarball") from exc
        stream = archive.extractfile(member)
        if stream is None:
            raise FetchError(f"{MEMBER} in the {PACKAGE} tarball is not a regular file")
        return stream.read()


def download(url: str, timeout: float = 60.0) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "factcheck-tests/fetch_axe"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except OSError as exc:
        raise FetchError(f"cannot download {url}: {exc}") from exc


def fetch(output: Path, lock_path: Path = ROOT / "package-lock.json") -> Path:
    version, integrity, url = locked(lock_path)
    data = download(url)
    check_integrity(data, integrity)
    script = extract(data)
    output.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target, then renamed: make never sees a half-written file as up to date.
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=".axe-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(script)
        os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(f"{PACKAGE} {version} ({integrity[:20]}…) -> {output}")
    return output


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    output = Path(argv[0]) if argv else ROOT / ".cache" / "axe-core" / "axe.min.js"
    try:
        fetch(output)
    except FetchError as exc:
        print(f"fetch_axe: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
