"""The recorded 2026-07-01 window the demo serves: a realistic day holding the sample issue's facts."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from newsletter.sources.session import feed_total
from newsletter.testing.replay import NS, load_entries
from tests.sources.conftest import RECORDED

ENTRIES = load_entries(RECORDED)
MAIN_START = datetime(2026, 6, 29, 18, 0, tzinfo=UTC)
MAIN_END = datetime(2026, 6, 30, 18, 0, tzinfo=UTC)


def text_of(arxiv_id: str) -> str:
    entry = next(e for e in ENTRIES if e.arxiv_id == arxiv_id)
    return " ".join("".join(etree.fromstring(entry.xml).itertext()).split())


def test_the_feed_counts_its_own_entries() -> None:
    assert feed_total(RECORDED.read_bytes(), str(RECORDED)) == len(ENTRIES) >= 45


def test_a_realistic_day() -> None:
    ours = [e for e in ENTRIES if e.categories & {"cs.CV", "cs.LG", "cs.AI"}]
    main = [e for e in ENTRIES if MAIN_START <= e.published <= MAIN_END]
    late = [e for e in ENTRIES if e.published < MAIN_START]
    generative = [
        e for e in ours if "diffusion" in e.title + e.abstract or "flow matching" in e.title + e.abstract
    ]
    assert len(ours) >= 40
    assert len(main) >= 35
    assert 3 <= len(late) <= 8
    assert 0.3 <= len(generative) / len(ours) <= 0.5
    assert {e.arxiv_id for e in ENTRIES if not e.arxiv_id.endswith("v1")} == {"2606.29740v2", "2606.29765v2"}
    root = etree.parse(str(RECORDED)).getroot()
    assert len(root.findall("atom:entry/arxiv:journal_ref", NS)) >= 3
    assert 0 < len(root.findall("atom:entry/atom:author/arxiv:affiliation/..", NS)) < len(ENTRIES) * 3


# (arXiv id, facts the sample issue states about it, written as the sample writes them)
SAMPLE_FACTS = [
    ("2606.30412v1", ["from 5.4 to 9.4", "HPSv3", "Accepted to ECCV 2026", "SD 1.5"]),
    ("2606.30108v1", ["Chika Maduabuchi", "William & Mary", "Accepted to ECCV 2026", "Schrodinger bridge"]),
    (
        "2606.29977v1",
        [
            "4.5× acceleration on FLUX.1 [dev]",
            "4.7× on Qwen-Image",
            "3.66× on HunyuanVideo",
            "ECCV 2026 accepted",
            "github.com/UnicomAI/OTCache",
        ],
    ),
    (
        "2606.30233v1",
        [
            "from 3.47 to 6.19, a 78.4% gain",
            "from 79.95% to 81.03%",
            "951.41 TPS",
            "781.50 TPS",
            "sjtu-deng-lab.github.io/mbd-lms",
            "Shanghai Jiao Tong University",
            "Xi'an Jiaotong University",
            "Huawei",
        ],
    ),
    (
        "2606.30388v1",
        ["4.12× acceleration on HunyuanVideo-Avatar", "3.75× on Wan-S2V", "Accepted to ECCV 2026"],
    ),
]


def test_the_sample_papers_carry_the_sample_facts() -> None:
    for arxiv_id, facts in SAMPLE_FACTS:
        text = text_of(arxiv_id)
        missing = [fact for fact in facts if fact not in text]
        assert not missing, f"{arxiv_id} lacks {missing}"
