"""Semantic versions of the SDK (``sdk.version`` in product.yaml) and the bumps between them.

``product.yaml`` guarantees the ``MAJOR.MINOR.PATCH`` shape (``SdkSpec.version``), so parsing here
only fails on a caller's mistake. A bump of a given level resets the levels below it:
``Version.parse("1.4.2").bump(Bump.minor)`` is ``1.5.0``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

_SHAPE = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


class Bump(StrEnum):
    """How far a change set moves the version, weakest first."""

    none = "none"
    patch = "patch"
    minor = "minor"
    major = "major"

    @property
    def rank(self) -> int:
        return list(Bump).index(self)


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _SHAPE.match(text)
        if match is None:
            raise ValueError(f"{text!r} is not a MAJOR.MINOR.PATCH version")
        return cls(*(int(part) for part in match.groups()))

    def bump(self, level: Bump) -> Version:
        match level:
            case Bump.none:
                return self
            case Bump.patch:
                return Version(self.major, self.minor, self.patch + 1)
            case Bump.minor:
                return Version(self.major, self.minor + 1, 0)
            case Bump.major:
                return Version(self.major + 1, 0, 0)
            case _:
                assert_never(level)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"
