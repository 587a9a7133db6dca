"""The simulator's state: folders, quarantined messages and their raw bytes, the smart-search trace,
the log of actions and the end users, in one SQLite database.

This layer knows nothing of HTTP: it takes typed values, returns plain dicts shaped as the API's
records, and raises `InvalidArgument` / `NotFound` / `UserExists` that the HTTP layer turns into replies.
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timezone
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any, cast

from pps_simulator.model import (
    ACTIONS,
    CLOUD,
    DEFAULT_FOLDER,
    ENDUSER_FIELDS,
    ENDUSER_LIST_FIELDS,
    ENDUSER_TEXT_FIELDS,
    FOLDERS,
    ON_PREMISE,
    TRACE_FIELDS,
    QuarantinedMessage,
    check_flavour,
    quarantine_date,
)
from pps_simulator.seed import (
    FIRST_ENDUSER_UID,
    INTERNAL_DOMAINS,
    RawSpec,
    SeedData,
    SeedGenerator,
    build_raw_message,
    iter_chunks,
    new_guid,
)

SCHEMA_VERSION = "1"
RAW_CHUNK = 256 * 1024  # raw messages are stored and streamed in pieces of this size
DEFAULT_SEARCH_COUNT = 100
MAX_SEARCH_COUNT = 10000  # assumed cap (com.proofpoint.pss.query.default-count)
DEFAULT_QUARANTINE_LIMIT = 100
MAX_QUARANTINE_LIMIT = 1000
BOOLEAN_FIELDS = ("scan", "appendoldsubject")
ADDRESS_RE = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")
STOP_WORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or re fw fwd the this to was were will with your "
    "you our".split()
)
NOCASE_TRACE_FIELDS = frozenset({"Sender", "Sender_Host", "Sender_IP_Address", "Message_ID", "QID", "SID"})


class PPSError(Exception):
    """Base of the errors the API reports to the caller."""


class InvalidArgument(PPSError):
    """A request field is missing or wrong; the API answers 400 `Invalid argument: <field>`."""

    def __init__(self, field: str, detail: str = "") -> None:
        super().__init__(f"Invalid argument: {field}" + (f" ({detail})" if detail else ""))
        self.field = field
        self.detail = detail


class NotFound(PPSError):
    """The thing asked for does not exist."""


class UserExists(PPSError):
    """POST /enduser for an address that is already a user."""


def like_pattern(value: str) -> str:
    """A SQL LIKE pattern (escape `\\`) where `*` is the only wildcard."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


def subject_terms(text: str) -> list[str]:
    """Words of a subject query, stop-words dropped and crudely stemmed, as the trace search does."""
    terms = []
    for word in re.findall(r"\w+", text.lower()):
        if word in STOP_WORDS:
            continue
        for suffix in ("ing", "ed", "es", "s"):
            if len(word) > len(suffix) + 2 and word.endswith(suffix):
                word = word[: -len(suffix)]
                break
        terms.append(word)
    return terms


def epoch(moment: datetime) -> int:
    """Seconds since the epoch; a naive datetime is taken as UTC, as the API's times are."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())


def split_list(value: str | Sequence[str] | None) -> list[str]:
    """Items of a comma-separated string (or a list), stripped, empty ones dropped, order kept."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return list(dict.fromkeys(item.strip() for item in items if item and item.strip()))


class PPSBackend:
    """The state of one simulated appliance.

    `db` is a file path (state survives restarts; an existing file is reused, never reseeded) or
    `':memory:'`. `messages` quarantined messages (plus half as many delivered or rejected ones in the
    trace) are seeded from `seed`, their times spread over the 30 days before `now`. `flavour` is how
    records look: `onprem` (strings, `folder:table:dbase` localguids) or `cloud` (the PoD shapes).
    """

    def __init__(
        self,
        db: str | os.PathLike[str] = ":memory:",
        messages: int = 300,
        seed: int = 1,
        now: float | datetime | None = None,
        flavour: str = ON_PREMISE,
    ) -> None:
        self.db = str(db)
        self.flavour = check_flavour(flavour)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.db, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA foreign_keys = OFF")
        if self.db != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
        self.seeded = False  # True when this instance created the data rather than reusing a file
        with self._lock:
            if self._meta("schema_version") is None:
                if isinstance(now, datetime):
                    now = now.timestamp()
                self._create(messages, seed, int(now if now is not None else time.time()))
                self.seeded = True
        self.seed = int(self._meta("seed") or seed)
        self._rng = random.Random(f"{self.seed}:added")

    # ---- creation -----------------------------------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        try:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.OperationalError:
            return None
        return str(row["value"]) if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def _next_message_id(self) -> int:
        """A dbase_id never used before, even by a message since removed (so no localguid comes back)."""
        used = int(self._meta("last_message_id") or 0)
        highest = self._conn.execute("SELECT COALESCE(MAX(id), 0) AS id FROM messages").fetchone()["id"]
        next_id = max(used, int(highest)) + 1
        self._set_meta("last_message_id", str(next_id))
        return next_id

    def _create(self, messages: int, seed: int, now: int) -> None:
        trace_columns = ", ".join(
            f'"{name}" TEXT NOT NULL' + (" COLLATE NOCASE" if name in NOCASE_TRACE_FIELDS else "")
            for name in TRACE_FIELDS
        )
        conn = self._conn
        conn.execute("BEGIN")
        try:
            self._run_script(
                f"""
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE folders (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, module TEXT NOT NULL);
                CREATE TABLE messages (
                    id INTEGER PRIMARY KEY,           -- the dbase_id part of the localguid
                    guid TEXT NOT NULL UNIQUE,
                    folder_id INTEGER NOT NULL,
                    table_id INTEGER NOT NULL,
                    ts INTEGER NOT NULL,
                    sender TEXT NOT NULL COLLATE NOCASE,
                    rcpts TEXT NOT NULL,              -- newline-separated
                    subject TEXT NOT NULL,
                    messageid TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    spamscore TEXT NOT NULL,
                    host_ip TEXT NOT NULL,
                    processingserver TEXT NOT NULL,
                    category TEXT NOT NULL,
                    attachments TEXT NOT NULL,        -- JSON [[name, bytes], ...]
                    virus TEXT NOT NULL,
                    dlp TEXT,                         -- JSON list of violations, NULL when none
                    status TEXT,                      -- JSON status history, NULL until an action adds to it
                    gen_seed INTEGER                  -- raw bytes are rebuilt from this, NULL when stored
                );
                CREATE TABLE message_rcpts (message_id INTEGER NOT NULL, rcpt TEXT NOT NULL COLLATE NOCASE);
                CREATE TABLE raw_chunks (
                    message_id INTEGER NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL,
                    PRIMARY KEY (message_id, seq)
                );
                CREATE TABLE trace (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, {trace_columns});
                CREATE TABLE trace_rcpts (trace_id INTEGER NOT NULL, rcpt TEXT NOT NULL COLLATE NOCASE);
                CREATE TABLE actions (
                    id INTEGER PRIMARY KEY, ts REAL NOT NULL, action TEXT NOT NULL, user TEXT NOT NULL,
                    folder TEXT NOT NULL, localguid TEXT NOT NULL, guid TEXT NOT NULL, subject TEXT NOT NULL,
                    recipients TEXT NOT NULL, moved_to TEXT, options TEXT NOT NULL
                );
                CREATE TABLE endusers (
                    email TEXT PRIMARY KEY COLLATE NOCASE, uid TEXT NOT NULL UNIQUE, data TEXT NOT NULL
                );
                """
            )
            conn.executemany("INSERT INTO folders (id, name, module) VALUES (?, ?, ?)", FOLDERS)
            generator = SeedGenerator(seed, now)
            for batch in generator.generate(messages):
                self._insert_seed(batch)
            self._run_script(
                """
                CREATE INDEX messages_folder_ts ON messages (folder_id, ts);
                CREATE INDEX message_rcpts_rcpt ON message_rcpts (rcpt);
                CREATE INDEX message_rcpts_message ON message_rcpts (message_id);
                CREATE INDEX trace_ts ON trace (ts);
                CREATE INDEX trace_guid ON trace ("GUID");
                CREATE INDEX trace_qid ON trace ("QID");
                CREATE INDEX trace_sid ON trace ("SID");
                CREATE INDEX trace_mid ON trace ("Message_ID");
                CREATE INDEX trace_sender ON trace ("Sender");
                CREATE INDEX trace_rcpts_rcpt ON trace_rcpts (rcpt);
                CREATE INDEX trace_rcpts_trace ON trace_rcpts (trace_id);
                """
            )
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [
                    ("schema_version", SCHEMA_VERSION),
                    ("seed", str(seed)),
                    ("messages", str(messages)),
                    ("seeded_at", str(now)),
                    ("last_message_id", str(messages)),
                ],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _run_script(self, script: str) -> None:
        # Not executescript(): it would commit the transaction the seeding runs in.
        for statement in script.split(";"):
            if statement.strip():
                self._conn.execute(statement)

    def _insert_seed(self, batch: SeedData) -> None:
        conn = self._conn
        conn.executemany(
            "INSERT INTO messages (id, guid, folder_id, table_id, ts, sender, rcpts, subject, messageid, size,"
            " spamscore, host_ip, processingserver, category, attachments, virus, dlp, gen_seed)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    m.id,
                    m.guid,
                    m.folder_id,
                    m.table_id,
                    m.ts,
                    m.sender,
                    "\n".join(m.rcpts),
                    m.subject,
                    m.messageid,
                    m.size,
                    m.spamscore,
                    m.host_ip,
                    m.processingserver,
                    m.category,
                    json.dumps(m.attachments),
                    m.virus,
                    json.dumps(m.dlp) if m.dlp else None,
                    m.gen_seed,
                )
                for m in batch.messages
            ],
        )
        conn.executemany(
            "INSERT INTO message_rcpts (message_id, rcpt) VALUES (?, ?)",
            [(m.id, rcpt) for m in batch.messages for rcpt in m.rcpts],
        )
        self._insert_trace(batch.trace)
        for user in batch.endusers:
            conn.execute(
                "INSERT INTO endusers (email, uid, data) VALUES (?, ?, ?)",
                (user["email"], user["uid"], json.dumps(user)),
            )

    def _insert_trace(self, records: Sequence[Mapping[str, object]]) -> None:
        if not records:
            return
        conn = self._conn
        columns = ", ".join(f'"{name}"' for name in TRACE_FIELDS)
        placeholders = ", ".join("?" for _ in range(len(TRACE_FIELDS) + 2))
        first = conn.execute("SELECT COALESCE(MAX(id), 0) AS id FROM trace").fetchone()["id"] + 1
        rows: list[tuple[object, ...]] = []
        rcpt_rows: list[tuple[int, str]] = []
        rules_at = TRACE_FIELDS.index("module_rules")
        encoded_rules: dict[tuple[str, ...], str] = {}
        for trace_id, record in enumerate(records, start=first):
            values = [record[name] for name in TRACE_FIELDS]
            rules = tuple(cast(Sequence[str], record["module_rules"]))
            if rules not in encoded_rules:
                encoded_rules[rules] = json.dumps(list(rules))
            values[rules_at] = encoded_rules[rules]
            rows.append((trace_id, record["ts"], *values))
            rcpt_rows.extend((trace_id, rcpt) for rcpt in str(record["Recipients"]).split(",") if rcpt)
        conn.executemany(f"INSERT INTO trace (id, ts, {columns}) VALUES ({placeholders})", rows)
        conn.executemany("INSERT INTO trace_rcpts (trace_id, rcpt) VALUES (?, ?)", rcpt_rows)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # ---- folders ------------------------------------------------------------------------------------
    def folders(self) -> list[dict[str, Any]]:
        """Every folder: `{"id", "name", "module"}`, module being `spam` or `dlp`."""
        with self._lock:
            rows = self._conn.execute("SELECT id, name, module FROM folders ORDER BY id").fetchall()
        return [dict(row) for row in rows]

    def folder(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT id, name, module FROM folders WHERE name = ?", (name,)
            ).fetchone()
        return dict(row) if row else None

    def _require_folder(self, name: str | None, field: str) -> dict[str, Any]:
        found = self.folder(name) if name else None
        if found is None:
            raise InvalidArgument(field)
        return found

    # ---- quarantined messages -----------------------------------------------------------------------
    def _select_messages(
        self, where: str = "", params: Sequence[Any] = (), limit: int | None = None
    ) -> list[QuarantinedMessage]:
        """Messages matching `where`, newest first (by date, then the most recently stored)."""
        sql = f"SELECT {QuarantinedMessage.COLUMNS} FROM messages m JOIN folders f ON f.id = m.folder_id"
        if where:
            sql += " WHERE " + where
        sql += " ORDER BY m.ts DESC, m.id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [QuarantinedMessage.from_row(row) for row in rows]

    def messages(self, folder: str | None = None) -> list[dict[str, Any]]:
        """Quarantined messages (of one folder, or all), newest first, as search records of the flavour."""
        found = (
            self._select_messages("f.name = ?", (folder,)) if folder is not None else self._select_messages()
        )
        return [message.record(self.flavour) for message in found]

    def get_message(self, localguid: str | None = None, guid: str | None = None) -> dict[str, Any] | None:
        """One quarantined message by localguid (either flavour's) or GUID; None if gone."""
        message = self._find(localguid=localguid, guid=guid)
        return message.record(self.flavour) if message else None

    def message_status(self, guid: str) -> list[dict[str, Any]]:
        """The status history of a quarantined message (as `messagestatus=t` shows it)."""
        message = self._find(guid=guid)
        if message is None:
            raise NotFound(guid)
        return message.status_history(self.flavour)

    def _find(self, localguid: str | None = None, guid: str | None = None) -> QuarantinedMessage | None:
        if localguid and ":" not in localguid:
            guid, localguid = localguid, None  # a GUID given as localguid (the cloud's form)
        if localguid:
            parts = localguid.split(":")
            if len(parts) != 3 or not all(part.isdigit() for part in parts):
                return None
            rows = self._select_messages(
                "m.id = ? AND m.folder_id = ? AND m.table_id = ?",
                (int(parts[2]), int(parts[0]), int(parts[1])),
            )
        elif guid:
            rows = self._select_messages("m.guid = ?", (guid,))
        else:
            raise ValueError("give localguid or guid")
        return rows[0] if rows else None

    def search_quarantine(
        self,
        *,
        folder: str = DEFAULT_FOLDER,
        sender: str | None = None,
        rcpt: str | None = None,
        subject: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        messagestatus: bool = False,
        dlpviolation: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """GET /quarantine: messages of `folder` matching every criterion given, newest first, at most `limit`.

        `sender`/`rcpt` match an address that equals, starts with or ends with the value (so a domain
        matches too); `subject` matches when it contains the value; `*` is a wildcard in all three.
        `dlpviolation` is `t` (policy names) or `details` (the violations).
        """
        if not (sender or rcpt or subject):
            raise InvalidArgument("at least one of from, rcpt, subject")
        if limit is not None and not 1 <= limit <= MAX_QUARANTINE_LIMIT:
            raise InvalidArgument("limit", f"1 to {MAX_QUARANTINE_LIMIT}")
        found = self._require_folder(folder, "folder")
        where = ["m.folder_id = ?"]
        params: list[Any] = [found["id"]]
        if sender:
            clause, values = self._address_clause("m.sender", sender)
            where.append(clause)
            params.extend(values)
        if rcpt:
            clause, values = self._address_clause("r.rcpt", rcpt)
            where.append(f"m.id IN (SELECT r.message_id FROM message_rcpts r WHERE {clause})")
            params.extend(values)
        if subject:
            pattern = like_pattern(subject) if "*" in subject else "%" + like_pattern(subject) + "%"
            where.append("m.subject LIKE ? ESCAPE '\\'")
            params.append(pattern)
        if start is not None:
            where.append("m.ts >= ?")
            params.append(epoch(start))
        if end is not None:
            where.append("m.ts <= ?")
            params.append(epoch(end))
        records = []
        for message in self._select_messages(" AND ".join(where), params, limit):
            record = message.record(self.flavour)
            if messagestatus:
                record["messagestatus"] = message.status_history(self.flavour)
            if dlpviolation:
                violations = message.dlp_violations()
                if dlpviolation == "details":
                    record["dlpviolation"] = violations
                else:
                    record["dlpviolation"] = ",".join(dict.fromkeys(str(v["policy"]) for v in violations))
            records.append(record)
        return records

    @staticmethod
    def _address_clause(column: str, value: str) -> tuple[str, list[str]]:
        if "*" in value:
            return f"{column} LIKE ? ESCAPE '\\'", [like_pattern(value)]
        escaped = like_pattern(value)
        return f"({column} LIKE ? ESCAPE '\\' OR {column} LIKE ? ESCAPE '\\')", [escaped + "%", "%" + escaped]

    # ---- raw messages -------------------------------------------------------------------------------
    def open_raw(self, guid: str) -> tuple[int, Iterator[bytes]] | None:
        """(size, chunks) of the raw RFC 822 message with this GUID; None when no quarantined message has it.

        Stored messages are read one chunk at a time, so a large one never sits in memory whole; a
        message removed while it streams ends the stream early.
        """
        with self._lock:
            row = self._conn.execute(
                "SELECT id, gen_seed, ts, sender, rcpts, subject, messageid, host_ip, processingserver,"
                " spamscore, category, attachments, virus, size FROM messages WHERE guid = ?",
                (guid,),
            ).fetchone()
            if row is None:
                return None
            if row["gen_seed"] is None:
                size = self._conn.execute(
                    "SELECT COALESCE(SUM(length(data)), 0) AS size FROM raw_chunks WHERE message_id = ?",
                    (row["id"],),
                ).fetchone()["size"]
                return int(size), self._stored_chunks(row["id"])
        spec = RawSpec(
            gen_seed=row["gen_seed"],
            ts=row["ts"],
            sender=row["sender"],
            rcpts=tuple(row["rcpts"].split("\n")),
            subject=row["subject"],
            messageid=row["messageid"],
            host_ip=row["host_ip"],
            processingserver=row["processingserver"],
            spamscore=row["spamscore"],
            category=row["category"],
            attachments=tuple((name, int(nbytes)) for name, nbytes in json.loads(row["attachments"])),
            virus=row["virus"],
            size=row["size"],
        )
        raw = build_raw_message(spec)
        return len(raw), iter_chunks(raw, RAW_CHUNK)

    def _stored_chunks(self, message_id: int) -> Iterator[bytes]:
        seq = 0
        while True:
            with self._lock:
                try:
                    found = self._conn.execute(
                        "SELECT data FROM raw_chunks WHERE message_id = ? AND seq = ?", (message_id, seq)
                    ).fetchone()
                except sqlite3.ProgrammingError:  # the database was closed under us
                    return
            if found is None:
                return
            yield bytes(found["data"])
            seq += 1

    def raw_message(self, guid: str) -> bytes | None:
        """The whole raw message (for tests); None when no quarantined message has this GUID."""
        opened = self.open_raw(guid)
        return None if opened is None else b"".join(opened[1])

    def add_message(self, folder: str, raw: bytes, *, trace: bool = True, **fields: Any) -> dict[str, Any]:
        """Quarantine `raw` in `folder` and return its record.

        Record fields not given (`from`/`sender`, `rcpts`, `subject`, `messageid`, `date` as datetime or
        text, `spamscore`, `host_ip`, `processingserver`, `guid`, `virus`, `attachments`, `dlp`) are read
        from the headers or defaulted. With `trace`, the smart-search trace gets a record for it too.
        """
        found = self.folder(folder)
        if found is None:
            raise NotFound(f"folder {folder}")
        headers = self._headers(raw)
        sender = fields.pop("from", None) or fields.pop("sender", None)
        if not sender:
            addresses = getaddresses([str(headers.get("From", ""))])
            sender = addresses[0][1] if addresses and addresses[0][1] else "unknown@unknown.invalid"
        rcpts = fields.pop("rcpts", None)
        if rcpts is None:
            rcpts = [addr for _, addr in getaddresses([str(v) for v in headers.get_all("To", [])]) if addr]
        rcpts = split_list(rcpts) or ["undisclosed-recipients@unknown.invalid"]
        subject = fields.pop("subject", None)
        if subject is None:
            subject = str(headers.get("Subject", ""))
        messageid = fields.pop("messageid", None) or str(headers.get("Message-ID", "")).strip().strip("<>")
        ts = self._timestamp(fields.pop("date", None), headers)
        ip = fields.pop("host_ip", None) or "[198.51.100.25] [198.51.100.25]"
        with self._lock:
            guid = fields.pop("guid", None) or new_guid(self._rng)
            spamscore = str(fields.pop("spamscore", "0"))
            server = fields.pop("processingserver", "pps-mta-01.example.com")
            virus = ",".join(split_list(fields.pop("virus", "")))
            attachments = split_list(fields.pop("attachments", None))
            dlp = fields.pop("dlp", None)
            category = fields.pop("category", "dlp" if found["module"] == "dlp" else "spam")
            if fields:
                raise TypeError(f"unknown message fields: {', '.join(sorted(fields))}")
            self._conn.execute("BEGIN")
            try:
                message_id = self._next_message_id()
                self._conn.execute(
                    "INSERT INTO messages (id, guid, folder_id, table_id, ts, sender, rcpts, subject, messageid,"
                    " size, spamscore, host_ip, processingserver, category, attachments, virus, dlp, gen_seed)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                    (
                        message_id,
                        guid,
                        found["id"],
                        2 + (ts // 86400) % 7,
                        ts,
                        sender,
                        "\n".join(rcpts),
                        subject,
                        messageid,
                        len(raw),
                        spamscore,
                        ip,
                        server,
                        category,
                        json.dumps([[name, 0] for name in attachments]),
                        virus,
                        json.dumps(dlp) if dlp else None,
                    ),
                )
                self._conn.executemany(
                    "INSERT INTO message_rcpts (message_id, rcpt) VALUES (?, ?)",
                    [(message_id, r) for r in rcpts],
                )
                self._conn.executemany(
                    "INSERT INTO raw_chunks (message_id, seq, data) VALUES (?, ?, ?)",
                    ((message_id, seq, chunk) for seq, chunk in enumerate(iter_chunks(raw, RAW_CHUNK))),
                )
                if trace:
                    record = SeedGenerator(self.seed, ts, rng=self._rng).trace_record(
                        ts=ts,
                        guid=guid,
                        sender=sender,
                        rcpts=rcpts,
                        subject=subject,
                        message_id=messageid,
                        size=len(raw),
                        ip=ip.split("]", 1)[0].lstrip("["),
                        server=server,
                        internal=found["module"] == "dlp",
                        attachments=attachments,
                        virus=virus,
                        spam_score=spamscore,
                        final_action="discard",
                        module_rules=["dlp.incident" if found["module"] == "dlp" else "spam.spam"],
                        quarantine_folder=found["name"],
                        quarantine_rule="dlp" if found["module"] == "dlp" else "spam",
                    )
                    self._insert_trace([record])
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        added = self.get_message(guid=guid)
        assert added is not None
        return added

    def quarantine_new(
        self,
        count: int = 1,
        *,
        folders: str | Sequence[str] = (DEFAULT_FOLDER,),
        at: datetime | float | str | None = None,
    ) -> list[dict[str, Any]]:
        """Quarantine `count` new messages, all dated in the one second `at` (default: now); return them.

        Folders are taken in turn (`folders[i % len(folders)]`). Each is a seeded message with its trace
        record; the nth arrival of a seed is always the same message, whenever it comes. Its internal
        recipients become end users when they are not yet. With `at` in the past the message is "late":
        stored now, dated earlier, as mail that a busy appliance writes after younger mail.
        """
        if not isinstance(count, int) or count < 1:
            raise ValueError("count must be a positive integer")
        names = [folders] if isinstance(folders, str) else list(folders)
        if not names:
            raise ValueError("give at least one folder")
        for name in names:
            if self.folder(name) is None:
                raise NotFound(f"folder {name}")
        ts = int(time.time()) if at is None else self._timestamp(at, {})
        batch = SeedData()
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                done = int(self._meta("arrivals") or 0)
                for index in range(count):
                    rng = random.Random(f"{self.seed}:arrival:{done + index}")
                    generator = SeedGenerator(self.seed, ts, rng=rng)
                    message, record = generator.quarantined(
                        self._next_message_id(), folder=names[index % len(names)], ts=ts
                    )
                    batch.messages.append(message)
                    batch.trace.append(record)
                    for rcpt in message.rcpts:
                        if rcpt.rsplit("@", 1)[-1] in INTERNAL_DOMAINS and not self._enduser_exists(rcpt):
                            user = generator.recipient_user(rcpt, [message.sender])
                            user["uid"] = self._next_enduser_uid()
                            self._store_enduser(user, new=True)
                self._insert_seed(batch)
                self._set_meta("arrivals", str(done + count))
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        added = [self.get_message(guid=message.guid) for message in batch.messages]
        return [record for record in added if record is not None]

    def arrivals_count(self) -> int:
        """How many messages `quarantine_new` has added to this state, ever."""
        with self._lock:
            return int(self._meta("arrivals") or 0)

    @staticmethod
    def _headers(raw: bytes) -> Any:
        end = raw.find(b"\r\n\r\n")
        if end < 0:
            end = raw.find(b"\n\n")
        head = raw if end < 0 else raw[: end + 2]
        return BytesHeaderParser(policy=default_policy).parsebytes(head)

    @staticmethod
    def _timestamp(value: Any, headers: Any) -> int:
        if isinstance(value, datetime):
            return epoch(value)
        if isinstance(value, (int, float)):
            return int(value)
        if isinstance(value, str) and value:
            return epoch(datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S"))
        try:
            return int(parsedate_to_datetime(str(headers["Date"])).timestamp())
        except (TypeError, ValueError, KeyError):
            return int(time.time())

    # ---- actions --------------------------------------------------------------------------------------
    def apply_action(
        self,
        action: str,
        folder: str | None,
        localguid: str | Sequence[str] | None,
        *,
        user: str = "admin",
        **options: str,
    ) -> list[dict[str, Any]]:
        """POST /quarantine: apply `action` to the messages, all or none; return the action-log entries.

        `localguid` holds `folder_id:table_id:dbase_id` ids or GUIDs (the cloud's form), comma-separated
        or as a list; the cloud flavour takes GUIDs only. Options are the request's other fields (`deletedfolder`, `scan`, `targetfolder`,
        `to`, `from`, `headerfrom`, `subject`, `appendoldsubject`, `comment`, `brandtemplate`,
        `securitypolicy`), booleans as `t`/`f`. Raises `InvalidArgument(field)` and changes nothing when
        a field is wrong or a message is not in `folder`.
        """
        if action not in ACTIONS:
            raise InvalidArgument("action")
        with self._lock:
            source = self._require_folder(folder, "folder")
            ids = split_list(localguid)
            if not ids:
                raise InvalidArgument("localguid")
            found: dict[int, QuarantinedMessage] = {}
            for ident in ids:
                if self.flavour == CLOUD and ":" in ident:
                    raise InvalidArgument("localguid", "the cloud quarantine takes the message GUID")
                message = self._find(localguid=ident)
                if message is None or message.folder_id != source["id"]:
                    raise InvalidArgument("localguid")
                found.setdefault(message.id, message)
            for name in BOOLEAN_FIELDS:
                if name in options and options[name] not in ("t", "f"):
                    raise InvalidArgument(name)
            destination = None
            if action == "move":
                destination = self._require_folder(options.get("targetfolder"), "targetfolder")
                if destination["module"] != source["module"]:
                    raise InvalidArgument("targetfolder", "the folder holds another module's messages")
            elif action in ("release", "forward", "delete") and options.get("deletedfolder"):
                destination = self._require_folder(options["deletedfolder"], "deletedfolder")
                if destination["module"] != source["module"]:
                    raise InvalidArgument("deletedfolder", "the folder holds another module's messages")
            forward_to: list[str] = []
            if action == "forward":
                forward_to = split_list(options.get("to"))
                if options.get("from") and not ADDRESS_RE.match(options["from"]):
                    raise InvalidArgument("from")
                # A header From may carry a display name: "SOC <soc@example.com>".
                header_from = getaddresses([options["headerfrom"]]) if options.get("headerfrom") else []
                if options.get("headerfrom") and (
                    len(header_from) != 1 or not ADDRESS_RE.match(header_from[0][1])
                ):
                    raise InvalidArgument("headerfrom")
                if any(not ADDRESS_RE.match(address) for address in forward_to):
                    raise InvalidArgument("to")
            return self._apply(action, source, destination, list(found.values()), forward_to, user, options)

    def _apply(
        self,
        action: str,
        source: dict[str, Any],
        destination: dict[str, Any] | None,
        messages: Sequence[QuarantinedMessage],
        forward_to: list[str],
        user: str,
        options: Mapping[str, str],
    ) -> list[dict[str, Any]]:
        now = time.time()
        removes = action == "resubmit" or (action == "delete" and destination is None)
        describe = {
            "release": "Released",
            "resubmit": "Resubmitted",
            "forward": "Forwarded",
            "move": "Moved",
            "delete": "Deleted",
        }[action]
        kept_options = {k: v for k, v in options.items() if v is not None}
        entries = []
        conn = self._conn
        conn.execute("BEGIN")
        try:
            for message in messages:
                message_id, guid = message.id, message.guid
                rcpts = list(message.rcpts)
                localguid = message.localguid(self.flavour)
                moved_to = destination["name"] if destination is not None else None
                if removes:
                    conn.execute("DELETE FROM messages WHERE id = ?", (message_id,))
                    conn.execute("DELETE FROM message_rcpts WHERE message_id = ?", (message_id,))
                    conn.execute("DELETE FROM raw_chunks WHERE message_id = ?", (message_id,))
                    conn.execute("UPDATE trace SET current_folder = '' WHERE \"GUID\" = ?", (guid,))
                else:
                    history = message.history()
                    text = f"{describe} by {user}"
                    if action == "forward":
                        text += " to " + (", ".join(forward_to) if forward_to else ", ".join(rcpts))
                    if moved_to:
                        text += f"; moved to {moved_to}"
                    history.append(
                        {
                            "user": user,
                            "comment": options.get("comment", ""),
                            "id": str(len(history) + 1),
                            "date": quarantine_date(int(now)),
                            "statusdesc": text,
                            "status": action,
                        }
                    )
                    folder_id = destination["id"] if destination is not None else message.folder_id
                    conn.execute(
                        "UPDATE messages SET folder_id = ?, status = ? WHERE id = ?",
                        (folder_id, json.dumps(history), message_id),
                    )
                    if moved_to:
                        conn.execute('UPDATE trace SET current_folder = ? WHERE "GUID" = ?', (moved_to, guid))
                recipients = (forward_to or rcpts) if action in ("release", "forward", "resubmit") else []
                logged = {
                    "ts": now,
                    "action": action,
                    "user": user,
                    "folder": source["name"],
                    "localguid": localguid,
                    "guid": guid,
                    "subject": message.subject,
                    "recipients": json.dumps(recipients),
                    "moved_to": moved_to,
                    "options": json.dumps(kept_options),
                }
                cursor = conn.execute(
                    f"INSERT INTO actions ({', '.join(logged)}) VALUES ({', '.join('?' for _ in logged)})",
                    tuple(logged.values()),
                )
                entries.append(self._action_entry({"id": cursor.lastrowid, **logged}))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return entries

    @staticmethod
    def _action_entry(row: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "id": row["id"],
            "time": quarantine_date(int(row["ts"])),
            "timestamp": row["ts"],
            "action": row["action"],
            "user": row["user"],
            "folder": row["folder"],
            "localguid": row["localguid"],
            "guid": row["guid"],
            "subject": row["subject"],
            "recipients": json.loads(row["recipients"]),
            "moved_to": row["moved_to"],
            "options": json.loads(row["options"]),
        }

    def actions(self, action: str | None = None) -> list[dict[str, Any]]:
        """The log of applied actions, oldest first, one entry per message acted on.

        Entry: `id`, `time` (UTC text), `timestamp`, `action`, `user`, `folder` (where the message was),
        `localguid`, `guid`, `subject`, `recipients` (who release/resubmit/forward delivered to),
        `moved_to` (folder or None) and `options` (the request's other fields).
        """
        sql = (
            "SELECT id, ts, action, user, folder, localguid, guid, subject, recipients, moved_to, options"
            " FROM actions"
        )
        params: tuple[str, ...] = ()
        if action is not None:
            sql += " WHERE action = ?"
            params = (action,)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY id", params).fetchall()
        return [self._action_entry(row) for row in rows]

    # ---- smart search ---------------------------------------------------------------------------------
    @staticmethod
    def _trace_record(row: sqlite3.Row) -> dict[str, Any]:
        record: dict[str, Any] = {name: row[name] for name in TRACE_FIELDS}
        record["module_rules"] = json.loads(record["module_rules"])
        return record

    def trace(self, guid: str | None = None) -> list[dict[str, Any]]:
        """Smart-search records (those of one GUID, or all), newest first."""
        sql = "SELECT * FROM trace"
        params: tuple[str, ...] = ()
        if guid is not None:
            sql += ' WHERE "GUID" = ?'
            params = (guid,)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY ts DESC, id DESC", params).fetchall()
        return [self._trace_record(row) for row in rows]

    def search_trace(
        self,
        *,
        action: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        virus: Sequence[str] = (),
        env_from: str | None = None,
        env_rcpt: str | None = None,
        attach: Sequence[str] = (),
        qid: str | None = None,
        sid: str | None = None,
        guid: str | None = None,
        host: str | None = None,
        subject: str | None = None,
        hdr_mid: str | None = None,
        count: int = DEFAULT_SEARCH_COUNT,
    ) -> list[dict[str, Any]]:
        """GET /pss/filter: trace records matching every criterion given, newest first, at most `count`.

        Addresses match exactly (case-insensitive) unless they hold `*`; one starting with `@` matches
        the domain part (`@*.d`). `virus` and `attach` match a record holding any of the names given.
        `subject` matches records whose subject holds every stemmed word that is not a stop-word.
        """
        where: list[str] = []
        params: list[Any] = []
        if action:
            where.append('"Final_Action" = ?')
            params.append(action)
        if start is not None:
            where.append("ts >= ?")
            params.append(epoch(start))
        if end is not None:
            where.append("ts <= ?")
            params.append(epoch(end))
        if env_from:
            clause, value = self._trace_address('"Sender"', env_from)
            where.append(clause)
            params.append(value)
        if env_rcpt:
            clause, value = self._trace_address("r.rcpt", env_rcpt)
            where.append(f"id IN (SELECT r.trace_id FROM trace_rcpts r WHERE {clause})")
            params.append(value)
        for column, names in (('"Virus_Names"', virus), ('"Attachment_Names"', attach)):
            if names:
                where.append(
                    "(" + " OR ".join(f"(',' || {column} || ',') LIKE ? ESCAPE '\\'" for _ in names) + ")"
                )
                params.extend("%," + like_pattern(name) + ",%" for name in names)
        for column, wanted in (('"QID"', qid), ('"SID"', sid), ('"GUID"', guid)):
            if wanted:
                where.append(f"{column} = ?")
                params.append(wanted)
        if host:
            if "*" in host:
                where.append(
                    "(\"Sender_Host\" LIKE ? ESCAPE '\\' OR \"Sender_IP_Address\" LIKE ? ESCAPE '\\')"
                )
                params.extend([like_pattern(host)] * 2)
            else:
                where.append('("Sender_Host" = ? OR "Sender_IP_Address" = ?)')
                params.extend([host, host])
        if subject:
            terms = subject_terms(subject)
            if not terms:
                where.append("0")
            for term in terms:
                where.append("\"Subject\" LIKE ? ESCAPE '\\'")
                params.append("%" + like_pattern(term) + "%")
        if hdr_mid:
            where.append('"Message_ID" = ?')
            params.append("<" + hdr_mid.strip().strip("<>") + ">")
        sql = "SELECT * FROM trace"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY ts DESC, id DESC LIMIT ?"
        params.append(max(1, min(count, MAX_SEARCH_COUNT)))
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [self._trace_record(row) for row in rows]

    @staticmethod
    def _trace_address(column: str, value: str) -> tuple[str, str]:
        if value.startswith("@"):
            value = "*" + value
        if "*" in value:
            return f"{column} LIKE ? ESCAPE '\\'", like_pattern(value)
        return f"{column} = ?", value

    # ---- end users ------------------------------------------------------------------------------------
    def endusers(self) -> list[dict[str, Any]]:
        """Every end user, by uid."""
        with self._lock:
            rows = self._conn.execute("SELECT data FROM endusers ORDER BY CAST(uid AS INTEGER)").fetchall()
        return [json.loads(row["data"]) for row in rows]

    def get_enduser(self, ident: str) -> dict[str, Any]:
        """The end user with this email address (any case) or uid; raises NotFound."""
        with self._lock:
            row = self._conn.execute(
                "SELECT data FROM endusers WHERE email = ? OR uid = ?", (ident, ident)
            ).fetchone()
        if row is None:
            raise NotFound("User not found")
        user: dict[str, Any] = json.loads(row["data"])
        return user

    def create_enduser(self, email: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """POST /enduser/{email}: a new user with the fields given; raises UserExists."""
        if not ADDRESS_RE.match(email):
            raise InvalidArgument("email")
        checked = self._enduser_fields(fields)
        with self._lock:
            if self._enduser_exists(email):
                raise UserExists("User already exists")
            stamp = quarantine_date(int(time.time()))
            user: dict[str, Any] = {
                "uid": self._next_enduser_uid(),
                "email": email,
                "firstname": "",
                "lastname": "",
                "created": stamp,
                "lastmodified": stamp,
                "lastsignon": "",
                "lastpasswordchange": "",
                "creationsource": "api",
                "suborg": "",
                "type": 0,
                "alias": [],
                "groups": [],
                "safelist": [],
                "blocklist": [],
                "attributes": {},
            }
            user.update(checked)
            self._store_enduser(user, new=True)
        return user

    def update_enduser(self, ident: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """PUT /enduser/{id}: the fields given replace the user's (lists whole, **assumed**); attributes merge."""
        checked = self._enduser_fields(fields)
        with self._lock:
            user = self.get_enduser(ident)
            attributes = checked.pop("attributes", None)
            user.update(checked)
            if attributes is not None:
                user["attributes"] = {**user.get("attributes", {}), **attributes}
            user["lastmodified"] = quarantine_date(int(time.time()))
            self._store_enduser(user)
        return user

    def delete_enduser(self, ident: str) -> dict[str, Any]:
        with self._lock:
            user = self.get_enduser(ident)
            self._conn.execute("DELETE FROM endusers WHERE uid = ?", (user["uid"],))
        return user

    def _enduser_exists(self, email: str) -> bool:
        return self._conn.execute("SELECT 1 FROM endusers WHERE email = ?", (email,)).fetchone() is not None

    def _next_enduser_uid(self) -> str:
        highest = self._conn.execute(
            "SELECT COALESCE(MAX(CAST(uid AS INTEGER)), ?) AS uid FROM endusers", (FIRST_ENDUSER_UID - 1,)
        ).fetchone()["uid"]
        return str(int(highest) + 1)

    def _store_enduser(self, user: Mapping[str, Any], new: bool = False) -> None:
        data = json.dumps({name: user[name] for name in ENDUSER_FIELDS})
        if new:
            self._conn.execute(
                "INSERT INTO endusers (email, uid, data) VALUES (?, ?, ?)", (user["email"], user["uid"], data)
            )
        else:
            self._conn.execute("UPDATE endusers SET data = ? WHERE uid = ?", (data, user["uid"]))

    @staticmethod
    def _enduser_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
        checked: dict[str, Any] = {}
        for name, value in fields.items():
            if name in ENDUSER_TEXT_FIELDS:
                if not isinstance(value, str):
                    raise InvalidArgument(name)
            elif name in ENDUSER_LIST_FIELDS:
                if isinstance(value, str):
                    value = split_list(value)
                if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                    raise InvalidArgument(name)
            elif name == "type":
                if str(value) not in ("0", "1"):
                    raise InvalidArgument(name)
                value = int(value)
            elif name == "attributes":
                if not isinstance(value, dict):
                    raise InvalidArgument(name)
            else:
                continue  # uid, email, dates and the like are the server's
            checked[name] = value
        return checked
