"""One deployment: read the server's version, pick the build for its marketplace, check nothing on the
server clashes with it, upload it, then create or update an instance and test it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from xsoar_deploy.errors import DeployFailed
from xsoar_deploy.instance import build_instance, clashing_configurations, find_configuration, instance_params
from xsoar_deploy.parameters import shown_value
from xsoar_deploy.server import ServerAbout, TestModuleOutcome, XsoarServer
from xsoar_deploy.unified import IntegrationBuilds, UnifiedIntegration


@dataclass(frozen=True)
class InstanceRequest:
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    run_test: bool = True


@dataclass
class DeployResult:
    about: ServerAbout | None = None
    integration: UnifiedIntegration | None = None
    uploaded: bool = False
    instance: dict[str, Any] | None = None
    created: bool = False
    test: TestModuleOutcome | None = None

    @property
    def succeeded(self) -> bool:
        return self.test is None or self.test.success


def deploy(
    server: XsoarServer,
    builds: IntegrationBuilds,
    instance_request: InstanceRequest | None,
    *,
    upload: bool = True,
    say: Callable[[str], None] = print,
    warn: Callable[[str], None] = print,
) -> DeployResult:
    """Run the steps asked for, telling `say` what each did. Failures raise `DeployFailed`/`UsageRefused`."""
    result = DeployResult()
    about = result.about = server.about()
    server_name = f"{about.product} ({about.version})"
    integration = result.integration = builds.for_marketplace(about.marketplace, server_name)
    say(f"{server_name} at {server.api_url} takes the build for {about.marketplace}: {integration.path}")

    holders, shared_commands = clashing_configurations(server.search_integrations(), integration)
    if holders:
        raise DeployFailed(_held_id_message(integration, holders))
    for display, commands in shared_commands.items():
        warn(_shared_commands_message(integration, display, commands))

    if upload:
        server.upload_integration(integration.path)
        result.uploaded = True
        say(f"Uploaded the integration {integration.display!r} ({integration.path})")
    if instance_request is None:
        return result

    configuration = find_configuration(server.search_integrations(), integration)
    existing = server.find_instance(instance_request.name)
    body = build_instance(configuration, instance_request.name, instance_request.params, existing)
    saved = server.save_instance(body)
    result.created = existing is None
    # What test-module runs with is what was just saved: the body sent, under the id the server gave.
    instance: dict[str, Any] = dict(body)
    instance.update({key: saved[key] for key in ("id", "version") if key in saved})
    result.instance = instance
    verb = "Created" if result.created else "Updated"
    say(f"{verb} the instance {instance_request.name!r} (id {instance.get('id') or '?'}) with:")
    fields = {str(item.get("name")): item for item in configuration.get("configuration") or []}
    for name, value in instance_params(body).items():
        say(f"  {name} = {shown_value(fields.get(name) or {}, value)}")

    if instance_request.run_test:
        result.test = server.test_instance(instance)
        if result.test.success:
            say(f"test-module succeeded for the instance {instance_request.name!r}")
    return result


def _held_id_message(integration: UnifiedIntegration, holders: list[dict[str, Any]]) -> str:
    listed = "; ".join(
        f"{holder.get('display') or holder.get('name')!r} (ID {holder.get('id')!r}"
        + (f", pack {holder['packID']}" if holder.get("packID") else "")
        + (", a system integration" if holder.get("system") else "")
        + ")"
        for holder in holders
    )
    return (
        f"XSOAR already has {listed}, holding the ID or name of this integration "
        f"(ID {integration.id!r}, name {integration.name!r}); the server refuses to overwrite an "
        "integration a pack installed. Nothing was uploaded. Give this integration an ID and name of its "
        "own (commonfields.id and name in its YAML), or remove that integration from the server first"
    )


def _shared_commands_message(integration: UnifiedIntegration, display: str, commands: list[str]) -> str:
    shown = ", ".join(commands[:5]) + (f" and {len(commands) - 5} more" if len(commands) > 5 else "")
    return (
        f"warning: the integration {display!r} on this server also has the command(s) {shown}. "
        "With enabled instances of both, a War Room command without using= runs on each of them. "
        f"Once an instance of {integration.display!r} works, disable the other integration's instances "
        f'(instance by instance), or run commands with using-brand="{integration.name}"'
    )
