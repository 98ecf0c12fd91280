"""Splitting front matter from the body, with every line counted in the file."""

from __future__ import annotations

import yaml

from bot.knowledge.frontmatter import (
    FrontMatter,
    Malformed,
    compose_yaml,
    line_of,
    parse_front_matter,
)


def keys(fm: FrontMatter) -> dict[str, int]:
    return {k.value: line_of(k) for k, _ in fm.node.value}


def test_splits_front_matter_and_body():
    fm = parse_front_matter("---\nid: a\ntitle: B\n---\n## Heading\nText.\n")
    assert isinstance(fm, FrontMatter)
    assert keys(fm) == {"id": 2, "title": 3}
    assert fm.body == "## Heading\nText.\n"
    assert fm.body_line == 5


def test_nested_items_have_file_lines():
    fm = parse_front_matter("---\nid: a\nsources:\n  - title: T\n    url: https://x.org\n---\nx")
    assert isinstance(fm, FrontMatter)
    sources = dict((k.value, v) for k, v in fm.node.value)["sources"]
    assert isinstance(sources, yaml.SequenceNode)
    item = sources.value[0]
    assert line_of(item) == 4 and [line_of(v) for _, v in item.value] == [4, 5]


def test_leading_bom_and_dots_closing_line():
    fm = parse_front_matter("\ufeff---\nid: a\n...\nbody")
    assert isinstance(fm, FrontMatter) and fm.body == "body" and fm.body_line == 4


def test_empty_body():
    fm = parse_front_matter("---\nid: a\n---")
    assert isinstance(fm, FrontMatter) and fm.body == "" and fm.body_line == 4


def test_no_front_matter():
    assert parse_front_matter("# Title\n---\nid: a\n---\n") == Malformed(
        1, "no front matter: the file must start with a '---' line"
    )
    assert isinstance(parse_front_matter(""), Malformed)


def test_unterminated():
    result = parse_front_matter("---\nid: a\ntitle: b\n")
    assert isinstance(result, Malformed) and result.line == 1 and "not closed" in result.message


def test_invalid_yaml_reports_the_file_line():
    result = parse_front_matter("---\nid: a\ntitle: b\ntopics: [a, b\nstatus: draft\n---\nx")
    assert isinstance(result, Malformed) and "invalid YAML" in result.message
    assert result.line in (4, 5)  # where yaml notices the unclosed list


def test_tab_indentation_is_invalid_yaml_at_its_line():
    result = parse_front_matter("---\nid: a\nsources:\n\t- title: x\n---\nx")
    assert isinstance(result, Malformed) and result.line == 4


def test_not_a_mapping():
    for text in ("---\n- a\n---\nx", "---\njust text\n---\nx"):
        result = parse_front_matter(text)
        assert isinstance(result, Malformed) and result.line == 2
    empty = parse_front_matter("---\n---\nx")
    assert isinstance(empty, Malformed) and "field: value" in empty.message


def test_compose_yaml_offsets_lines():
    node = compose_yaml("a: 1\nb: 2\n", first_line=10)
    assert isinstance(node, yaml.MappingNode)
    assert [line_of(k) for k, _ in node.value] == [10, 11]
    assert compose_yaml("") is None
