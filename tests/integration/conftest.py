"""Fixtures shared by integration tests (add yours here; keep each importable from its own module)."""

from tests.payment_helpers import http_client, served_gateway

__all__ = ["http_client", "served_gateway"]
