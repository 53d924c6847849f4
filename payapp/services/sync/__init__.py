"""The sync from Autotask into PayApp's tables (see service.py for its shape and the parts it is made of).
Other modules import the names below from here; the package's own modules stay free to move."""

from payapp.services.sync.locking import SyncBusy
from payapp.services.sync.service import (
    ProgressCallback,
    SyncError,
    SyncProgress,
    SyncReport,
    SyncService,
    SyncStatus,
)

__all__ = ["ProgressCallback", "SyncBusy", "SyncError", "SyncProgress", "SyncReport", "SyncService", "SyncStatus"]
