"""GET /quarantine: search semantics, record shape, raw downloads (large ones streamed)."""

from __future__ import annotations

import email
import hashlib
import re
from datetime import datetime, timedelta
from email import policy
from typing import Any

from pps_simulator import PPSSimulator


def test_records_have_the_spec_shape(sim: PPSSimulator, api: Any) -> None:
    records = api.quarantine(**{"from": "*"})
    assert records
    folder_ids = {f["name"]: f["id"] for f in sim.backend.folders()}
    for record in records:
        assert set(record) == {
            "processingserver", "date", "subject", "messageid", "folder", "size", "rcpts", "from",
            "spamscore", "guid", "host_ip", "localguid",
        }  # fmt: skip
        assert record["folder"] == "Quarantine"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", record["date"])
        assert isinstance(record["rcpts"], list) and record["rcpts"]
        assert record["size"].isdigit() and record["spamscore"].isdigit()
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", record["guid"])
        assert re.fullmatch(r"\[[\d.]+\] \[[\d.]+\]", record["host_ip"])
        assert "<" not in record["messageid"]
        folder_id, table_id, dbase_id = record["localguid"].split(":")
        assert int(folder_id) == folder_ids["Quarantine"] and table_id.isdigit() and dbase_id.isdigit()


def test_default_folder_is_quarantine_and_folders_are_separate(sim: PPSSimulator, api: Any) -> None:
    assert len(api.quarantine(**{"from": "*"})) == len(sim.backend.messages("Quarantine"))
    for folder in ("Spam", "HIPAA", "Deleted Incidents"):
        records = api.quarantine(folder=folder, subject="*")
        assert {r["folder"] for r in records} == {folder}
        assert len(records) == len(sim.backend.messages(folder))
    assert sum(len(sim.backend.messages(f["name"])) for f in sim.backend.folders()) == 300


def test_at_least_one_of_from_rcpt_subject(api: Any) -> None:
    reply = api.get("/quarantine", params={"folder": "Quarantine"})
    assert reply.status_code == 400
    assert reply.headers["Content-Type"].startswith("text/plain")
    assert reply.text == "Invalid argument: at least one of from, rcpt, subject"


def test_unknown_folder(api: Any) -> None:
    reply = api.get("/quarantine", params={"folder": "Nope", "from": "*"})
    assert (reply.status_code, reply.text) == (400, "Invalid argument: folder")


def test_sender_equals_starts_ends_domain_and_wildcard(sim: PPSSimulator, api: Any) -> None:
    every = sim.backend.messages("Quarantine")
    sender = every[0]["from"]
    local, domain = sender.split("@")

    def guids(**params: str) -> set[str]:
        return {r["guid"] for r in api.quarantine(**params)}

    assert guids(**{"from": sender}) == {m["guid"] for m in every if m["from"] == sender}
    assert guids(**{"from": local[:3]}) >= {m["guid"] for m in every if m["from"].startswith(local[:3])}
    assert guids(**{"from": "@" + domain}) == {m["guid"] for m in every if m["from"].endswith("@" + domain)}
    assert guids(**{"from": domain}) == {m["guid"] for m in every if m["from"].endswith(domain)}
    assert guids(**{"from": local[0] + "*@" + domain}) == {
        m["guid"] for m in every if m["from"].startswith(local[0]) and m["from"].endswith("@" + domain)
    }
    assert guids(**{"from": "nobody@nowhere.invalid"}) == set()


def test_recipient_matches_any_recipient(sim: PPSSimulator, api: Any) -> None:
    every = sim.backend.messages("Quarantine")
    multi = next(m for m in every if len(m["rcpts"]) > 1)
    last = multi["rcpts"][-1]
    records = api.quarantine(rcpt=last)
    assert multi["guid"] in {r["guid"] for r in records}
    assert all(any(x == last or x.startswith(last) or x.endswith(last) for x in r["rcpts"]) for r in records)
    domain = last.split("@")[1]
    assert {r["guid"] for r in api.quarantine(rcpt=domain)} == {
        m["guid"] for m in every if any(x.endswith(domain) for x in m["rcpts"])
    }


def test_subject_starts_ends_contains_and_wildcard(sim: PPSSimulator, api: Any) -> None:
    every = sim.backend.messages("Quarantine")
    subject = max((m["subject"] for m in every), key=len)
    words = subject.split()
    for fragment in (words[0], words[-1], subject[3:9]):
        expected = {m["guid"] for m in every if fragment.lower() in m["subject"].lower()}
        assert {r["guid"] for r in api.quarantine(subject=fragment)} == expected
    pattern = words[0] + "*" + words[-1]
    assert subject in {r["subject"] for r in api.quarantine(subject=pattern)}
    assert len(api.quarantine(subject="*")) == len(every)


def test_non_ascii_subjects_travel_as_utf8(sim: PPSSimulator, api: Any) -> None:
    every = sim.backend.messages()
    accented = next(m for m in every if not m["subject"].isascii())
    records = api.quarantine(folder=accented["folder"], subject=accented["subject"])
    assert accented["subject"] in {r["subject"] for r in records}


def test_date_window_in_utc(sim: PPSSimulator, api: Any) -> None:
    every = sim.backend.messages("Quarantine")
    middle = datetime.strptime(every[len(every) // 2]["date"], "%Y-%m-%d %H:%M:%S")
    start, end = middle - timedelta(days=3), middle + timedelta(hours=2)
    text = "%Y-%m-%d %H:%M:%S"
    records = api.quarantine(
        **{"from": "*", "startdate": start.strftime(text), "enddate": end.strftime(text)}
    )
    expected = [m["guid"] for m in every if start <= datetime.strptime(m["date"], text) <= end]
    assert [r["guid"] for r in records] == expected and expected
    for bad in ("2020-01-15T20:00:00", "2020-01-15", "2020-13-01 00:00:00"):
        reply = api.get("/quarantine", params={"from": "*", "startdate": bad})
        assert reply.status_code == 400
        assert reply.text.startswith("Invalid argument: startdate")


def test_message_status_and_dlp_violations_on_request(api: Any) -> None:
    plain = api.quarantine(folder="HIPAA", subject="*")
    assert all("messagestatus" not in r and "dlpviolation" not in r for r in plain)
    records = api.quarantine(folder="HIPAA", subject="*", messagestatus="t", dlpviolation="t")
    for record in records:
        assert record["dlpviolation"] == "HIPAA"
        (status,) = record["messagestatus"]
        assert set(status) == {"user", "comment", "id", "date", "statusdesc", "status"}
        assert status["status"] == "quarantined"
    details = api.quarantine(folder="HIPAA", subject="*", dlpviolation="details")
    assert all(
        r["dlpviolation"] and {"policy", "rule", "smartid"} <= set(r["dlpviolation"][0]) for r in details
    )
    assert all(r["dlpviolation"] == "" for r in api.quarantine(subject="*", dlpviolation="t"))
    assert api.get("/quarantine", params={"subject": "*", "messagestatus": "yes"}).status_code == 400


def test_download_returns_the_rfc822_message(sim: PPSSimulator, api: Any) -> None:
    for record in sim.backend.messages()[:40]:
        reply = api.get("/quarantine", params={"guid": record["guid"]})
        assert reply.status_code == 200
        assert reply.headers["Content-Type"] == "message/rfc822"
        assert len(reply.content) == int(record["size"]) == int(reply.headers["Content-Length"])
        message = email.message_from_bytes(reply.content, policy=policy.default)
        assert message["Subject"] == record["subject"]
        assert message["Message-ID"] == f"<{record['messageid']}>"
        assert message["From"] == record["from"]
        assert [a.addr_spec for a in message["To"].addresses] == record["rcpts"]
        assert reply.content == sim.backend.raw_message(record["guid"])


def test_some_messages_carry_attachments(sim: PPSSimulator) -> None:
    names = []
    for record in sim.backend.messages("Virus"):
        raw = sim.backend.raw_message(record["guid"])
        assert raw is not None
        message = email.message_from_bytes(raw, policy=policy.default)
        names += [part.get_filename() for part in message.iter_attachments()]
    assert names and all(names)


def test_download_of_an_unknown_guid_is_404(api: Any) -> None:
    reply = api.get("/quarantine", params={"guid": "A" * 32})
    assert reply.status_code == 404


def test_download_by_guid_of_a_delivered_message_is_404(api: Any) -> None:
    delivered = next(r for r in api.search(count="1000") if not r["Quarantine_Folder"])
    assert api.get("/quarantine", params={"guid": delivered["GUID"]}).status_code == 404


def test_a_50_mb_message_streams_in_chunks(sim: PPSSimulator, api: Any) -> None:
    header = (
        b"From: big.sender@example.net\r\nTo: a@example.com, b@example.com\r\nSubject: Huge scan\r\n"
        b"Message-ID: <huge.1@example.net>\r\nDate: Tue, 14 Jan 2020 10:00:00 +0000\r\n\r\n"
    )
    line = b"A" * 998 + b"\r\n"
    raw = header + line * (50 * 1024 * 1024 // len(line))
    digest = hashlib.sha256(raw).hexdigest()
    record = sim.backend.add_message("Quarantine", raw)
    assert record["size"] == str(len(raw))
    assert record["rcpts"] == ["a@example.com", "b@example.com"]
    assert record["subject"] == "Huge scan" and record["messageid"] == "huge.1@example.net"
    assert record["date"] == "2020-01-14 10:00:00"
    del raw
    reply = api.get("/quarantine", params={"guid": record["guid"]}, stream=True)
    assert reply.status_code == 200
    assert int(reply.headers["Content-Length"]) == int(record["size"])
    received = hashlib.sha256()
    pieces = 0
    for piece in reply.iter_content(chunk_size=1024 * 1024):
        received.update(piece)
        pieces += 1
    assert received.hexdigest() == digest
    assert pieces >= 50
    # The added message is searchable and traced like any other.
    assert record["guid"] in {r["guid"] for r in api.quarantine(subject="Huge scan")}
    assert [r["Quarantine_Folder"] for r in api.search(guid=record["guid"])] == ["Quarantine"]
