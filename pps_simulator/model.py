"""The record model of the backend: folders, the fields of each kind of record, final actions, flavours,
and the quarantined message as a row read from the database, shaped as either flavour answers it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

ON_PREMISE = "onprem"
CLOUD = "cloud"
# On premise: strings, localguid `folder_id:table_id:dbase_id`, host_ip `[ip] [ip]`.
# Cloud (PoD): integers for size and spamscore, localguid = guid, host_ip `host [ip]`.
FLAVOURS = (ON_PREMISE, CLOUD)

# (folder id, name, module type). Ids are what the first part of a localguid holds.
FOLDERS: tuple[tuple[int, str, str], ...] = (
    (4, "HIPAA", "dlp"),
    (5, "PCI", "dlp"),
    (6, "Quarantine", "spam"),
    (7, "Spam", "spam"),
    (8, "Phish", "spam"),
    (9, "Virus", "spam"),
    (10, "Bulk", "spam"),
    (11, "Deleted Spam", "spam"),
    (12, "Deleted Incidents", "dlp"),
)
DEFAULT_FOLDER = "Quarantine"

# Final dispositions of the smart-search trace (its `action` filter).
FINAL_ACTIONS = ("accept", "continue", "discard", "redirect", "reject", "retry")
# What POST /quarantine can do to a quarantined message.
ACTIONS = ("release", "resubmit", "forward", "move", "delete")

# Keys of a quarantine search record, in the order the API writes them.
QUARANTINE_FIELDS: tuple[str, ...] = (
    "processingserver",
    "date",
    "subject",
    "messageid",
    "folder",
    "size",
    "rcpts",
    "from",
    "spamscore",
    "guid",
    "host_ip",
    "localguid",
)

# Keys of a smart-search record: the `Proofpoint.SmartSearch.*` paths of the command spec, plus Duration.
TRACE_FIELDS: tuple[str, ...] = (
    "Rule_ID",
    "Disposition_Action",
    "Sendmail_Action",
    "Attachment_Names",
    "Recipients",
    "SendmailRaw_Log",
    "GUID",
    "Date",
    "Raw_Log",
    "Sender_Host",
    "Module_ID",
    "Sender_IP_Address",
    "Quarantine_Folder",
    "QID",
    "Quarantine_Rule",
    "Spam_Score",
    "country",
    "TLS",
    "Policy_Routes",
    "current_folder",
    "FID",
    "module_rules",
    "PE_Recipients",
    "Virus_Names",
    "Sendmail_Errorcode",
    "FQIN",
    "SMIME_Recipients",
    "Agent",
    "Subject",
    "Final_Rule",
    "Suborg",
    "SMIME_Recipients_Signed",
    "Message_Encrypted",
    "Message_Split",
    "Disposition_SmtpProfile",
    "Sendmail_To",
    "Sendmail_Stat",
    "SID",
    "Message_ID",
    "Final_Action",
    "Sender",
    "Sendmail_To_Stat",
    "Message_Size",
    "Duration",
)

# Keys of an end user, as GET /enduser answers it; the lists are JSON arrays.
ENDUSER_FIELDS: tuple[str, ...] = (
    "uid",
    "email",
    "firstname",
    "lastname",
    "created",
    "lastmodified",
    "lastsignon",
    "lastpasswordchange",
    "creationsource",
    "suborg",
    "type",
    "alias",
    "groups",
    "safelist",
    "blocklist",
    "attributes",
)
ENDUSER_LIST_FIELDS = ("alias", "groups", "safelist", "blocklist")
ENDUSER_TEXT_FIELDS = ("firstname", "lastname", "suborg", "creationsource")

# Why the seed quarantined a message of each category (the first status-history entry).
QUARANTINE_REASONS = {
    "hipaa": "dlp.hipaa",
    "pci": "dlp.pci",
    "dlp": "dlp.incident",
    "virus": "virus.virus",
    "phish": "spam.phish",
    "bulk": "spam.bulk",
}
# Cloud status codes of the history entries (PoD shows `"status": 0, "statusdesc": "New"` on arrival;
# the codes of later entries are assumed).
CLOUD_STATUS_CODES = {"quarantined": 0, "release": 1, "resubmit": 2, "forward": 3, "move": 4, "delete": 5}

DAY = 86400
_DAYS: dict[int, str] = {}


def quarantine_date(ts: int) -> str:
    """A quarantine `date` value, e.g. `2020-01-15 20:00:00` (UTC)."""
    day, seconds = divmod(ts, DAY)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = datetime.fromtimestamp(day * DAY, timezone.utc).strftime("%Y-%m-%d")
    hours, seconds = divmod(seconds, 3600)
    return f"{prefix} {hours:02d}:{seconds // 60:02d}:{seconds % 60:02d}"


def trace_date(ts: int) -> str:
    """A trace `Date` value, e.g. `2020-05-20 14:13:02 [UTC+0000]`."""
    return quarantine_date(ts) + " [UTC+0000]"


def check_flavour(flavour: str) -> str:
    if flavour not in FLAVOURS:
        raise ValueError(f"flavour must be one of {', '.join(FLAVOURS)}, not {flavour!r}")
    return flavour


@dataclass(frozen=True)
class QuarantinedMessage:
    """One row of `messages` joined with its folder name, as the backend reads it."""

    id: int  # the dbase_id part of the on-premise localguid
    guid: str
    folder_id: int
    table_id: int
    ts: int
    sender: str
    rcpts: tuple[str, ...]
    subject: str
    messageid: str
    size: int
    spamscore: str
    host_ip: str  # `[ip] [ip]`, as on premise
    processingserver: str
    category: str
    dlp: str | None  # JSON list of violations
    status: str | None  # JSON status history, None until an action adds to it
    folder: str

    COLUMNS = (
        "m.id, m.guid, m.folder_id, m.table_id, m.ts, m.sender, m.rcpts, m.subject, m.messageid, m.size,"
        " m.spamscore, m.host_ip, m.processingserver, m.category, m.dlp, m.status, f.name AS folder"
    )

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> QuarantinedMessage:
        values = dict(zip(row.keys(), row, strict=True))
        values["rcpts"] = tuple(values["rcpts"].split("\n")) if values["rcpts"] else ()
        return cls(**values)

    @property
    def onprem_localguid(self) -> str:
        return f"{self.folder_id}:{self.table_id}:{self.id}"

    @property
    def ip(self) -> str:
        return self.host_ip.split("]", 1)[0].lstrip("[")

    def localguid(self, flavour: str) -> str:
        return self.guid if flavour == CLOUD else self.onprem_localguid

    def record(self, flavour: str = ON_PREMISE) -> dict[str, Any]:
        """The quarantine search record, in the flavour's shapes."""
        cloud = flavour == CLOUD
        return {
            "processingserver": self.processingserver,
            "date": quarantine_date(self.ts),
            "subject": self.subject,
            "messageid": self.messageid,
            "folder": self.folder,
            "size": self.size if cloud else str(self.size),
            "rcpts": list(self.rcpts),
            "from": self.sender,
            "spamscore": int(self.spamscore or 0) if cloud else self.spamscore,
            "guid": self.guid,
            "host_ip": f"mail.{self.sender.rsplit('@', 1)[-1]} [{self.ip}]" if cloud else self.host_ip,
            "localguid": self.localguid(flavour),
        }

    def history(self) -> list[dict[str, str]]:
        """The status history as stored (on-premise shape): the quarantine, then one entry per action."""
        if self.status:
            stored: list[dict[str, str]] = json.loads(self.status)
            return stored
        return [
            {
                "user": "system",
                "comment": "",
                "id": "1",
                "date": quarantine_date(self.ts),
                "statusdesc": f"Quarantined by rule {QUARANTINE_REASONS.get(self.category, 'spam.spam')}",
                "status": "quarantined",
            }
        ]

    def status_history(self, flavour: str = ON_PREMISE) -> list[dict[str, Any]]:
        """`messagestatus` as the flavour writes it (the cloud: integer ids and codes, `New` on arrival)."""
        entries = self.history()
        if flavour != CLOUD:
            return entries
        return [
            {
                "user": "" if entry["user"] == "system" else entry["user"],
                "comment": entry["comment"],
                "id": int(entry["id"]) - 1,
                "date": entry["date"],
                "statusdesc": "New" if entry["status"] == "quarantined" else entry["statusdesc"],
                "status": CLOUD_STATUS_CODES.get(entry["status"], 0),
            }
            for entry in entries
        ]

    def dlp_violations(self) -> list[dict[str, Any]]:
        violations: list[dict[str, Any]] = json.loads(self.dlp) if self.dlp else []
        return violations
