"""Tables in the terminal: ids copy whole, headers never split, readable at 100 columns."""

from __future__ import annotations

import io
import re

import pytest

from instance_params import Masker
from warroom.execution import RunResult
from warroom.render import print_run

GUIDS = ["51H1tWUUhal3IsMVIbyOiw13YhCaQvtk", "JKaf1QplK0-8ADzeZ412Sizys0RZJi35"]
MESSAGE_ID = "3D084AC834B4DFF5FDB5.270764572@pharma-direct.test"

# The quarantined-messages list as the integration writes it: twelve columns.
LIST_TABLE = (
    "### Proofpoint Protection Server Quarantined Messages\n"
    "|localguid|guid|date|from|rcpts|subject|folder|spamscore|size|host_ip|messageid|processingserver|\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    f"| 6:8:179 | {GUIDS[0]} | 2026-12-02 02:35:16 | promo@pharma-direct.test | robert.tanaka@example.com "
    f"| Votre colis n°72191 est en attente | Quarantine | 93 | 8078 | [203.0.113.218] | {MESSAGE_ID} "
    "| pps-mta-01.example.com |\n"
    f"| 6:8:71 | {GUIDS[1]} | 2026-12-02 01:37:25 | amara.chen@promo.example.biz | "
    "david69@research.example.com,<br>wei.lee@research.example.com | Delivery failure notice | Quarantine "
    "| 60 | 46633 | [203.0.113.152] | CEACF0A7157AEDABDD5D.406576029@promo.example.biz | pps-mta-03.example.com |\n"
)
SMART_SEARCH_TABLE = (
    "### Proofpoint Protection Server Smart Search Results\n"
    "|GUID|Date|Sender|Recipients|Subject|Final_Action|Quarantine_Folder|Spam_Score|Virus_Names|\n"
    "|---|---|---|---|---|---|---|---|---|\n"
    f"| {GUIDS[0]} | 2026-12-02 03:13:00 [UTC+0000] | jessica.martin@eu.example.com | jennifer9@example.net "
    "| Discharge summary | discard | HIPAA | 0 |  |\n"
    f"| {GUIDS[1]} | 2026-12-02 02:50:20 [UTC+0000] | sales@lucky-draw.test | "
    "nmiller@example.com,llee@example.com,elizabeth.silva@eu.example.com | Make $10000 a week from home "
    "| discard | Spam | 92 |  |\n"
)


def shown(markdown: str, columns: int, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    entry = {"Type": 1, "ContentsFormat": "json", "Contents": {}, "HumanReadable": markdown}
    out = io.StringIO()
    print_run(RunResult([entry], {}, [], [], 0), Masker(), out=out)
    return out.getvalue()


def header_text(output: str) -> str:
    """The header lines of the table (above its rule), joined."""
    lines = output.splitlines()
    rule = next(index for index, line in enumerate(lines) if re.fullmatch(r"\s*─+\s*", line))
    return " ".join(lines[1:rule])


@pytest.mark.parametrize("columns", [100, 120, 200])
def test_ids_stay_whole_on_one_line_and_nothing_is_wider_than_the_terminal(
    columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    for table in (LIST_TABLE, SMART_SEARCH_TABLE):
        output = shown(table, columns, monkeypatch)
        for guid in GUIDS:
            assert guid in output
        assert all(len(line) <= columns for line in output.splitlines())


@pytest.mark.parametrize("columns", [100, 200])
def test_headers_are_never_split(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    output = shown(LIST_TABLE, columns, monkeypatch)
    headers = header_text(output).split()
    for header in headers:
        assert header in {
            "localguid",
            "guid",
            "date",
            "from",
            "rcpts",
            "subject",
            "folder",
            "spamscore",
            "size",
            "host",
            "ip",
            "messageid",
            "processingserver",
        }, header


def test_the_list_at_100_columns_shows_what_tells_messages_apart_and_names_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    output = shown(LIST_TABLE, 100, monkeypatch)

    assert header_text(output).split()[:6] == ["localguid", "guid", "date", "from", "rcpts", "subject"]
    assert "6:8:179" in output
    assert "2026-12-02" in output and "02:35:16" in output  # dates wrap between words only
    note = " ".join(output.split("Not shown at 100 columns:")[1].split())
    for header in ("processingserver", "host_ip", "messageid", "size", "spamscore"):
        assert header in note
    assert "--json or --context" in note


def test_a_message_id_column_that_fits_is_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    table = f"|localguid|messageid|subject|\n|---|---|---|\n| 6:8:179 | {MESSAGE_ID} | Votre colis |\n"
    assert MESSAGE_ID in shown(table, 100, monkeypatch)


def test_smart_search_at_100_columns_keeps_its_main_columns_readable(monkeypatch: pytest.MonkeyPatch) -> None:
    output = shown(SMART_SEARCH_TABLE, 100, monkeypatch)

    assert {"GUID", "Date", "Sender", "Recipients", "Subject", "Final", "Action"} <= set(
        header_text(output).split()
    )
    assert "Discharge" in output and "summary" in output
    assert "Not shown at 100 columns:" in output and "Virus_Names" in output


def test_at_200_columns_the_list_loses_only_what_does_not_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    output = shown(LIST_TABLE, 200, monkeypatch)
    assert "localguid" in header_text(output) and "spamscore" in header_text(output)
    assert "pps-mta-01.example.com" in output or "processingserver" in output.split("Not shown")[-1]
