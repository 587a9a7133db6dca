"""One deployment: upload the unified integration, then create or update an instance and test it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from xsoar_deploy.instance import build_instance, find_configuration, find_instance, instance_params
from xsoar_deploy.parameters import shown_value
from xsoar_deploy.server import TestModuleOutcome, XsoarServer
from xsoar_deploy.unified import UnifiedIntegration


@dataclass(frozen=True)
class InstanceRequest:
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    run_test: bool = True


@dataclass
class DeployResult:
    uploaded: bool = False
    instance: dict[str, Any] | None = None
    created: bool = False
    test: TestModuleOutcome | None = None

    @property
    def succeeded(self) -> bool:
        return self.test is None or self.test.success


def deploy(
    server: XsoarServer,
    integration: UnifiedIntegration,
    instance_request: InstanceRequest | None,
    *,
    upload: bool = True,
    say: Callable[[str], None] = print,
) -> DeployResult:
    """Run the steps asked for, telling `say` what each did. Failures raise `DeployFailed`/`UsageRefused`."""
    result = DeployResult()
    if upload:
        server.upload_integration(integration.path)
        result.uploaded = True
        say(f"Uploaded the integration {integration.display!r} ({integration.path}) to {server.api_url}")
    if instance_request is None:
        return result

    search = server.search_integrations()
    configuration = find_configuration(search, integration)
    existing = find_instance(search, instance_request.name)
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
