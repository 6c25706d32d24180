"""Delivery: one contract (:mod:`.base`), three backends, and the crash-safe send loop."""
