"""Source of a tiny runtime stand-in and integration, so the runner is tested apart from the real ones."""

FAKE_DEMISTOMOCK = """
import json
callingContext = {}
captured_entries = []
captured_logs = []
is_debug = False

def reset(command="", args=None, params=None, is_debug=False):
    globals()["is_debug"] = is_debug
    callingContext.clear()
    callingContext.update({"params": params or {}, "args": args or {}, "command": command,
                           "integration": True, "context": {"Inv": {"id": "7"}}})
    captured_entries.clear()
    captured_logs.clear()

def params(): return callingContext["params"]
def args(): return dict(callingContext["args"])
def command(): return callingContext["command"]
def investigation(): return callingContext["context"]["Inv"]
def uniqueFile():
    import uuid
    return str(uuid.uuid4())
def info(msg, *rest): captured_logs.append(("info", str(msg)))
def error(msg, *rest):
    captured_logs.append(("error", str(msg)))
    print(msg)
def results(value):
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict) and "Contents" in item and "ContentsFormat" in item:
            captured_entries.append(json.loads(json.dumps(item)))
        else:
            captured_entries.append({"Type": 1, "Contents": str(item), "ContentsFormat": "text"})
"""

# Just what the fake integrations use, written like CSP: it reaches `demisto` as a global of the namespace.
FAKE_COMMON_SERVER = """
import sys

def return_results(value):
    demisto.results(value)

def return_error(message, error="", outputs=None):
    demisto.results({"Type": 4, "ContentsFormat": "text", "Contents": message, "EntryContext": outputs})
    sys.exit(0)

def fileResult(filename, data, file_type=None):
    temp = demisto.uniqueFile()
    with open(f"{demisto.investigation()['id']}_{temp}", "wb") as handle:
        handle.write(data.encode() if isinstance(data, str) else data)
    return {"Contents": "", "ContentsFormat": "text", "Type": file_type or 3, "File": filename, "FileID": temp}
"""

FAKE_YAML = """\
name: Fake
display: Fake Integration
configuration:
- name: url
  type: 0
  required: true
- name: credentials
  type: 9
  required: true
- name: unsecure
  type: 8
- name: proxy
  type: 8
  defaultvalue: 'false'
- name: timeout
  type: 0
  defaultvalue: '60'
script:
  script: '-'
  isfetch: false
  commands:
  - name: fake-echo
    arguments:
    - name: text
      required: true
    - name: limit
      defaultValue: 50
    - name: exact
      defaultValue: true
    - name: note
  - name: fake-fail
    arguments: []
  - name: fake-file
    arguments:
    - name: name
"""

# Answers every command; each branch shows one thing the server does with what the integration returns.
FAKE_INTEGRATION = """\
import demistomock as demisto  # noqa: E402
from CommonServerPython import *  # noqa: F401,F403
import json


def main():
    command = demisto.command()
    args = demisto.args()
    params = demisto.params()
    if command == "test-module":
        return_results("ok")
    elif command == "fake-echo":
        if args.get("note") == "name":
            return_results(f"__name__={__name__}")
        elif args.get("note") == "password":
            return_results("the password is " + params["credentials"]["password"])
        elif args.get("note") == "raise":
            raise ValueError("boom from the integration")
        else:
            return_results({
                "Type": 1, "ContentsFormat": "json", "Contents": args,
                "HumanReadable": "### Echo\\n|text|limit|\\n|---|---|\\n| " + args["text"] + " | "
                                 + args["limit"] + " |\\n",
                "EntryContext": {"Fake.Echo(val.text && val.text == obj.text)": [args]},
            })
    elif command == "fake-fail":
        return_error("it failed", outputs={"Fake.Failed": True})
    elif command == "fake-file":
        return_results(fileResult(args.get("name", "report.txt"), "file body"))


if __name__ in ("__main__", "__builtin__", "builtins"):
    main()
"""

# An integration that fetches, for the runner's --fetch: run with the real runtime stand-in.
FAKE_FETCH_YAML = """\
name: FakeFetch
display: Fake Fetching Integration
configuration:
- name: url
  type: 0
  required: true
- name: credentials
  type: 9
- name: unsecure
  type: 8
- name: isFetch
  type: 8
- name: max_fetch
  type: 0
  defaultvalue: '2'
- name: fail_fetch
  type: 8
script:
  script: '-'
  isfetch: true
  commands: []
"""

# Each run takes the next `max_fetch` messages after the last run's; the first message has an
# attachment; with fail_fetch it sets a last run, then fails (which must keep no last run).
FAKE_FETCH_INTEGRATION = """\
import demistomock as demisto  # noqa: E402
from CommonServerPython import *  # noqa: F401,F403
import json


def fetch_incidents(params):
    if not params.get("isFetch"):
        raise ValueError("fetch-incidents ran for an instance that does not fetch")
    start = demisto.getLastRun().get("next", 0)
    context = demisto.getIntegrationContext()
    demisto.setIntegrationContext({"runs": context.get("runs", 0) + 1})
    incidents = []
    for number in range(start, start + int(params["max_fetch"])):
        record = {"guid": f"{number:032d}", "folder": "Quarantine", "from": "a@evil.example"}
        incident = {
            "name": f"Quarantine: a@evil.example - Prize number {number}",
            "occurred": f"2026-01-01T00:00:{number:02d}Z",
            "rawJSON": json.dumps(record),
            "severity": 2,
        }
        if number == 0:
            saved = fileResult("message-0.eml", "From: a@evil.example\\r\\n\\r\\nPrize")
            incident["attachment"] = [{"path": saved["FileID"], "name": "message-0.eml"}]
        incidents.append(incident)
    demisto.setLastRun({"next": start + len(incidents)})
    if params.get("fail_fetch"):
        return_error("PPS could not be reached")
    demisto.incidents(incidents)


def main():
    if demisto.command() == "fetch-incidents":
        fetch_incidents(demisto.params())
    elif demisto.command() == "test-module":
        return_results("ok")


if __name__ in ("__main__", "__builtin__", "builtins"):
    main()
"""
