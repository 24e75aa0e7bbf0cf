"""One exception family. The CLI turns any of these into one line on stderr
and exit code 2; everything else is a bug and keeps its traceback."""


class SiteBuilderError(Exception):
    """A failure the user can fix: the message says what, where and how."""


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
