"""Boolean keyword expressions of monitoring schemes, parsed once into an AST.

Syntax (precedence NOT > AND > OR, left to right):

- operators ``AND``/``OR``/``NOT`` as words, in any case; also ``&`` and
  ``+`` for AND, ``|`` for OR, ``!`` and a leading ``-`` for NOT (Chinese
  users often write ``北京+暴雨|洪水``); full-width ``（）＋｜！`` work too;
- two terms side by side without an operator are joined by AND;
- parentheses group; ``"quoted phrases"`` (also “...”) may contain spaces;
- any other run of characters is a bare word (``COVID-19`` keeps its ``-``);
- parentheses and NOTs nest at most ``MAX_DEPTH`` (100) deep (a chosen bound,
  far above what a person writes: deeper input would exhaust Python's stack).

A word is true when it occurs as a substring of the normalised text; words
are put through the caller's ``normalize`` so they compare like the text.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import dataclass

from yuqing.domain import BadInput

_FULL_WIDTH = str.maketrans({"（": "(", "）": ")", "＋": "+", "｜": "|", "！": "!", "＆": "&"})
_SYMBOL_OPS = {"&": "AND", "+": "AND", "|": "OR", "!": "NOT"}
_WORD_OPS = {"and": "AND", "or": "OR", "not": "NOT"}
_QUOTES = {'"': '"', "“": "”"}
_STOP = set(" \t\r\n()&+|") | set(_QUOTES)
#: how deep parentheses and NOTs may nest
MAX_DEPTH = 100


@dataclass(frozen=True)
class Word:
    """A leaf: true when ``text`` (already normalised) is among the present words."""

    text: str

    def evaluate(self, present: Set[str]) -> bool:
        """Return whether this word is in ``present``."""
        return self.text in present

    def words(self) -> set[str]:
        """Return the set of words this node refers to."""
        return {self.text}


@dataclass(frozen=True)
class Not:
    """Negation of ``child``."""

    child: Node

    def evaluate(self, present: Set[str]) -> bool:
        """Return the negation of the child's value."""
        return not self.child.evaluate(present)

    def words(self) -> set[str]:
        """Return the child's words."""
        return self.child.words()


@dataclass(frozen=True)
class _Group:
    """A node over ``children`` (at least two)."""

    children: tuple[Node, ...]

    def words(self) -> set[str]:
        """Return the union of the children's words."""
        return set().union(*(c.words() for c in self.children))


@dataclass(frozen=True)
class And(_Group):
    """Conjunction: true when every child is true."""

    def evaluate(self, present: Set[str]) -> bool:
        """Return True when every child is true."""
        return all(c.evaluate(present) for c in self.children)


@dataclass(frozen=True)
class Or(_Group):
    """Disjunction: true when any child is true."""

    def evaluate(self, present: Set[str]) -> bool:
        """Return True when any child is true."""
        return any(c.evaluate(present) for c in self.children)


Node = Word | Not | And | Or


def tokenize(expression: str) -> list[tuple[str, str, int]]:
    """Return ``(kind, value, position)`` tokens; kind is one of
    ``( ) AND OR NOT WORD``. Raises ValueError(position, message) for an
    unclosed quote."""
    text = expression.translate(_FULL_WIDTH)
    tokens: list[tuple[str, str, int]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append((ch, ch, i))
            i += 1
        elif ch in _SYMBOL_OPS or (ch == "-" and i + 1 < len(text) and text[i + 1] not in _STOP):
            tokens.append((_SYMBOL_OPS.get(ch, "NOT"), ch, i))
            i += 1
        elif ch in _QUOTES:
            close = text.find(_QUOTES[ch], i + 1)
            if close < 0:
                raise ValueError(i, "unclosed quote")
            tokens.append(("WORD", text[i + 1 : close], i))
            i = close + 1
        else:
            j = i
            while j < len(text) and text[j] not in _STOP and text[j] != "!":
                j += 1
            word = text[i:j]
            tokens.append((_WORD_OPS.get(word.lower(), "WORD"), word, i))
            i = j
    return tokens


class _Parser:
    """Recursive-descent parser over the tokens of one expression."""

    def __init__(
        self, tokens: list[tuple[str, str, int]], end: int, normalize: Callable[[str], str]
    ):
        self.tokens = tokens
        self.pos = 0
        self.end = end
        self.normalize = normalize
        self.depth = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("END", "", self.end)

    def take(self) -> tuple[str, str, int]:
        tok = self.peek()
        self.pos += 1
        return tok

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while self.peek()[0] == "OR":
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self) -> Node:
        parts = [self.parse_not()]
        while self.peek()[0] in ("AND", "NOT", "WORD", "("):
            if self.peek()[0] == "AND":
                self.take()
            parts.append(self.parse_not())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def nested(self, at: int, parse: Callable[[], Node]) -> Node:
        """Return ``parse()`` one level deeper; raises ValueError past MAX_DEPTH."""
        if self.depth >= MAX_DEPTH:
            raise ValueError(at, f"parentheses and NOTs nest more than {MAX_DEPTH} deep")
        self.depth += 1
        try:
            return parse()
        finally:
            self.depth -= 1

    def parse_not(self) -> Node:
        if self.peek()[0] == "NOT":
            at = self.take()[2]
            return Not(self.nested(at, self.parse_not))
        return self.parse_atom()

    def parse_atom(self) -> Node:
        kind, value, at = self.take()
        if kind == "(":
            node = self.nested(at, self.parse_or)
            if self.take()[0] != ")":
                raise ValueError(at, "unbalanced parenthesis: '(' is never closed")
            return node
        if kind == "WORD":
            word = self.normalize(value).strip()
            if not word:
                raise ValueError(at, f"empty word {value!r}")
            return Word(word)
        what = "end of expression" if kind == "END" else f"{value!r}"
        raise ValueError(at, f"expected a word or '(' but found {what} (dangling operator?)")


def parse(
    expression: str, normalize: Callable[[str], str] = lambda s: s, name: str = "expression"
) -> Node:
    """Parse ``expression`` into an AST whose words are put through ``normalize``.

    Raises BadInput naming ``name``, the 0-based character position and the
    problem (unbalanced parenthesis, dangling operator, unclosed quote, empty
    expression, nesting deeper than MAX_DEPTH).
    """
    try:
        tokens = tokenize(expression)
        parser = _Parser(tokens, len(expression), normalize)
        node = parser.parse_or()
        kind, value, at = parser.peek()
        if kind != "END":
            problem = (
                "unbalanced parenthesis: ')' without '('"
                if kind == ")"
                else f"unexpected {value!r}"
            )
            raise ValueError(at, problem)
    except ValueError as exc:
        at, problem = exc.args
        raise BadInput(
            f"{name}: syntax error at position {at}: {problem} in {expression!r}"
        ) from exc
    return node


def named_words(node: Node) -> set[str]:
    """Return the words of ``node`` when it only names (a word, or words joined by OR:
    ``青山 OR 城关镇``, ``青山县人民医院 OR 县医院``); the empty set when it has an AND or a
    NOT (its words may then be what happened, not whom it concerns)."""
    if isinstance(node, Word):
        return {node.text}
    if isinstance(node, Or):
        found = [named_words(c) for c in node.children]
        return set().union(*found) if all(found) else set()
    return set()


def present_words(node: Node, text: str) -> set[str]:
    """Return the words of ``node`` that occur in ``text`` (substring test)."""
    return {w for w in node.words() if w in text}
