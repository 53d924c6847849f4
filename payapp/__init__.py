"""PayApp: card and eCheck payments on invoices, kept in step with accounting and the PSA."""

__version__ = "0.1.0"
APP_NAME = "PayApp"
ORG_NAME = "PayApp"
