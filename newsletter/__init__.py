"""newsletter: a bilingual daily arXiv research digest, written, rendered and sent by email.

The pipeline runs sources → ranking → digest → render → delivery; :mod:`newsletter.pipeline`
drives it for the CLI, the scheduler and the preview server alike.
"""

__version__ = "0.1.0"
