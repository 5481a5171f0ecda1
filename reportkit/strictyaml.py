"""Strict YAML composition for params files: no aliases, no duplicate keys, every node's line.

libyaml's parser composes a file ≈14× faster than PyYAML's pure-Python one; it reads files it
can read cleanly and without aliases. Anything else (a syntax error, an alias, a character
PyYAML's reader refuses) goes through the pure-Python strict loader, which raises with its
own words and marks — the messages :func:`reportkit.params.read_yaml` turns into findings.
"""
from __future__ import annotations

import yaml


class _Strict:
    """Construction that refuses duplicate keys and keeps unparseable scalars as text."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int)):
                raise yaml.MarkedYAMLError(None, None, f"键必须是文字，实为 {key!r}",
                                           key_node.start_mark)
            if key in seen:
                raise yaml.MarkedYAMLError(
                    None, None,
                    f"重复的键 {key!r}（首次出现在第 {seen[key] + 1} 行）", key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node, deep=False):
        # An impossible date (2023-02-30), an integer of 5000 digits or `!!int abc` makes
        # PyYAML raise a bare ValueError: keep the text instead, so that the schema check
        # names the field and shows what was found.
        if not isinstance(node, yaml.ScalarNode) or node in self.constructed_objects:
            return super().construct_object(node, deep=deep)
        old_deep = self.deep_construct
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError):
            self.deep_construct = old_deep
            self.recursive_objects.pop(node, None)
            self.constructed_objects[node] = node.value
            return node.value


class _StrictLoader(_Strict, yaml.SafeLoader):
    """SafeLoader that refuses aliases and duplicate keys and records each node's line."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, "不允许使用 YAML 别名（*name）",
                                       event.start_mark)
        return super().compose_node(parent, index)


_CLoader = getattr(yaml, "CSafeLoader", None)
_StrictCLoader = type("_StrictCLoader", (_Strict, _CLoader), {}) if _CLoader else None


def _fast_compose(text: str):
    """(node, data) read by libyaml, or None when the strict Python loader must read it."""
    if _StrictCLoader is None or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    try:
        loader = _StrictCLoader(text)
        try:
            node = loader.get_single_node()
            if node is None or _shares_nodes(node):  # an alias: refused below, with its line
                return None
            return node, loader.construct_document(node)
        finally:
            loader.dispose()
    except (yaml.YAMLError, RecursionError):
        return None


def _shares_nodes(root) -> bool:
    """Whether any node is reached twice (what an alias composes to); iterative, linear."""
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return False


def _slow_compose(text: str):
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def compose(text: str):
    """(root node, constructed data) of one YAML document; raises yaml errors or RecursionError."""
    return _fast_compose(text) or _slow_compose(text)
