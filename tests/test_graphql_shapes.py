"""The shape key of the GraphQL document cache: GraphQL's own lexer is the reference.

Documents that share a shape skip the validation rules that do not read values, so the shape
must blank exactly the tokens graphql-core's lexer reads as string, block string, number or
comment, and nothing else.
"""

from __future__ import annotations

from graphql.error import GraphQLSyntaxError
from graphql.language import Lexer, Source, TokenKind
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hookwire.crm.graphql.endpoint import shape_of

_BLANKED = {
    TokenKind.STRING: '""',
    TokenKind.BLOCK_STRING: '""',
    TokenKind.INT: "0",
    TokenKind.FLOAT: "0",
    TokenKind.COMMENT: "",
}


def lexer_shape(text: str) -> str:
    """``text`` with the tokens graphql-core reads as literals or comments blanked."""
    lexer = Lexer(Source(text))
    while lexer.advance().kind != TokenKind.EOF:
        pass
    token = lexer.token
    while token.prev is not None:
        token = token.prev
    pieces, position = [], 0
    while token is not None:
        pieces.append(text[position : token.start])
        pieces.append(_BLANKED.get(token.kind, text[token.start : token.end]))
        position = token.end
        token = token.next
    return "".join(pieces)


_plain = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\\n\r'), max_size=4
)
strings = st.lists(
    st.one_of(_plain, st.sampled_from(['\\"', "\\\\", "\\n", "\\u00e9", "#", "1", "'"])),
    max_size=4,
).map(lambda parts: '"' + "".join(parts) + '"')
block_strings = st.lists(
    st.one_of(_plain, st.sampled_from(['\\"""', '"', '""', "\\", "\n", "#", "2"])), max_size=4
).map(lambda parts: '"""' + "".join(parts) + '"""')
names = st.from_regex(r"\A[_A-Za-z][_0-9A-Za-z]{0,6}\Z")
numbers = st.from_regex(r"\A-?(0|[1-9][0-9]{0,4})(\.[0-9]{1,3})?([eE][+-]?[0-9]{1,2})?\Z")
comments = st.from_regex(r"\A#[^\n\r]{0,10}\Z")
punctuators = st.sampled_from(["{", "}", "(", ")", "[", "]", ":", "$", "@", "!", "=", "|", "..."])
tokens = st.one_of(names, strings, block_strings, numbers, comments, punctuators)
separators = st.sampled_from(["", " ", ",", "\n", "\t"])


@st.composite
def token_streams(draw: st.DrawFn) -> str:
    """Tokens of every kind, sometimes glued together; a comment runs to the end of its line."""
    text = ""
    for token, separator in draw(st.lists(st.tuples(tokens, separators), max_size=30)):
        text += token + ("\n" if token.startswith("#") else separator)
    return text


@settings(max_examples=400, deadline=None)
@given(token_streams())
def test_the_shape_blanks_exactly_what_the_lexer_reads_as_literals(text: str) -> None:
    try:
        expected = lexer_shape(text)
    except GraphQLSyntaxError:
        assume(False)
    assert shape_of(text) == expected


def test_documents_differing_only_in_literals_share_a_shape() -> None:
    template = "query Q { people(filter: {name: {lastName: {eq: %s}}}, first: %s) { totalCount } }"
    variants = [
        ('"Smith"', "10"),
        ('"O\\"Brien # not a comment"', "-1"),
        ('"""a "quoted" block \\""" string"""', "2.5e3"),
    ]
    shapes = {shape_of(template % values) for values in variants}
    assert len(shapes) == 1
    assert shape_of(template.replace("first", "last") % variants[0]) not in shapes


def test_names_keep_their_digits_and_comments_do_not_count() -> None:
    assert shape_of("query($limit2: Int) { a1: people(first: $limit2) { id } }") == (
        "query($limit2: Int) { a1: people(first: $limit2) { id } }"
    )
    assert shape_of('{ a # "x" 1\n b(x: 1) }') == "{ a \n b(x: 0) }"
