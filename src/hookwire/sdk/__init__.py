"""The typed Python client SDK of a workspace: generated with ariadne-codegen from the
workspace's records schema, built into a wheel of ``clients/python``, served at
``GET /sdk/python`` and by ``hookwire sdk generate``."""

from hookwire.sdk.api import sdk_api, wheel_response, workspace_wheel
from hookwire.sdk.cache import WheelCache
from hookwire.sdk.errors import GenerationError
from hookwire.sdk.generate import build_wheel, fetch_schema, load_schema
from hookwire.sdk.prebuild import install_prebuilder
from hookwire.sdk.toolchain import toolchain

__all__ = [
    "GenerationError",
    "WheelCache",
    "build_wheel",
    "fetch_schema",
    "install_prebuilder",
    "load_schema",
    "sdk_api",
    "toolchain",
    "wheel_response",
    "workspace_wheel",
]
