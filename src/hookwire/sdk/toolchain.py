"""ariadne-codegen in an environment of its own, made on first use.

ariadne-codegen runs on the server, but it cannot be one of the server's dependencies: every
release of it requires graphql-core < 3.3, and the server's GraphQL executor is built on
graphql-core 3.3. So it is installed, pinned, into a virtual environment beside the server's
(``HOOKWIRE_SDK_TOOLS``), and run there as a program; the server hands it files (a schema,
operations, a configuration) and reads the package it writes. The environment is made once
per machine (a lock file keeps concurrent servers and workers from making it twice); the
Docker image makes it at build time with ``hookwire sdk tools``.
"""

from __future__ import annotations

import subprocess
import venv
from dataclasses import dataclass
from pathlib import Path

from hookwire.sdk.errors import GenerationError
from hookwire.sdk.files import locked

ARIADNE_CODEGEN = "ariadne-codegen==0.19.0"
INSTALL_TIMEOUT = 600  # seconds for pip to install it (a slow index)
READY = ".ready"  # written last: its presence means the environment is whole


class ToolchainError(GenerationError):
    """The code generator's environment could not be made."""


@dataclass(frozen=True)
class Toolchain:
    """A virtual environment holding ariadne-codegen (and ruff, which it formats with)."""

    root: Path

    @property
    def codegen(self) -> Path:
        return self.root / "bin" / "ariadne-codegen"

    @property
    def ruff(self) -> Path:
        return self.root / "bin" / "ruff"

    @property
    def is_ready(self) -> bool:
        marker = self.root / READY
        return marker.exists() and marker.read_text().strip() == ARIADNE_CODEGEN


def toolchain(tools_dir: Path) -> Toolchain:
    """The toolchain under ``tools_dir``, made now if it is not there yet."""
    tools = Toolchain(tools_dir / ARIADNE_CODEGEN.replace("==", "-"))
    if tools.is_ready:
        return tools
    tools_dir.mkdir(parents=True, exist_ok=True)
    with locked(tools.root.parent / f"{tools.root.name}.lock"):
        if not tools.is_ready:  # another process may have made it while this one waited
            _make(tools)
    return tools


def _make(tools: Toolchain) -> None:
    venv.EnvBuilder(clear=True, with_pip=True).create(tools.root)
    pip = [str(tools.root / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    try:
        subprocess.run(
            [*pip, "--disable-pip-version-check", ARIADNE_CODEGEN],
            check=True,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
        )
    except subprocess.CalledProcessError as error:
        raise ToolchainError(
            f"pip could not install {ARIADNE_CODEGEN} into {tools.root}: "
            f"{error.stderr.strip()[-500:]}"
        ) from None
    except subprocess.TimeoutExpired:
        raise ToolchainError(
            f"installing {ARIADNE_CODEGEN} took over {INSTALL_TIMEOUT} s"
        ) from None
    (tools.root / READY).write_text(ARIADNE_CODEGEN + "\n")
