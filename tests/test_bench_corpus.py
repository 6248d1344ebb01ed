"""The benchmark's synthetic corpus: valid input for the builder, the same for the same seed."""

import hashlib
from pathlib import Path

import yaml

from bench.corpus import NBSP, NNBSP, make_corpus, normalize
from builder.pipeline import check


def tree(root: Path) -> dict[str, str]:
    """Every file under root, by relative path, as the sha256 of its bytes."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_small_corpus_passes_check(tmp_path):
    make_corpus(tmp_path, 20)
    _project, report = check(tmp_path)
    assert report.errors == [], "\n".join(report.lines(github=False))


def test_same_seed_same_bytes_other_seed_other_text(tmp_path):
    make_corpus(tmp_path / "a", 20, seed=3)
    make_corpus(tmp_path / "b", 20, seed=3)
    make_corpus(tmp_path / "c", 20, seed=4)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert (tmp_path / "a" / "claims.yaml").read_bytes() != (tmp_path / "c" / "claims.yaml").read_bytes()


def test_quotes_need_the_normalizer_and_occurrence(tmp_path):
    """The corpus is only a fair benchmark if quote location has real work to do."""
    figures = make_corpus(tmp_path, 20)
    sources = yaml.safe_load((tmp_path / "seeds" / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    texts = {s["id"]: (tmp_path / "seeds" / s["file"]).read_text(encoding="utf-8") for s in sources}
    for s in sources:
        assert hashlib.sha256((tmp_path / "seeds" / s["file"]).read_bytes()).hexdigest() == s["sha256"]
    claims = yaml.safe_load((tmp_path / "claims.yaml").read_text(encoding="utf-8"))["claims"]
    evidence = [e for c in claims for e in c["evidence"]]
    assert (
        (figures["claims"], figures["sources"], figures["quotes"])
        == (20, 2, 60)
        == (len(claims), len(sources), len(evidence))
    )
    assert all(normalize(e["quote"]) in normalize(texts[e["source"]]) for e in evidence)
    # Each way editors' typing differs from the source must occur.
    bridged = [e for e in evidence if e["quote"] not in texts[e["source"]]]
    assert any(e["quote"] in texts[e["source"]].replace("’", "'") for e in bridged)
    assert any(e["quote"] in texts[e["source"]].replace(NBSP, " ").replace(NNBSP, " ") for e in bridged)
    assert any("\n" in e["quote"] for e in bridged)
    assert any("\n" in texts[e["source"]] and e["quote"] in texts[e["source"]].replace("\n", " ") for e in bridged)
    twice = [e for e in evidence if e.get("occurrence", 1) > 1]
    assert twice
    for e in twice:
        assert normalize(texts[e["source"]]).count(normalize(e["quote"])) >= e["occurrence"]
