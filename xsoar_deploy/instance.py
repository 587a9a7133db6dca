"""The integration instance that `PUT /settings/integration` saves, built on the server's configuration."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from xsoar_deploy.errors import DeployFailed, UsageRefused
from xsoar_deploy.parameters import PARAM_TYPE_CHECKBOX, check_param_names, instance_value
from xsoar_deploy.unified import UnifiedIntegration

# The server takes version -1 as "no version to check": how a new instance is saved.
NEW_INSTANCE_VERSION = -1
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


def find_instance(search: Mapping[str, Any], instance_name: str) -> dict[str, Any] | None:
    for instance in search.get("instances") or []:
        if isinstance(instance, Mapping) and instance.get("name") == instance_name:
            return dict(instance)
    return None


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
