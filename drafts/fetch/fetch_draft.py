"""Draft of fetch-incidents and proofpoint-pps-sender-summary, written to be pasted into the integration.

The star import stands in for the integration file's own namespace while drafting; each section below
says where it goes in ProofpointProtectionServerV2.py (ARCHITECTURE.md order).
"""

from ProofpointProtectionServerV2 import *  # noqa: F403

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

# ==== CONSTANTS (after the existing constants) ====================================================

SENDER_SUMMARY_PREFIX = "Proofpoint.SenderSummary"
SENDER_SUMMARY_DEFAULT_START = "7 days"
TOP_RECIPIENT_COUNT = 10

DEFAULT_FIRST_FETCH = "3 days"
DEFAULT_MAX_FETCH = 50
MAX_FETCH = 200
DEFAULT_LOOK_BACK_MINUTES = 5
MAX_LOOK_BACK_MINUTES = 1440
INCIDENT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
ONE_SECOND = timedelta(seconds=1)
# Severity rule: the folder is the appliance's verdict (admins route each filtering module to its own
# folders); the spam score is not urgency, a higher one only makes "spam" more certain.
THREAT_FOLDER_RE = re.compile(r"virus|malware|phish|impost|fraud|malicious|threat", re.IGNORECASE)
COMPLIANCE_FOLDER_RE = re.compile(
    r"dlp|hipaa|gdpr|glba|complian|confidential|(?<![a-z])(pci|pii|phi)(?![a-z])", re.IGNORECASE
)
SMART_SEARCH_DATE_RE = re.compile(
    r"^(?P<moment>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2})(\s*\[UTC(?P<offset>[+-]\d{2}:?\d{2})\])?$"
)


# ==== CLIENT-ADJACENT HELPERS (beside download_message_entry, which then calls download_message_file) ==


def download_message_file(client: Client, guid: str) -> str:
    """Streams the message to where fileResult would write it; returns the FileID an entry or incident names."""
    file_id = demisto.uniqueFile()
    client.download_message(guid, f"{demisto.investigation()['id']}_{file_id}")
    return file_id


# ==== ARGUMENT PARSING (after parse_folder) =======================================================


def parse_whole_number(values: dict[str, Any], name: str, default: int, lowest: int, highest: int) -> int:
    value = values.get(name)
    if value is None or str(value).strip() == "":
        return default
    accepted = f"Use a whole number from {lowest} to {highest}."
    if isinstance(value, bool) or not re.fullmatch(r"\s*\d+\s*", str(value)):
        raise refuse(name, value, accepted)
    number = int(str(value))
    if not lowest <= number <= highest:
        raise refuse(name, value, accepted)
    return number


def parse_record_date(text: Any) -> datetime | None:
    """A quarantine record's date (`2020-01-15 20:00:00`, UTC); None when it is not one."""
    try:
        parsed = datetime.strptime(str(text).strip(), QUARANTINE_TIME_FORMAT)
    except ValueError:
        return None
    return parsed.replace(tzinfo=timezone.utc)


def parse_smart_search_date(text: Any) -> datetime | None:
    """A smart-search record's Date (`2020-05-20 14:13:02 [UTC-0600]`), in UTC; None when it is not one."""
    match = SMART_SEARCH_DATE_RE.match(str(text or "").strip())
    if not match:
        return None
    offset = (match.group("offset") or "+0000").replace(":", "")
    try:
        parsed = datetime.strptime(match.group("moment").replace("T", " ") + offset, "%Y-%m-%d %H:%M:%S%z")
    except ValueError:
        return None
    return parsed.astimezone(timezone.utc)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime(INCIDENT_TIME_FORMAT)


def parse_iso_utc(text: Any) -> datetime | None:
    try:
        return datetime.strptime(str(text), INCIDENT_TIME_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


# ==== COMMANDS: sender summary (after the quarantine actions) =====================================


def sender_summary_command(client: Client, args: dict[str, Any]) -> CommandResults:
    sender = parse_address_pattern(args, "sender")
    if not sender:
        raise InvalidArgumentError(
            "Missing required argument sender. Give an address or a pattern, e.g. sender=*@example.com."
        )
    now = datetime.now(timezone.utc).replace(microsecond=0)
    start, end = parse_time_range(
        {**args, "start_time": optional_text(args, "start_time") or SENDER_SUMMARY_DEFAULT_START}, now
    )
    end = end or now
    folders = parse_folder_list(args, "folder_name")
    smart_query = {
        "env_from": sender,
        "from": start.strftime(SMART_SEARCH_TIME_FORMAT),
        "to": end.strftime(SMART_SEARCH_TIME_FORMAT),
        "count": str(SMART_SEARCH_MAX_LIMIT),
    }

    quarantine_query = {
        "from": sender,
        "startdate": start.strftime(QUARANTINE_TIME_FORMAT),
        "enddate": end.strftime(QUARANTINE_TIME_FORMAT),
        "limit": str(QUARANTINE_MAX_LIMIT),
    }

    def search(folder: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """The smart search (folder None) or one folder's quarantine search; its records or why it failed."""
        if folder is not None:
            return search_one_folder(client, quarantine_query, folder)
        try:
            return client.smart_search(smart_query), None
        except DemistoException as error:
            return [], error.message

    outcomes = map_concurrently(search, [None, *folders], FOLDER_CONCURRENCY)
    (smart_records, smart_error), folder_outcomes = outcomes[0], outcomes[1:]
    failures = {folder: error for folder, (_, error) in zip(folders, folder_outcomes, strict=True) if error}
    if smart_error or failures:
        # Counts without one of their searches would be silently partial.
        reasons = [f"Smart search failed: {smart_error.rstrip('.')}."] if smart_error else []
        if failures:
            reasons.append(folders_failed_message(failures))
        raise DemistoException(" ".join(["The sender summary could not be made.", *reasons]))
    quarantined = {folder: found for folder, (found, _) in zip(folders, folder_outcomes, strict=True)}
    truncated = len(smart_records) >= SMART_SEARCH_MAX_LIMIT or any(
        len(records) >= QUARANTINE_MAX_LIMIT for records in quarantined.values()
    )
    summary = summarize_sender(sender, start, end, smart_records, quarantined, truncated)
    return CommandResults(
        outputs_prefix=SENDER_SUMMARY_PREFIX,
        outputs_key_field="Sender",
        outputs=summary,
        readable_output=sender_summary_markdown(summary),
        raw_response=summary,
    )


def summarize_sender(
    sender: str,
    start: datetime,
    end: datetime,
    smart_records: list[dict[str, Any]],
    quarantined: dict[str, list[dict[str, Any]]],
    truncated: bool,
) -> dict[str, Any]:
    """What a sender did in a time range, from its smart-search trace and its quarantined messages."""
    messages = {str(record.get("GUID") or f"#{index}"): record for index, record in enumerate(smart_records)}
    actions = Counter(str(record.get("Final_Action") or "unknown").lower() for record in messages.values())
    recipients: Counter[str] = Counter()
    viruses: dict[str, None] = {}
    scores: list[float] = []
    seen: list[datetime] = []
    for record in messages.values():
        recipients.update(
            {
                address.strip().lower()
                for address in str(record.get("Recipients") or "").split(",")
                if address.strip()
            }
        )
        viruses.update(
            dict.fromkeys(
                name.strip() for name in str(record.get("Virus_Names") or "").split(",") if name.strip()
            )
        )
        scores.extend(spam_score(record.get("Spam_Score")))
        seen.extend(date for date in [parse_smart_search_date(record.get("Date"))] if date)
    quarantine_counts = []
    for folder, records in quarantined.items():
        quarantine_counts.append(
            {"Folder": folder, "Count": len({str(r.get("guid") or id(r)) for r in records})}
        )
        for record in records:
            scores.extend(spam_score(record.get("spamscore")))
            seen.extend(date for date in [parse_record_date(record.get("date"))] if date)
    return {
        "Sender": sender,
        "Start": iso_utc(start),
        "End": iso_utc(end),
        "Messages": len(messages),
        "FinalActions": [
            {"Action": action, "Count": count}
            for action, count in sorted(actions.items(), key=lambda item: (-item[1], item[0]))
        ],
        "Recipients": len(recipients),
        "TopRecipients": [
            {"Recipient": address, "Count": count}
            for address, count in sorted(recipients.items(), key=lambda item: (-item[1], item[0]))[
                :TOP_RECIPIENT_COUNT
            ]
        ],
        "Quarantined": quarantine_counts,
        "VirusNames": list(viruses),
        "MaxSpamScore": max(scores) if scores else None,
        "FirstSeen": iso_utc(min(seen)) if seen else None,
        "LastSeen": iso_utc(max(seen)) if seen else None,
        "Truncated": truncated,
    }


def spam_score(value: Any) -> list[float]:
    """The score as a one-item list, or nothing when the record has none (cloud gives ints, on premise strings)."""
    try:
        return [float(str(value).strip())] if str(value or "").strip() else []
    except ValueError:
        return []


def sender_summary_markdown(summary: dict[str, Any]) -> str:
    actions = ", ".join(f"{item['Action']} {item['Count']}" for item in summary["FinalActions"]) or "none"
    quarantined = ", ".join(f"{item['Folder']} {item['Count']}" for item in summary["Quarantined"])
    lines = [
        f"### Proofpoint Protection Server sender summary: {summary['Sender']}",
        f"From {summary['Start']} to {summary['End']}",
        "",
        f"- Messages: {summary['Messages']} ({actions})",
        f"- Distinct recipients: {summary['Recipients']}",
        f"- Quarantined: {quarantined}",
        f"- Viruses: {', '.join(summary['VirusNames']) or 'none'}",
        f"- Highest spam score: {summary['MaxSpamScore'] if summary['MaxSpamScore'] is not None else 'none'}",
        f"- First seen: {summary['FirstSeen'] or 'never'}; last seen: {summary['LastSeen'] or 'never'}",
    ]
    if summary["Truncated"]:
        lines.append(
            "\n**Counts are partial**: a search returned as many records as it may (smart search "
            f"{SMART_SEARCH_MAX_LIMIT}, quarantine {QUARANTINE_MAX_LIMIT} per folder). Narrow start_time and end_time."
        )
    table = tableToMarkdown("Top recipients", summary["TopRecipients"], headers=["Recipient", "Count"])
    return "\n".join(lines) + "\n\n" + table


# ==== FETCH INCIDENTS (after the commands, before MAIN) ============================================


@dataclass(frozen=True)
class FetchSettings:
    first_fetch: datetime
    max_fetch: int
    folders: list[str]
    criteria: dict[str, str]
    look_back: timedelta
    attach_message: bool
    incident_type: str | None


class Candidate(NamedTuple):
    """A quarantined message found by fetch; sorted by date then guid."""

    date: datetime
    guid: str
    folder: str
    record: dict[str, Any]


def parse_fetch_settings(params: dict[str, Any], now: datetime) -> FetchSettings:
    criteria = assign_params(
        **{
            "from": parse_address_pattern(params, "fetch_sender"),
            "rcpt": parse_address_pattern(params, "fetch_recipient"),
            "subject": optional_text(params, "fetch_subject"),
        }
    )
    return FetchSettings(
        first_fetch=parse_time(
            optional_text(params, "first_fetch") or DEFAULT_FIRST_FETCH, "first_fetch", now
        ),
        max_fetch=parse_whole_number(params, "max_fetch", DEFAULT_MAX_FETCH, 1, MAX_FETCH),
        folders=parse_folder_list(params, "fetch_folders"),
        # The search needs one of from, rcpt, subject: every recipient when the user gave none.
        criteria=criteria or {"rcpt": "*"},
        look_back=timedelta(
            minutes=parse_whole_number(
                params, "fetch_look_back", DEFAULT_LOOK_BACK_MINUTES, 0, MAX_LOOK_BACK_MINUTES
            )
        ),
        attach_message=bool(parse_boolean(params, "fetch_attach_message")),
        incident_type=optional_text(params, "incidentType"),
    )


class FolderSearch(NamedTuple):
    found: list[Candidate]  # records not taken yet, oldest first
    searched_until: datetime  # every record dated before it has been searched
    span: timedelta  # the span of the last window one reply held whole


def search_window(
    client: Client,
    folder: str,
    criteria: dict[str, str],
    start: datetime,
    end: datetime,
    limit: int,
    padded: bool = True,
) -> tuple[list[Candidate], bool]:
    """The records of `folder` dated start..end (inclusive, to the second); True when the reply was full.

    Whether the API's bounds are inclusive is not documented: a padded search asks for a second more on
    each side and the records outside are dropped here.
    """
    pad = ONE_SECOND if padded else timedelta(0)
    query = {
        "folder": folder,
        **criteria,
        "startdate": (start - pad).strftime(QUARANTINE_TIME_FORMAT),
        "enddate": (end + pad).strftime(QUARANTINE_TIME_FORMAT),
        "limit": str(limit),
    }
    records = client.search_quarantine(query)
    found = []
    for record in records:
        date, guid = parse_record_date(record.get("date")), str(record.get("guid") or "")
        if date is None or not guid:
            demisto.info(
                f"{INTEGRATION_NAME} fetch: skipped a record of {folder} without a date or guid: {record}"
            )
            continue
        if start <= date <= end:
            found.append(Candidate(date, guid, folder, normalise_quarantine_record(record, folder)))
    return found, len(records) >= limit


def search_whole_window(
    client: Client, folder: str, criteria: dict[str, str], start: datetime, end: datetime, limit: int
) -> tuple[list[Candidate], datetime]:
    """All records of the oldest window from `start` that one reply holds whole, and that window's end.

    A full reply may lack any of its window's records, so the window is halved, older half first, until
    a reply is not full. A single second that still fills the largest page holds more messages than the
    API can list.
    """
    while True:
        found, full = search_window(client, folder, criteria, start, end, limit)
        if not full:
            return found, end
        if end > start:
            end = start + timedelta(seconds=int((end - start).total_seconds()) // 2)
        elif limit < QUARANTINE_MAX_LIMIT:
            limit = QUARANTINE_MAX_LIMIT
        else:
            break
    # The padding may have filled the page with the seconds beside this one; a server whose bounds are
    # inclusive answers the unpadded search with exactly this second.
    exact, _ = search_window(client, folder, criteria, start, end, limit, padded=False)
    found = exact or found
    if len(found) >= limit:
        demisto.info(
            f"{INTEGRATION_NAME} fetch: folder {folder} holds more messages dated {iso_utc(start)} than one "
            f"search returns ({limit}); those the appliance did not return cannot be fetched."
        )
    return found, end


def search_folder(
    client: Client,
    folder: str,
    criteria: dict[str, str],
    start: datetime,
    end: datetime,
    taken: set[str],
    wanted: int,
    page: int,
    span: timedelta,
) -> FolderSearch:
    """At least `wanted` records of `folder` not taken yet, when it has them, oldest first.

    Windows from `start` are searched whole, oldest first, each twice as long as the last that one reply
    held whole (the first `span` long), until `wanted` are found or `end` is reached.
    """
    found: list[Candidate] = []
    window_start, last_span = start, span
    while window_start <= end and len(found) < wanted:
        records, window_end = search_whole_window(
            client, folder, criteria, window_start, min(window_start + span, end), page
        )
        # Keyed on guid: a reply that lists a message twice gives one incident.
        fresh = {record.guid: record for record in records if record.guid not in taken}
        found.extend(sorted(fresh.values(), key=candidate_order))
        last_span = window_end - window_start
        span = max(last_span * 2, ONE_SECOND)
        window_start = window_end + ONE_SECOND
    return FolderSearch(found, window_start, last_span)


def candidate_order(candidate: Candidate) -> tuple[datetime, str]:
    return candidate.date, candidate.guid


def stored_folder_states(last_run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    folders = last_run.get("folders")
    if not isinstance(folders, dict):
        return {}
    return {name: state for name, state in folders.items() if isinstance(state, dict)}


def taken_guids(folder_state: dict[str, Any]) -> dict[str, list[str]]:
    taken = folder_state.get("taken")
    return taken if isinstance(taken, dict) else {}


def folders_in_turn(folders: list[str], first: Any) -> list[str]:
    """The folders starting with `first` (when it is one of them), so each gets its turn to go first."""
    index = folders.index(first) if first in folders else 0
    return folders[index:] + folders[:index]


def fetch_incidents(
    client: Client, settings: FetchSettings, last_run: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One fetch run: the next last-run and the incidents, each folder's oldest first.

    Folders take turns to go first; each takes what is left of max_fetch. A message is known by its guid
    (its localguid changes when it moves). Last-run: `first_folder`, whose turn is next; per folder
    `time`, the time reached (every message dated before it has been taken); `from`, where the next
    search starts (the time reached, or the look-back window's start when that is earlier); `span`, the
    seconds of the last window one reply held whole (the next search starts with it); `taken`, the guids
    taken that are dated from `from` on, by date. A folder not searched in a run keeps its state.
    """
    stored = stored_folder_states(last_run)
    taken = {guid for state in stored.values() for guids in taken_guids(state).values() for guid in guids}
    folders = folders_in_turn(settings.folders, last_run.get("first_folder"))
    chosen: dict[str, Candidate] = {}
    next_folders: dict[str, Any] = {}
    for folder in folders:
        state = stored.get(folder, {})
        wanted = settings.max_fetch - len(chosen)
        if wanted <= 0:
            if state:
                next_folders[folder] = state
            continue
        start = parse_iso_utc(state.get("from")) or settings.first_fetch.replace(microsecond=0)
        folder_taken = taken_guids(state)
        stored_span = state.get("span")
        span = (
            timedelta(seconds=stored_span)
            if isinstance(stored_span, int) and stored_span >= 0
            else now - start
        )
        # Room for the wanted records, the taken ones the window holds again, and as many more.
        page = min(QUARANTINE_MAX_LIMIT, 2 * wanted + sum(len(guids) for guids in folder_taken.values()))
        try:
            search = search_folder(
                client, folder, settings.criteria, start, now, taken | set(chosen), wanted, page, span
            )
        except DemistoException as error:
            raise DemistoException(f"Searching quarantine folder {folder} failed: {error.message}") from error
        taken_here, first_left = search.found[:wanted], search.found[wanted:][:1]
        chosen.update((candidate.guid, candidate) for candidate in taken_here)
        reached = first_left[0].date if first_left else search.searched_until
        keep_from = min(reached, now - settings.look_back)
        by_date: dict[str, list[str]] = {}
        for date_text, guids in folder_taken.items():
            date = parse_iso_utc(date_text)
            if date is not None and date >= keep_from:
                by_date.setdefault(date_text, []).extend(guids)
        for candidate in taken_here:
            if candidate.date >= keep_from:
                by_date.setdefault(iso_utc(candidate.date), []).append(candidate.guid)
        next_folders[folder] = {
            "time": iso_utc(reached),
            "from": iso_utc(keep_from),
            "span": int(search.span.total_seconds()),
            "taken": by_date,
        }

    incidents = [quarantine_incident(candidate, settings.incident_type) for candidate in chosen.values()]
    if settings.attach_message:
        for incident, candidate in zip(incidents, chosen.values(), strict=True):
            attach_raw_message(client, incident, candidate.guid)
    next_first = folders_in_turn(settings.folders, folders[0])[1 % len(folders)]
    return {"first_folder": next_first, "folders": next_folders}, incidents


def quarantine_severity(folder: str) -> float:
    """High for folders named for a threat, Medium for DLP and compliance folders, Low for the rest."""
    if THREAT_FOLDER_RE.search(folder):
        return IncidentSeverity.HIGH
    if COMPLIANCE_FOLDER_RE.search(folder):
        return IncidentSeverity.MEDIUM
    return IncidentSeverity.LOW


def quarantine_incident(candidate: Candidate, incident_type: str | None) -> dict[str, Any]:
    record = candidate.record
    incident = {
        "name": f"{candidate.folder}: {record.get('from') or '(no sender)'} - {record.get('subject') or '(no subject)'}",
        "occurred": iso_utc(candidate.date),
        "rawJSON": json.dumps(record),
        "severity": quarantine_severity(candidate.folder),
    }
    if incident_type:
        incident["type"] = incident_type
    return incident


def attach_raw_message(client: Client, incident: dict[str, Any], guid: str) -> None:
    """Attaches the raw message; when it cannot be had the incident says why, and the run goes on."""
    try:
        file_id = download_message_file(client, guid)
    except MessageNotFoundError:
        reason = "the appliance no longer holds it (released, deleted or expired)"
    except DemistoException as error:
        reason = error.message
    except OSError as error:
        reason = f"it could not be written to disk ({error.strerror or error})"
    else:
        incident["attachment"] = [{"path": file_id, "name": safe_file_name(guid)}]
        return
    incident["details"] = f"The raw message {guid} was not attached: {reason}"


def check_fetch_folders(client: Client, params: dict[str, Any], now: datetime) -> list[str]:
    """test-module with fetching on: the fetch settings parse and every fetch folder can be searched."""
    try:
        settings = parse_fetch_settings(params, now)
    except InvalidArgumentError as error:
        return [f"Fetch settings: {error}"]
    problems = []
    for folder in settings.folders:
        try:
            search_window(client, folder, settings.criteria, now - timedelta(minutes=1), now, 1, padded=False)
        except DemistoException as error:
            problems.append(f"Fetch folder {folder}: {error.message}")
    return problems


# ==== MAIN: main() calls this for command "fetch-incidents", before the COMMANDS lookup ============


def fetch_incidents_command(client: Client, params: dict[str, Any]) -> None:
    """Reads the last run, fetches, then stores the next last run and sends the incidents (runtime §10)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    next_run, incidents = fetch_incidents(
        client, parse_fetch_settings(params, now), demisto.getLastRun(), now
    )
    demisto.setLastRun(next_run)
    demisto.incidents(incidents)
