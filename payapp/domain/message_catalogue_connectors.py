"""Messages about the connectors and Admin's connection tests (connectors/, services/connections.py, gateways.py,
processing.py, secrets.py, settings.py): their English and German.

Part of the catalogue (payapp/domain/message_catalogue.py merges it); kept apart only so the catalogue stays a file
a reader can scan by subject."""

from __future__ import annotations

ENGLISH: dict[str, str] = {
}

GERMAN: dict[str, str] = {
}
