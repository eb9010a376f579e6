"""WSGI entry point: ``waitress-serve --call app:create_app`` or any WSGI server."""

from hookwire.app import create_app

__all__ = ["create_app"]
