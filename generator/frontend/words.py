"""Word splits of wire names: the language-neutral half of naming.

Every target builds its names (snake_case, camelCase, CapWords) from these words, so the rules for
word boundaries hold in every language. By example (tests/test_naming.py has the full table):

- ``CalledShowNumber`` → ``Called Show Number``; acronyms stay one word: ``EnableITN`` →
  ``Enable ITN``, ``HTTPStatus`` → ``HTTP Status``;
- digits stick to the word before them: ``QueryRobotv2AllList`` → ``Query Robotv2 All List``
  (the official SDK splits it as ``query_robotv_2all_list``);
- leading digits form a word of their own with what follows: ``3DSecure`` → ``3D Secure``.
"""

from __future__ import annotations

import re

_WORD = re.compile(
    r"""
    [A-Z]+[0-9]*(?=[A-Z][a-z]|[^A-Za-z0-9]|$)  # an acronym, up to the next Capitalised word
    | [A-Z]?[a-z]+[0-9]*                         # a word, with the digits that follow it
    | [A-Z]+[0-9]*                               # trailing capitals
    | [0-9]+(?:[a-z]+|[A-Z]+(?=[A-Z][a-z]|[^A-Za-z]|$))?  # leading digits: 1st, 3D
    """,
    re.VERBOSE,
)


def words(wire_name: str) -> tuple[str, ...]:
    """Split a wire name into its words, keeping digits with the word before them."""
    return tuple(_WORD.findall(wire_name))
