"""The few site settings the builder needs, read from mkdocs.yml (one place for them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mkdocs.utils.yaml import yaml_load


@dataclass(frozen=True)
class Settings:
    site_url: str
    """Absolute, with a trailing slash: structured data needs absolute addresses."""
    site_name: str
    organisation: str
    """Who publishes the fact-checks (ClaimReview's author)."""
    repo_url: str | None = None
    docs_dir: str = "content"

    def url(self, path: str) -> str:
        return self.site_url + path.lstrip("/")


def from_config(config: dict) -> Settings:
    site_url = config.get("site_url") or "http://127.0.0.1:8000/"
    if not site_url.endswith("/"):
        site_url += "/"
    extra = config.get("extra") or {}
    return Settings(
        site_url=site_url,
        site_name=config.get("site_name", ""),
        organisation=(extra.get("organisation") or config.get("site_name", "")),
        repo_url=config.get("repo_url") or None,
        docs_dir=config.get("docs_dir", "content"),
    )


def load(root: Path) -> Settings:
    """Settings from root/mkdocs.yml, with MkDocs' own YAML loader (so !ENV works alike)."""
    with open(root / "mkdocs.yml", encoding="utf-8") as file:
        return from_config(yaml_load(file) or {})
