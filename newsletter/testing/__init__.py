"""Stand-ins for the outside world that the demo and the tests share.

Nothing here is a pipeline stage: :mod:`newsletter.testing.replay` serves recorded arXiv answers
from 127.0.0.1 so that the demo, the benchmarks and the tests run the real arXiv client offline.
"""
