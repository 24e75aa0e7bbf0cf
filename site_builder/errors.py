"""One exception family. The CLI turns any of these into one line on stderr
and exit code 2; everything else is a bug and keeps its traceback."""

import errno
import os


class SiteBuilderError(Exception):
    """A failure the user can fix: the message says what, where and how."""


class AlreadySaid(SiteBuilderError):
    """A failure a child process has already said in its one line on stderr: exit
    code 2, and nothing more printed (a second line would only repeat it)."""


class Pending(Exception):
    """A cluster job is still working on the samples: later stages wait for it (not
    an error: the command says so and exits 0)."""


class ConfigError(SiteBuilderError):
    """A bad value in _config.yml, experiment.toml or on the command line."""


class RunError(SiteBuilderError):
    """A run directory in a state the requested stage cannot work from."""


class SamplingError(SiteBuilderError):
    """Sampling could not start or did not finish."""


class AudioError(SiteBuilderError):
    """A WAV that cannot be read, or an encoder that cannot be found."""


class PublishError(SiteBuilderError):
    """Publishing files failed."""


class PostError(SiteBuilderError):
    """A post cannot be (re)generated."""


class BuildError(SiteBuilderError):
    """The static site cannot be built."""


# The sampler's exit code for a full or read-only disk (EX_IOERR), its one line said.
EXIT_DISK = 74
# ... and for running out of GPU memory, its one line (phase, the plan's figure) said.
EXIT_OOM = 76

# OSErrors that are the machine's state, not a bug: said in one line, where and why.
DISK_ERRORS = {
    errno.ENOSPC: ("the disk is full", "free some space"),
    errno.EDQUOT: ("the disk quota is used up", "free some space or raise the quota"),
    errno.EROFS: ("the file system is read-only", "make it writable (or choose another folder)"),
    errno.EACCES: ("permission denied", "give this user write access"),
    errno.EPERM: ("operation not permitted", "give this user write access"),
}


def disk_error(exc: OSError) -> SiteBuilderError | None:
    """The one-line error for a full or read-only disk or a forbidden file (None for
    any other OSError): the folder, what is wrong, the space left, what to do."""
    if exc.errno not in DISK_ERRORS:
        return None
    reason, fix = DISK_ERRORS[exc.errno]
    path = os.path.abspath(exc.filename) if exc.filename else os.getcwd()
    folder = path if os.path.isdir(path) else os.path.dirname(path)
    existing = folder
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    import shutil   # here: with bz2 and lzma, which it imports, 1 ms of every command's start
    free = shutil.disk_usage(existing).free
    return SiteBuilderError(f"{folder}/: cannot write {os.path.basename(path)}: {reason} "
                            f"({free / 2**20:.1f} MiB free there); {fix}, then run the same "
                            f"command again: what was written before is kept")
