"""Moving a store's data out and between databases: export, backup and copy."""

from api.domain.portability.backup import BackupRefused, backup_sqlite
from api.domain.portability.catch_up import CatchUpReport, catch_up_store
from api.domain.portability.copy import (
    SEARCH_STAGE,
    CopyReport,
    copy_store,
    planned_rows,
    prepare_target,
)
from api.domain.portability.export import Export, ExportReport, open_export, since_position
from api.domain.portability.tables import TargetRefused

__all__ = [
    "SEARCH_STAGE",
    "BackupRefused",
    "CatchUpReport",
    "CopyReport",
    "Export",
    "ExportReport",
    "TargetRefused",
    "backup_sqlite",
    "catch_up_store",
    "copy_store",
    "open_export",
    "planned_rows",
    "prepare_target",
    "since_position",
]
