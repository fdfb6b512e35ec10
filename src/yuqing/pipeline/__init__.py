"""Pipeline stages: normalise -> de-duplicate -> segment -> sentiment ->
sensitive terms -> scheme matching (then store and alerts).

Each stage is a small class over a batch of items (see :mod:`yuqing.pipeline.base`).
"""
