"""Messages about syncing, the outbox and its problems, QuickBooks Desktop's Web Connector (services/sync/, outbox.py,
qbwc.py, qbwc_soap.py): their English and German.

Part of the catalogue (payapp/domain/message_catalogue.py merges it); kept apart only so the catalogue stays a file
a reader can scan by subject."""

from __future__ import annotations

ENGLISH: dict[str, str] = {
}

GERMAN: dict[str, str] = {
}
