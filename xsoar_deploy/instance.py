"""The integration instance that `PUT /settings/integration` saves, built on the server's configuration."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from xsoar_deploy.errors import DeployFailed, UsageRefused
from xsoar_deploy.parameters import PARAM_TYPE_CHECKBOX, check_param_names, instance_value
from xsoar_deploy.unified import UnifiedIntegration

# A new instance is saved with version 0, as demisto-sdk saves one; an update sends the version it read.
NEW_INSTANCE_VERSION = 0
# The pack this integration ships in: a configuration of the same ID from this pack is an earlier upload.
PACK_ID = "ProofpointPPSREST"
# Settings of an existing instance that a redeploy keeps rather than resets.
KEPT_ON_UPDATE = (
    "engine",
    "engineGroup",
    "propagationLabels",
    "incomingMapperId",
    "outgoingMapperId",
    "mappingId",
    "integrationLogLevel",
    "isLongRunning",
)


def find_configuration(search: Mapping[str, Any], integration: UnifiedIntegration) -> dict[str, Any]:
    """The integration's configuration among the `configurations` of `/settings/integration/search`."""
    configurations = [item for item in search.get("configurations") or [] if isinstance(item, Mapping)]
    for key, wanted in (("id", integration.id), ("name", integration.name)):
        for configuration in configurations:
            if configuration.get(key) == wanted:
                return dict(configuration)
    raise DeployFailed(
        f"XSOAR does not list the integration {integration.id!r}: upload it first (without --skip-upload)"
    )


def clashing_configurations(
    search: Mapping[str, Any], integration: UnifiedIntegration
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """What on the server stands in the way of this integration, before it is uploaded.

    Returns the integrations that hold its ID or name without being an earlier upload of it (a
    system integration, or one from another pack: the server refuses to overwrite those), and the
    other integrations that answer some of its commands, with those commands.
    """
    own_commands = set(integration.commands)
    holders: list[dict[str, Any]] = []
    shared_commands: dict[str, list[str]] = {}
    for configuration in search.get("configurations") or []:
        if not isinstance(configuration, Mapping):
            continue
        same_id = configuration.get("id") == integration.id
        same_name = configuration.get("name") == integration.name
        if same_id or same_name:
            earlier_upload = (
                same_id
                and same_name
                and not configuration.get("system")
                and configuration.get("packID") in (None, "", PACK_ID)
            )
            if not earlier_upload:
                holders.append(dict(configuration))
            continue
        script = configuration.get("integrationScript") or {}
        commands = {
            str(command.get("name"))
            for command in (script.get("commands") if isinstance(script, Mapping) else None) or []
            if isinstance(command, Mapping)
        }
        common = sorted(commands & own_commands)
        if common:
            shared_commands[str(configuration.get("display") or configuration.get("name"))] = common
    return holders, shared_commands


def build_instance(
    configuration: Mapping[str, Any],
    instance_name: str,
    params: Mapping[str, Any],
    existing: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The instance body: every parameter of the configuration with the given, kept or default value.

    A parameter not given keeps the existing instance's value on an update, or takes the
    integration's default on a creation.
    """
    brand = str(configuration.get("name") or "")
    if existing is not None and existing.get("brand") != brand:
        raise DeployFailed(
            f"Instance {instance_name!r} already exists for the integration {existing.get('brand')!r}, "
            f"not {brand!r}; choose another --instance name"
        )
    fields = [field for field in configuration.get("configuration") or [] if isinstance(field, Mapping)]
    check_param_names(params, {str(field.get("name")): field for field in fields}, brand)
    existing_data: dict[str, Mapping[str, Any]] = {
        str(entry.get("name")): entry
        for entry in (existing or {}).get("data") or []
        if isinstance(entry, Mapping)
    }
    data = [_instance_entry(field, params, existing_data.get(str(field.get("name")))) for field in fields]
    missing = [
        str(entry.get("name"))
        for entry in data
        if entry.get("required")
        and int(entry.get("type") or 0) != PARAM_TYPE_CHECKBOX
        and _is_empty(entry.get("value"))
    ]
    if missing:
        raise UsageRefused(
            f"Instance {instance_name!r} needs the parameter(s) {', '.join(missing)}: "
            "set them with --config FILE or --param NAME=VALUE"
        )
    body: dict[str, Any] = {
        "name": instance_name,
        "brand": brand,
        "category": configuration.get("category", ""),
        "configuration": dict(configuration),
        "data": data,
        "enabled": "true",
        "engine": "",
        # Uploaded (custom) integrations run their own script.
        "isIntegrationScript": True,
        "passwordProtected": False,
        "incomingMapperId": configuration.get("defaultMapperIn", ""),
        "mappingId": configuration.get("defaultClassifier", ""),
        "outgoingMapperId": configuration.get("defaultMapperOut", ""),
        "id": "",
        "version": NEW_INSTANCE_VERSION,
    }
    if existing is not None:
        body.update({key: existing[key] for key in KEPT_ON_UPDATE if key in existing})
        body["id"] = existing.get("id", "")
        body["version"] = existing.get("version", NEW_INSTANCE_VERSION)
    return body


def instance_params(instance: Mapping[str, Any]) -> dict[str, Any]:
    """The values an instance holds, by parameter name."""
    return {
        str(entry.get("name")): entry.get("value")
        for entry in instance.get("data") or []
        if isinstance(entry, Mapping) and "value" in entry
    }


def _instance_entry(
    field: Mapping[str, Any], params: Mapping[str, Any], existing: Mapping[str, Any] | None
) -> dict[str, Any]:
    entry = copy.deepcopy(dict(field))
    name = str(field.get("name"))
    if name in params:
        entry["value"] = instance_value(field, params[name])
        entry["hasvalue"] = True
    elif existing is not None and "value" in existing:
        entry["value"] = copy.deepcopy(existing["value"])
        entry["hasvalue"] = bool(existing.get("hasvalue", True))
    else:
        default = field.get("defaultValue", field.get("defaultvalue"))
        if default not in (None, ""):
            entry["value"] = instance_value(field, default)
        entry.setdefault("hasvalue", False)
    return entry


def _is_empty(value: Any) -> bool:
    if isinstance(value, Mapping):
        return not value.get("identifier") and not value.get("password") and not value.get("credential")
    return value is None or value == "" or value == []
