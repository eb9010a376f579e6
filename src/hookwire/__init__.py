"""Hookwire: a Twenty-compatible CRM API, signed at-least-once webhooks, and connectors."""

__version__ = "0.1.0"
