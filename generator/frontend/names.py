"""Names that travel on the wire, and what they may be made of: the action in a header and the
query, the others as query keys (``Key.1.Sub`` flattens lists, so a dot inside a name would be
ambiguous) and JSON keys; the product code in package and class names."""

from __future__ import annotations

import re

ACTION_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")
WIRE_NAME = re.compile(r"[A-Za-z0-9_]+")  # a leading digit is fine on the wire (3DSecure)
PRODUCT_CODE = re.compile(r"[A-Za-z][A-Za-z0-9]*")
