"""The ``CALLTONE_*`` environment: which variables exist, and refusing the ones that do not.

Three typed settings families read the ``CALLTONE_`` prefix (:class:`~.settings.Settings`,
:class:`~.live.protocols.config.SourceSettings`, :class:`~.scoring.cluster_settings.ClusterSettings`)
and a few tools read single variables (:data:`OTHER_VARIABLES`). Each family ignores the others'
variables, so a misspelt one (``CALLTONE_TRANSCRIPTION_WORKER``) or one that no longer exists would
be silently ignored; :func:`check_environment` refuses it instead, naming it and the valid names.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Final

from calltone.audio.errors import CalltoneError

ENV_PREFIX: Final = "CALLTONE_"

OTHER_VARIABLES: Final[Mapping[str, str]] = {
    "CALLTONE_TOKEN": "API token of the command-line clients (stream, replay, listen)",
    "CALLTONE_AUDIOHOOK_CLIENT_SECRET": "client secret of the AudioHook replay client",
    "CALLTONE_DEMO_SAMPLES": "folder of sample calls `calltone demo` streams",
    "CALLTONE_SHARED_DATA": "tests and benchmarks: the shared data folder",
    "CALLTONE_BENCH_CACHE": "benchmarks: the analysis cache folder",
}
"""Variables read directly by one tool rather than by a settings family."""

REMOVED_VARIABLES: Final[Mapping[str, str]] = {
    "CALLTONE_SCORING_WORKERS": "uploads are scored by one background worker process; there is "
    "no setting for more (run more nodes instead)",
    "CALLTONE_SCORING_NICE": "the upload scoring worker always runs at niceness 10",
}
"""Variables that once meant (or seemed to mean) something, with what to do instead."""


class SettingsError(CalltoneError):
    """A setting that cannot be used as given."""


def environment_names(
    environ: Mapping[str, str] | None = None, env_file: str | None = ".env"
) -> list[str]:
    """The ``CALLTONE_*`` names set in ``environ`` (default: the process) and in ``env_file``."""
    names = {k.upper() for k in (os.environ if environ is None else environ)}
    if env_file is not None and Path(env_file).is_file():
        from dotenv import dotenv_values

        names |= {k.upper() for k in dotenv_values(env_file)}
    return sorted(n for n in names if n.startswith(ENV_PREFIX))


def check_environment(
    known: Collection[str],
    environ: Mapping[str, str] | None = None,
    env_file: str | None = ".env",
) -> None:
    """Refuse ``CALLTONE_*`` variables that no settings family or tool reads.

    Parameters
    ----------
    known : collection of str
        Field names of every settings family (lower case, without the prefix).
    environ : mapping, optional
        The environment to check (default: the process environment).
    env_file : str or None
        A ``.env`` file the settings also read (checked too when it exists).

    Raises
    ------
    SettingsError
        Naming each unknown variable, the closest valid name, and all valid names.
    """
    valid = {ENV_PREFIX + name.upper() for name in known} | set(OTHER_VARIABLES)
    unknown = [n for n in environment_names(environ, env_file) if n not in valid]
    if not unknown:
        return
    problems = []
    for name in unknown:
        if name in REMOVED_VARIABLES:
            problems.append(f"{name} is no longer a setting ({REMOVED_VARIABLES[name]})")
            continue
        close = difflib.get_close_matches(name, valid, n=1)
        problems.append(
            f"{name} is not a calltone setting" + (f" (did you mean {close[0]}?)" if close else "")
        )
    raise SettingsError(
        f"{'; '.join(problems)}; unset it. Valid CALLTONE_* variables: {', '.join(sorted(valid))}"
    )
