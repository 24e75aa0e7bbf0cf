"""`site-builder` and `python -m site_builder`: the command line (cli.py), with
regular expressions compiled by earlier commands kept (compiled_patterns.py).

A process's start and end are a large part of a quick command (a no-op build of a
thousand posts is 0.17 s, 0.07 s of it building); three of their costs are avoided
here, measured with callgrind on that no-op build: the garbage collector's passes
while the imports run (which make tens of thousands of objects and no garbage), 9%
of its instructions, and the interpreter's teardown, which frees every object one
by one, 6%.
"""

import atexit
import gc
import os
import sys
import threading

from site_builder import compiled_patterns


def main() -> int:
    _local_zone_by_file()
    compiled_patterns.install()   # before cli's imports compile theirs
    gc.disable()
    from site_builder.cli import main as command_line
    gc.freeze()   # what the imports made lives to the end: later passes skip it
    gc.enable()
    code = command_line()
    _leave(code)
    return code


def _local_zone_by_file() -> None:
    """TZ=":/etc/localtime" where TZ is not set: Babel (python-liquid imports it)
    finds the local zone when imported, and without TZ it reads the name of
    /etc/localtime's target and looks it up in pytz's list of zones, which opens
    each of the ~600 zone files to make that list. With this TZ it reads the file.
    The C library reads that same file when TZ is not set, so times mean the same
    here and in every program this one starts."""
    if "TZ" not in os.environ and os.path.isfile("/etc/localtime"):
        os.environ["TZ"] = ":/etc/localtime"


def _leave(code: int) -> None:
    """End the process now, as exit would but without the teardown: the functions
    registered to run at exit (the kept patterns, logging's flush) run, and what is
    written is flushed. Not while another thread runs (exit waits for it), nor under
    a profiler or a tracer (cProfile, coverage), which write their findings after."""
    if threading.active_count() > 1 or sys.getprofile() or sys.gettrace():
        return
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):   # a closed pipe or stream: exit would not flush it either
            pass
    os._exit(code)


if __name__ == "__main__":
    raise SystemExit(main())
