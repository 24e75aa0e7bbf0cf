"""Liquid templates compiled to Python: a layout or include that is rendered again
and again (a theme's sidebar, on every page) becomes one Python function, made from
python-liquid's own parse tree, instead of a walk of that tree at each render.

The function does what python-liquid's nodes would, in the same order, through the
same runtime (its context, filters, comparisons, truthiness, undefined objects and
errors with their tokens): only the walking is gone, variables bound by the
template's own `for` loops are read from Python locals, and any other variable from
the context's locals, then from its global value found when the template starts
(unless its callers' loops or includes bind the name: see _starts), or once when it
starts if nothing can change it meanwhile (fixed_roots); texts written one after
the other are written in one call (put), where an error ends the rendering. A node or
expression this module does not know is handed to python-liquid as it is
(`node.render`, `expression.evaluate`), so every template renders.
SITE_BUILDER_LIQUID_COMPILE=0
turns it off: python-liquid's interpreter is the reference the tests compare with.
"""

from __future__ import annotations

import os
from io import StringIO
from itertools import islice
from typing import Any, Callable

import liquid
from liquid.ast import BlockNode
from liquid.builtin.content import ContentNode
from liquid.builtin.expressions import (BooleanExpression, FilteredExpression,
                                        KeywordArgument, LoopExpression, Path)
from liquid.builtin.expressions.logical import (ContainsExpression, EqExpression,
                                                GeExpression, GtExpression, LeExpression,
                                                LogicalAndExpression, LogicalNotExpression,
                                                LogicalOrExpression, LtExpression, NeExpression,
                                                _eq, is_truthy)
from liquid.builtin.expressions.primitive import (Blank, Empty, FalseLiteral, FloatLiteral,
                                                  IntegerLiteral, Nil, StringLiteral,
                                                  TrueLiteral)
from liquid.builtin.filters.array import first as liquid_first
from liquid.builtin.filters.array import last as liquid_last
from liquid.builtin.filters.misc import default as liquid_default
from liquid.builtin.output import OutputNode
from liquid.builtin.tags.assign_tag import AssignNode
from liquid.builtin.tags.capture_tag import CaptureNode
from liquid.builtin.tags.comment_tag import CommentNode
from liquid.builtin.tags.decrement_tag import DecrementNode
from liquid.builtin.tags.echo_tag import EchoNode
from liquid.builtin.tags.for_tag import BreakNode, ContinueNode, ForLoop, ForNode
from liquid.builtin.tags.if_tag import IfNode
from liquid.builtin.tags.increment_tag import IncrementNode
from liquid.builtin.tags.inline_comment_tag import InlineCommentNode
from liquid.builtin.tags.unless_tag import UnlessNode
from liquid.context import RenderContext, _segments_str
from liquid.exceptions import (BreakLoop, ContextDepthError, ContinueLoop, FilterArgumentError,
                               LiquidError, LiquidInterrupt, LiquidSyntaxError, LiquidTypeError,
                               StopRender, UnknownFilterError)
from liquid.output import NullIO
from liquid.utils import ReadOnlyChainMap

from site_builder.site.cache import compiled
from site_builder.site.jekyll_layouts import CONTENT_KEYS, Drop
from site_builder.site.jekyll_tags import RubyEchoNode, RubyOutputNode
from site_builder.site.liquid_tags import (MISSING, SPECIAL_KEYS, STOPPED, JekyllEnvironment,
                                          SiteDrop, walk)
from site_builder.site.liquid_tags import scope_get as _scope_get
from site_builder.site.liquid_tags import ruby_contains as _contains
from site_builder.site.liquid_tags import ruby_le as _le
from site_builder.site.liquid_tags import ruby_lt as _lt
from site_builder.site.ruby_values import to_s as ruby_to_s

# Written against python-liquid 2.3's tree and runtime (some of it private): another
# release is rendered by its own interpreter until checked.
SUPPORTED = liquid.__version__.startswith("2.3.")
PLAIN = frozenset((str, int, float, list, dict, tuple))
DEPTH_ERROR = "_too_deep()"   # context.extend's error
# Mappings whose keys are read inline: plain dicts and our items (whose __getitem__
# notes content reads; `in` is dict's own).
DICTS = frozenset((dict, Drop, SiteDrop))
# Types whose values (but nil and false) is_truthy finds true without its probes (no
# __liquid__, not undefined): `true` itself, an item, the site.
TRUTHY = PLAIN | DICTS | {bool}


def enabled() -> bool:
    return SUPPORTED and os.environ.get("SITE_BUILDER_LIQUID_COMPILE", "1") != "0"


def compile_template(template: Any) -> Callable | None:
    """`render(context, buffer, partial, block_scope)` for `template`, doing what its
    render_with_context does; None when its environment is configured in a way this
    module does not reproduce (limits, autoescape...)."""
    env = template.env
    if not (enabled() and env.suppress_blank_control_flow_blocks and not env.autoescape
            and env.loop_iteration_limit is None and env.local_namespace_limit is None
            and env.output_stream_limit is None and not env.string_sequences
            and template.context_class.assign is RenderContext.assign):
        return None
    try:
        return _Compiler(env).function(template.nodes, f"<liquid {template.name or 'template'}>")
    except (SyntaxError, RecursionError, MemoryError):
        # Deeper than Python compiles (twenty nested loops and trys, or a few hundred
        # parentheses): the interpreter has no such limit.
        return None


# Generated source -> its code: a later build in this process (serve's, after an edit)
# parses its templates again but compiles none it has compiled before.
CODE: dict[tuple[str, str], Any] = {}


# -- the runtime the generated code calls ------------------------------------------



# A root the generated code looks up through every namespace, each time (_starts);
# one it reads from the locals first, and through every namespace if they lack it.
SLOW, UNSEEN = object(), object()


def _starts(maps: Any, locals_: dict, names: tuple, fixed: tuple) -> tuple:
    """The start values of the roots `names`, then the values of those of them at
    the indices `fixed` (_root's), in one call. The keys bound in front of the
    context's locals when a template starts (by its callers' loops, includes and
    partials: namespaces whose keys stay as they are while it renders), and the
    namespace behind the locals (the globals, read-only while it renders), say a
    root's start value for the rest of the template's rendering when the locals do
    not hold it: its value in the globals when nothing in front hides it; UNSEEN
    when neither holds it (an assigned variable's name); SLOW when neither can be
    said (bound in front, or the chain is of another shape)."""
    front: set | None = set()
    globals_ = None
    found = iter(maps)
    for namespace in found:
        if namespace is locals_:
            globals_ = next(found, None)
            break
        if type(namespace) is not dict:
            front = None
            break
        front.update(namespace)
    else:
        front = None
    if front is None or type(globals_) is not ReadOnlyChainMap:
        starts = [SLOW] * len(names)
    else:
        inner = globals_._maps
        starts = []
        for name in names:
            value = UNSEEN
            if name in front:
                value = SLOW
            else:
                for namespace in inner:
                    if type(namespace) is not dict:
                        value = SLOW
                        break
                    if name in namespace:
                        value = namespace[name]
                        break
            starts.append(value)
    for i in fixed:
        starts.append(_root(maps, locals_, names[i], starts[i]))
    return tuple(starts)


def _walk(obj: object, path: list, context: RenderContext, token: Any) -> object:
    """The rest of `path` from `obj` (its root's value), as JekyllContext.get walks
    it: string keys into dicts, whole numbers into lists; anything else, and every
    miss, by the context itself from the root (same values, same undefined)."""
    found = walk(obj, path)
    return found if found is not STOPPED else context.get(path, token=token)


def _resolve(context: RenderContext, obj: object, path: list, token: Any,
             hints: tuple) -> object:
    """`path`'s value from its root's (`obj`, MISSING if none) when the inline walk
    missed: RenderContext.get's own steps for string keys (`hints`: its undefined's
    hint at each), without first redoing the walk and the root's lookup."""
    if obj is MISSING:
        return context.get(path, token=token)
    if len(path) == 2 and type(obj) in DICTS:   # (the walk found no such key)
        return context.env.undefined(path[0], hint=hints[0], token=token)
    for i, key in enumerate(path[1:]):
        if type(obj) not in DICTS:
            return context.get(path, token=token)
        try:
            # (asked first: 4,700 misses a build on Jekyll's docs, `item_page.menu_name`;
            # a KeyError raised and caught costs more)
            obj = obj[key] if key in obj else MISSING
        except KeyError:
            obj = MISSING
        if obj is MISSING:
            return context.env.undefined(path[0], hint=hints[i], token=token)
    return obj


def _path(context: RenderContext, root: object, path: list, token: Any,
          hints: tuple) -> object:
    """`path`'s value from its root's, as the inline walk (path()) finds it: plain keys
    of mappings, a miss resolved by _resolve."""
    obj = root
    for key in islice(path, 1, None):
        if type(obj) not in DICTS:
            return _resolve(context, root, path, token, hints)
        obj = (obj[key] if key in obj else MISSING) if key in CONTENT_KEYS \
            else dict.get(obj, key, MISSING)
        if obj is MISSING:
            return _resolve(context, root, path, token, hints)
    return obj


def _root(maps: Any, locals_: dict, name: str, start: object) -> object:
    """A root's value as root_lookup's inline expression reads it (`start`: its
    value when the template started, or SLOW or UNSEEN): the same steps in a call,
    for code run once a render (outside the template's loops), whose source is then
    a third as long to compile. Compiling the templates is 3% of a cold build of
    Jekyll's docs; this, _rpath, _loop_items and _too_deep make it a tenth less."""
    if start is SLOW:
        return _scope_get(maps, name)
    if name in locals_:
        return locals_[name]
    return _scope_get(maps, name) if start is UNSEEN else start


def _rpath(context: RenderContext, maps: Any, locals_: dict, name: str, start: object,
           path: list, token: Any, hints: tuple) -> object:
    """_path from the root `name` as _root finds it (one call for both)."""
    return _path(context, _root(maps, locals_, name, start), path, token, hints)


def _loop_items(expression: LoopExpression, items: object, context: RenderContext) -> tuple:
    """What LoopExpression.evaluate gives for `items` (not a list) without a limit,
    an offset or `reversed`: an iterator of them and their count."""
    return expression._slice(*expression._to_iter(items, context), context, limit=None,
                             offset=None)


def _loop_list(expression: LoopExpression, items: object, context: RenderContext,
               label: str) -> tuple:
    """LoopExpression.evaluate's steps for a loop without a limit, an offset or
    `reversed`, a list's inline: all of it, its length noted for a later `offset:
    continue`; an iterator of the items and their count."""
    if type(items) is list:
        length = len(items)
        context.tag_namespace["stopindex"][label] = length
        return islice(items, 0, length), length
    return _loop_items(expression, items, context)


def _loop_enter(context: RenderContext, maps: Any, loops: list, label: str, it: Any,
                length: int, name: str, limit: int) -> tuple:
    """context.loop's steps as a compiled loop starts: its ForLoop drop, pushed, and
    its namespace (its variable set at each step), pushed in front of the others."""
    forloop = ForLoop(label, it, length, context.parentloop())
    namespace = {"forloop": forloop, name: None}
    loops.append(forloop)
    if len(maps) > limit:
        _too_deep()
    maps.appendleft(namespace)
    return forloop, namespace


def _too_deep() -> None:
    """context.extend's error for a namespace pushed past the depth limit."""
    raise ContextDepthError("maximum context depth reached, possible recursive include",
                            token=None)


def _lookup(context: RenderContext, maps: Any, path: list, token: Any) -> object:
    obj = _scope_get(maps, path[0])
    if obj is MISSING:
        return context.get(path, token=token)
    return _walk(obj, path, context, token) if len(path) > 1 else obj


def _top_error(env: Any, err: Exception, partial: bool, block_scope: bool, token: Any) -> bool:
    """BoundTemplate.render_with_context's handling of an error from a top-level node;
    True: stop rendering."""
    if isinstance(err, LiquidInterrupt):
        if not partial or block_scope:
            env.error(LiquidSyntaxError(f"unexpected '{err}'", token=token))
            return False
        raise err
    if isinstance(err, StopRender):
        return True
    if isinstance(err, LiquidError):
        env.error(err, token=token)
        return False
    raise err


def _ge(left: object, right: object) -> bool:
    return _le(right, left)


def _filter_error(called: tuple, index: int, err: Exception) -> None:
    """Filter.evaluate's handling of an error from the filter function `index` of
    `called` (name, token); -1: from an argument, left as it is."""
    if index < 0:
        raise err
    name, token = called[index]
    if isinstance(err, TypeError):
        raise LiquidTypeError(f"{name}: {err}", token=token) from err
    err.token = token
    raise err


def _unknown_filter(name: str, token: Any) -> None:
    raise UnknownFilterError(f"unknown filter '{name}'", token=token)


def _null_write(_text: str) -> int:
    return 0


# The names generated code uses, besides its constants.
RUNTIME = {
    "_scope_get": _scope_get, "_starts": _starts, "SLOW": SLOW,
    "UNSEEN": UNSEEN,
    "_walk": _walk, "_resolve": _resolve, "_lookup": _lookup, "_path": _path,
    "_root": _root, "_rpath": _rpath, "_loop_items": _loop_items, "_too_deep": _too_deep,
    "_loop_list": _loop_list, "_loop_enter": _loop_enter,
    "_top_error": _top_error, "_filter_error": _filter_error,
    "_unknown_filter": _unknown_filter, "_eq": _eq, "_lt": _lt, "_le": _le, "_ge": _ge,
    "_contains": _contains, "is_truthy": is_truthy, "ruby_to_s": ruby_to_s,
    "StringIO": StringIO, "islice": islice, "ForLoop": ForLoop, "BreakLoop": BreakLoop,
    "ContinueLoop": ContinueLoop, "ContextDepthError": ContextDepthError,
    "LiquidTypeError": LiquidTypeError, "FilterArgumentError": FilterArgumentError,
    "FILTER_ERRORS": (TypeError, LiquidTypeError, FilterArgumentError),
    "TRUTHY": TRUTHY, "MISSING": MISSING, "DICTS": DICTS, "NULL_BUFFER": NullIO(),
    "_null_write": _null_write, "Undefined": liquid.Undefined, "_dict_get": dict.get,
}


# -- the compiler ---------------------------------------------------------------------

class _Scope:
    """Where generated code is: its buffer and write function, the Liquid loops
    around it in this template (name -> Python local), and whether `break` and
    `continue` are Python's (inside a compiled loop) or exceptions to raise."""

    __slots__ = ("buffer", "write", "names", "in_loop", "joined")

    def __init__(self, buffer: str, write: str | None, names: dict, in_loop: bool,
                 joined: bool = False):
        self.buffer, self.write, self.names, self.in_loop = buffer, write, names, in_loop
        self.joined = joined   # the buffer is a list of texts (a capture's), not a file

    def but(self, **changes: Any) -> _Scope:
        scope = _Scope(self.buffer, self.write, self.names, self.in_loop, self.joined)
        for key, value in changes.items():
            setattr(scope, key, value)
        return scope


class _Compiler:
    def __init__(self, env: Any) -> None:
        self.env = env
        self.consts: list[object] = []
        self.lines: list[str] = []
        self.depth = 2
        self.counter = 0
        self.seen: set[str] = set()   # the kinds of node and expression met (for tests)
        self.roots: dict[str, str] = {}   # root name -> its value at the start (_starts)
        self.loop_names: set[str] = set()   # the template's own loops' variables
        self.assigned: set[str] = set()   # names it assigns, captures or counts
        self.opaque = False   # whether a node is left to python-liquid (an include...)
        self.hoists: dict[tuple[str, str], int] = {}   # (root, key) read in loops
        self.pending: list[tuple[bool, str]] = []   # texts to write in one call (put)
        self.pending_write, self.pending_depth = "", 0
        self.batching = self.errors_stop()

    # -- output helpers
    def const(self, obj: object) -> str:
        self.consts.append(obj)
        return f"k{len(self.consts) - 1}"

    def temp(self, stem: str) -> str:
        self.counter += 1
        return f"_{stem}{self.counter}"

    def emit(self, line: str) -> None:
        if self.pending:
            self.flush()
        self.lines.append("    " * self.depth + line)

    def put(self, write: str, part: str, *, literal: bool = False, batched: bool = True) -> None:
        """Write `part` (an expression giving text; `literal`: the text itself) with
        `write`: with the texts written next to it in the same block, in one call,
        where an error ends the rendering (errors_stop: no text written before it
        is ever seen), a call of StringIO.write for each of a loop's texts less."""
        if not (batched and self.batching):
            self.emit(f"{write}({repr(part) if literal else part})")
            return
        if self.pending and (self.pending_write != write or self.pending_depth != self.depth):
            self.flush()
        if not self.pending:
            self.pending_write, self.pending_depth = write, self.depth
        if literal and self.pending and self.pending[-1][0]:
            self.pending[-1] = (True, self.pending[-1][1] + part)
        else:
            self.pending.append((literal, part))

    def flush(self) -> None:
        parts, self.pending = self.pending, []
        texts = [repr(part) if literal else part for literal, part in parts]
        text = texts[0] if len(texts) == 1 else f"''.join(({', '.join(texts)}))"
        self.lines.append("    " * self.pending_depth + f"{self.pending_write}({text})")

    def function(self, nodes: list, filename: str = "<liquid template>") -> Callable:
        head = ["def make(" + "{consts}" + "):",
                "    def render(context, buffer, partial, block_scope):",
                "        env = context.env",
                "        write = buffer.write",
                "        maps = context.scope._maps",   # context.extend's steps, inline
                f"        if len(maps) > {self.env.context_depth_limit}:",
                f"            {DEPTH_ERROR}",
                "        locals_ = context.locals",
                "{roots}",
                "        maps.appendleft({'partial': partial})",
                "        try:",
                "            loops_ = context.loops"]
        self.depth = 3
        scope = _Scope("buffer", "write", {}, False)
        if self.errors_stop():
            self.top_level(nodes, scope)
        else:
            for node in nodes:
                if type(node) is ContentNode:   # writing text raises nothing
                    self.node(node, scope)
                    continue
                self.emit("try:")
                self.depth += 1
                self.node(node, scope)
                self.depth -= 1
                self.emit("except Exception as err:")
                token = self.const(node.token)
                self.emit(f"    if _top_error(env, err, partial, block_scope, {token}):")
                self.emit("        return")
        self.emit("pass")
        self.lines += ["        finally:", "            maps.popleft()", "    return render"]
        names = ", ".join(f"k{i}" for i in range(len(self.consts)))
        fixed = self.fixed_roots()
        head[head.index("{roots}")] = self.entry(fixed) + self.hoisting(fixed)
        source = "\n".join([head[0].format(consts=names), *head[1:], *self.lines])
        for (name, key), n in self.hoists.items():   # (hoisted() left marks for each)
            var = self.roots[name]
            if name in fixed:
                found = f"_h{n}"
            else:
                found = (f"(_dict_get(_x{n}, {key!r}, MISSING) if type(_x{n} := "
                         f"{self.root_lookup(name, var)}) in DICTS else MISSING)")
            source = source.replace(f"\3{n}\3", found)
        for name, var in self.roots.items():   # (root() left marks for each)
            kept = "_r" + var[2:]   # (a fixed root's value, read when the template starts)
            source = source.replace(f"\0{name}\0", kept if name in fixed else
                                    self.root_lookup(name, var))
            source = source.replace(f"\1{name}\1", kept if name in fixed else
                                    f"_root(maps, locals_, {name!r}, {var})")
            source = source.replace(f"\2{name}\2", f"_path(context, {kept}, " if name in fixed
                                    else f"_rpath(context, maps, locals_, {name!r}, {var}, ")
        code = CODE.get((source, filename))
        if code is None:
            code = compiled(source, filename)   # kept in the build's cache too
            if len(CODE) < 1000:
                CODE[source, filename] = code
        namespace = dict(RUNTIME)
        exec(code, namespace)  # noqa: S102 - our own generated source
        return namespace["make"](*self.consts)

    def errors_stop(self) -> bool:
        """Whether an error in a top-level node ends the rendering (python-liquid's
        strict mode, which Jekyll's environment always has: env.error raises), so
        that no node after it runs."""
        return self.env.mode == liquid.Mode.STRICT and \
            type(self.env).error in (JekyllEnvironment.error, liquid.Environment.error)

    def top_level(self, nodes: list, scope: _Scope) -> None:
        """The top-level nodes in one `try`, `_n` naming the node running, whose token
        _top_error gives the error: the same as a `try` for each node when an error
        ends the rendering, in a tenth less code to compile."""
        if all(type(node) is ContentNode for node in nodes):   # writing text raises nothing
            for node in nodes:
                self.node(node, scope)
            return
        self.emit("try:")
        self.depth += 1
        tokens = []
        for node in nodes:
            if type(node) is not ContentNode:
                self.emit(f"_n = {len(tokens)}")
                tokens.append(node.token)
            self.node(node, scope)
        self.depth -= 1
        self.emit("except Exception as err:")
        self.emit(f"    if _top_error(env, err, partial, block_scope, "
                  f"{self.const(tuple(tokens))}[_n]):")
        self.emit("        return")
        self.emit("    raise   # (not reached: env.error raised)")

    def root(self, name: str, mark: str = "\0") -> str:
        """A variable's root looked up in the context's namespaces: a mark, replaced
        once the whole template is written (root_lookup, or fixed_roots'). Marked
        \1: by a call of _root (code run once a render); \2: the start of a call of
        _path from it (_rpath's)."""
        if name not in self.roots:
            self.roots[name] = f"_g{len(self.roots)}"
        return f"{mark}{name}{mark}"

    def hoisted(self, root: str, key: str) -> str:
        """`root`'s `key` (a plain key: dict.get's, MISSING if none) in a loop: a
        mark, replaced once the whole template is written: for a fixed root (see
        fixed_roots), a value read when the template starts (hoisting: nothing
        changes it meanwhile); else the read itself, where it is."""
        self.root(root)
        n = self.hoists.setdefault((root, key), len(self.hoists))
        return f"\3{n}\3"

    def hoisting(self, fixed: set[str]) -> str:
        """The hoisted keys of fixed roots, read once when the template starts."""
        lines = [f"\n        _h{n} = _dict_get(_r{self.roots[name][2:]}, {key!r}, MISSING) if "
                 f"type(_r{self.roots[name][2:]}) in DICTS else MISSING"
                 for (name, key), n in self.hoists.items() if name in fixed]
        return "".join(lines)

    @staticmethod
    def root_lookup(name: str, var: str) -> str:
        """A root that only the locals or the globals can hold (see _starts) is read
        from the locals, else from its global value found once when the template
        starts (a theme's include reads `site` and `page` through a dozen namespaces,
        hundreds of times a page)."""
        lookup = f"_scope_get(maps, {name!r})"
        return (f"({lookup} if {var} is SLOW else locals_[{name!r}] if {name!r} in locals_ "
                f"else {lookup} if {var} is UNSEEN else {var})")

    def fixed_roots(self) -> set[str]:
        """The roots whose values stay as they are while the template renders, read
        once when it starts: in a template that neither assigns them nor binds them
        in its loops, nor holds a node left to python-liquid (an include, which
        shares its locals, or another tag), nothing can change a namespace that
        holds them (its callers' stand still meanwhile). The docs' navigation reads
        `site` and `page` for each of its links."""
        if self.opaque:
            return set()
        return {name for name in self.roots if name not in self.assigned
                and name not in self.loop_names and name not in ("forloop", "partial")}

    def entry(self, fixed: set[str] = frozenset()) -> str:
        """The roots' start values; SLOW for the names this template binds itself
        (its loops', `forloop`, `partial`), which stand in front of the locals;
        and the fixed roots' values (MISSING for one nothing holds)."""
        if not self.roots:
            return "        pass"
        lines, names, found, kept, at = [], [], [], [], []
        for name, var in self.roots.items():
            if name in self.loop_names or name in ("forloop", "partial"):
                lines.append(f"        {var} = SLOW")
                if name in fixed:   # (never: fixed roots are none of these)
                    lines.append(f"        _r{var[2:]} = _root(maps, locals_, {name!r}, {var})")
                continue
            if name in fixed:
                at.append(len(names))
                kept.append(f"_r{var[2:]}")
            names.append(name)
            found.append(var)
        if names:   # one call for them all: a template is rendered thousands of times
            targets = ", ".join(found + kept)
            lines.append(f"        {targets}, = _starts(maps, locals_, {tuple(names)!r}, "
                         f"{tuple(at)!r})")
        return "\n".join(lines)

    # -- nodes
    def block(self, block: BlockNode, scope: _Scope) -> None:
        """A block as BlockNode renders it: one python-liquid thinks blank (only
        whitespace, assigns...) runs for its effects with its output dropped."""
        if block.blank:
            scope = scope.but(buffer="NULL_BUFFER", write=None)
        start = len(self.lines)
        for node in block.nodes:
            self.node(node, scope)
        if len(self.lines) == start:
            self.emit("pass")

    def node(self, node: Any, scope: _Scope) -> None:
        kind = type(node)
        self.seen.add(OUTPUT_NAMES.get(kind, kind.__name__))
        if kind is ContentNode:
            if scope.write:
                self.put(scope.write, node.text, literal=True)
        elif kind in OUTPUT_NAMES:   # written as Ruby writes it (jekyll_tags.RubyOutputNode)
            value = self.value(node.expression, scope, statement=True)
            t = self.temp("o")
            # (a page's content, big, written by itself: not copied into a joined text)
            self.put(scope.write or "_null_write",
                     f"({t} if type({t} := {value}) is str else ruby_to_s({t}))",
                     batched=not _reads_content(node.expression))
        elif kind is AssignNode:
            self.assigned.add(str(node.name))
            value = self.value(node.expression, scope, statement=True)
            self.emit(f"locals_[{str(node.name)!r}] = {value}")
        elif kind is CaptureNode:
            self.assigned.add(str(node.name))
            buf = self.temp("b")   # (a list of texts, joined: cheaper than a StringIO)
            self.emit(f"{buf} = []")
            self.block(node.block, scope.but(buffer=buf, write=f"{buf}.append", joined=True))
            self.emit(f"locals_[{str(node.name)!r}] = ''.join({buf})")
        elif kind is IfNode or kind is UnlessNode:
            self.conditional(node, scope, negate=kind is UnlessNode)
        elif kind is ForNode:
            self.for_loop(node, scope)
        elif kind is BreakNode or kind is ContinueNode:
            word = "break" if kind is BreakNode else "continue"
            if scope.in_loop:
                self.emit(word)
            else:
                self.emit(f"raise {'BreakLoop' if kind is BreakNode else 'ContinueLoop'}({word!r})")
        elif kind is CommentNode or kind is InlineCommentNode:
            self.emit("pass")
        elif kind is IncrementNode or kind is DecrementNode:
            self.assigned.add(str(node.name))
            method = "increment" if kind is IncrementNode else "decrement"
            self.emit(f"{scope.write or '_null_write'}(str(context.{method}({str(node.name)!r})))")
        else:
            self.fallback(node, scope)

    def fallback(self, node: Any, scope: _Scope) -> None:
        """A node left to python-liquid; a break or continue from inside it ends or
        steps this template's loop, as it would end the interpreter's."""
        self.opaque = True
        if scope.joined:   # a capture's list: the node writes to a file, then joined
            out = self.temp("w")
            self.emit(f"{out} = StringIO()")
            self.emit("try:")
            self.depth += 1
            self.fallback(node, scope.but(buffer=out, joined=False))
            self.depth -= 1
            self.emit("finally:")
            self.emit(f"    {scope.buffer}.append({out}.getvalue())")
            return
        call = f"{self.const(node)}.render(context, {scope.buffer})"
        if not scope.in_loop:
            self.emit(call)
            return
        self.emit("try:")
        self.emit(f"    {call}")
        self.emit("except BreakLoop:")
        self.emit("    break")
        self.emit("except ContinueLoop:")
        self.emit("    continue")

    def conditional(self, node: Any, scope: _Scope, *, negate: bool) -> None:
        test = self.condition(node.condition, scope)
        self.emit(f"if {'not ' if negate else ''}{test}:")
        self.indented(node.consequence, scope)
        for alternative in node.alternatives:
            self.emit(f"elif {self.condition(alternative.expression, scope)}:")
            self.indented(alternative.block, scope)
        if node.default is not None:
            self.emit("else:")
            self.indented(node.default, scope)

    def indented(self, block: BlockNode, scope: _Scope) -> None:
        self.depth += 1
        self.block(block, scope)
        self.depth -= 1

    def for_loop(self, node: ForNode, scope: _Scope) -> None:
        """ForNode.render_to_output and context.loop, step by step; the ForLoop drop
        is python-liquid's, its index set as its own iteration would."""
        expr: LoopExpression = node.expression
        it, length, forloop, ns, item = (self.temp(s) for s in ("it", "n", "fl", "ns", "v"))
        x = self.const(expr)
        name = str(expr.identifier)
        self.loop_names.add(name)
        label = f"{name}-{expr.iterable}"   # the loop's name, and its key for offset:continue
        if expr.limit is None and expr.offset is None and not expr.reversed:
            # LoopExpression.evaluate's steps, a list's inline: all of it, its length
            # noted for a later `offset: continue`.
            self.emit(f"{it}, {length} = _loop_list({x}, {self.value(expr.iterable, scope)}, "
                      f"context, {label!r})")
        else:
            self.emit(f"{it}, {length} = {x}.evaluate(context)")
        self.emit(f"if {length}:")
        self.depth += 1
        # (run once a loop, in calls: a fifth less source to compile for a loop)
        self.emit(f"{forloop}, {ns} = _loop_enter(context, maps, loops_, {label!r}, {it}, "
                  f"{length}, {name!r}, {self.env.context_depth_limit})")
        self.emit("try:")
        self.emit(f"    for {forloop}._index, {item} in enumerate({it}):")
        self.emit(f"        {ns}[{name!r}] = {item}")
        self.depth += 2
        names = {**scope.names, "forloop": forloop, name: item}
        self.block(node.block, scope.but(names=names, in_loop=True))
        self.depth -= 1
        self.emit("else:")
        self.emit(f"    {forloop}._index += 1")
        self.depth -= 1
        self.emit("finally:")
        self.emit("    maps.popleft()")
        self.emit("    loops_.pop()")
        self.depth -= 1
        if node.default is not None:
            self.emit("else:")
            self.indented(node.default, scope)

    # -- expressions
    def condition(self, expr: Any, scope: _Scope) -> str:
        """A Python test for `if`/`elsif`/`unless`: truthiness of what the expression
        evaluates to, as the node's `if expression.evaluate(context)`."""
        if type(expr) is BooleanExpression:
            self.seen.add("BooleanExpression")
            return self.truthy(expr.expression, scope)
        return f"({self.value(expr, scope)})"

    def truthy(self, expr: Any, scope: _Scope) -> str:
        """is_truthy(expr's value), as a Python test."""
        kind = type(expr)
        self.seen.add(kind.__name__)
        if kind is LogicalAndExpression:
            return f"({self.truthy(expr.left, scope)} and {self.truthy(expr.right, scope)})"
        if kind is LogicalOrExpression:
            return f"({self.truthy(expr.left, scope)} or {self.truthy(expr.right, scope)})"
        if kind is LogicalNotExpression:
            return f"(not {self.truthy(expr.right, scope)})"
        if kind in COMPARISONS:   # these make True or False
            return self.value(expr, scope)
        t = self.temp("t")   # is_truthy, its commonest answers without its probes
        return (f"(({t} := {self.value(expr, scope)}) is not None and {t} is not False "
                f"and (type({t}) in TRUTHY or is_truthy({t})))")

    def value(self, expr: Any, scope: _Scope, *, statement: bool = False) -> str:
        """A Python expression evaluating to what expr.evaluate(context) would.
        `statement`: the expression is a whole statement's (an output's, an assign's),
        so filters may be called in statements emitted before it."""
        kind = type(expr)
        self.seen.add(kind.__name__)
        if kind is FilteredExpression:
            if not expr.filters:
                return self.value(expr.left, scope)
            if statement:
                return self.filtered(expr, scope)
        if kind is Path:
            return self.path(expr, scope)
        if kind is StringLiteral or kind is IntegerLiteral:
            return repr(expr.value)
        if kind is FloatLiteral:   # inf and nan have no literal
            return self.const(expr.value)
        if kind is TrueLiteral or kind is FalseLiteral:
            return repr(bool(expr.value))
        if kind is Nil:
            return "None"
        if kind is Empty or kind is Blank:   # compared by their own __eq__
            return self.const(expr)
        if kind is BooleanExpression:
            return f"(True if {self.truthy(expr.expression, scope)} else False)"
        if kind is LogicalAndExpression or kind is LogicalOrExpression \
                or kind is LogicalNotExpression:
            return f"(True if {self.truthy(expr, scope)} else False)"
        if kind is EqExpression or kind is NeExpression:
            # _eq of two str is ==; both sides evaluated first, left to right (a text
            # literal's type known already: `page.title == 'News'`)
            left, right = self.temp("l"), self.temp("r")
            if type(expr.right) is StringLiteral or type(expr.left) is StringLiteral:
                known, other = (expr.right, expr.left) if type(expr.right) is StringLiteral \
                    else (expr.left, expr.right)
                pair = (left, repr(known.value)) if known is expr.right \
                    else (repr(known.value), left)
                same = (f"({pair[0]} == {pair[1]} if type({left} := "
                        f"{self.value(other, scope)}) is str else _eq({pair[0]}, {pair[1]}))")
            else:
                same = (f"({left} == {right} if (({left} := {self.value(expr.left, scope)}), "
                        f"({right} := {self.value(expr.right, scope)})) and type({left}) is str "
                        f"and type({right}) is str else _eq({left}, {right}))")
            return same if kind is EqExpression else f"(not {same})"
        if kind is LtExpression:
            return (f"_lt({self.const(expr.token)}, {self.value(expr.left, scope)}, "
                    f"{self.value(expr.right, scope)})")
        if kind is GtExpression:   # right is evaluated first, as GtExpression does
            return (f"_lt({self.const(expr.token)}, {self.value(expr.right, scope)}, "
                    f"{self.value(expr.left, scope)})")
        if kind is LeExpression:
            return f"_le({self.value(expr.left, scope)}, {self.value(expr.right, scope)})"
        if kind is GeExpression:   # left first, then _le(right, left)
            return f"_ge({self.value(expr.left, scope)}, {self.value(expr.right, scope)})"
        if kind is ContainsExpression:
            # a str in a str or a list: `in` (both are truthy for _contains)
            left, right = self.temp("l"), self.temp("r")
            if type(expr.right) is StringLiteral:   # `post.categories contains 'release'`
                text = repr(expr.right.value)
                return (f"({text} in {left} if type({left} := {self.value(expr.left, scope)}) "
                        f"is str or type({left}) is list "
                        f"else _contains({self.const(expr.token)}, {left}, {text}))")
            return (f"({right} in {left} if (({left} := {self.value(expr.left, scope)}), "
                    f"({right} := {self.value(expr.right, scope)})) and type({right}) is str "
                    f"and (type({left}) is str or type({left}) is list) "
                    f"else _contains({self.const(expr.token)}, {left}, {right}))")
        return f"{self.const(expr)}.evaluate(context)"

    def path(self, expr: Path, scope: _Scope) -> str:
        """A variable: its root from this template's loops or the context's
        namespaces, then its keys, inline while they are plain keys of plain dicts (as
        JekyllContext.get's quick path); anything else, and every miss, is resolved by
        the context itself from the root, which gives the same value or undefined."""
        segments = expr.path
        root = segments[0]
        if type(root) is not str or any(type(s) not in (str, int) and type(s) is not Path
                                        for s in segments):
            return f"{self.const(expr)}.evaluate(context)"
        token = self.const(expr.token)
        local = scope.names.get(root)
        if any(type(s) is Path for s in segments):   # nested paths first, as Path.evaluate
            path = "[" + ", ".join(self.value(s, scope) if type(s) is Path else repr(s)
                                   for s in segments) + "]"
            if local is not None:
                return f"_walk({local}, {path}, context, {token})"
            return f"_lookup(context, maps, {path}, {token})"
        path = self.const(list(segments))
        if local is not None and len(segments) == 1:
            return local
        keys = segments[1:]
        if root == "forloop" and local is not None and len(keys) == 1 \
                and keys[0] in ForLoop._keys:   # ForLoop's __getitem__: its attribute
            return f"{local}.{keys[0]}"
        if any(type(s) is not str or s in SPECIAL_KEYS for s in keys):
            if local is not None:
                return f"_walk({local}, {path}, context, {token})"
            return f"_lookup(context, maps, {path}, {token})"
        if keys and not scope.in_loop:
            # Run once a render, outside the template's loops: a call of the same
            # steps, in a fifth of the source to compile (a theme's layout is
            # rendered a few hundred times a build, a loop's body thousands).
            hints = self.const(tuple(f"{_segments_str(segments[:i + 2])} is undefined"
                                     for i in range(len(keys))))
            if local is not None:
                return f"_path(context, {local}, {path}, {token}, {hints})"
            return f"{self.root(root, chr(2))}{path}, {token}, {hints})"
        if local is None and len(keys) == 1 and keys[0] not in CONTENT_KEYS:
            # In a loop (the others are above): a key of a root read at the start
            # (page.url, against each link of a navigation), read once then too
            # (`hoisted`); a miss resolved here, where the read is.
            t = self.temp("t")
            hints = self.const((f"{_segments_str(segments[:2])} is undefined",))
            return (f"({t} if ({t} := {self.hoisted(root, keys[0])}) is not MISSING else "
                    f"_resolve(context, {self.root(root)}, {path}, {token}, {hints}))")
        start = local or self.root(root, "\0" if scope.in_loop else "\1")
        value = start
        found = None   # the temporary that holds the root's value
        for key in keys:
            if value is local:   # a loop's variable, a Python local already
                t = bound = local
            else:
                t = self.temp("t")
                bound = f"{t} := {value}"
            found = found or t
            # Drop's __getitem__ notes content reads; any other key it reads as dict's
            # own, which is called so here (a Python call less for each of a theme's
            # `post.title`, 36,000 on Jekyll's docs), with dict.get's default for a
            # miss (one lookup, not `in` then a read).
            if key in CONTENT_KEYS:
                value = (f"({t}[{key!r}] if type({bound}) in DICTS and {key!r} in {t} "
                         "else MISSING)")
            else:
                value = (f"(_dict_get({t}, {key!r}, MISSING) if type({bound}) in DICTS "
                         "else MISSING)")
        t = self.temp("t")
        hints = self.const(tuple(f"{_segments_str(segments[:i + 2])} is undefined"
                                 for i in range(len(keys))))
        # (on a miss, _resolve starts again from the root's value the walk found)
        return (f"({t} if ({t} := {value}) is not MISSING else "
                f"_resolve(context, {found or t}, {path}, {token}, {hints}))")

    def filtered(self, expr: FilteredExpression, scope: _Scope) -> str:
        """The left value through each filter, as Filter.evaluate calls it: the filter
        looked up (an unknown one raising or passing the value on), its arguments,
        then the call, whose TypeErrors become LiquidTypeErrors with the filter's
        token (one `try` for all the calls: `index` says whose call is running)."""
        v, index = self.temp("f"), self.temp("i")
        self.emit(f"{v} = {self.value(expr.left, scope)}")
        self.emit(f"{index} = -1")
        unset = len(self.lines) - 1   # (that line: dropped if `index` is set first)
        self.emit("try:")
        body = len(self.lines)
        self.depth += 1
        called: list[tuple[str, Any]] = []
        running = False   # whether `index` names a filter whose call is over
        for f in expr.filters:
            func = self.env.filters.get(f.name)
            if func is None and self.env.strict_filters:
                self.emit(f"_unknown_filter({f.name!r}, {self.const(f.token)})")
                break   # what follows is never reached
            args, kwargs = [], []
            for arg in f.args:
                text = self.value(arg.value, scope)
                if not _plain_literal(arg.value):   # evaluated while no filter runs
                    if running:
                        self.emit(f"{index} = -1")
                        running = False
                    temp = self.temp("a")
                    self.emit(f"{temp} = {text}")
                    text = temp
                if isinstance(arg, KeywordArgument):
                    kwargs.append(f"{arg.name!r}: {text}")
                else:
                    args.append(text)
            if func is None:
                continue   # Liquid's no-op filter: the value as it was
            # What context.filter binds (as partial's keywords: the template's win).
            extra = [(key, name) for key, name in (("context", "context"), ("environment", "env"))
                     if getattr(func, f"with_{key}", False)]
            call_args = [v, *args]
            if kwargs:
                pairs = [f"{k!r}: {n}" for k, n in extra] + kwargs
                call_args.append("**{" + ", ".join(pairs) + "}")
            else:
                call_args += [f"{k}={n}" for k, n in extra]
            self.emit(f"{index} = {len(called)}")
            call = f"{self.const(func)}({', '.join(call_args)})"
            quick = INLINE_FILTERS.get(func)
            if quick is not None and len(args) == quick[0] and not kwargs:
                call = quick[1].format(v=v, call=call, args=args)
            elif type(getattr(func, "memo", None)) is dict and not args and not kwargs:
                # a filter of one value that keeps its answers for text (relative_url)
                t = self.temp("m")
                call = (f"({t} if type({v}) is str and ({t} := {self.const(func.memo)}.get({v})) "
                        f"is not None else {call})")
            self.emit(f"{v} = {call}")
            called.append((f.name, f.token))
            running = True
        if len(self.lines) == body:
            self.emit("pass")
        self.depth -= 1
        if self.lines[body].strip() == f"{index} = 0":   # nothing before the first call
            del self.lines[unset]
        self.emit("except FILTER_ERRORS as err:")
        self.emit(f"    _filter_error({self.const(tuple(called))}, {index}, err)")
        return v


# python-liquid's filters whose commonest answers are written inline (a Python call
# less, and the decorators' own): filter -> (its arguments, the code, which calls it for
# any other value). `first` of a list is its item 0 (IndexError: None); `default` of
# text is it unless empty, of nil or Liquid's lax undefined (its __liquid__ is nil)
# the default (docs' navigation: both for each of its 27 links, twice a page).
INLINE_FILTERS = {
    liquid_first: (0, "(({v}[0] if {v} else None) if type({v}) is list else {call})"),
    liquid_last: (0, "(({v}[-1] if {v} else None) if type({v}) is list else {call})"),
    liquid_default: (1, "(({v} or {args[0]}) if type({v}) is str else {args[0]} "
                                "if {v} is None or type({v}) is Undefined else {call})"),
}

# Output statements: ours (a value written as Ruby writes it) and python-liquid's.
OUTPUT_NAMES = {RubyOutputNode: "OutputNode", RubyEchoNode: "EchoNode",
                OutputNode: "OutputNode", EchoNode: "EchoNode"}

# What the compiler writes code for (the rest is left to python-liquid).
COMPILED_KINDS = frozenset("""ContentNode OutputNode EchoNode AssignNode CaptureNode IfNode
    UnlessNode ForNode BreakNode ContinueNode CommentNode InlineCommentNode IncrementNode
    DecrementNode
    FilteredExpression Path StringLiteral IntegerLiteral FloatLiteral TrueLiteral FalseLiteral
    Nil Empty Blank BooleanExpression LogicalAndExpression LogicalOrExpression EqExpression
    NeExpression LtExpression GtExpression LeExpression GeExpression
    ContainsExpression""".split())

COMPARISONS = frozenset((EqExpression, NeExpression, LtExpression, GtExpression, LeExpression,
                         GeExpression, ContainsExpression))


def _reads_content(expr: Any) -> bool:
    """Whether an output writes (a filter of) `content`: a layout's page, big."""
    left = expr.left if type(expr) is FilteredExpression else expr
    return type(left) is Path and bool(left.path) and left.path[0] == "content"


def _plain_literal(expr: Any) -> bool:
    return type(expr) in (StringLiteral, IntegerLiteral, FloatLiteral, TrueLiteral,
                          FalseLiteral, Nil)
