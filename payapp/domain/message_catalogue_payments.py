"""Messages about taking, voiding and refunding payments, their results and timeline, money-safety flags
(services/payments/, payment_search.py, refund_approvals.py): their English and German.

Part of the catalogue (payapp/domain/message_catalogue.py merges it); kept apart only so the catalogue stays a file
a reader can scan by subject."""

from __future__ import annotations

ENGLISH: dict[str, str] = {
}

GERMAN: dict[str, str] = {
}
