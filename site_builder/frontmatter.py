"""Front matter: the `---` block at the top of a post or page. Below both `posts`
(which writes and re-reads generated posts) and `site` (which builds every page),
so both read it the same way."""

from __future__ import annotations

import re

import yaml

from site_builder.errors import BuildError

RUBY_SPACE = " \t\r\n\f\v"   # Ruby's \s

# The line that ends front matter, and the blank lines after it (read as lines
# stripped of RUBY_SPACE, below): `$` and `^` know only "\n" as a line's end, as Ruby's
FRONT_END = re.compile(r"^(?:---|\.\.\.)[ \t\r\f\v]*$\n?", re.M)
BLANK_LINES = re.compile(r"(?:[ \t\r\f\v]*\n)*(?:[ \t\r\f\v]+\Z)?")

# Psych's dates (ScalarScanner): a month or a day of one digit is a date too
# (`date: 2022-11-7`, HSF's training material: printed 2022-11-07 by Jekyll); a
# month past 12 is text. Date and time as PyYAML reads them.
TIMESTAMP = re.compile(r"""^(?:[0-9]{4}-(?:1[012]|0[0-9]|[0-9])-(?:[12][0-9]|3[01]|0[0-9]|[0-9])
    |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]
    :[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""", re.X)


def _psych_dates(loader: type) -> type:
    loader.yaml_implicit_resolvers = {
        first: [(tag, TIMESTAMP if tag == "tag:yaml.org,2002:timestamp" else pattern)
                for tag, pattern in resolvers]
        for first, resolvers in loader.yaml_implicit_resolvers.items()}
    return loader


# libyaml's parser where installed: ten times faster on a thousand front matters.
_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _timestamp_or_text(loader: yaml.BaseLoader, node: yaml.ScalarNode) -> object:
    """A date that cannot be (2020-02-30, 2020-13-45) is text, as Ruby's Psych reads
    it (and Jekyll then says the post's date is invalid); PyYAML raised a ValueError."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


class YAML_LOADER(_PARSER):  # noqa: N801 (the name it had as an alias)
    """The safe loader, with Psych's reading of impossible dates."""

    def resolve(self, kind: type, value: str | None, implicit: object) -> str:
        """The node's tag, as PyYAML's resolve() says (this loader has no path
        resolvers), with each first character's resolvers listed once, not joined
        to the wildcard ones in each of the calls libyaml's parser makes, one a node."""
        if kind is yaml.ScalarNode and implicit[0]:
            for tag, pattern in _IMPLICIT.get(value[:1], _WILDCARD):
                if pattern.match(value):
                    return tag
        return self.DEFAULT_SCALAR_TAG if kind is yaml.ScalarNode else \
            self.DEFAULT_SEQUENCE_TAG if kind is yaml.SequenceNode else self.DEFAULT_MAPPING_TAG

    # libyaml's parser calls descend_resolver(parent, index) and ascend_resolver()
    # around every node, for path resolvers, of which this loader has none: PyYAML's
    # then return at once. Builtins that take those arguments and do nothing stand in,
    # without a Python call each.
    descend_resolver = staticmethod(slice)
    ascend_resolver = staticmethod(tuple)


YAML_LOADER.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
_psych_dates(YAML_LOADER)
_WILDCARD = YAML_LOADER.yaml_implicit_resolvers.get(None, [])
_IMPLICIT = {first: resolvers + _WILDCARD
             for first, resolvers in YAML_LOADER.yaml_implicit_resolvers.items()}


class RedefiningLoader(yaml.SafeLoader):
    """A safe loader on which an anchor may be defined again, an alias taking the
    latest definition: YAML 1.2 and Ruby's Psych (Jekyll's) allow it, PyYAML does not
    (themes' _data files do it: `en: &EN Archive` in one entry, `en: &EN About` in
    the next); and which reads tabs between tokens as libyaml does."""

    def scan_to_next_token(self) -> None:
        """libyaml's (Psych's) whitespace: a tab as well as a space, where no key can
        start (after a value, in a flow) - `path: ''\t\t# a comment` in a theme's
        _config.yml - where PyYAML's own scanner takes spaces only."""
        if self.index == 0 and self.peek() == "\uFEFF":
            self.forward()
        while True:
            while self.peek() == " " or (self.peek() == "\t" and (
                    self.flow_level or not self.allow_simple_key)):
                self.forward()
            if self.peek() == "#":
                while self.peek() not in "\0\r\n\x85\u2028\u2029":
                    self.forward()
            if not self.scan_line_break():
                return
            if not self.flow_level:
                self.allow_simple_key = True

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201 (PyYAML's)
        if not self.check_event(yaml.AliasEvent):
            anchor = self.peek_event().anchor
            if anchor is not None:
                self.anchors.pop(anchor, None)
        return super().compose_node(parent, index)


RedefiningLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
_psych_dates(RedefiningLoader)


class RubyKeysLoader(RedefiningLoader):
    """A loader that takes a list or a mapping as a key, as Psych does (a Hash's
    key may be any value): HSF's posts hold a Markdown comment, `[//]: # (photo:
    x.jpg)`, in their front matter, a key that is the list ["//"]. Here it is the
    tuple ("//",): no one reads it, and the rest of the front matter stays."""

    def construct_mapping(self, node, deep=False):  # noqa: ANN001, ANN201 (PyYAML's)
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep)
        self.flatten_mapping(node)
        mapping = {}
        for key_node, value_node in node.value:
            key = _hashable(self.construct_object(key_node, deep=True))
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


def _hashable(value: object) -> object:
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, dict):
        return tuple((_hashable(k), _hashable(v)) for k, v in value.items())
    return value


def node_and_data(text: str) -> tuple[yaml.Node | None, object]:
    """The YAML document's node tree (its marks give each key's line) and its data,
    by libyaml where it reads the text (eight times faster than PyYAML's scanner on a
    _config.yml, read before anything else in every build), else by RedefiningLoader,
    which reads redefined anchors and raises the errors users are shown."""
    try:
        return _node_and_data(YAML_LOADER, text)
    except yaml.YAMLError:
        return _node_and_data(RedefiningLoader, text)


def _node_and_data(loader_class: type, text: str) -> tuple[yaml.Node | None, object]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, _constructed(loader, node) if node is not None else None
    finally:
        loader.dispose()


def _constructed(loader: yaml.BaseLoader, node: yaml.Node) -> object:
    """loader.construct_document(node), the same data, made by a walk of the nodes
    for documents of mappings, lists and plain scalars (front matter's): PyYAML's
    constructor takes a dozen Python calls a node (its bookkeeping for deferred and
    recursive objects), a third of reading a cold build's front matter. Anything
    else (a merge key, an explicit tag, a key that is no key) is left to it, as is
    any error, so that it is the one raised."""
    try:
        return _walk(loader, node, {})
    except Exception:   # noqa: BLE001 (PyYAML's constructor raises its own)
        return loader.construct_document(node)


TAG = "tag:yaml.org,2002:"
SCALAR_TAGS = {TAG + kind for kind in ("null", "bool", "int", "float", "timestamp")}


class _Other(Exception):
    """A node _walk leaves to PyYAML's constructor."""


def _walk(loader: yaml.BaseLoader, node: yaml.Node, made: dict) -> object:
    kind, tag = type(node), node.tag
    if kind is yaml.ScalarNode:
        if tag == TAG + "str":
            return node.value
        if tag not in SCALAR_TAGS:
            raise _Other
        return loader.yaml_constructors[tag](loader, node)
    if node in made:   # an alias: the same object, as PyYAML's
        return made[node]
    if kind is yaml.MappingNode and tag == TAG + "map":
        data = made[node] = {}
        for key, value in node.value:
            if key.tag in (TAG + "merge", TAG + "value"):
                raise _Other
            data[_walk(loader, key, made)] = _walk(loader, value, made)
        return data
    if kind is yaml.SequenceNode and tag == TAG + "seq":
        data = made[node] = []
        data += [_walk(loader, item, made) for item in node.value]
        return data
    raise _Other


def load_yaml(text: str) -> object:
    """YAML as Jekyll reads it (safe types only); of several documents, the first, as
    Psych.safe_load reads no further (a data file that ends with `---`)."""
    try:
        loader = YAML_LOADER(text)
        try:
            node = loader.get_single_node()
            return _constructed(loader, node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.composer.ComposerError as exc:
        if not any(rare in str(exc.context or "") for rare in (
                "duplicate anchor", "expected a single document")):
            raise
    except yaml.constructor.ConstructorError as exc:
        if "unhashable key" not in str(exc.problem or ""):
            raise
    documents = yaml.load_all(text, Loader=RubyKeysLoader)   # rare: the slower parser
    try:
        return next(documents, None)
    finally:
        documents.close()


def split_front_matter(text: str, name: str, *, unclosed_is_body: bool = False,
                       malformed: list | None = None, document: bool = False
                       ) -> tuple[dict, str, int, str]:
    """(front matter, body, the body's first line number, the raw front matter).
    `unclosed_is_body`: a `---` never closed is no front matter, and the whole text the
    body (Jekyll's reading of a blog's files: a YAML file starting with `---` is a page).
    `malformed`: YAML that does not read is said there (`name:line: what`) and read as
    Jekyll reads it, no front matter ({}) and the body after it, instead of an error;
    for a `document` (a post, a collection's), also YAML that reads as no mapping:
    Jekyll's Document#read says so and goes on, where a page's stops its build."""
    # Lines and spaces as Jekyll's pattern reads them: Ruby's `^`, `$` and `\s` know
    # "\n" and ASCII white space only (a no-break space is text: houbb's body starts
    # with a line of one, which kramdown writes as a paragraph)
    # (found in the text, not over a list of its lines: a page is often long)
    first = text.find("\n") + 1 or len(text)
    if text[:first].rstrip(RUBY_SPACE) != "---":
        return {}, text, 1, ""
    end = FRONT_END.search(text, first)
    if end is None and unclosed_is_body:
        return {}, text, 1, ""
    if end is None:
        raise BuildError(f"{name}:1: front matter starts with '---' but never ends; "
                         f"close it with a '---' line")
    front = text[first:end.start()]
    try:
        meta = load_yaml(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        what = f"{name}:{1 + (mark.line + 1 if mark else 1)}: malformed front matter: " \
               f"{getattr(exc, 'problem', None) or exc}"
        if malformed is None:
            raise BuildError(f"{what}; fix the YAML between the '---' lines") from None
        malformed.append(what)
        meta = {}
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        what = f"{name}:2: front matter must be 'key: value' lines, got a {type(meta).__name__}"
        if malformed is None or not document:
            raise BuildError(what)
        malformed.append(what)
        meta = {}
    # Jekyll's pattern ends the front matter with `\s*$\n?`: blank lines right after
    # it are not the body's (kramdown would write them as a blank line first).
    start = BLANK_LINES.match(text, end.end()).end()
    if start == len(text) and text[-1] != "\n":   # the text ended on a line of white space
        return meta, "", text.count("\n") + 2, front
    return meta, text[start:], text.count("\n", 0, start) + 1, front


def body_start(text: str) -> int | None:
    """Where split_front_matter's body starts in `text`, without reading the YAML
    (ahead.py's guess at a body, which the build checks); None without front matter."""
    first = text.find("\n") + 1 or len(text)
    if text[:first].rstrip(RUBY_SPACE) != "---":
        return None
    end = FRONT_END.search(text, first)
    return BLANK_LINES.match(text, end.end()).end() if end is not None else None


def read_front_matter(text: str) -> dict | None:
    """Only the front matter, for a tool reading its own files: None when there is
    none, or none that reads."""
    try:
        meta, _, _, front = split_front_matter(text, "post")
    except BuildError:
        return None
    return meta if front.strip() else None
