"""Facts are found exactly as the paper's record writes them, or reported absent."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsletter.model import Author, Paper
from newsletter.ranking import extract_facts
from newsletter.ranking.facts import find_key_number, find_links, find_venue
from newsletter.ranking.text import squash


def test_the_sample_papers_facts_are_extracted_verbatim(papers: ModuleType) -> None:
    otcache = extract_facts(papers.OTCACHE)
    assert otcache.venue == "ECCV 2026"
    assert otcache.code_url == "github.com/UnicomAI/OTCache"
    assert otcache.key_number == "4.5× on FLUX.1 [dev]"
    assert otcache.core_method is not None
    assert otcache.core_method.startswith("OTCache, a training-free")
    assert extract_facts(papers.CROSS_SPACE).key_number == "HPSv3 from 5.4 to 9.4"
    assert extract_facts(papers.SYNCCACHE).key_number == "4.12× acceleration on HunyuanVideo-Avatar"
    mbd = extract_facts(papers.MBD)
    assert mbd.key_number == "TPF improves from 3.47 to 6.19"
    assert mbd.project_url == "https://sjtu-deng-lab.github.io/mbd-lms"
    assert mbd.institution == "Shanghai Jiao Tong University; Xi'an Jiaotong University; Huawei"


def test_absent_facts_stay_absent(papers: ModuleType) -> None:
    ecfm = extract_facts(papers.ECFM)
    assert ecfm.key_number is None
    assert ecfm.code_url is ecfm.demo_url is ecfm.project_url is None
    assert extract_facts(papers.CROSS_SPACE).institution is None


@pytest.mark.parametrize(
    ("abstract", "expected"),
    [
        ("It lowers FID 20.13 → 12.91 on ImageNet.", "FID 20.13 → 12.91"),
        ("The score rises from 5.4 to 9.4 HPSv3 in one step.", "from 5.4 to 9.4 HPSv3"),
        ("Sampling is 2.5x faster, and FID improves from 3.1 to 2.7.", "FID improves from 3.1 to 2.7"),
        ("We reach a 35% reduction in latency.", "35% reduction in latency"),
        ("It runs at 4.5× on FLUX.1 [dev], 4.7× on Qwen-Image.", "4.5× on FLUX.1 [dev]"),
        ("Results from 2019 to 2024 are surveyed.", None),
        ("Images of 512x512 pixels are generated.", None),
        ("No numbers here.", None),
        (r"It is 3.2$\times$ faster on SDXL.", r"3.2$\times$ faster on SDXL"),
        (r"It cuts FID 9.1 $\rightarrow$ 7.4 on COCO.", r"FID 9.1 $\rightarrow$ 7.4"),
    ],
)
def test_key_number_is_the_most_telling_claim(abstract: str, expected: str | None) -> None:
    assert find_key_number(abstract) == expected


@pytest.mark.parametrize(
    ("comment", "journal_ref", "expected"),
    [
        ("Accepted to ECCV 2026. 14 pages", None, "ECCV 2026"),
        ("NeurIPS 2025 (Spotlight)", None, "NeurIPS 2025"),
        ("Accepted at CVPR 2026 Workshop on Efficient AI", None, "CVPR 2026 Workshop"),
        ("Under review at ICLR 2026", None, None),
        ("Submitted to CVPR 2026; code soon", None, None),
        (
            "12 pages",
            "IEEE Trans. Image Processing 35 (2026) 1-12",
            "IEEE Trans. Image Processing 35 (2026) 1-12",
        ),
        ("Accepted to the Journal of Imaging Science", None, "Journal of Imaging Science"),
    ],
)
def test_venue_is_an_acceptance_as_written(
    papers: ModuleType, comment: str, journal_ref: str | None, expected: str | None
) -> None:
    found = find_venue(replace(papers.OTCACHE, comment=comment, journal_ref=journal_ref))
    assert (found.text if found else None) == expected


def test_links_are_sorted_by_kind_and_kept_as_written(papers: ModuleType) -> None:
    paper = replace(
        papers.OTCACHE,
        abstract="Code: https://github.com/x/y. Try the demo at https://huggingface.co/spaces/x/y.",
        comment="Project page: https://x.github.io/y/",
    )
    links = find_links(paper)
    assert links.code == ("https://github.com/x/y",)
    assert links.demo == ("https://huggingface.co/spaces/x/y",)
    assert links.project == ("https://x.github.io/y/",)


def test_institution_comes_from_the_comment_when_there_are_no_affiliations(papers: ModuleType) -> None:
    paper = replace(papers.OTCACHE, comment="Work done at Seoul National University and NAVER.")
    assert extract_facts(paper).institution == "Seoul National University; NAVER"
    assert extract_facts(paper, labs=["NAVER"]).institution == "NAVER"


def test_affiliations_win_over_the_comment(papers: ModuleType) -> None:
    paper = replace(papers.OTCACHE, authors=(Author(name="X", affiliations=("KAIST",)),), comment="NAVER")
    assert extract_facts(paper).institution == "KAIST"


WHEN = datetime(2026, 6, 30, tzinfo=UTC)
_words = st.text(alphabet=st.sampled_from("abc XYZ 0123456789.,;:×→%-/[]()"), max_size=300)


@given(abstract=_words, comment=st.none() | _words)
def test_every_fact_but_the_prose_is_found_in_its_source(abstract: str, comment: str | None) -> None:
    paper = Paper(
        arxiv_id="2607.09999",
        version=1,
        title="T",
        abstract=abstract,
        authors=(),
        primary_category="cs.CV",
        categories=("cs.CV",),
        published=WHEN,
        updated=WHEN,
        comment=comment,
    )
    facts = extract_facts(paper)
    source = squash(f"{abstract} {comment or ''}")
    for value in (facts.venue, facts.code_url, facts.demo_url, facts.project_url, facts.key_number):
        assert value is None or value in source
