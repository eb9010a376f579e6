"""The bundled CRM connector's authentication (a client of the server, like any platform's).
Server-side authentication is ``hookwire.identity``."""
