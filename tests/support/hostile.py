"""Shared settings and strategies of the property-based (hypothesis) hostile-input tests.

Every property test runs with ``HOSTILE`` (or a copy with its own ``max_examples``):
derandomized, so a run is the same every time and on every machine, with no example
database written into the checkout and no per-example deadline (a busy machine must not
fail a test; speed goes in benchmarks/). ``pytest --hypothesis-show-statistics`` prints
how many cases each test ran.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

HOSTILE = settings(
    derandomize=True, database=None, deadline=None, max_examples=200,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)

#: pieces the files and pages seen in the field break with (docs/FIELD_CASES.md): quotes,
#: separators, NUL, bytes invalid in UTF-8, half a UTF-8 character, GB18030 text, a lone
#: CR, byte-order marks, entities and character references, CDATA, markup
PIECES = (
    b'"', b",", b"\t", b"\x00", b"\xff", b"\xfe", b"\x80", b"\xe4\xb8", b"\r", b"\r\n",
    "\u4e2d\u6587".encode("gb18030"), "\u5317\u4eac".encode(), b"\xef\xbb\xbf",
    b"\xff\xfe", b"&", b"&nbsp;", b"&#1114112;", b"&#0;", b"&amp", b"<![CDATA[", b"]]>",
    b"<", b">", b"</a>", b"<a href=", b"\\", b"'", b"\x1b", b"\x0b", b"#", b"=",
)


def hostile_bytes(max_pieces: int = 12, *, newlines: bool = True) -> st.SearchStrategy[bytes]:
    """Bytes made of PIECES and random bytes; without LF when ``newlines`` is False."""
    piece = st.sampled_from(PIECES) | st.binary(min_size=1, max_size=6)
    made = st.lists(piece, max_size=max_pieces).map(b"".join)
    return made if newlines else made.map(lambda b: b.replace(b"\n", b""))


#: text any field may hold: every character but lone surrogates (not encodable) and NUL
#: (refused by design)
FIELD_TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                     max_size=40)
