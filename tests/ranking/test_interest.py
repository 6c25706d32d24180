"""The editor's taste: exports are read, closeness ranks related papers up and explains itself."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest

from newsletter.config import RankingSection
from newsletter.errors import ConfigError
from newsletter.ranking import rank
from newsletter.ranking.interest import Example, Interests, closeness, read_export, read_interests

BIBTEX = """
@article{otcache2026,
  title = {{OTCache}: Optimal Transport Modeling of Cache Schedules},
  author = {Zhang, Hao},
  abstract = {Caching intermediate features speeds up diffusion transformers; we model cache
              schedules across budgets with optimal transport.},
  year = {2026}
}
@inproceedings{other,
  title = "Robot Grasping at Scale",
  year = "2025"
}
"""
CSV = (
    "Key,Item Type,Title,Abstract Note\n"
    'A1,journalArticle,Feature Caching for Video Diffusion,"We reuse features across denoising steps."\n'
    "A2,journalArticle,,no title here\n"
)


def test_a_bibtex_export_gives_titles_and_abstracts(tmp_path: Path) -> None:
    path = tmp_path / "library.bib"
    path.write_text(BIBTEX, encoding="utf-8")
    found = read_export(path)
    assert [e.label for e in found] == [
        "OTCache: Optimal Transport Modeling of Cache Schedules",
        "Robot Grasping at Scale",
    ]
    assert "optimal transport" in found[0].text


def test_a_zotero_csv_export_gives_titles_and_abstracts(tmp_path: Path) -> None:
    path = tmp_path / "library.csv"
    path.write_text(CSV, encoding="utf-8")
    found = read_export(path)
    assert [e.label for e in found] == ["Feature Caching for Video Diffusion"]
    assert "denoising steps" in found[0].text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("missing.bib", None, "cannot read", id="missing file"),
        pytest.param(
            "notes.txt", "OTCache", "expected an arXiv id, a .bib or a .csv file", id="unknown kind"
        ),
        pytest.param("library.csv", "Key,Name\nA1,x\n", "expected a Title column", id="CSV without titles"),
        pytest.param("library.bib", b"\xff\xfe\x00bad", "cannot read", id="not UTF-8"),
    ],
)
def test_a_bad_export_is_one_line_naming_the_key_and_file(
    tmp_path: Path, name: str, content: str | bytes | None, message: str
) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        read_interests([str(path)], {})
    text = str(raised.value)
    assert raised.value.key == "ranking.interests"
    assert message in text
    assert str(path) in text
    assert "\n" not in text


def test_an_arxiv_id_is_looked_up_among_known_papers() -> None:
    known = {"2606.29977": Example(label="OTCache", text="OTCache cache schedules")}
    assert read_interests(["2606.29977", "2601.00001"], known) == [known["2606.29977"]]


def test_without_interests_the_ranking_is_unchanged(papers: ModuleType) -> None:
    plain = rank(papers.DAY, RankingSection())
    empty = rank(papers.DAY, RankingSection(), interests=Interests())
    assert [p.paper.arxiv_id for p in plain] == [p.paper.arxiv_id for p in empty]
    assert all("interest" not in p.signals and p.reasons == () for p in empty)


def test_closeness_is_highest_for_the_related_paper_and_negatives_pull_down(papers: ModuleType) -> None:
    liked = Example(
        label="Feature Caching for Video Diffusion",
        text="feature caching cache schedules diffusion transformers acceleration",
    )
    near = closeness(list(papers.DAY), Interests(positives=(liked,)))
    assert max(near, key=lambda i: near[i].value) in {papers.OTCACHE.arxiv_id, papers.WEAK_CACHE.arxiv_id}
    assert near[papers.OTCACHE.arxiv_id].value > near[papers.ROBOT_GRASP.arxiv_id].value
    disliked = Example(label="x", text=papers.WEAK_CACHE.title + " " + papers.WEAK_CACHE.abstract)
    against = closeness(list(papers.DAY), Interests(positives=(liked,), negatives=(disliked,)))
    assert against[papers.WEAK_CACHE.arxiv_id].value < near[papers.WEAK_CACHE.arxiv_id].value


def test_a_pick_close_to_a_past_pick_says_so_and_rises(papers: ModuleType) -> None:
    past = Example(
        label="Robot Grasping at Scale", text=f"{papers.ROBOT_GRASP.title} {papers.ROBOT_GRASP.abstract}"
    )
    settings = replace(RankingSection(), weight_interest=1.0, min_topic=0.0)
    before = [p.paper.arxiv_id for p in rank(papers.DAY, replace(settings, picks=len(papers.DAY)))]
    ranked = rank(
        papers.DAY, replace(settings, picks=len(papers.DAY)), interests=Interests(positives=(past,))
    )
    after = [p.paper.arxiv_id for p in ranked]
    grasp = next(p for p in ranked if p.paper.arxiv_id == papers.ROBOT_GRASP.arxiv_id)
    assert grasp.reasons == ("close to Robot Grasping at Scale",)
    assert grasp.signals["interest"] == 1.0
    assert after.index(papers.ROBOT_GRASP.arxiv_id) < before.index(papers.ROBOT_GRASP.arxiv_id)
