"""Modules that python-liquid imports for features a build never or rarely uses,
loaded when first used instead of when Liquid is imported.

python-liquid imports asyncio (for its async loaders), dateutil's parser (for the
`date` filter given a string that is no date Ruby reads first) and
importlib_resources (for its package loader) as it starts: a third of its import
time, paid by every build that renders a page (0.36 s for one post edited in a
thousand-post blog, whose goal is 0.3 s). Their import by python-liquid's own
modules gives a placeholder module here, which runs the real one on first use of
any of its names (whoever uses it: an import after Liquid's gets the placeholder);
imported before Liquid, they are imported as usual. importlib.util.LazyLoader
does the same, but on Python 3.11 the import system's own look at `__spec__` (on
every later `import asyncio`) sets it off.

Some modules are deferred for named importers only, and the names such an importer
imports from one stand in for the real ones (`_Later`) until used (called, or an
attribute read), which runs the real module:
- python-liquid's extra tags and filters (`Environment(extra=True)`) and its
  translation messages, which load Babel and pytz: 45 million instructions;
- Pygments' lexer modules of other languages (PHP, Python, Perl, Java, SQL, LilyPond,
  and the Lisp LilyPond needs) imported by the modules of the Liquid, HTML and
  Markdown lexers (which Jekyll's docs use), for lexers that mention them: 42 million
  instructions in each process that highlights a block.
(Callgrind, a cold build of Jekyll's docs.)
"""

from __future__ import annotations

import sys
import threading
import types
from importlib.machinery import ModuleSpec, PathFinder

# What is deferred, and whose imports of it.
DEFERRED = frozenset(("asyncio", "dateutil.parser", "importlib_resources"))
IMPORTERS = ("liquid.",)
# Deferred for these importers only, which get stand-ins for the names they import.
LEXER_IMPORTERS = frozenset(("pygments.lexers.templates", "pygments.lexers.html",
                             "pygments.lexers.markup"))
STAND_INS = {
    "liquid.extra": frozenset(("liquid.environment",)),
    "liquid.messages": frozenset(("liquid",)),
    **dict.fromkeys(("pygments.lexers." + name for name in
                     ("jvm", "php", "python", "perl", "sql", "lilypond")), LEXER_IMPORTERS),
}
# What the import system reads of a module: not a use of it.
IMPORT_SYSTEM = frozenset(("__spec__", "__name__", "__loader__", "__package__", "__path__",
                           "__file__", "__cached__", "__class__", "__dict__"))
_LOCK = threading.RLock()   # one thread runs a module; the others wait for it
_RUNNING: set[int] = set()  # modules being run now (by id): their own imports see them as is


class _Placeholder(types.ModuleType):
    def __getattribute__(self, name: str) -> object:
        get = types.ModuleType.__getattribute__
        if name not in IMPORT_SYSTEM:
            if _importing_names(get(self, "__name__")):
                return _Later(get(self, "__name__"), name)
            with _LOCK:
                if type(self) is _Placeholder and id(self) not in _RUNNING:
                    _RUNNING.add(id(self))
                    try:
                        spec = get(self, "__spec__")
                        spec.loader = self.__loader__ = spec.loader.real
                        spec.loader.exec_module(self)
                        self.__class__ = types.ModuleType
                    finally:
                        _RUNNING.discard(id(self))
        return get(self, name)


def _importing_names(module: str) -> bool:
    """Whether the caller of _Placeholder's lookup is a `from module import name` in
    the body of a module that gets stand-ins for its names."""
    importers = STAND_INS.get(module)
    if importers is None:
        return False
    frame = _importing_frame(sys._getframe(2))
    return (frame is not None and frame.f_code.co_name == "<module>"
            and frame.f_globals.get("__name__") in importers)


def _importing_frame(frame):  # noqa: ANN001, ANN202 (a frame, or None)
    """The first frame from `frame` up that is not the import system's."""
    while frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
        frame = frame.f_back
    return frame


class _Later:
    """A name imported from a deferred module, standing in for it: calling it or
    reading its attributes uses the real one (Pygments' modules make lexers of the
    classes they import, and call their analyse_text, only when used; python-liquid
    calls its extras' register function when asked for them)."""

    __slots__ = ("_module", "_name")

    def __init__(self, module: str, name: str) -> None:
        self._module, self._name = module, name

    def _real(self) -> object:
        return getattr(sys.modules[self._module], self._name)

    def __call__(self, *args: object, **kwargs: object) -> object:
        return self._real()(*args, **kwargs)

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):   # typing's look at a name in an annotation: not a use
            raise AttributeError(name)
        return getattr(self._real(), name)


class _Deferring:   # a loader (importlib.abc's classes are not imported: 1.6 ms)
    def __init__(self, real: object) -> None:
        self.real = real

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        return self.real.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__class__ = _Placeholder


class _Finder:   # a meta path finder
    def find_spec(self, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        if name in DEFERRED:
            if not _imported_by_liquid(name):
                return None
        elif name in STAND_INS:
            frame = _importing_frame(sys._getframe(1))
            if frame is None or frame.f_globals.get("__name__") not in STAND_INS[name]:
                return None
        else:
            return None
        spec = PathFinder.find_spec(name, path)
        if spec is None or not hasattr(spec.loader, "exec_module"):
            return None
        spec.loader = _Deferring(spec.loader)
        return spec


def _imported_by_liquid(name: str) -> bool:
    """Whether the module importing `name` is one of python-liquid's: the first frame
    above the import system's own and the package's (`from dateutil import parser`
    imports the parser from dateutil's module __getattr__)."""
    parent = name.rpartition(".")[0]
    frame = sys._getframe(2)
    while frame is not None and (frame.f_code.co_filename.startswith("<frozen importlib")
                                 or frame.f_globals.get("__name__") in ("importlib", parent)):
        frame = frame.f_back
    return frame is not None and str(frame.f_globals.get("__name__", "")).startswith(IMPORTERS)


def install() -> None:
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
