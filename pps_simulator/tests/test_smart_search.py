"""GET /pss/filter: the record shape, every filter, the time format 8.14.2 insists on."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from pps_simulator import PPSSimulator

SPEC_FIELDS = {
    "Rule_ID", "Disposition_Action", "Sendmail_Action", "Attachment_Names", "Recipients", "SendmailRaw_Log",
    "GUID", "Date", "Raw_Log", "Sender_Host", "Module_ID", "Sender_IP_Address", "Quarantine_Folder", "QID",
    "Quarantine_Rule", "Spam_Score", "country", "TLS", "Policy_Routes", "current_folder", "FID", "module_rules",
    "PE_Recipients", "Virus_Names", "Sendmail_Errorcode", "FQIN", "SMIME_Recipients", "Agent", "Subject",
    "Final_Rule", "Suborg", "SMIME_Recipients_Signed", "Message_Encrypted", "Message_Split",
    "Disposition_SmtpProfile", "Sendmail_To", "Sendmail_Stat", "SID", "Message_ID", "Final_Action", "Sender",
    "Sendmail_To_Stat", "Message_Size", "Duration",
}  # fmt: skip
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \[UTC[+-]\d{4}\]$")


def pps_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S%z")


def record_time(record: dict[str, Any]) -> datetime:
    return datetime.strptime(record["Date"][:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)


def test_records_have_exactly_the_spec_fields_as_strings(api: Any) -> None:
    records = api.search(count="1000")
    assert records
    for record in records:
        assert set(record) == SPEC_FIELDS
        assert isinstance(record["module_rules"], list) and all(
            isinstance(r, str) for r in record["module_rules"]
        )
        assert all(isinstance(value, str) for key, value in record.items() if key != "module_rules")
        assert DATE_RE.match(record["Date"])
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", record["GUID"])
        assert record["Message_ID"].startswith("<") and record["Message_ID"].endswith(">")
        assert record["Message_Size"].isdigit()
        assert " " not in record["Recipients"] and " " not in record["Policy_Routes"]


def test_default_count_is_100_newest_first(api: Any) -> None:
    records = api.search()
    assert len(records) == 100
    times = [record_time(r) for r in records]
    assert times == sorted(times, reverse=True)
    assert len(api.search(count="7")) == 7


def test_the_trace_links_quarantined_messages_and_holds_delivered_ones(sim: PPSSimulator, api: Any) -> None:
    records = api.search(count="1000")
    assert len(records) == 450  # 300 quarantined + 150 delivered or rejected
    quarantined = sim.backend.messages()
    by_guid = {r["GUID"]: r for r in records}
    for message in quarantined:
        record = by_guid[message["guid"]]
        assert record["Quarantine_Folder"] == message["folder"] == record["current_folder"]
        assert record["Sender"] == message["from"]
        assert record["Recipients"].split(",") == message["rcpts"]
        assert record["Message_ID"] == f"<{message['messageid']}>"
        assert record["Message_Size"] == message["size"]
    delivered = [r for r in records if not r["Quarantine_Folder"]]
    assert len(delivered) == 150
    assert {r["Final_Action"] for r in delivered} == {
        "accept",
        "continue",
        "discard",
        "redirect",
        "reject",
        "retry",
    }


def test_action_filter(api: Any) -> None:
    for action in ("accept", "continue", "discard", "redirect", "reject", "retry"):
        records = api.search(action=action, count="1000")
        assert records and {r["Final_Action"] for r in records} == {action}
    reply = api.get("/pss/filter", params={"action": "explode"})
    assert reply.status_code == 400
    assert reply.text == "Invalid argument: action"


def test_time_window_with_numeric_offsets(api: Any) -> None:
    every = api.search(count="1000")
    middle = record_time(every[len(every) // 2])
    start, end = middle - timedelta(days=2), middle + timedelta(hours=5)
    # The same window written in New York time: the server must honour the offset.
    new_york = timezone(timedelta(hours=-5))
    records = api.search(
        **{"from": pps_time(start.astimezone(new_york)), "to": pps_time(end), "count": "1000"}
    )
    expected = [r for r in every if start <= record_time(r) <= end]
    assert [r["GUID"] for r in records] == [r["GUID"] for r in expected]
    assert records


def test_a_colon_in_the_offset_is_refused_as_8_14_2_does(api: Any) -> None:
    reply = api.get("/pss/filter", params={"from": "2020-05-20T14:13:02-05:00"})
    assert reply.status_code == 400
    assert reply.headers["Content-Type"].startswith("text/plain")
    assert reply.text.startswith("Invalid argument: from")
    for bad in ("2020-05-20T14:13:02Z", "2020-05-20 14:13:02", "2020-05-20T14:13:02", "yesterday"):
        assert api.get("/pss/filter", params={"to": bad}).status_code == 400


def test_an_unencoded_plus_in_the_offset_is_a_client_bug(api: Any) -> None:
    # '+' in a query string means a space: a client that does not encode it sends a broken time.
    reply = api.session.get(api.base + "/pss/filter?from=2020-05-20T14:13:02+0000", timeout=10)
    assert reply.status_code == 400
    assert api.get("/pss/filter", params={"from": "2020-05-20T14:13:02+0000"}).status_code == 200


def test_sender_exact_and_wildcards(api: Any) -> None:
    every = api.search(count="1000")
    sender = next(r["Sender"] for r in every if r["Sender"].count(".") >= 2)
    exact = api.search(env_from=sender.upper(), count="1000")
    assert exact and {r["Sender"] for r in exact} == {sender}
    local, domain = sender.split("@")
    prefix = local[:3]
    assert {r["GUID"] for r in api.search(env_from=prefix + "*", count="1000")} == {
        r["GUID"] for r in every if r["Sender"].startswith(prefix)
    }
    assert {r["GUID"] for r in api.search(env_from="*@" + domain, count="1000")} == {
        r["GUID"] for r in every if r["Sender"].endswith("@" + domain)
    }
    tld = domain.rsplit(".", 1)[1]
    by_domain = api.search(env_from="@*." + tld, count="1000")
    assert {r["GUID"] for r in by_domain} == {r["GUID"] for r in every if r["Sender"].endswith("." + tld)}
    assert api.search(env_from=local) == []  # no wildcard: the whole address


def test_recipient_filter_matches_any_recipient(api: Any) -> None:
    every = api.search(count="1000")
    multi = next(r for r in every if "," in r["Recipients"])
    second = multi["Recipients"].split(",")[1]
    records = api.search(env_rcpt=second, count="1000")
    assert multi["GUID"] in {r["GUID"] for r in records}
    assert all(second in r["Recipients"].split(",") for r in records)
    domain = second.split("@")[1]
    assert {r["GUID"] for r in api.search(env_rcpt="*@" + domain, count="1000")} == {
        r["GUID"] for r in every if any(x.endswith("@" + domain) for x in r["Recipients"].split(","))
    }


def test_virus_and_attachment_filters_take_lists(api: Any) -> None:
    every = api.search(count="1000")
    infected = [r for r in every if r["Virus_Names"]]
    assert infected
    first = infected[0]["Virus_Names"].split(",")[0]
    other = next(v for r in infected for v in r["Virus_Names"].split(",") if v != first)
    records = api.search(virus=f"{first},{other}", count="1000")
    assert {r["GUID"] for r in records} == {
        r["GUID"] for r in infected if {first, other} & set(r["Virus_Names"].split(","))
    }
    attached = next(r for r in every if r["Attachment_Names"])
    name = attached["Attachment_Names"].split(",")[0]
    records = api.search(attach=name, count="1000")
    assert attached["GUID"] in {r["GUID"] for r in records}
    assert all(name in r["Attachment_Names"].split(",") for r in records)
    extension = name.rsplit(".", 1)[1]
    assert all(
        any(n.endswith("." + extension) for n in r["Attachment_Names"].split(","))
        for r in api.search(attach="*." + extension, count="1000")
    )


def test_id_filters(api: Any) -> None:
    record = api.search(count="1000")[123]
    for param, key in (("qid", "QID"), ("sid", "SID"), ("guid", "GUID")):
        assert [r["GUID"] for r in api.search(**{param: record[key]})] == [record["GUID"]]
    mid = record["Message_ID"]
    assert [r["GUID"] for r in api.search(hdr_mid=mid)] == [record["GUID"]]
    assert [r["GUID"] for r in api.search(hdr_mid=mid.strip("<>"))] == [record["GUID"]]


def test_host_filter_takes_a_name_or_an_address(api: Any) -> None:
    record = next(r for r in api.search(count="1000") if r["Sender_Host"] != "localhost")
    by_ip = api.search(host=record["Sender_IP_Address"], count="1000")
    assert record["GUID"] in {r["GUID"] for r in by_ip}
    assert all(r["Sender_IP_Address"] == record["Sender_IP_Address"] for r in by_ip)
    by_name = api.search(host=record["Sender_Host"], count="1000")
    assert all(r["Sender_Host"] == record["Sender_Host"] for r in by_name)


def test_subject_words_are_stemmed_and_stop_words_dropped(api: Any) -> None:
    every = api.search(count="1000")
    invoices = [r for r in every if "invoice" in r["Subject"].lower()]
    assert invoices
    records = api.search(subject="the invoices", count="1000")
    assert {r["GUID"] for r in records} == {r["GUID"] for r in invoices}


def test_filters_combine(api: Any) -> None:
    every = api.search(count="1000")
    target = next(r for r in every if r["Final_Action"] == "reject")
    records = api.search(action="reject", env_from=target["Sender"], count="1000")
    assert target["GUID"] in {r["GUID"] for r in records}
    assert all(r["Final_Action"] == "reject" and r["Sender"] == target["Sender"] for r in records)


def test_bad_count(api: Any) -> None:
    for bad in ("0", "-1", "ten"):
        reply = api.get("/pss/filter", params={"count": bad})
        assert (reply.status_code, reply.text) == (400, "Invalid argument: count")
