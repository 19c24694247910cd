"""Render stage: one module per target, each a pure function from the IR to ``{path: text}``."""
